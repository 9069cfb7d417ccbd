"""Always there during a visit: call a buddy, see who is coming, and end the visit."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

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
        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._row = row
        self.call_button = make_button("help")
        self.call_button.clicked.connect(self.call_requested)
        row.addWidget(self.call_button, 1)
        self.cancel_button = make_button("secondary")
        self.cancel_button.clicked.connect(self.cancel_requested)
        row.addWidget(self.cancel_button, 1)
        self.done_button = make_button("primary")
        self.done_button.clicked.connect(self.done_requested)
        row.addWidget(self.done_button, 1)
        outer.addLayout(row)

    def set_text_size(self, percent: int) -> None:
        """Large text does not fit side by side: the buttons then stack, nothing is cut."""
        vertical = percent > 100
        self._row.setDirection(
            QBoxLayout.Direction.TopToBottom if vertical else QBoxLayout.Direction.LeftToRight
        )

    def show_help(self, texts: Texts, status: str, state: str | None) -> None:
        set_text(self.call_button, texts("call_buddy"), texts("call_buddy_name"))
        set_text(self.cancel_button, texts("cancel_call"))
        set_text(self.done_button, texts("done_button"), texts("done_button_name"))
        self.help_status.setText(status)
        self.help_status.setVisible(bool(status))
        # While a call is pending the button gives way to what is happening with it.
        self.call_button.setVisible(state is None)
        self.cancel_button.setVisible(state == "open")
