"""Read side for help calls (no Qt): waits, handling times, the history, and today per site.

Help requests are stored in UTC with the times they were opened, claimed and closed. Waits and
handling times are counted at ingest, once per call, in 10-second buckets (kinds ``help_wait``
and ``help_handling`` of the daily and monthly counts, on the local day the call was opened:
:mod:`admin_console.store.rollups`), so that a year of calls reads a few thousand rows; medians and
the 90th percentile are those of the buckets (the middle of the bucket: exact to ±5 s). Calls that
a kiosk or buddy closed (resolved, cancelled) are counted the same way (``help_closed``); the
few that are open, claimed or expired are counted from the stored requests (by the index on
site and state). Call counts per day come from the daily counts (``help_requested`` events).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.engine import Connection, Engine

from admin_console.read.usage import (
    Period,
    UsageFilter,
    bucket_start,
    buckets,
    chosen_sites,
    counted_sites,
    daily_rows,
    rolled_up,
    sites_with_help,
)
from admin_console.store.gc_pause import without_gc_pauses
from admin_console.store.orm import DailyCountRow, HelpRequestRow
from admin_console.store.rollups import (
    CLOSED_STATES,
    DEFAULT_TIMEZONE,
    HELP_CLOSED,
    HELP_HANDLING,
    HELP_WAIT,
    WAIT_BUCKET_S,
)
from kiosk.wire.protocol import HELP_RANK

BUCKET_S = WAIT_BUCKET_S  # resolution of help wait medians
# States a call can still leave, or that the aggregator's expiry sets: read from the requests.
OPEN_STATES = tuple(state for state in HELP_RANK if state not in CLOSED_STATES)
ACTIVE_CALL_MAX_AGE = timedelta(hours=2)  # what the buddy desk still shows as waiting


@dataclass(frozen=True)
class HelpDay:
    day: date
    calls: int
    median_wait_s: float | None


@dataclass(frozen=True)
class HelpWaits:
    """Calls of a period: how many were answered and how long visitors waited."""

    calls: int
    answered: int
    median_wait_s: float | None
    p90_wait_s: float | None
    median_handling_s: float | None
    by_state: dict[str, int]
    histogram: list[tuple[str, int]]  # wait bands ("under 1 min", …) and how many calls


@dataclass(frozen=True)
class SiteToday:
    sessions: int = 0
    open_calls: int = 0
    median_wait_s: float | None = None


@dataclass(frozen=True)
class HelpRecord:
    request: str
    site: str
    machine: str
    state: str
    task: str | None
    step: int | None
    lang: str | None
    buddy: str | None
    opened: datetime | None
    wait_s: float | None
    handling_s: float | None
    claimed: datetime | None = None
    closed: datetime | None = None


@dataclass(frozen=True)
class SiteHelp:
    by_state: dict[str, int]
    answered: int
    median_wait_s: float | None


def _median_of_buckets(counts: Counter[int]) -> float | None:
    return _quantile_of_buckets(counts, 0.5)


def _quantile_of_buckets(counts: Counter[int], q: float) -> float | None:
    total = sum(counts.values())
    if total == 0:
        return None
    rank = q * (total - 1)
    seen = 0
    for bucket in sorted(counts):
        seen += counts[bucket]
        if seen > rank:
            return float(bucket * BUCKET_S + BUCKET_S / 2)
    return None  # pragma: no cover - the loop always returns


def _help_where(connection: Connection, usage: UsageFilter) -> list[ColumnElement[bool]]:
    first, after = usage.period.utc_bounds(usage.zone)
    where = [HelpRequestRow.opened >= first, HelpRequestRow.opened < after]
    if usage.sites:
        where.append(HelpRequestRow.site.in_(sorted(set(usage.sites))))
    return where


def help_sites(connection: Connection, sites: Iterable[str] = ()) -> list[str]:
    """The sites named, or every site with counts or help requests (index walks)."""
    if sites := sorted(set(sites)):
        return sites
    return sorted(sites_with_help(connection) | set(counted_sites(connection)))


def _states(connection: Connection, usage: UsageFilter) -> list[tuple[str, str, int]]:
    """``site, state, n`` of the period's calls: closed ones from their counts, the others (a
    few: open, claimed, expired) from the stored requests."""
    sites = help_sites(connection, usage.sites)
    rows = [
        (site, str(state), int(n))
        for site, _kind, state, n in rolled_up(
            connection, sites, [HELP_CLOSED], usage.period, by_site=True
        )
    ]
    return rows + open_states(connection, sites, usage)


def open_states(
    connection: Connection, sites: Sequence[str], usage: UsageFilter
) -> list[tuple[str, str, int]]:
    """``site, state, n`` of the period's calls not counted at ingest (open, claimed, expired:
    a few), from the stored requests."""
    first, after = usage.period.utc_bounds(usage.zone)
    others = connection.execute(
        select(HelpRequestRow.site, HelpRequestRow.state, func.count())
        .where(HelpRequestRow.site.in_(sites))
        .where(HelpRequestRow.state.in_(OPEN_STATES))
        .where(HelpRequestRow.opened >= first, HelpRequestRow.opened < after)
        .group_by(HelpRequestRow.site, HelpRequestRow.state)
    )
    return [(site, str(state), int(n)) for site, state, n in others]


@without_gc_pauses
def help_per_day(engine: Engine, usage: UsageFilter, unit: str = "day") -> list[HelpDay]:
    """Calls per local day (or week, month) and the median wait to a claim."""
    with engine.connect() as connection:
        calls: Counter[date] = Counter()
        for when, _kind, _key, n in daily_rows(
            connection, usage, ["event"], per_day=True, key="help_requested", unit=unit
        ):
            calls[bucket_start(when, unit)] += int(n)
        rows = daily_rows(connection, usage, [HELP_WAIT], per_day=True, unit=unit)
    waits: dict[date, Counter[int]] = {}
    for when, _kind, b, n in rows:
        start = bucket_start(when, unit)
        if start not in waits:
            waits[start] = Counter()
        waits[start][int(b)] += int(n)
    return [
        HelpDay(d, calls[d], _median_of_buckets(waits.get(d, Counter())))
        for d in buckets(usage.period, unit)
    ]


WAIT_BANDS: Sequence[tuple[str, float]] = (
    ("under 1 min", 60),
    ("1-2 min", 120),
    ("2-5 min", 300),
    ("5-10 min", 600),
    ("10-20 min", 1200),
    ("over 20 min", float("inf")),
)


def help_waits(engine: Engine, usage: UsageFilter) -> HelpWaits:
    """Calls of the period by state, median and 90th percentile wait, median handling time
    (medians and the percentile of 10-second buckets: the middle of the bucket)."""
    with engine.connect() as connection:
        states = _states(connection, usage)
        rows = daily_rows(connection, usage, [HELP_WAIT, HELP_HANDLING])
    by_state: Counter[str] = Counter()
    for _site, state, n in states:
        by_state[state] += n
    wait_buckets: Counter[int] = Counter()
    handling_buckets: Counter[int] = Counter()
    for kind, b, n in rows:
        (wait_buckets if kind == HELP_WAIT else handling_buckets)[int(b)] += int(n)
    bands: Counter[str] = Counter()
    for b, n in wait_buckets.items():
        seconds = b * BUCKET_S
        label = next(name for name, limit in WAIT_BANDS if seconds < limit)
        bands[label] += n
    return HelpWaits(
        calls=sum(by_state.values()),
        answered=sum(wait_buckets.values()),
        median_wait_s=_median_of_buckets(wait_buckets),
        p90_wait_s=_quantile_of_buckets(wait_buckets, 0.9),
        median_handling_s=_median_of_buckets(handling_buckets),
        by_state=dict(sorted(by_state.items())),
        histogram=[(name, bands[name]) for name, _ in WAIT_BANDS],
    )


def _span(a: datetime | None, b: datetime | None) -> float | None:
    return None if a is None or b is None else max(0.0, (b - a).total_seconds())


def _records(rows: Iterable[Any]) -> list[HelpRecord]:
    return [
        HelpRecord(
            r.id,
            r.site,
            r.machine,
            r.state,
            r.task,
            r.step,
            r.lang,
            r.buddy,
            r.opened,
            _span(r.opened, r.claimed),
            _span(r.claimed, r.closed) if r.state == "resolved" else None,
            r.claimed,
            r.closed,
        )
        for r in rows
    ]


def help_history(engine: Engine, usage: UsageFilter, limit: int = 200) -> list[HelpRecord]:
    """The newest calls of the period, with wait (to the claim) and handling (claim to close)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(HelpRequestRow)
            .where(*_help_where(connection, usage))
            .order_by(HelpRequestRow.opened.desc())
            .limit(limit)
        ).all()
    return _records(rows)


