"""A guided task beside the real (here: packaged offline) pages: tiles, auto-advance, wipe."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.settings import KioskSettings
from kiosk.tasks import resolve_offline
from kiosk.ui.app import KioskApp
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.protocol import Channel
from tests.conftest import free_port
from tests.qt.test_kiosk_window import check_targets

TASK = "phishing-recognise"


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path) -> Iterator[KioskApp]:
    broker = parse_broker_url(f"mqtt://127.0.0.1:{free_port()}")  # no broker: nothing waits on it
    sites = tmp_path / "site-tasks"
    sites.mkdir()
    (sites / "broken.toml").write_text('id = "Broken Task"\n')
    app = KioskApp(KioskSettings(broker, "gent", "pc-1", tmp_path, tasks_dir=sites))
    qtbot.addWidget(app.window)
    app.start(windowed=True)
    yield app
    app.shutdown()


def events(app: KioskApp) -> list[dict[str, object]]:
    rows = app.outbox.next_rows(0, 1000)
    return [json.loads(r.body) for r in rows if r.channel is Channel.EVENTS]


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_the_eight_tasks_are_tiles_and_a_broken_site_task_is_left_out(
    kiosk: KioskApp, lang: str
) -> None:
    kiosk.core.set_language(lang)
    kiosk.core.start_session()
    tiles = kiosk.window.home_screen.tile_buttons
    assert len(tiles) == 9  # eight tasks and free browsing
    assert kiosk.visit.catalog.get(TASK) is not None
    title = kiosk.visit.catalog.get(TASK).title(lang)  # type: ignore[union-attr]
    assert tiles[TASK].title_label.text() == title
    assert {p.file.name for p in kiosk.visit.catalog.problems} == {"broken.toml"}
    assert kiosk._status()["content_problems"] == 1
    kiosk.window.resize(1366, 768)
    check_targets(kiosk.window)  # every tile title readable, nothing cut off
    kiosk.core.set_text_size(200)
    kiosk.window.resize(1366, 768)
    check_targets(kiosk.window)


def test_a_task_plays_beside_the_browser_and_advances_by_itself(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    window, visit = kiosk.window, kiosk.visit
    kiosk.core.start_session()
    qtbot.mouseClick(window.home_screen.tile_buttons[TASK], Qt.MouseButton.LeftButton)
    player = visit.activity.player
    assert window.stack.currentWidget() is window.activity_page and player.isVisible()
    assert player.counter.text() == "Stap 1 van 5"
    check_targets(window)  # player and browser fit 1366x768, every control named and large
    browser = visit.activity.browser
    assert browser is not None
    root = visit.catalog.get(TASK).offline_root  # type: ignore[union-attr]
    browser.open_url(resolve_offline("offline:phishing/nl/email.html", root))
    qtbot.waitUntil(lambda: player.counter.text() == "Stap 3 van 5", timeout=20_000)
    qtbot.mouseClick(player.back_button, Qt.MouseButton.LeftButton)
    assert player.counter.text() == "Stap 2 van 5"
    qtbot.mouseClick(window.action_bar.call_button, Qt.MouseButton.LeftButton)
    rows = kiosk.outbox.next_rows(0, 1000)
    opened = next(json.loads(r.body) for r in rows if r.channel is Channel.HELP)
    assert (opened["task"], opened["step"]) == (TASK, 1)

    qtbot.mouseClick(window.action_bar.done_button, Qt.MouseButton.LeftButton)
    assert kiosk.core.session is not None  # asked first (issue 17): nothing is wiped yet
    qtbot.mouseClick(window.goodbye_screen.confirm_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.start_screen
    assert not browser.visit_active  # the profile, page and history are gone
    assert visit.wipes_ms and visit.wipes_ms[-1] < 1000
    kinds = [(e["type"], e.get("step")) for e in events(kiosk)]
    assert ("task_started", None) in kinds
    assert [k for k in kinds if k[0] == "task_step"] == [
        ("task_step", 0),
        ("task_step", 2),
        ("task_step", 1),
    ]
    assert ("task_abandoned", 1) in kinds


def test_finishing_a_task_counts_it_completed(qtbot: QtBot, kiosk: KioskApp) -> None:
    kiosk.core.start_session()
    kiosk.visit.open(TASK)
    player = kiosk.visit.activity.player
    for _ in range(4):
        qtbot.mouseClick(player.next_button, Qt.MouseButton.LeftButton)
    assert player.next_button.accessibleName() == "Ik ben klaar met deze taak"  # may wrap
    qtbot.mouseClick(player.next_button, Qt.MouseButton.LeftButton)
    assert kiosk.window.stack.currentWidget() is kiosk.window.home_screen
    types = [e["type"] for e in events(kiosk)]
    assert "task_completed" in types and "task_abandoned" not in types


def test_free_browsing_offers_the_allowlisted_sites(qtbot: QtBot, kiosk: KioskApp) -> None:
    kiosk.core.start_session()
    qtbot.mouseClick(kiosk.window.home_screen.tile_buttons["browse"], Qt.MouseButton.LeftButton)
    picker = kiosk.visit.activity.picker
    assert {"irisbox", "mypension", "stib"} <= set(picker.buttons)
    assert kiosk.visit.activity.browser is None  # QtWebEngine not loaded until a site is chosen
    check_targets(kiosk.window)


def test_reload_content_picks_up_a_new_site_task(kiosk: KioskApp) -> None:
    sites = kiosk.settings.tasks_dir
    assert sites is not None
    (sites / "broken.toml").unlink()
    builtin = kiosk.visit.catalog.get(TASK)
    assert builtin is not None and builtin.source_file is not None
    text = builtin.source_file.read_text().replace(
        'id = "phishing-recognise"', 'id = "local-phishing"'
    )
    (sites / "local.toml").write_text(text)
    kiosk.visit.reload()
    assert kiosk.visit.catalog.get("local-phishing") is not None
    assert kiosk.visit.catalog.problems == ()
