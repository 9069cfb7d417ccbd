"""Raw events by month on PostgreSQL (issue 21): the migration converts a database with its
events, retention drops whole months and keeps the counts, a duplicate is still one event,
and SQLite keeps its one table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

from admin_console.ingest.batch import Inbound, Ingest
from admin_console.read.stats import collect_stats
from admin_console.store import partitions
from admin_console.store.database import MIGRATIONS, open_database
from kiosk.wire import protocol as p


def alembic(engine: Engine, action: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def event(kind: str, ts: datetime, **fields: object) -> p.Event:
    raw = {"id": p.new_id(), "type": kind, "ts": p.format_ts(ts), "session": p.new_id()}
    raw.update(fields)
    return p.validate_event(raw)


def batch(site: str, machine: str, *events: p.Event) -> Inbound:
    body = p.encode_event_batch(site, machine, list(events))
    return Inbound(f"kiosk/v1/{site}/{machine}/events", body, datetime.now(UTC), False)


def where(connection: Connection) -> dict[str, str]:
    """Each event's id and the table that holds it."""
    rows = connection.execute(text("SELECT id, tableoid::regclass::text FROM events"))
    return {str(r[0]): str(r[1]) for r in rows}


def at(year: int, month: int, day: int = 15, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Engine]:
    engine = open_database(postgres_url)
    yield engine
    engine.dispose()


def test_an_existing_database_is_converted_with_every_event(postgres_url: str) -> None:
    """A database at 0008 with events over fourteen months, one from a kiosk whose clock says
    1999 and one from 2031: after 0009 every event is there once, each in its month's table
    (the far ones in ``other``), the figures are the same, and a redelivered old event is a
    duplicate. Downgrading gives one table again with the same events."""
    engine = create_engine(postgres_url)
    alembic(engine, "upgrade", "0008")
    # Old events go in as the 0008 aggregator stored them (its ON CONFLICT (id) no longer
    # matches a key after 0009, which is the point).
    months = [at(2025, 11) + timedelta(days=31 * k) for k in range(14)]
    old = [event("session_started", ts, lang="nl") for ts in months for _ in range(3)]
    stray = [event("session_started", at(1999, 1), lang="fr")]
    stray.append(event("session_started", at(2031, 6), lang="fr"))
    with engine.begin() as connection:
        for e in old + stray:
            connection.execute(
                text(
                    "INSERT INTO events (id, site, machine, type, ts, received, session, data)"
                    " VALUES (:id, 'evere', 'pc-1', :type, :ts, :ts, :session, :data)"
                ),
                {
                    "id": e.id,
                    "type": e.type,
                    "ts": e.ts.replace(tzinfo=None),
                    "session": e.session,
                    "data": json.dumps({"lang": e.data.get("lang")}),
                },
            )
        before = {(str(r[0]), r[1]) for r in connection.execute(text("SELECT id, ts FROM events"))}
    assert len(before) == 44
    engine.dispose()

    engine = open_database(postgres_url)  # migrates to the head: 0009
    try:
        with engine.connect() as connection:
            assert partitions.is_partitioned(connection)
            after = {
                (str(r[0]), r[1]) for r in connection.execute(text("SELECT id, ts FROM events"))
            }
            held = where(connection)
            made = partitions.months(connection)
        assert after == before
        for e in old:
            assert held[e.id] == f"event_months.{partitions.table_name(partitions.month_of(e.ts))}"
        assert held[stray[0].id] == held[stray[1].id] == "event_months.other"
        assert {partitions.month_of(ts) for ts in months} <= set(made)
        # The months of the default retention window and two ahead have their table.
        assert set(partitions.window(datetime.now(UTC).replace(tzinfo=None), 400)) <= set(made)
        again = Ingest(engine).handle([batch("evere", "pc-1", old[0], stray[1])])
        assert (again.events_new, again.events_duplicate) == (0, 2)
        fresh = Ingest(engine).handle(
            [batch("evere", "pc-1", event("task_started", at(2026, 3), task="gmail-create"))]
        )
        assert fresh.events_new == 1
        with engine.connect() as connection:
            assert len(where(connection)) == 45
    finally:
        engine.dispose()

    engine = create_engine(postgres_url)
    try:
        alembic(engine, "downgrade", "0008")
        with engine.connect() as connection:
            assert not partitions.is_partitioned(connection)
            assert len(where(connection)) == 45
            assert (
                connection.execute(
                    text("SELECT count(*) FROM pg_namespace WHERE nspname = 'event_months'")
                ).scalar_one()
                == 0
            )
        alembic(engine, "upgrade", "head")
        with engine.connect() as connection:
            assert partitions.is_partitioned(connection) and len(where(connection)) == 45
    finally:
        engine.dispose()


