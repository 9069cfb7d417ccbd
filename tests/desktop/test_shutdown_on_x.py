"""SIGTERM and SIGINT end the full-screen kiosk cleanly (issue 15).

Before the fix, the full-screen kiosk ignored SIGTERM: Qt 6's ``quit()`` first asks every
window to close, and the locked-down window refuses. systemd then waited and killed it, and
the visit's last events, the "offline" status and the clean disconnect were lost.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from kiosk.wire.protocol import Channel, Topic, decode_event_batch, decode_status
from tests.conftest import ROOT, Mosquitto, wait_for
from tests.desktop.conftest import DrivenKiosk, XServer, kiosk_config

pytestmark = [pytest.mark.desktop, pytest.mark.broker]

STOP_WITHIN_S = 5.0


class Listener:
    """What the broker carries for the kiosk: its status changes and its events."""

    def __init__(self, port: int) -> None:
        self.states: list[str] = []
        self.events: list[tuple[str, str | None]] = []  # (type, end reason)
        self._lock = threading.Lock()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="test-listener")
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.subscribe([("kiosk/v1/gent/pc-x/status", 1), ("kiosk/v1/gent/pc-x/events", 1)])
        self.client.loop_start()

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        topic = Topic.parse(message.topic)
        with self._lock:
            if topic.channel is Channel.STATUS:
                self.states.append(decode_status(message.payload).state)
            else:
                for event in decode_event_batch(topic, message.payload).events:
                    self.events.append((event.type, event.data.get("reason")))

    def online(self) -> bool:
        with self._lock:
            return bool(self.states) and self.states[-1] != "offline"

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@pytest.fixture
def listener(mosquitto: Mosquitto) -> Iterator[Listener]:
    seen = Listener(mosquitto.port)
    yield seen
    seen.close()


def stopped_within(process: subprocess.Popen[bytes], seconds: float) -> float:
    began = time.monotonic()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
        raise AssertionError(f"still running {seconds:.0f} s after the signal") from None
    return time.monotonic() - began


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_the_full_screen_kiosk_cleanly(
    sig: signal.Signals,
    xserver: XServer,
    mosquitto: Mosquitto,
    listener: Listener,
    tmp_path: Path,
) -> None:
    """The real `kiosk` command, full screen under openbox."""
    config = kiosk_config(tmp_path / "kiosk", mosquitto.port, idle_timeout_s=300, warning_s=30)
    with (tmp_path / "kiosk.log").open("wb") as log:
        kiosk = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "--config", str(config)],
            cwd=ROOT,
            env=xserver.env,
            stdout=log,
            stderr=log,
        )
        try:
            wait_for(listener.online, 60, "the kiosk's status on the broker")
            kiosk.send_signal(sig)
            took = stopped_within(kiosk, STOP_WITHIN_S)
        finally:
            if kiosk.poll() is None:
                kiosk.kill()
    assert kiosk.returncode == 0, (tmp_path / "kiosk.log").read_text()[-2000:]
    wait_for(lambda: listener.states[-1:] == ["offline"], 5, "the status 'offline'")
    assert took < STOP_WITHIN_S


def test_sigterm_during_a_visit_and_a_staff_dialog_sends_the_visits_end(
    driven: DrivenKiosk, listener: Listener
) -> None:
    """A visit is going on and the staff PIN dialog is open (a nested event loop): SIGTERM
    still ends the kiosk, and the visit's end reaches the broker before "offline"."""
    kiosk = driven
    kiosk.x.click(kiosk.ask("where")["start"])
    kiosk.until(lambda s: s["session"] is not None, 20, "a visit")
    wait_for(lambda: ("session_started", None) in listener.events, 30, "the visit's start")
    kiosk.x.click(kiosk.ask("where")["corner"], times=5)
    kiosk.until(lambda s: s["dialog"] == "QtPinDialog", 20, "the staff PIN dialog")
    kiosk.process.send_signal(signal.SIGTERM)
    stopped_within(kiosk.process, STOP_WITHIN_S)
    assert kiosk.process.returncode == 0, kiosk.tail()
    wait_for(lambda: listener.states[-1:] == ["offline"], 5, "the status 'offline'")
    assert ("session_ended", "shutdown") in listener.events
