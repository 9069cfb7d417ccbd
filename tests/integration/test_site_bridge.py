"""A room behind its own broker, bridged to the centre, when the WAN goes (issue 21).

Two real Mosquitto brokers from `admin-console provision` (the site's and the central one, TLS,
passwords, ACLs, the generated bridge), the real aggregator (`admin-console serve`) on
PostgreSQL, the kiosks' real outbox and link, and the buddy desk's real link, both on the site
broker. The central broker is stopped while the kiosks keep sending and a buddy claims and
resolves a call in the room; when it comes back, the central database holds every event once,
counted once. The bridge's state (Mosquitto's notification) reaches the central broker, and a
site broker that dies is seen there as a bridge down.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from admin_console.desk.fleet import FleetModel
from admin_console.links.buddy import BuddyCallbacks, BuddyLink
from kiosk.model.core import KioskCore
from kiosk.model.outbox import Outbox
from kiosk.settings import load_settings
from kiosk.uplink.link import KioskLink, LinkCallbacks
from kiosk.wire.broker import broker_from_config, load_toml
from kiosk.wire.protocol import Channel, HelpOutcome, utc_now
from tests.harness import Proc, admin_console, free_port, run_stats, suite_env, wait_for
from tests.integration.test_broker_security import Peer, broker_of, init_dir, provision

pytestmark = pytest.mark.broker

SITE = "schaerbeek"
MACHINES = ("pc-01", "pc-02")
TIMEOUT = 30.0
# The bridge retries after 2 s, backing off to 60 s (restart_timeout 2 60): the return waits.
RETURN = 150.0


class RecordingOutbox(Outbox):
    """The kiosk's outbox, remembering the id of every event written into it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.event_ids: list[str] = []

    def add(self, items: Iterable[tuple[Channel, str]]) -> None:
        rows = list(items)
        super().add(rows)
        self.event_ids += [json.loads(body)["id"] for ch, body in rows if ch is Channel.EVENTS]


def visits(core: KioskCore, n: int) -> None:
    for _ in range(n):
        core.start_session()
        core.end_session("user")


