"""The admin console on a coordinator's laptop (issue 20, point 6): it opens within 1366x768,
shows no stale live figures while the broker is unreachable, and asks before ending a visit or
locking, one kiosk too. Real widgets, offscreen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from admin_console.ui.language import install_translators
from admin_console.ui.overview import UNKNOWN
from admin_console.ui.window import AdminOptions, QtAdminWindow, fit_to_screen
from kiosk.wire.protocol import Status

NOW = datetime(2026, 11, 19, 14, 0, tzinfo=UTC)
LAPTOP = QRect(0, 0, 1366, 728)  # 1366x768 less a 40-pixel taskbar


def clock() -> datetime:
    return NOW


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[QtAdminWindow]:
    options = AdminOptions(db_url=f"sqlite:///{tmp_path / 'agg.db'}", admin="tester")
    window = QtAdminWindow(options, clock)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_the_console_opens_within_a_laptop_screen(qtbot: QtBot, tmp_path: Path, lang: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = install_translators(app, lang)  # noqa: F841 - kept while the window lives
    try:
        options = AdminOptions(db_url=f"sqlite:///{tmp_path / 'agg.db'}", admin="tester", lang=lang)
        window = QtAdminWindow(options, clock)
        qtbot.addWidget(window)
        window.resize(2000, 1400)  # as the console did before: larger than the laptop
        window.show()
        fit_to_screen(window, LAPTOP)
        qtbot.waitUntil(lambda: LAPTOP.contains(window.frameGeometry()))
        need = window.minimumSizeHint()
        assert need.width() <= LAPTOP.width() and need.height() <= LAPTOP.height(), need
        assert window.width() <= LAPTOP.width() and window.height() <= LAPTOP.height()
        for index in range(window.tabs.count()):
            tab = window.tabs.widget(index).minimumSizeHint()
            assert tab.width() <= LAPTOP.width(), window.tabs.tabText(index)
        window.close()
    finally:
        install_translators(app, "en")


def test_no_live_figure_is_shown_while_the_broker_is_unreachable(window: QtAdminWindow) -> None:
    figures = {"session_s": 120.0}
    for machine in ("pc-01", "pc-02"):
        window.on_status("gent", machine, Status("in_session", NOW, dict(figures)), False)
    window.set_connected(True)
    window._update_views()
    assert window.overview.tiles["online"].value.text() == "2 / 2"
    assert window.overview.tiles["in_session"].value.text() == "2"
    assert not window.overview.live_note.isVisibleTo(window)
    window.set_connected(False)  # the broker is gone: the figures above may be old news
    assert window.overview.tiles["online"].value.text() == f"{UNKNOWN} / 2"
    assert window.overview.tiles["in_session"].value.text() == UNKNOWN
    row = [window.overview.table.item(0, c).text() for c in range(4)]
    assert row == ["gent", UNKNOWN, UNKNOWN, UNKNOWN]
    note = window.overview.live_note
    assert note.isVisibleTo(window) and "unknown" in note.text() and "broker" in note.text()
    window.set_connected(True)
    assert window.overview.tiles["in_session"].value.text() == "2"


def test_a_console_not_yet_connected_says_unknown_not_zero(window: QtAdminWindow) -> None:
    window.overview.update_view()
    assert window.overview.tiles["in_session"].value.text() == UNKNOWN
    assert "not connected to the broker yet" in window.overview.live_note.text()


@pytest.mark.parametrize("command", ["end_session", "lock"])
def test_ending_a_visit_or_locking_one_kiosk_asks_first(
    window: QtAdminWindow, command: str
) -> None:
    window.on_status("gent", "pc-01", Status("in_session", NOW, {"session_s": 60.0}), False)
    window._update_views()
    sent: list[str] = []
    asked: list[str] = []
    tab = window.commands
    tab.publish = lambda topic, _payload: sent.append(topic) is None
    tab.connected = True
    tab.scope.setCurrentIndex(0)  # one kiosk
    tab.site.setCurrentIndex(tab.site.findText("gent"))
    tab.kiosk.setCurrentIndex(tab.kiosk.findText("pc-01"))
    tab.command.setCurrentIndex(tab.command.findData(command))

    def refuse(question: str) -> bool:
        asked.append(question)
        return False

    tab.confirm = refuse
    tab.send()
    assert len(asked) == 1 and "gent/pc-01" in asked[0] and "visit" in asked[0]
    assert sent == [] and tab.message.text() == "Nothing was sent."
    tab.confirm = lambda question: asked.append(question) is None
    tab.send()
    assert len(asked) == 2 and len(sent) == 1 and sent[0].endswith("gent/pc-01/cmd")
