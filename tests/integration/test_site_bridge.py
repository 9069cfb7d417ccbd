"""A room behind its own broker, bridged to the centre, when the WAN goes (issue 21).

Two real Mosquitto brokers from `admin-console provision` (the site's and the central one, TLS,
passwords, ACLs, the generated bridge), the real aggregator (`admin-console serve`) on
PostgreSQL, the kiosks' real outbox and link, and the buddy desk's real link, both on the site
broker. The central broker is stopped while the kiosks keep writing events and a buddy claims
and resolves a call in the room: the room's broker says "0" on bridges/SITE/state and the
kiosks keep every event of the cut in their outboxes (kiosk/uplink/bridge_hold.py), so none
waits in the room broker's queue, while the help loop flows; when the centre comes back, the
kiosks send what they kept and the central database holds every event once, counted once.
The bridge's state (Mosquitto's notification) reaches the central broker, and a site broker
that dies is seen there as a bridge down.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from admin_console.desk.fleet import FleetModel
from admin_console.links.buddy import BuddyCallbacks, BuddyLink
from kiosk.wire.broker import broker_from_config, load_toml
from kiosk.wire.protocol import HelpOutcome, utc_now
from tests.harness import Proc, run_stats, wait_for
from tests.integration.rooms import (
    Kiosk,
    provision_room,
    restart_link,
    start_aggregator,
    start_kiosk,
    visits,
)
from tests.integration.test_broker_security import Peer, broker_of

pytestmark = pytest.mark.broker

SITE = "schaerbeek"
MACHINES = ("pc-01", "pc-02")
TIMEOUT = 30.0
# The bridge retries after 2 s, backing off to 60 s (restart_timeout 2 60): the return waits.
RETURN = 150.0


def test_a_room_cut_off_from_the_centre_keeps_helping_and_loses_nothing(
    tmp_path: Path, postgres_url: str
) -> None:
    room = provision_room(tmp_path, SITE, MACHINES, buddy="Sara")
    room.bridge_conf()
    central_dir, site_dir = room.central_dir, room.site_dir
    central = broker_of(central_dir, room.central_port).start(TIMEOUT)
    site = broker_of(site_dir, room.site_port).start(TIMEOUT)
    fleet = FleetModel()
    started: list[Any] = []
    procs: list[Proc] = []
    peers: list[Peer] = []

    def watch_bridges() -> Peer:
        """The console's view of the topology: bridges/+/state with an admin's credential."""
        peer = Peer.from_config(central_dir / "admins" / "jan.toml", room.central_port)
        peers.append(peer)
        return peer.connected_peer().subscribe("bridges/+/state")

    def bridge_is(peer: Peer, payload: bytes) -> bool:
        states = [p for t, p in peer.messages if t == f"bridges/{SITE}/state"]
        if states and states[-1] == payload:
            fleet.apply_bridge(SITE, payload, utc_now())
            return True
        return False

    try:
        procs.append(start_aggregator(central_dir, postgres_url))
        watcher = watch_bridges()
        wait_for(lambda: bridge_is(watcher, b"1"), TIMEOUT, "the bridge to say it is up")
        assert not fleet.is_cut_off(SITE)

        kiosks: dict[str, Kiosk] = {}
        for machine in MACHINES:
            kiosks[machine] = start_kiosk(room, tmp_path, machine)
            started.append(kiosks[machine].link)
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
        wait_for(lambda: all(k.link.connected for k in kiosks.values()), TIMEOUT, "the kiosks")

        def central_count() -> int:
            stats: Any = run_stats(postgres_url)
            return int(stats["events_total"])

        def outboxes_empty() -> bool:
            return all(k.outbox.count() == 0 for k in kiosks.values())

        # WAN up: the first visits reach the centre, and leave the outboxes.
        for kiosk in kiosks.values():
            visits(kiosk.core, 20)
        wait_for(lambda: central_count() == 80, 60, "the first 80 events at the centre")
        wait_for(outboxes_empty, TIMEOUT, "the outboxes to empty")
        assert not any(k.link.holding for k in kiosks.values())
        before = {m: len(k.outbox.event_ids) for m, k in kiosks.items()}

        # The WAN goes: the central broker stops (SIGTERM; it saves its sessions). The room's
        # broker says "0" on bridges/SITE/state; the kiosks keep their events from now on.
        central.stop()
        wait_for(lambda: all(k.link.holding for k in kiosks.values()), TIMEOUT, "the hold")
        for kiosk in kiosks.values():
            visits(kiosk.core, 300)
        # A kiosk restarted during the cut holds from its first moment (the retained "0").
        pc02 = kiosks["pc-02"]
        asked = time.monotonic()
        assert not pc02.link.flush(20)  # a shutdown does not wait for a line that is down
        assert time.monotonic() - asked < 10
        pc02.link.stop()
        pc02.link = restart_link(room, tmp_path, "pc-02", pc02.outbox, pc02.core, pc02.replies)
        started.append(pc02.link)
        wait_for(lambda: pc02.link.connected and pc02.link.holding, TIMEOUT, "pc-02 again")
        visits(pc02.core, 10)
        # The room's help loop, through the site broker alone.
        kiosks["pc-01"].core.call_buddy()
        wait_for(
            lambda: any(m == "pc-01" and c.state == "open" for m, c in calls),
            TIMEOUT,
            "Sara's desk to hear the call in the room",
        )
        request = next(c.request for m, c in calls if m == "pc-01" and c.state == "open")
        buddy.reply("pc-01", request, "claimed", "Sara")
        replies = kiosks["pc-01"].replies
        wait_for(lambda: any(r.state == "claimed" for r in replies), TIMEOUT, "the claim")
        buddy.reply("pc-01", request, "resolved", "Sara", outcome=HelpOutcome.SOLVED)
        wait_for(lambda: any(r.state == "resolved" for r in replies), TIMEOUT, "the resolve")

        # Every event of the cut is still in its kiosk's outbox (the help call's rows left:
        # they were for the room): none went to the room's broker, whose queue for the bridge
        # did not grow with them.
        def held(machine: str) -> int:
            return len(kiosks[machine].outbox.event_ids) - before[machine]

        wait_for(
            lambda: all(k.outbox.count() == held(m) for m, k in kiosks.items()),
            TIMEOUT,
            "the help call's rows to leave the outbox",
        )
        assert held("pc-01") > 600 and held("pc-02") == 620
        assert all(k.link.holding for k in kiosks.values())
        sent = [i for k in kiosks.values() for i in k.outbox.event_ids]
        assert len(sent) == len(set(sent)) > 80 + 1200  # visits, and the call's events
        print(f"bridge cut: the kiosks held {sum(map(held, kiosks))} events in their outboxes")

        # The WAN returns: the room's broker says "1", the kiosks send what they held.
        back = time.monotonic()
        central.start(TIMEOUT)
        wait_for(lambda: central_count() == len(sent), RETURN, "every event at the centre")
        print(f"bridge cut: all {len(sent)} events at the centre {time.monotonic() - back:.0f} s")
        wait_for(outboxes_empty, TIMEOUT, "the outboxes to empty")
        assert not any(k.link.holding for k in kiosks.values())
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
