"""the help loop counted at ingest: calls opened with a buddy on duty, outcomes, topics (issue 16,
the report at year scale)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 21:30:00

Ingest counts, from this version, what the report's help loop needs over a year (the design rule:
year-scale reads go to the counts, never to raw tables): ``help_opened`` (key ``staffed`` or
``unstaffed``: whether a shift at the site covered the moment the call was opened),
``help_outcome`` (a resolved call's outcome, ``not said`` without one) and ``help_topic`` (each
topic ticked on a resolved call), on the call's local day (``rollups.help_counts``). This
counts the calls stored before, from the rows as they are now.

Set-based, in the database: two ``SELECT … GROUP BY`` over ``help_requests`` (per site and
minute of opening; a minute lies in one local day), the first with an ``EXISTS`` on
``buddy_shifts`` by its index (site, started) — a shift covers a call from its check-in up to,
not including, its check-out, and one without a check-out 12 hours at most, as the read side's
``shift_end`` — whose groups (~100,000 for a year of fifty sites) go into the four count tables
through ``rollups.add_counts``, as migration 0003 did. The comma-joined topics are split in
Python, over the grouped rows.

Calls whose rows retention already removed cannot be counted back. Downgrading removes the three
kinds (ingest at 0010 neither writes nor reads them).

The index of the shifts on (site, started) becomes one on (site, started, ended): the report's
staffed time reads a year of shifts (~13,000 for fifty sites) from the index alone, without a
lookup in the table per shift (SQLite: 10.5 → 7 ms).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from admin_console.store.rollups import DEFAULT_TIMEZONE, Key, add_counts

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

KINDS = ("help_opened", "help_outcome", "help_topic")
OPEN_SHIFT_HOURS = 12  # read.help_loop's OPEN_SHIFT_LIMIT, as it was at this revision


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _longest_shift_s(connection: sa.Connection) -> int:
    """The longest a shift counts (a check-out days later counts all of it), in whole seconds
    rounded up: no shift that started longer before a call can cover it."""
    longest = timedelta(hours=OPEN_SHIFT_HOURS)
    for started, ended in connection.exec_driver_sql("SELECT started, ended FROM buddy_shifts"):
        if ended is not None:
            longest = max(longest, _moment(ended) - _moment(started))
    return math.ceil(longest.total_seconds()) + 1


def upgrade() -> None:
    op.drop_index("ix_shifts_site_started", "buddy_shifts")
    op.create_index("ix_shifts_site_started_ended", "buddy_shifts", ["site", "started", "ended"])
    connection = op.get_bind()
    postgresql = connection.dialect.name == "postgresql"
    zone = ZoneInfo(DEFAULT_TIMEZONE)  # the aggregator's: ingest keeps its counts in it
    longest = _longest_shift_s(connection)
    if postgresql:
        minute = "date_trunc('minute', h.opened)"
        earliest = f"h.opened - interval '{longest} seconds'"
        open_end = f"s.started + interval '{OPEN_SHIFT_HOURS} hours'"
    else:
        # Times are stored as text, 'YYYY-MM-DD HH:MM:SS.ffffff': compared as text. datetime()
        # drops the fraction (the lower bound only gets looser); the open shift's end keeps it.
        minute = "substr(h.opened, 1, 16)"
        earliest = f"datetime(h.opened, '-{longest} seconds')"
        open_end = f"datetime(s.started, '+{OPEN_SHIFT_HOURS} hours') || substr(s.started, 20)"
    covered = (
        "EXISTS (SELECT 1 FROM buddy_shifts s WHERE s.site = h.site"  # noqa: S608 - numbers
        f" AND s.started <= h.opened AND s.started >= {earliest}"
        f" AND (s.ended > h.opened OR (s.ended IS NULL AND {open_end} > h.opened)))"
    )
    counts: Counter[Key] = Counter()
    days: dict[Any, date] = {}

    def day_of(value: Any) -> date:
        day = days.get(value)
        if day is None:
            moment = _moment(value).replace(tzinfo=UTC)
            day = days[value] = moment.astimezone(zone).date()
        return day

    opened = connection.exec_driver_sql(
        f"SELECT h.site, {minute}, CASE WHEN {covered} THEN 1 ELSE 0 END AS staffed,"  # noqa: S608
        " count(*) FROM help_requests h"
        " WHERE h.opened IS NOT NULL AND h.site IS NOT NULL GROUP BY 1, 2, 3"
    )
    for site, when, staffed, n in opened:
        key = "staffed" if staffed else "unstaffed"
        counts[(day_of(when), site, "help_opened", key)] += int(n)
    resolved = connection.exec_driver_sql(
        f"SELECT h.site, {minute}, h.outcome, h.topics, count(*) FROM help_requests h"  # noqa: S608
        " WHERE h.state = 'resolved' AND h.opened IS NOT NULL AND h.site IS NOT NULL"
        " GROUP BY 1, 2, 3, 4"
    )
    for site, when, outcome, topics, n in resolved:
        day = day_of(when)
        counts[(day, site, "help_outcome", outcome or "not said")] += int(n)
        joined = (t.strip() for t in (topics or "").split(","))
        for topic in dict.fromkeys(t for t in joined if t):
            counts[(day, site, "help_topic", topic)] += int(n)
    add_counts(connection, counts)


def downgrade() -> None:
    op.drop_index("ix_shifts_site_started_ended", "buddy_shifts")
    op.create_index("ix_shifts_site_started", "buddy_shifts", ["site", "started"])
    marks = ", ".join(f"'{kind}'" for kind in KINDS)
    for table in ("daily_counts", "monthly_counts", "daily_totals", "monthly_totals"):
        op.execute(f"DELETE FROM {table} WHERE kind IN ({marks})")  # noqa: S608 - fixed names
