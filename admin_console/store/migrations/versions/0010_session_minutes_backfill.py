"""visit lengths counted back: the ``session_minutes`` counts of visits stored before ingest kept
them (issue 20, the report's hours at a kiosk)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 21:00:00

Ingest counts each new ``session_ended`` event twice: ``event``/``session_ended`` (since the
first revision) and, since the version that brought the report's hours, ``session_minutes``
under its length in 5-minute steps (``rollups.COUNTED``), on the event's local day. Visits
stored before have the first count and not the second. The rollup tells how many of a day's
visits at a site lack their length: ``event``/``session_ended`` minus the sum of
``session_minutes`` (0 once counted, so running this again, or after ingest has counted, adds
nothing). Which ones: the oldest-received of that day and site, as the aggregator stored every
message it received before its upgrade with the old code and every later one with the new code
(a day that straddles the upgrade, or a kiosk that was offline, has both).

Set-based, in the database (a cached ten-million-event database goes through it): one pass over
the stored ``session_ended`` events of the days that lack lengths, their local day worked out
in SQL from the zone's UTC offsets (Python's zoneinfo, as ingest does), their key as ingest's
``_five_minutes``, added to ``daily_counts``, ``monthly_counts`` and the sums over the sites with
``INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE``. On PostgreSQL ``events`` is the
partitioned table of 0009; the statement reads it as one.

Visits whose raw events retention already removed cannot be counted back (their length was
kept nowhere else). Downgrading keeps the counts: they are the very rows ingest at 0009 writes
(same kind, same keys), which that code reads as its own and cannot be told apart from them;
upgrading again adds nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from admin_console.store.rollups import DEFAULT_TIMEZONE, SESSION_CAP_MIN, SESSION_STEP_MIN

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

KIND = "session_minutes"
MISSING = "backfill_0010_missing"  # temporary: (day, site, n) visits without their length
ADDED = "backfill_0010_added"  # temporary: (day, site, key, count) what is added


_EPOCH = datetime(1970, 1, 1)


def _offset(second: int, zone: ZoneInfo) -> int:
    """The zone's UTC offset in seconds at a moment given in seconds since 1970 (UTC)."""
    moment = (_EPOCH + timedelta(seconds=second)).replace(tzinfo=UTC)
    offset = moment.astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def offsets(zone: ZoneInfo, first: datetime, last: datetime) -> list[tuple[datetime | None, int]]:
    """The zone's UTC offset (seconds) from ``first`` to ``last`` (naive UTC), as ``(from,
    offset)`` pieces, the first ``from`` None: a day at a time, each change found to the second
    (offsets change at whole seconds, at most once a day)."""
    start, end = (int((t - _EPOCH).total_seconds()) for t in (first, last))
    pieces: list[tuple[datetime | None, int]] = [(None, _offset(start, zone))]
    moment = start
    while moment < end:
        step = min(moment + 86_400, end)
        now = _offset(step, zone)
        if now != pieces[-1][1]:
            low, high = moment, step  # the offset changes after low, at or before high
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(middle, zone) == now:
                    high = middle
                else:
                    low = middle
            pieces.append((_EPOCH + timedelta(seconds=high), now))
        moment = step
    return pieces


def _local_day(pieces: list[tuple[datetime | None, int]], postgresql: bool) -> str:
    """SQL for the local day of ``ts`` (naive UTC), a branch per piece of :func:`offsets`."""

    def shifted(seconds: int) -> str:
        if postgresql:
            return f"CAST(ts + interval '{seconds} seconds' AS date)"
        return f"date(ts, '{seconds:+d} seconds')"

    if len(pieces) == 1:
        return shifted(pieces[0][1])
    branches = []
    for (_start, seconds), (end, _next) in pairwise(pieces):
        assert end is not None
        moment = end.isoformat(" ", "microseconds")
        bound = f"TIMESTAMP '{moment}'" if postgresql else f"'{moment}'"
        branches.append(f"WHEN ts < {bound} THEN {shifted(seconds)}")
    return f"CASE {' '.join(branches)} ELSE {shifted(pieces[-1][1])} END"


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def upgrade() -> None:
    connection = op.get_bind()
    postgresql = connection.dialect.name == "postgresql"
    # The days and sites with visits that ended without their length counted.
    op.execute(
        f"CREATE TEMPORARY TABLE {MISSING} AS"  # noqa: S608 - fixed names
        " SELECT e.day AS day, e.site AS site, e.count - coalesce(c.n, 0) AS n"
        " FROM daily_counts e LEFT JOIN ("
        f"  SELECT day, site, sum(count) AS n FROM daily_counts WHERE kind = '{KIND}'"
        "   GROUP BY day, site"
        " ) c ON c.day = e.day AND c.site = e.site"
        " WHERE e.kind = 'event' AND e.key = 'session_ended' AND e.count > coalesce(c.n, 0)"
    )
    span = connection.execute(sa.text(f"SELECT min(day), max(day) FROM {MISSING}")).one()  # noqa: S608
    if span[0] is not None:
        _add(connection, _as_date(span[0]), _as_date(span[1]), postgresql)
    op.execute(f"DROP TABLE {MISSING}")


