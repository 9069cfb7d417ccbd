"""Read side of the help loop (issue 16), per site and period, without a single name (no Qt).

- **Staffed hours**: the union of the ``buddy_shifts`` intervals of a site (at least one buddy
  checked in), clipped to the period. A shift without a check-out counts until now, and never
  more than :data:`OPEN_SHIFT_LIMIT` after its check-in: a forgotten check-out does not staff
  the room for days.
- **Help calls per staffed hour**: the calls opened while a buddy was on duty, divided by the
  staffed hours. Calls opened outside the permanences are counted apart (the site's staff
  answer them, or nobody); a site without any shift in the period has no rate, never a
  division by zero (:attr:`SiteLoad.per_hour` is ``None``, ``SiteLoad.staffed_s`` is 0).
  The calls, staffed or not, are counted at ingest (``help_opened``; see :func:`site_loads`
  for where that count can differ from the calls inside the staffed intervals).
- **Wait by hour of the week**: per (weekday 0 = Monday, local hour) of the moment a call was
  opened, how many were claimed and the median wait (opened → claimed), from the waits counted
  at ingest in 10-second buckets under the local hour (``help_wait_hour``, in the aggregator's
  time zone, ``[fleet] timezone`` as the console's): see :func:`wait_by_hour`.
- **Outcomes** of the resolved calls (``protocol.HelpOutcome``; :data:`NOT_SAID` for a call
  closed without one) and the **topics** the buddies ticked (comma-joined keys), from the
  counts kept at ingest (``help_outcome``, ``help_topic``): a year reads the monthly counts,
  never the year's calls.
- **Time spent helping**: the median from claimed to resolved, from the handling times counted
  at ingest (10-second buckets, see :mod:`admin_console.read.help`).

Buddies' names are read by :mod:`admin_console.read.buddies` only (the coordinator's CSV).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection, Engine

from admin_console.read.help import _median_of_buckets as median_of_buckets
from admin_console.read.help import help_sites
from admin_console.read.usage import UsageFilter, rolled_up
from admin_console.store.gc_pause import without_gc_pauses
from admin_console.store.rollups import (
    HELP_HANDLING,
    HELP_OPENED,
    HELP_OUTCOME,
    HELP_TOPIC,
    HELP_WAIT_HOUR,
    NOT_SAID,
    OPEN_SHIFT_LIMIT,
    STAFFED,
    WAIT_BUCKET_S,
    split_topics,
)
from kiosk.wire.protocol import HelpOutcome

OUTCOMES: tuple[str, ...] = (*(str(o) for o in HelpOutcome), NOT_SAID)
# Kept in store.rollups (ingest counts with them); the read side's names for them too.
__all__ = [
    "NOT_SAID",
    "OPEN_SHIFT_LIMIT",
    "OUTCOMES",
    "HelpLoopFigures",
    "HourWait",
    "SiteLoad",
    "bucket_median",
    "help_loop_figures",
    "ordered_outcomes",
    "outcomes_and_topics",
    "outcomes_and_topics_of",
    "pooled_handling",
    "shift_end",
    "site_loads",
    "split_topics",
    "staffed_time",
    "union",
    "wait_by_hour",
]

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


_SHIFTS_SQL = (
    "SELECT site, started, ended FROM buddy_shifts WHERE site IN ({marks})"
    " AND started < {mark} AND started >= {mark} ORDER BY site, started"
)


def staffed_time(
    connection: Connection, sites: Sequence[str], first: datetime, after: datetime, now: datetime
) -> tuple[dict[str, timedelta], Counter[str]]:
    """Per site: its staffed time in ``[first, after)`` (the union of its shifts, clipped), and
    how many shifts overlap it (naive UTC; ``now`` ends the shifts still open, as
    :func:`shift_end`).

    A year of fifty sites is ~13,000 shifts: read through the driver in the order of the index
    on (site, started, ended) (no lookup in the table, no sort), SQLite's text parsed with
    ``datetime.fromisoformat`` (SQLAlchemy's ``DateTime`` took ~85 ms for them), and merged in
    one pass, as :func:`union` would: ~14 ms of CPU in all on SQLite. (Clipping them in SQL,
    with SQLite's ``max``, ``min`` and ``datetime`` on each row, took a millisecond more.)"""
    chosen = sorted(set(sites))
    staffed: dict[str, timedelta] = {}
    shifts: Counter[str] = Counter()
    if not chosen:
        return staffed, shifts
    sqlite = connection.dialect.name == "sqlite"
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = _SHIFTS_SQL.format(marks=", ".join([mark] * len(chosen)), mark=mark)
    # Shifts that began more than two and a half days before the period are not read: no
    # permanence lasts that long, and the index range keeps the read to the period's shifts.
    low = first - OPEN_SHIFT_LIMIT - timedelta(days=2)
    bounds = (_sqlite_time(after), _sqlite_time(low)) if sqlite else (after, low)
    rows = connection.exec_driver_sql(sql, (*chosen, *bounds)).all()
    parse = datetime.fromisoformat
    limit = OPEN_SHIFT_LIMIT
    site_now: str | None = None
    a = b = first  # the interval being merged (of site_now)
    for site, started, ended in rows:
        if sqlite:
            started = parse(started)
            ended = None if ended is None else parse(ended)
        if ended is None:
            ended = max(started, min(now, started + limit))  # shift_end
        end = ended if ended < after else after
        start = started if started > first else first
        if end <= start:
            continue
        shifts[site] += 1
        if site != site_now:
            if site_now is not None:
                staffed[site_now] += b - a
            site_now, a, b = site, start, end
            staffed[site] = timedelta()
        elif start <= b:  # the starts come in order: overlapping or touching, merged
            if end > b:
                b = end
        else:
            staffed[site] += b - a
            a, b = start, end
    if site_now is not None:
        staffed[site_now] += b - a
    return staffed, shifts


def _sqlite_time(moment: datetime) -> str:
    return moment.isoformat(" ", "microseconds")


def site_loads(
    connection: Connection, sites: Sequence[str], usage: UsageFilter, now: datetime | None = None
) -> dict[str, SiteLoad]:
    """Per site (every one named, with or without shifts): staffed time, calls, calls while a
    buddy was on duty.

    The staffed time is worked out from the shifts (it depends on ``now`` while a shift is
    open, and forgetting a buddy takes their shifts out). The calls come from the
    ``help_opened`` counts kept at ingest: each call was counted once, when its opening was
    stored, as staffed or not by the shifts stored then
    (:func:`admin_console.store.rollups.on_duty`: the rule of :func:`shift_end`). They can
    differ from the calls inside the staffed intervals worked out here:

    - a check-in stored after a call it covers (a kiosk's clock ahead of the aggregator's,
      or a check-in and a call in one batch: the calls go first) leaves that call unstaffed;
    - a check-out stored more than 12 hours after its check-in (a forgotten one, closed by the
      buddy's next check-out days later) staffs the whole interval here, while the calls in
      it after the 12th hour were counted unstaffed;
    - a call stays counted after retention removed its row, and after its buddy was
      forgotten (the forgotten shifts' calls stay staffed);
    - ingest looks at shifts begun up to two and a half days before the call, as this read
      does before the period; the migration 0011 looked at every shift.

    All are rare, and "calls opened while a buddy was known to be on duty" is what the figure
    means, so this is accepted: a week and the year it is part of agree, and a report of a
    year reads a few hundred counts instead of 185 joins of its intervals with a year of
    calls (1,044 ms on SQLite, 6,855 ms on PostgreSQL). For a period of any length the counts
    answer: an exact raw count would make a short period disagree with the month it is in."""
    first, after = usage.period.utc_bounds(usage.zone)
    moment = _naive(now or datetime.now(UTC))
    chosen = sorted(set(sites))
    staffed_s, shifts = staffed_time(connection, chosen, first, after, moment)
    calls: Counter[str] = Counter()
    staffed: Counter[str] = Counter()
    if chosen:
        for site, _kind, key, n in rolled_up(
            connection, chosen, [HELP_OPENED], usage.period, by_site=True
        ):
            calls[site] += int(n)
            if key == STAFFED:
                staffed[site] += int(n)
    return {
        site: SiteLoad(
            staffed_s[site].total_seconds() if site in staffed_s else 0.0,
            shifts[site],
            calls[site],
            staffed[site],
        )
        for site in chosen
    }


# --- outcomes and topics ------------------------------------------------------------------------


def outcomes_and_topics(
    connection: Connection, sites: Sequence[str], usage: UsageFilter
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Per site, the resolved calls of the period by outcome (:data:`NOT_SAID` without one)
    and the topics ticked on them, from the counts kept at ingest (``help_outcome``,
    ``help_topic``: the same as the stored calls, and outliving their retention)."""
    chosen = sorted(set(sites))
    if not chosen:
        return {}, {}
    return outcomes_and_topics_of(
        rolled_up(connection, chosen, [HELP_OUTCOME, HELP_TOPIC], usage.period, by_site=True)
    )


def outcomes_and_topics_of(
    counts: Iterable[tuple[Any, ...]],
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Outcomes and topics per site from counts ``(site, kind, key, n)`` of any kinds."""
    outcomes: dict[str, dict[str, int]] = {}
    topics: dict[str, dict[str, int]] = {}
    for site, kind, key, n in counts:
        if kind == HELP_OUTCOME:
            outcomes.setdefault(site, {})[str(key)] = int(n)
        elif kind == HELP_TOPIC:
            topics.setdefault(site, {})[str(key)] = int(n)
    return outcomes, topics


def ordered_outcomes(counts: dict[str, int]) -> dict[str, int]:
    """Outcomes in their fixed order (known ones, then any other stored value, then
    :data:`NOT_SAID`), those with no call left out."""
    known = [o for o in OUTCOMES if o != NOT_SAID]
    others = sorted(k for k in counts if k not in OUTCOMES)
    return {k: counts[k] for k in (*known, *others, NOT_SAID) if counts.get(k)}


# --- wait by hour of the week -------------------------------------------------------------------


def wait_by_hour(
    connection: Connection, sites: Sequence[str] | None, usage: UsageFilter
) -> dict[tuple[int, int], HourWait]:
    """Claimed calls by (weekday, local hour) they were opened, with the median wait; ``sites``
    ``None``: every site (the sums over the sites, a fiftieth of the rows).

    From the counts kept at ingest (``help_wait_hour``: the wait's 10-second bucket, as
    ``help_wait``, under the local weekday and hour of the opening), as the report's and the
    help desk's medians of the wait (``reports._wait_medians``, ``read.help.site_medians``)
    are read from the ``help_wait`` buckets: a year of fifty sites is ~30,000 counted rows
    instead of ~90,000 calls (SQLite: ~200 ms that way). The number of calls is exact; the
    median is :func:`bucket_median` of the cell's buckets, within 5 seconds (half a bucket) of
    the median of the exact waits that this read gave before (a negative wait, clocks apart,
    as 0 s). The hours are those of the aggregator's time zone, as every count's day."""
    chosen = None if sites is None else sorted(set(sites))
    if chosen is not None and not chosen:
        return {}
    cells: dict[tuple[int, int], Counter[int]] = {}
    for _kind, key, n in rolled_up(connection, chosen, [HELP_WAIT_HOUR], usage.period):
        hour, _, bucket = str(key).partition("#")
        weekday, _, local_hour = hour.partition("-")
        cell = (int(weekday), int(local_hour))
        counted = cells.get(cell)
        if counted is None:
            counted = cells[cell] = Counter()
        counted[int(bucket)] += int(n)
    waits: dict[tuple[int, int], HourWait] = {}
    for cell, counted in sorted(cells.items()):
        middle = bucket_median(counted)
        if middle is not None:
            waits[cell] = HourWait(sum(counted.values()), middle)
    return waits


def bucket_median(buckets: Mapping[int, int]) -> float | None:
    """The median of waits counted in 10-second buckets, each wait taken at the middle of its
    bucket, as ``statistics.median`` would give it: the mean of the two middle ones for an even
    number (``read.help``'s bucket medians take the lower one; a cell of the week often holds
    two calls, and the mean keeps it within half a bucket of the exact median). ``None``
    without any."""
    total = sum(n for n in buckets.values() if n > 0)
    if total == 0:
        return None
    low_rank, high_rank = (total - 1) // 2, total // 2
    seen, low = 0, 0
    for bucket in sorted(b for b, n in buckets.items() if n > 0):
        seen += buckets[bucket]
        if seen - buckets[bucket] <= low_rank < seen:
            low = bucket
        if seen > high_rank:
            return (low + bucket) / 2 * WAIT_BUCKET_S + WAIT_BUCKET_S / 2
    return None  # pragma: no cover - the loop always returns


# --- everything the Usage tab shows ------------------------------------------------------------


def pooled_handling(
    connection: Connection, sites: Sequence[str] | None, usage: UsageFilter
) -> float | None:
    """The median time spent helping (claimed → resolved) over some sites together, from the
    handling times counted at ingest (10-second buckets: the middle of the bucket); ``sites``
    ``None``: every site (the sums over the sites)."""
    chosen = None if sites is None else sorted(set(sites))
    buckets: Counter[int] = Counter()
    for _kind, key, n in rolled_up(connection, chosen, [HELP_HANDLING], usage.period):
        buckets[int(key)] += int(n)
    return median_of_buckets(buckets)


@without_gc_pauses
def help_loop_figures(
    engine: Engine, usage: UsageFilter, now: datetime | None = None
) -> HelpLoopFigures:
    """The help loop's figures for the filter's sites (all with calls or counts when none).

    For every site, the pooled figures (wait by hour, outcomes and topics, time spent helping)
    read the sums over the sites (a fiftieth of the rows); only the calls and staffed time are
    per site. A year of fifty sites on 10 M events, p95: SQLite 244 → 33-35 ms, PostgreSQL
    227 → 39-40 ms (``benchmarks/bench_queries.py``; the year's calls were read before)."""
    with engine.connect() as connection:
        sites = help_sites(connection, usage.sites)
        pooled = None if not usage.sites else sites  # None: the sums over every site
        loads = site_loads(connection, sites, usage, now)
        if pooled is None:
            summed = rolled_up(connection, None, [HELP_OUTCOME, HELP_TOPIC], usage.period)
            outcomes, topics = outcomes_and_topics_of(("*", *row) for row in summed)
        else:
            outcomes, topics = outcomes_and_topics(connection, sites, usage)
        hours = wait_by_hour(connection, pooled, usage)
        handling = pooled_handling(connection, pooled, usage)
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
