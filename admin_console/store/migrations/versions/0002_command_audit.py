"""command audit log; help requests indexed by opening time

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "command_audit",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("batch", sa.String(length=36), nullable=False),
        sa.Column("sent", sa.DateTime(), nullable=False),
        sa.Column("admin", sa.String(length=64), nullable=False),
        sa.Column("cmd", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=80), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("machine", sa.String(length=32), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("acked", sa.DateTime(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("command_audit", schema=None) as batch_op:
        batch_op.create_index("ix_command_audit_sent", ["sent"], unique=False)
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.create_index("ix_help_opened", ["opened"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_help_opened")
    with op.batch_alter_table("command_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_command_audit_sent")
    op.drop_table("command_audit")
