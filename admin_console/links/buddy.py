"""The buddy desk's MQTT link: hears the site's help calls, its PCs' statuses (online, label),
the site's queue and who is on duty; sends claims, resolutions and check-ins."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import paho.mqtt.client as mqtt

from admin_console.links.console import ConsoleLink
from kiosk.wire.broker import BrokerSettings
from kiosk.wire.protocol import (
    Channel,
    CheckIn,
    DutyRoster,
    HelpChange,
    HelpOutcome,
    SiteChannel,
    SiteQueue,
    SiteTopic,
    Topic,
    decode_duty,
    decode_help,
    decode_queue,
    decode_status,
    site_topic_filter,
    topic_filter,
)


def _ignore(*_args: object) -> None:
    return None


@dataclass(frozen=True)
class BuddyCallbacks:
    """Called on paho's thread; the desk marshals them to the GUI thread."""

    help_change: Callable[[str, HelpChange], None]
    machine_online: Callable[[str, bool], None]
    connection: Callable[[bool], None]
    # A PC's label from a live status (None: it has none); a will ("offline") says nothing.
    machine_label: Callable[[str, str | None], None] = _ignore
    queue: Callable[[SiteQueue, bool], None] = _ignore  # the queue, and whether retained
    duty: Callable[[DutyRoster], None] = _ignore


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
                site_topic_filter(SiteChannel.QUEUE, site),
                site_topic_filter(SiteChannel.DUTY, site),
            ],
            callbacks.connection,
        )
        self.site = site
        self._callbacks = callbacks

    def reply(
        self,
        machine: str,
        request: str,
        state: str,
        buddy: str,
        *,
        outcome: HelpOutcome | str | None = None,
        topics: Iterable[str] = (),
    ) -> None:
        """Claim or resolve a call (a resolution with its outcome and topics); retained."""
        self.publish_help_reply(
            self.site, machine, request, state, buddy, outcome=outcome, topics=topics
        )

    def check(self, checkin: CheckIn) -> None:
        """Start or end this buddy's permanence at the site."""
        self.publish_checkin(self.site, checkin)

    def handle(self, topic: Topic, message: mqtt.MQTTMessage) -> None:
        if topic.channel is Channel.STATUS:
            status = decode_status(message.payload)
            self._callbacks.machine_online(topic.machine, status.state != "offline")
            if status.state != "offline":
                self._callbacks.machine_label(topic.machine, status.figures.get("label"))
        elif topic.channel in (Channel.HELP, Channel.HELP_REPLY):
            change = decode_help(topic.channel, message.payload)
            self._callbacks.help_change(topic.machine, change)

    def handle_site(self, topic: SiteTopic, message: mqtt.MQTTMessage) -> None:
        if topic.site != self.site:
            return
        if topic.channel is SiteChannel.QUEUE:
            self._callbacks.queue(decode_queue(message.payload), bool(message.retain))
        elif topic.channel is SiteChannel.DUTY:
            self._callbacks.duty(decode_duty(message.payload))
