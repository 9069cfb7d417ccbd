"""Raw events by month on PostgreSQL: one partition per month, dropped whole by retention.

Since migration 0009, ``events`` on PostgreSQL is a table partitioned by range of ``ts`` (the
event's own time, as the kiosk wrote it): one table per calendar month (UTC) in the schema
``event_months`` (``event_months.m2026_12``), and ``event_months.other``, the default partition,
for events whose month has no table (a kiosk whose clock is years off). SQLite keeps one table.
Why native partitioning and not pg_partman, and what the primary key (id, ts) means for a
duplicate event: docs/decisions.md, "A year of raw events in PostgreSQL".

- :func:`keep_months` makes sure every month of the retention window and ``AHEAD`` months
  after the current one have their table; a month made later (its events were in ``other``)
  takes its rows out of ``other`` in the same transaction.
- :func:`expire` drops the tables of months wholly older than the retention limit (no row by
  row delete, no dead rows to vacuum), then deletes row by row only what is left older than the
  limit: in the limit's own month (what crossed the limit since the last pass: housekeeping
  runs every 30 s) and in ``other``. The promise
  "raw events are kept N days, no longer" holds to the second, as on SQLite.

The read side does not know: it reads ``events`` (``stats``: the oldest, the count) and the
counts kept at ingest, which are never partitioned and never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Connection

SCHEMA = "event_months"
DEFAULT = "other"  # the default partition
AHEAD = 2  # months made ahead of the current one
DEFAULT_KEEP_DAYS = 400  # admin-console serve --retention-days, default
_NAME = re.compile(r"^m(\d{4})_(\d{2})$")


def month_of(moment: date | datetime) -> date:
    return date(moment.year, moment.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def table_name(month: date) -> str:
    return f"m{month.year:04d}_{month.month:02d}"


def is_partitioned(connection: Connection) -> bool:
    """Whether ``events`` is the partitioned table (PostgreSQL after 0009)."""
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.exec_driver_sql(
        "SELECT relkind FROM pg_class WHERE oid = to_regclass('events')"
    ).scalar()
    return kind in ("p", b"p")


def months(connection: Connection) -> list[date]:
    """The months that have their own table, oldest first."""
    names = connection.exec_driver_sql(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = to_regclass('events')"
    ).scalars()
    found = []
    for name in names:
        if match := _NAME.match(str(name)):
            found.append(date(int(match[1]), int(match[2]), 1))
    return sorted(found)


def window(now: datetime, keep_days: int) -> list[date]:
    """The months that should have a table: from the retention limit's month to ``AHEAD``
    months after ``now``'s."""
    month = month_of(now - timedelta(days=keep_days))
    last = month_of(now)
    for _ in range(AHEAD):
        last = next_month(last)
    wanted = []
    while month <= last:
        wanted.append(month)
        month = next_month(month)
    return wanted


def _literal(moment: date) -> str:
    return f"'{moment.isoformat()}'"  # a date's own text: digits and dashes only


def add_month(connection: Connection, month: date) -> int:
    """Makes ``month``'s table and moves its events out of ``other``; returns how many moved.

    The table is made outside the partitioned table, filled, then attached: PostgreSQL refuses
    a new partition whose rows are still in the default one."""
    name = f"{SCHEMA}.{table_name(month)}"
    upper = next_month(month)
    connection.exec_driver_sql(f"CREATE TABLE {name} (LIKE events INCLUDING DEFAULTS)")
    moved = connection.exec_driver_sql(
        f"WITH moved AS (DELETE FROM {SCHEMA}.{DEFAULT} WHERE ts >= %s AND ts < %s RETURNING *)"  # noqa: S608
        f" INSERT INTO {name} SELECT * FROM moved",
        (datetime(month.year, month.month, 1), datetime(upper.year, upper.month, 1)),
    ).rowcount
    connection.exec_driver_sql(
        f"ALTER TABLE events ATTACH PARTITION {name}"
        f" FOR VALUES FROM ({_literal(month)}) TO ({_literal(upper)})"
    )
    return max(int(moved), 0)


def keep_months(connection: Connection, now: datetime, keep_days: int) -> list[date]:
    """Makes the tables of the window's months that have none; returns the months made."""
    have = set(months(connection))
    made = [month for month in window(now, keep_days) if month not in have]
    for month in made:
        add_month(connection, month)
    return made


@dataclass(frozen=True)
class Expired:
    dropped: list[date]  # months whose table was dropped whole
    rows: int  # events removed: in the dropped tables and row by row


def expire(connection: Connection, now: datetime, keep_days: int) -> Expired:
    """Retention on the partitioned table: whole months first, then the rest older than the
    limit, row by row; then the window's tables for the months to come. ``now`` naive UTC."""
    limit = now - timedelta(days=keep_days)
    dropped: list[date] = []
    rows = 0
    for month in months(connection):
        if datetime.combine(next_month(month), datetime.min.time()) > limit:
            continue
        name = f"{SCHEMA}.{table_name(month)}"
        rows += int(connection.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one())  # noqa: S608
        connection.exec_driver_sql(f"DROP TABLE {name}")
        dropped.append(month)
    deleted = connection.exec_driver_sql("DELETE FROM events WHERE ts < %s", (limit,))
    rows += max(int(deleted.rowcount), 0)
    keep_months(connection, now, keep_days)
    return Expired(dropped, rows)


__all__ = [
    "AHEAD",
    "DEFAULT",
    "DEFAULT_KEEP_DAYS",
    "SCHEMA",
    "Expired",
    "add_month",
    "expire",
    "is_partitioned",
    "keep_months",
    "month_of",
    "months",
    "next_month",
    "previous_month",
    "table_name",
    "window",
]
