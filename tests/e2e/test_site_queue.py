"""End to end: the honest queue and the permanences (issue 16) through a real Mosquitto, with
the real objects of ``admin-console serve``: the aggregator (and its storer process) and the
queue keeper's service, and the buddy desk's real link.

Kiosks and check-ins are spoken on the wire as docs/protocol.md says (the kiosk's own screens
are tested elsewhere); what a kiosk sees is what a kiosk-side subscriber of its site's queue
gets. Every wait is for a message or a row, never for time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from admin_console.desk.queue_keeper import SitePolicy
from admin_console.desk.queue_service import QueueService, QueueServiceOptions
from admin_console.ingest.aggregator import Aggregator, AggregatorOptions
from admin_console.links.buddy import BuddyCallbacks, BuddyLink
from admin_console.store.database import open_database
from admin_console.store.orm import BuddyShiftRow, HelpRequestRow
from kiosk.wire import protocol as p
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.opening_hours import OpeningHours
from tests.conftest import Mosquitto, wait_for

SITE = "schaerbeek"
QUEUE = f"kiosk/v1/{SITE}/_site/queue"
DUTY = f"kiosk/v1/{SITE}/_site/duty"
CHECKIN = f"kiosk/v1/{SITE}/_site/checkin"
TIMEOUT = 20.0
ALWAYS = OpeningHours.parse({"mon-sun": ["00:00-23:59"]})


@dataclass
class Listener:
    """A plain paho client on the site's channels, as a kiosk or a desk subscribes."""

    port: int
    queues: list[p.SiteQueue] = field(default_factory=list)
    rosters: list[p.DutyRoster] = field(default_factory=list)
    subscribed: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        self.client.on_connect = lambda c, *_: c.subscribe([(QUEUE, 1), (DUTY, 1)])
        self.client.on_subscribe = lambda *_: self.subscribed.set()
        self.client.on_message = self._on_message

    def _on_message(self, _c: object, _u: object, message: mqtt.MQTTMessage) -> None:
        if not message.payload:
            return  # a retained message cleared
        if message.topic == QUEUE:
            self.queues.append(p.decode_queue(message.payload))
        else:
            self.rosters.append(p.decode_duty(message.payload))

    def start(self) -> Listener:
        self.client.connect("127.0.0.1", self.port)
        self.client.loop_start()
        assert self.subscribed.wait(TIMEOUT)
        return self

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def queue(self) -> p.SiteQueue | None:
        return self.queues[-1] if self.queues else None

    def waiting(self) -> list[str]:
        queue = self.queue()
        return [] if queue is None else [w.request for w in queue.waiting]

    def on_duty(self) -> list[str]:
        return [b.buddy for b in self.rosters[-1].buddies] if self.rosters else []


class Wire:
    """Kiosks and desks as the contract has them speak (QoS 1; help retained)."""

    def __init__(self, port: int) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def send(self, topic: str, payload: bytes, retain: bool = False) -> None:
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        info.wait_for_publish(TIMEOUT)

    def call(self, machine: str) -> str:
        request = p.new_id()
        change = p.HelpChange(request, p.HelpState.OPEN, p.utc_now(), "mypension-check", 2, "fr")
        self.send(f"kiosk/v1/{SITE}/{machine}/help", p.encode_help(change), retain=True)
        return request

    def checkin(self, buddy: str, state: str, checkin_id: str | None = None) -> str:
        checkin = p.CheckIn(checkin_id or p.new_id(), p.utc_now(), buddy, state)
        self.send(CHECKIN, p.encode_checkin(checkin))
        return checkin.id

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@dataclass
class Serve:
    """What ``admin-console serve`` runs: the aggregator and the queue keeper."""

    mosquitto: Mosquitto
    db: str
    aggregator: Aggregator | None = None
    keeper: QueueService | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def start_aggregator(self) -> None:
        settings = parse_broker_url(self.mosquitto.url)
        self.aggregator = Aggregator(settings, self.db, AggregatorOptions(client_id="e2e-agg"))
        self.thread = threading.Thread(target=self.aggregator.run, args=(self.stop_event,))
        self.thread.start()
        assert self.aggregator.connected.wait(60)

    def start_keeper(self) -> QueueService:
        settings = parse_broker_url(self.mosquitto.url)
        policies = {SITE: SitePolicy(ALWAYS, "staff")}
        options = QueueServiceOptions(client_id="e2e-agg-queue", expiry=timedelta(hours=2))
        self.keeper = QueueService(settings, policies, options)
        engine = open_database(self.db)
        try:
            self.keeper.seed(engine)
        finally:
            engine.dispose()
        self.keeper.start()
        assert self.keeper.link.connected.wait(TIMEOUT)
        return self.keeper

    def stop_keeper(self) -> None:
        if self.keeper is not None:
            self.keeper.stop()
            self.keeper = None

    def stop(self) -> None:
        self.stop_keeper()
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(60)


