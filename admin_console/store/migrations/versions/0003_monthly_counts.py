"""monthly counts beside the daily ones; help waits, handling times, final states counted

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:00:00

Backfills what ingest would have counted: ``monthly_counts`` from ``daily_counts``, and the
``help_wait`` / ``help_handling`` / ``help_closed`` counts (daily and monthly) from the stored
help requests, so that an existing database keeps its figures. Help requests that retention
already removed cannot be counted back: their waits were not kept before this revision.
"""

from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from admin_console.store.rollups import DEFAULT_TIMEZONE, Key, add_counts, help_counts

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_HELP = sa.table(
    "help_requests",
    sa.column("site", sa.String()),
    sa.column("state", sa.String()),
    sa.column("opened", sa.DateTime()),
    sa.column("claimed", sa.DateTime()),
    sa.column("closed", sa.DateTime()),
)


def upgrade() -> None:
    op.create_table(
        "monthly_counts",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("site", "kind", "month", "key"),
        sqlite_with_rowid=False,
    )
    connection = op.get_bind()
    month = (
        "CAST(date_trunc('month', day) AS date)"
        if connection.dialect.name == "postgresql"
        else "date(day, 'start of month')"
    )
    columns = f"{month}, site, kind, key"
    op.execute(
        f"INSERT INTO monthly_counts (month, site, kind, key, count) SELECT {columns}, sum(count) "  # noqa: S608 - fixed names
        f"FROM daily_counts GROUP BY {columns}"
    )
    # The aggregator's default time zone: the one the daily counts were kept in.
    zone = ZoneInfo(DEFAULT_TIMEZONE)
    counts: Counter[Key] = Counter()
    for r in connection.execute(sa.select(_HELP).where(_HELP.c.opened.is_not(None))):
        counts.update(help_counts(r.site, r.state, r.opened, r.claimed, r.closed, zone))
    # The same code as ingest: daily and monthly rows for each request's wait, handling, state
    # (the sums over the sites come with revision 0004, which backfills them).
    add_counts(connection, counts, summed=False)


def downgrade() -> None:
    op.execute(
        "DELETE FROM daily_counts WHERE kind IN ('help_wait', 'help_handling', 'help_closed')"
    )
    op.drop_table("monthly_counts")