def recent_help(engine: Engine, since: datetime) -> list[HelpRecord]:
    """Every call opened after ``since`` (aware, or naive UTC), whatever its state: what the
    console's live queue falls back on when the broker does not let it hear the help topics."""
    first = since.astimezone(UTC).replace(tzinfo=None) if since.tzinfo else since
    with engine.connect() as connection:
        rows = connection.execute(
            select(HelpRequestRow)
            .where(HelpRequestRow.opened >= first)
            .order_by(HelpRequestRow.opened)
            .limit(5000)
        ).all()
    return _records(rows)


def today_by_site(
    engine: Engine, now: datetime | None = None, timezone: str = DEFAULT_TIMEZONE
) -> dict[str, SiteToday]:
    """Per site: sessions today, calls still open or claimed, median wait of today's calls."""
    zone = ZoneInfo(timezone)
    moment = now or datetime.now(UTC)
    today = moment.astimezone(zone).date()
    first, _after = Period(today, today).utc_bounds(zone)
    recent = moment.astimezone(UTC).replace(tzinfo=None) - ACTIVE_CALL_MAX_AGE
    with engine.connect() as connection:
        sessions = connection.execute(
            select(DailyCountRow.site, DailyCountRow.count).where(
                DailyCountRow.day == today,
                DailyCountRow.kind == "event",
                DailyCountRow.key == "session_started",
            )
        ).all()
        open_calls = connection.execute(
            select(HelpRequestRow.site, func.count())
            .where(HelpRequestRow.state.in_(["open", "claimed"]))
            .where(HelpRequestRow.opened >= recent)
            .group_by(HelpRequestRow.site)
        ).all()
        waits = connection.execute(
            select(HelpRequestRow.site, HelpRequestRow.opened, HelpRequestRow.claimed).where(
                HelpRequestRow.opened >= first, HelpRequestRow.claimed.is_not(None)
            )
        ).all()
    per_site: dict[str, dict[str, Any]] = {}
    for site, n in sessions:
        per_site.setdefault(site, {})["sessions"] = int(n)
    for site, n in open_calls:
        per_site.setdefault(site, {})["open_calls"] = int(n)
    spans: dict[str, list[float]] = {}
    for site, opened, claimed in waits:
        if opened is None or claimed is None:
            continue
        spans.setdefault(site, []).append(max(0.0, (claimed - opened).total_seconds()))
    for site, values in spans.items():
        per_site.setdefault(site, {})["median_wait_s"] = float(median(values))
    return {site: SiteToday(**values) for site, values in sorted(per_site.items())}


