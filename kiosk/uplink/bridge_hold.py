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
- anything else: send, as a kiosk did before there was a hold (the room's broker then queues);
- "1" (or anything else), but the centre silent: hold. A line that dies without a word leaves
  the state at "1" on Mosquitto before 2.0.15 (its bug #2467: no local "0" when the remote
  connection fails; tests/integration/test_silent_line.py). The centre speaks every minute
  through the bridge, though: the queue keeper publishes each bridged room's queue again every
  60 s. A kiosk that has heard the centre live on this connection (not a retained copy) and
  then nothing for ``silent_after`` (150 s) holds, until the centre is heard again. A room
  whose keeper never spoke (no bridge seen by the keeper, an older centre) is not judged.

Qt-free and free of paho: the link feeds it what it hears, and asks ``holding``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
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


# The queue keeper publishes every bridged room's queue again every 60 s
# (admin_console/desk/queue_service.py, TICK_S): two missed, and a half for the way.
SILENT_AFTER_S = 150.0


class BridgeHold:
    """The kiosk's view of its room's bridge, fed from paho's thread, read by the uploader."""

    def __init__(
        self,
        site: str,
        silent_after: float = SILENT_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.topic = bridge_state_topic(site)
        self.silent_after = silent_after
        self._clock = clock
        self._lock = threading.Lock()
        self._line = Line.UNKNOWN
        self._heard = False  # a state arrived on this connection
        self._centre_at: float | None = None  # when the centre was last heard live
        self._silence_said = False

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
            self._centre_at = None
            self._silence_said = False

    def heard(self, payload: bytes) -> bool:
        """A state on ``topic`` (retained or live). True when the line changed (worth a line in
        the log: the first state after connecting, or a change)."""
        with self._lock:
            before = self._line
            self._line = line_from(payload)
            self._heard = True
            if self._line is not before:
                # A new state: the centre's silence before it says nothing about the line now.
                self._centre_at = None
                self._silence_said = False
            return self._line is not before

    @property
    def centre_known(self) -> bool:
        """The centre was heard live on this connection: its silence now counts."""
        with self._lock:
            return self._centre_at is not None

    def centre_heard(self) -> bool:
        """Something the centre published just now reached the kiosk through the bridge (the
        keeper's queue, live). True when that ends a silence (worth a line in the log)."""
        with self._lock:
            was_silent = self._silent()
            self._centre_at = self._clock()
            self._silence_said = False
            return was_silent

    def silence_began(self) -> bool:
        """True once when the centre has gone silent (asked by the uploader; for the log)."""
        with self._lock:
            if self._silent() and not self._silence_said:
                self._silence_said = True
                return True
            return False

    def _silent(self) -> bool:
        return (
            self._line in (Line.UP, Line.ODD)
            and self._centre_at is not None
            and self._clock() - self._centre_at > self.silent_after
        )

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
        return self._line in (Line.UNKNOWN, Line.DOWN) or self._silent()
