"""Read side of the help loop (issue 16), per site and period, without a single name (no Qt).

- **Staffed hours**: the union of the ``buddy_shifts`` intervals of a site (at least one buddy
  checked in), clipped to the period. A shift without a check-out counts until now, and never
  more than :data:`OPEN_SHIFT_LIMIT` after its check-in: a forgotten check-out does not staff
  the room for days.
- **Help calls per staffed hour**: the calls opened while a buddy was on duty, divided by the
  staffed hours. Calls opened outside the permanences are counted apart (the site's staff
  answer them, or nobody); a site without any shift in the period has no rate, never a
  division by zero (:attr:`SiteLoad.per_hour` is ``None``, ``SiteLoad.staffed_s`` is 0).
- **Wait by hour of the week**: per (weekday 0 = Monday, local hour) of the moment a call was
  opened, how many were claimed and the median wait (opened → claimed), in the filter's time
  zone (the console passes ``[fleet] timezone``).
- **Outcomes** of the resolved calls (``protocol.HelpOutcome``; :data:`NOT_SAID` for a call
  closed without one) and the **topics** the buddies ticked (comma-joined keys).
- **Time spent helping**: the median from claimed to resolved, from the handling times counted
  at ingest (10-second buckets, see :mod:`admin_console.read.help`).

Buddies' names are read by :mod:`admin_console.read.buddies` only (the coordinator's CSV).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from admin_console.read.help import _median_of_buckets as median_of_buckets
from admin_console.read.help import help_sites
from admin_console.read.usage import UsageFilter, rolled_up
from admin_console.store.gc_pause import without_gc_pauses
from admin_console.store.orm import BuddyShiftRow, HelpRequestRow
from admin_console.store.rollups import HELP_HANDLING
from kiosk.wire.protocol import HelpOutcome

OPEN_SHIFT_LIMIT = timedelta(hours=12)  # a shift without a check-out counts this long at most
NOT_SAID = "not said"  # a resolved call closed without an outcome (an older desk)
OUTCOMES: tuple[str, ...] = (*(str(o) for o in HelpOutcome), NOT_SAID)
_VALUES_CHUNK = 40  # spans per VALUES list: with more, SQLite scans the requests instead

Interval = tuple[datetime, datetime]  # naive UTC, start included, end excluded


@dataclass(frozen=True)
class SiteLoad:
    """A site's help calls against its staffed time in a period."""

    staffed_s: float = 0.0  # the union of its shifts, clipped to the period
    shifts: int = 0  # shifts that overlap the period
    calls: int = 0  # calls opened in the period
    calls_staffed: int = 0  # of them, opened while a buddy was on duty

    @property
    def calls_unstaffed(self) -> int:
        return self.calls - self.calls_staffed

    @property
    def staffed_hours(self) -> float:
        return self.staffed_s / 3600

    @property
    def per_hour(self) -> float | None:
        """Calls in staffed time per staffed hour; ``None`` without staffed time."""
        return self.calls_staffed / self.staffed_hours if self.staffed_s > 0 else None

    def __add__(self, other: SiteLoad) -> SiteLoad:
        return SiteLoad(
            self.staffed_s + other.staffed_s,
            self.shifts + other.shifts,
            self.calls + other.calls,
            self.calls_staffed + other.calls_staffed,
        )


@dataclass(frozen=True)
class HourWait:
    """Claimed calls opened in one hour of the week, and their median wait."""

    calls: int
    median_wait_s: float


@dataclass(frozen=True)
class HelpLoopFigures:
    """What the Usage tab shows of the help loop, for the chosen sites together."""

    load: SiteLoad
    by_site: dict[str, SiteLoad]
    wait_by_hour: dict[tuple[int, int], HourWait]  # (weekday 0 = Monday, local hour)
    outcomes: dict[str, int]  # OUTCOMES order; only those that occur
    topics: dict[str, int]  # most ticked first
    median_handling_s: float | None
    resolved: int  # calls resolved (the outcomes add up to it)

    @property
    def shifts_recorded(self) -> bool:
        return self.load.shifts > 0


# --- staffed time -------------------------------------------------------------------------------


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Overlapping or touching intervals merged; the result is sorted and disjoint."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def shift_end(started: datetime, ended: datetime | None, now: datetime) -> datetime:
    """When a shift stops counting: its check-out, or for one still open now, but at most
    :data:`OPEN_SHIFT_LIMIT` after the check-in (all naive UTC)."""
    if ended is not None:
        return ended
    return max(started, min(now, started + OPEN_SHIFT_LIMIT))


