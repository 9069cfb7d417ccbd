"""Read side for the admin console's Usage tab and reports: sessions, tasks, languages (no Qt).

Every figure about events comes from ``daily_counts`` (one row per local day, site, kind and
key), so a view stays fast over millions of events and outlives the retention of raw events.
Days are local days at the sites (Europe/Brussels). Help calls: :mod:`admin_console.help_queries`.

All functions take an :class:`~sqlalchemy.engine.Engine` and return dataclasses, lists and
dicts; an empty period gives empty results, never an error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection, Engine

from admin_console.orm import DailyCountRow, MachineRow
from admin_console.rollups import DEFAULT_TIMEZONE


class PeriodError(ValueError):
    """A date range that ends before it starts."""


@dataclass(frozen=True)
class Period:
    """Local days ``start`` to ``end``, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise PeriodError(f"{self.start.isoformat()} is after {self.end.isoformat()}")

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def utc_bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """Naive UTC times (as stored) of the first local midnight and the one after the end."""
        first = datetime.combine(self.start, time(), zone).astimezone(UTC)
        after = datetime.combine(self.end + timedelta(days=1), time(), zone).astimezone(UTC)
        return first.replace(tzinfo=None), after.replace(tzinfo=None)


@dataclass(frozen=True)
class UsageFilter:
    period: Period
    sites: tuple[str, ...] = ()  # empty: every site
    timezone: str = DEFAULT_TIMEZONE

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class TaskFunnel:
    task: str
    started: int = 0
    completed: int = 0
    abandoned: int = 0
    abandoned_at: dict[int, int] = field(default_factory=dict)  # 0-based step: how many gave up

    @property
    def give_up_step(self) -> int | None:
        """The step where most people gave up (0-based), if anyone did."""
        if not self.abandoned_at:
            return None
        return max(sorted(self.abandoned_at), key=lambda step: self.abandoned_at[step])


@dataclass(frozen=True)
class MachineRecord:
    site: str
    machine: str
    state: str
    last_seen: datetime  # naive UTC
    status: dict[str, Any]


# --- helpers ------------------------------------------------------------------------------------


_SITES_SQL = text(
    """
    WITH RECURSIVE s(site) AS (
        SELECT MIN(site) FROM daily_counts
        UNION ALL
        SELECT (SELECT MIN(site) FROM daily_counts WHERE site > s.site) FROM s
        WHERE s.site IS NOT NULL
    )
    SELECT site FROM s WHERE site IS NOT NULL
    """
)


def known_sites(engine: Engine) -> list[str]:
    """Every site with figures or machines (an index walk, not a scan of the counts)."""
    with engine.connect() as connection:
        counted = set(connection.execute(_SITES_SQL).scalars())
        machines = set(connection.execute(select(MachineRow.site).distinct()).scalars())
    return sorted(counted | machines)


def chosen_sites(connection: Connection, usage: UsageFilter) -> list[str]:
    # An explicit site list lets the (site, kind, day) index serve every query.
    if usage.sites:
        return sorted(set(usage.sites))
    return sorted(set(connection.execute(_SITES_SQL).scalars()))


def daily_rows(
    connection: Connection,
    usage: UsageFilter,
    kinds: Iterable[str],
    *,
    per_day: bool = False,
    key: str | None = None,
) -> list[Any]:
    """``(day,) kind, key, sum`` of the daily counts of some kinds (and one key) in the filter."""
    columns: list[Any] = [DailyCountRow.kind, DailyCountRow.key]
    if per_day:
        columns.insert(0, DailyCountRow.day)
    statement = (
        select(*columns, func.sum(DailyCountRow.count))
        .where(DailyCountRow.site.in_(chosen_sites(connection, usage)))
        .where(DailyCountRow.kind.in_(list(kinds)))
        .where(DailyCountRow.day.between(usage.period.start, usage.period.end))
        .group_by(*columns)
    )
    if key is not None:
        statement = statement.where(DailyCountRow.key == key)
    return list(connection.execute(statement))


# --- event figures (daily counts) ---------------------------------------------------------------


def unit_for(period: Period) -> str:
    """How to group a period for a chart: days up to six weeks, then weeks, then months."""
    length = (period.end - period.start).days + 1
    return "day" if length <= 45 else "week" if length <= 400 else "month"


def bucket_start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def buckets(period: Period, unit: str) -> list[date]:
    return sorted({bucket_start(day, unit) for day in period.days()})


