"""A room's line to the centre (``bridges/SITE/state``) on a provisioned broker: each kiosk reads
its own room's, never another's, and nobody but the bridge writes it (issue 21).

A kiosk holds its events while its room's state says "0" (kiosk/uplink/bridge_hold.py): a
kiosk or a buddy that could write it could stop a whole room's figures, and a kiosk that read
another room's would hold for a line that is not its own. As in test_broker_security.py, a
refusal is shown by what does *not* arrive, next to an allowed control message that does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.provisioned_central import connected_peers, provisioned_central
from tests.integration.test_broker_security import Central, Peer, blocked

pytestmark = pytest.mark.broker

SCHAERBEEK = "bridges/schaerbeek/state"
EVERE = "bridges/evere/state"

CREDENTIALS = [
    ("kiosk", "--site", "schaerbeek", "--machine", "pc-01"),
    ("kiosk", "--site", "evere", "--machine", "pc-01"),
    ("buddy", "--site", "schaerbeek", "--name", "Sara"),
    ("admin", "--name", "Jan"),
    ("bridge", "--site", "schaerbeek"),
    ("bridge", "--site", "evere"),
]


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Central]:
    directory = tmp_path_factory.mktemp("central-bridge-state") / "broker"
    with provisioned_central(directory, CREDENTIALS) as central:
        yield central


def as_bridge(central: Central, site: str) -> Peer:
    """A client with the credential a room's bridge uses (from the generated bridge file)."""
    conf = central.config(f"bridges/{site}.conf").read_text().splitlines()
    remote = dict(line.split(" ", 1) for line in conf if line.startswith("remote_"))
    return Peer(
        central.broker.port,
        username=remote["remote_username"],
        password=remote["remote_password"],
        ca_file=central.config("ca.crt"),
    )


@pytest.fixture
def peers(central: Central) -> Iterator[Any]:
    def open_peer(who: str) -> Peer:
        if who.startswith("bridge "):
            return as_bridge(central, who.split(" ", 1)[1])
        return Peer.from_config(central.config(who), central.broker.port)

    with connected_peers(open_peer) as make:
        yield make


def test_a_kiosk_reads_its_own_rooms_line_and_no_other(central: Central, peers: Any) -> None:
    schaerbeek = peers("bridge schaerbeek")
    evere = peers("bridge evere")
    kiosk = peers("kiosks/schaerbeek/pc-01.toml", "bridges/+/state")
    evere_kiosk = peers("kiosks/evere/pc-01.toml", EVERE)
    # Its own room's line arrives (and the admins see every room's).
    admin = peers("admins/jan.toml", "bridges/+/state")
    schaerbeek.publish(SCHAERBEEK, b"1")
    kiosk.wait_for(SCHAERBEEK, b"1")
    admin.wait_for(SCHAERBEEK, b"1")
    blocked(
        central,
        "a kiosk reads another room's line",
        evere,
        EVERE,
        SCHAERBEEK,
        [kiosk],
        control_sender=schaerbeek,
        seen_by=evere_kiosk,
    )


def test_only_the_rooms_bridge_says_whether_its_line_is_up(central: Central, peers: Any) -> None:
    schaerbeek = peers("bridge schaerbeek")
    kiosk = peers("kiosks/schaerbeek/pc-01.toml", SCHAERBEEK)
    buddy = peers("buddies/schaerbeek/sara.toml")
    admin = peers("admins/jan.toml", SCHAERBEEK)
    evere = peers("bridge evere")
    for what, sender in (
        ("a kiosk says its room's line is down", kiosk),
        ("a buddy says the room's line is down", buddy),
        ("an admin says a room's line is down", admin),
        ("another room's bridge says this line is down", evere),
    ):
        blocked(
            central,
            what,
            sender,
            SCHAERBEEK,
            SCHAERBEEK,
            [kiosk, admin],
            control_sender=schaerbeek,
        )
