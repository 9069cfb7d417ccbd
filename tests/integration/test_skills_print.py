"""Printing the skills check's result (issue 20) through the kiosk's own print screen and a real
CUPS with a virtual PDF printer (tests/cups_server.py): the PDF made with Qt holds the levels
in words and no answer; it is gone with the visit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.model.skills import STATEMENTS
from kiosk.printing.desk import PrintResult
from kiosk.ui.app import KioskApp
from kiosk.ui.skills_screen import QtSkillsScreen
from tests.cups_server import CupsServer, real_cups
from tests.fixtures.browser_pages.qt_helpers import WAIT_MS
from tests.integration.test_print_screen import (
    new_output,
    printed_events,
    printing_kiosk,
    text_of,
)

CLICK = Qt.MouseButton.LeftButton
ANSWERS = ["alone", "alone", "with_help", "with_help", "alone", "not_yet"]
ANSWERS += ["not_yet", "not_yet", "with_help", "not_yet"]


@pytest.fixture(scope="module")
def cups() -> Iterator[CupsServer]:
    with real_cups() as server:
        yield server


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path, cups: CupsServer) -> Iterator[KioskApp]:
    app = printing_kiosk(qtbot, tmp_path, cups)
    yield app
    app.shutdown()
    cups.run("cancel", "-a", "-x")


def test_the_result_is_printed_and_gone_with_the_visit(
    qtbot: QtBot, kiosk: KioskApp, cups: CupsServer
) -> None:
    window = kiosk.window
    qtbot.mouseClick(window.start_screen.start_button, CLICK)
    qtbot.mouseClick(window.home_screen.skills_button, CLICK)
    screen = window.stack.currentWidget()
    assert isinstance(screen, QtSkillsScreen)
    for level in ANSWERS:
        qtbot.mouseClick(screen.answer_buttons[level], CLICK)
    assert screen.print_button.isVisibleTo(screen)
    assert screen.print_button.text() == "Mijn resultaat afdrukken"
    before = set(cups.outputs())
    qtbot.mouseClick(screen.print_button, CLICK)
    printing = screen.printing
    assert printing is not None and screen.pages.currentWidget() is printing.screen
    assert printing.screen.document.pageCount() >= 1
    with qtbot.waitSignal(printing.result, timeout=WAIT_MS) as done:
        qtbot.mouseClick(printing.screen.print_button, CLICK)
    result = done.args[0]
    assert isinstance(result, PrintResult) and result.ok
    printed = new_output(cups, before, "Veilig blijven: nog niet")
    text = text_of(printed)
    assert "Dit kunt u al" in text
    nl = screen._texts
    for statement in STATEMENTS:  # only the levels are on paper, never an answer
        assert nl(f"skills_q_{statement.key}")[:30] not in text
    assert [e["task"] for e in printed_events(kiosk)] == [None]
    desk = kiosk.visit.printing
    folder = desk.files.folder if desk is not None else None
    assert folder is not None and any(folder.glob("*.pdf"))
    # Back from the print screen: the result; then the visit ends and the PDF goes with it.
    qtbot.mouseClick(printing.screen.back_button, CLICK)
    assert screen.pages.currentWidget() is screen.result_page
    kiosk.core.end_session("user")
    assert not folder.exists() or not any(folder.glob("*.pdf"))
    assert not screen.holds_anything()
