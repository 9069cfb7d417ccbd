"""The staff PIN dialog behind the hidden corner gesture (loaded when staff ask for it)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.i18n import Texts
from kiosk.model.staff_exit import StaffGate


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
            self.message.setText(self._texts.plural("staff_pin_locked", minutes, minutes=minutes))
            return True
        return False

    def check(self) -> None:
        verdict = self._gate.try_pin(self.pin.text())
        self.pin.clear()
        if verdict.ok:
            self.accept()
        elif not self._show_lockout():
            left = verdict.attempts_left
            self.message.setText(self._texts.plural("staff_pin_wrong", left, left=left))
