"""The kiosk's MQTT link: drains the outbox, sends the heartbeat, receives replies and commands.

paho runs its network loop on its own thread; an uploader thread feeds it a bounded window of
messages from the outbox (the backlog stays on disk, never inside paho) and removes rows when
their PUBACK arrives. Callbacks only convert and hand over; nothing here touches a widget.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from kiosk.model.outbox import Outbox, OutboxRow
from kiosk.uplink.bridge_hold import SILENT_AFTER_S, BridgeHold
from kiosk.wire.broker import BrokerSettings, Will, make_client
from kiosk.wire.protocol import (
    MAX_EVENTS_PER_BATCH,
    Channel,
    Command,
    HelpChange,
    Reason,
    Rejected,
    SiteChannel,
    SiteQueue,
    SiteTopic,
    Topic,
    decode_command,
    decode_help,
    decode_queue,
    encode_status,
    encode_will,
    encode_wire_batch,
    is_site_topic,
    site_topic_filter,
)

log = logging.getLogger("kiosk.uplink.link")

RETAINED = frozenset({Channel.STATUS, Channel.HELP})


@dataclass(frozen=True)
class LinkCallbacks:
    """What the link hands over; called on paho's thread, so receivers must marshal to their own."""

    help_reply: Callable[[HelpChange], None]
    command: Callable[[Command], None]
    connection: Callable[[bool], None]
    # The site's help queue (v1 extension), or None when the keeper took the retained one away.
    queue: Callable[[SiteQueue | None], None] = field(default=lambda _queue: None)


