"""Commands from the admin side reach the kiosk through Mosquitto, are acknowledged, run once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from pytestqt.qtbot import QtBot

from kiosk.i18n import Texts
from kiosk.settings import KioskSettings
from kiosk.ui.app import KioskApp
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.protocol import decode_ack, encode_command, new_id
from tests.conftest import Mosquitto

SITE, MACHINE = "leeuw", "pc-02"
CMD = f"kiosk/v1/{SITE}/{MACHINE}/cmd"


class Admin:
    """A plain paho client acting as the admin console."""

    def __init__(self, port: int) -> None:
        self.acks: list[tuple[str, bool, str | None]] = []
        self._lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *_: subscribed.set()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.client.subscribe(f"kiosk/v1/{SITE}/{MACHINE}/cmd/ack", 1)
        assert subscribed.wait(10)

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        ack = decode_ack(message.payload)
        with self._lock:
            self.acks.append((ack.id, ack.ok, ack.error))

    def send(self, cmd: str, args: dict[str, object] | None = None, command_id: str = "") -> str:
        command_id = command_id or new_id()
        payload = encode_command(cmd, args, command_id)
        self.client.publish(CMD, payload, qos=1).wait_for_publish(10)
        return command_id

    def acked(self, command_id: str) -> list[tuple[str, bool, str | None]]:
        with self._lock:
            return [a for a in self.acks if a[0] == command_id]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def kiosk(qtbot: QtBot, mosquitto: Mosquitto, tmp_path: Path) -> Iterator[KioskApp]:
    app = KioskApp(KioskSettings(parse_broker_url(mosquitto.url), SITE, MACHINE, tmp_path))
    qtbot.addWidget(app.window)
    app.start(windowed=True)
    qtbot.waitUntil(lambda: app.link.connected, timeout=15_000)
    yield app
    app.shutdown()


@pytest.fixture
def admin(mosquitto: Mosquitto) -> Iterator[Admin]:
    client = Admin(mosquitto.port)
    yield client
    client.close()


def test_lock_announce_unlock_end_and_ping(qtbot: QtBot, kiosk: KioskApp, admin: Admin) -> None:
    window = kiosk.window
    kiosk.core.start_session()
    lock = admin.send("lock")
    qtbot.waitUntil(lambda: admin.acked(lock) == [(lock, True, None)], timeout=15_000)
    assert window.stack.currentWidget() is window.locked_screen
    assert kiosk.core.session is None and kiosk.core.state == "locked"

    unlock = admin.send("unlock")
    qtbot.waitUntil(lambda: bool(admin.acked(unlock)), timeout=15_000)
    assert window.stack.currentWidget() is window.start_screen

    text = {"nl": "Om 16 uur sluiten we.", "fr": "Nous fermons à 16 h."}
    announce = admin.send("announce", {"text": text, "until": "2099-01-01T00:00:00Z"})
    qtbot.waitUntil(lambda: bool(admin.acked(announce)), timeout=15_000)
    assert window.banner.text() == "Om 16 uur sluiten we."
    window.start_screen.language_buttons["fr"].click()
    assert window.banner.text() == "Nous fermons à 16 h."

    bad = admin.send("announce", {"text": {}})
    qtbot.waitUntil(lambda: bool(admin.acked(bad)), timeout=15_000)
    assert admin.acked(bad)[0][1] is False and "text" in str(admin.acked(bad)[0][2])

    ping = admin.send("ping")
    qtbot.waitUntil(lambda: admin.acked(ping) == [(ping, True, None)], timeout=15_000)


def test_a_repeated_command_is_acknowledged_again_but_runs_once(
    qtbot: QtBot, kiosk: KioskApp, admin: Admin
) -> None:
    kiosk.core.start_session()
    first_visit = kiosk.core.session
    end = admin.send("end_session")
    qtbot.waitUntil(lambda: len(admin.acked(end)) == 1, timeout=15_000)
    assert kiosk.core.session is None
    kiosk.core.start_session()
    admin.send("end_session", command_id=end)  # the broker or the console repeats itself
    qtbot.waitUntil(lambda: len(admin.acked(end)) == 2, timeout=15_000)
    assert kiosk.core.session not in (None, first_visit)


def test_a_malformed_command_is_ignored_and_counted(
    qtbot: QtBot, kiosk: KioskApp, admin: Admin
) -> None:
    admin.client.publish(CMD, json.dumps({"v": 1, "cmd": "format_disk"}), qos=1)
    qtbot.waitUntil(lambda: kiosk.link.rejected == 1, timeout=15_000)
    ping = admin.send("ping")
    qtbot.waitUntil(lambda: bool(admin.acked(ping)), timeout=15_000)


@pytest.mark.parametrize("command", ["end_session", "lock"])
@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_a_visit_ended_from_the_console_is_told_politely(
    qtbot: QtBot, kiosk: KioskApp, admin: Admin, command: str, lang: str
) -> None:
    """Issue 20, point 6: the visitor's work vanished without a word. The card says who
    ended the visit and where to ask, in the visit's language, then the next screen shows."""
    window, core = kiosk.window, kiosk.core
    core.set_language(lang)
    core.start_session()
    sent = admin.send(command)
    qtbot.waitUntil(lambda: admin.acked(sent) == [(sent, True, None)], timeout=15_000)
    assert core.session is None, "the visit is wiped at once"
    card = window.goodbye_screen
    texts = Texts(lang)
    assert card.isVisible() and card.title.text() == texts("goodbye_staff_title")
    assert card.body.isVisible() and card.body.text() == texts("goodbye_staff_body")
    assert not card.keep_button.isVisible() and not card.confirm_button.isVisible()
    under = window.locked_screen if command == "lock" else window.start_screen
    assert window.stack.currentWidget() is under
    if command == "lock":
        # Back in service: the next visitor's first touch starts a visit, not a goodbye.
        unlock = admin.send("unlock")
        qtbot.waitUntil(lambda: bool(admin.acked(unlock)), timeout=15_000)
        assert not card.isVisible() and window.stack.currentWidget() is window.start_screen
    else:
        card.dismissed.emit()  # a touch, or the time runs out (tests/unit/test_goodbye.py)
        qtbot.waitUntil(lambda: not card.isVisible(), timeout=5_000)
    # With nobody at the PC, a command ends nothing and says nothing.
    again = admin.send("end_session")
    qtbot.waitUntil(lambda: bool(admin.acked(again)), timeout=15_000)
    assert not card.isVisible()
