"""The coordinator's buddy hours, and forgetting a buddy: the only code that reads buddies' names.

Volunteers get a compensation for their permanences, so the aggregator keeps who was on duty
(``buddy_shifts``) and who claimed a call (``help_requests.buddy``). Those names are personal
data of the volunteers: they are read here for ``admin-console buddies hours`` (a CSV for the
coordinator) and nowhere else; the funder report and the console's views never show them
(:mod:`admin_console.read.help_loop` counts without them). ``admin-console buddies forget``
deletes a buddy's shifts and blanks the name on the calls, whose counts stay.

Months are local months at the sites (``[fleet] timezone``). A shift is split at midnight of
the first of a month and clipped to the period; one without a check-out counts as
:func:`admin_console.read.help_loop.shift_end` says (until now, at most 12 hours) and is
counted in ``open_shifts`` so that the coordinator can check it. Qt-free.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import IO
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Connection, Engine

from admin_console.read.help_loop import OPEN_SHIFT_LIMIT, shift_end
from admin_console.read.usage import UsageFilter, known_sites, sites_with_help
from admin_console.store.orm import BuddyShiftRow, HelpRequestRow

CSV_COLUMNS = (
    "month",
    "site",
    "buddy",
    "hours",
    "shifts",
    "open_shifts",
    "calls_claimed",
    "calls_resolved",
)


@dataclass
class BuddyMonth:
    """One buddy's month at one site."""

    month: str  # YYYY-MM, local
    site: str
    buddy: str
    seconds: float = 0.0
    shifts: int = 0
    open_shifts: int = 0
    claimed: int = 0
    resolved: int = 0

    def row(self) -> list[str]:
        return [
            self.month,
            self.site,
            self.buddy,
            f"{self.seconds / 3600:.2f}",
            str(self.shifts),
            str(self.open_shifts),
            str(self.claimed),
            str(self.resolved),
        ]


@dataclass(frozen=True)
class Forgotten:
    """What ``forget`` changed: shifts deleted, calls whose buddy name was blanked."""

    shifts: int
    calls: int

    @property
    def nothing(self) -> bool:
        return not self.shifts and not self.calls


def _month(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.replace(tzinfo=UTC).astimezone(zone)
    return f"{local.year:04d}-{local.month:02d}"


def _next_month_start(moment: datetime, zone: ZoneInfo) -> datetime:
    """The naive-UTC moment of the local midnight starting the month after ``moment``'s."""
    local = moment.replace(tzinfo=UTC).astimezone(zone)
    first = (local.date().replace(day=28) + timedelta(days=4)).replace(day=1)
    return datetime.combine(first, time(), zone).astimezone(UTC).replace(tzinfo=None)


def shift_sites(connection: Connection) -> set[str]:
    return set(connection.execute(select(BuddyShiftRow.site).distinct()).scalars())


def every_site(engine: Engine) -> list[str]:
    """Every site the database knows: with counts, machines, help requests or shifts."""
    sites = set(known_sites(engine))
    with engine.connect() as connection:
        sites |= sites_with_help(connection) | shift_sites(connection)
    return sorted(sites)


def buddy_months(
    engine: Engine, usage: UsageFilter, now: datetime | None = None
) -> list[BuddyMonth]:
    """Per local month, site and buddy: hours on duty, shifts, calls claimed and resolved, in
    the period (sorted by month, site, buddy)."""
    zone = usage.zone
    first, after = usage.period.utc_bounds(zone)
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    rows: dict[tuple[str, str, str], BuddyMonth] = {}

    def entry(month: str, site: str, buddy: str) -> BuddyMonth:
        key = (month, site, buddy)
        if key not in rows:
            rows[key] = BuddyMonth(month, site, buddy)
        return rows[key]

    site_filter = sorted(set(usage.sites))
    with engine.connect() as connection:
        shifts = select(
            BuddyShiftRow.site, BuddyShiftRow.buddy, BuddyShiftRow.started, BuddyShiftRow.ended
        ).where(
            BuddyShiftRow.started < after,
            BuddyShiftRow.started >= first - OPEN_SHIFT_LIMIT - timedelta(days=2),
        )
        calls = select(
            HelpRequestRow.site,
            HelpRequestRow.buddy,
            HelpRequestRow.state,
            HelpRequestRow.claimed,
            HelpRequestRow.closed,
        ).where(
            HelpRequestRow.buddy.is_not(None),
            or_(
                (HelpRequestRow.claimed >= first) & (HelpRequestRow.claimed < after),
                (HelpRequestRow.closed >= first) & (HelpRequestRow.closed < after),
            ),
        )
        if site_filter:
            shifts = shifts.where(BuddyShiftRow.site.in_(site_filter))
            calls = calls.where(HelpRequestRow.site.in_(site_filter))
        shift_rows = connection.execute(shifts).all()
        call_rows = connection.execute(calls).all()
    for site, buddy, started, ended in shift_rows:
        start = max(started, first)
        end = min(shift_end(started, ended, moment), after)
        if end <= start and not first <= started < after:
            continue  # ended before the period
        counted = entry(_month(start, zone), site, buddy)
        counted.shifts += 1
        counted.open_shifts += ended is None
        while start < end:  # split at the local months' first midnights
            stop = min(end, _next_month_start(start, zone))
            entry(_month(start, zone), site, buddy).seconds += (stop - start).total_seconds()
            start = stop
    for site, name, state, claimed, closed in call_rows:
        buddy = str(name)
        if claimed is not None and first <= claimed < after:
            entry(_month(claimed, zone), site, buddy).claimed += 1
        if state == "resolved" and closed is not None and first <= closed < after:
            entry(_month(closed, zone), site, buddy).resolved += 1
    return [rows[key] for key in sorted(rows)]


def write_hours_csv(months: Sequence[BuddyMonth], out: IO[str]) -> None:
    """``month,site,buddy,hours,shifts,open_shifts,calls_claimed,calls_resolved``."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for month in months:
        writer.writerow(month.row())


def forget_buddy(engine: Engine, name: str, site: str | None = None) -> Forgotten:
    """Delete the buddy's shifts and blank the name on the calls (at one site, or all), in one
    transaction; the calls and every count stay. The name must match exactly."""
    with engine.begin() as connection:
        shifts = delete(BuddyShiftRow).where(BuddyShiftRow.buddy == name)
        calls = update(HelpRequestRow).where(HelpRequestRow.buddy == name).values(buddy=None)
        if site is not None:
            shifts = shifts.where(BuddyShiftRow.site == site)
            calls = calls.where(HelpRequestRow.site == site)
        deleted = connection.execute(shifts).rowcount
        blanked = connection.execute(calls).rowcount
    return Forgotten(int(deleted or 0), int(blanked or 0))


def names_like(engine: Engine, name: str, site: str | None = None) -> list[str]:
    """Stored buddy names equal to ``name`` but for case and spaces (to suggest one when
    ``forget`` matched nothing)."""
    wanted = name.strip().casefold()
    with engine.connect() as connection:
        found: set[str] = set()
        for table in (BuddyShiftRow, HelpRequestRow):
            statement = select(table.buddy).where(func.lower(func.trim(table.buddy)) == wanted)
            if site is not None:
                statement = statement.where(table.site == site)
            found |= {str(n) for n in connection.execute(statement.distinct()).scalars() if n}
    return sorted(found - {name})
