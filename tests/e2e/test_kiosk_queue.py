"""End to end (issue 16): the real kiosk and a real Mosquitto. The test publishes the site's
retained queue as the queue keeper does; the kiosk's widgets show the visitor's place, then
"eerste" when the call ahead is gone, and "no buddy now" before anyone presses anything. The
console's set_label reaches the retained status, and stays after the kiosk restarts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.settings import KioskSettings
from kiosk.ui.app import KioskApp
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.protocol import (
    QueuePlace,
    SiteChannel,
    SiteQueue,
    decode_ack,
    encode_command,
    encode_queue,
    new_id,
    site_topic_filter,
    utc_now,
)
from tests.conftest import Mosquitto

SITE, MACHINE = "molenbeek", "pc-04"
QUEUE = site_topic_filter(SiteChannel.QUEUE, SITE)
PREFIX = f"kiosk/v1/{SITE}/{MACHINE}"


class Keeper:
    """A plain paho client in the queue keeper's and the console's place."""

    def __init__(self, port: int) -> None:
        self.statuses: list[dict[str, object]] = []
        self.acks: dict[str, tuple[bool, str | None]] = {}
        self._lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *_: subscribed.set()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.client.subscribe([(f"{PREFIX}/status", 1), (f"{PREFIX}/cmd/ack", 1)])
        assert subscribed.wait(10)

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            if message.topic.endswith("/status"):
                self.statuses.append(json.loads(message.payload))
            else:
                ack = decode_ack(message.payload)
                self.acks[ack.id] = (ack.ok, ack.reason)

    def publish_queue(self, payload: bytes) -> None:
        self.client.publish(QUEUE, payload, qos=1, retain=True).wait_for_publish(10)

    def queue(self, *places: tuple[str, int], **fields: object) -> None:
        waiting = tuple(QueuePlace(request, eta) for request, eta in places)
        self.publish_queue(encode_queue(SiteQueue(utc_now(), waiting, **fields)))  # type: ignore[arg-type]

    def command(self, cmd: str, args: dict[str, object]) -> str:
        command_id = new_id()
        topic = f"{PREFIX}/cmd"
        self.client.publish(topic, encode_command(cmd, args, command_id), qos=1).wait_for_publish(
            10
        )
        return command_id

    def ack(self, command_id: str) -> tuple[bool, str | None] | None:
        with self._lock:
            return self.acks.get(command_id)

    def last_status(self) -> dict[str, object]:
        with self._lock:
            return self.statuses[-1] if self.statuses else {}

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def keeper(mosquitto: Mosquitto) -> Iterator[Keeper]:
    client = Keeper(mosquitto.port)
    yield client
    client.close()


def start_kiosk(qtbot: QtBot, mosquitto: Mosquitto, data: Path, label: str | None) -> KioskApp:
    settings = KioskSettings(
        parse_broker_url(mosquitto.url), SITE, MACHINE, data, tasks_dir=data / "none", label=label
    )
    app = KioskApp(settings)
    qtbot.addWidget(app.window)
    app.start(windowed=True)
    qtbot.waitUntil(lambda: app.link is not None and app.link.connected, timeout=15_000)
    return app


@pytest.fixture
def kiosk(qtbot: QtBot, mosquitto: Mosquitto, tmp_path: Path) -> Iterator[KioskApp]:
    app = start_kiosk(qtbot, mosquitto, tmp_path / "kiosk", None)
    yield app
    app.shutdown()


def test_the_visitor_sees_the_place_change_when_a_call_ahead_is_claimed(
    qtbot: QtBot, kiosk: KioskApp, keeper: Keeper
) -> None:
    window, core = kiosk.window, kiosk.core
    bar = window.action_bar
    qtbot.mouseClick(window.start_screen.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(bar.call_button, Qt.MouseButton.LeftButton)
    assert core.help is not None
    mine, ahead = core.help.request, new_id()
    qtbot.waitUntil(lambda: bar.help_status.text() == "Er is een buddy geroepen. Even geduld.")

    keeper.queue((ahead, 60), (mine, 270), on_duty=1)
    qtbot.waitUntil(
        lambda: bar.help_status.text() == "U bent de tweede. Ongeveer 4\u00a0minuten.",
        timeout=10_000,
    )
    assert bar.help_status.isVisibleTo(window)

    # Malformed queues: counted, logged, ignored; the last good one stays on the screen.
    rejected = kiosk.link.rejected  # type: ignore[union-attr]
    keeper.publish_queue(b'{"v": 1, "ts": "yesterday", "waiting": "lots"}')
    keeper.publish_queue(b"\xff\xfe not json")
    qtbot.waitUntil(lambda: kiosk.link.rejected == rejected + 2, timeout=10_000)  # type: ignore[union-attr]
    assert bar.help_status.text() == "U bent de tweede. Ongeveer 4\u00a0minuten."

    keeper.queue((mine, 60), claimed=1, on_duty=1)  # the call ahead was claimed
    qtbot.waitUntil(
        lambda: bar.help_status.text() == "U bent de eerste. Ongeveer 1\u00a0minuut.",
        timeout=10_000,
    )
    core.set_language("fr")
    assert bar.help_status.text() == "Vous êtes en première position. Environ 1\u00a0minute."


def test_nobody_on_duty_is_said_before_the_visitor_presses_anything(
    qtbot: QtBot, kiosk: KioskApp, keeper: Keeper
) -> None:
    window = kiosk.window
    start = window.start_screen
    next_duty = utc_now() + timedelta(days=3)
    keeper.queue(on_duty=0, next_duty=next_duty, off_duty_calls="none")
    qtbot.waitUntil(lambda: start.duty.isVisibleTo(window), timeout=10_000)
    assert start.duty.text().startswith("Nu is er geen buddy. Volgende permanentie: ")
    assert start.duty.text().endswith("U kunt nu geen buddy roepen.")
    qtbot.mouseClick(start.start_button, Qt.MouseButton.LeftButton)
    assert window.home_screen.duty.isVisibleTo(window)
    button = window.action_bar.call_button
    assert not button.isEnabled() and button.text() == "Nu geen buddy"

    keeper.queue(on_duty=0, off_duty_calls="staff")
    qtbot.waitUntil(button.isEnabled, timeout=10_000)
    assert window.home_screen.duty.text() == (
        "Nu is er geen buddy. Een medewerker kan u wel helpen."
    )
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert kiosk.core.help is not None


def test_set_label_reaches_the_retained_status_and_survives_a_restart(
    qtbot: QtBot, mosquitto: Mosquitto, keeper: Keeper, tmp_path: Path
) -> None:
    data = tmp_path / "kiosk"
    app = start_kiosk(qtbot, mosquitto, data, "PC 4")
    try:
        qtbot.waitUntil(lambda: keeper.last_status().get("label") == "PC 4", timeout=15_000)
        bad = keeper.command("set_label", {"label": "x" * 61})
        qtbot.waitUntil(lambda: keeper.ack(bad) is not None, timeout=15_000)
        assert keeper.ack(bad) == (False, "bad_args")
        good = keeper.command("set_label", {"label": "PC 4 — bij het raam"})
        qtbot.waitUntil(lambda: keeper.ack(good) is not None, timeout=15_000)
        assert keeper.ack(good) == (True, None)
        # At once, not at the next heartbeat (60 s).
        qtbot.waitUntil(
            lambda: keeper.last_status().get("label") == "PC 4 — bij het raam", timeout=5_000
        )
        keeper.queue(on_duty=0, off_duty_calls="staff")  # retained: the next run gets it too
    finally:
        app.shutdown()
    qtbot.waitUntil(lambda: keeper.last_status().get("state") == "offline", timeout=10_000)

    again = start_kiosk(qtbot, mosquitto, data, "PC 4")  # the config still says "PC 4"
    try:
        qtbot.waitUntil(
            lambda: (
                keeper.last_status().get("state") == "idle"
                and keeper.last_status().get("label") == "PC 4 — bij het raam"
            ),
            timeout=15_000,
        )
        window = again.window
        qtbot.waitUntil(lambda: window.start_screen.duty.isVisibleTo(window), timeout=10_000)
        # A retained status that a newcomer reads carries the label too.
        seen: list[dict[str, object]] = []
        reader = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        reader.on_message = lambda _c, _u, m: seen.append(json.loads(m.payload))
        reader.connect("127.0.0.1", mosquitto.port)
        reader.loop_start()
        reader.subscribe(f"{PREFIX}/status", 1)
        qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
        reader.disconnect()
        reader.loop_stop()
        assert seen[0]["label"] == "PC 4 — bij het raam"
        remove = keeper.command("set_label", {"label": None})
        qtbot.waitUntil(lambda: keeper.ack(remove) == (True, None), timeout=15_000)
        qtbot.waitUntil(lambda: keeper.last_status().get("label", "") is None, timeout=5_000)
    finally:
        again.shutdown()