def test_retention_drops_whole_months_and_keeps_the_counts(pg: Engine) -> None:
    """Four hundred days back from 2027-03-08 12:00 is 2026-02-01 12:00: January's table goes whole,
    February 1st's morning goes row by row, the rest stays; every count stays; March to May
    2027 get their tables."""
    ingest = Ingest(pg)
    kept_out = [event("session_started", at(2026, 1, d), lang="nl") for d in (2, 20, 31)]
    morning = event("session_started", at(2026, 2, 1, 9), lang="nl")
    afternoon = event("session_started", at(2026, 2, 1, 15), lang="nl")
    later = [event("session_started", at(2026, m), lang="fr") for m in range(3, 13)]
    ingest.handle([batch("evere", "pc-1", *kept_out, morning, afternoon, *later)])
    before = collect_stats(pg)
    assert before["raw_events"] == before["events_total"] == 15

    gone = ingest.expire_raw(keep_days=400, now=datetime(2027, 3, 8, 12, tzinfo=UTC))

    assert gone == 4
    after = collect_stats(pg)
    assert after["events_total"] == 15 and after["sites"]["evere"]["sessions"] == 15
    with pg.connect() as connection:
        held = where(connection)
        made = partitions.months(connection)
    assert set(held) == {afternoon.id, *(e.id for e in later)}
    assert date(2026, 1, 1) not in made and date(2026, 2, 1) in made
    assert {date(2027, 3, 1), date(2027, 4, 1), date(2027, 5, 1)} <= set(made)
    assert ingest.expire_raw(keep_days=400, now=datetime(2027, 3, 8, 12, tzinfo=UTC)) == 0


def test_a_month_made_later_takes_its_events_out_of_other(pg: Engine) -> None:
    """An event from 2031 waits in ``other``; when 2031 comes near, its month gets a table,
    the event moves there in the same transaction, and a redelivery is still a duplicate."""
    ingest = Ingest(pg)
    future = event("session_started", at(2031, 6), lang="nl")
    ingest.handle([batch("evere", "pc-1", future)])
    with pg.connect() as connection:
        assert where(connection)[future.id] == "event_months.other"
    with pg.begin() as connection:
        made = partitions.keep_months(connection, datetime(2031, 5, 20), 400)
    assert date(2031, 6, 1) in made
    with pg.connect() as connection:
        assert where(connection) == {future.id: "event_months.m2031_06"}
    again = ingest.handle([batch("evere", "pc-1", future)])
    assert (again.events_new, again.events_duplicate) == (0, 1)


def test_the_same_id_at_another_time_is_another_row_on_postgresql(pg: Engine) -> None:
    """What the key (id, ts) means, written down in docs/decisions.md: the kiosk resends the
    same bytes, so a redelivery is caught; an id reused with another time (no kiosk does:
    ids are random and the outbox keeps the bytes) is a second event on PostgreSQL."""
    ingest = Ingest(pg)
    first = event("session_started", at(2026, 11), lang="nl")
    moved = p.validate_event(
        {
            "id": first.id,
            "type": "session_started",
            "ts": p.format_ts(at(2026, 10)),
            "session": first.session,
            "lang": "nl",
        }
    )
    assert ingest.handle([batch("evere", "pc-1", first)]).events_new == 1
    assert ingest.handle([batch("evere", "pc-1", first)]).events_duplicate == 1
    assert ingest.handle([batch("evere", "pc-1", moved)]).events_new == 1


def test_sqlite_keeps_one_table(tmp_path: object) -> None:
    engine = open_database(f"sqlite:///{tmp_path}/agg.db")
    try:
        ingest = Ingest(engine)
        ingest.handle([batch("evere", "pc-1", event("session_started", at(2026, 1), lang="nl"))])
        with engine.connect() as connection:
            assert not partitions.is_partitioned(connection)
            kinds = connection.execute(
                text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'm20%'")
            ).scalar_one()
        assert kinds == 0
        assert ingest.expire_raw(keep_days=400, now=datetime(2027, 3, 8, tzinfo=UTC)) == 1
    finally:
        engine.dispose()
