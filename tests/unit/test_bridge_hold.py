"""The kiosk's hold on its events while its room's line to the centre is down (issue 21)."""

from __future__ import annotations

import pytest

from admin_console.provision.mosquitto import acl_rules
from kiosk.uplink.bridge_hold import BridgeHold, Line, line_from
from kiosk.wire.protocol import bridge_state_topic


def test_the_kiosk_listens_where_the_generated_bridge_speaks() -> None:
    topic = BridgeHold("evere").topic
    assert topic == bridge_state_topic("evere") == "bridges/evere/state"
    kiosk_reads = {r.topic for r in acl_rules("kiosk", "evere", "pc-01") if r.access == "read"}
    bridge_writes = {r.topic for r in acl_rules("bridge", "evere") if r.access == "write"}
    assert topic in kiosk_reads and topic in bridge_writes


@pytest.mark.parametrize(
    ("payload", "line"),
    [
        (b"1", Line.UP),
        (b"0", Line.DOWN),
        (b"", Line.NO_BRIDGE),
        (b"up", Line.ODD),
        (b"00", Line.ODD),
    ],
)
def test_a_state_in_words(payload: bytes, line: Line) -> None:
    assert line_from(payload) is line


def test_before_the_state_is_known_the_events_wait() -> None:
    hold = BridgeHold("evere")
    assert hold.holding and hold.line is Line.UNKNOWN
    hold.connected()
    assert hold.holding


def test_a_room_whose_line_is_down_keeps_its_events_until_it_is_up() -> None:
    hold = BridgeHold("evere")
    hold.connected()
    assert hold.heard(b"0")  # the retained "0": worth a line in the log
    assert hold.holding
    assert not hold.settled()  # the later SUBACK changes nothing: the state was heard
    assert hold.holding
    assert not hold.heard(b"0")  # the same again: nothing to say
    assert hold.heard(b"1")
    assert not hold.holding
    assert hold.heard(b"0")  # live: the line goes again
    assert hold.holding


def test_a_broker_without_a_bridge_lets_the_events_go() -> None:
    hold = BridgeHold("evere")
    hold.connected()
    assert hold.settled()  # nothing came before the later SUBACK: no bridge here
    assert not hold.holding and hold.line is Line.NO_BRIDGE
    assert not hold.settled()


def test_a_cleared_or_odd_state_does_not_hold() -> None:
    hold = BridgeHold("evere")
    hold.connected()
    hold.heard(b"0")
    hold.heard(b"")  # someone cleared the retained state: as if there were no bridge
    assert not hold.holding
    hold.heard(b"0")
    hold.heard(b"garbage")  # not Mosquitto's: send, as before (the room's broker queues)
    assert not hold.holding


def test_a_new_connection_forgets_what_was_known() -> None:
    hold = BridgeHold("evere")
    hold.connected()
    hold.heard(b"1")
    assert not hold.holding
    hold.connected()  # the room's broker may have restarted, the line gone meanwhile
    assert hold.holding
    hold.heard(b"0")
    assert hold.holding
    hold.connected()
    assert hold.settled()  # this time nothing: a broker without a bridge
    assert not hold.holding


def test_a_silent_centre_holds_the_events_until_it_is_heard_again() -> None:
    """A line that dies without a word leaves "1" on a room broker before Mosquitto 2.0.15; the
    keeper's queue, published every minute, is the centre's word that the line is alive."""
    now = [0.0]
    hold = BridgeHold("evere", silent_after=150, clock=lambda: now[0])
    hold.connected()
    hold.heard(b"1")
    now[0] = 1_000.0
    assert not hold.holding  # never heard the centre on this connection: not judged
    assert not hold.centre_heard()
    now[0] += 149
    assert not hold.holding and not hold.silence_began()
    now[0] += 2  # 151 s without a word
    assert hold.holding
    assert hold.silence_began() and not hold.silence_began()  # said once
    assert hold.centre_heard()  # it ends the silence
    assert not hold.holding
    # A new state starts afresh: the silence before it says nothing about the line now.
    now[0] += 500
    hold.heard(b"0")
    hold.heard(b"1")
    assert not hold.holding
    # No bridge (a single-broker site): a quiet keeper is never a cut line.
    hold.connected()
    hold.settled()
    hold.centre_heard()
    now[0] += 1_000
    assert not hold.holding
    # A new connection forgets when the centre was heard.
    hold.connected()
    hold.heard(b"1")
    assert not hold.holding
