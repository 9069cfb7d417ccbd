"""Migration 0010 counts back the lengths of visits stored before ingest counted them (issue 20,
the report's hours at a kiosk), on SQLite and PostgreSQL (``events`` partitioned since 0009).

A database at 0009 takes visits the old way (``event`` counted, no ``session_minutes``), then
the new way — the rest of a day that straddles the upgrade, a kiosk that was offline sending an
old day late, a batch delivered again — and is upgraded. Its counts and the report's hours must
be those of a database that took the same messages with today's ingest; upgrading again adds
nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine

from admin_console.ingest.batch import Inbound, Ingest
from admin_console.read import reports
from admin_console.read.usage import Period
from admin_console.store import rollups
from admin_console.store.database import open_database
from admin_console.store.orm import DailyCountRow, DailyTotalRow, MonthlyCountRow, MonthlyTotalRow
from kiosk.wire import protocol as p
from tests.integration.test_event_partitions import alembic

BRUSSELS = ZoneInfo("Europe/Brussels")
SITES = ("evere", "gent")
# Lengths at the edges of ingest's key: under a minute, a step's last second, four hours and
# the longest a kiosk may send.
LENGTHS = (0, 12.5, 59.9, 60, 299.9, 300, 899, 1800.5, 3599, 14399.9, 14400, 20000, 604800)
# Local times: just after midnight and just before it (another UTC day), and in between.
TIMES = ((0, 10), (9, 5), (11, 40), (14, 30), (23, 50))
FIRST = date(2026, 3, 26)  # to April 2nd: summer time starts on March 29th, a month ends
DAYS = 8
SPLIT = date(2026, 3, 31)  # the aggregator was upgraded at noon that day
OLD_RECEIVED = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)  # before the upgrade
NEW_RECEIVED = datetime(2026, 4, 3, 9, 0, tzinfo=UTC)  # after it
PERIOD = Period(date(2026, 3, 1), date(2026, 4, 30))

migration = importlib.import_module(
    "admin_console.store.migrations.versions.0010_session_minutes_backfill"
)


def visit(site: str, day: date, hour: int, minute: int, length: float) -> list[p.Event]:
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BRUSSELS)
    end = start + timedelta(seconds=min(length, 3600))  # the end's own day, as a kiosk sends it
    session = p.new_id()
    started = {"id": p.new_id(), "type": "session_started", "session": session, "lang": "nl"}
    ended: dict[str, object] = {"id": p.new_id(), "type": "session_ended", "session": session}
    ended.update(reason="user", duration_s=length)
    return [
        p.validate_event({**started, "ts": p.format_ts(start.astimezone(UTC))}),
        p.validate_event({**ended, "ts": p.format_ts(end.astimezone(UTC))}),
    ]


def message(site: str, events: list[p.Event], received: datetime) -> Inbound:
    body = p.encode_event_batch(site, "pc-1", events)
    return Inbound(f"kiosk/v1/{site}/pc-1/events", body, received)


def messages() -> tuple[list[Inbound], list[Inbound]]:
    """What the aggregator received before its upgrade, and after it."""
    before: list[Inbound] = []
    after: list[Inbound] = []
    n = 0
    for k in range(DAYS):
        day = FIRST + timedelta(days=k)
        for site in SITES:
            old: list[p.Event] = []
            new: list[p.Event] = []
            for hour, minute in TIMES:
                events = visit(site, day, hour, minute, LENGTHS[n % len(LENGTHS)])
                n += 1
                upgraded = day > SPLIT or (day == SPLIT and hour >= 12)
                (new if upgraded else old).extend(events)
            if old:
                before.append(message(site, old, OLD_RECEIVED))
            if new:
                after.append(message(site, new, NEW_RECEIVED))
    # A kiosk offline since March 28th sends that day late, with lengths the day's other
    # visits at gent do not have: the day is counted partly the old way, partly the new.
    late = [e for hour in (10, 16, 18) for e in visit("gent", date(2026, 3, 28), hour, 0, 7260)]
    after.append(message("gent", late, NEW_RECEIVED))
    # Months before and after, counted the new way: the migration reads only the days that lack
    # lengths (by the events' time).
    far = [
        e for day in (date(2025, 9, 5), date(2026, 9, 20)) for e in visit("evere", day, 10, 0, 900)
    ]
    after.append(message("evere", far, NEW_RECEIVED))
    after.append(message("evere", _events(before[0]), NEW_RECEIVED))
    return before, after


def _events(inbound: Inbound) -> list[p.Event]:
    """A message's events again (a redelivery after the upgrade: stored and counted once)."""
    topic = p.Topic.parse(inbound.topic)
    return list(p.decode_event_batch(topic, inbound.payload).events)


