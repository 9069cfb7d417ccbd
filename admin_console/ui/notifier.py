"""Makes a new help call impossible to miss: a chime, a desktop notification, a taskbar flash.

Each part degrades on its own: no audio device → the system beep; no system tray (a kiosk-like
tablet session, offscreen tests) → no balloon, the window still flashes and shows the count.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from admin_console.desk.help_queue import HelpCall
from admin_console.ui.language import tr, trn
from admin_console.ui.sounds import NEW_CALL

log = logging.getLogger("admin_console.notifier")


def _icon() -> QIcon:
    pixmap = QPixmap(64, 64)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#1B5E20"))
    painter.setPen(QColor("white"))
    painter.drawEllipse(4, 4, 56, 56)
    painter.end()
    return QIcon(pixmap)


def describe_call(call: HelpCall) -> str:
    """One line for a notification: PC, task and step, language."""
    parts = [f"{call.site}/{call.machine}" if call.site else call.machine]
    if call.task:
        parts.append(
            call.task
            if call.step is None
            else tr("QtCallNotifier", "{task}, step {n}", task=call.task, n=call.step + 1)
        )
    if call.lang:
        parts.append(call.lang.upper())
    return " · ".join(parts)


class QtCallNotifier(QObject):
    """``notify(calls)`` rings and shows; ``notified`` says what was shown (tests listen)."""

    notified = Signal(str, str)  # title, message

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        # How a call reads in a notification; the buddy desk gives its own words (the PC's
        # label, the task's title, "step 3 of 7", the language by name: issue 16).
        self.describe: Callable[[HelpCall], str] = describe_call
        self.muted = False
        self.sound_played = 0
        self.beeps = 0
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(_icon(), self)
            self.tray.setToolTip(window.windowTitle())
            self.tray.show()
        self._effect = self._sound_effect()

    def _sound_effect(self) -> QObject | None:
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError:  # Qt Multimedia's libraries are missing on this system
            return None
        if not QMediaDevices.audioOutputs():
            return None
        effect = QSoundEffect(self)
        effect.setSource(QUrl.fromLocalFile(str(NEW_CALL)))
        effect.setVolume(0.8)
        return effect

    def notify(self, calls: Sequence[HelpCall]) -> None:
        if not calls:
            return
        title = trn(
            "QtCallNotifier", "A visitor asks for help", "{n} visitors ask for help", len(calls)
        )
        message = "\n".join(self.describe(call) for call in calls[:5])
        self._show(title, message)

    def remind(self, waiting: int, minutes: int) -> None:
        """Calls still wait unclaimed: ring again."""
        title = tr("QtCallNotifier", "Still waiting for a buddy")
        message = trn(
            "QtCallNotifier",
            "{n} call waiting for {m} min or more",
            "{n} calls waiting for {m} min or more",
            waiting,
            m=minutes,
        )
        self._show(title, message)

    def withdrawn(self, call: HelpCall, *, ring: bool) -> None:
        """A claimed call was cancelled (the visitor left or the visit ended): tell the buddy
        who is on the way; ``ring`` for that buddy's own desk."""
        title = tr("QtCallNotifier", "A call was cancelled")
        message = tr(
            "QtCallNotifier",
            "{pc}: the visitor cancelled the call or left. {name} no longer needs to go.",
            pc=self.describe(call),
            name=call.buddy or "",
        )
        if ring:
            self._show(title, message)
        else:
            self.notified.emit(title, message)

    def _show(self, title: str, message: str) -> None:
        if self.tray is not None:
            self.tray.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 10_000)
        QApplication.alert(self._window, 0)  # flashes the taskbar entry until the window is used
        if not self.muted:
            self._ring()
        self.notified.emit(title, message)

    def _ring(self) -> None:
        effect = self._effect
        if effect is not None:
            from PySide6.QtMultimedia import QSoundEffect

            assert isinstance(effect, QSoundEffect)
            if effect.status() != QSoundEffect.Status.Error:
                effect.play()
                self.sound_played += 1
                return
        QApplication.beep()
        self.beeps += 1
