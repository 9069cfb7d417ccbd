"""Fixtures of the Qt tests that run the whole kiosk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.settings import KioskSettings
from kiosk.ui.app import KioskApp
from kiosk.wire.broker import parse_broker_url
from tests.conftest import free_port


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path) -> Iterator[KioskApp]:
    broker = parse_broker_url(f"mqtt://127.0.0.1:{free_port()}")  # no broker: nothing waits on it
    app = KioskApp(KioskSettings(broker, "gent", "pc-1", tmp_path, tasks_dir=tmp_path / "none"))
    qtbot.addWidget(app.window)
    app.start(windowed=True)
    yield app
    app.shutdown()
