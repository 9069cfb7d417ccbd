"""The provisioned central broker, attacked with real clients: every refusal next to its control.

`admin-console provision` makes the directory (CA, certificate, passwords, ACL) on free ports;
Mosquitto starts with the generated mosquitto.conf as is. The clients here are plain paho
clients set up from the generated files (not the suite's own client code), except where the
point is that the suite's own programs work with those files.

Mosquitto 2.0 acknowledges an unauthorised publish (MQTT 3.1.1 has no way to say no) and
grants every subscription, filtering at delivery. So a refusal is shown by what does *not*
arrive: the forbidden message is sent first, then an allowed control message on the same path;
once the control has arrived, the forbidden one would have arrived before it.
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
import tomllib
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from admin_console.provision.pki import make_ca
from kiosk.wire.broker import BrokerSettings, broker_from_config, load_toml, make_client
from tests.harness import Mosquitto, Proc, admin_console, free_port, run_stats, suite_env, wait_for

pytestmark = pytest.mark.broker

TIMEOUT = 30.0  # a shared 2-core machine: generous, and only ever spent when something is wrong
AS_ROOT = os.geteuid() == 0


# --- the broker -----------------------------------------------------------------------------


def provision(*args: str) -> str:
    done = subprocess.run(
        admin_console("provision", *args),
        capture_output=True,
        text=True,
        timeout=120,
        env=suite_env(),
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def init_dir(directory: Path, port: int) -> str:
    # Run by root, Mosquitto would switch to 'mosquitto', which cannot enter pytest's 0700
    # temporary folders: the test broker runs as root (`user root` in the generated file).
    extra = ["--broker-user", "root"] if AS_ROOT else []
    return provision(
        "init", "--dir", str(directory), "--host", "127.0.0.1", "--port", str(port), *extra
    )


def broker_of(directory: Path, port: int) -> Mosquitto:
    """Mosquitto on a provisioned directory's generated mosquitto.conf, as it is."""
    return Mosquitto(port, directory, conf=directory / "mosquitto.conf", log_name="broker.log")


@dataclass
class Central:
    broker: Mosquitto
    tally: Counter[str] = field(default_factory=Counter)

    @property
    def directory(self) -> Path:
        return self.broker.folder

    def config(self, relative: str) -> Path:
        return self.directory / relative

    def refused(self, what: str) -> None:
        self.tally[what] += 1


CREDENTIALS = [
    ("kiosk", "--site", "schaerbeek", "--machine", "pc-01"),
    ("kiosk", "--site", "schaerbeek", "--machine", "pc-02"),
    ("kiosk", "--site", "schaerbeek", "--machine", "pc-05"),
    ("kiosk", "--site", "schaerbeek", "--machine", "pc-06"),
    ("kiosk", "--site", "evere", "--machine", "pc-01"),
    ("buddy", "--site", "schaerbeek", "--name", "Sara"),
    ("buddy", "--site", "schaerbeek", "--name", "Desk 1"),
    ("buddy", "--site", "evere", "--name", "Tom"),
    ("admin", "--name", "Jan"),
    ("aggregator", "--name", "witness"),
]


@pytest.fixture(scope="module")
def central(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Central]:
    directory = tmp_path_factory.mktemp("central") / "broker"
    port = free_port()
    init_dir(directory, port)
    for credential in CREDENTIALS:
        provision(credential[0], "--dir", str(directory), *credential[1:])
    broker = broker_of(directory, port).start(TIMEOUT)
    central = Central(broker)
    yield central
    broker.stop()
    total = sum(central.tally.values())
    line = (
        f"broker security: {total} attempted violations, all refused "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(central.tally.items()))})"
    )
    print(line)  # for -s and for the report of a failure
    plugins = request.config.pluginmanager
    reporter, capture = plugins.getplugin("terminalreporter"), plugins.getplugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # shown in a plain `pytest -q` run too
            reporter.write_line("")
            reporter.write_line(line.split(" (")[0])
            reporter.write_line("  " + line.split(" (", 1)[1].rstrip(")"))


# --- independent clients --------------------------------------------------------------------