def sessions_per_day(
    engine: Engine, usage: UsageFilter, unit: str = "day"
) -> list[tuple[date, int]]:
    """Sessions per day (or per week or month: the first day stands for it), 0 included."""
    with engine.connect() as connection:
        rows = daily_rows(connection, usage, ["event"], per_day=True, key="session_started")
    per_bucket: Counter[date] = Counter()
    for day, _kind, key, n in rows:
        if key == "session_started":
            per_bucket[bucket_start(day, unit)] += int(n)
    return [(start, per_bucket[start]) for start in buckets(usage.period, unit)]


def visits_by_hour(engine: Engine, usage: UsageFilter) -> dict[tuple[int, int], int]:
    """Sessions started by (weekday 0 = Monday, local hour)."""
    with engine.connect() as connection:
        rows = daily_rows(connection, usage, ["hour"])
    result: Counter[tuple[int, int]] = Counter()
    for _kind, key, n in rows:
        weekday, hour = (int(part) for part in str(key).split("-"))
        result[(weekday, hour)] += int(n)
    return dict(result)


def languages(engine: Engine, usage: UsageFilter) -> dict[str, int]:
    """Sessions by the language they started in, most used first."""
    with engine.connect() as connection:
        rows = daily_rows(connection, usage, ["lang"])
    counts = Counter({str(key): int(n) for _kind, key, n in rows})
    return dict(counts.most_common())


def task_funnels(engine: Engine, usage: UsageFilter) -> list[TaskFunnel]:
    """Per guided task: started, completed, abandoned and where; most started first."""
    with engine.connect() as connection:
        rows = daily_rows(connection, usage, ["task_started", "task_completed", "task_abandoned"])
    started: Counter[str] = Counter()
    completed: Counter[str] = Counter()
    at: dict[str, Counter[int]] = {}
    for kind, key, n in rows:
        if kind == "task_started":
            started[key] += int(n)
        elif kind == "task_completed":
            completed[key] += int(n)
        else:
            task, _, step = str(key).rpartition("#")
            at.setdefault(task, Counter())[int(step)] += int(n)
    tasks = set(started) | set(completed) | set(at)
    funnels = [
        TaskFunnel(
            task,
            started[task],
            completed[task],
            sum(at.get(task, Counter()).values()),
            dict(sorted(at.get(task, Counter()).items())),
        )
        for task in tasks
    ]
    return sorted(funnels, key=lambda f: (-f.started, f.task))


def event_totals(engine: Engine, usage: UsageFilter) -> dict[str, int]:
    """Events of the period by type."""
    with engine.connect() as connection:
        rows = daily_rows(connection, usage, ["event"])
    return {str(key): int(n) for _kind, key, n in rows}


def sites_opened(engine: Engine, usage: UsageFilter) -> dict[str, int]:
    """Which allowed web sites visitors opened (site keys, never URLs)."""
    with engine.connect() as connection:
        rows = daily_rows(connection, usage, ["site_opened"])
    return dict(Counter({str(key): int(n) for _kind, key, n in rows}).most_common())


def per_site_counts(engine: Engine, usage: UsageFilter, kind: str) -> dict[str, dict[str, int]]:
    """``{site: {key: n}}`` for one kind of daily count (reports use it)."""
    with engine.connect() as connection:
        statement = (
            select(DailyCountRow.site, DailyCountRow.key, func.sum(DailyCountRow.count))
            .where(DailyCountRow.site.in_(chosen_sites(connection, usage)))
            .where(DailyCountRow.kind == kind)
            .where(DailyCountRow.day.between(usage.period.start, usage.period.end))
            .group_by(DailyCountRow.site, DailyCountRow.key)
        )
        rows = connection.execute(statement).all()
    result: dict[str, dict[str, int]] = {}
    for site, key, n in rows:
        result.setdefault(site, {})[key] = int(n)
    return result


def machines(engine: Engine) -> list[MachineRecord]:
    """The last status every kiosk sent, as the aggregator stored it."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(MachineRow).order_by(MachineRow.site, MachineRow.machine)
        ).all()
    return [
        MachineRecord(r.site, r.machine, r.state, r.last_seen, dict(r.status or {})) for r in rows
    ]


def sessions_per_site_day(engine: Engine, usage: UsageFilter) -> dict[str, dict[date, int]]:
    """``{site: {day: sessions}}`` for the days that had any."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(DailyCountRow.site, DailyCountRow.day, DailyCountRow.count)
            .where(DailyCountRow.site.in_(chosen_sites(connection, usage)))
            .where(DailyCountRow.kind == "event", DailyCountRow.key == "session_started")
            .where(DailyCountRow.day.between(usage.period.start, usage.period.end))
        ).all()
    result: dict[str, dict[date, int]] = {}
    for site, day, n in rows:
        result.setdefault(site, {})[day] = int(n)
    return result
