"""``admin-console serve``: MQTT → database, acknowledging each message only after its commit.

paho delivers on its own thread into a queue; the worker (the caller's thread) takes up to
``batch_max`` messages, stores them in one transaction and then acknowledges them (paho
manual ack). Its session is persistent (clean_session off, fixed client id) so that what
arrives while it is down waits at the broker; with a shared subscription several
aggregators split the stream.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy.exc import OperationalError

from admin_console.ingest import Inbound, Ingest
from kiosk.wire.broker import BrokerSettings, make_client
from kiosk.wire.protocol import Channel, shared_filter, topic_filter

log = logging.getLogger("admin_console.aggregator")

CHANNELS = (Channel.EVENTS, Channel.STATUS, Channel.HELP, Channel.HELP_REPLY)


@dataclass(frozen=True)
class _Delivery:
    message: Inbound
    mid: int
    qos: int
    generation: int


@dataclass(frozen=True)
class AggregatorOptions:
    client_id: str = "aggregator"
    share_group: str | None = None
    batch_max: int = 500
    help_expiry: timedelta = timedelta(hours=2)
    housekeeping_s: float = 30.0
    retention_days: int = 400


class Aggregator:
    def __init__(
        self, settings: BrokerSettings, ingest: Ingest, options: AggregatorOptions
    ) -> None:
        self._settings = settings
        self._ingest = ingest
        self._options = options
        self._inbox: queue.SimpleQueue[_Delivery] = queue.SimpleQueue()
        self._generation = 0
        self.connected = threading.Event()
        self.totals: Counter[str] = Counter()
        self._client = make_client(
            settings,
            options.client_id,
            clean_session=False,
            manual_ack=True,
            logger=logging.getLogger("admin_console.paho"),
        )
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message

    def filters(self) -> list[str]:
        group = self._options.share_group
        return [shared_filter(c, group) if group else topic_filter(c) for c in CHANNELS]

    # --- paho's thread --------------------------------------------------------------------------

    def _on_connect(
        self, client: mqtt.Client, _u: Any, flags: Any, reason: ReasonCode, _p: Any
    ) -> None:
        if reason.is_failure:
            log.error("broker %s refused the aggregator: %s", self._settings.url, reason)
            return
        self._generation += 1
        client.subscribe([(f, 1) for f in self.filters()])
        self.connected.set()
        log.info(
            "connected to %s (session %s), subscribed to %s",
            self._settings.url,
            "resumed" if flags.session_present else "new",
            ", ".join(self.filters()),
        )

    def _on_disconnect(
        self, _c: mqtt.Client, _u: Any, _f: Any, reason: ReasonCode, _p: Any
    ) -> None:
        self._generation += 1  # acks for the old connection must not reach the new one
        if self.connected.is_set():
            log.warning("lost the broker (%s); reconnecting", reason)
        self.connected.clear()

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        inbound = Inbound(
            message.topic, bytes(message.payload), datetime.now(UTC), dup=bool(message.dup)
        )
        self._inbox.put(_Delivery(inbound, message.mid, message.qos, self._generation))

    # --- worker ---------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Connect and store until ``stop`` is set."""
        self._client.connect_async(self._settings.host, self._settings.port, keepalive=30)
        self._client.loop_start()
        next_housekeeping = time.monotonic() + 2.0
        next_report = time.monotonic() + 60.0
        try:
            while not stop.is_set():
                batch = self._take_batch(timeout=0.5)
                if batch:
                    self._store(batch, stop)
                now = time.monotonic()
                if now >= next_housekeeping:
                    self._housekeeping()
                    next_housekeeping = now + self._options.housekeeping_s
                if now >= next_report:
                    log.info("so far: %s", dict(self.totals) or "nothing received")
                    next_report = now + 60.0
        finally:
            if self.connected.is_set():
                self._client.disconnect()
            self._client.loop_stop()

    def _take_batch(self, timeout: float) -> list[_Delivery]:
        try:
            batch = [self._inbox.get(timeout=timeout)]
        except queue.Empty:
            return []
        while len(batch) < self._options.batch_max:
            try:
                batch.append(self._inbox.get_nowait())
            except queue.Empty:
                break
        return batch

    _SPLIT_AFTER = 3

    def _store(self, batch: list[_Delivery], stop: threading.Event) -> None:
        delay = 0.5
        failures = 0
        while True:
            try:
                result = self._ingest.handle([d.message for d in batch])
                break
            except OperationalError as err:
                # The database is away (or refuses this much at once): keep the batch
                # unacknowledged and try again. After a few failures, store it in halves: a
                # statement that is too big for the database then gets through, and a database
                # that is away keeps every message unacknowledged, as before.
                failures += 1
                if failures >= self._SPLIT_AFTER and len(batch) > 1:
                    log.error(
                        "storing %d messages failed %d times (%s); in halves now",
                        len(batch),
                        failures,
                        err.orig,
                    )
                    half = len(batch) // 2
                    self._store(batch[:half], stop)
                    self._store(batch[half:], stop)
                    return
                log.error("database unavailable (%s); retrying in %.1f s", err.orig, delay)
                if stop.wait(delay):
                    return
                delay = min(delay * 2, 10.0)
        self.totals["events_new"] += result.events_new
        self.totals["events_duplicate"] += result.events_duplicate
        self.totals["rejected"] += sum(result.rejected.values())
        self.totals["messages"] += len(batch)
        for delivery in batch:
            if delivery.qos > 0 and delivery.generation == self._generation:
                self._client.ack(delivery.mid, delivery.qos)

    def _housekeeping(self) -> None:
        try:
            expired = self._ingest.expire_help(self._options.help_expiry)
            trimmed = self._ingest.trim_dead_letters()
            aged = self._ingest.expire_raw(self._options.retention_days)
        except OperationalError as err:
            log.error("housekeeping skipped, database unavailable: %s", err.orig)
            return
        if expired:
            log.info("%d help calls expired unanswered", expired)
        if trimmed:
            log.info("trimmed %d old dead letters", trimmed)
        if aged:
            log.info(
                "retention: removed %d raw events older than %d days (daily counts stay)",
                aged,
                self._options.retention_days,
            )
