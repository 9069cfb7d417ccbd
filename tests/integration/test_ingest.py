"""The aggregator's storage: idempotent, counts every rejection, help only moves forward."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from admin_console.ingest.batch import Inbound, Ingest, IngestResult
from admin_console.read.stats import collect_stats
from admin_console.store.database import DatabaseError, open_database
from kiosk.wire import protocol as p
from tests.harness import wait_for


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    yield engine
    engine.dispose()


def msg(topic: str, payload: bytes | dict[str, object], dup: bool = False) -> Inbound:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return Inbound(topic, body, datetime.now(UTC), dup)


def events_msg(site: str, machine: str, *events: p.Event) -> Inbound:
    return msg(
        f"kiosk/v1/{site}/{machine}/events", p.encode_event_batch(site, machine, list(events))
    )


def help_msg(site: str, machine: str, change: p.HelpChange) -> Inbound:
    channel = "help" if change.state in ("open", "cancelled") else "help/reply"
    return msg(f"kiosk/v1/{site}/{machine}/{channel}", p.encode_help(change))


def test_a_batch_delivered_twice_is_stored_once(engine: Engine) -> None:
    session = p.new_id()
    batch = events_msg(
        "evere",
        "pc-1",
        p.make_event("session_started", session, lang="nl"),
        p.make_event("task_started", session, task="gmail-create"),
    )
    ingest = Ingest(engine)
    first = ingest.handle([batch, batch])  # a message and its redelivery in one transaction
    second = ingest.handle([batch, batch])
    assert (first.events_new, second.events_new, second.events_duplicate) == (2, 0, 4)
    stats = collect_stats(engine)
    assert stats["events_total"] == 2
    assert stats["sites"]["evere"]["sessions"] == 1
    assert stats["sites"]["evere"]["events"] == {"session_started": 1, "task_started": 1}


def test_a_batch_partly_stored_before_adds_and_counts_only_its_new_events(engine: Engine) -> None:
    # SQLite learns which rows an insert added from its row count and the table's newest rows:
    # here the stored events sit among the new ones, and an event from another machine was
    # stored after them, so that "the newest rows" and "this batch's ids" differ.
    ingest = Ingest(engine)
    session = p.new_id()
    steps = [p.make_event("task_step", session, task="gmail-create", step=i) for i in range(7)]
    old, new = steps[:4], steps[4:]
    ingest.handle([events_msg("evere", "pc-1", *old)])
    other = p.make_event("task_started", p.new_id(), task="gmail-create")
    ingest.handle([events_msg("evere", "pc-2", other)])
    ended = p.make_event("session_ended", session, reason="idle", duration_s=300.0)
    mixed = events_msg("evere", "pc-1", old[1], new[0], old[3], new[1], new[2], ended)
    result = ingest.handle([mixed, events_msg("evere", "pc-1", old[0])])
    assert (result.events_new, result.events_duplicate) == (4, 3)
    assert ingest.handle([mixed]).events_new == 0
    stats = collect_stats(engine)
    assert stats["events_total"] == 9
    assert stats["sites"]["evere"]["events"] == {
        "task_step": 7,
        "task_started": 1,
        "session_ended": 1,
    }
    from sqlalchemy.orm import Session

    from admin_console.store.orm import VisitRow

    with Session(engine) as db:
        visit = db.get(VisitRow, session)
    assert visit is not None and (visit.end_reason, visit.duration_s) == ("idle", 300.0)


def test_every_rejection_is_counted_with_its_reason_and_valid_traffic_goes_on(
    engine: Engine,
) -> None:
    good = p.make_event("session_started", p.new_id(), lang="fr")
    bad_event = {
        "id": p.new_id(),
        "type": "session_started",
        "ts": "2026-11-22T10:00:00Z",
        "session": p.new_id(),
        "lang": "fr",
        "name": "Jan Peeters",
    }
    mixed = {
        "v": 1,
        "site": "evere",
        "machine": "pc-1",
        "sent": "2026-11-22T10:00:00Z",
        "events": [good.to_wire(), bad_event],
    }
    spoofed = {
        **mixed,
        "site": "schaerbeek",
        "events": [p.make_event("session_started", p.new_id(), lang="nl").to_wire()],
    }
    result = Ingest(engine).handle(
        [
            msg("kiosk/v1/evere/pc-1/events", mixed),
            msg("kiosk/v1/evere/pc-1/events", spoofed),
            msg("kiosk/v1/evere/pc-1/events", b"\xff garbage"),
            msg("kiosk/v1/evere/pc-1/events", b"{"),
            msg("kiosk/v1/evere/pc-1/nonsense", b"{}"),
        ]
    )
    assert result.events_new == 1
    stats = collect_stats(engine)
    assert stats["events_total"] == 1
    assert stats["rejected"] == {
        "bad_json": 1,
        "bad_topic": 1,
        "bad_utf8": 1,
        "spoofed_origin": 1,
        "unknown_field": 1,
    }
    assert stats["rejected_total"] == 5


def test_dead_letters_keep_no_payload(engine: Engine) -> None:
    from sqlalchemy import text

    Ingest(engine).handle([msg("kiosk/v1/evere/pc-1/events", {"v": 1, "name": "Jan Peeters"})])
    with engine.connect() as conn:
        dump = json.dumps(
            [list(r) for r in conn.execute(text("select * from rejected_messages"))], default=str
        )
    assert "Jan" not in dump and "unknown_field" in dump


def test_a_redelivered_bad_message_is_not_counted_twice(engine: Engine) -> None:
    ingest = Ingest(engine)
    ingest.handle([msg("kiosk/v1/evere/pc-1/events", b"oops")])
    ingest.handle([msg("kiosk/v1/evere/pc-1/events", b"oops", dup=True)])
    assert collect_stats(engine)["rejected_total"] == 1
    ingest.handle([msg("kiosk/v1/evere/pc-1/events", b"oops")])  # sent again on purpose: counted
    assert collect_stats(engine)["rejected_total"] == 2


def test_help_lifecycle_and_median_wait(engine: Engine) -> None:
    t0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    ingest = Ingest(engine)
    waits = [30, 90, 60]
    for i, wait in enumerate(waits):
        request = p.new_id()
        ingest.handle(
            [help_msg("evere", f"pc-{i}", p.HelpChange(request, "open", t0, "irisbox", 2, "fr"))]
        )
        ingest.handle(
            [
                help_msg(
                    "evere",
                    f"pc-{i}",
                    p.HelpChange(request, "claimed", t0 + timedelta(seconds=wait), buddy="Sara"),
                )
            ]
        )
        ingest.handle(
            [
                help_msg(
                    "evere",
                    f"pc-{i}",
                    p.HelpChange(request, "resolved", t0 + timedelta(seconds=300), buddy="Sara"),
                )
            ]
        )
    site = collect_stats(engine)["sites"]["evere"]
    assert site["help"] == {"resolved": 3}
    # The median of the waits counted at ingest in 10-second buckets: the 60-70 s bucket's middle.
    assert site["help_median_wait_s"] == 65.0


def test_help_messages_in_any_order_end_in_the_same_state(engine: Engine) -> None:
    t0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    request = p.new_id()
    opened = help_msg("evere", "pc-1", p.HelpChange(request, "open", t0, None, None, "nl"))
    claimed = help_msg(
        "evere", "pc-1", p.HelpChange(request, "claimed", t0 + timedelta(seconds=45), buddy="Tom")
    )
    resolved = help_msg(
        "evere", "pc-1", p.HelpChange(request, "resolved", t0 + timedelta(seconds=99), buddy="Tom")
    )
    Ingest(engine).handle([resolved, claimed, opened, claimed])
    site = collect_stats(engine)["sites"]["evere"]
    assert site["help"] == {"resolved": 1}
    assert site["help_median_wait_s"] == 45.0


def test_another_pc_cannot_touch_a_request(engine: Engine) -> None:
    request = p.new_id()
    ingest = Ingest(engine)
    ingest.handle([help_msg("evere", "pc-1", p.HelpChange(request, "open", p.utc_now()))])
    ingest.handle([help_msg("evere", "pc-2", p.HelpChange(request, "cancelled", p.utc_now()))])
    stats = collect_stats(engine)
    assert stats["sites"]["evere"]["help"] == {"open": 1}
    assert stats["rejected"] == {"spoofed_origin": 1}


def test_unanswered_calls_expire(engine: Engine) -> None:
    ingest = Ingest(engine)
    old = datetime.now(UTC) - timedelta(hours=3)
    ingest.handle([help_msg("evere", "pc-1", p.HelpChange(p.new_id(), "open", old))])
    ingest.handle([help_msg("evere", "pc-2", p.HelpChange(p.new_id(), "open", datetime.now(UTC)))])
    assert ingest.expire_help(timedelta(hours=2)) == 1
    assert collect_stats(engine)["sites"]["evere"]["help"] == {"expired": 1, "open": 1}


def test_dead_letters_are_bounded_but_counters_are_not(engine: Engine) -> None:
    ingest = Ingest(engine, dead_letter_limit=5)
    ingest.handle([msg("kiosk/v1/evere/pc-1/events", f"bad {i}".encode()) for i in range(12)])
    assert ingest.trim_dead_letters() == 7
    assert collect_stats(engine)["rejected_total"] == 12


def test_status_is_kept_per_machine(engine: Engine) -> None:
    from sqlalchemy import text

    ingest = Ingest(engine)
    ingest.handle([msg("kiosk/v1/evere/pc-1/status", p.encode_status("idle", cpu_pct=5.0))])
    ingest.handle([msg("kiosk/v1/evere/pc-1/status", b'{"v":1,"state":"offline"}')])
    with engine.connect() as conn:
        assert conn.execute(text("select state from machines")).scalars().all() == ["offline"]


def test_the_newest_status_said_stays_whatever_order_it_arrives_in(engine: Engine) -> None:
    """Two aggregators sharing the subscription store a kiosk's statuses in either order
    (issue 21): its ``ts`` decides, or when it was received for the will, which has none."""
    from sqlalchemy import text

    ingest = Ingest(engine)
    topic = "kiosk/v1/evere/pc-1/status"
    t0 = datetime.now(UTC) - timedelta(minutes=5)

    def said(state: str, at: datetime) -> dict[str, object]:
        return {"v": 1, "state": state, "ts": p.format_ts(at)}

    def stored() -> str:
        with engine.connect() as conn:
            return str(conn.execute(text("select state from machines")).scalar_one())

    ingest.handle([msg(topic, said("offline", t0 + timedelta(seconds=1)))])  # the goodbye
    ingest.handle([msg(topic, said("idle", t0))])  # said before it, stored after it
    assert stored() == "offline"
    ingest.handle([msg(topic, said("idle", t0 + timedelta(seconds=1)))])  # the same moment:
    assert stored() == "offline"  # the goodbye is the last word
    ingest.handle([msg(topic, said("idle", t0 + timedelta(seconds=2)))])
    assert stored() == "idle"
    ingest.handle([msg(topic, p.encode_will())])  # the will: received now, after t0 + 2 s
    assert stored() == "offline"
    ingest.handle([msg(topic, said("in_session", datetime.now(UTC) + timedelta(seconds=1)))])
    assert stored() == "in_session"
    # One batch with both, the newer first: the same.
    ingest.handle(
        [
            msg(topic, said("locked", datetime.now(UTC) + timedelta(seconds=3))),
            msg(topic, said("idle", datetime.now(UTC) + timedelta(seconds=2))),
        ]
    )
    assert stored() == "locked"


def test_a_call_created_by_the_other_aggregator_meanwhile_is_not_refused(
    postgres_url: str,
) -> None:
    """Two aggregators sharing the subscription: the kiosk's "open" in one, the buddy's
    "claimed" in the other, both creating the call's row. The other's insert, not committed
    yet when this one looks, must not make this one refuse the message (it did: one help
    message refused as storage_error in the 1,000-kiosk run); the claim is applied."""
    import threading

    from sqlalchemy import text

    engine = open_database(postgres_url)
    request = p.new_id()
    t0 = datetime.now(UTC) - timedelta(minutes=2)
    other = engine.connect()
    results: list[object] = []
    try:
        other_tx = other.begin()
        other.execute(
            text(
                "INSERT INTO help_requests (id, site, machine, state, opened, updated)"
                " VALUES (:id, 'evere', 'pc-1', 'open', :t, :t)"
            ),
            {"id": request, "t": t0.replace(tzinfo=None)},
        )
        claim = help_msg("evere", "pc-1", p.HelpChange(request, "claimed", t0, buddy="Sara"))
        worker = threading.Thread(target=lambda: results.append(Ingest(engine).handle([claim])))
        worker.start()

        def waiting_on_the_other() -> bool:
            with engine.connect() as conn:
                waits = conn.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                ).scalar_one()
            return int(waits) > 0

        wait_for(waiting_on_the_other, 10, "this aggregator to wait on the other's row")
        other_tx.commit()
        worker.join(10)
    finally:
        other.close()
    [result] = results
    assert isinstance(result, IngestResult) and not result.rejected
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT state, buddy FROM help_requests WHERE id = :id"), {"id": request}
        ).one()
    engine.dispose()
    assert tuple(row) == ("claimed", "Sara")


def test_an_unusable_database_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(DatabaseError, match="cannot"):
        open_database(f"sqlite:///{blocker}/sub/agg.db")
    with pytest.raises(DatabaseError, match="not a database URL"):
        open_database("nonsense")
    with pytest.raises(DatabaseError, match="no database"):
        open_database(f"sqlite:///{tmp_path / 'missing.db'}", create=False)


def test_event_ids_are_random_uuids() -> None:
    assert uuid.UUID(p.new_id()).version == 4


def test_daily_counts_and_visits_are_kept_at_ingest_and_outlive_retention(engine: Engine) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from admin_console.store.orm import DailyCountRow, VisitRow

    ingest = Ingest(engine)
    session = p.new_id()
    # Thursday 2026-11-19 13:30 UTC is 14:30 in Brussels.
    started = p.validate_event(
        {
            "id": p.new_id(),
            "type": "session_started",
            "ts": "2026-11-19T13:30:00.000Z",
            "session": session,
            "lang": "fr",
        }
    )
    steps = [
        p.validate_event(
            {
                "id": p.new_id(),
                "type": kind,
                "ts": "2026-11-19T13:35:00.000Z",
                "session": session,
                "task": "irisbox-certificate",
                **extra,
            }
        )
        for kind, extra in (("task_started", {}), ("task_abandoned", {"step": 3}))
    ]
    ended = p.validate_event(
        {
            "id": p.new_id(),
            "type": "session_ended",
            "ts": "2026-11-19T13:50:00.000Z",
            "session": session,
            "reason": "idle",
            "duration_s": 1200.0,
        }
    )
    batch = events_msg("evere", "pc-1", started, *steps, ended)
    ingest.handle([batch])
    ingest.handle([batch])  # a duplicate delivery changes no count
    with Session(engine) as db:
        counts = {(r.kind, r.key): r.count for r in db.scalars(select(DailyCountRow))}
        visit = db.get(VisitRow, session)
    assert counts[("event", "session_started")] == 1
    assert counts[("lang", "fr")] == 1
    assert counts[("hour", "3-14")] == 1
    assert counts[("task_started", "irisbox-certificate")] == 1
    assert counts[("task_abandoned", "irisbox-certificate#3")] == 1
    assert visit is not None and (visit.lang, visit.end_reason, visit.duration_s) == (
        "fr",
        "idle",
        1200.0,
    )

    gone = ingest.expire_raw(keep_days=400, now=datetime(2028, 1, 1, tzinfo=UTC))
    assert gone == 4
    stats = collect_stats(engine)
    assert stats["raw_events"] == 0
    assert stats["events_total"] == 4 and stats["sites"]["evere"]["sessions"] == 1


def test_a_backlog_of_full_batches_fits_in_one_transaction(engine: Engine) -> None:
    """The aggregator takes up to 1,000 waiting messages into one transaction. 80 full batches
    (40,000 events) passed SQLite's and PostgreSQL's bind-parameter limits when the rows were
    bound into one statement; the aggregator then retried the same batch forever."""
    messages = []
    for k in range(80):
        session = p.new_id()
        events = [p.make_event("session_started", session, lang="nl")]
        events += [p.make_event("site_opened", session, site_key="mypension") for _ in range(499)]
        messages.append(events_msg("evere", f"pc-{k % 10}", *events))
    result = Ingest(engine).handle(messages)
    assert (result.events_new, result.events_duplicate) == (40_000, 0)
    again = Ingest(engine).handle(messages[:3])
    assert (again.events_new, again.events_duplicate) == (0, 1_500)
    stats = collect_stats(engine)
    assert stats["events_total"] == 40_000
    assert stats["sites"]["evere"]["sessions"] == 80


def test_rows_written_straight_to_the_driver_equal_what_the_orm_writes(engine: Engine) -> None:
    """Ingest hands events to the driver through the dialect's bind processors, not the ORM
    (docs/decisions.md); SQLAlchemy is pinned below its next minor release for that. The same
    event written by the ORM and by ingest must read back identical on both databases."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from admin_console.store.orm import EventRow

    session = p.new_id()
    event = p.make_event("task_step", session, task="gmail-create", step=3)
    received = datetime(2026, 3, 29, 1, 30, 15, 123000, tzinfo=UTC)
    Ingest(engine).handle(
        [
            Inbound(
                "kiosk/v1/evere/pc-1/events",
                p.encode_event_batch("evere", "pc-1", [event]),
                received,
                False,
            )
        ]
    )
    twin_id = p.new_id()
    with Session(engine) as orm:
        stored = orm.get(EventRow, event.id)
        assert stored is not None
        orm.add(
            EventRow(
                id=twin_id,
                site="evere",
                machine="pc-1",
                type=event.type,
                ts=stored.ts,
                received=stored.received,
                session=session,
                data=event.data,
            )
        )
        orm.commit()
    with Session(engine) as orm:
        rows = {r.id: r for r in orm.scalars(select(EventRow))}
        ours, twin = rows[event.id], rows[twin_id]
        columns = ("site", "machine", "type", "ts", "received", "session", "data")
        assert [getattr(ours, c) for c in columns] == [getattr(twin, c) for c in columns]
        assert ours.data == {"task": "gmail-create", "step": 3}
        assert ours.ts.replace(tzinfo=UTC) == event.ts
        assert ours.received.replace(tzinfo=UTC) == received
