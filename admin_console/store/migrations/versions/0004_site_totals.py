"""the daily and monthly counts summed over every site, for views of all sites

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 13:00:00

Backfills ``daily_totals`` and ``monthly_totals`` from ``daily_counts`` and ``monthly_counts``
(the sums ingest keeps from now on), in one statement each.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table, when in (("daily_totals", "day"), ("monthly_totals", "month")):
        op.create_table(
            table,
            sa.Column("kind", sa.String(length=24), nullable=False),
            sa.Column(when, sa.Date(), nullable=False),
            sa.Column("key", sa.String(length=80), nullable=False),
            sa.Column("count", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint("kind", when, "key"),
            sqlite_with_rowid=False,
        )
        source = table.replace("totals", "counts")
        op.execute(
            f"INSERT INTO {table} (kind, {when}, key, count) "  # noqa: S608 - fixed names
            f"SELECT kind, {when}, key, sum(count) FROM {source} GROUP BY kind, {when}, key"
        )


def downgrade() -> None:
    op.drop_table("monthly_totals")
    op.drop_table("daily_totals")