def counts(engine: Engine) -> dict[str, dict[Any, int]]:
    tables = {
        "daily": DailyCountRow,
        "monthly": MonthlyCountRow,
        "daily_totals": DailyTotalRow,
        "monthly_totals": MonthlyTotalRow,
    }
    out: dict[str, dict[Any, int]] = {}
    with engine.connect() as connection:
        for name, table in tables.items():
            columns = table.__table__.columns
            out[name] = {
                tuple(r[:-1]): int(r[-1]) for r in connection.execute(select(*columns)) if r[-1]
            }
    return out


def visit_hours(engine: Engine) -> reports.ReportTable:
    report = reports.build_report(
        engine, PERIOD, SITES, min_count=3, now=datetime(2026, 5, 2, tzinfo=UTC)
    )
    return next(t for t in report.tables if t.key == "visit_hours")


@pytest.fixture
def reference_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second database of the same kind, for the same messages through today's ingest."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'reference.db'}"
        return
    engine = create_engine(db_url, isolation_level="AUTOCOMMIT")
    name = f"{engine.url.database}_ref"
    with engine.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    yield engine.url.set(database=name).render_as_string(hide_password=False)
    with engine.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    engine.dispose()


def test_the_upgrade_counts_back_the_lengths_ingest_would_have_counted(
    db_url: str, reference_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, after = messages()
    reference = open_database(reference_url)
    try:
        for inbound in (*before, *after):
            Ingest(reference).handle([inbound])
        expected, expected_hours = counts(reference), visit_hours(reference)
    finally:
        reference.dispose()
    assert any(kind == "session_minutes" for _d, _s, kind, _k in expected["daily"])
    assert expected_hours.rows and expected_hours.rows[1][1][-1] not in ("0", reports.WITHHELD)

    engine = create_engine(db_url)
    try:
        alembic(engine, "upgrade", "0009")
        # The aggregator before it counted lengths: every count of today's but those.
        old_way = {
            event: tuple(c for c in kinds if c[0] != "session_minutes")
            for event, kinds in rollups._COUNTED_BY_TYPE.items()
        }
        with monkeypatch.context() as patched:
            patched.setattr(rollups, "_COUNTED_BY_TYPE", old_way)
            for inbound in before:
                Ingest(engine).handle([inbound])
        for inbound in after:
            result = Ingest(engine).handle([inbound])
        assert (result.events_new, result.events_duplicate) == (0, len(TIMES) * 2)
        stored = counts(engine)
        assert stored["daily"] != expected["daily"]  # lengths are missing before the upgrade
        assert visit_hours(engine) != expected_hours
    finally:
        engine.dispose()

    engine = open_database(db_url)  # migrates to the head
    try:
        assert counts(engine) == expected
        assert visit_hours(engine) == expected_hours
        # Again, after a downgrade: nothing more is added.
        alembic(engine, "downgrade", "0009")
        assert counts(engine) == expected
        alembic(engine, "upgrade", "head")
        assert counts(engine) == expected
        # And ingest goes on counting alike.
        extra = message("gent", visit("gent", date(2026, 4, 2), 15, 0, 1500), NEW_RECEIVED)
        Ingest(engine).handle([extra])
        reference = open_database(reference_url)
        Ingest(reference).handle([extra])
        assert counts(engine) == counts(reference)
        reference.dispose()
    finally:
        engine.dispose()


def test_a_database_without_visits_or_with_every_length_counted_is_left_alone(
    db_url: str,
) -> None:
    engine = create_engine(db_url)
    try:
        alembic(engine, "upgrade", "0009")
        alembic(engine, "upgrade", "head")
        assert counts(engine) == {
            k: {} for k in ("daily", "monthly", "daily_totals", "monthly_totals")
        }
        alembic(engine, "downgrade", "0009")
        Ingest(engine).handle(messages()[0])
        ingested = counts(engine)
        alembic(engine, "upgrade", "head")
        assert counts(engine) == ingested
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "zone", ["Europe/Brussels", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe"]
)
def test_the_offsets_give_every_moment_the_local_day_of_zoneinfo(zone: str) -> None:
    """The migration's pieces of UTC offsets, over two years, at every half hour and a second
    either side of each change: the same local day as ``rollups.local`` (ingest's)."""
    tz = ZoneInfo(zone)
    first, last = datetime(2025, 1, 1), datetime(2027, 1, 1)
    pieces = migration.offsets(tz, first, last)
    assert len(pieces) >= 3 if zone != "Asia/Kolkata" else len(pieces) == 1

    def day(moment: datetime) -> date:
        seconds = next(s for start, s in reversed(pieces) if start is None or moment >= start)
        return (moment + timedelta(seconds=seconds)).date()

    moments = [first + timedelta(minutes=30 * k) for k in range(2 * 366 * 48)]
    for start, _s in pieces[1:]:
        assert start is not None
        moments += [start - timedelta(seconds=1), start, start + timedelta(seconds=1)]
    for moment in moments:
        assert day(moment) == rollups.local(moment, tz).date(), moment
