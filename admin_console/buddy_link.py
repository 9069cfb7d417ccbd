"""The buddy desk's MQTT link: hears the site's help calls, sends claims and resolutions."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from kiosk.wire.broker import BrokerSettings, make_client
from kiosk.wire.protocol import (
    Channel,
    HelpChange,
    Rejected,
    Topic,
    decode_help,
    decode_status,
    encode_help,
    topic_filter,
    utc_now,
)

log = logging.getLogger("admin_console.buddy")


@dataclass(frozen=True)
class BuddyCallbacks:
    """Called on paho's thread; the desk marshals them to the GUI thread."""

    help_change: Callable[[str, HelpChange], None]
    machine_online: Callable[[str, bool], None]
    connection: Callable[[bool], None]


class BuddyLink:
    def __init__(self, settings: BrokerSettings, site: str, callbacks: BuddyCallbacks) -> None:
        self.site = site
        self._settings = settings
        self._callbacks = callbacks
        self.rejected = 0
        self._client = make_client(
            settings,
            f"buddy-{site}-{uuid.uuid4().hex[:8]}",
            logger=logging.getLogger("admin_console.paho"),
        )
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message

    def start(self) -> None:
        self._client.connect_async(self._settings.host, self._settings.port, keepalive=30)
        self._client.loop_start()

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def reply(self, machine: str, request: str, state: str, buddy: str) -> None:
        """Claim or resolve a call; retained, so a desk that starts later knows it too."""
        change = HelpChange(request, state, utc_now(), buddy=buddy)
        topic = Topic(self.site, machine, Channel.HELP_REPLY)
        self._client.publish(str(topic), encode_help(change), qos=1, retain=True)

    def _on_connect(
        self, client: mqtt.Client, _u: Any, _f: Any, reason: ReasonCode, _p: Any
    ) -> None:
        if reason.is_failure:
            log.error("broker %s refused the buddy desk: %s", self._settings.url, reason)
            return
        client.subscribe(
            [
                (topic_filter(Channel.HELP, self.site), 1),
                (topic_filter(Channel.HELP_REPLY, self.site), 1),
                (topic_filter(Channel.STATUS, self.site), 1),
            ]
        )
        self._callbacks.connection(True)

    def _on_disconnect(
        self, _c: mqtt.Client, _u: Any, _f: Any, reason: ReasonCode, _p: Any
    ) -> None:
        log.warning("lost the broker (%s); reconnecting", reason)
        self._callbacks.connection(False)

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        try:
            topic = Topic.parse(message.topic)
            if topic.channel is Channel.STATUS:
                state = decode_status(message.payload).state
                self._callbacks.machine_online(topic.machine, state != "offline")
            elif topic.channel in (Channel.HELP, Channel.HELP_REPLY):
                change = decode_help(topic.channel, message.payload)
                self._callbacks.help_change(topic.machine, change)
        except Rejected as err:
            self.rejected += 1
            log.warning("ignored a message on %s: %s", message.topic, err)
