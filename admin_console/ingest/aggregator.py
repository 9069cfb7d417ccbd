"""``admin-console serve``: MQTT → database, acknowledging each message only after its commit.

Two processes, because receiving and storing each take about one core at full rate and a
Python process runs one thread at a time:

- this one, the *receiver*: paho delivers on its own thread into a queue; the caller's thread
  hands what waits there, up to ``batch_max`` messages, to the storer as one batch (at most
  ``pipeline`` batches at a time), and a third thread acknowledges each batch's messages (paho
  manual ack) when the storer reports its commit;
- the *storer* (admin_console/ingest/storer.py, a child process): stores each batch in one
  transaction, then reports it. The receiver hands it each batch already decoded, validated
  and made into rows (``ingest.Preparer``), with the messages themselves. It ends with the
  receiver, SIGKILL included: what it had not committed was not acknowledged, and the broker
  delivers it again.

The session is persistent (clean_session off, fixed client id) so that what arrives while the
aggregator is down waits at the broker; with a shared subscription several aggregators split
the stream.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from admin_console.ingest.batch import Inbound, Prepared, Preparer
from admin_console.ingest.storer import READY, StorerOptions, Wire, storer_main
from admin_console.store.database import dialect_of
from admin_console.store.gc_pause import gc_held_off
from kiosk.wire.broker import BrokerSettings, acknowledge, make_client
from kiosk.wire.protocol import (
    Channel,
    SiteChannel,
    shared_filter,
    site_topic_filter,
    topic_filter,
)

log = logging.getLogger("admin_console.ingest.aggregator")

CHANNELS = (Channel.EVENTS, Channel.STATUS, Channel.HELP, Channel.HELP_REPLY)

# A message waiting for the storer: mid, qos, connection generation, topic, payload, dup, time.
_Waiting = tuple[int, int, int, str, bytes, bool, float]


# Batches whose messages average this many payload bytes (~10 events) are prepared by the
# receiver; smaller ones by the storer (Aggregator._prepare).
PREPARE_HERE_BYTES = 2048


class StorerDied(RuntimeError):
    """The storer process ended on its own; nothing it had not reported was acknowledged."""


@dataclass(frozen=True)
class AggregatorOptions:
    client_id: str = "aggregator"
    share_group: str | None = None
    batch_max: int = 1000  # messages in one transaction (500: the storer ~15 % slower a message)
    batch_bytes: int = 500_000  # payload bytes in one transaction (~10 uploads of 500 events)
    pipeline: int = 2  # batches handed to the storer and not yet committed
    help_expiry: timedelta = timedelta(hours=2)
    housekeeping_s: float = 30.0
    retention_days: int = 400
    stop_timeout_s: float = 10.0  # at a stop: how long the storer may take to finish


class Aggregator:
    def __init__(
        self, settings: BrokerSettings, database_url: str, options: AggregatorOptions
    ) -> None:
        self._settings = settings
        self._database_url = database_url
        self._options = options
        self._inbox: deque[_Waiting] = deque()
        self._wakeup = threading.Event()
        self._slots = threading.Semaphore(options.pipeline)
        self._in_flight: dict[int, list[tuple[int, int, int]]] = {}
        self._generation = 0
        self.connected = threading.Event()
        self.totals: Counter[str] = Counter()
        self._batch_id = 0
        self._preparer = Preparer(dialect_of(database_url))
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
        checkins = site_topic_filter(SiteChannel.CHECKIN)  # kiosk/v1/+/_site/checkin
        return [shared_filter(c, group) if group else topic_filter(c) for c in CHANNELS] + [
            f"$share/{group}/{checkins}" if group else checkins
        ]

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
        self._inbox.append(
            (
                message.mid,
                message.qos,
                self._generation,
                message.topic,
                bytes(message.payload),
                bool(message.dup),
                time.time(),
            )
        )
        if not self._wakeup.is_set():
            self._wakeup.set()

    # --- the caller's thread: hands batches to the storer ---------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Connect, receive and store until ``stop`` is set. StorerDied if the storer ends."""
        spawn = multiprocessing.get_context("spawn")
        batches_reader, batches = spawn.Pipe(duplex=False)
        replies, replies_writer = spawn.Pipe(duplex=False)
        storer_options = StorerOptions(
            database_url=self._database_url,
            help_expiry=self._options.help_expiry,
            housekeeping_s=self._options.housekeeping_s,
            retention_days=self._options.retention_days,
            log_level=logging.getLogger().getEffectiveLevel(),
        )
        storer = spawn.Process(
            target=storer_main,
            args=(storer_options, batches_reader, replies_writer, os.getpid()),
            name="aggregator-storer",
        )
        storer.start()
        batches_reader.close()
        replies_writer.close()
        if not self._storer_ready(replies, stop):
            batches.close()  # the storer ends at the end of its pipe
            storer.join(self._options.stop_timeout_s)
            if storer.is_alive():
                storer.kill()
                storer.join()
            if stop.is_set():
                return
            raise StorerDied(f"the storer process did not start (exit code {storer.exitcode})")
        storer_gone = threading.Event()
        acker = threading.Thread(
            target=self._acknowledge, args=(replies, storer_gone), name="aggregator-acks"
        )
        acker.start()
        self._client.connect_async(self._settings.host, self._settings.port, keepalive=30)
        self._client.loop_start()
        next_report = time.monotonic() + 60.0
        try:
            while not stop.is_set() and not storer_gone.is_set():
                batch = self._take_batch(stop, storer_gone)
                if batch:
                    self._hand_over(batch, batches)
                if time.monotonic() >= next_report:
                    log.info("so far: %s", dict(self.totals) or "nothing received")
                    next_report = time.monotonic() + 60.0
        finally:
            # Let the storer finish (and report) what it holds, so that it is acknowledged.
            with contextlib.suppress(OSError):
                batches.send(None)
            batches.close()
            deadline = time.monotonic() + self._options.stop_timeout_s
            acker.join(self._options.stop_timeout_s)  # ends when the storer closes its pipe
            storer.join(max(0.0, deadline - time.monotonic()))
            if storer.is_alive():
                log.warning("the storer did not finish in time; what it held comes again")
                storer.kill()
            storer.join()
            acker.join()
            if self.connected.is_set():
                self._client.disconnect()
            self._client.loop_stop()
        if storer_gone.is_set() and not stop.is_set():
            raise StorerDied(f"the storer process ended (exit code {storer.exitcode})")

    @staticmethod
    def _storer_ready(replies: Any, stop: threading.Event) -> bool:
        """Take no message before it can be stored: wait for the storer's first reply."""
        try:
            while not replies.poll(0.5):
                if stop.is_set():
                    return False
            return bool(replies.recv() == READY)
        except EOFError:
            return False

    def _take_batch(self, stop: threading.Event, storer_gone: threading.Event) -> list[_Waiting]:
        """Up to ``batch_max`` waiting messages, once the storer has room for a batch."""
        while not self._slots.acquire(timeout=0.5):
            if stop.is_set() or storer_gone.is_set():
                return []
        while not self._inbox:
            self._wakeup.clear()
            idle = not self._inbox and not self._wakeup.wait(0.5)
            if idle and (stop.is_set() or storer_gone.is_set()):
                self._slots.release()
                return []
        batch: list[_Waiting] = []
        size = 0
        inbox = self._inbox
        while inbox and len(batch) < self._options.batch_max and size < self._options.batch_bytes:
            waiting = inbox.popleft()
            batch.append(waiting)
            size += len(waiting[4])
        return batch

    def _hand_over(self, batch: list[_Waiting], pipe: Any) -> None:
        self._batch_id += 1
        self._in_flight[self._batch_id] = [(w[0], w[1], w[2]) for w in batch]
        wire: list[Wire] = [(w[3], w[4], w[5], w[6]) for w in batch]
        size = sum(len(w[4]) for w in batch)
        pipe.send((self._batch_id, wire, self._prepare(wire, size)))

    def _prepare(self, wire: list[Wire], size: int) -> Prepared | None:
        """Batches of big messages (uploads of many events) decoded, validated and made into
        rows here, while the storer writes the one before: receiving few messages, this
        process is otherwise idle, and the storer's work halves. Small messages (one event
        each) are prepared by the storer: here, paho's thread takes most of a core for them,
        and the two threads' contention for the GIL doubled the cost (BENCHMARKS.md, "Fourth
        session"). None also if preparing fails: a fault here must not stop the aggregator."""
        if size < PREPARE_HERE_BYTES * len(wire):
            return None
        try:
            with gc_held_off():  # what it makes holds no cycles: −20 % (gc_pause.py)
                return self._preparer.prepare(
                    [Inbound(t, p, datetime.fromtimestamp(r, UTC), d) for t, p, d, r in wire]
                )
        except Exception:
            log.exception("could not prepare a batch; the storer does")
            return None

    # --- the acknowledging thread ---------------------------------------------------------------

    def _acknowledge(self, replies: Any, storer_gone: threading.Event) -> None:
        """Acknowledge each batch the storer committed; ends when the storer does."""
        try:
            while True:
                try:
                    batch_id, totals = replies.recv()
                except (EOFError, OSError):
                    break
                generation = self._generation
                ones = []
                for mid, qos, received_in in self._in_flight.pop(batch_id):
                    if received_in != generation:
                        continue  # the broker delivers it again on the new connection
                    if qos == 1:
                        ones.append(mid)
                    elif qos == 2:
                        self._client.ack(mid, qos)
                acknowledge(self._client, ones)
                self.totals.update(totals)
                self.totals["transactions"] += 1
                self._slots.release()
        finally:
            storer_gone.set()
            self._wakeup.set()