def test_a_room_cut_off_from_the_centre_keeps_helping_and_loses_nothing(
    tmp_path: Path, postgres_url: str
) -> None:
    central_dir, site_dir = tmp_path / "central", tmp_path / "site"
    central_port, site_port = free_port(), free_port()
    init_dir(central_dir, central_port)
    provision("bridge", "--dir", str(central_dir), "--site", SITE)
    provision("admin", "--dir", str(central_dir), "--name", "Jan")
    init_dir(site_dir, site_port)
    for machine in MACHINES:
        provision("kiosk", "--dir", str(site_dir), "--site", SITE, "--machine", machine)
    provision("buddy", "--dir", str(site_dir), "--site", SITE, "--name", "Sara")
    shutil.copy(central_dir / "bridges" / f"{SITE}.conf", site_dir / "conf.d" / "bridge.conf")
    assert "notifications true" in (site_dir / "conf.d" / "bridge.conf").read_text()

    central = broker_of(central_dir, central_port).start(TIMEOUT)
    site = broker_of(site_dir, site_port).start(TIMEOUT)
    fleet = FleetModel()
    started: list[Any] = []
    procs: list[Proc] = []
    peers: list[Peer] = []

    def watch_bridges() -> Peer:
        """The console's view of the topology: bridges/+/state with an admin's credential."""
        peer = Peer.from_config(central_dir / "admins" / "jan.toml", central_port)
        peers.append(peer)
        return peer.connected_peer().subscribe("bridges/+/state")

    def bridge_is(peer: Peer, payload: bytes) -> bool:
        states = [p for t, p in peer.messages if t == f"bridges/{SITE}/state"]
        if states and states[-1] == payload:
            fleet.apply_bridge(SITE, payload, utc_now())
            return True
        return False

    try:
        aggregator = Proc(
            admin_console(
                "serve", "--config", str(central_dir / "aggregator.toml"), "--db", postgres_url
            ),
            suite_env(),
        ).start()
        procs.append(aggregator)
        aggregator.wait_for_line("subscribed to", 60)
        watcher = watch_bridges()
        wait_for(lambda: bridge_is(watcher, b"1"), TIMEOUT, "the bridge to say it is up")
        assert not fleet.is_cut_off(SITE)

        cores, outboxes, replies = {}, {}, {}
        for machine in MACHINES:
            path = site_dir / "kiosks" / SITE / f"{machine}.toml"
            settings = load_settings(
                {"config": str(path), "data_dir": str(tmp_path / machine)}, env={}
            )
            outbox = RecordingOutbox(tmp_path / f"{machine}.db")
            core = KioskCore(outbox)
            got: list[Any] = []
            link = KioskLink(
                settings.broker,
                settings.site,
                settings.machine,
                outbox,
                core.status,
                LinkCallbacks(got.append, lambda _c: None, lambda _b: None),
            )
            core.subscribe(link.wake)
            link.start()
            started.append(link)
            cores[machine], outboxes[machine], replies[machine] = core, outbox, got
        calls: list[tuple[str, Any]] = []
        buddy_file = site_dir / "buddies" / SITE / "sara.toml"
        buddy_settings = broker_from_config(load_toml(buddy_file), buddy_file)
        assert buddy_settings is not None
        buddy = BuddyLink(
            buddy_settings,
            SITE,
            BuddyCallbacks(lambda m, c: calls.append((m, c)), lambda _m, _o: None, lambda _c: None),
        )
        buddy.start()
        started.append(buddy)
        wait_for(lambda: all(link.connected for link in started[:2]), TIMEOUT, "the kiosks")

        def central_count() -> int:
            stats: Any = run_stats(postgres_url)
            return int(stats["events_total"])

        # WAN up: the first visits reach the centre.
        for core in cores.values():
            visits(core, 20)
        wait_for(lambda: central_count() == 80, 60, "the first 80 events at the centre")

        # The WAN goes: the central broker stops (SIGTERM; it saves its sessions).
        central.stop()
        for core in cores.values():
            visits(core, 300)
        # The room's help loop, through the site broker alone.
        cores["pc-01"].call_buddy()
        wait_for(
            lambda: any(m == "pc-01" and c.state == "open" for m, c in calls),
            TIMEOUT,
            "Sara's desk to hear the call in the room",
        )
        request = next(c.request for m, c in calls if m == "pc-01" and c.state == "open")
        buddy.reply("pc-01", request, "claimed", "Sara")
        wait_for(lambda: any(r.state == "claimed" for r in replies["pc-01"]), TIMEOUT, "the claim")
        buddy.reply("pc-01", request, "resolved", "Sara", outcome=HelpOutcome.SOLVED)
        wait_for(
            lambda: any(r.state == "resolved" for r in replies["pc-01"]), TIMEOUT, "the resolve"
        )
        # Every kiosk's outbox is empty: the site broker holds the room's events for the bridge.
        wait_for(
            lambda: all(o.count() == 0 for o in outboxes.values()), 60, "the outboxes to drain"
        )
        sent = [i for o in outboxes.values() for i in o.event_ids]
        assert len(sent) == len(set(sent)) > 80 + 1200  # visits, and the call's events

        # The WAN returns.
        central.start(TIMEOUT)
        wait_for(lambda: central_count() == len(sent), RETURN, "every event at the centre")
        engine = create_engine(postgres_url)
        try:
            with engine.connect() as connection:
                stored = [str(r[0]) for r in connection.execute(text("SELECT id FROM events"))]
                help_row = connection.execute(
                    text("SELECT state, outcome, buddy FROM help_requests WHERE id = :id"),
                    {"id": request},
                ).one()
        finally:
            engine.dispose()
        assert sorted(stored) == sorted(sent)  # each once: 0 lost, 0 doubled
        wait_for(lambda: central_count() == len(sent), 1, "the counts, each event once")
        assert tuple(help_row) == ("resolved", "solved", "Sara")
        watcher = watch_bridges()
        wait_for(lambda: bridge_is(watcher, b"1"), RETURN, "the bridge up again")

        # The room's broker dies (a power cut): the centre publishes the bridge's will.
        site.kill()
        wait_for(lambda: bridge_is(watcher, b"0"), TIMEOUT, "the centre to see the site cut off")
        assert fleet.is_cut_off(SITE)
    finally:
        for link in started:
            link.stop()
        for peer in peers:
            peer.close()
        for proc in procs:
            proc.stop()
            print(f"--- serve\n{proc.output()}")
        site.stop()
        central.stop()
