"""Commands from the console: one message per kiosk, acks followed, all in the audit log."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy.engine import Engine

from admin_console.desk.commands import (
    AdminCallbacks,
    AdminLink,
    CommandAudit,
    CommandError,
    CommandTracker,
    Outcome,
    Target,
    command_args,
)
from admin_console.store.database import open_database
from kiosk.wire import protocol as p
from kiosk.wire.broker import parse_broker_url
from tests.conftest import Mosquitto, wait_for

T0 = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
KNOWN = [("gent", "pc-01"), ("gent", "pc-02"), ("evere", "pc-01")]


def test_a_site_gets_one_message_per_kiosk_each_with_its_own_id() -> None:
    tracker = CommandTracker("coordinator", clock=lambda: T0)
    prepared = tracker.prepare("lock", {}, Target("gent"), KNOWN)
    assert [topic for topic, _, _ in prepared] == [
        "kiosk/v1/gent/pc-01/cmd",
        "kiosk/v1/gent/pc-02/cmd",
    ]
    commands = [p.decode_command(payload) for _, payload, _ in prepared]
    assert len({c.id for c in commands}) == 2 and {c.cmd for c in commands} == {"lock"}
    assert {r.batch for _, _, r in prepared} == {prepared[0][2].batch}
    assert len(tracker.prepare("unlock", {}, Target(), KNOWN)) == 3
    assert Target("gent", "pc-09").kiosks(KNOWN) == [("gent", "pc-09")]
    with pytest.raises(CommandError, match="no known kiosk for site liege"):
        tracker.prepare("lock", {}, Target("liege"), KNOWN)


def test_acks_are_matched_to_the_kiosk_that_got_the_command() -> None:
    now = [T0]
    tracker = CommandTracker("coordinator", clock=lambda: now[0])
    (_, _, record), (_, _, other) = tracker.prepare("end_session", {}, Target("gent"), KNOWN)
    tracker.record(record)
    tracker.record(other)
    ack = p.CommandAck(record.id, T0, True, None)
    assert tracker.apply_ack("gent", "pc-02", ack) is None  # not the kiosk it was sent to
    done = tracker.apply_ack("gent", "pc-01", ack)
    assert done is not None and done.outcome(T0) is Outcome.DONE
    refused = tracker.apply_ack("gent", "pc-02", p.CommandAck(other.id, T0, False, "busy"))
    assert refused is not None and refused.outcome(T0) is Outcome.REFUSED
    assert refused.error == "busy"
    late = tracker.prepare("lock", {}, Target("evere", "pc-01"), KNOWN)[0][2]
    assert late.outcome(T0 + timedelta(seconds=30)) is Outcome.WAITING
    assert late.outcome(T0 + timedelta(minutes=2)) is Outcome.NO_ANSWER


def test_announcements_need_a_text() -> None:
    args = command_args("announce", {"nl": " Wij sluiten om 16 uur. ", "fr": ""}, hours=2)
    assert args["text"] == {"nl": "Wij sluiten om 16 uur."}
    assert p.parse_ts(args["until"]) > datetime.now(UTC) + timedelta(hours=1)
    assert command_args("lock") == {}
    one = Target("s", "pc-1")
    assert command_args("set_label", label=" PC 1 — links ", target=one) == {
        "label": "PC 1 — links"
    }
    assert command_args("set_label", label="  ", target=one) == {"label": None}  # no name
    for bad_label, target, reason in (
        ("x" * 61, one, "bad_label"),
        ("PC\n1", one, "bad_label"),
        ("PC 1", Target("s"), "one_kiosk"),
    ):
        with pytest.raises(CommandError) as caught:
            command_args("set_label", label=bad_label, target=target)
        assert caught.value.reason == reason
    with pytest.raises(CommandError, match="text"):
        command_args("announce", {"nl": "  "})
    with pytest.raises(CommandError):
        command_args("ping")  # not one the console offers


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    yield engine
    engine.dispose()


def test_the_audit_log_keeps_who_sent_what_and_the_answer(engine: Engine) -> None:
    tracker = CommandTracker("Marie (coordinator)", clock=lambda: T0)
    args = command_args("announce", {"fr": "Fermeture à 16 h"})
    records = [r for _, _, r in tracker.prepare("announce", args, Target("gent"), KNOWN)]
    audit = CommandAudit(engine)
    audit.record_sent(records)
    assert audit.record_ack(p.CommandAck(records[0].id, T0 + timedelta(seconds=2), True, None))
    assert not audit.record_ack(p.CommandAck(p.new_id(), T0, True, None))  # another console's
    history = audit.history()
    assert [(c.admin, c.cmd, c.target) for c in history] == [
        ("Marie (coordinator)", "announce", "site gent")
    ] * 2
    by_machine = {c.machine: c for c in history}
    assert by_machine["pc-01"].ok is True and by_machine["pc-01"].outcome() is Outcome.DONE
    assert by_machine["pc-02"].ok is None
    assert by_machine["pc-01"].args == {"text": {"fr": "Fermeture à 16 h"}}
    # A refusal keeps the kiosk's reason code (migration 0007) beside its text.
    refusal = p.CommandAck(records[1].id, T0, False, "announce has no text", "bad_args")
    assert audit.record_ack(refusal)
    refused = {c.machine: c for c in audit.history()}["pc-02"]
    assert refused.outcome() is Outcome.REFUSED
    assert (refused.error, refused.reason) == ("announce has no text", "bad_args")


class FakeKiosk:
    """A paho client that answers every command on its topic, as a kiosk does."""

    def __init__(self, port: int, site: str, machine: str) -> None:
        self.topic = f"kiosk/v1/{site}/{machine}"
        self.got: list[p.Command] = []
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        self.client.on_message = self._on_message
        ready = threading.Event()
        self.client.on_subscribe = lambda *_: ready.set()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        status = p.encode_status("idle", version="0.3.0", disk_pct=50.0)
        self.client.publish(f"{self.topic}/status", status, qos=1, retain=True)
        self.client.subscribe(f"{self.topic}/cmd", 1)
        assert ready.wait(10)

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        command = p.decode_command(message.payload)
        self.got.append(command)
        ok = command.cmd != "lock"
        error, reason = (None, None) if ok else ("locking is disabled here", "bad_args")
        ack = p.encode_ack(command.id, ok, error, reason)
        self.client.publish(f"{self.topic}/cmd/ack", ack, qos=1)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_commands_reach_every_kiosk_of_a_site_and_their_acks_come_back(
    mosquitto: Mosquitto,
) -> None:
    kiosks = [FakeKiosk(mosquitto.port, "gent", f"pc-0{n}") for n in (1, 2)]
    statuses: list[tuple[str, str, str]] = []
    acks: list[tuple[str, str, p.CommandAck]] = []
    connected = threading.Event()
    callbacks = AdminCallbacks(
        status=lambda site, machine, s, _retained: statuses.append((site, machine, s.state)),
        help_change=lambda *_: None,
        ack=lambda site, machine, ack: acks.append((site, machine, ack)),
        connection=lambda up: connected.set() if up else None,
    )
    link = AdminLink(parse_broker_url(mosquitto.url), callbacks)
    link.start()
    try:
        assert connected.wait(10)
        wait_for(lambda: len(statuses) == 2, 10, "both retained statuses")
        tracker = CommandTracker("coordinator")
        known = [(site, machine) for site, machine, _ in statuses]
        sent = tracker.prepare("reload_content", {}, Target("gent"), known)
        for topic, payload, record in sent:
            assert link.publish_command(topic, payload)
            tracker.record(record)
        wait_for(lambda: len(acks) == 2, 10, "two acks")
        for site, machine, ack in acks:
            assert tracker.apply_ack(site, machine, ack) is not None
        assert {c.outcome() for c in tracker.recent()} == {Outcome.DONE}
        assert [len(k.got) for k in kiosks] == [1, 1]
        assert kiosks[0].got[0].id != kiosks[1].got[0].id
        lock = tracker.prepare("lock", {}, Target("gent", "pc-02"), known)[0]
        link.publish_command(lock[0], lock[1])
        tracker.record(lock[2])
        wait_for(lambda: len(acks) == 3, 10, "the lock's ack")
        refused = tracker.apply_ack(*acks[2])
        assert refused is not None and refused.outcome() is Outcome.REFUSED
        assert (refused.error, refused.reason) == ("locking is disabled here", "bad_args")
        assert json.loads(lock[1])["cmd"] == "lock"
    finally:
        link.stop()
        for kiosk in kiosks:
            kiosk.close()
