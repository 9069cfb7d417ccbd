"""A realistic, anonymous demo dataset for the admin console, screenshots and benchmarks.

``generate(engine, *, sites, kiosks_per_site, days, seed=1, sessions_per_kiosk_day=8.6,
progress=None, now=None) -> dict`` fills an aggregator database (schema in place, no events
yet) with what ``days`` local days up to ``now`` would have left behind:

- ``events`` as the aggregator stores them (session start and end, guided tasks with their
  steps, completions and abandonments at a task's hard step, web sites opened, language and
  accessibility changes, help calls), only during opening hours (Monday to Saturday, some sites
  closed on Saturday), more in the late morning and early afternoon, more on Tuesdays and
  Thursdays; languages nl/fr/en/ar/tr/ro/pl/es in proportions that differ between Flemish,
  Brussels and Walloon sites; tasks from ``kiosk/tasks/builtin``;
- ``daily_counts`` and ``monthly_counts`` computed and written by :mod:`admin_console.store.rollups`
  (the aggregator's own rollup code: events, and help waits and handling times), ``visits``
  for every session, ``help_requests`` with waits of about 1 to 10 minutes (a few longer),
  handling times, cancellations and expiries, and ``machines`` with a last status for every
  kiosk (a few offline, one disk nearly full);
- ``buddy_shifts`` along each site's rota (Tuesday and Thursday afternoons, at some sites a
  Monday morning or a Wednesday afternoon; one to three buddies of a team of five, checking in
  and out a few minutes around it, now and then a forgotten check-out): a call claimed during
  a shift is claimed by a buddy on duty, any other by ``staff``; resolved calls carry an
  outcome (a few none: an older desk) and one or two topics that fit their task. These draw
  from a generator of their own, so a seed's events, visits and calls are what they were.

Sites get real Belgian municipality names (``schaerbeek``, ``gent``, …), kiosks ``pc-01``….
The same seed gives the same data. Rows go in with bulk inserts, a day at a time (PostgreSQL:
COPY). With the defaults, 50 sites × 10 kiosks × 365 days give about 10 million events.
``progress(days_done, days_total)`` is called after each day. The returned dict holds
``events``, ``sessions``, ``help_requests``, ``shifts``, ``daily_counts``, ``machines``,
``first_day``, ``last_day``, ``seconds`` and ``events_per_s``.
"""

from __future__ import annotations

import json
import time as clock
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection, Engine

from admin_console.demo.patterns import DayRows, Generator, builtin_tasks, site_names
from admin_console.store.orm import BuddyShiftRow, EventRow, HelpRequestRow, MachineRow, VisitRow
from admin_console.store.rollups import (
    DEFAULT_TIMEZONE,
    add_counts,
    counts_for,
    help_counts,
    on_duty,
)

__all__ = ["builtin_tasks", "generate", "site_names"]


# --- writing ------------------------------------------------------------------------------------


def _insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Bulk insert past SQLAlchemy's per-row processing (which costs more than SQLite itself)."""
    if not rows:
        return
    columns = list(table.columns)
    names = [column.name for column in columns]
    kinds = [type(column.type).__name__ for column in columns]
    if connection.dialect.name == "postgresql":
        _copy(connection, table.name, names, kinds, rows)
        return
    convert: list[Callable[[Any], Any]] = [
        _json if kind == "JSON" else _sqlite_time if kind == "DateTime" else _same for kind in kinds
    ]
    tuples = [tuple(c(row.get(n)) for c, n in zip(convert, names, strict=True)) for row in rows]
    marks = ", ".join("?" for _ in names)
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
    connection.exec_driver_sql(sql, tuples)


_EVENT_COLUMNS = ("id", "site", "machine", "type", "ts", "received", "session", "data")


def _insert_events(connection: Connection, events: list[dict[str, Any]]) -> None:
    """The hot path: millions of rows, so one tuple per event built by hand."""
    if connection.dialect.name == "postgresql":
        _insert(connection, _table(EventRow), events)
        return
    dumps = _json
    events = sorted(events, key=lambda e: e["id"])  # neighbours in the primary key's B-tree
    rows = [
        (
            e["id"],
            e["site"],
            e["machine"],
            e["type"],
            e["ts"].isoformat(" ", "microseconds"),
            e["received"].isoformat(" ", "microseconds"),
            e["session"],
            dumps(e["data"]),
        )
        for e in events
    ]
    sql = f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608 - fixed names
    connection.exec_driver_sql(sql, rows)


def _table(row_class: Any) -> Table:
    table = row_class.__table__
    assert isinstance(table, Table)
    return table


def _same(value: Any) -> Any:
    return value


