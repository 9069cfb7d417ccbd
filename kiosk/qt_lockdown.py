"""Lockdown inside the application: shortcuts swallowed, closing refused, a hidden staff exit.

What only the operating system can lock (virtual terminals, Ctrl+Alt+Del, other programs) is
left to the kiosk session that installer/ sets up; see the README.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QObject, QPoint, Qt

from kiosk.i18n import Texts
from kiosk.staff_exit import CornerTaps, StaffGate

if TYPE_CHECKING:
    # Not imported at run time: PySide6 sets up each class on first use, and these (~7 ms for
    # the key event and the dialog's classes) are not needed before the start screen shows.
    from PySide6.QtGui import QKeyEvent, QMouseEvent, QWindow
    from PySide6.QtWidgets import QWidget

Key = Qt.Key
Mod = Qt.KeyboardModifier

# Shortcuts that close, open or print windows, show source or dev tools, or leave full screen.
_CTRL_KEYS = frozenset(
    {
        Key.Key_W,
        Key.Key_N,
        Key.Key_T,
        Key.Key_Q,
        Key.Key_P,
        Key.Key_O,
        Key.Key_S,
        Key.Key_U,
        Key.Key_J,
        Key.Key_H,
        Key.Key_D,
        Key.Key_F4,
        Key.Key_Tab,
    }
)
_CTRL_SHIFT_KEYS = frozenset(
    {Key.Key_I, Key.Key_J, Key.Key_C, Key.Key_Delete, Key.Key_N, Key.Key_T}
)
_FUNCTION_KEYS = frozenset(getattr(Key, f"Key_F{n}") for n in range(1, 36))
CORNER_PX = 60
_ACTIVITY = frozenset(
    {QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin, QEvent.Type.Wheel}
)


def is_forbidden(key: int, modifiers: Qt.KeyboardModifier) -> bool:
    """True for a shortcut a visitor must not use on a public PC."""
    ctrl = bool(modifiers & Mod.ControlModifier)
    alt = bool(modifiers & Mod.AltModifier)
    shift = bool(modifiers & Mod.ShiftModifier)
    if key in _FUNCTION_KEYS:
        return True
    if alt and not ctrl and key in (Key.Key_F4, Key.Key_Tab, Key.Key_Escape, Key.Key_Space):
        return True
    if ctrl and shift and key in _CTRL_SHIFT_KEYS:
        return True
    # AltGr (Ctrl+Alt on Windows) types '@' and '#' on a Belgian keyboard: leave it alone.
    return ctrl and not alt and not shift and key in _CTRL_KEYS


class QtLockdown(QObject):
    """Watches the kiosk's own top-level QWindow: ``activity`` hears every touch and key.

    Not an application-wide filter: with QtWebEngine, events for Chromium's internal QObjects
    would reach Python and PySide 6.12 crashes wrapping them (benchmarks/
    repro_lockdown_crash.py). Every touch and key for the kiosk window, the web page included,
    reaches that window's QWindow first.
    """

    def __init__(
        self,
        window: QWidget,
        gate: StaffGate,
        activity: Callable[[], None],
        *,
        enforce: bool,
        texts: Callable[[], Texts],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._gate = gate
        self._activity = activity
        self.enforce = enforce
        self._texts = texts
        self._taps = CornerTaps(time.monotonic)
        self.exit_granted = False
        self.swallowed = 0
        self._handle: QWindow | None = None

    def attach(self) -> None:
        """Start watching; call after the window is shown (its QWindow exists from then on)."""
        handle = self._window.windowHandle()
        if handle is None:
            raise RuntimeError("show the kiosk window before locking it down")
        self._handle = handle
        handle.installEventFilter(self)

    def detach(self) -> None:
        if self._handle is not None:
            self._handle.removeEventFilter(self)
            self._handle = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind in _ACTIVITY:
            self._activity()
        if not self.enforce:
            return False
        if kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            key = cast("QKeyEvent", event)  # PySide hands over the event as its own class
            if is_forbidden(key.key(), key.modifiers()):
                self.swallowed += 1 if kind == QEvent.Type.KeyPress else 0
                event.accept()
                return True
        if kind == QEvent.Type.MouseButtonPress:
            mouse = cast("QMouseEvent", event)
            point = self._window.mapFromGlobal(mouse.globalPosition().toPoint())
            if self._taps.tap(self._in_corner(point)) and self._gate.enabled:
                self.ask_pin()
        return False

    def _in_corner(self, point: QPoint) -> bool:
        return 0 <= point.x() < CORNER_PX and 0 <= point.y() < CORNER_PX

    def ask_pin(self) -> None:
        from PySide6.QtWidgets import QDialog

        from kiosk.qt_pin_dialog import QtPinDialog

        dialog = QtPinDialog(self._window, self._gate, self._texts())
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.exit_granted = True
            self._window.close()
