"""Read side for the admin console's Usage tab and reports: sessions, tasks, languages (no Qt).

Every figure about events comes from the counts kept at ingest (:mod:`admin_console.store.rollups`):
``monthly_counts`` for the whole months inside a period and ``daily_counts`` (one row per local
day, site, kind and key) for the days at its edges and for per-day charts, so a view stays fast
over millions of events (a year reads ~12 rows per key and site, not ~310) and outlives the
retention of raw events. A view of every site reads the same counts summed over the sites
(``daily_totals``, ``monthly_totals``): a fiftieth of the rows with fifty sites. Days are local
days at the sites (Europe/Brussels). Help calls:
:mod:`admin_console.read.help`.

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

from sqlalchemy import Date, func, literal, select, text, type_coerce
from sqlalchemy.engine import Connection, Engine

from admin_console.store.orm import (
    DailyCountRow,
    DailyTotalRow,
    MachineRow,
    MonthlyCountRow,
    MonthlyTotalRow,
)
from admin_console.store.rollups import DEFAULT_TIMEZONE


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


def _sites_walk(table: str) -> Any:
    """The distinct sites of a table whose index starts with the site, one seek each (a
    "skip scan" that neither database makes of ``SELECT DISTINCT`` by itself)."""
    return text(
        f"""
        WITH RECURSIVE s(site) AS (
            SELECT MIN(site) FROM {table}
            UNION ALL
            SELECT (SELECT MIN(site) FROM {table} WHERE site > s.site) FROM s
            WHERE s.site IS NOT NULL
        )
        SELECT site FROM s WHERE site IS NOT NULL
        """  # noqa: S608 - a table name of ours, never input
    )


_SITES_SQL = _sites_walk("daily_counts")
_HELP_SITES_SQL = _sites_walk("help_requests")


def counted_sites(connection: Connection) -> list[str]:
    """Every site with counts (an index walk, not a scan of the counts)."""
    return sorted(set(connection.execute(_SITES_SQL).scalars()))


def sites_with_help(connection: Connection) -> set[str]:
    """Every site with stored help requests (an index walk)."""
    return set(connection.execute(_HELP_SITES_SQL).scalars())


def known_sites(engine: Engine) -> list[str]:
    """Every site with figures or machines (an index walk, not a scan of the counts)."""
    with engine.connect() as connection:
        counted = set(counted_sites(connection))
        machines = set(connection.execute(select(MachineRow.site).distinct()).scalars())
    return sorted(counted | machines)


def chosen_sites(connection: Connection, usage: UsageFilter) -> list[str]:
    # An explicit site list lets the indexes (they start with the site) serve every query.
    if usage.sites:
        return sorted(set(usage.sites))
    return counted_sites(connection)


def month_split(period: Period) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The whole months inside a period (the first days of the first and last of them) and the
    ranges of days left at its edges, which only the daily counts can answer."""
    start, end = period.start, period.end
    first_whole = (
        start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    )
    after = end + timedelta(days=1)
    after_whole = after.replace(day=1)  # the first day after the last whole month
    if first_whole >= after_whole:
        return None, [(start, end)]
    last_month = (after_whole - timedelta(days=1)).replace(day=1)
    edges = [(start, first_whole - timedelta(days=1))] if start < first_whole else []
    if after_whole <= end:
        edges.append((after_whole, end))
    return (first_whole, last_month), edges


def _month_end(first: date) -> date:
    return (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)


Days = tuple[date, date]  # a first and a last day, both included


def _clip(a: date, b: date, data: Days | None) -> Days | None:
    """The days from ``a`` to ``b`` that can hold counts (``data``: the first and last day with
    any; ``None``: all can), or ``None``."""
    if data is not None:
        a, b = max(a, data[0]), min(b, data[1])
    return (a, b) if a <= b else None


def _length(days: Days | None) -> int:
    return 0 if days is None else (days[1] - days[0]).days + 1