class KioskLink:
    """One kiosk's connection to the broker."""

    def __init__(
        self,
        settings: BrokerSettings,
        site: str,
        machine: str,
        outbox: Outbox,
        status: Callable[[], dict[str, Any]],
        callbacks: LinkCallbacks,
        *,
        heartbeat_s: float = 60.0,
        window: int = 8,
        batch_size: int = MAX_EVENTS_PER_BATCH,
        centre_silent_after: float = SILENT_AFTER_S,
    ) -> None:
        self.site = site
        self.machine = machine
        self._settings = settings
        self._outbox = outbox
        self._status = status
        self._callbacks = callbacks
        self._heartbeat_s = heartbeat_s
        self._window = window
        self._batch_size = batch_size
        self._connected = threading.Event()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._acked: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._inflight: dict[int, list[int]] = {}  # mid -> outbox seqs; uploader thread only
        self._high_water = 0  # highest event seq handed to paho; uploader thread only
        self._urgent_water = 0  # highest seq of a help call (not an event) handed to paho
        self._status_due = threading.Event()
        self._thread: threading.Thread | None = None
        # The room's line to the centre: while it is down the events stay in the outbox.
        self.hold = BridgeHold(site, centre_silent_after)
        self._settle_mid: int | None = None  # the SUBACK after which the line's state is known
        self.rejected = 0
        offline = Will(str(self.topic(Channel.STATUS)), encode_will())
        self._client = make_client(
            settings,
            client_id=f"kiosk-{site}-{machine}",
            clean_session=True,
            will=offline,
            logger=logging.getLogger("kiosk.paho"),
            max_inflight=window + 8,
        )
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_publish = self._on_publish
        self._client.on_message = self._on_message
        self._client.on_subscribe = self._on_subscribe

    def topic(self, channel: Channel) -> Topic:
        return Topic(self.site, self.machine, channel)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    @property
    def inflight(self) -> int:
        return len(self._inflight)

    @property
    def holding(self) -> bool:
        """True while the room's line to the centre is down: events wait in the outbox."""
        return self.hold.holding

    def start(self) -> None:
        """Connect in the background; the kiosk works, and keeps writing its outbox, meanwhile."""
        self._client.connect_async(self._settings.host, self._settings.port, keepalive=30)
        self._client.loop_start()
        self._thread = threading.Thread(
            target=self._upload_loop, name="outbox-uploader", daemon=True
        )
        self._thread.start()

    def flush(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for the outbox to reach the broker (at shutdown: the visit's
        last events go now, not at the next start). True when nothing is left to send."""
        deadline = time.monotonic() + timeout
        while self._outbox.count() and self.connected:
            if self.holding and not self._inflight and not self._outbox.next_urgent(0, 1):
                return False  # only events are left, waiting for the room's line: next start
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._wake.set()
            self._stopping.wait(min(0.02, left))  # the uploader works; a PUBACK ends the wait
        return self._outbox.count() == 0

    def stop(self, timeout: float = 3.0) -> None:
        """Say goodbye (the will only fires on a broken connection) and stop the threads.

        A clean DISCONNECT makes the broker drop the will: "offline" is said once, by us."""
        if self.connected:
            info = self._client.publish(
                str(self.topic(Channel.STATUS)), encode_status("offline"), qos=1, retain=True
            )
            if info.rc == mqtt.MQTT_ERR_SUCCESS:
                info.wait_for_publish(timeout)
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self.connected:
            self._client.disconnect()
        self._client.loop_stop()

    def send_ack(self, payload: bytes) -> None:
        """Answer a command (not through the outbox: it only matters while we are connected)."""
        self._client.publish(str(self.topic(Channel.CMD_ACK)), payload, qos=1)

    def wake(self) -> None:
        """New rows are in the outbox."""
        self._wake.set()

    def status_changed(self) -> None:
        self._status_due.set()
        self._wake.set()

    # --- paho callbacks (paho's thread): convert and hand over ---------------------------------

    def _on_connect(
        self, client: mqtt.Client, _u: Any, _f: Any, reason: ReasonCode, _p: Any
    ) -> None:
        if reason.is_failure:
            log.warning("broker %s refused the connection: %s", self._settings.url, reason)
            return
        log.info("connected to %s", self._settings.url)
        # The room's line first, alone: its retained state comes before the answer to the next
        # subscription, which settles it (no state by then: this broker has no bridge).
        self.hold.connected()
        client.subscribe(self.hold.topic, 1)
        _rc, self._settle_mid = client.subscribe(
            [
                (str(self.topic(Channel.HELP_REPLY)), 1),
                (str(self.topic(Channel.CMD)), 1),
                (self.queue_topic, 1),  # retained: the queue as it is comes at once
            ]
        )
        self._connected.set()
        self.status_changed()
        self._callbacks.connection(True)

    def _on_disconnect(
        self, _c: mqtt.Client, _u: Any, _f: Any, reason: ReasonCode, _p: Any
    ) -> None:
        if self._connected.is_set():
            log.warning("lost the broker (%s); events wait in the outbox", reason)
        self._connected.clear()
        self._callbacks.connection(False)

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, mid: int, _r: Any, _p: Any) -> None:
        if mid == self._settle_mid and self.hold.settled():
            self._line_changed()

    def _line_changed(self) -> None:
        if self.hold.holding:
            log.warning(
                "the room's line to the centre is down: events wait in the outbox (%d rows)",
                self._outbox.count(),
            )
        else:
            log.info("sending the outbox (%d rows): %s", self._outbox.count(), self.hold.line)
        self.status_changed()

    def _on_publish(self, _c: mqtt.Client, _u: Any, mid: int, _r: Any, _p: Any) -> None:
        # paho holds its own lock here: only queue the mid, the uploader does the rest.
        self._acked.put(mid)
        self._wake.set()

    @property
    def queue_topic(self) -> str:
        """This site's queue: the one site topic a kiosk may read (the broker's ACL)."""
        return site_topic_filter(SiteChannel.QUEUE, self.site)

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        if message.topic == self.hold.topic:
            if self.hold.heard(bytes(message.payload)):
                self._line_changed()
            return
        if is_site_topic(message.topic):
            self._on_site_message(message)
            return
        try:
            topic = Topic.parse(message.topic)
            if topic.channel is Channel.HELP_REPLY:
                self._callbacks.help_reply(decode_help(Channel.HELP_REPLY, message.payload))
            elif topic.channel is Channel.CMD:
                self._callbacks.command(decode_command(message.payload))
        except Rejected as err:
            self.rejected += 1
            log.warning("ignored a message on %s: %s", message.topic, err)

    def _on_site_message(self, message: mqtt.MQTTMessage) -> None:
        # A bad queue is counted and logged by its reason alone (nothing of the payload: field
        # names too come from the sender), then ignored; the last good one stays on screen.
        try:
            topic = SiteTopic.parse(message.topic)
            if topic.site != self.site or topic.channel is not SiteChannel.QUEUE:
                raise Rejected(Reason.BAD_TOPIC, "not this site's queue")
            if not message.payload:  # the keeper took the retained queue away
                self._callbacks.queue(None)
                return
            queue = decode_queue(message.payload)
            if not message.retain and self.hold.centre_heard():
                # The keeper's queue, live: the centre is heard through the bridge again.
                log.info("the centre is heard again: sending the outbox")
                self.status_changed()
        except Rejected as err:
            self.rejected += 1
            log.warning("ignored a queue message on %s: %s", message.topic, err.reason.value)
            return
        except Exception:  # never let a message end paho's network thread
            self.rejected += 1
            log.warning("ignored a queue message on %s: it could not be read", message.topic)
            return
        self._callbacks.queue(queue)

    # --- uploader thread ------------------------------------------------------------------------

    def _upload_loop(self) -> None:
        next_heartbeat = 0.0
        while not self._stopping.is_set():
            self._wake.wait(timeout=max(0.05, next_heartbeat - time.monotonic()))
            self._wake.clear()
            if self._stopping.is_set():
                break
            try:
                self._take_acks()
                if not self.connected:
                    continue
                now = time.monotonic()
                if self._status_due.is_set() or now >= next_heartbeat:
                    self._status_due.clear()
                    self._publish_status()
                    next_heartbeat = now + self._heartbeat_s
                self._fill_window()
            except Exception:  # a bad moment (disk full, database locked) must not end the thread
                log.exception("outbox upload failed; retrying")
                self._stopping.wait(1.0)
                self._wake.set()

    def _take_acks(self) -> None:
        done: list[int] = []
        while True:
            try:
                mid = self._acked.get_nowait()
            except queue.Empty:
                break
            done.extend(self._inflight.pop(mid, []))
        if done:
            self._outbox.remove(done)

    def _fill_window(self) -> None:
        # Help calls first, outside the window (a few at most; paho's limit is window + 8): a
        # visitor is waiting, and a backlog of events (a day offline) would hold them up for
        # as long as it takes to upload. Events then fill the window, oldest first.
        if self.connected:
            for row in self._outbox.next_urgent(self._urgent_water, 4):
                self._publish_rows(row.channel, row.body.encode("utf-8"), [row])
                self._urgent_water = row.seq
        # Events only while the room's line to the centre is up (or there is no bridge): the
        # outbox keeps them on disk meanwhile, where nothing drops them (bridge_hold.py).
        if self.hold.silence_began():
            log.warning(
                "no word from the centre for %.0f s: the room's line may be down; events wait "
                "in the outbox (%d rows)",
                self.hold.silent_after,
                self._outbox.count(),
            )
            self.status_changed()
        while len(self._inflight) < self._window and self.connected and not self.holding:
            rows = self._outbox.next_events(self._high_water, self._batch_size)
            if not rows:
                return
            channel, payload, taken = self._message_from(rows)
            self._publish_rows(channel, payload, taken)
            self._high_water = taken[-1].seq

    def _publish_rows(self, channel: Channel, payload: bytes, taken: list[OutboxRow]) -> None:
        info = self._client.publish(
            str(self.topic(channel)), payload, qos=1, retain=channel in RETAINED
        )
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            # paho keeps it queued and sends it on reconnect; PUBACK still removes the rows.
            log.info("broker not reachable; %d rows queued for reconnect", len(taken))
        self._inflight[info.mid] = [row.seq for row in taken]

    def _message_from(self, rows: list[OutboxRow]) -> tuple[Channel, bytes, list[OutboxRow]]:
        first = rows[0]
        if first.channel is not Channel.EVENTS:
            return first.channel, first.body.encode("utf-8"), [first]
        run: list[OutboxRow] = []
        for row in rows:
            if row.channel is not Channel.EVENTS:
                break
            run.append(row)
        payload = encode_wire_batch(self.site, self.machine, [row.body for row in run])
        return Channel.EVENTS, payload, run

    def _publish_status(self) -> None:
        # What is still in the outbox: events held while the room's line is down, then the
        # drain (the first status after the line is back says how much is on its way).
        payload = encode_status(**self._status(), waiting=self._outbox.count())
        self._client.publish(str(self.topic(Channel.STATUS)), payload, qos=1, retain=True)
