"""the command log keeps why a kiosk refused a command, as a code the console translates

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:10:00

A kiosk's refusal text is English (it is data from another machine); the code
(``unsupported``, ``bad_args``: docs/protocol.md, command result) lets the console say why in
its own language. Rows from before keep no code and show the kiosk's text.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("command_audit", sa.Column("reason", sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column("command_audit", "reason")
