"""two indexes for the read side: the days with counts, and the calls still open by time

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 05:00:00

- ``daily_totals (day)``: the read side asks for the first and the last day with any count
  (``usage_queries.data_days``), so that the days of a period's edge months that lie outside
  the data are not read from the daily counts. With this index that is two seeks.
- ``help_requests (state, opened)``: reports and the help views count the calls not counted at
  ingest (open, claimed, expired: a few in a hundred) by the time they were opened. Without it
  PostgreSQL chose the index on ``opened`` for a quarter and filtered out 98 % of the rows it
  read (11 ms on 10 M events, against 2 ms).
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_daily_totals_day", "daily_totals", ["day"])
    op.create_index("ix_help_state_opened", "help_requests", ["state", "opened"])


def downgrade() -> None:
    op.drop_index("ix_help_state_opened", table_name="help_requests")
    op.drop_index("ix_daily_totals_day", table_name="daily_totals")
