"""the help wait counted by local hour of the week (the Usage tab's wait by hour at year scale)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 22:00:00

Ingest counts, from this version, each claimed call's wait once more under the local weekday and
hour it was opened: ``help_wait_hour``, key ``"weekday-hour#bucket"`` (``"1-14#6"``: a Tuesday
14:00-15:00, 60-70 s), the 10-second bucket of ``help_wait`` (``rollups.help_counts``). The
Usage tab reads its wait by hour of the week from them (``read.help_loop.wait_by_hour``), no
longer a year of calls. This counts the claimed calls stored before, from the rows.

Set-based, in the database: one ``SELECT … GROUP BY`` over ``help_requests`` per site, minute of
opening (a minute lies in one local hour) and wait bucket, worked out in SQL as
``rollups.wait_bucket`` does in Python — 1 ms added before flooring, a negative wait in bucket
0 — from the wait in whole microseconds (PostgreSQL: ``extract(epoch …)``, exact; SQLite: the
whole seconds of ``strftime('%s')`` and the six digits of the stored fraction, as integers).
The groups (about one per call: ~90,000 for a year of fifty sites) go into the four count
tables through ``rollups.add_counts``, as the migrations 0003 and 0011 did. Python's floats in
``wait_bucket`` give the same bucket for every wait in whole milliseconds, as the protocol sends
times (checked from -5 s to 50 min), and for the 90,753 claimed calls of the benchmark's
database (microseconds); a wait to the microsecond on a bucket's edge could differ by one.

Calls whose rows retention already removed cannot be counted back. Downgrading removes the kind
(ingest at 0011 neither writes nor reads it).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from alembic import op

from admin_console.store.rollups import DEFAULT_TIMEZONE, Key, add_counts

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

KIND = "help_wait_hour"
BUCKET_US = 10_000_000  # rollups.WAIT_BUCKET_S, in microseconds
SLACK_US = 1_000  # the millisecond rollups.wait_bucket adds before flooring


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def upgrade() -> None:
    connection = op.get_bind()
    zone = ZoneInfo(DEFAULT_TIMEZONE)  # the aggregator's: ingest keeps its counts in it
    if connection.dialect.name == "postgresql":
        minute = "date_trunc('minute', opened)"
        wait_us = "round(extract(epoch FROM claimed - opened) * 1000000)::bigint"
    else:
        # Stored as text, 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy always writes the six digits).
        minute = "substr(opened, 1, 16)"
        # The whole seconds without the fraction: SQLite's date functions round it to the
        # millisecond (23:59:59.9999996 would be the next day's 00:00:00).
        wait_us = (
            "((CAST(strftime('%s', substr(claimed, 1, 19)) AS INTEGER)"
            " - CAST(strftime('%s', substr(opened, 1, 19)) AS INTEGER)) * 1000000"
            " + CAST(substr(claimed, 21, 6) AS INTEGER) - CAST(substr(opened, 21, 6) AS INTEGER))"
        )
    bucket = (
        f"CASE WHEN {wait_us} + {SLACK_US} < 0 THEN 0"
        f" ELSE ({wait_us} + {SLACK_US}) / {BUCKET_US} END"  # whole numbers: floor division
    )
    grouped = connection.exec_driver_sql(
        f"SELECT site, {minute}, {bucket}, count(*) FROM help_requests"  # noqa: S608 - numbers
        " WHERE opened IS NOT NULL AND claimed IS NOT NULL AND site IS NOT NULL"
        " GROUP BY 1, 2, 3"
    )
    counts: Counter[Key] = Counter()
    hours: dict[Any, tuple[Any, str]] = {}
    for site, when, wait, n in grouped:
        known = hours.get(when)
        if known is None:
            moment = _moment(when).replace(tzinfo=UTC).astimezone(zone)
            known = hours[when] = (moment.date(), f"{moment.weekday()}-{moment.hour}")
        day, hour = known
        counts[(day, site, KIND, f"{hour}#{int(wait)}")] += int(n)
    add_counts(connection, counts)


def downgrade() -> None:
    for table in ("daily_counts", "monthly_counts", "daily_totals", "monthly_totals"):
        op.execute(f"DELETE FROM {table} WHERE kind = '{KIND}'")  # noqa: S608 - fixed names
