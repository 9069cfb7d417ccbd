"""A site's own task folder, named by `[kiosk] tasks_dir` in kiosk.toml, gives the kiosk tiles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.settings import load_settings
from kiosk.ui.app import KioskApp
from tests.conftest import free_port
from tests.unit.test_task_catalog import VALID


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path) -> Iterator[KioskApp]:
    """The kiosk as `kiosk --config kiosk.toml` makes it: settings read from the file."""
    (tmp_path / "our-tasks").mkdir()
    (tmp_path / "our-tasks" / "example-task.toml").write_text(VALID, encoding="utf-8")
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[broker]\nurl = "mqtt://127.0.0.1:{free_port()}"\n'  # no broker: nothing waits on it
        f'[kiosk]\nsite = "gent"\nmachine = "pc-1"\ndata_dir = "{tmp_path / "data"}"\n'
        'tasks_dir = "our-tasks"\n',  # relative to kiosk.toml
        encoding="utf-8",
    )
    app = KioskApp(load_settings({"config": str(config)}, env={}))
    qtbot.addWidget(app.window)
    app.start(windowed=True)
    yield app
    app.shutdown()


def test_a_task_in_the_configured_tasks_dir_is_a_tile(kiosk: KioskApp) -> None:
    kiosk.core.start_session()
    tiles = kiosk.window.home_screen.tile_buttons
    assert "example-task" in tiles  # the site's task, beside the built-in ones
    assert tiles["example-task"].title_label.text() == "Een voorbeeld"
    assert "phishing-recognise" in tiles and len(tiles) == 10  # eight built in, ours, browsing
