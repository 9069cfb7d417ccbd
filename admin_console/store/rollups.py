"""Per-day and per-month counts kept at ingest, so dashboards stay fast and figures outlive raw
events.

Only events that were *newly* stored are counted (the insert returns their ids), so a batch
delivered twice counts once, also with several aggregators writing at the same time. Every count
goes to ``daily_counts`` and, in the same transaction, to ``monthly_counts`` (the same kinds and
keys, per month): a year reads twelve rows per key instead of ~310. Both are also summed over
every site (``daily_totals``, ``monthly_totals``): a view of all sites reads those, a fiftieth of
the rows with fifty sites. Help calls add their wait
(``help_wait``) and handling time (``help_handling``) in 10-second buckets and their final
state (``help_closed``), once each; and for the help loop's report at year scale (issue 16):
whether a buddy was checked in at the site when the call was opened (``help_opened``), the
outcome of a resolved call (``help_outcome``) and the topics ticked on it (``help_topic``); and
for the Usage tab's wait by hour of the week, the wait's 10-second bucket under the local
weekday and hour the call was opened (``help_wait_hour``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection, Dialect

from admin_console.store.orm import DailyCountRow, DailyTotalRow, MonthlyCountRow, MonthlyTotalRow
from kiosk.wire.protocol import SKILL_AREAS

Key = tuple[date, str, str, str]  # day, site, kind, key

DEFAULT_TIMEZONE = "Europe/Brussels"


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A stored naive-UTC time as local time at the sites."""
    return moment.replace(tzinfo=UTC).astimezone(zone)


_HOUR = timedelta(hours=1)


def _local_hours(zone: ZoneInfo) -> Callable[[datetime], tuple[date, str]]:
    """For a stored naive-UTC time: its local day and ``"weekday-hour"``, the same for every
    moment of a UTC hour where the zone is a whole number of hours from UTC (Brussels always
    is), so worked out once per hour; per moment elsewhere."""
    hours: dict[tuple[int, int, int, int], tuple[date, str]] = {}

    def day_and_hour(moment: datetime) -> tuple[date, str]:
        key = (moment.year, moment.month, moment.day, moment.hour)
        known = hours.get(key)
        if known is None:
            when = local(moment, zone)
            known = (when.date(), f"{when.weekday()}-{when.hour}")
            offset = when.utcoffset()
            if offset is None or offset % _HOUR:
                return known
            if len(hours) >= 10_000:
                hours.clear()
            hours[key] = known
        return known

    return day_and_hour


SESSION_STEP_MIN = 5  # the session_minutes count's resolution
SESSION_CAP_MIN = 240  # a longer visit (a kiosk left on) counts as 4 hours


