"""Lockdown inside the application: shortcuts swallowed, closing refused, a hidden staff exit.

What only the operating system can lock (virtual terminals, Ctrl+Alt+Del, other programs) is
left to the kiosk session that installer/ sets up; see the README.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent, QWindow
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import Texts
from kiosk.staff_exit import CornerTaps, StaffGate

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
        is_key = kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
        if is_key and isinstance(event, QKeyEvent) and is_forbidden(event.key(), event.modifiers()):
            self.swallowed += 1 if kind == QEvent.Type.KeyPress else 0
            event.accept()
            return True
        if kind == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            point = self._window.mapFromGlobal(event.globalPosition().toPoint())
            if self._taps.tap(self._in_corner(point)) and self._gate.enabled:
                self.ask_pin()
        return False

    def _in_corner(self, point: QPoint) -> bool:
        return 0 <= point.x() < CORNER_PX and 0 <= point.y() < CORNER_PX

    def ask_pin(self) -> None:
        dialog = QtPinDialog(self._window, self._gate, self._texts())
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.exit_granted = True
            self._window.close()


class QtPinDialog(QDialog):
    def __init__(self, parent: QWidget, gate: StaffGate, texts: Texts) -> None:
        super().__init__(parent)
        self._gate = gate
        self._texts = texts
        self.setWindowTitle(texts("staff_pin_title"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(texts("staff_pin_title")))
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(12)
        self.pin.setInputMask("")
        self.pin.setAccessibleName(texts("staff_pin_title"))
        layout.addWidget(self.pin)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(texts("ok"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(texts("cancel"))
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._show_lockout()

    def _show_lockout(self) -> bool:
        locked = self._gate.locked_for()
        if locked > 0:
            minutes = max(1, int(locked // 60 + 1))
            self.message.setText(self._texts("staff_pin_locked", minutes=minutes))
            return True
        return False

    def check(self) -> None:
        verdict = self._gate.try_pin(self.pin.text())
        self.pin.clear()
        if verdict.ok:
            self.accept()
        elif not self._show_lockout():
            self.message.setText(self._texts("staff_pin_wrong", left=verdict.attempts_left))