def staffed_intervals(
    connection: Connection, sites: Sequence[str], first: datetime, after: datetime, now: datetime
) -> tuple[dict[str, list[Interval]], Counter[str]]:
    """Per site: its staffed time in ``[first, after)`` as disjoint intervals, and how many
    shifts overlap it (naive UTC; ``now`` ends the shifts still open)."""
    rows = connection.execute(
        select(BuddyShiftRow.site, BuddyShiftRow.started, BuddyShiftRow.ended)
        .where(BuddyShiftRow.site.in_(sorted(set(sites))))
        .where(BuddyShiftRow.started < after)
        .where(BuddyShiftRow.started >= first - OPEN_SHIFT_LIMIT - timedelta(days=2))
    ).all()
    # Shifts that began more than two and a half days before the period are not read: no
    # permanence lasts that long, and the index range keeps the read to the period's shifts.
    per_site: dict[str, list[Interval]] = {}
    shifts: Counter[str] = Counter()
    for site, started, ended in rows:
        end = min(shift_end(started, ended, now), after)
        start = max(started, first)
        if end <= start:
            continue
        per_site.setdefault(site, []).append((start, end))
        shifts[site] += 1
    return {site: union(spans) for site, spans in per_site.items()}, shifts


def calls_within(connection: Connection, spans: dict[str, list[Interval]]) -> Counter[str]:
    """Per site, the calls opened inside its (disjoint) intervals: one join of the requests
    with the intervals as a VALUES list, in which the index on ``opened`` finds each span's
    few calls (the site goes through ``coalesce``: on the site's index the planner would read
    every call of the site for each span).

    Written for the driver, not built with SQLAlchemy: compiling a VALUES list costs ~80 µs a
    row (a year of 50 sites has ~15,000 spans), executing it ~5 µs. In lists of 40: SQLite
    measured 0.3 ms for 60 spans in one list but 11 ms for 250 (it then scans the requests)."""
    flat = [(site, a, b) for site, intervals in spans.items() for a, b in intervals]
    sqlite = connection.dialect.name == "sqlite"
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    counted: Counter[str] = Counter()
    for index in range(0, len(flat), _VALUES_CHUNK):
        chunk = flat[index : index + _VALUES_CHUNK]
        rows = ", ".join(f"({mark}, {mark}, {mark})" for _ in chunk)
        sql = (
            f"WITH spans(site, a, b) AS (VALUES {rows}) "  # noqa: S608 - marks only, no input
            "SELECT spans.site, count(*) FROM spans JOIN help_requests "
            "ON coalesce(help_requests.site, '') = spans.site "
            "AND help_requests.opened >= spans.a AND help_requests.opened < spans.b "
            "GROUP BY spans.site"
        )
        params: list[object] = []
        for site, a, b in chunk:
            # SQLite keeps times as the text SQLAlchemy writes; PostgreSQL takes datetimes.
            params += [site, _sqlite_time(a), _sqlite_time(b)] if sqlite else [site, a, b]
        for site, n in connection.exec_driver_sql(sql, tuple(params)):
            counted[str(site)] += int(n)
    return counted


def _sqlite_time(moment: datetime) -> str:
    return moment.isoformat(" ", "microseconds")


def site_loads(
    connection: Connection, sites: Sequence[str], usage: UsageFilter, now: datetime | None = None
) -> dict[str, SiteLoad]:
    """Per site (every one named, with or without shifts): staffed time, calls, calls while a
    buddy was on duty."""
    first, after = usage.period.utc_bounds(usage.zone)
    moment = _naive(now or datetime.now(UTC))
    spans, shifts = staffed_intervals(connection, sites, first, after, moment)
    calls = dict(
        connection.execute(
            select(HelpRequestRow.site, func.count())
            .where(HelpRequestRow.site.in_(sorted(set(sites))))
            .where(HelpRequestRow.opened >= first, HelpRequestRow.opened < after)
            .group_by(HelpRequestRow.site)
        ).all()
    )
    staffed = calls_within(connection, spans)
    return {
        site: SiteLoad(
            sum((b - a).total_seconds() for a, b in spans.get(site, [])),
            shifts[site],
            int(calls.get(site, 0)),
            staffed[site],
        )
        for site in sorted(set(sites))
    }


# --- outcomes and topics ------------------------------------------------------------------------


def split_topics(joined: str | None) -> list[str]:
    """The keys of a stored ``topics`` value (comma-joined), blanks and repeats dropped."""
    return list(dict.fromkeys(t.strip() for t in (joined or "").split(",") if t.strip()))


