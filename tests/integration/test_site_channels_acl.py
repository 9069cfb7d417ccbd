"""The site channels (issue 16) on the provisioned central broker: who may write and read a
site's queue, duty roster and check-ins, and the real queue keeper (``admin-console serve
--config DIR/aggregator.toml``) publishing through that ACL.

As in test_broker_security.py: Mosquitto acknowledges a forbidden publish and filters at
delivery, so a refusal is shown by what does *not* arrive, next to an allowed control message
on the same path that does.
"""

from __future__ import annotations

import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from admin_console.provision.mosquitto import queue_keeper_username
from kiosk.wire import protocol as p
from tests.harness import Proc, admin_console, suite_env, wait_for
from tests.integration.provisioned_central import connected_peers, provisioned_central
from tests.integration.test_broker_security import TIMEOUT, Central, Peer, blocked

pytestmark = pytest.mark.broker

QUEUE = "kiosk/v1/schaerbeek/_site/queue"
DUTY = "kiosk/v1/schaerbeek/_site/duty"
CHECKIN = "kiosk/v1/schaerbeek/_site/checkin"
EVERE_QUEUE = "kiosk/v1/evere/_site/queue"
BRUGES_QUEUE = "kiosk/v1/bruges/_site/queue"
KEEPER = "the queue keeper"

CREDENTIALS = [
    ("kiosk", "--site", "schaerbeek", "--machine", "pc-01", "--label", "PC 1 — bij de deur"),
    ("kiosk", "--site", "schaerbeek", "--machine", "pc-02"),
    ("kiosk", "--site", "evere", "--machine", "pc-01"),
    ("buddy", "--site", "schaerbeek", "--name", "Sara"),
    ("buddy", "--site", "evere", "--name", "Tom"),
    ("admin", "--name", "Jan"),
    ("kiosk", "--site", "bruges", "--machine", "pc-01"),  # a room with its own broker
    ("bridge", "--site", "bruges"),
]


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Central]:
    directory = tmp_path_factory.mktemp("central-sites") / "broker"
    with provisioned_central(directory, CREDENTIALS) as central:
        yield central


@pytest.fixture
def peers(central: Central) -> Iterator[Any]:
    def open_peer(relative: str) -> Peer:
        if relative == KEEPER:  # serve's queue keeper: the aggregator's password, own account
            path = central.config("aggregator.toml")
            table = tomllib.loads(path.read_text())["broker"]
            return Peer(
                central.broker.port,
                username=queue_keeper_username(table["username"]),
                password=table["password"],
                ca_file=path.parent / table["ca_file"],
            )
        return Peer.from_config(central.config(relative), central.broker.port)

    with connected_peers(open_peer) as make:
        yield make


def test_a_forged_queue_or_roster_never_reaches_a_subscriber(central: Central, peers: Any) -> None:
    keeper = peers(KEEPER)  # the queue keeper's credential: the only writer
    kiosk = peers("kiosks/schaerbeek/pc-01.toml", QUEUE)
    buddy = peers("buddies/schaerbeek/sara.toml", QUEUE, DUTY)
    admin = peers("admins/jan.toml", "kiosk/v1/+/_site/#")
    for what, sender, topic, watchers in (
        ("a kiosk forges its site's queue", kiosk, QUEUE, [kiosk, buddy, admin]),
        ("a buddy forges its site's queue", buddy, QUEUE, [kiosk, buddy, admin]),
        ("a buddy forges the duty roster", buddy, DUTY, [buddy, admin]),
        ("a kiosk forges the duty roster", kiosk, DUTY, [buddy, admin]),
        ("an admin forges a queue", admin, QUEUE, [kiosk, buddy, admin]),
    ):
        blocked(central, what, sender, topic, topic, watchers, control_sender=keeper)

    # Retained: a forged queue sent after the keeper's never replaces it for a later reader.
    tag = uuid.uuid4().hex[:8]
    real, forged = f"keeper {tag}".encode(), f"forged {tag}".encode()
    keeper.publish(QUEUE, real, retain=True)
    kiosk.wait_for(QUEUE, real)
    kiosk.publish(QUEUE, forged, retain=True)
    buddy.publish(QUEUE, forged, retain=True)
    later = peers("kiosks/schaerbeek/pc-02.toml", QUEUE)
    later.wait_for(QUEUE, real)
    assert not any(payload == forged for _, payload in later.messages + kiosk.messages)


def test_a_kiosk_reads_its_own_sites_queue_and_nothing_else_there(
    central: Central, peers: Any
) -> None:
    keeper = peers(KEEPER)
    nosy = peers("kiosks/schaerbeek/pc-01.toml", "kiosk/v1/+/_site/#")
    evere = peers("kiosks/evere/pc-01.toml", EVERE_QUEUE)
    blocked(
        central,
        "a kiosk reads another site's queue",
        keeper,
        EVERE_QUEUE,
        QUEUE,
        [nosy],
        seen_by=evere,
    )
    blocked(central, "a kiosk reads the duty roster", keeper, DUTY, QUEUE, [nosy])
    buddy = peers("buddies/schaerbeek/sara.toml")
    blocked(
        central, "a kiosk reads check-ins", buddy, CHECKIN, QUEUE, [nosy], control_sender=keeper
    )
    blocked(
        central,
        "a kiosk checks a buddy in",
        nosy,
        CHECKIN,
        CHECKIN,
        [peers("aggregator.toml", CHECKIN)],  # the aggregator reads every check-in
        control_sender=buddy,
    )


