"""Whether the kiosk sends its events now, or keeps them: its room's line to the centre (issue 21).

A room with its own broker, bridged to the centre: Mosquitto's bridge notification says on the
room's broker, retained, on ``bridges/SITE/state``, whether the line to the centre is up ("1")
or down ("0"). While it says "0", the room's broker could only queue the events for the
bridge, and past its ``max_queued_messages`` it drops them without a word, after the kiosk had
its PUBACK and deleted them. So while the line is down the kiosk keeps its events in its own
outbox (on disk: weeks of a busy PC) and sends them, in order, when the line is back.

Only the events wait. Help calls, their cancellations, the status and everything the kiosk
receives are for the room (the buddy desk is there) and keep flowing.

The decision, per connection to the room's broker:

- just connected, the retained state not heard yet: hold (one round trip: until the broker
  answers a later subscription, by which time a retained state has arrived, see ``settled``);
- "0": hold;
- "1", an empty payload (the retained state was cleared), or no state at all (a broker with no
  bridge: a single-broker site, or the central broker itself): send;
- anything else: send, as a kiosk did before there was a hold (the room's broker then queues).

What the hold cannot cover: a line that dies without a word. Mosquitto 2.0.11's room broker
then publishes no "0" (tests/integration/test_silent_line.py), so the kiosks go on sending and
the room broker's own queue (1,000,000 messages) holds the events: docs/broker.md.

Qt-free and free of paho: the link feeds it what it hears, and asks ``holding``.
"""

from __future__ import annotations

import threading
from enum import StrEnum

from kiosk.wire.protocol import bridge_state_topic


class Line(StrEnum):
    """What the kiosk knows of its room's line to the centre."""

    UNKNOWN = "unknown"  # connected, the retained state not settled yet
    UP = "up"  # "1"
    DOWN = "down"  # "0"
    NO_BRIDGE = "no bridge"  # no state, or an empty one: nothing to wait for
    ODD = "odd"  # a payload that is neither: sent as before (the room's broker queues)


def line_from(payload: bytes) -> Line:
    if payload == b"1":
        return Line.UP
    if payload == b"0":
        return Line.DOWN
    if not payload:
        return Line.NO_BRIDGE
    return Line.ODD


class BridgeHold:
    """The kiosk's view of its room's bridge, fed from paho's thread, read by the uploader."""

    def __init__(self, site: str) -> None:
        self.topic = bridge_state_topic(site)
        self._lock = threading.Lock()
        self._line = Line.UNKNOWN
        self._heard = False  # a state arrived on this connection

    @property
    def line(self) -> Line:
        with self._lock:
            return self._line

    @property
    def holding(self) -> bool:
        """True while the events must stay in the outbox."""
        with self._lock:
            return self._holds()

    def connected(self) -> None:
        """A new connection to the room's broker: hold until its retained state is settled.

        What was known before does not count: the room's broker may have restarted, or the
        line may have gone, while the kiosk was away."""
        with self._lock:
            self._line = Line.UNKNOWN
            self._heard = False

    def heard(self, payload: bytes) -> bool:
        """A state on ``topic`` (retained or live). True when the line changed (worth a line in
        the log: the first state after connecting, or a change)."""
        with self._lock:
            before = self._line
            self._line = line_from(payload)
            self._heard = True
            return self._line is not before

    def settled(self) -> bool:
        """The broker answered a subscription made after the state's: a retained state, if
        there is one, came before that answer (one connection keeps its order). None came:
        this broker has no bridge. True when that changed the line (nothing was heard)."""
        with self._lock:
            if self._heard or self._line is not Line.UNKNOWN:
                return False
            self._line = Line.NO_BRIDGE
            return True

    def _holds(self) -> bool:
        return self._line in (Line.UNKNOWN, Line.DOWN)