_json: Callable[[Any], str] = json.JSONEncoder(separators=(",", ":")).encode


def _sqlite_time(value: datetime | None) -> str | None:
    # The text form SQLAlchemy itself stores, so comparisons in queries stay right.
    return None if value is None else value.isoformat(" ", "microseconds")


def _copy(
    connection: Connection, name: str, names: list[str], kinds: list[str], rows: list[Any]
) -> None:
    """COPY is several times faster than INSERT on PostgreSQL."""
    raw: Any = connection.connection.driver_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {name} ({', '.join(names)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    _json(row[n]) if k == "JSON" else row.get(n)
                    for n, k in zip(names, kinds, strict=True)
                ]
            )


def _big_cache(engine: Engine, on: bool) -> None:
    """Random ids land all over the primary key: give SQLite room to keep its pages in memory."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql(f"PRAGMA cache_size={-1_000_000 if on else -2000}")


def _fill(
    engine: Engine,
    gen: Generator,
    first: date,
    days: int,
    totals: Counter[str],
    progress: Callable[[int, int], None] | None,
) -> None:
    pending = DayRows()
    shifts: dict[str, list[tuple[datetime, datetime | None]]] = {}  # per site
    for n in range(days):
        rows = gen.day(first + timedelta(days=n))
        pending.events += rows.events
        pending.visits += rows.visits
        pending.help += rows.help
        pending.shifts += rows.shifts
        # One transaction for about 100,000 events: a commit costs more than a small insert.
        if len(pending.events) >= 100_000 or n == days - 1:
            with engine.begin() as connection:
                _insert_events(connection, pending.events)
                _insert(connection, _table(VisitRow), pending.visits)
                _insert(connection, _table(HelpRequestRow), pending.help)
                _insert(connection, _table(BuddyShiftRow), pending.shifts)
                # What the aggregator counts at ingest: events, and each call's wait, outcome,
                # topics and whether a buddy was on duty (this batch's shifts and the last's).
                counts = counts_for(pending.events, gen.zone)
                for s in pending.shifts:
                    shifts.setdefault(s["site"], []).append((s["started"], s["ended"]))
                for h in pending.help:
                    counts.update(
                        help_counts(
                            h["site"],
                            h["state"],
                            h["opened"],
                            h["claimed"],
                            h["closed"],
                            gen.zone,
                            loop=True,
                            outcome=h.get("outcome"),
                            topics=h.get("topics"),
                            staffed=on_duty(h["opened"], shifts.get(h["site"], ())),
                        )
                    )
                # A shift of days before cannot cover the next batch's calls (a forgotten
                # check-out counts 12 hours): keep the last three days' for it.
                keep = datetime.combine(first + timedelta(days=n - 3), datetime.min.time())
                shifts = {s: [x for x in spans if x[0] >= keep] for s, spans in shifts.items()}
                totals["daily_counts"] += add_counts(connection, counts)
            totals["events"] += len(pending.events)
            totals["sessions"] += len(pending.visits)
            totals["help_requests"] += len(pending.help)
            totals["shifts"] += len(pending.shifts)
            pending = DayRows()
        if progress is not None:
            progress(n + 1, days)


def generate(
    engine: Engine,
    *,
    sites: int,
    kiosks_per_site: int,
    days: int,
    seed: int = 1,
    sessions_per_kiosk_day: float = 8.6,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> dict[str, Any]:
    """Fill the database (see the module docstring); returns what was written and how fast."""
    if sites < 1 or kiosks_per_site < 1 or days < 1:
        raise ValueError("sites, kiosks per site and days must be at least 1")
    with engine.connect() as connection:
        if connection.execute(select(func.count()).select_from(EventRow)).scalar_one():
            raise ValueError("the database already holds events; generate into an empty one")
    zone = ZoneInfo(timezone)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    gen = Generator(
        sites=sites,
        kiosks_per_site=kiosks_per_site,
        seed=seed,
        sessions_per_kiosk_day=sessions_per_kiosk_day,
        zone=zone,
        now=moment,
    )
    last = moment.astimezone(zone).date()
    first = last - timedelta(days=days - 1)
    totals: Counter[str] = Counter()
    began = clock.perf_counter()
    _big_cache(engine, True)
    try:
        _fill(engine, gen, first, days, totals, progress)
    finally:
        _big_cache(engine, False)
    machines = gen.machine_rows()
    with engine.begin() as connection:
        _insert(connection, _table(MachineRow), machines)
    seconds = clock.perf_counter() - began
    return {
        **totals,
        "machines": len(machines),
        "sites": gen.sites,
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "seconds": round(seconds, 2),
        "events_per_s": round(totals["events"] / seconds) if seconds else 0,
    }
