"""raw events by month on PostgreSQL: a partitioned table, one partition per month (issue 21)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 18:00:00

PostgreSQL only (SQLite keeps its one table): ``events`` becomes a table partitioned by range
of ``ts``, one table per month in the schema ``event_months`` and the default partition
``event_months.other``. Its primary key is (id, ts): a partitioned table's unique keys must
hold the partition key (docs/decisions.md says what that means for a duplicate event id).

An existing database keeps every event: the old table is renamed, a table is made for each
month that has events (found by hopping the ``ts`` index, not by reading every row) and for
each month of the default retention window (400 days) and the two months ahead; the rows are
copied, then the primary key and the index are built (faster than filling indexed tables), and
the old table is dropped. One transaction: a failure leaves the database as it was. Months
more than 20 years before or 1 year after the migration's day get no table: their events (a
kiosk clock far off) go to ``other``. ``admin-console serve`` keeps the months' tables from
then on (admin_console/store/partitions.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCHEMA = "event_months"


def _next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _months_with_events() -> list[date]:
    """The distinct months of ``ts``, one index seek per month (a loose index scan)."""
    rows = op.get_bind().exec_driver_sql(
        "WITH RECURSIVE m(month) AS ("
        " SELECT date_trunc('month', min(ts)) FROM events_unpartitioned"
        " UNION ALL"
        " SELECT (SELECT date_trunc('month', min(ts)) FROM events_unpartitioned"
        "         WHERE ts >= m.month + interval '1 month')"
        " FROM m WHERE m.month IS NOT NULL)"
        " SELECT month FROM m WHERE month IS NOT NULL"
    )
    return [date(r[0].year, r[0].month, 1) for r in rows]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    now = datetime.now(UTC).replace(tzinfo=None)
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    op.execute("ALTER TABLE events RENAME TO events_unpartitioned")
    op.execute("ALTER TABLE events_unpartitioned RENAME CONSTRAINT events_pkey TO events_old_pkey")
    op.execute("ALTER INDEX ix_events_ts RENAME TO ix_events_old_ts")
    op.execute(
        "CREATE TABLE events (LIKE events_unpartitioned INCLUDING DEFAULTS) PARTITION BY RANGE (ts)"
    )
    op.execute(f"CREATE TABLE {SCHEMA}.other PARTITION OF events DEFAULT")
    first, last = date(now.year - 20, 1, 1), date(now.year + 1, now.month, 1)
    wanted = {m for m in _months_with_events() if first <= m <= last}
    oldest = now - timedelta(days=400)
    month, end = date(oldest.year, oldest.month, 1), date(now.year, now.month, 1)
    end = _next(_next(end))
    while month <= end:  # the 400 days' window and two months ahead
        wanted.add(month)
        month = _next(month)
    for month in sorted(wanted):
        op.execute(
            f"CREATE TABLE {SCHEMA}.m{month.year:04d}_{month.month:02d} PARTITION OF events"
            f" FOR VALUES FROM ('{month.isoformat()}') TO ('{_next(month).isoformat()}')"
        )
    op.execute("INSERT INTO events SELECT * FROM events_unpartitioned")
    op.execute("DROP TABLE events_unpartitioned")
    op.execute("ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (id, ts)")
    op.execute("CREATE INDEX ix_events_ts ON events (ts)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE events RENAME TO events_partitioned")
    op.execute("ALTER TABLE events_partitioned RENAME CONSTRAINT events_pkey TO events_part_pkey")
    op.execute("ALTER INDEX ix_events_ts RENAME TO ix_events_part_ts")
    op.execute("CREATE TABLE events (LIKE events_partitioned INCLUDING DEFAULTS)")
    op.execute("ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (id)")
    # The same id at two times is two rows here and one there: the earliest stays.
    op.execute(
        "INSERT INTO events SELECT * FROM events_partitioned ORDER BY ts"
        " ON CONFLICT (id) DO NOTHING"
    )
    op.execute("DROP TABLE events_partitioned CASCADE")
    op.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
    op.execute("CREATE INDEX ix_events_ts ON events (ts)")
