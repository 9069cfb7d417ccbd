"""A kiosk back online with 300,000 events waiting drains them without freezing its window.

Issue #5: the real ``KioskApp`` (window, model, link) against a real Mosquitto. While the
uploader thread sends the backlog, the GUI thread keeps ticking a 10 ms timer and a visitor
keeps calling and cancelling a buddy (outbox writes from the GUI thread, as the green button
makes them). The timer's longest gap is the longest the window could not answer a touch.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from kiosk.model.core import KioskCore
from kiosk.model.outbox import Outbox
from kiosk.settings import KioskSettings
from kiosk.ui.app import KioskApp
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.protocol import Channel
from tests.conftest import Mosquitto

SITE, MACHINE = "anderlecht", "pc-02"
# Large enough that the drain lasts long enough to watch: 100,000 drained in 0.2-0.4 s by now,
# too few ticks for the test to say anything (it failed "only 17 ticks in 0.2 s" in a clean run).
BACKLOG = 300_000
TICK_MS = 10
# A touch answered within a quarter of a second still feels immediate; a frozen window is
# seconds (the drain takes ~1.2 s here). Measured: 58-72 ms on the shared 2-core machine (25-27
# ms with 300,000 events); with the uploader holding the outbox lock 0.3 s per delete, 595 ms
# (the test fails, as it should).
MAX_GAP_MS = 250


class EventCounter:
    """A plain subscriber that counts the events in the kiosk's batches."""

    def __init__(self, port: int) -> None:
        self.events = 0
        self.helps = 0
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        self.client.on_connect = lambda c, *_: c.subscribe(f"kiosk/v1/{SITE}/{MACHINE}/#", 1)
        self.client.on_subscribe = lambda *_: self._subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert self._subscribed.wait(10), "the counter did not subscribe"

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            if message.topic.endswith("/events"):
                self.events += len(json.loads(message.payload)["events"])
            elif message.topic.endswith("/help"):
                self.helps += 1

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def fill(path: Path, count: int) -> None:
    """An outbox left by a long outage: ``count`` session events waiting."""
    outbox = Outbox(path)
    KioskCore(outbox).start_session()
    body = outbox.next_rows(0, 1)[0].body  # a real event, repeated (the counter only counts)
    outbox.close()
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO outbox (channel, body) VALUES (?, ?)",
            ((Channel.EVENTS.value, body) for _ in range(count)),
        )


def test_a_300k_backlog_drains_while_the_window_keeps_answering(
    qtbot: QtBot, tmp_path: Path, mosquitto: Mosquitto
) -> None:
    fill(tmp_path / "outbox.db", BACKLOG)
    counter = EventCounter(mosquitto.port)
    kiosk = KioskApp(KioskSettings(parse_broker_url(mosquitto.url), SITE, MACHINE, tmp_path))
    qtbot.addWidget(kiosk.window)
    ticks: list[float] = []
    calls = [0]

    def tick() -> None:
        ticks.append(time.monotonic())
        if len(ticks) % 5 == 0:  # a visitor at work: each of these writes to the outbox
            if kiosk.core.help is None:
                kiosk.core.call_buddy()
                calls[0] += 1
            else:
                kiosk.core.cancel_help()

    timer = QTimer()
    timer.timeout.connect(tick)
    try:
        kiosk.start(windowed=True)  # the link starts here and connects in the background
        kiosk.core.start_session()
        timer.start(TICK_MS)
        assert kiosk.outbox.count() >= BACKLOG * 0.9, "the backlog drained before it was watched"
        qtbot.waitUntil(lambda: counter.events >= BACKLOG, timeout=120_000)
        qtbot.waitUntil(lambda: kiosk.outbox.count() == 0, timeout=30_000)
        timer.stop()
    finally:
        timer.stop()
        kiosk.shutdown()
        counter.close()
    gaps_ms = [(b - a) * 1000 for a, b in itertools.pairwise(ticks)]
    drain_s = ticks[-1] - ticks[0]
    assert len(ticks) > 20, f"only {len(ticks)} ticks in {drain_s:.1f} s"
    assert max(gaps_ms) < MAX_GAP_MS, (
        f"the window froze for {max(gaps_ms):.0f} ms while draining ({len(ticks)} ticks in "
        f"{drain_s:.1f} s, {calls[0]} help calls)"
    )
    assert counter.events >= BACKLOG + 1  # the backlog and this visit's own session_started
    assert calls[0] > 0 and counter.helps >= 2 * calls[0] - 1  # help went out during the drain
