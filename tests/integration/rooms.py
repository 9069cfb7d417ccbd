"""A room behind its own broker, bridged to a central one: what the bridge tests share (issue 21).

`admin-console provision` makes both directories (TLS, passwords, ACLs) and the generated bridge
(`provision bridge` on the central one, copied into the room's `conf.d`); the kiosks run their
real outbox and link on the room's broker. Used by test_site_bridge.py and test_silent_line.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.model.core import KioskCore
from kiosk.model.outbox import Outbox
from kiosk.settings import load_settings
from kiosk.uplink.bridge_hold import SILENT_AFTER_S
from kiosk.uplink.link import KioskLink, LinkCallbacks
from kiosk.wire.protocol import Channel
from tests.harness import Proc, admin_console, free_port, suite_env
from tests.integration.test_broker_security import init_dir, provision


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


@dataclass
class Room:
    """The provisioned directories: the centre's and the room's, each on its own free port."""

    site: str
    central_dir: Path
    site_dir: Path
    central_port: int = field(default_factory=free_port)
    site_port: int = field(default_factory=free_port)

    def bridge_conf(self, through_port: int | None = None) -> None:
        """Install the generated bridge in the room's broker; ``through_port``: reach the
        centre through that port (a relay) instead of its own."""
        generated = self.central_dir / "bridges" / f"{self.site}.conf"
        conf = generated.read_text()
        assert "notifications true" in conf and "keepalive_interval 60\n" in conf
        if through_port is not None:
            address = f"address 127.0.0.1:{self.central_port}"
            assert f"{address}\n" in conf
            conf = conf.replace(address, f"address 127.0.0.1:{through_port}")
        target = self.site_dir / "conf.d" / "bridge.conf"
        target.write_text(conf)
        shutil.copymode(generated, target)


def provision_room(
    tmp_path: Path,
    site: str,
    machines: Iterable[str],
    *,
    buddy: str | None = None,
    room_admin: bool = False,
) -> Room:
    """The centre (a bridge credential for ``site``, the admin Jan) and the room (its kiosks,
    a buddy, the admin Jan when ``room_admin``); the bridge is not installed yet."""
    room = Room(site, tmp_path / "central", tmp_path / "site")
    init_dir(room.central_dir, room.central_port)
    provision("bridge", "--dir", str(room.central_dir), "--site", site)
    provision("admin", "--dir", str(room.central_dir), "--name", "Jan")
    init_dir(room.site_dir, room.site_port)
    if room_admin:
        provision("admin", "--dir", str(room.site_dir), "--name", "Jan")
    for machine in machines:
        provision("kiosk", "--dir", str(room.site_dir), "--site", site, "--machine", machine)
    if buddy is not None:
        provision("buddy", "--dir", str(room.site_dir), "--site", site, "--name", buddy)
    return room


@dataclass
class Kiosk:
    core: KioskCore
    outbox: RecordingOutbox
    link: KioskLink
    replies: list[Any]


def start_kiosk(
    room: Room, tmp_path: Path, machine: str, silent_after: float = SILENT_AFTER_S
) -> Kiosk:
    """A kiosk's core, outbox and link on the room's broker, from its generated client file."""
    outbox = RecordingOutbox(tmp_path / f"{machine}.db")
    core = KioskCore(outbox)
    replies: list[Any] = []
    link = restart_link(room, tmp_path, machine, outbox, core, replies, silent_after)
    return Kiosk(core, outbox, link, replies)


def restart_link(
    room: Room,
    tmp_path: Path,
    machine: str,
    outbox: Outbox,
    core: KioskCore,
    replies: list[Any],
    silent_after: float = SILENT_AFTER_S,
) -> KioskLink:
    """A new link for a kiosk's outbox (as a restarted kiosk makes), started."""
    path = room.site_dir / "kiosks" / room.site / f"{machine}.toml"
    settings = load_settings({"config": str(path), "data_dir": str(tmp_path / machine)}, env={})
    link = KioskLink(
        settings.broker,
        settings.site,
        settings.machine,
        outbox,
        core.status,
        LinkCallbacks(replies.append, lambda _c: None, lambda _b: None),
        centre_silent_after=silent_after,
    )
    core.subscribe(link.wake)
    link.start()
    return link


def start_aggregator(central_dir: Path, db_url: str) -> Proc:
    """``admin-console serve`` with the centre's provisioned credential, subscribed."""
    aggregator = Proc(
        admin_console("serve", "--config", str(central_dir / "aggregator.toml"), "--db", db_url),
        suite_env(),
    ).start()
    aggregator.wait_for_line("subscribed to", 60)
    return aggregator
