"""drop the index of the raw events by site and type: nothing reads it

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 06:00:00

Since the monthly counts and the sums over the sites (0003, 0004), every view and report reads
the counts kept at ingest; no query reads ``events`` by site. The index cost a B-tree insert
for every event stored: without it a batch of 500 events goes in faster (BENCHMARKS.md,
batched ingest), and the database is smaller. Retention and ``stats`` use ``ix_events_ts``.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_events_site_type", table_name="events")


def downgrade() -> None:
    op.create_index("ix_events_site_type", "events", ["site", "type"])