class Peer:
    """A paho client built straight from a generated client file, recording what it gets."""

    def __init__(
        self,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        ca_file: Path | None = None,
        host: str = "127.0.0.1",
        client_id: str = "",
        clean_session: bool = True,
    ) -> None:
        self.host, self.port = host, port
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv311,
            clean_session=clean_session,
        )
        if ca_file is not None:
            self.client.tls_set_context(ssl.create_default_context(cafile=str(ca_file)))
        if username is not None:
            self.client.username_pw_set(username, password)
        self.connack: ReasonCode | None = None
        self.session_present = False
        self.disconnects = 0
        self.subacks: set[int] = set()
        self.messages: list[tuple[str, bytes]] = []
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message

    @classmethod
    def from_config(cls, path: Path, port: int, **kwargs: Any) -> Peer:
        table = tomllib.loads(path.read_text())["broker"]
        ca = Path(table["ca_file"])
        return cls(
            port,
            username=table["username"],
            password=table["password"],
            ca_file=ca if ca.is_absolute() else path.parent / ca,
            **kwargs,
        )

    def _on_connect(
        self, client: mqtt.Client, _u: Any, flags: Any, rc: ReasonCode, _p: Any
    ) -> None:
        self.session_present = bool(flags.session_present)
        self.connack = rc
        if rc.is_failure:
            client.disconnect()  # no automatic retry for a refused client

    def _on_disconnect(self, *_: Any) -> None:
        self.disconnects += 1

    def _on_subscribe(self, _c: Any, _u: Any, mid: int, *_: Any) -> None:
        self.subacks.add(mid)

    def _on_message(self, _c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        self.messages.append((message.topic, bytes(message.payload)))

    @property
    def connected(self) -> bool:
        return self.connack is not None and not self.connack.is_failure and not self.disconnects

    def connect(self) -> ReasonCode | None:
        """The broker's CONNACK, or None when the connection ended without one."""
        self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()
        wait_for(lambda: self.connack is not None or self.disconnects, TIMEOUT, "a CONNACK")
        return self.connack

    def connected_peer(self) -> Peer:
        reason = self.connect()
        assert reason is not None and not reason.is_failure, f"refused: {reason}"
        return self

    def subscribe(self, *filters: str) -> Peer:
        _, mid = self.client.subscribe([(f, 1) for f in filters])
        wait_for(lambda: mid in self.subacks, TIMEOUT, "a SUBACK")
        return self

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        info.wait_for_publish(TIMEOUT)
        assert info.is_published(), f"no PUBACK for {topic}"

    def got(self, payload: bytes) -> bool:
        return any(p == payload for _, p in self.messages)

    def wait_for(self, topic: str, payload: bytes) -> None:
        wait_for(lambda: (topic, payload) in self.messages, TIMEOUT, f"{payload!r} on {topic}")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def peers(central: Central) -> Iterator[Any]:
    """``peers("kiosks/schaerbeek/pc-01.toml")``: a connected client with that credential."""
    made: list[Peer] = []

    def make(relative: str, *filters: str, **kwargs: Any) -> Peer:
        peer = Peer.from_config(central.config(relative), central.broker.port, **kwargs)
        made.append(peer)
        peer.connected_peer()
        return peer.subscribe(*filters) if filters else peer

    yield make
    for peer in made:
        peer.close()


def witness(peers: Any) -> Peer:
    """The aggregator's read-everything view: what it does not get, the broker dropped."""
    return peers("aggregators/witness.toml", "kiosk/v1/#")  # type: ignore[no-any-return]


def blocked(
    central: Central,
    what: str,
    sender: Peer,
    forbidden: str,
    control: str,
    watchers: list[Peer],
    *,
    control_sender: Peer | None = None,
    seen_by: Peer | None = None,
) -> None:
    """Send ``forbidden`` then ``control``; each watcher gets the control and not the other.

    ``seen_by``, when given, must get the forbidden message: it exists, only the watcher may
    not read it.
    """
    tag = uuid.uuid4().hex[:8]
    bad, good = f"forbidden {what} {tag}".encode(), f"control {what} {tag}".encode()
    sender.publish(forbidden, bad)
    (control_sender or sender).publish(control, good)
    for watcher in watchers:
        watcher.wait_for(control, good)
    if seen_by is not None:
        seen_by.wait_for(forbidden, bad)
    for watcher in watchers:
        assert not watcher.got(bad), f"{what}: {forbidden} got through"
    central.refused(what)


# --- who may connect ------------------------------------------------------------------------


def test_anonymous_and_wrong_credentials_are_refused(central: Central) -> None:
    port, ca = central.broker.port, central.directory / "ca.crt"
    table = tomllib.loads(central.config("kiosks/schaerbeek/pc-01.toml").read_text())["broker"]
    other = tomllib.loads(central.config("kiosks/schaerbeek/pc-02.toml").read_text())["broker"]
    attempts = {
        "anonymous": Peer(port, ca_file=ca),
        "wrong password": Peer(port, username=table["username"], password="guess", ca_file=ca),
        "another kiosk's password": Peer(
            port, username=table["username"], password=other["password"], ca_file=ca
        ),
        "unknown user": Peer(
            port, username="kiosk.schaerbeek.pc-99", password=table["password"], ca_file=ca
        ),
        "username without password": Peer(port, username=table["username"], ca_file=ca),
    }
    for what, peer in attempts.items():
        try:
            reason = peer.connect()
        finally:
            peer.close()
        assert reason is not None and reason.is_failure, what
        assert "not authori" in str(reason).lower(), f"{what}: {reason}"
        central.refused(what)
    # Control: the right password on the same path.
    good = Peer(port, username=table["username"], password=table["password"], ca_file=ca)
    try:
        assert good.connected_peer().connected
    finally:
        good.close()
    print(f"{len(attempts)} connection attempts refused")


def test_only_verified_tls_gets_in(central: Central, tmp_path: Path) -> None:
    path = central.config("kiosks/schaerbeek/pc-01.toml")
    table = tomllib.loads(path.read_text())["broker"]
    port = central.broker.port

    plain = Peer(port, username=table["username"], password=table["password"])  # no TLS
    try:
        reason = plain.connect()
    except ConnectionError:  # the broker may close before paho has sent all of CONNECT
        reason = None
    finally:
        plain.close()
    assert reason is None, "plain MQTT got a CONNACK on the TLS port"
    central.refused("plain TCP")

    # The suite's own client (kiosk/wire/broker.py) refuses a broker it cannot verify.
    settings = broker_from_config(load_toml(path), path)
    assert settings is not None and settings.tls
    client = make_client(settings, "tls-check")
    with pytest.raises(ssl.SSLCertVerificationError, match="IP address mismatch"):
        client.connect("127.0.0.2", port)  # same broker, a name not in its certificate
    central.refused("name not in the certificate")
    foreign = tmp_path / "foreign-ca.crt"
    foreign.write_bytes(make_ca("another broker's CA").cert_pem)
    impostor_trust = make_client(
        BrokerSettings(settings.host, port, True, settings.username, settings.password, foreign),
        "tls-check-2",
    )
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        impostor_trust.connect(settings.host, port)
    central.refused("server signed by another CA")

    # Control: the same client, the generated file as is.
    client = make_client(settings, "tls-ok")
    connected: list[ReasonCode] = []
    client.on_connect = lambda _c, _u, _f, rc, _p: connected.append(rc)
    client.connect(settings.host, settings.port)
    client.loop_start()
    try:
        wait_for(lambda: connected, TIMEOUT, "CONNACK")
        assert not connected[0].is_failure
    finally:
        client.disconnect()
        client.loop_stop()
    print("3 TLS violations refused")


# --- what each credential may do ------------------------------------------------------------


def test_a_kiosk_publishes_only_as_itself(central: Central, peers: Any) -> None:
    everything = witness(peers)
    kiosk = peers("kiosks/schaerbeek/pc-01.toml")
    own = "kiosk/v1/schaerbeek/pc-01/events"
    for what, topic in (
        ("kiosk A publishes B's events", "kiosk/v1/schaerbeek/pc-02/events"),
        ("kiosk A publishes B's status", "kiosk/v1/schaerbeek/pc-02/status"),
        ("kiosk A publishes another site's help call", "kiosk/v1/evere/pc-01/help"),
        ("kiosk A acknowledges for B", "kiosk/v1/schaerbeek/pc-02/cmd/ack"),
        ("kiosk fakes a buddy's reply", "kiosk/v1/schaerbeek/pc-01/help/reply"),
        ("kiosk publishes outside kiosk/v1", "kiosk/v2/schaerbeek/pc-01/events"),
    ):
        blocked(central, what, kiosk, topic, own, [everything])
    # Controls: every topic a kiosk does own.
    for channel in ("events", "status", "help", "cmd/ack"):
        topic = f"kiosk/v1/schaerbeek/pc-01/{channel}"
        kiosk.publish(topic, b"allowed " + channel.encode())
        everything.wait_for(topic, b"allowed " + channel.encode())


def test_a_kiosk_sends_no_commands(central: Central, peers: Any) -> None:
    everything = witness(peers)
    kiosk = peers("kiosks/schaerbeek/pc-01.toml")
    own = "kiosk/v1/schaerbeek/pc-01/events"
    blocked(
        central, "kiosk sends a command", kiosk, "kiosk/v1/schaerbeek/pc-02/cmd", own, [everything]
    )
    blocked(
        central, "kiosk commands itself", kiosk, "kiosk/v1/schaerbeek/pc-01/cmd", own, [everything]
    )


def test_a_kiosk_reads_only_its_own_commands_and_replies(central: Central, peers: Any) -> None:
    nosy = peers("kiosks/schaerbeek/pc-01.toml", "kiosk/v1/#")
    other = peers("kiosks/schaerbeek/pc-02.toml", "kiosk/v1/schaerbeek/pc-02/#")
    admin = peers("admins/jan.toml")
    buddy = peers("buddies/schaerbeek/sara.toml")
    blocked(
        central,
        "kiosk A reads B's commands",
        admin,
        "kiosk/v1/schaerbeek/pc-02/cmd",
        "kiosk/v1/schaerbeek/pc-01/cmd",
        [nosy],
        seen_by=other,
    )
    blocked(
        central,
        "kiosk A reads B's help replies",
        buddy,
        "kiosk/v1/schaerbeek/pc-02/help/reply",
        "kiosk/v1/schaerbeek/pc-01/help/reply",
        [nosy],
        seen_by=other,
    )
    blocked(
        central,
        "kiosk A reads B's events",
        other,
        "kiosk/v1/schaerbeek/pc-02/events",
        "kiosk/v1/schaerbeek/pc-01/cmd",
        [nosy],
        control_sender=admin,
    )


def test_buddies_see_and_answer_only_their_site(central: Central, peers: Any) -> None:
    everything = witness(peers)
    tom = peers("buddies/evere/tom.toml", "kiosk/v1/#")
    sara = peers("buddies/schaerbeek/sara.toml", "kiosk/v1/schaerbeek/#")
    kiosk_s = peers("kiosks/schaerbeek/pc-01.toml")
    kiosk_e = peers("kiosks/evere/pc-01.toml")
    for channel in ("help", "status"):
        blocked(
            central,
            f"buddy reads another site's {channel}",
            kiosk_s,
            f"kiosk/v1/schaerbeek/pc-01/{channel}",
            f"kiosk/v1/evere/pc-01/{channel}",
            [tom],
            control_sender=kiosk_e,
            seen_by=sara,  # the positive control: the site's own buddy gets it
        )
    blocked(
        central,
        "buddy reads another site's replies",
        sara,
        "kiosk/v1/schaerbeek/pc-01/help/reply",
        "kiosk/v1/evere/pc-01/help/reply",
        [tom],
        control_sender=tom,
        seen_by=sara,
    )
    blocked(
        central,
        "buddy answers another site's call",
        tom,
        "kiosk/v1/schaerbeek/pc-01/help/reply",
        "kiosk/v1/evere/pc-01/help/reply",
        [everything],
    )
    blocked(
        central,
        "buddy reads the site's events",
        kiosk_s,
        "kiosk/v1/schaerbeek/pc-01/events",
        "kiosk/v1/schaerbeek/pc-01/help",
        [sara],
    )


def test_buddies_send_no_commands_and_speak_for_no_kiosk(central: Central, peers: Any) -> None:
    everything = witness(peers)
    sara = peers("buddies/schaerbeek/sara.toml")
    reply = "kiosk/v1/schaerbeek/pc-01/help/reply"
    for what, topic in (
        ("buddy sends a command", "kiosk/v1/schaerbeek/pc-01/cmd"),
        ("buddy publishes a kiosk's events", "kiosk/v1/schaerbeek/pc-01/events"),
        ("buddy opens a help call", "kiosk/v1/schaerbeek/pc-01/help"),
    ):
        blocked(central, what, sara, topic, reply, [everything])


def test_admins_command_read_acks_status_and_help_only(central: Central, peers: Any) -> None:
    everything = witness(peers)
    admin = peers("admins/jan.toml", "kiosk/v1/#")
    kiosk = peers("kiosks/schaerbeek/pc-01.toml", "kiosk/v1/schaerbeek/pc-01/cmd")
    # Controls: a command goes out, its ack and the status come back.
    admin.publish("kiosk/v1/schaerbeek/pc-01/cmd", b'{"cmd": "ping"}')
    kiosk.wait_for("kiosk/v1/schaerbeek/pc-01/cmd", b'{"cmd": "ping"}')
    for channel in ("cmd/ack", "status", "help"):
        kiosk.publish(f"kiosk/v1/schaerbeek/pc-01/{channel}", channel.encode())
        admin.wait_for(f"kiosk/v1/schaerbeek/pc-01/{channel}", channel.encode())
    for channel in ("events",):
        blocked(
            central,
            f"admin reads {channel}",
            kiosk,
            f"kiosk/v1/schaerbeek/pc-01/{channel}",
            "kiosk/v1/schaerbeek/pc-01/cmd/ack",
            [admin],
            seen_by=everything,
        )
    blocked(
        central,
        "admin publishes events",
        admin,
        "kiosk/v1/schaerbeek/pc-01/events",
        "kiosk/v1/schaerbeek/pc-01/cmd",
        [everything],
    )


def test_the_aggregator_only_reads(central: Central, peers: Any) -> None:
    reader = peers("aggregators/witness.toml", "kiosk/v1/#")
    kiosk = peers("kiosks/schaerbeek/pc-01.toml", "kiosk/v1/schaerbeek/pc-01/cmd")
    admin = peers("admins/jan.toml")
    blocked(
        central,
        "aggregator sends a command",
        reader,
        "kiosk/v1/schaerbeek/pc-01/cmd",
        "kiosk/v1/schaerbeek/pc-01/cmd",
        [kiosk],
        control_sender=admin,
    )


def test_a_client_id_cannot_knock_another_credential_off(central: Central, peers: Any) -> None:
    # The aggregator connects with a fixed client id (persistent session); a kiosk that reuses
    # it must neither disconnect it nor inherit its session.
    victim = peers("aggregators/witness.toml", "kiosk/v1/#", client_id="aggregator-central")
    thief = peers("kiosks/schaerbeek/pc-02.toml", client_id="aggregator-central")
    thief.publish("kiosk/v1/schaerbeek/pc-02/events", b"same client id")
    victim.wait_for("kiosk/v1/schaerbeek/pc-02/events", b"same client id")
    assert victim.connected and victim.disconnects == 0 and thief.connected
    central.refused("session takeover by client id")


def accepted(port: int, **credential: Any) -> bool:
    peer = Peer(port, **credential)
    try:
        reason = peer.connect()
    finally:
        peer.close()
    return reason is not None and not reason.is_failure


def credential_of(path: Path) -> dict[str, Any]:
    table = tomllib.loads(path.read_text())["broker"]
    ca = Path(table["ca_file"])
    return {
        "username": table["username"],
        "password": table["password"],
        "ca_file": ca if ca.is_absolute() else path.parent / ca,
    }


def test_a_revoked_kiosk_is_refused_after_reload(central: Central, peers: Any) -> None:
    d = str(central.directory)
    provision("kiosk", "--dir", d, "--site", "schaerbeek", "--machine", "pc-09")
    central.broker.reload()
    path = central.config("kiosks/schaerbeek/pc-09.toml")
    credential = credential_of(path)
    port = central.broker.port
    wait_for(lambda: accepted(port, **credential), TIMEOUT, "the reload to let pc-09 in")
    password = credential["password"]
    stolen = peers("kiosks/schaerbeek/pc-09.toml")  # control: it works before the revocation

    out = provision("revoke", "--dir", d, "--kiosk", "schaerbeek/pc-09")
    assert "revoked kiosk schaerbeek/pc-09" in out and password not in out
    assert not path.exists()
    central.broker.reload()
    # Mosquitto 2.0.11 also drops the connection the stolen credential already has.
    wait_for(lambda: stolen.disconnects > 0, TIMEOUT, "the revoked kiosk to be cut off")
    central.refused("revoked kiosk keeps its connection")
    again = Peer(port, **credential)
    try:
        reason = again.connect()
    finally:
        again.close()
    assert reason is not None and reason.is_failure and "not authori" in str(reason).lower()
    central.refused("revoked kiosk connects")
    assert peers("kiosks/schaerbeek/pc-01.toml").connected  # control: the others still get in


def test_a_renewed_server_certificate_is_served_after_reload(central: Central) -> None:
    port = central.broker.port
    before = ssl.get_server_certificate(("127.0.0.1", port), timeout=TIMEOUT)
    out = provision("server-cert", "--dir", str(central.directory))
    assert "new server certificate for localhost, 127.0.0.1" in out
    central.broker.reload()
    wait_for(
        lambda: ssl.get_server_certificate(("127.0.0.1", port), timeout=TIMEOUT) != before,
        TIMEOUT,
        "the new certificate",
    )
    served = ssl.get_server_certificate(("127.0.0.1", port), timeout=TIMEOUT)
    assert served.strip() == (central.directory / "server.crt").read_text().strip()
    # Control: clients keep their files (same CA) and still get in.
    assert accepted(port, **credential_of(central.config("kiosks/evere/pc-01.toml")))


def test_a_reload_keeps_what_waits_for_the_aggregator(central: Central, peers: Any) -> None:
    """Every add and revoke ends in a SIGHUP: the aggregator's persistent session and the
    messages queued for it while it is away must survive that."""
    port = central.broker.port
    path = central.config("aggregators/witness.toml")
    away = Peer.from_config(path, port, client_id="agg", clean_session=False).connected_peer()
    away.subscribe("kiosk/v1/+/+/events")
    away.close()
    kiosk = peers("kiosks/evere/pc-01.toml")
    kiosk.publish("kiosk/v1/evere/pc-01/events", b"queued before the reload")
    provision("admin", "--dir", str(central.directory), "--name", "Reload Check")
    central.broker.reload()
    newcomer = credential_of(central.config("admins/reload-check.toml"))
    wait_for(lambda: accepted(port, **newcomer), TIMEOUT, "the reload")
    kiosk.publish("kiosk/v1/evere/pc-01/events", b"queued after the reload")
    back = Peer.from_config(path, port, client_id="agg", clean_session=False)
    try:
        back.connected_peer()
        assert back.session_present
        back.wait_for("kiosk/v1/evere/pc-01/events", b"queued before the reload")
        back.wait_for("kiosk/v1/evere/pc-01/events", b"queued after the reload")
    finally:
        back.close()
        Peer.from_config(path, port).connected_peer().close()  # clean: end that session


# --- the suite's programs on the generated files --------------------------------------------


def test_aggregator_kiosk_and_buddy_desk_run_on_the_generated_files(
    central: Central, peers: Any, tmp_path: Path
) -> None:
    from admin_console.links.buddy import BuddyCallbacks, BuddyLink
    from kiosk.model.core import KioskCore
    from kiosk.model.outbox import Outbox
    from kiosk.settings import load_settings
    from kiosk.uplink.link import KioskLink, LinkCallbacks

    everything = witness(peers)
    url = f"mqtts://127.0.0.1:{central.broker.port}"
    db = f"sqlite:///{tmp_path / 'agg.db'}"
    procs: list[Proc] = []
    links: list[Any] = []
    try:
        # The aggregator: admin-console serve --config DIR/aggregator.toml
        aggregator = Proc(
            admin_console("serve", "--config", str(central.config("aggregator.toml")), "--db", db),
            suite_env(),
        ).start()
        procs.append(aggregator)
        aggregator.wait_for_line(f"connected to {url}", TIMEOUT)

        # A kiosk process: kiosk --config DIR/kiosks/S/M.toml
        kiosk_proc = Proc(
            [
                sys.executable,
                "-m",
                "kiosk",
                "--config",
                str(central.config("kiosks/schaerbeek/pc-05.toml")),
                "--data-dir",
                str(tmp_path / "pc-05"),
                "--windowed",
            ],
            suite_env(),
        ).start()
        procs.append(kiosk_proc)
        kiosk_proc.wait_for_line(f"connected to {url}", 60)
        wait_for(
            lambda: any(t == "kiosk/v1/schaerbeek/pc-05/status" for t, _ in everything.messages),
            TIMEOUT,
            "the kiosk's status",
        )

        # The buddy desk process: admin-console buddy --config DIR/buddies/S/N.toml --site S
        desk = Proc(
            admin_console(
                "buddy",
                "--config",
                str(central.config("buddies/schaerbeek/desk-1.toml")),
                "--site",
                "schaerbeek",
            ),
            suite_env(),
        ).start()
        procs.append(desk)
        wait_for(
            lambda: (
                "u'buddy.schaerbeek.desk-1'" in central.broker.log.read_text()
                or desk.process is None
                or desk.process.poll() is not None
            ),
            60,
            "the buddy desk to log in",
        )
        assert "u'buddy.schaerbeek.desk-1'" in central.broker.log.read_text(), desk.output()

        # A help call end to end through the same code, with the generated files.
        settings = load_settings(
            {
                "config": str(central.config("kiosks/schaerbeek/pc-06.toml")),
                "data_dir": str(tmp_path / "pc-06"),
            },
            env={},
        )
        outbox = Outbox(tmp_path / "pc-06.db")
        core = KioskCore(outbox)
        replies: list[Any] = []
        link = KioskLink(
            settings.broker,
            settings.site,
            settings.machine,
            outbox,
            core.status,
            LinkCallbacks(replies.append, lambda _c: None, lambda _b: None),
        )
        core.subscribe(link.wake)
        calls: list[Any] = []
        buddy_path = central.config("buddies/schaerbeek/sara.toml")
        buddy_settings = broker_from_config(load_toml(buddy_path), buddy_path)
        assert buddy_settings is not None
        buddy = BuddyLink(
            buddy_settings,
            "schaerbeek",
            BuddyCallbacks(
                lambda machine, change: calls.append((machine, change)),
                lambda _m, _o: None,
                lambda _c: None,
            ),
        )
        for started in (link, buddy):
            started.start()
            links.append(started)
        wait_for(lambda: link.connected, TIMEOUT, "the kiosk link")
        core.call_buddy()
        wait_for(
            lambda: any(m == "pc-06" and c.state == "open" for m, c in calls),
            TIMEOUT,
            "the buddy to hear the call",
        )
        request = next(c.request for m, c in calls if m == "pc-06")
        buddy.reply("pc-06", request, "claimed", "Sara")
        wait_for(lambda: any(r.state == "claimed" for r in replies), TIMEOUT, "the claim")

        def site_stats() -> Any:
            sites: Any = run_stats(db)["sites"]
            return sites.get("schaerbeek", {})

        wait_for(
            lambda: site_stats().get("help") == {"claimed": 1},
            60,
            "the aggregator to store the claimed call",
        )
        assert site_stats()["sessions"] == 1
    finally:
        for started in links:
            started.stop()
        for proc in procs:
            proc.stop()
            print(f"--- {' '.join(proc.args[2:4])}\n{proc.output()}")


# --- a site broker bridged to the central one -----------------------------------------------


def test_a_site_broker_bridges_only_its_own_site(
    central: Central, peers: Any, tmp_path: Path
) -> None:
    d = str(central.directory)
    provision("bridge", "--dir", d, "--site", "schaerbeek")
    central.broker.reload()
    bridge_conf = central.config("bridges/schaerbeek.conf")
    lines = dict(
        line.split(" ", 1)
        for line in bridge_conf.read_text().splitlines()
        if line.startswith("remote_")
    )
    as_bridge: dict[str, Any] = {
        "username": lines["remote_username"],
        "password": lines["remote_password"],
        "ca_file": central.directory / "ca.crt",
    }
    port = central.broker.port
    wait_for(lambda: accepted(port, **as_bridge), TIMEOUT, "the reload to let the bridge in")
    site_dir = tmp_path / "site"
    site_port = free_port()
    init_dir(site_dir, site_port)
    provision("kiosk", "--dir", str(site_dir), "--site", "schaerbeek", "--machine", "pc-21")
    shutil.copy(bridge_conf, site_dir / "conf.d" / "bridge-central.conf")
    site = broker_of(site_dir, site_port).start(TIMEOUT)
    made: list[Peer] = []
    try:
        everything = witness(peers)
        admin = peers("admins/jan.toml")
        sara = peers("buddies/schaerbeek/sara.toml")
        kiosk = Peer.from_config(site_dir / "kiosks/schaerbeek/pc-21.toml", site_port)
        made.append(kiosk)
        kiosk.connected_peer().subscribe("kiosk/v1/schaerbeek/pc-21/#")
        # Up: an event sent to the site broker reaches the central aggregator.
        kiosk.publish("kiosk/v1/schaerbeek/pc-21/events", b"through the bridge")
        everything.wait_for("kiosk/v1/schaerbeek/pc-21/events", b"through the bridge")
        # Down: a command and a buddy's reply from the centre reach the kiosk in the room.
        admin.publish("kiosk/v1/schaerbeek/pc-21/cmd", b"down the bridge")
        kiosk.wait_for("kiosk/v1/schaerbeek/pc-21/cmd", b"down the bridge")
        sara.publish("kiosk/v1/schaerbeek/pc-21/help/reply", b"claimed from the centre")
        kiosk.wait_for("kiosk/v1/schaerbeek/pc-21/help/reply", b"claimed from the centre")
        # One connection per credential: the real bridge goes before its password is misused.
        site.stop()

        # The bridge credential, used directly against the central broker, is held to its site.
        stolen = Peer(port, client_id="stolen-bridge", **as_bridge)
        made.append(stolen)
        stolen.connected_peer()
        for what, topic in (
            ("bridge speaks for another site", "kiosk/v1/evere/pc-01/events"),
            ("bridge sends a command", "kiosk/v1/schaerbeek/pc-21/cmd"),
        ):
            blocked(central, what, stolen, topic, "kiosk/v1/schaerbeek/pc-21/events", [everything])
    finally:
        for peer in made:
            peer.close()
        site.stop()


def test_started_by_root_the_broker_reads_its_files_as_mosquitto(tmp_path: Path) -> None:
    """The production default: no `--broker-user`. As root, Mosquitto switches to 'mosquitto'
    before reading passwd, acl and server.key, so provisioning gives it those files. (Not as
    root, the broker simply runs as the provisioning user.)"""
    base = Path("/tmp") / f"kiosk-broker-{uuid.uuid4().hex[:8]}"  # pytest's tmp is 0700
    base.mkdir(mode=0o755)
    try:
        port = free_port()
        out = provision(
            "init", "--dir", str(base / "broker"), "--host", "127.0.0.1", "--port", str(port)
        )
        assert "warning" not in out
        provision("kiosk", "--dir", str(base / "broker"), "--site", "evere", "--machine", "pc-01")
        broker = broker_of(base / "broker", port).start(TIMEOUT)
        try:
            peer = Peer.from_config(base / "broker/kiosks/evere/pc-01.toml", port)
            try:
                peer.connected_peer()
                peer.publish("kiosk/v1/evere/pc-01/events", b"as mosquitto")
            finally:
                peer.close()
            if AS_ROOT:
                assert "\nuser mosquitto\n" in (base / "broker/mosquitto.conf").read_text()
        finally:
            broker.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)
