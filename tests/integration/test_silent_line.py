"""A line between a room's broker and the centre that dies without a word (issue 21, point 3).

Two real Mosquitto brokers from `admin-console provision` (the room's and the central one, TLS,
ACLs, the generated bridge: keepalive 60 s, notifications), the real aggregator, the kiosks'
real outbox and link on the room's broker, and the console's real link (`AdminLink`) on the
central broker feeding the fleet model. The bridge's connection runs through :class:`SilentLine`,
a TCP relay that can stop carrying bytes in both directions while both connections stay open:
no FIN, no RST, as when a router or a modem dies on the way. Measured (printed, and written
in docs/broker.md): when the room's broker notices (its own "0"), when the centre does (the
bridge's will, "0"), hence when the fleet view says the room is cut off, when the kiosks,
hearing no more of the centre's queue (the keeper publishes it every minute), keep their
events on disk, and, once the line returns, when the bridge is up again and every event is
at the centre: each once.

Why a relay and not a firewall rule: it needs no root and no iptables, and at the MQTT level it
is the same thing (no packet of the bridge's connection arrives). What differs is TCP below it:
on a real dead line the sender's unacknowledged bytes are retransmitted and the connection
gives up after ~15 minutes; here the relay stops reading, so the sender's window closes. Both
brokers notice the dead line by their MQTT keepalive long before either matters.
"""

from __future__ import annotations

import select
import socket
import struct
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from admin_console.desk.commands import AdminCallbacks, AdminLink
from admin_console.desk.fleet import FleetModel
from kiosk.wire.broker import broker_from_config, load_toml
from kiosk.wire.protocol import utc_now
from tests.harness import Proc, run_stats, wait_for
from tests.integration.rooms import provision_room, start_aggregator, start_kiosk, visits
from tests.integration.test_broker_security import Peer, broker_of

pytestmark = [pytest.mark.broker, pytest.mark.timeout(900)]

SITE = "evere"
MACHINES = ("pc-01", "pc-02")
TIMEOUT = 30.0
# keepalive_interval 60: the centre gives up after 1.5 keepalives (90 s), the room's bridge
# after at most two (a PINGREQ unanswered for a keepalive): generous bounds on a busy machine.
NOTICE = 200.0
# The bridge retries after 2 s, backing off to 60 s (restart_timeout 2 60).
RETURN = 200.0
# The queue keeper publishes the room's queue every 60 s (TICK_S); the kiosks here hold after
# 75 s without it (150 s in a real kiosk), so that the test waits less.
SILENT_AFTER = 75.0


class SilentLine:
    """A TCP relay 127.0.0.1:port → 127.0.0.1:target that can go silent (:meth:`cut`: it stops
    reading and writing, every connection stays open) and come back (:meth:`restore`: the
    connections of the dead period are reset, as their first packet after the return would be,
    and new ones are carried again)."""

    def __init__(self, target: int) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._open = threading.Event()
        self._open.set()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket | None]] = []
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def cut(self) -> None:
        self._open.clear()

    def restore(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                if sock is not None:
                    _reset(sock)
        self._open.set()

    def close(self) -> None:
        self._stop.set()
        self._open.set()
        self._listener.close()
        self.restore()

    def _accept(self) -> None:
        while not self._stop.is_set():
            readable, _, _ = select.select([self._listener], [], [], 0.2)
            if not readable:
                continue
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._pairs.append((client, None))
            thread = threading.Thread(target=self._carry, args=(client,), daemon=True)
            thread.start()

    def _carry(self, client: socket.socket) -> None:
        # A connection opened while the line is dead gets nowhere until the line returns, and
        # is reset then (restore) like every connection of the dead period.
        while not self._open.wait(0.2):
            if self._stop.is_set():
                return
        with self._lock:
            if not any(c is client for c, _ in self._pairs):
                return  # reset by restore()
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target), timeout=10)
        except OSError:
            _reset(client)
            return
        with self._lock:
            self._pairs = [(c, upstream if c is client else u) for c, u in self._pairs]
        ends = {client: upstream, upstream: client}
        try:
            while not self._stop.is_set():
                if not self._open.is_set():  # silent: read nothing, write nothing
                    self._open.wait(0.2)
                    continue
                readable, _, _ = select.select(list(ends), [], [], 0.2)
                if not self._open.is_set():
                    continue
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    ends[sock].sendall(data)
        except (OSError, ValueError):  # reset by restore(): a closed socket has no fileno
            return
        finally:
            _reset(client)
            _reset(upstream)


