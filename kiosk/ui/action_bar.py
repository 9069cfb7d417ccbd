"""Always there during a visit: call a buddy, see who is coming, and end the visit."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from kiosk.i18n import Texts
from kiosk.ui.widgets import make_button, make_label, set_text


class QtActionBar(QWidget):
    call_requested = Signal()
    cancel_requested = Signal()
    done_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("action_bar")  # the theme caps its text: it stays one row
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 6, 40, 10)
        self._outer = outer
        self.help_status = make_label("help_status")
        outer.addWidget(self.help_status)
        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._row = row
        self.call_button = make_button("help")
        self.call_button.clicked.connect(self.call_requested)
        row.addWidget(self.call_button)
        self.cancel_button = make_button("secondary")
        self.cancel_button.clicked.connect(self.cancel_requested)
        row.addWidget(self.cancel_button)
        self.done_button = make_button("primary")
        self.done_button.clicked.connect(self.done_requested)
        row.addWidget(self.done_button)
        outer.addLayout(row)

    def set_text_size(self, percent: int) -> None:
        """The theme caps this bar's text at 150 %: one row of buttons, whatever the size.

        Should a translation still be too wide for one row, the buttons stack: nothing is cut.
        """
        del percent  # the stylesheet sized the buttons already
        self._arrange()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        margins = self._outer.contentsMargins()
        room = self.width() - margins.left() - margins.right()
        buttons = (self.call_button, self.cancel_button, self.done_button)
        shown = [b for b in buttons if not b.isHidden()]
        need = sum(b.sizeHint().width() for b in shown) + self._row.spacing() * (len(shown) - 1)
        vertical = need > room
        direction = (
            QBoxLayout.Direction.TopToBottom if vertical else QBoxLayout.Direction.LeftToRight
        )
        if self._row.direction() != direction:
            self._row.setDirection(direction)

    def show_help(
        self, texts: Texts, status: str, state: str | None, off_duty: str | None = None
    ) -> None:
        """``status``: what is happening with the call; ``off_duty``: the site takes no calls
        now (nobody on duty, ``off_duty_calls`` "none"), and why: the button is then not
        offered, never one that calls into the void; it says so in its place."""
        if off_duty is None:
            set_text(self.call_button, texts("call_buddy"), texts("call_buddy_name"))
        else:
            set_text(self.call_button, texts("call_off_duty"), off_duty)
        self.call_button.setEnabled(off_duty is None)
        set_text(self.cancel_button, texts("cancel_call"))
        set_text(self.done_button, texts("done_button"), texts("done_button_name"))
        if status != self.help_status.text():
            self.help_status.setText(status)
            self.help_status.setAccessibleDescription(texts("help_status_name"))
            if status and QAccessible.isActive():
                # Qt widgets have no live region: a screen reader hears the new words through
                # the label's name change (its name is its text).
                event = QAccessibleEvent(self.help_status, QAccessible.Event.NameChanged)
                QAccessible.updateAccessibility(event)
        self.help_status.setVisible(bool(status))
        # While a call is pending the button gives way to what is happening with it.
        self.call_button.setVisible(state is None)
        self.cancel_button.setVisible(state == "open")
        self._arrange()