def test_a_buddy_checks_in_at_its_own_site_only(central: Central, peers: Any) -> None:
    aggregator = peers("aggregator.toml", "kiosk/v1/+/_site/checkin")  # reads them all
    sara = peers("buddies/schaerbeek/sara.toml")
    blocked(
        central,
        "a buddy checks in at another site",
        sara,
        "kiosk/v1/evere/_site/checkin",
        CHECKIN,
        [aggregator],
    )
    blocked(
        central,
        "a buddy reads another site's queue",
        peers(KEEPER),
        EVERE_QUEUE,
        QUEUE,
        [peers("buddies/schaerbeek/sara.toml", "kiosk/v1/+/_site/+")],
    )


def test_the_real_queue_keeper_publishes_through_the_acl(
    central: Central, peers: Any, tmp_path: Path
) -> None:
    """``admin-console serve --config DIR/aggregator.toml``: a kiosk's call reaches the kiosk
    as its place in the queue; a buddy's check-in reaches the desk as the roster."""
    url = f"mqtts://127.0.0.1:{central.broker.port}"
    config = central.directory / "serve-with-sites.toml"  # beside ca.crt, as aggregator.toml
    config.write_text(
        central.config("aggregator.toml").read_text()
        + '\n[sites.schaerbeek]\npermanences = {"mon-sun" = ["00:00-23:59"]}\n'
    )
    serve = Proc(
        admin_console("serve", "--config", str(config), "--db", f"sqlite:///{tmp_path / 'a.db'}"),
        suite_env(),
    ).start()
    try:
        serve.wait_for_line(f"connected to {url}", TIMEOUT)
        serve.wait_for_line("queue keeper: on the broker", TIMEOUT)
        kiosk = peers("kiosks/schaerbeek/pc-01.toml", QUEUE)
        sara = peers("buddies/schaerbeek/sara.toml", DUTY)
        request = p.new_id()
        call = p.HelpChange(request, p.HelpState.OPEN, p.utc_now(), lang="nl")
        kiosk.publish("kiosk/v1/schaerbeek/pc-01/help", p.encode_help(call), retain=True)

        def latest_queue() -> p.SiteQueue | None:
            for topic, payload in reversed(kiosk.messages):
                if topic == QUEUE:
                    try:
                        return p.decode_queue(payload)
                    except p.Rejected:
                        continue  # a control payload of an earlier test, retained
            return None

        def place() -> tuple[int, int] | None:
            queue = latest_queue()
            return None if queue is None else queue.place_of(request)

        wait_for(lambda: place() is not None, TIMEOUT, "the kiosk's place in the queue")
        assert place() == (1, 60)
        checkin = p.CheckIn(p.new_id(), p.utc_now(), "Sara", "in")
        sara.publish(CHECKIN, p.encode_checkin(checkin))

        def on_duty() -> list[str]:
            for topic, payload in reversed(sara.messages):
                if topic == DUTY:
                    try:
                        return [b.buddy for b in p.decode_duty(payload).buddies]
                    except p.Rejected:
                        return []
            return []

        wait_for(lambda: on_duty() == ["Sara"], TIMEOUT, "Sara on the duty roster")
        cancel = p.HelpChange(request, p.HelpState.CANCELLED, p.utc_now())
        kiosk.publish("kiosk/v1/schaerbeek/pc-01/help", p.encode_help(cancel), retain=True)
        wait_for(
            lambda: (q := latest_queue()) is not None and q.waiting == () and q.on_duty == 1,
            TIMEOUT,
            "the cancelled call out of the queue, Sara on duty",
        )
    finally:
        serve.stop()
        print(serve.output()[-3000:])


def test_the_keeper_speaks_every_minute_to_a_room_with_its_own_broker(
    central: Central, peers: Any, tmp_path: Path
) -> None:
    """A room's bridge seen at the centre (its retained ``bridges/bruges/state``): the keeper in
    ``serve`` publishes that room's queue although nobody there has called, and again every
    minute. Through the bridge, that is the centre's word to the room's kiosks that their line
    is alive (kiosk/uplink/bridge_hold.py); the queue itself changes nothing for a visitor."""
    conf = central.config("bridges/bruges.conf").read_text()
    lines = dict(line.split(" ", 1) for line in conf.splitlines() if line.startswith("remote_"))
    bridge = Peer(
        central.broker.port,
        username=lines["remote_username"],
        password=lines["remote_password"],
        ca_file=central.directory / "ca.crt",
    ).connected_peer()
    serve: Proc | None = None
    try:
        bridge.publish("bridges/bruges/state", b"1", retain=True)
        kiosk = peers("kiosks/bruges/pc-01.toml", BRUGES_QUEUE)
        assert not kiosk.messages
        serve = Proc(
            admin_console(
                "serve",
                "--config",
                str(central.config("aggregator.toml")),
                "--db",
                f"sqlite:///{tmp_path / 'a.db'}",
            ),
            suite_env(),
        ).start()
        serve.wait_for_line("queue keeper: on the broker", TIMEOUT)
        wait_for(lambda: bool(kiosk.messages), TIMEOUT, "the room's queue from the keeper")
        topic, payload = kiosk.messages[0]
        queue = p.decode_queue(payload)
        assert topic == BRUGES_QUEUE
        assert queue.waiting == () and queue.on_duty is None  # never "no buddy now"
    finally:
        if serve is not None:
            serve.stop()
        bridge.publish("bridges/bruges/state", b"", retain=True)
        bridge.close()
