"""The buddy desk's MQTT link: hears the site's help calls, sends claims and resolutions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as mqtt

from admin_console.links.console import ConsoleLink
from kiosk.wire.broker import BrokerSettings
from kiosk.wire.protocol import Channel, HelpChange, Topic, decode_help, decode_status, topic_filter


@dataclass(frozen=True)
class BuddyCallbacks:
    """Called on paho's thread; the desk marshals them to the GUI thread."""

    help_change: Callable[[str, HelpChange], None]
    machine_online: Callable[[str, bool], None]
    connection: Callable[[bool], None]


class BuddyLink(ConsoleLink):
    def __init__(self, settings: BrokerSettings, site: str, callbacks: BuddyCallbacks) -> None:
        super().__init__(
            settings,
            f"buddy-{site}",
            "buddy desk",
            [
                topic_filter(Channel.HELP, site),
                topic_filter(Channel.HELP_REPLY, site),
                topic_filter(Channel.STATUS, site),
            ],
            callbacks.connection,
        )
        self.site = site
        self._callbacks = callbacks

    def reply(self, machine: str, request: str, state: str, buddy: str) -> None:
        """Claim or resolve a call; retained, so a desk that starts later knows it too."""
        self.publish_help_reply(self.site, machine, request, state, buddy)

    def handle(self, topic: Topic, message: mqtt.MQTTMessage) -> None:
        if topic.channel is Channel.STATUS:
            state = decode_status(message.payload).state
            self._callbacks.machine_online(topic.machine, state != "offline")
        elif topic.channel in (Channel.HELP, Channel.HELP_REPLY):
            change = decode_help(topic.channel, message.payload)
            self._callbacks.help_change(topic.machine, change)
