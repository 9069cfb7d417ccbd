"""The queue keeper's MQTT link (in ``admin-console serve``): hears every site's help calls,
replies and check-ins, and publishes each site's queue and duty roster, retained.

Its subscription is always plain, never a shared one, even when the aggregator joins a share
group: each serve process must see the whole of a site to reckon its queue (two processes
publishing the same retained queue is harmless). Its session is persistent (a fixed client id,
clean_session off) so that check-ins sent while serve was down still reach it; check-ins are
idempotent by id, and help messages are retained anyway.

A message the protocol refuses is counted (``rejected``) and logged, never raised: the
aggregator keeps it as a dead letter with its reason. No payload is ever logged.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from kiosk.wire.broker import BrokerSettings, make_client
from kiosk.wire.protocol import (
    BRIDGE_STATE_PREFIX,
    Channel,
    CheckIn,
    HelpChange,
    Reason,
    Rejected,
    SiteChannel,
    SiteTopic,
    Topic,
    bridge_site,
    bridge_state_topic,
    decode_checkin,
    decode_help,
    is_site_topic,
    site_topic_filter,
    topic_filter,
    utc_now,
)

log = logging.getLogger("admin_console.queue_keeper")


@dataclass(frozen=True)
class KeeperCallbacks:
    """Called on paho's thread, with the time the message was received."""

    help_change: Callable[[str, str, HelpChange, datetime], None]  # site, machine, change, when
    checkin: Callable[[str, CheckIn, datetime], None]  # site, check-in, when
    connection: Callable[[bool], None]
    bridge: Callable[[str], None] = lambda _site: None  # a room's bridge was seen (any state)


def keeper_filters() -> list[str]:
    """Every site's help calls, replies and check-ins: plain filters, never shared.

    The replies first: on (re)subscribing, the broker sends the retained messages filter by
    filter, and a kiosk's retained ``open`` stays on its topic after a buddy resolved the call.
    With the replies first, a finished call is known as finished before its ``open`` comes, and
    a restarted keeper never publishes it as waiting, not even for a moment (found by
    tests/e2e/test_site_queue.py in CI: the queue after a restart briefly held a resolved call)."""
    return [
        topic_filter(Channel.HELP_REPLY),
        site_topic_filter(SiteChannel.CHECKIN),
        topic_filter(Channel.HELP),
        bridge_state_topic("+"),  # the rooms with their own broker (retained: all at once)
    ]


def _no_delay(_client: mqtt.Client, _userdata: Any, sock: Any) -> None:
    """TCP_NODELAY: a queue published right after the PUBACK of the claim that changed it
    would otherwise wait for the broker's delayed ACK of that PUBACK (Nagle): ~40 ms on
    Linux, every time (BENCHMARKS.md, "Queue update latency")."""
    with contextlib.suppress(OSError, AttributeError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class QueueKeeperLink:
    def __init__(
        self, settings: BrokerSettings, client_id: str, callbacks: KeeperCallbacks
    ) -> None:
        self._settings = settings
        self._callbacks = callbacks
        self._lock = threading.Lock()
        self.connected = threading.Event()
        self.rejected = 0
        self._client = make_client(
            settings,
            client_id,
            clean_session=False,
            logger=logging.getLogger("admin_console.paho"),
            max_inflight=100,
        )
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.on_socket_open = _no_delay

    def start(self) -> None:
        self._client.connect_async(self._settings.host, self._settings.port, keepalive=30)
        self._client.loop_start()

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def publish(self, site: str, channel: SiteChannel, payload: bytes) -> None:
        """A site's queue or duty roster, retained, QoS 1 (queued by paho while offline)."""
        self._client.publish(str(SiteTopic(site, channel)), payload, qos=1, retain=True)

    def _on_connect(
        self, client: mqtt.Client, _u: Any, flags: Any, reason: ReasonCode, _p: Any
    ) -> None:
        if reason.is_failure:
            log.error("broker %s refused the queue keeper: %s", self._settings.url, reason)
            return
        client.subscribe([(f, 1) for f in keeper_filters()])
        self.connected.set()
        log.info(
            "queue keeper: on the broker at %s (session %s), listening on %s",
            self._settings.url,
            "resumed" if flags.session_present else "new",
            ", ".join(keeper_filters()),
        )
        self._callbacks.connection(True)

    def _on_disconnect(
        self, _c: mqtt.Client, _u: Any, _f: Any, reason: ReasonCode, _p: Any
    ) -> None:
        if self.connected.is_set():
            log.warning("the queue keeper lost the broker (%s); reconnecting", reason)
        self.connected.clear()
        self._callbacks.connection(False)

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        received = utc_now()
        try:
            if message.topic.startswith(f"{BRIDGE_STATE_PREFIX}/"):
                self._callbacks.bridge(bridge_site(message.topic))
                return
            if is_site_topic(message.topic):
                topic = SiteTopic.parse(message.topic)
                if topic.channel is not SiteChannel.CHECKIN:
                    raise Rejected(Reason.BAD_TOPIC, "the queue keeper takes only check-ins")
                self._callbacks.checkin(topic.site, decode_checkin(message.payload), received)
                return
            help_topic = Topic.parse(message.topic)
            if help_topic.channel not in (Channel.HELP, Channel.HELP_REPLY):
                raise Rejected(Reason.BAD_TOPIC, "the queue keeper takes only help changes")
            change = decode_help(help_topic.channel, message.payload)
            self._callbacks.help_change(help_topic.site, help_topic.machine, change, received)
        except Rejected as err:
            with self._lock:
                self.rejected += 1
            log.warning("the queue keeper ignored a message on %s: %s", message.topic, err)