def _five_minutes(data: Mapping[str, Any]) -> str:
    minutes = int(float(data.get("duration_s") or 0) // 60)
    return str(min(minutes - minutes % SESSION_STEP_MIN, SESSION_CAP_MIN))


@dataclass(frozen=True)
class Counted:
    """One count an event type feeds besides ``event`` (every event, by type): in ``kind``, under
    the key ``key(data, hour)`` — ``data`` the event's own fields, ``hour`` its local
    ``"weekday-hour"``. The read side (``admin_console/read/``) reads the counts by kind; a
    report table of a kind is one ``Section`` in ``admin_console/read/sections.py``. ``key``
    may give a tuple of keys, each counted: one event, several rows (the skills check's five
    areas)."""

    event: str
    kind: str
    key: Callable[[Mapping[str, Any], str], str | tuple[str, ...]]
    weight: str | None = None  # a whole-number field added instead of 1 (pages printed)


# What each event type adds to the counts, one declaration per count. A new counted event type
# is one line here (keys are cut to 80 characters when stored).
COUNTED: tuple[Counted, ...] = (
    Counted("session_started", "lang", lambda data, _hour: data["lang"]),
    Counted("session_started", "hour", lambda _data, hour: hour),
    # The length of a visit in 5-minute steps ("15": 15 to 20 minutes; "240": 4 hours or more):
    # the report's hours at a kiosk (issue 20), ~50 keys at most, never a visit's own time.
    Counted("session_ended", "session_minutes", lambda data, _hour: _five_minutes(data)),
    Counted("task_started", "task_started", lambda data, _hour: data["task"]),
    Counted("task_completed", "task_completed", lambda data, _hour: data["task"]),
    Counted(
        "task_abandoned", "task_abandoned", lambda data, _hour: f"{data['task']}#{data['step']}"
    ),
    Counted("site_opened", "site_opened", lambda data, _hour: data["site_key"]),
    Counted("help_requested", "help_requested", lambda data, _hour: data["task"] or "-"),
    # Printing (issue 19): pages, not jobs; per task ("-": outside a guided task) and by colour.
    Counted("printed", "printed_pages", lambda data, _hour: data["task"] or "-", "pages"),
    Counted(
        "printed",
        "printed_color",
        lambda data, _hour: "color" if data["color"] else "grey",
        "pages",
    ),
    # The skills check (issue 20): one count per area of the one event, "safety#with_help".
    Counted(
        "skills_checked",
        "skills_level",
        lambda data, _hour: tuple(f"{area}#{data[area]}" for area in SKILL_AREAS),
    ),
    # The faces: per guided task, "-" for the visit as a whole ("I'm done").
    Counted(
        "feedback", "task_feedback", lambda data, _hour: f"{data['task'] or '-'}#{data['face']}"
    ),
)
_COUNTED_BY_TYPE: dict[
    str,
    tuple[tuple[str, Callable[[Mapping[str, Any], str], str | tuple[str, ...]], str | None], ...],
] = {
    event: tuple((c.kind, c.key, c.weight) for c in COUNTED if c.event == event)
    for event in dict.fromkeys(c.event for c in COUNTED)
}


def counts_for(events: Iterable[Mapping[str, Any]], zone: ZoneInfo) -> Counter[Key]:
    """What each new event adds to the daily counts: ``event`` by type, and :data:`COUNTED`."""
    counts: Counter[Key] = Counter()
    day_and_hour = _local_hours(zone)
    counted = _COUNTED_BY_TYPE
    for event in events:
        day, hour = day_and_hour(event["ts"])
        site, kind, data = event["site"], event["type"], event["data"]
        counts[(day, site, "event", kind)] += 1
        for counted_kind, key, weight in counted.get(kind, ()):
            keys = key(data, hour)
            if type(keys) is str:
                counts[(day, site, counted_kind, keys)] += 1 if weight is None else data[weight]
            else:
                for one in keys:
                    counts[(day, site, counted_kind, one)] += 1 if weight is None else data[weight]
    return counts


# --- monthly rollup and help waits --------------------------------------------------------------

HELP_WAIT = "help_wait"  # key: the 10-second bucket of the wait from open to claim ("6": 60-70 s)
HELP_HANDLING = "help_handling"  # key: the 10-second bucket from claim to close (resolved calls)
HELP_CLOSED = "help_closed"  # key: the final state a kiosk or a buddy gave: resolved, cancelled
CLOSED_STATES = ("resolved", "cancelled")  # final, and never set by expiry
WAIT_BUCKET_S = 10  # the resolution of help wait medians (help_queries.BUCKET_S)
HELP_OPENED = "help_opened"  # key STAFFED or UNSTAFFED: a buddy on duty when it was opened?
STAFFED = "staffed"
UNSTAFFED = "unstaffed"
HELP_OUTCOME = "help_outcome"  # key: a resolved call's outcome, NOT_SAID without one
HELP_TOPIC = "help_topic"  # key: a topic ticked on a resolved call (each once)
NOT_SAID = "not said"  # a resolved call closed without an outcome (an older desk)
# key "weekday-hour#bucket" ("1-14#6": opened on a Tuesday 14:00-15:00 local time, claimed after
# 60-70 s): the help_wait buckets per local hour of the week the call was opened.
HELP_WAIT_HOUR = "help_wait_hour"
OPEN_SHIFT_LIMIT = timedelta(hours=12)  # a shift without a check-out counts this long at most


def split_topics(joined: str | None) -> list[str]:
    """The keys of a stored ``topics`` value (comma-joined), blanks and repeats dropped."""
    return list(dict.fromkeys(t.strip() for t in (joined or "").split(",") if t.strip()))


def on_duty(opened: datetime, shifts: Iterable[tuple[datetime, datetime | None]]) -> bool:
    """Whether one of a site's shifts ``(started, ended)`` (naive UTC, ``ended`` None while
    checked in) covers the moment a call was opened: from its check-in up to, not including,
    its check-out, and a shift without a check-out at most :data:`OPEN_SHIFT_LIMIT`."""
    for started, ended in shifts:
        if started <= opened and (
            opened < ended if ended is not None else opened < started + OPEN_SHIFT_LIMIT
        ):
            return True
    return False


def month_of(day: date) -> date:
    """The first day of a day's month: what ``monthly_counts.month`` holds."""
    return day.replace(day=1)


def wait_bucket(seconds: float) -> int:
    """The 10-second bucket of a span, as the read side computed it in SQL before the rollup:
    1 ms added before flooring (julianday arithmetic gave 179.99999 s for three minutes), and a
    negative span (clocks apart) in bucket 0."""
    return max(0, math.floor((seconds + 0.001) / WAIT_BUCKET_S))


def help_counts(
    site: str,
    state: str | None,
    opened: datetime | None,
    claimed: datetime | None,
    closed: datetime | None,
    zone: ZoneInfo,
    *,
    loop: bool = False,
    outcome: str | None = None,
    topics: str | None = None,
    staffed: bool | None = None,
) -> Counter[Key]:
    """What one help request contributes to the counts, on the local day it was opened.

    Once it is known when it was opened: its final state if a message set it (``resolved`` or
    ``cancelled``; ``expired`` is set by the aggregator's expiry, and open or claimed calls
    still change, so those are counted from the stored requests); the wait once it was also
    claimed; the handling time once it was claimed and resolved. All only grow as the request's
    messages arrive (its times are written once and a final state stays), so adding what a
    change adds counts each request exactly once, whatever order its messages come in and
    however often.

    The help loop's counts: ``staffed`` (None: not known, not counted) under
    :data:`HELP_OPENED`, and with ``loop`` (the migration 0003 counted without them) the wait
    once more under the local weekday and hour it was opened (:data:`HELP_WAIT_HOUR`), and for
    a resolved call its ``outcome`` and each of its ``topics`` (comma-joined, as stored). The
    outcome and topics are written once, with the resolved message that carried them; should
    a later one bring them to a call resolved without, the change takes one from ``not said``
    (the caller adds the difference, signed)."""
    counts: Counter[Key] = Counter()
    if opened is None:
        return counts
    when = local(opened, zone)
    day = when.date()
    if staffed is not None:
        counts[(day, site, HELP_OPENED, STAFFED if staffed else UNSTAFFED)] += 1
    if state in CLOSED_STATES:
        counts[(day, site, HELP_CLOSED, state)] += 1
    if loop and state == "resolved":
        counts[(day, site, HELP_OUTCOME, outcome or NOT_SAID)] += 1
        for topic in split_topics(topics):
            counts[(day, site, HELP_TOPIC, topic)] += 1
    if claimed is None:
        return counts
    wait = wait_bucket((claimed - opened).total_seconds())
    counts[(day, site, HELP_WAIT, str(wait))] += 1
    if loop:
        counts[(day, site, HELP_WAIT_HOUR, f"{when.weekday()}-{when.hour}#{wait}")] += 1
    if state == "resolved" and closed is not None:
        handling = wait_bucket((closed - claimed).total_seconds())
        counts[(day, site, HELP_HANDLING, str(handling))] += 1
    return counts


def add_counts(connection: Connection, counts: Mapping[Key, int], *, summed: bool = True) -> int:
    """Add to ``daily_counts`` and ``monthly_counts``, and to their sums over the sites
    (``daily_totals``, ``monthly_totals``), in the caller's transaction.

    On PostgreSQL rows go sorted, so that concurrent aggregators lock them in the same order
    (no deadlock); on SQLite, which locks the whole database, as they come. They go as
    multi-row upserts of at most 256 rows (:class:`_CountUpsert`). Returns how many daily
    rows were written. ``summed`` False: not the sums over the sites (a migration before the
    one that made their tables)."""
    # Keys as stored (80 characters): one row per stored key, as a multi-row upsert must not
    # touch a row twice (PostgreSQL refuses it).
    stored: Counter[Key] = Counter()
    for (day, site, kind, key), n in counts.items():
        if n:
            stored[(day, site, kind, key[:80])] += n
    if not stored:
        return 0
    # The month and both sums over the sites in one pass (a batch's keys share a few days).
    by_month: Counter[Key] = Counter()
    day_sums: Counter[tuple[str, date, str]] = Counter()
    month_sums: Counter[tuple[str, date, str]] = Counter()
    firsts: dict[date, date] = {}
    for (day, site, kind, key), n in stored.items():
        month = firsts.get(day)
        if month is None:
            month = firsts[day] = month_of(day)
        by_month[(month, site, kind, key)] += n
        day_sums[(kind, day, key)] += n
        month_sums[(kind, month, key)] += n
    dialect = connection.dialect
    # Sorted where rows are locked one by one (PostgreSQL); SQLite locks the whole database.
    order: Any = list if dialect.name == "sqlite" else sorted
    daily = [(*key, n) for key, n in order(stored.items())]
    months = [(*key, n) for key, n in order(by_month.items())]
    daily_totals = [(*key, n) for key, n in order(day_sums.items())]
    monthly_totals = [(*key, n) for key, n in order(month_sums.items())]
    for table, columns, rows in (
        (DailyCountRow.__table__, ("day", "site", "kind", "key"), daily),
        (MonthlyCountRow.__table__, ("month", "site", "kind", "key"), months),
        (DailyTotalRow.__table__, ("kind", "day", "key"), daily_totals if summed else []),
        (MonthlyTotalRow.__table__, ("kind", "month", "key"), monthly_totals if summed else []),
    ):
        if rows:
            _CountUpsert.of(dialect, table, columns).run(connection, rows)
    return len(daily)


class _CountUpsert:
    """``INSERT INTO table (columns, count) VALUES (…), (…), … ON CONFLICT (columns) DO UPDATE
    SET count = table.count + excluded.count`` for one count table, handed to the driver as SQL
    text and values converted by the dialect's own bind processors (as ``ingest._EventInsert``).

    The counts were the biggest single cost of storing one-event messages (~1,300 rows for 500
    messages): SQLAlchemy's per-row work for ``connection.execute(statement, rows)`` was about
    half of it, and SQLite takes a row of a multi-row statement in half the time of a row of
    an ``executemany``. On SQLite a batch's rows go in statements of 256, 128, … 1 rows (at most
    9 a table, each SQL text made and prepared once): 1,280 parameters at most, far below its
    limit. ``rows`` hold the values in the order ``columns`` + ``count``, unique."""

    PAGE = 256  # a power of two

    def __init__(self, dialect: Dialect, table: Any, columns: tuple[str, ...]) -> None:
        quote = dialect.identifier_preparer.quote
        names = (*columns, "count")
        marks = {"qmark": "?", "format": "%s", "pyformat": "%s"}
        mark = marks.get(dialect.paramstyle)
        if mark is None:
            raise ValueError(f"no multi-row upsert for the paramstyle {dialect.paramstyle}")
        name, count = quote(table.name), quote("count")
        # Names from the ORM's tables, quoted by the dialect; the values go as parameters.
        self._head = f"INSERT INTO {name} ({', '.join(quote(c) for c in names)}) VALUES "  # noqa: S608
        self._row = "(" + ", ".join([mark] * len(names)) + ")"
        self._tail = (
            f" ON CONFLICT ({', '.join(quote(c) for c in columns)})"
            f" DO UPDATE SET {count} = {name}.{count} + excluded.{count}"
        )
        self._sql: dict[int, str] = {}
        self._width = len(names)
        # Multi-row statements on SQLite; elsewhere the driver's executemany of one row: psycopg
        # parses a long statement's text anew at each execution (it caches only short ones),
        # which made multi-row upserts slower than SQLAlchemy's executemany on PostgreSQL.
        self._multirow = dialect.name == "sqlite"
        self._processors = [
            (i, processor)
            for i, column in enumerate(names)
            if (processor := table.c[column].type.dialect_impl(dialect).bind_processor(dialect))
        ]

    @classmethod
    def of(cls, dialect: Dialect, table: Any, columns: tuple[str, ...]) -> _CountUpsert:
        key = (dialect.name, dialect.driver, table.name)
        made = _COUNT_UPSERTS.get(key)
        if made is None:
            made = _COUNT_UPSERTS[key] = cls(dialect, table, columns)
        return made

    def _statement(self, rows: int) -> str:
        sql = self._sql.get(rows)
        if sql is None:
            sql = self._sql[rows] = self._head + ", ".join([self._row] * rows) + self._tail
        return sql

    def run(self, connection: Connection, rows: list[tuple[Any, ...]]) -> None:
        width = self._width
        params = list(chain.from_iterable(rows))
        for i, processor in self._processors:
            column = params[i::width]
            # A batch's rows share a few days: convert each once.
            done = {value: processor(value) for value in set(column)}
            params[i::width] = [done[value] for value in column]
        if not self._multirow:
            rows = [tuple(params[k : k + width]) for k in range(0, len(params), width)]
            connection.exec_driver_sql(self._statement(1), rows)  # executemany
            return
        start = 0
        while start < len(rows):
            size = min(self.PAGE, 1 << ((len(rows) - start).bit_length() - 1))
            page = tuple(params[start * width : (start + size) * width])
            connection.exec_driver_sql(self._statement(size), page)
            start += size


_COUNT_UPSERTS: dict[tuple[str, str, str], _CountUpsert] = {}
