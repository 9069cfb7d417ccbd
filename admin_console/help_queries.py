"""Read side for help calls (no Qt): waits, handling times, the history, and today per site.

Help requests are stored in UTC with the times they were opened, claimed and closed. Waits are
aggregated in SQL into 10-second buckets, so that a year of calls travels as a few thousand
rows and medians are exact to ±5 s. Waits *per day* are grouped by their UTC day: the same day
as in Brussels for every call made between 02:00 and 22:00, i.e. during any opening hours.
Call counts per day come from the daily counts (``help_requested`` events).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, case, cast, func, select
from sqlalchemy.engine import Connection, Engine

from admin_console.orm import DailyCountRow, HelpRequestRow
from admin_console.rollups import DEFAULT_TIMEZONE
from admin_console.usage_queries import Period, UsageFilter, bucket_start, buckets, daily_rows

BUCKET_S = 10  # resolution of help wait medians
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


def _seconds(connection: Connection, start: Any, end: Any) -> ColumnElement[Any]:
    if connection.dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def _bucket(seconds: ColumnElement[Any]) -> ColumnElement[int]:
    # julianday() arithmetic gives 179.99999 for three minutes: nudge before flooring.
    return cast(func.floor((seconds + 0.001) / BUCKET_S), Integer)


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


def help_per_day(engine: Engine, usage: UsageFilter, unit: str = "day") -> list[HelpDay]:
    """Calls per local day (or week, month) and the median wait to a claim."""
    with engine.connect() as connection:
        calls: Counter[date] = Counter()
        for when, _kind, _key, n in daily_rows(
            connection, usage, ["event"], per_day=True, key="help_requested"
        ):
            calls[bucket_start(when, unit)] += int(n)
        wait = _seconds(connection, HelpRequestRow.opened, HelpRequestRow.claimed)
        bucket = _bucket(wait)
        day = func.date(HelpRequestRow.opened)
        rows = connection.execute(
            select(day, bucket, func.count())
            .where(*_help_where(connection, usage), HelpRequestRow.claimed.is_not(None))
            .group_by(day, bucket)
        ).all()
    waits: dict[date, Counter[int]] = {}
    for when, b, n in rows:
        key = when if isinstance(when, date) else date.fromisoformat(str(when))
        waits.setdefault(bucket_start(key, unit), Counter())[max(0, int(b))] += int(n)
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
    """Calls of the period by state, median and 90th percentile wait, median handling time.

    One pass over the period's calls: grouped by state, wait bucket and handling bucket."""
    with engine.connect() as connection:
        wait = _seconds(connection, HelpRequestRow.opened, HelpRequestRow.claimed)
        handling = _seconds(connection, HelpRequestRow.claimed, HelpRequestRow.closed)
        # CASE first: SQLAlchemy's floor() for SQLite is a Python function that fails on NULL.
        claimed, closed = HelpRequestRow.claimed.is_not(None), HelpRequestRow.closed.is_not(None)
        w = case((claimed, _bucket(wait)), else_=None).label("w")
        h = case((claimed & closed, _bucket(handling)), else_=None).label("h")
        rows = connection.execute(
            select(HelpRequestRow.state, w, h, func.count())
            .where(*_help_where(connection, usage))
            .group_by(HelpRequestRow.state, w, h)
        ).all()
    by_state: Counter[str] = Counter()
    wait_buckets: Counter[int] = Counter()
    handling_buckets: Counter[int] = Counter()
    for state, wb, hb, n in rows:
        by_state[str(state)] += int(n)
        if wb is not None:  # claimed: the visitor stopped waiting
            wait_buckets[max(0, int(wb))] += int(n)
        if hb is not None and state == "resolved":
            handling_buckets[max(0, int(hb))] += int(n)
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


def help_by_site(engine: Engine, usage: UsageFilter) -> dict[str, SiteHelp]:
    """Per site: calls by state, how many were answered, and the median wait to a claim."""
    with engine.connect() as connection:
        where = _help_where(connection, usage)
        states = connection.execute(
            select(HelpRequestRow.site, HelpRequestRow.state, func.count())
            .where(*where)
            .group_by(HelpRequestRow.site, HelpRequestRow.state)
        ).all()
        wait = _seconds(connection, HelpRequestRow.opened, HelpRequestRow.claimed)
        bucket = _bucket(wait)
        waits = connection.execute(
            select(HelpRequestRow.site, bucket, func.count())
            .where(*where, HelpRequestRow.claimed.is_not(None))
            .group_by(HelpRequestRow.site, bucket)
        ).all()
    by_state: dict[str, dict[str, int]] = {}
    for site, state, n in states:
        by_state.setdefault(site, {})[state] = int(n)
    buckets: dict[str, Counter[int]] = {}
    for site, b, n in waits:
        buckets.setdefault(site, Counter())[max(0, int(b))] += int(n)
    return {
        site: SiteHelp(
            dict(sorted(by_state.get(site, {}).items())),
            sum(buckets.get(site, Counter()).values()),
            _median_of_buckets(buckets.get(site, Counter())),
        )
        for site in sorted(set(by_state) | set(buckets))
    }
