"""Lockdown inside the application: shortcuts swallowed, closing refused, a hidden staff exit.

What only the operating system can lock (virtual terminals, Ctrl+Alt+Del, other programs) is
left to the kiosk session that installer/ sets up; see the README.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer

from kiosk.i18n import Texts
from kiosk.model.staff_exit import CornerTaps, StaffGate

if TYPE_CHECKING:
    # Not imported at run time: PySide6 sets up each class on first use, and these (~7 ms for
    # the key event and the dialog's classes) are not needed before the start screen shows.
    from PySide6.QtGui import QGuiApplication, QKeyEvent, QMouseEvent, QWindow
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
    """Watches every top-level QWindow of the kiosk: ``activity`` hears every touch and key.

    Not an application-wide filter: with QtWebEngine, events for Chromium's internal QObjects
    would reach Python and PySide 6.12 crashes wrapping them (benchmarks/
    repro_lockdown_crash.py). Every touch and key for a window, the web page included, reaches
    that window's QWindow first, so the filter sits on each of the kiosk's QWindows.

    Those QWindows do not live as long as the kiosk: when QtWebEngine joins the window, Qt
    destroys the kiosk window's native window and makes a new QWindow (a surface that can show
    the page), and dialogs and menus bring their own. A filter on the first QWindow alone went
    deaf after the first web page (issue 15). So the lockdown follows them: a watched QWindow
    being destroyed (the kiosk's is replaced right after), the focus moving to another window
    (a dialog), and screens coming, going or changing size; each time it watches every
    top-level QWindow that it does not watch yet. (Not a filter on the kiosk widget itself:
    every paint and layout event of the window would then cross into Python.)
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
        self._handles: dict[int, QWindow] = {}  # id -> the QWindows watched now
        self._attached = False

    def attach(self) -> None:
        """Start watching; call after the window is shown (its QWindow exists from then on)."""
        from PySide6.QtGui import QGuiApplication

        if self._window.windowHandle() is None:
            raise RuntimeError("show the kiosk window before locking it down")
        if self._attached:
            return
        self._attached = True
        app = cast("QGuiApplication", QGuiApplication.instance())
        app.focusWindowChanged.connect(self._follow_windows)
        app.screenAdded.connect(self._screen_changed)
        app.screenRemoved.connect(self._screen_changed)
        app.primaryScreenChanged.connect(self._screen_changed)
        for screen in app.screens():
            screen.geometryChanged.connect(self._screen_changed)
        self._follow_windows()

    def detach(self) -> None:
        from PySide6.QtGui import QGuiApplication

        if not self._attached:
            return
        self._attached = False
        if not shiboken6.isValid(self):
            # The window (our parent) is already gone, and we with it: Qt removed our
            # connections and filters then (Ctrl-C in the demo; issue 17: no traceback).
            self._handles.clear()
            return
        app = cast("QGuiApplication", QGuiApplication.instance())
        for signal, slot in (
            (app.focusWindowChanged, self._follow_windows),
            (app.screenAdded, self._screen_changed),
            (app.screenRemoved, self._screen_changed),
            (app.primaryScreenChanged, self._screen_changed),
        ):
            signal.disconnect(slot)
        for handle in self._live_handles():
            handle.removeEventFilter(self)
        self._handles.clear()

    @property
    def watched(self) -> list[QWindow]:
        """The QWindows the lockdown listens to now (for tests and the self-check)."""
        return self._live_handles()

    def _live_handles(self) -> list[QWindow]:
        from shiboken6 import isValid

        alive = {key: w for key, w in self._handles.items() if isValid(w)}
        self._handles = alive
        return list(alive.values())

    def _follow_windows(self, *_args: object) -> None:
        """Watch the QWindow of every top-level widget (the kiosk, dialogs, menus, the page's
        popups) not watched yet. Only widgets' windows: QtWebEngine's own QWindows (its
        offscreen Quick window) get their events forwarded from a widget that is watched."""
        from PySide6.QtWidgets import QApplication

        if not self._attached:
            return
        known = {id(w) for w in self._live_handles()}
        for widget in [self._window, *QApplication.topLevelWidgets()]:
            window = widget.windowHandle()
            if window is None or id(window) in known:
                continue
            window.installEventFilter(self)
            # Replaced (QtWebEngine joined the window) or closed: look again once Qt is done.
            window.destroyed.connect(self._window_gone)
            self._handles[id(window)] = window
            known.add(id(window))

    def _window_gone(self, *_args: object) -> None:
        QTimer.singleShot(0, self._follow_windows)

    def _screen_changed(self, *_args: object) -> None:
        """A screen came, went or changed size: stay full screen on it, and keep watching."""
        from PySide6.QtGui import QGuiApplication

        app = cast("QGuiApplication", QGuiApplication.instance())
        for screen in app.screens():
            # Connecting twice would call twice: UniqueConnection keeps one per screen.
            screen.geometryChanged.connect(self._screen_changed, Qt.ConnectionType.UniqueConnection)
        if self.enforce and self._window.isVisible():
            self._window.showFullScreen()
        self._follow_windows()

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

        from kiosk.ui.pin_dialog import QtPinDialog

        dialog = QtPinDialog(self._window, self._gate, self._texts())
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.exit_granted = True
            self._window.close()