def site_medians(
    connection: Connection, sites: Iterable[str], kind: str, period: Period | None
) -> dict[str, tuple[int, float | None]]:
    """Per site: how many calls a kind of 10-second bucket counts (``help_wait``,
    ``help_handling``) has in a period (``None``: all time) and their median.

    The database adds up each site's buckets over the months and edge days of
    :func:`rolled_up` (~80 rows a site); the running sum is done here. A running sum in SQL
    (window functions, one row a site back) was measured slower on both databases: on 10 M
    events, a year for 50 sites took 44 ms on SQLite and 56 ms on PostgreSQL that way, against
    ~20 and ~25 ms for the grouped rows and this loop."""
    names = sorted(set(sites))
    if not names:
        return {}
    per_site: dict[str, Counter[int]] = {}
    for site, _kind, key, n in rolled_up(connection, names, (kind,), period, by_site=True):
        counted = per_site.get(site)
        if counted is None:
            counted = per_site[site] = Counter()
        bucket = int(key)
        counted[bucket] = counted.get(bucket, 0) + n
    result: dict[str, tuple[int, float | None]] = {}
    for site, counted in per_site.items():
        calls = sum(counted.values())
        if calls > 0:
            result[site] = (calls, _median_of_buckets(counted))
    return result


@without_gc_pauses
def help_by_site(engine: Engine, usage: UsageFilter) -> dict[str, SiteHelp]:
    """Per site: calls by state, how many were answered, and the median wait to a claim."""
    with engine.connect() as connection:
        states = _states(connection, usage)
        waits = site_medians(connection, chosen_sites(connection, usage), HELP_WAIT, usage.period)
    return site_help(states, waits)


def site_help(
    states: Iterable[tuple[str, str, int]], waits: dict[str, tuple[int, float | None]]
) -> dict[str, SiteHelp]:
    """:func:`help_by_site` from the calls by site and state and :func:`site_medians`."""
    by_state: dict[str, dict[str, int]] = {}
    for site, state, n in states:
        cell = by_state.setdefault(site, {})
        cell[state] = cell.get(state, 0) + n
    return {
        site: SiteHelp(
            dict(sorted(by_state.get(site, {}).items())),
            waits.get(site, (0, None))[0],
            waits.get(site, (0, None))[1],
        )
        for site in sorted(set(by_state) | set(waits))
    }