def outcomes_and_topics(
    connection: Connection, sites: Sequence[str], usage: UsageFilter
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Per site, the resolved calls of the period by outcome (:data:`NOT_SAID` without one)
    and the topics ticked on them (grouped in the database: a few distinct values)."""
    first, after = usage.period.utc_bounds(usage.zone)
    rows = connection.execute(
        select(HelpRequestRow.site, HelpRequestRow.outcome, HelpRequestRow.topics, func.count())
        .where(HelpRequestRow.site.in_(sorted(set(sites))))
        .where(HelpRequestRow.state == "resolved")
        .where(HelpRequestRow.opened >= first, HelpRequestRow.opened < after)
        .group_by(HelpRequestRow.site, HelpRequestRow.outcome, HelpRequestRow.topics)
    ).all()
    outcomes: dict[str, Counter[str]] = {}
    topics: dict[str, Counter[str]] = {}
    for site, outcome, joined, n in rows:
        outcomes.setdefault(site, Counter())[outcome or NOT_SAID] += int(n)
        for topic in split_topics(joined):
            topics.setdefault(site, Counter())[topic] += int(n)
    return (
        {site: dict(c) for site, c in outcomes.items()},
        {site: dict(c) for site, c in topics.items()},
    )


def ordered_outcomes(counts: dict[str, int]) -> dict[str, int]:
    """Outcomes in their fixed order (known ones, then any other stored value, then
    :data:`NOT_SAID`), those with no call left out."""
    known = [o for o in OUTCOMES if o != NOT_SAID]
    others = sorted(k for k in counts if k not in OUTCOMES)
    return {k: counts[k] for k in (*known, *others, NOT_SAID) if counts.get(k)}


# --- wait by hour of the week -------------------------------------------------------------------


def wait_by_hour(
    connection: Connection, sites: Sequence[str], usage: UsageFilter
) -> dict[tuple[int, int], HourWait]:
    """Claimed calls by (weekday, local hour) they were opened, with the median wait."""
    first, after = usage.period.utc_bounds(usage.zone)
    rows = connection.execute(
        select(HelpRequestRow.opened, HelpRequestRow.claimed)
        .where(HelpRequestRow.site.in_(sorted(set(sites))))
        .where(HelpRequestRow.opened >= first, HelpRequestRow.opened < after)
        .where(HelpRequestRow.claimed.is_not(None))
    )
    zone = usage.zone
    hours: dict[tuple[int, int, int, int], tuple[int, int]] = {}
    waits: dict[tuple[int, int], list[float]] = {}
    for opened, claimed in rows:
        if opened is None or claimed is None:
            continue  # the query asks for both; a typed guard
        key = (opened.year, opened.month, opened.day, opened.hour)
        cell = hours.get(key)
        if cell is None:
            when = opened.replace(tzinfo=UTC).astimezone(zone)
            cell = (when.weekday(), when.hour)
            offset = when.utcoffset()
            if offset is not None and not offset % timedelta(hours=1):
                hours[key] = cell  # the whole UTC hour falls in one local hour
        waits.setdefault(cell, []).append(max(0.0, (claimed - opened).total_seconds()))
    return {
        cell: HourWait(len(spans), float(median(spans))) for cell, spans in sorted(waits.items())
    }


# --- everything the Usage tab shows ------------------------------------------------------------


def pooled_handling(
    connection: Connection, sites: Sequence[str], usage: UsageFilter
) -> float | None:
    """The median time spent helping (claimed → resolved) over some sites together, from the
    handling times counted at ingest (10-second buckets: the middle of the bucket)."""
    buckets: Counter[int] = Counter()
    for _kind, key, n in rolled_up(connection, sorted(set(sites)), [HELP_HANDLING], usage.period):
        buckets[int(key)] += int(n)
    return median_of_buckets(buckets)


@without_gc_pauses
def help_loop_figures(
    engine: Engine, usage: UsageFilter, now: datetime | None = None
) -> HelpLoopFigures:
    """The help loop's figures for the filter's sites (all with calls or counts when none)."""
    with engine.connect() as connection:
        sites = help_sites(connection, usage.sites)
        loads = site_loads(connection, sites, usage, now)
        outcomes, topics = outcomes_and_topics(connection, sites, usage)
        hours = wait_by_hour(connection, sites, usage)
        handling = pooled_handling(connection, sites, usage)
    load = sum(loads.values(), SiteLoad())
    outcome_total: Counter[str] = Counter()
    for counts in outcomes.values():
        outcome_total.update(counts)
    topic_total: Counter[str] = Counter()
    for counts in topics.values():
        topic_total.update(counts)
    return HelpLoopFigures(
        load=load,
        by_site=loads,
        wait_by_hour=hours,
        outcomes=ordered_outcomes(dict(outcome_total)),
        topics=dict(sorted(topic_total.items(), key=lambda kv: (-kv[1], kv[0]))),
        median_handling_s=handling,
        resolved=sum(outcome_total.values()),
    )
