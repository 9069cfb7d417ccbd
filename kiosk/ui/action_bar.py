"""Always at the bottom of the screen: call a buddy, see who is coming, and end the visit.

The same bar, in the same place, on every screen a visitor sees (WCAG 2.2 3.2.6 Consistent
Help), the start screen too: someone stuck on the first screen can ask for help. The green
button is on the left, where the eye starts; "I'm done" is on the far right, smaller, and asks
before it wipes anything (kiosk/model/goodbye.py). A pending call's "Cancel the call" takes the
green button's place, and the keyboard focus with it: never onto "I'm done".
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.i18n import Texts
from kiosk.ui.widgets import QtStatusLine, make_button, set_text


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
        # What happens with the call: made with the first call (the first status bar costs the
        # start screen ~5 ms, and nobody has called yet).
        self._help_status: QtStatusLine | None = None
        row = QHBoxLayout()
        self._row = row
        self.call_button = make_button("help")
        self.call_button.clicked.connect(self.call_requested)
        row.addWidget(self.call_button)
        self.cancel_button = make_button("secondary")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.cancel_button.hide()
        row.addWidget(self.cancel_button)
        # Far from the green button: a visitor aiming for help never lands on it.
        row.addStretch(1)
        self.done_button = make_button("done")
        self.done_button.clicked.connect(self.done_requested)
        row.addWidget(self.done_button)
        outer.addLayout(row)

    @property
    def help_status(self) -> QtStatusLine:
        """The call's status line above the buttons, made the first time it is needed."""
        if self._help_status is None:
            line = self._help_status = QtStatusLine("help_status")
            line.hide()
            # It can hold the keyboard's focus when the call's buttons give way (a claimed
            # call): the focus then stays on what is happening, never on "I'm done".
            line.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self._outer.insertWidget(0, line)
        return self._help_status

    def set_text_size(self, percent: int) -> None:
        """The theme caps this bar's text: the buttons stay where they are at every size."""
        del percent

    def show_done(self, shown: bool) -> None:
        """ "I'm done" during a visit only (the start screen has nothing to end)."""
        self.done_button.setVisible(shown)

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
        if status or self._help_status is not None:
            self.help_status.setAccessibleDescription(texts("help_status_name"))
            self.help_status.say(status)
        # While a call is pending the button gives way to what is happening with it, and the
        # keyboard's focus goes with it to the button in its place.
        had_focus = self.call_button.hasFocus() or self.cancel_button.hasFocus()
        self.call_button.setVisible(state is None)
        self.cancel_button.setVisible(state == "open")
        if had_focus:
            for button in (self.call_button, self.cancel_button):
                if button.isVisible():
                    button.setFocus()
                    break
            else:
                self.help_status.setFocus()
