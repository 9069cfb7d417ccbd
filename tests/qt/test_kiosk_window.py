"""The kiosk window with real widgets (offscreen): readable, reachable, keyboard-usable, timed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QAbstractButton, QDialog, QWidget
from pytestqt.qtbot import QtBot

from kiosk.i18n import Texts
from kiosk.model.core import KioskCore
from kiosk.model.outbox import Outbox
from kiosk.model.session import SessionPolicy
from kiosk.model.staff_exit import StaffGate, hash_pin
from kiosk.model.theme import HIGH_CONTRAST, NORMAL
from kiosk.model.tiles import BROWSE, Tile
from kiosk.ui.home_screen import QtTile
from kiosk.ui.lockdown import QtLockdown, is_forbidden
from kiosk.ui.pin_dialog import QtPinDialog
from kiosk.ui.window import QtKioskWindow


class FakeTime:
    def __init__(self) -> None:
        self.mono = 0.0
        self.wall = datetime(2026, 11, 23, 10, 0)

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += timedelta(seconds=seconds)


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, fake: FakeTime) -> Iterator[QtKioskWindow]:
    core = KioskCore(
        Outbox(tmp_path / "o.db"),
        policy=SessionPolicy(idle_timeout_s=120, warning_s=30),
        monotonic=lambda: fake.mono,
        wall=lambda: fake.wall,
    )
    win = QtKioskWindow(core, 2, tick_ms=60_000)  # ticks by hand
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    yield win


def visible_buttons(root: QWidget) -> list[QAbstractButton]:
    return [b for b in root.findChildren(QAbstractButton) if b.isVisibleTo(root)]


def settle() -> None:
    # A local loop, not the static processEvents (PySide6 6.12 leaks a None reference per call).
    QEventLoop().processEvents()


def tiles_fit(win: QtKioskWindow) -> bool:
    tiles = [b for b in visible_buttons(win) if isinstance(b, QtTile)]
    return all(
        t.title_label.heightForWidth(t.title_label.width()) <= t.title_label.height() + 1
        for t in tiles
    )


def check_targets(win: QtKioskWindow) -> None:
    # Wrapped tile titles take a few layout passes to settle (each pass is a local event loop).
    for _ in range(10):
        settle()
        if tiles_fit(win):
            break
    buttons = visible_buttons(win)
    assert buttons
    for button in buttons:
        assert button.accessibleName(), f"{button.text()!r} has no accessible name"
        assert button.height() >= 44, f"{button.accessibleName()} is {button.height()} px high"
        if button.objectName() in ("primary", "help"):
            assert button.height() >= 60, f"{button.accessibleName()} is a primary button"
        assert button.font().pointSizeF() >= 18, f"{button.accessibleName()} text too small"
        text_width = button.fontMetrics().horizontalAdvance(button.text())
        assert text_width <= button.width(), f"{button.text()!r} is cut off"
        if isinstance(button, QtTile):
            label = button.title_label
            assert label.heightForWidth(label.width()) <= label.height() + 1, (
                f"tile {label.text()!r} is cut off"
            )
    assert win.minimumSizeHint().height() <= 768, "does not fit a 1366x768 screen"


def test_every_screen_is_readable_and_reachable(window: QtKioskWindow) -> None:
    check_targets(window)  # start screen
    assert window.start_screen.title.font().pointSizeF() >= 18
    window._core.start_session()
    check_targets(window)  # home with the action bar
    window._core.call_buddy()
    check_targets(window)


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_text_can_grow_to_200_percent_without_loss(window: QtKioskWindow, lang: str) -> None:
    window._core.set_language(lang)
    window._core.start_session()
    settle()
    before = window.home_screen.body.font().pointSizeF()
    window.home_screen.accessibility.size_buttons[200].click()
    settle()
    assert window._core.text_size == 200
    assert window.home_screen.body.font().pointSizeF() == pytest.approx(before * 2, abs=1)
    assert window.home_screen.accessibility.size_buttons[200].property("current")
    window.resize(1366, 768)
    check_targets(window)
    window._core.call_buddy()
    check_targets(window)


def test_high_contrast_switches_the_theme(window: QtKioskWindow) -> None:
    window._core.start_session()
    window.home_screen.accessibility.contrast_button.click()
    assert window._core.high_contrast
    assert "#000000" in window.styleSheet()


def test_the_start_screen_works_with_the_keyboard_alone(
    qtbot: QtBot, window: QtKioskWindow
) -> None:
    start = window.start_screen.start_button
    order = window.keyboard_focus_order()
    assert start in order and all(b in order for b in window.start_screen.language_buttons.values())
    start.setFocus()
    qtbot.keyClick(start, Qt.Key.Key_Return)
    assert window._core.session is not None
    assert window.action_bar.call_button in window.keyboard_focus_order()


def test_languages_switch_every_text(window: QtKioskWindow) -> None:
    window.start_screen.language_buttons["fr"].click()
    assert window.start_screen.start_button.text() == "Commencer"
    window.start_screen.language_buttons["en"].click()
    assert window.start_screen.start_button.text() == "Start"
    assert "2 minutes" in window.start_screen.notice.text()


def test_idle_warning_counts_down_and_one_press_keeps_the_visit(
    window: QtKioskWindow, fake: FakeTime
) -> None:
    window._core.start_session()
    fake.advance(95)
    window.tick()
    assert window.idle_warning.isVisible()
    assert "25" in window.idle_warning.countdown.text()
    window.idle_warning.button.click()
    window.tick()
    assert not window.idle_warning.isVisible() and window._core.session is not None
    fake.advance(121)
    window.tick()
    assert window._core.session is None
    assert window.stack.currentWidget() is window.start_screen
    assert not window.idle_warning.isVisible()


def test_announcements_and_the_locked_screen(window: QtKioskWindow) -> None:
    window._core.announce({"text": {"nl": "Vandaag sluiten we om 16 uur."}}, None)
    assert window.banner.isVisible() and "16 uur" in window.banner.text()
    window._core.start_session()
    window._core.lock()
    assert window.stack.currentWidget() is window.locked_screen
    assert window.locked_screen.body.text() == Texts("nl")("locked_body")
    assert window._core.session is None
    window._core.unlock()
    assert window.stack.currentWidget() is window.start_screen


def test_forbidden_shortcuts() -> None:
    ctrl, alt = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier
    assert is_forbidden(Qt.Key.Key_F4, alt)
    assert is_forbidden(Qt.Key.Key_W, ctrl)
    assert is_forbidden(Qt.Key.Key_F11, Qt.KeyboardModifier.NoModifier)
    assert is_forbidden(Qt.Key.Key_I, ctrl | Qt.KeyboardModifier.ShiftModifier)
    assert not is_forbidden(Qt.Key.Key_V, ctrl)  # paste stays: visitors paste codes
    assert not is_forbidden(Qt.Key.Key_2, ctrl | alt)  # AltGr+2 types '@' on a Belgian keyboard
    assert not is_forbidden(Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier)


def test_lockdown_swallows_shortcuts_and_refuses_to_close(
    qtbot: QtBot, window: QtKioskWindow
) -> None:
    gate = StaffGate(hash_pin("2468", salt="s", iterations=1000), lambda: 0.0)
    touches: list[int] = []
    lockdown = QtLockdown(
        window, gate, lambda: touches.append(1), enforce=True, texts=lambda: Texts("nl")
    )
    lockdown.attach()
    handle = window.windowHandle()
    window.allow_close = lambda: lockdown.exit_granted
    try:
        # Keys go to the window's QWindow first, as the keyboard's do (the web page's too).
        qtbot.keyClick(handle, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
        qtbot.keyClick(handle, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(handle, Qt.Key.Key_A)
        assert lockdown.swallowed == 2 and len(touches) >= 3  # every key counts as activity
        window.close()
        assert window.isVisible()
        lockdown.exit_granted = True
        window.close()
        assert not window.isVisible()
    finally:
        lockdown.detach()


def test_the_pin_dialog(qtbot: QtBot, window: QtKioskWindow) -> None:
    gate = StaffGate(hash_pin("2468", salt="s", iterations=1000), lambda: 0.0)
    dialog = QtPinDialog(window, gate, Texts("fr"))
    qtbot.addWidget(dialog)
    dialog.pin.setText("1111")
    dialog.check()
    assert "Encore 4 essais" in dialog.message.text()
    dialog.pin.setText("2468")
    dialog.check()
    assert dialog.result() == QDialog.DialogCode.Accepted


ICONS = sorted((Path(__file__).resolve().parents[2] / "kiosk" / "tasks" / "icons").glob("*.svg"))


def icon_tiles(texts: Texts) -> list[Tile]:
    named = [
        Tile(f"task-{i}", f"{texts('tile_browse')} {i}", "", ICONS[i % len(ICONS)])
        for i in range(8)
    ]
    return [*named, Tile(BROWSE, texts("tile_browse"))]


def icon_colour(tile: QtTile) -> str:
    image = tile.icon_label.pixmap().toImage()
    opaque = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    ]
    assert opaque, "the icon is empty"
    return opaque[len(opaque) // 2].name().upper()


def test_tiles_are_drawn_again_only_when_they_change(
    qtbot: QtBot, tmp_path: Path, fake: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every change of the model (a help call: ~3 ms of it) used to redraw nine tiles' icons.
    drawn: list[str] = []
    show_tile = QtTile.show_tile

    def counting(tile: QtTile, shown: Tile, colour: str = "#FFFFFF") -> None:
        drawn.append(shown.id)
        show_tile(tile, shown, colour)

    monkeypatch.setattr(QtTile, "show_tile", counting)
    core = KioskCore(Outbox(tmp_path / "o.db"), monotonic=lambda: fake.mono, wall=lambda: fake.wall)
    win = QtKioskWindow(core, 2, tiles_for=icon_tiles, tick_ms=60_000)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    tiles = win.home_screen.tile_buttons
    assert len(tiles) == 9 and icon_colour(tiles["task-0"]) == NORMAL.primary_text
    drawn.clear()
    core.start_session()
    core.call_buddy()
    core.cancel_help()
    win.set_broker_online(True)
    win.tick()
    assert drawn == []
    win.home_screen.accessibility.contrast_button.click()  # the icons take the theme's colour
    assert sorted(drawn) == sorted(tiles) and drawn.count("task-0") == 1
    assert icon_colour(win.home_screen.tile_buttons["task-0"]) == HIGH_CONTRAST.primary_text
    drawn.clear()
    core.set_language("fr")  # new titles
    assert sorted(drawn) == sorted(win.home_screen.tile_buttons)
    assert win.home_screen.tile_buttons[BROWSE].title_label.text() == Texts("fr")("tile_browse")
    assert icon_colour(win.home_screen.tile_buttons["task-0"]) == HIGH_CONTRAST.primary_text
    drawn.clear()
    win.home_screen.accessibility.size_buttons[150].click()  # two columns: laid out anew
    assert sorted(drawn) == sorted(win.home_screen.tile_buttons)
    check_targets(win)
