"""Always there during a visit: call a buddy, see who is coming, and end the visit."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.i18n import Texts
from kiosk.qt_widgets import make_button, make_label, set_text


class QtActionBar(QWidget):
    call_requested = Signal()
    cancel_requested = Signal()
    done_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 6, 40, 16)
        self.help_status = make_label("help_status")
        outer.addWidget(self.help_status)
        row = QHBoxLayout()
        self.call_button = make_button("help")
        self.call_button.clicked.connect(self.call_requested)
        row.addWidget(self.call_button, 3)
        self.cancel_button = make_button("secondary")
        self.cancel_button.clicked.connect(self.cancel_requested)
        row.addWidget(self.cancel_button, 2)
        self.done_button = make_button("primary")
        self.done_button.clicked.connect(self.done_requested)
        row.addWidget(self.done_button, 2)
        outer.addLayout(row)

    def show_help(self, texts: Texts, status: str, state: str | None) -> None:
        set_text(self.call_button, texts("call_buddy"), texts("call_buddy_name"))
        set_text(self.cancel_button, texts("cancel_call"))
        set_text(self.done_button, texts("done_button"), texts("done_button_name"))
        self.help_status.setText(status)
        self.help_status.setVisible(bool(status))
        # While a call is pending the button gives way to what is happening with it.
        self.call_button.setVisible(state is None)
        self.cancel_button.setVisible(state == "open")
