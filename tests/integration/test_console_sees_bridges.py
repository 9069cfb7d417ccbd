"""The console sees a room cut off from the centre (issue 21, point 2), end to end: two real
Mosquitto brokers from `admin-console provision` (the room's and the central one, TLS,
passwords, ACLs, the generated bridge with its notifications), a kiosk's status through the
bridge, the room's broker killed (the central broker publishes the bridge's will, "0",
retained), then the real console window with its real link, on the admin's provisioned
credential, started afterwards: it receives the retained "0", and the fleet tab and the
overview say that the room is cut off, and after 30 minutes raise the room's one alert.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from admin_console.desk.commands import AdminLink
from admin_console.desk.fleet import FleetSettings
from admin_console.store.database import open_database
from admin_console.ui.fleet import QtFleetTab
from admin_console.ui.language import use_language
from admin_console.ui.window import AdminOptions, QtAdminBridge, QtAdminWindow
from kiosk.wire import protocol
from kiosk.wire.broker import broker_from_config, load_toml
from kiosk.wire.opening_hours import OpeningHours
from kiosk.wire.protocol import utc_now
from tests.harness import free_port, wait_for
from tests.integration.test_broker_security import Peer, broker_of, init_dir, provision

pytestmark = pytest.mark.broker

SITE = "evere"
TIMEOUT = 30.0


def brokers_cells(tab: QtFleetTab) -> list[list[str]]:
    table = tab.brokers
    return [
        [item.text() if (item := table.item(r, c)) else "" for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_the_console_shows_a_room_cut_off_from_a_retained_bridge_state(
    qtbot: QtBot, tmp_path: Path
) -> None:
    central_dir, site_dir = tmp_path / "central", tmp_path / "site"
    central_port, site_port = free_port(), free_port()
    init_dir(central_dir, central_port)
    provision("bridge", "--dir", str(central_dir), "--site", SITE)
    provision("admin", "--dir", str(central_dir), "--name", "Jan")
    init_dir(site_dir, site_port)
    provision("kiosk", "--dir", str(site_dir), "--site", SITE, "--machine", "pc-01")
    shutil.copy(central_dir / "bridges" / f"{SITE}.conf", site_dir / "conf.d" / "bridge.conf")
    central = broker_of(central_dir, central_port).start(TIMEOUT)
    site = broker_of(site_dir, site_port).start(TIMEOUT)
    peers: list[Peer] = []
    window: QtAdminWindow | None = None
    link: AdminLink | None = None
    try:
        watcher = Peer.from_config(central_dir / "admins" / "jan.toml", central_port)
        peers.append(
            watcher.connected_peer().subscribe(f"bridges/{SITE}/state", f"kiosk/v1/{SITE}/+/status")
        )
        watcher.wait_for(f"bridges/{SITE}/state", b"1")
        # A kiosk in the room says it is there, through the room's broker and the bridge.
        kiosk = Peer.from_config(site_dir / "kiosks" / SITE / "pc-01.toml", site_port)
        peers.append(kiosk.connected_peer())
        status_topic = str(protocol.Topic(SITE, "pc-01", protocol.Channel.STATUS))
        kiosk.publish(status_topic, protocol.encode_status("idle"), retain=True)
        wait_for(lambda: any(t == status_topic for t, _ in watcher.messages), TIMEOUT, "status")

        # The room's broker dies (a power cut): the centre publishes the bridge's will.
        site.kill()
        watcher.wait_for(f"bridges/{SITE}/state", b"0")

        # The console starts afterwards: all it gets is the retained "0".
        use_language("en")
        offset = [timedelta(0)]

        def clock() -> datetime:
            return utc_now() + offset[0]

        db_url = f"sqlite:///{tmp_path / 'console.db'}"
        open_database(db_url).dispose()
        always_open = FleetSettings(hours=OpeningHours())
        window = QtAdminWindow(AdminOptions(db_url, "jan", fleet=always_open), clock)
        qtbot.addWidget(window)
        bridge = QtAdminBridge()
        admin_file = central_dir / "admins" / "jan.toml"
        settings = broker_from_config(load_toml(admin_file), admin_file)
        assert settings is not None
        link = AdminLink(settings, bridge.callbacks())
        window.attach(link, bridge)
        link.start()
        window.show()
        window.start()
        window.tabs.setCurrentWidget(window.fleet_tab)
        tab = window.fleet_tab

        def cut_off_shown() -> bool:
            tab.update_view()
            rows = brokers_cells(tab)
            return bool(rows) and rows[0][:2] == [SITE, "cut off"] and tab.table.rowCount() == 1

        qtbot.waitUntil(cut_off_shown, timeout=int(TIMEOUT * 1000))
        found = window.fleet.bridge_of(SITE)
        assert found is not None and not found.up and not found.since_known  # retained
        assert link.rejected == 0
        [row] = brokers_cells(tab)
        assert "or earlier" in row[2] and row[3] == "1 of 1" and row[5] == ""
        assert row[4] == "–"  # still to send: the kiosk said nothing (no status figure yet)

        # Half an hour later, still no line: the room's one alert, on both tabs.
        offset[0] = timedelta(minutes=31)
        tab.update_view()  # what the window's timers do
        window.overview.update_view()
        [row] = brokers_cells(tab)
        assert row[3] == "0 of 1" and row[5] == "cut off from the centre for 31 min"
        assert f"{SITE}: cut off from the centre for 31 min" in tab.alerts.text()
        states = [tab.table.item(r, 3) for r in range(tab.table.rowCount())]
        assert [s.text() for s in states if s is not None] == ["not heard (room cut off)"]
        overview: Any = window.overview.table
        sites = {overview.item(r, 0).text(): r for r in range(overview.rowCount())}
        alerts = overview.item(sites[SITE], overview.columnCount() - 1).text()
        assert alerts == "cut off from the centre for 31 min"
    finally:
        if link is not None:
            link.stop()
        if window is not None:
            window.close()
        for peer in peers:
            peer.close()
        site.stop()
        central.stop()
