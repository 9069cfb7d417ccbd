"""What the admin console's and the buddy desk's MQTT links share: one paho client that
connects in the background, subscribes on every (re)connect, says when it is connected, hands
each message to the link and counts (never raises on) a message the protocol rejects, and
answers help calls. A link may also listen outside ``kiosk/v1`` (the console: the site brokers'
bridge states, ``bridges/+/state``) through :meth:`ConsoleLink.handle_outside`."""

from __future__ import annotations

import logging
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from kiosk.wire.broker import BrokerSettings, make_client
from kiosk.wire.protocol import (
    PREFIX,
    Channel,
    CheckIn,
    HelpChange,
    HelpOutcome,
    HelpState,
    Reason,
    Rejected,
    SiteChannel,
    SiteTopic,
    Topic,
    encode_checkin,
    encode_help,
    is_site_topic,
    utc_now,
)

log = logging.getLogger("admin_console.link")


class ConsoleLink(ABC):
    """A link for a person at a desk: ``who`` names it in the log, ``subscriptions`` are the
    topic filters it listens to (QoS 1), ``connection`` hears every connect and loss.
    Subclasses read their messages in :meth:`handle` (on paho's thread)."""

    def __init__(
        self,
        settings: BrokerSettings,
        client_prefix: str,
        who: str,
        subscriptions: Sequence[str],
        connection: Callable[[bool], None],
        *,
        max_inflight: int = 20,
    ) -> None:
        self._settings = settings
        self._who = who
        self._subscriptions = [(topic, 1) for topic in subscriptions]
        self._connection = connection
        self._lock = threading.Lock()
        self.connected = False
        self.rejected = 0
        self._client = make_client(
            settings,
            f"{client_prefix}-{uuid.uuid4().hex[:8]}",
            logger=logging.getLogger("admin_console.paho"),
            max_inflight=max_inflight,
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

    def publish_help_reply(
        self,
        site: str,
        machine: str,
        request: str,
        state: str,
        buddy: str,
        *,
        outcome: HelpOutcome | str | None = None,
        topics: Iterable[str] = (),
    ) -> None:
        """Claim or resolve a call; retained, so a desk that starts later knows it too. A
        resolution may say how it went (``outcome``) and what it was about (``topics``)."""
        resolved = HelpState(state) is HelpState.RESOLVED
        change = HelpChange(
            request,
            HelpState(state),
            utc_now(),
            buddy=buddy,
            outcome=HelpOutcome(outcome) if resolved and outcome else None,
            topics=tuple(topics) if resolved else (),
        )
        topic = Topic(site, machine, Channel.HELP_REPLY)
        self._client.publish(str(topic), encode_help(change), qos=1, retain=True)

    def publish_checkin(self, site: str, checkin: CheckIn) -> None:
        """A buddy starts or ends a permanence (QoS 1, not retained: it happened once)."""
        topic = SiteTopic(site, SiteChannel.CHECKIN)
        self._client.publish(str(topic), encode_checkin(checkin), qos=1)

    @abstractmethod
    def handle(self, topic: Topic, message: mqtt.MQTTMessage) -> None:
        """One message on a subscribed topic; raise ``Rejected`` for one that breaks the
        protocol (it is counted and logged, the link goes on)."""

    def handle_site(self, topic: SiteTopic, message: mqtt.MQTTMessage) -> None:
        """One message on a site channel (``kiosk/v1/{site}/_site/…``); ignored unless a
        link subscribes to them. Raise ``Rejected`` like :meth:`handle`."""
        log.debug("the %s has no use for %s", self._who, topic)

    def handle_outside(self, topic: str, message: mqtt.MQTTMessage) -> None:
        """A message on a subscribed topic outside ``kiosk/v1``; refused unless a link that
        subscribes to one reads it. Raise ``Rejected`` like :meth:`handle`."""
        raise Rejected(Reason.BAD_TOPIC, "not a kiosk/v1 topic")

    def _on_connect(
        self, client: mqtt.Client, _u: Any, _f: Any, reason: ReasonCode, _p: Any
    ) -> None:
        if reason.is_failure:
            log.error("broker %s refused the %s: %s", self._settings.url, self._who, reason)
            return
        client.subscribe(self._subscriptions)
        self.connected = True
        self._connection(True)

    def _on_disconnect(
        self, _c: mqtt.Client, _u: Any, _f: Any, reason: ReasonCode, _p: Any
    ) -> None:
        log.warning("the %s lost the broker (%s); reconnecting", self._who, reason)
        self.connected = False
        self._connection(False)

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        try:
            if not message.topic.startswith(f"{PREFIX}/"):
                self.handle_outside(message.topic, message)
            elif is_site_topic(message.topic):
                self.handle_site(SiteTopic.parse(message.topic), message)
            else:
                self.handle(Topic.parse(message.topic), message)
        except Rejected as err:
            with self._lock:
                self.rejected += 1
            log.warning("the %s ignored a message on %s: %s", self._who, message.topic, err)
