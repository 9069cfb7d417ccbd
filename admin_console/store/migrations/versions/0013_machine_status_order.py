"""the machines table keeps when each stored status was said, so that the newest one stays
(issue 21: two aggregators sharing the subscription stored statuses out of order)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 00:00:00

A kiosk's ``idle`` and its goodbye ``offline`` leave milliseconds apart; with two aggregators
sharing the subscription they are stored by different processes, and the last write won: the
benchmark of 1,000 bridged kiosks ended with 7 to 52 machines ``idle`` in the database whose last
word was ``offline``. Ingest now stores a status only if it was said at or after the stored one
(``INSERT … ON CONFLICT DO UPDATE … WHERE``), by ``said``: the status's own ``ts``, or, for the
will, which carries none, when the aggregator received it. Rows from before have no ``said``;
the next status replaces them, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("machines", sa.Column("said", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("machines", "said")