def _add(connection: sa.Connection, first: date, last: date, postgresql: bool) -> None:
    zone = ZoneInfo(DEFAULT_TIMEZONE)  # the aggregator's: ingest keeps its counts in it
    # Local days from first to last are UTC moments within a day either side.
    low = datetime(first.year, first.month, first.day) - timedelta(days=1)
    high = datetime(last.year, last.month, last.day) + timedelta(days=2)
    day = _local_day(offsets(zone, low, high), postgresql)
    if postgresql:
        duration = "CAST(data ->> 'duration_s' AS double precision)"
        whole = "CAST(floor(d / 60) AS bigint)"
        smaller, text = "LEAST", "varchar"
    else:
        duration = "json_extract(data, '$.duration_s')"
        whole = "CAST(d / 60.0 AS INTEGER)"  # d ≥ 0: truncation is the floor
        smaller, text = "min", "TEXT"
    # Ingest's key: int(float(d) // 60) whole minutes, down to a 5-minute step, at most 240
    # (rollups._five_minutes). Python floors the exact quotient; should d / 60 ever round up to
    # a whole number (none does from 0 to a week), the CASE takes it back one.
    minutes = "CASE WHEN m0 * 60 > d THEN m0 - 1 ELSE m0 END"
    key = (
        f"CAST({smaller}(m / {SESSION_STEP_MIN} * {SESSION_STEP_MIN}, {SESSION_CAP_MIN}) AS {text})"
    )
    # Only the events of the days that lack lengths (by ts: its index), unless those are most
    # of the stored events anyway (one pass over the table is then faster).
    stored = connection.execute(sa.text("SELECT min(ts), max(ts) FROM events")).one()
    where = ""
    params: dict[str, datetime] = {}
    if stored[0] is not None:
        oldest = stored[0] if isinstance(stored[0], datetime) else datetime.fromisoformat(stored[0])
        newest = stored[1] if isinstance(stored[1], datetime) else datetime.fromisoformat(stored[1])
        if (high - low) * 2 < newest - oldest:
            where, params = " AND ts >= :low AND ts < :high", {"low": low, "high": high}
    # Innermost: each stored end of a visit on a day that lacks lengths; then its place among
    # that day's and site's by reception (the first n are those not counted); then its key.
    select = sa.text(
        f"CREATE TEMPORARY TABLE {ADDED} AS"  # noqa: S608 - fixed names, computed numbers
        " SELECT day, site, key, count(*) AS count FROM ("
        f"  SELECT day, site, {key} AS key FROM ("
        f"   SELECT day, site, {minutes} AS m FROM ("
        f"    SELECT x.day AS day, x.site AS site, x.d AS d, {whole} AS m0,"
        "      row_number() OVER (PARTITION BY x.day, x.site ORDER BY x.received, x.id) AS k,"
        "      g.n AS n"
        f"    FROM (SELECT {day} AS day, site, coalesce({duration}, 0) AS d, received, id"
        f"          FROM events WHERE type = 'session_ended'{where}) x"
        f"    JOIN {MISSING} g ON g.day = x.day AND g.site = x.site"
        "   ) r WHERE k <= n"
        "  ) s"
        " ) v GROUP BY day, site, key"
    )
    if params:
        select = select.bindparams(
            sa.bindparam("low", type_=sa.DateTime()), sa.bindparam("high", type_=sa.DateTime())
        )
    connection.execute(select, params)
    month = (
        "CAST(date_trunc('month', day) AS date)" if postgresql else "date(day, 'start of month')"
    )
    # ``WHERE true``: SQLite reads ``ON CONFLICT`` after a bare ``FROM`` as part of a join.
    for table, columns, when, sites in (
        ("daily_counts", "day, site, kind, key", "day", "site, "),
        ("monthly_counts", "month, site, kind, key", month, "site, "),
        ("daily_totals", "kind, day, key", "day", ""),
        ("monthly_totals", "kind, month, key", month, ""),
    ):
        values = f"{when}, site, '{KIND}', key" if sites else f"'{KIND}', {when}, key"
        op.execute(
            f"INSERT INTO {table} ({columns}, count)"  # noqa: S608 - fixed names
            f" SELECT {values}, sum(count) FROM {ADDED} WHERE true"
            f" GROUP BY {when}, {sites}key"
            f" ON CONFLICT ({columns}) DO UPDATE SET count = {table}.count + excluded.count"
        )
    op.execute(f"DROP TABLE {ADDED}")


def downgrade() -> None:
    # The counts stay (see the docstring): 0009's ingest writes and reads the same rows.
    pass