def _reset(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass


def test_a_line_that_dies_silently_is_seen_and_loses_nothing(tmp_path: Path) -> None:
    dirs = provision_room(tmp_path, SITE, MACHINES, room_admin=True)
    central_dir, site_dir = dirs.central_dir, dirs.site_dir
    central_port, site_port = dirs.central_port, dirs.site_port
    line = SilentLine(central_port)
    dirs.bridge_conf(through_port=line.port)

    central = broker_of(central_dir, central_port).start(TIMEOUT)
    site = broker_of(site_dir, site_port).start(TIMEOUT)
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    fleet = FleetModel()
    heard: list[tuple[float, bytes, bool]] = []  # the console's link: when, state, retained
    started: list[Any] = []
    peers: list[Peer] = []
    procs: list[Proc] = []
    lock = threading.Lock()

    def on_bridge(site_name: str, payload: bytes, retained: bool) -> None:
        with lock:
            heard.append((time.monotonic(), payload, retained))
            fleet.apply_bridge(site_name, payload, utc_now(), retained)

    def console_says(payload: bytes) -> bool:
        with lock:
            return bool(heard) and heard[-1][1] == payload

    def bridge_tries() -> int:
        """How often the room's broker began to dial the centre (its log)."""
        log = (site_dir / "broker.log").read_text(errors="replace")
        return log.count("Connecting bridge (step 1)")

    def central_count() -> int:
        stats: Any = run_stats(db_url)
        return int(stats["events_total"])

    try:
        procs.append(start_aggregator(central_dir, db_url))
        admin_file = central_dir / "admins" / "jan.toml"
        admin_settings = broker_from_config(load_toml(admin_file), admin_file)
        assert admin_settings is not None
        console = AdminLink(
            admin_settings,
            AdminCallbacks(
                lambda *_: None, lambda *_: None, lambda *_: None, lambda _c: None, on_bridge
            ),
        )
        console.start()
        started.append(console)
        wait_for(lambda: console_says(b"1"), TIMEOUT, "the console to see the bridge up")
        room = Peer.from_config(site_dir / "admins" / "jan.toml", site_port)
        peers.append(room.connected_peer().subscribe(f"bridges/{SITE}/state"))
        room.wait_for(f"bridges/{SITE}/state", b"1")

        cores, outboxes, links = {}, {}, []
        for machine in MACHINES:
            kiosk = start_kiosk(dirs, tmp_path, machine, SILENT_AFTER)
            started.append(kiosk.link)
            links.append(kiosk.link)
            cores[machine], outboxes[machine] = kiosk.core, kiosk.outbox
        wait_for(lambda: all(link.connected for link in started[1:]), TIMEOUT, "the kiosks")
        for core in cores.values():
            visits(core, 20)
        wait_for(lambda: central_count() == 80, 60, "the first 80 events at the centre")
        # The centre speaks through the bridge: a call changes the room's queue, which the
        # keeper (in `serve`) publishes, and publishes again every minute.
        cores["pc-01"].call_buddy()
        wait_for(
            lambda: all(link.hold.centre_known for link in links), TIMEOUT, "the centre's queue"
        )
        cores["pc-01"].cancel_help()
        assert not any(link.holding for link in links)

        # The line dies without a word, while the room goes on.
        room.messages.clear()
        tries = bridge_tries()
        cut = time.monotonic()
        line.cut()
        for core in cores.values():
            visits(core, 150)
        wait_for(lambda: console_says(b"0"), NOTICE, "the centre to see the room cut off")
        centre_saw = time.monotonic() - cut
        print(f"silent line: the centre saw the room cut off after {centre_saw:.0f} s", flush=True)
        assert fleet.is_cut_off(SITE)
        # The room's broker gives the dead connection up and dials again (Mosquitto 2.0.11
        # publishes no local "0" then: only the centre's will tells the fleet view).
        wait_for(lambda: bridge_tries() > tries, NOTICE, "the room's bridge to dial again")
        room_saw = time.monotonic() - cut
        room_said = room.got(b"0")
        print(
            f"silent line: the room's broker gave the line up after {room_saw:.0f} s "
            f"(its own notification said 0: {room_said})"
        )
        # No local "0" (Mosquitto before 2.0.15). The events of the first minutes went into
        # the room's broker's queue; then the centre's silence holds them in the kiosks.
        wait_for(
            lambda: all(link.holding for link in links), SILENT_AFTER + 70, "the centre silent"
        )
        held_after = time.monotonic() - cut
        print(f"silent line: the kiosks held their events after {held_after:.0f} s")
        queued = {m: o.count() for m, o in outboxes.items()}
        for core in cores.values():
            visits(core, 150)
        assert all(o.count() == queued[m] + 300 for m, o in outboxes.items())  # kept, on disk
        assert all(link.holding for link in links)
        sent = [i for o in outboxes.values() for i in o.event_ids]
        assert len(sent) == len(set(sent)) >= 80 + 1200

        # The line returns.
        back = time.monotonic()
        silent_for = back - cut
        line.restore()
        wait_for(lambda: console_says(b"1"), RETURN, "the bridge up again")
        up_again = time.monotonic() - back
        assert not fleet.is_cut_off(SITE)
        wait_for(lambda: central_count() == len(sent), RETURN, "every event at the centre")
        all_in = time.monotonic() - back
        engine_rows = _stored_ids(db_url)
        assert sorted(engine_rows) == sorted(sent)  # each once: 0 lost, 0 doubled
        print(
            f"silent line, keepalive 60 s: the centre saw the room cut off after "
            f"{centre_saw:.0f} s, the room's broker its bridge down after {room_saw:.0f} s; "
            f"silent {silent_for:.0f} s; after the return the bridge was up in {up_again:.0f} s "
            f"and all {len(sent)} events were at the centre in {all_in:.0f} s, each once"
        )
    finally:
        for item in started:
            item.stop()
        for peer in peers:
            peer.close()
        for proc in procs:
            proc.stop()
            print(f"--- serve\n{proc.output()}")
        line.close()
        site.stop()
        central.stop()
        for name, directory in (("room", site_dir), ("centre", central_dir)):
            log = (directory / "broker.log").read_text(errors="replace").splitlines()
            print(
                f"--- the {name}'s broker, bridge lines\n"
                + "\n".join(line for line in log if "bridge" in line.lower() or "evere" in line)[
                    -4000:
                ]
            )


def _stored_ids(db_url: str) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return [str(r[0]) for r in connection.execute(text("SELECT id FROM events"))]
    finally:
        engine.dispose()
