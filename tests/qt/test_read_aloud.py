"""Read aloud: offered only where an engine with a voice exists — hidden, never broken.

A child process looks for the engine (``kiosk.ui.speech``), so that the kiosk itself loads
QtTextToSpeech only when a visitor first asks for a text to be read.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

import kiosk.ui.speech as speech
from kiosk.settings import KioskSettings
from kiosk.ui.app import KioskApp
from kiosk.wire.broker import parse_broker_url
from tests.conftest import ROOT, free_port, suite_env


def exits_with(code: int) -> list[str]:
    return [sys.executable, "-c", f"raise SystemExit({code})"]


@pytest.fixture
def make_kiosk(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[[], KioskApp]]:
    made: list[KioskApp] = []

    def make() -> KioskApp:
        broker = parse_broker_url(f"mqtt://127.0.0.1:{free_port()}")  # no broker needed
        app = KioskApp(KioskSettings(broker, "ukkel", "pc-1", tmp_path))
        qtbot.addWidget(app.window)
        made.append(app)
        return app

    yield make
    for app in made:
        app.shutdown()


def read_buttons(app: KioskApp) -> list[QPushButton]:
    return [app.window.home_screen.accessibility.read_button, app.visit.activity.player.read_button]


def start(qtbot: QtBot, app: KioskApp) -> bool:
    with qtbot.waitSignal(app.window.reader.known, timeout=30_000) as answer:
        app.start(windowed=True)
        assert all(b.isHidden() for b in read_buttons(app)), "shown before the probe answered"
    return bool(answer.args[0]) if answer.args else False


@pytest.mark.parametrize(
    ("command", "offered"),
    [
        (exits_with(speech.FOUND), True),
        (exits_with(speech.NOT_FOUND), False),
        (exits_with(1), False),  # the probe crashed (a traceback)
        (["/nonexistent/kiosk-probe"], False),  # the probe could not start
    ],
    ids=["voice", "no-voice", "probe-crashed", "probe-missing"],
)
def test_the_control_shows_only_when_the_probe_finds_a_voice(
    qtbot: QtBot,
    make_kiosk: Callable[[], KioskApp],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    offered: bool,
) -> None:
    monkeypatch.setattr(speech, "probe_command", lambda: command)
    app = make_kiosk()
    assert start(qtbot, app) is offered
    assert app.window.reader.available is offered and not app.window.reader.pending
    assert [not b.isHidden() for b in read_buttons(app)] == [offered, offered]
    app.core.start_session()
    assert app.window.home_screen.accessibility.read_button.isVisible() is offered


class FakeEngine:
    def __init__(self) -> None:
        self.said: list[str] = []

    def setLocale(self, _locale: object) -> None:  # noqa: N802 (Qt's name)
        pass

    def say(self, text: str) -> None:
        self.said.append(text)

    def stop(self) -> None:
        pass


def test_the_engine_opens_in_the_kiosk_only_when_read_aloud_is_first_used(
    qtbot: QtBot, make_kiosk: Callable[[], KioskApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(speech, "probe_command", lambda: exits_with(speech.FOUND))
    opened: list[FakeEngine] = []
    monkeypatch.setattr(speech, "open_engine", lambda: opened.append(FakeEngine()) or opened[-1])
    app = make_kiosk()
    assert start(qtbot, app)
    app.core.start_session()
    assert opened == [] and not app.window.reader.loaded
    app.window.home_screen.accessibility.read_button.click()
    app.window.home_screen.accessibility.read_button.click()
    assert len(opened) == 1 and app.window.reader.loaded
    assert len(opened[0].said) == 2 and app.window.home_screen.title.text() in opened[0].said[0]


def test_an_engine_that_will_not_open_in_the_kiosk_hides_the_control(
    qtbot: QtBot, make_kiosk: Callable[[], KioskApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(speech, "probe_command", lambda: exits_with(speech.FOUND))
    monkeypatch.setattr(speech, "open_engine", lambda: None)
    app = make_kiosk()
    assert start(qtbot, app)
    app.core.start_session()
    with qtbot.waitSignal(app.window.reader.known) as answer:
        app.window.home_screen.accessibility.read_button.click()
    assert answer.args == [False]
    assert all(b.isHidden() for b in read_buttons(app))


def test_the_real_probe_agrees_with_an_engine_opened_here(qtbot: QtBot) -> None:
    # Whatever this machine has (an engine with a voice or not), the child process says so.
    done = subprocess.run(
        speech.probe_command(), capture_output=True, timeout=60, env=suite_env(), cwd=ROOT
    )
    assert done.returncode in (speech.FOUND, speech.NOT_FOUND), done.stderr.decode()
    assert done.stdout == b""
    found_here = speech.open_engine() is not None
    assert (done.returncode == speech.FOUND) is found_here
