"""A provisioned central broker and connected peers on it: what the ACL tests of one topic
(a site's channels, a room's line) share with test_broker_security.py's own fixtures.

Not a test module: the tests' fixtures call these with their own credentials and their own
way of opening a peer (a generated client file, a bridge's or the queue keeper's account).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.harness import free_port
from tests.integration.test_broker_security import (
    TIMEOUT,
    Central,
    Peer,
    broker_of,
    init_dir,
    provision,
)


@contextmanager
def provisioned_central(directory: Path, credentials: Iterable[Sequence[str]]) -> Iterator[Central]:
    """``provision init`` in ``directory`` and each credential (``("kiosk", "--site", …)``),
    then its Mosquitto running on a free port until the block ends."""
    port = free_port()
    init_dir(directory, port)
    for credential in credentials:
        provision(credential[0], "--dir", str(directory), *credential[1:])
    broker = broker_of(directory, port).start(TIMEOUT)
    try:
        yield Central(broker)
    finally:
        broker.stop()


@contextmanager
def connected_peers(open_peer: Callable[[str], Peer]) -> Iterator[Callable[..., Peer]]:
    """``make(who, *filters)``: ``open_peer(who)`` connected, subscribed to the filters if any;
    every peer made is closed when the block ends."""
    made: list[Peer] = []

    def make(who: str, *filters: str) -> Peer:
        peer = open_peer(who)
        made.append(peer)
        peer.connected_peer()
        return peer.subscribe(*filters) if filters else peer

    try:
        yield make
    finally:
        for peer in made:
            peer.close()