@pytest.fixture
def serve(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[Serve]:
    db = f"sqlite:///{tmp_path / 'agg.db'}"
    open_database(db).dispose()  # the schema, as serve makes it before the storer starts
    running = Serve(mosquitto, db)
    running.start_aggregator()
    running.start_keeper()
    yield running
    running.stop()


def test_the_queue_follows_calls_claims_and_check_ins(
    mosquitto: Mosquitto, serve: Serve, tmp_path: Path
) -> None:
    kiosk_side = Listener(mosquitto.port).start()
    wire = Wire(mosquitto.port)
    buddy = BuddyLink(
        parse_broker_url(mosquitto.url),
        SITE,
        BuddyCallbacks(lambda *_: None, lambda *_: None, lambda _online: None),
    )
    buddy.start()
    engine = open_database(serve.db, create=False)
    try:
        # Two kiosks call: a retained queue with two places, oldest first
        first = wire.call("pc-01")
        wait_for(lambda: kiosk_side.waiting() == [first], TIMEOUT, "the first call queued")
        second = wire.call("pc-02")
        wait_for(lambda: kiosk_side.waiting() == [first, second], TIMEOUT, "two places")
        queue = kiosk_side.queue()
        assert queue is not None
        # Nobody checked in: the staff's one "buddy" walks to the first, the second waits a call
        assert queue.on_duty == 0 and queue.next_duty is not None
        assert [w.eta_s for w in queue.waiting] == [60, 300]
        assert queue.place_of(second) == (2, 300)

        # A buddy claims the first: it leaves the queue, the second is now first
        wait_for(lambda: buddy.connected, TIMEOUT, "the buddy desk's link")
        buddy.reply("pc-01", first, "claimed", "Sara")
        wait_for(lambda: kiosk_side.waiting() == [second], TIMEOUT, "the claim in the queue")
        queue = kiosk_side.queue()
        assert queue is not None and queue.claimed == 1 and queue.place_of(second) == (1, 300)

        # Check-in, a duplicate, a repeat of the same id, a check-out without check-in
        sara_in = wire.checkin("Sara", "in")
        wait_for(lambda: kiosk_side.on_duty() == ["Sara"], TIMEOUT, "Sara on the roster")
        wait_for(
            lambda: (q := kiosk_side.queue()) is not None and q.on_duty == 1,
            TIMEOUT,
            "one buddy on duty in the queue",
        )
        queue = kiosk_side.queue()
        assert queue is not None and queue.next_duty is None
        wire.checkin("sara", "in")
        wire.checkin("Sara", "in", sara_in)
        wire.checkin("Tom", "out")
        aggregator = serve.aggregator
        assert aggregator is not None
        wait_for(
            lambda: (
                aggregator.totals["duplicate_checkin"] == 1
                and aggregator.totals["checkout_without_checkin"] == 1
            ),
            TIMEOUT,
            "the aggregator's counts of the no-op check-ins",
        )
        keeper = serve.keeper
        assert keeper is not None
        wait_for(
            lambda: (
                keeper.keeper.counts["duplicate_checkin"] == 1
                and keeper.keeper.counts["checkout_without_checkin"] == 1
            ),
            TIMEOUT,
            "the keeper's counts",
        )
        assert aggregator.totals["shifts_started"] == 1
        with Session(engine) as session:
            rows = session.execute(select(BuddyShiftRow)).scalars().all()
            assert [(r.id, r.buddy, r.ended) for r in rows] == [(sara_in, "Sara", None)]
        assert kiosk_side.on_duty() == ["Sara"]

        # Resolved with an outcome and topics: stored with the request
        resolved = p.HelpChange(
            first,
            p.HelpState.RESOLVED,
            p.utc_now(),
            buddy="Sara",
            outcome=p.HelpOutcome.SOLVED,
            topics=("itsme", "mypension"),
        )
        wire.send(f"kiosk/v1/{SITE}/pc-01/help/reply", p.encode_help(resolved), retain=True)

        def stored() -> tuple[str | None, str | None, str | None]:
            with Session(engine) as session:
                row = session.get(HelpRequestRow, first)
                return (None, None, None) if row is None else (row.state, row.outcome, row.topics)

        wait_for(
            lambda: stored() == ("resolved", "solved", "itsme,mypension"),
            TIMEOUT,
            "the outcome stored",
        )
        wait_for(
            lambda: (q := kiosk_side.queue()) is not None and q.claimed == 0,
            TIMEOUT,
            "the resolved call off the queue",
        )
        queue = kiosk_side.queue()
        assert queue is not None and queue.place_of(second) == (1, 60)  # Sara is free again
        third = wire.call("pc-03")
        wait_for(lambda: kiosk_side.waiting() == [second, third], TIMEOUT, "a third call")
        before = kiosk_side.queue()
        assert before is not None
        wait_for(lambda: stored_open(engine) == {second, third}, TIMEOUT, "the open calls stored")

        # A restarted serve publishes the same queue: cleared first, so that what a new
        # subscriber gets can only come from the new keeper (seeded from the database)
        serve.stop_keeper()
        wire.send(QUEUE, b"", retain=True)
        wire.send(DUTY, b"", retain=True)
        serve.start_keeper()
        fresh = Listener(mosquitto.port).start()
        try:
            wait_for(lambda: fresh.queue() is not None, TIMEOUT, "the queue after a restart")
            wait_for(lambda: fresh.on_duty() == ["Sara"], TIMEOUT, "the roster after a restart")
            after = fresh.queue()
            assert after is not None
            # Never, not even for a moment, the resolved call back in the queue (the kiosk's
            # retained "open" stays on its topic; the keeper hears the replies first).
            assert not [q for q in fresh.queues if first in [w.request for w in q.waiting]]
            assert (after.waiting, after.claimed, after.on_duty, after.handle_s) == (
                before.waiting,
                before.claimed,
                before.on_duty,
                before.handle_s,
            )
        finally:
            fresh.stop()

        # Check-out: the roster empties, the shift is closed by the check-out's id
        sara_out = wire.checkin("Sara", "out")
        wait_for(lambda: kiosk_side.on_duty() == [], TIMEOUT, "Sara off the roster")
        wait_for(
            lambda: (q := kiosk_side.queue()) is not None and q.on_duty == 0,
            TIMEOUT,
            "nobody on duty in the queue",
        )

        def ended_by() -> str | None:
            with Session(engine) as session:
                shift = session.get(BuddyShiftRow, sara_in)
                return None if shift is None else shift.ended_by

        wait_for(lambda: ended_by() == sara_out, TIMEOUT, "the shift closed")
    finally:
        engine.dispose()
        buddy.stop()
        wire.stop()
        kiosk_side.stop()


def stored_open(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(
            session.execute(
                select(HelpRequestRow.id).where(HelpRequestRow.state == "open")
            ).scalars()
        )