def rollup_plan(
    period: Period, data: Days | None = None
) -> tuple[Days | None, list[Days], list[Days]]:
    """How to add up a period from the counts: a range of months to read from the monthly
    counts, ranges of days to add from the daily counts and ranges of days to take off.

    Whole months come from the monthly counts. Of a month the period only partly covers, the
    days inside are added from the daily counts, unless the days outside are fewer: then the
    month's row minus those days. Days before the first or after the last day with any count
    (``data``, from :func:`data_days`) are not read: a period that ends today, or starts on the
    day the counts start, reads its edge months whole and no day at all. The months read are
    always one run (the partial months are next to the whole ones)."""
    months, edges = month_split(period)
    plus: list[Days] = []
    minus: list[Days] = []
    pieces: list[Days] = []
    for a, b in edges:  # one piece per month
        while a <= b:
            end = min(b, _month_end(a))
            pieces.append((a, end))
            a = end + timedelta(days=1)
    firsts = [] if months is None else list(months)
    for a, b in pieces:
        first, last = a.replace(day=1), _month_end(a)
        inside = _clip(a, b, data)
        if inside is None:
            continue  # no counts on these days
        outside = [
            days
            for days in (
                _clip(first, a - timedelta(days=1), data),
                _clip(b + timedelta(days=1), last, data),
            )
            if days is not None
        ]
        if sum(_length(days) for days in outside) < _length(inside):
            firsts.append(first)
            minus += outside
        else:
            plus.append(inside)
    return ((min(firsts), max(firsts)) if firsts else None), plus, minus


def data_days(connection: Connection) -> Days | None:
    """The first and the last day with any count, or ``None`` (two index seeks: ``min`` and
    ``max`` each in a subquery of its own, as SQLite uses an index for one alone)."""
    first, last = connection.execute(
        select(
            select(func.min(DailyTotalRow.day)).scalar_subquery(),
            select(func.max(DailyTotalRow.day)).scalar_subquery(),
        )
    ).one()
    if first is None or last is None:
        return None
    return first, last


def rolled_up(
    connection: Connection,
    sites: Iterable[str] | None,
    kinds: Iterable[str],
    period: Period | None,
    *,
    by_site: bool = False,
    key: str | None = None,
) -> list[tuple[Any, ...]]:
    """``(site,) kind, key, sum`` of some kinds of counts over a period (``None``: all time),
    from the monthly counts for whole months and the daily counts at its edges (see
    :func:`rollup_plan`).

    ``sites`` ``None``: every site; without ``by_site``, read from the sums over the sites
    (``daily_totals``, ``monthly_totals``), otherwise name the sites when you can (the indexes
    start with the site)."""
    kinds = sorted(set(kinds))
    totals: dict[tuple[Any, ...], int] = {}
    summed = sites is None and not by_site
    monthly: Any = MonthlyTotalRow if summed else MonthlyCountRow
    daily: Any = DailyTotalRow if summed else DailyCountRow
    parts: list[tuple[Any, Any, tuple[date, date] | None, int]] = []
    if period is None:
        parts.append((monthly, monthly.month, None, 1))
    else:
        months, plus, minus = rollup_plan(period, data_days(connection))
        if months is not None:
            parts.append((monthly, monthly.month, months, 1))
        parts += [(daily, daily.day, days, 1) for days in plus]
        parts += [(daily, daily.day, days, -1) for days in minus]
    for table, when, between, sign in parts:
        # One kind: not in the GROUP BY (a narrower sort key: half the time on SQLite).
        grouped: list[Any] = [table.key] if len(kinds) == 1 else [table.kind, table.key]
        if by_site:
            grouped.insert(0, table.site)
        statement = select(*grouped, func.sum(table.count))
        if len(kinds) == 1:
            statement = statement.where(table.kind == kinds[0])
        else:
            statement = statement.where(table.kind.in_(kinds))
        if sites is not None:
            statement = statement.where(table.site.in_(sorted(set(sites))))
        if between is not None:
            statement = statement.where(when.between(*between))
        if key is not None:
            statement = statement.where(table.key == key)
        rows = connection.execute(statement.group_by(*grouped)).all()
        if len(parts) == 1 and sign > 0:  # the usual case: the months alone, as they come
            return _as_counts(rows, kinds, by_site)
        if len(kinds) == 1:
            at = 1 if by_site else 0
            for row in rows:
                group = (*row[:at], kinds[0], *row[at:-1])
                totals[group] = totals.get(group, 0) + sign * int(row[-1])
        else:
            for *group_list, n in rows:
                group = tuple(group_list)
                totals[group] = totals.get(group, 0) + sign * int(n)
    return [(*group, n) for group, n in totals.items() if n]


