"""The aggregator's side of the help loop (issue 16), on SQLite and PostgreSQL: a resolved call's
outcome and topics, buddies' shifts from check-ins, malformed site messages as dead letters, and
the queue keeper seeded from what was stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from admin_console.desk.queue_keeper import QueueKeeper, SitePolicy
from admin_console.desk.queue_service import seed_from_database
from admin_console.ingest.batch import Inbound, Ingest
from admin_console.read.stats import collect_stats
from admin_console.store.database import open_database
from admin_console.store.orm import BuddyShiftRow, HelpRequestRow
from kiosk.wire import protocol as p
from kiosk.wire.opening_hours import OpeningHours

SITE = "schaerbeek"
CHECKIN_TOPIC = f"kiosk/v1/{SITE}/_site/checkin"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    yield engine
    engine.dispose()


def help_msg(machine: str, change: p.HelpChange, received: datetime | None = None) -> Inbound:
    channel = "help" if change.state in ("open", "cancelled") else "help/reply"
    return Inbound(
        f"kiosk/v1/{SITE}/{machine}/{channel}", p.encode_help(change), received or p.utc_now()
    )


def checkin_msg(checkin: p.CheckIn, received: datetime) -> Inbound:
    return Inbound(CHECKIN_TOPIC, p.encode_checkin(checkin), received)


def row(engine: Engine, request: str) -> HelpRequestRow:
    with Session(engine) as session:
        found = session.get(HelpRequestRow, request)
        assert found is not None
        return found


def shifts(engine: Engine) -> list[tuple[str, str, datetime, datetime | None, str | None]]:
    with Session(engine) as session:
        return [
            (s.id, s.buddy, s.started, s.ended, s.ended_by)
            for s in session.execute(select(BuddyShiftRow).order_by(BuddyShiftRow.started))
            .scalars()
            .all()
        ]


T0 = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)


def test_a_resolved_call_keeps_its_outcome_and_topics(engine: Engine) -> None:
    ingest = Ingest(engine)
    request = p.new_id()
    ingest.handle(
        [
            help_msg("pc-01", p.HelpChange(request, p.HelpState.OPEN, T0, lang="fr")),
            help_msg("pc-01", p.HelpChange(request, p.HelpState.CLAIMED, T0, buddy="Sara")),
        ]
    )
    resolved = p.HelpChange(
        request,
        p.HelpState.RESOLVED,
        T0 + timedelta(minutes=7),
        buddy="Sara",
        outcome=p.HelpOutcome.REFERRED,
        topics=("itsme", "mypension"),
    )
    ingest.handle([help_msg("pc-01", resolved)])
    stored = row(engine, request)
    assert (stored.state, stored.outcome, stored.topics) == (
        "resolved",
        "referred",
        "itsme,mypension",
    )
    assert stored.closed is not None and stored.claimed is not None
    assert (stored.closed - stored.claimed) == timedelta(minutes=7)  # the time spent helping
    # A redelivery with other words changes nothing: the first resolved wins
    other = p.HelpChange(
        request, p.HelpState.RESOLVED, T0, buddy="Tom", outcome=p.HelpOutcome.SOLVED
    )
    ingest.handle([help_msg("pc-01", other)])
    assert (row(engine, request).outcome, row(engine, request).buddy) == ("referred", "Sara")

    plain = p.new_id()
    ingest.handle(
        [
            help_msg("pc-02", p.HelpChange(plain, p.HelpState.OPEN, T0)),
            help_msg("pc-02", p.HelpChange(plain, p.HelpState.RESOLVED, T0, buddy="Sara")),
        ]
    )
    assert (row(engine, plain).outcome, row(engine, plain).topics) == (None, None)


def test_the_outcome_of_a_call_the_visitor_left_is_kept_with_the_first_final_state(
    engine: Engine,
) -> None:
    ingest = Ingest(engine)
    request = p.new_id()
    ingest.handle(
        [
            help_msg("pc-01", p.HelpChange(request, p.HelpState.OPEN, T0)),
            help_msg("pc-01", p.HelpChange(request, p.HelpState.CLAIMED, T0, buddy="Sara")),
            help_msg("pc-01", p.HelpChange(request, p.HelpState.CANCELLED, T0)),
        ]
    )
    left = p.HelpChange(request, p.HelpState.RESOLVED, T0, buddy="Sara", outcome=p.HelpOutcome.LEFT)
    ingest.handle([help_msg("pc-01", left)])
    stored = row(engine, request)
    assert (stored.state, stored.outcome) == ("cancelled", "left")


def test_check_ins_make_shifts_at_the_time_received(engine: Engine) -> None:
    ingest = Ingest(engine)
    skewed = T0 - timedelta(hours=5)  # what the desk believed
    sara_in = p.CheckIn(p.new_id(), skewed, "Sara", "in")
    first = ingest.handle([checkin_msg(sara_in, T0), checkin_msg(sara_in, T0)])
    again = ingest.handle([checkin_msg(sara_in, T0 + timedelta(minutes=1))])  # same id
    assert first.checkins == {"shifts_started": 1} and not again.checkins
    assert shifts(engine) == [(sara_in.id, "Sara", T0.replace(tzinfo=None), None, None)]

    second_in = p.CheckIn(p.new_id(), skewed, "sara", "in")  # already on duty
    tom_out = p.CheckIn(p.new_id(), skewed, "Tom", "out")  # never checked in
    odd = ingest.handle([checkin_msg(second_in, T0), checkin_msg(tom_out, T0)])
    assert odd.checkins == {"duplicate_checkin": 1, "checkout_without_checkin": 1}
    assert len(shifts(engine)) == 1

    end = T0 + timedelta(hours=3)
    sara_out = p.CheckIn(p.new_id(), skewed, "Sara", "out")
    assert ingest.handle([checkin_msg(sara_out, end)]).checkins == {"shifts_ended": 1}
    assert not ingest.handle([checkin_msg(sara_out, end + timedelta(minutes=1))]).checkins
    naive = T0.replace(tzinfo=None)
    assert shifts(engine) == [(sara_in.id, "Sara", naive, end.replace(tzinfo=None), sara_out.id)]
    # In and out in one batch, and a new shift after the first ended
    tom_in, tom_out2 = (p.CheckIn(p.new_id(), skewed, "Tom", s) for s in ("in", "out"))
    back = p.CheckIn(p.new_id(), skewed, "Sara", "in")
    both = ingest.handle(
        [checkin_msg(tom_in, end), checkin_msg(tom_out2, end), checkin_msg(back, end)]
    )
    assert both.checkins == {"shifts_started": 2, "shifts_ended": 1}
    assert [(s[1], s[3] is None) for s in shifts(engine)] == [
        ("Sara", False),
        ("Tom", False),
        ("Sara", True),
    ] or [(s[1], s[3] is None) for s in shifts(engine)] == [
        ("Sara", False),
        ("Sara", True),
        ("Tom", False),
    ]
    assert collect_stats(engine)["rejected_total"] == 0


def test_malformed_site_messages_are_dead_letters_and_the_stream_goes_on(engine: Engine) -> None:
    ingest = Ingest(engine)
    now = p.utc_now()
    good = p.CheckIn(p.new_id(), now, "Sara", "in")
    body = json.loads(p.encode_checkin(good))
    bad = [
        Inbound(CHECKIN_TOPIC, b"{not json", now),
        Inbound(CHECKIN_TOPIC, json.dumps({**body, "state": "maybe"}).encode(), now),
        Inbound(CHECKIN_TOPIC, json.dumps({**body, "phone": "0470"}).encode(), now),
        Inbound(CHECKIN_TOPIC, json.dumps({**body, "v": 2}).encode(), now),
        Inbound(f"kiosk/v1/{SITE}/_site/queue", b"{}", now),  # not the aggregator's to take
        Inbound("kiosk/v1/Bad Site/_site/checkin", p.encode_checkin(good), now),
        Inbound(f"kiosk/v1/{SITE}/_site/elsewhere", b"{}", now),
    ]
    session = p.new_id()
    events = Inbound(
        f"kiosk/v1/{SITE}/pc-01/events",
        p.encode_event_batch(SITE, "pc-01", [p.make_event("session_started", session, lang="nl")]),
        now,
    )
    result = ingest.handle([*bad, checkin_msg(good, now), events])
    assert result.events_new == 1 and result.checkins == {"shifts_started": 1}
    assert result.rejected == {
        "bad_json": 1,
        "bad_field": 1,
        "unknown_field": 1,
        "bad_version": 1,
        "bad_topic": 3,
    }
    stats = collect_stats(engine)
    assert stats["rejected_total"] == 7 and stats["events_total"] == 1
    assert len(shifts(engine)) == 1


def test_the_queue_keeper_seeds_from_what_was_stored(engine: Engine) -> None:
    ingest = Ingest(engine)
    now = datetime.now(UTC).replace(microsecond=0)
    calls = [p.new_id() for _ in range(4)]
    messages = [
        help_msg(f"pc-0{i}", p.HelpChange(r, p.HelpState.OPEN, now - timedelta(minutes=10 - i)))
        for i, r in enumerate(calls, start=1)
    ]
    messages.append(
        help_msg("pc-01", p.HelpChange(calls[0], p.HelpState.CLAIMED, now, buddy="Sara"))
    )
    messages.append(help_msg("pc-04", p.HelpChange(calls[3], p.HelpState.CANCELLED, now)))
    old = p.new_id()  # open for three hours: no longer waiting
    messages.append(
        help_msg("pc-09", p.HelpChange(old, p.HelpState.OPEN, now - timedelta(hours=3)))
    )
    for minutes in (2, 4, 6, 8, 10):  # five handled calls: median 6 min
        done = p.new_id()
        start = now - timedelta(hours=1)
        messages += [
            help_msg("pc-05", p.HelpChange(done, p.HelpState.OPEN, start)),
            help_msg("pc-05", p.HelpChange(done, p.HelpState.CLAIMED, start, buddy="Sara")),
            help_msg(
                "pc-05",
                p.HelpChange(
                    done, p.HelpState.RESOLVED, start + timedelta(minutes=minutes), buddy="Sara"
                ),
            ),
        ]
    sara = p.CheckIn(p.new_id(), now, "Sara", "in")
    tom_in, tom_out = (p.CheckIn(p.new_id(), now, "Tom", s) for s in ("in", "out"))
    received = now - timedelta(minutes=30)
    messages += [checkin_msg(c, received) for c in (sara, tom_in, tom_out)]
    ingest.handle(messages)

    rota = OpeningHours.parse({"mon-sun": ["00:00-23:59"]})
    keeper = QueueKeeper({SITE: SitePolicy(rota, "none")}, "Europe/Brussels")
    taken = seed_from_database(keeper, engine, now)
    assert taken == {"calls": 3, "shifts": 1, "handling": 5}
    queue = keeper.queue(SITE, now)
    assert [w.request for w in queue.waiting] == [calls[1], calls[2]]
    assert queue.claimed == 1 and queue.on_duty == 1 and queue.handle_s == 360
    # Sara is on the claimed call: nobody free, one call time each
    assert [w.eta_s for w in queue.waiting] == [360, 720]
    assert [(b.buddy, b.since) for b in keeper.duty(SITE, now).buddies] == [("Sara", received)]
    # The check-ins already stored count once, also when the broker delivers them again
    assert keeper.apply_checkin(SITE, sara, now).value == "repeated"
    assert keeper.apply_checkin(SITE, tom_out, now).value == "repeated"
