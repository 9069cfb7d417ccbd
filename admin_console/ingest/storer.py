"""The aggregator's storing half: stores batches (and decodes and validates those the receiver
did not prepare: one-event messages); runs in its own process.

``admin-console serve`` receives with paho in one process and stores in another (the *storer*,
started by :class:`admin_console.ingest.aggregator.Aggregator`): Python runs one thread at a
time per process, and receiving and storing each take about one core at full rate. The two
talk over two pipes, in batches::

    receiver → storer   (batch id, [(topic, payload, dup, received), …], Prepared or None)
                        or None: finish
    storer → receiver   (batch id, {"events_new": …, "messages": …, …})   after the commit

The receiver acknowledges a batch's messages to the broker only when its reply arrives, i.e.
after the commit. The storer ends when the receiver asks, when its pipe closes or when the
receiver process is gone (SIGKILL included): whatever it had not yet committed was not
acknowledged, and the broker delivers it again.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Protocol

from sqlalchemy.exc import OperationalError

from admin_console.ingest.batch import Inbound, Ingest, IngestResult, Prepared
from admin_console.store.gc_pause import gc_held_off

log = logging.getLogger("admin_console.ingest.storer")

# One message as it crosses the pipe: topic, payload, MQTT DUP flag, reception time (epoch s).
Wire = tuple[str, bytes, bool, float]
Reply = tuple[int, dict[str, int]]
READY: Reply = (0, {})  # the storer's first reply: it can store (batch ids start at 1)


class Handles(Protocol):
    def handle(
        self, messages: Sequence[Inbound], prepared: Prepared | None = None
    ) -> IngestResult: ...


@dataclass(frozen=True)
class StorerOptions:
    database_url: str
    help_expiry: timedelta = timedelta(hours=2)
    housekeeping_s: float = 30.0
    retention_days: int = 400
    log_level: int = logging.INFO


class Storer:
    """Stores batches in one transaction each: retries while the database is away, halves what
    the database refuses. Returns the counts of what it committed, or None if told to stop
    before it could."""

    _SPLIT_AFTER = 3

    def __init__(self, ingest: Handles) -> None:
        self._ingest = ingest

    def store(
        self, batch: Sequence[Inbound], stop: threading.Event, prepared: Prepared | None = None
    ) -> Counter[str] | None:
        """``prepared``: the batch as the receiver prepared it (None: prepared here)."""
        delay = 0.5
        failures = 0
        while True:
            try:
                result = self._ingest.handle(batch, prepared)
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
                    first = self.store(batch[:half], stop)
                    second = self.store(batch[half:], stop) if first is not None else None
                    if first is None or second is None:
                        return None
                    return first + second
                log.error("database unavailable (%s); retrying in %.1f s", err.orig, delay)
                if stop.wait(delay):
                    return None
                delay = min(delay * 2, 10.0)
        totals: Counter[str] = Counter(
            events_new=result.events_new,
            events_duplicate=result.events_duplicate,
            rejected=sum(result.rejected.values()),
            messages=len(batch),
        )
        totals.update(result.checkins)  # shifts_started, duplicate_checkin, …
        return totals


def _die_with_parent(parent: int) -> None:
    """SIGKILL this process when the receiver process dies (Linux), as a last resort after the
    pipe's end of file; elsewhere a watchdog thread notices the new parent."""
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it died before prctl took effect
        os._exit(1)


def _watch_parent(parent: int, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        if os.getppid() != parent:
            log.error("the receiver process is gone; the storer stops")
            os._exit(1)


def storer_main(
    options: StorerOptions, batches: Connection, replies: Connection, parent: int
) -> None:
    """The storer process: store and reply until ``None``, the end of the pipe or SIGTERM."""
    _die_with_parent(parent)
    stop = threading.Event()
    # Ctrl-C or a service manager's SIGTERM reaches the whole process group: the storer
    # finishes (and reports) the batch in hand, then ends; the receiver acknowledges it.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    logging.basicConfig(
        level=options.log_level, format="%(asctime)s admin-console %(levelname)s %(message)s"
    )
    from admin_console.store.database import open_database

    threading.Thread(target=_watch_parent, args=(parent, stop), daemon=True).start()
    engine = open_database(options.database_url, create=False)
    ingest = Ingest(engine)
    storer = Storer(ingest)
    # Everything made so far (SQLAlchemy, the schema, compiled statements) lives as long as the
    # process: out of the collector's way, so that its full collections, which every batch's
    # allocations trigger now and then, walk only what a batch makes.
    gc.freeze()
    replies.send(READY)
    next_housekeeping = time.monotonic() + 2.0
    try:
        while not stop.is_set():
            if batches.poll(min(0.5, max(0.0, next_housekeeping - time.monotonic()))):
                try:
                    item: tuple[int, list[Wire], Prepared | None] | None = batches.recv()
                except EOFError:
                    break
                if item is None:
                    break
                batch_id, wire, prepared = item
                messages = [
                    Inbound(topic, payload, datetime.fromtimestamp(received, UTC), dup)
                    for topic, payload, dup, received in wire
                ]
                with gc_held_off():  # a batch's objects hold no cycles (gc_pause.py)
                    totals = storer.store(messages, stop, prepared)
                if totals is None:
                    break
                replies.send((batch_id, dict(totals)))
            if time.monotonic() >= next_housekeeping:
                housekeeping(ingest, options)
                next_housekeeping = time.monotonic() + options.housekeeping_s
    except (BrokenPipeError, ConnectionResetError):
        pass  # the receiver is gone: nothing more can be acknowledged
    finally:
        stop.set()
        replies.close()
        engine.dispose()


def housekeeping(ingest: Ingest, options: StorerOptions) -> None:
    try:
        expired = ingest.expire_help(options.help_expiry)
        trimmed = ingest.trim_dead_letters()
        aged = ingest.expire_raw(options.retention_days)
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
            options.retention_days,
        )