def _as_counts(rows: Iterable[Any], kinds: list[str], by_site: bool) -> list[tuple[Any, ...]]:
    """Grouped rows as ``(site,) kind, key, n`` (the kind put back when only one was asked for,
    a sum of none dropped); unpacked by name: slicing ``Row`` objects cost ~4 µs a row."""
    if len(kinds) == 1:
        kind = kinds[0]
        if by_site:
            return [(site, kind, key, int(n)) for site, key, n in rows if n]
        return [(kind, key, int(n)) for key, n in rows if n]
    if by_site:
        return [(site, k, key, int(n)) for site, k, key, n in rows if n]
    return [(k, key, int(n)) for k, key, n in rows if n]


def _unit_start(connection: Connection, day: Any, unit: str) -> Any:
    """SQL for :func:`bucket_start`: the Monday of a day's week, the first of its month."""
    if unit == "day":
        return day
    if connection.dialect.name == "postgresql":
        return func.cast(func.date_trunc(unit, day), Date)
    if unit == "week":  # the Sunday ending the week (the day itself on a Sunday), less six days
        return type_coerce(func.date(day, literal("weekday 0"), literal("-6 days")), Date)
    return type_coerce(func.date(day, literal("start of month")), Date)


def daily_rows(
    connection: Connection,
    usage: UsageFilter,
    kinds: Iterable[str],
    *,
    per_day: bool = False,
    key: str | None = None,
    unit: str = "day",
) -> list[Any]:
    """``(day,) kind, key, sum`` of the counts of some kinds (and one key) in the filter.

    Per day (or per week or month, ``unit``: the first day stands for it) from the daily
    counts; otherwise from the monthly counts for the period's whole months and the daily
    counts for the days at its edges. Without a site filter, from the sums over the sites."""
    sites = sorted(set(usage.sites)) or None
    if not per_day:
        return rolled_up(connection, sites, kinds, usage.period, key=key)
    table: Any = DailyCountRow if sites else DailyTotalRow
    start = _unit_start(connection, table.day, unit).label("start")
    columns: list[Any] = [start, table.kind, table.key]
    statement = (
        select(*columns, func.sum(table.count))
        .where(table.kind.in_(sorted(set(kinds))))
        .where(table.day.between(usage.period.start, usage.period.end))
        .group_by(start, table.kind, table.key)
    )
    if sites:
        statement = statement.where(table.site.in_(sites))
    if key is not None:
        statement = statement.where(table.key == key)
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
        rows = daily_rows(
            connection, usage, ["event"], per_day=True, key="session_started", unit=unit
        )
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
    """``{site: {key: n}}`` for one kind of count (reports use it)."""
    with engine.connect() as connection:
        rows = rolled_up(
            connection, chosen_sites(connection, usage), [kind], usage.period, by_site=True
        )
    result: dict[str, dict[str, int]] = {}
    for site, _kind, key, n in rows:
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


def sessions_per_site_month(engine: Engine, usage: UsageFilter) -> dict[str, dict[date, int]]:
    """``{site: {first day of the month: sessions}}`` for the months that had any in the
    period (a month at its edge counts only its days inside it); reports use it."""
    totals: Counter[tuple[str, date]] = Counter()
    with engine.connect() as connection:
        months, plus, minus = rollup_plan(usage.period, data_days(connection))
        parts: list[tuple[Any, Any, tuple[date, date], int]] = [
            (DailyCountRow, DailyCountRow.day, days, 1) for days in plus
        ] + [(DailyCountRow, DailyCountRow.day, days, -1) for days in minus]
        if months is not None:
            parts.append((MonthlyCountRow, MonthlyCountRow.month, months, 1))
        sites = chosen_sites(connection, usage)
        for table, when, between, sign in parts:
            statement = (
                select(table.site, when, table.count)
                if table is MonthlyCountRow
                # Edge days lie in one month (rollup_plan): one sum per site is enough.
                else select(table.site, literal(between[0]), func.sum(table.count)).group_by(
                    table.site
                )
            )
            rows = connection.execute(
                statement.where(table.site.in_(sites))
                .where(table.kind == "event", table.key == "session_started")
                .where(when.between(*between))
            )
            for site, day, n in rows:
                totals[(site, day.replace(day=1))] += sign * int(n)
    result: dict[str, dict[date, int]] = {}
    for (site, first), n in sorted(totals.items()):
        if n:
            result.setdefault(site, {})[first] = n
    return result
