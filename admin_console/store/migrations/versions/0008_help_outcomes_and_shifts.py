"""help requests keep their outcome and topics; buddies' permanences (issue 16)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:20:00

A buddy closes a call with an outcome (solved, partly, referred, left) and topics from the
site's short list; check-in and check-out make a shift row, for the coordinator's buddy hours.
Rows from before have no outcome and no topics; reports count them as "not said".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("help_requests", sa.Column("outcome", sa.String(16), nullable=True))
    op.add_column("help_requests", sa.Column("topics", sa.String(600), nullable=True))
    op.create_table(
        "buddy_shifts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("site", sa.String(32), nullable=False),
        sa.Column("buddy", sa.String(40), nullable=False),
        sa.Column("started", sa.DateTime(), nullable=False),
        sa.Column("ended", sa.DateTime(), nullable=True),
        sa.Column("ended_by", sa.String(36), nullable=True),
    )
    op.create_index("ix_shifts_site_started", "buddy_shifts", ["site", "started"])


def downgrade() -> None:
    op.drop_index("ix_shifts_site_started", "buddy_shifts")
    op.drop_table("buddy_shifts")
    op.drop_column("help_requests", "topics")
    op.drop_column("help_requests", "outcome")
