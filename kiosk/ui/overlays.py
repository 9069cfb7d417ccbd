"""What covers the kiosk for a moment: the idle warning, the goodbye, the out-of-order screen.

Calm, not alarming (issue 17): a light card in the middle of a quiet page, the theme's own
colours (7:1 and more), one big button that does what the visitor most likely wants.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from kiosk.i18n import Texts
from kiosk.ui.widgets import announce, make_button, make_label, set_text


class _QtCard(QWidget):
    """A page over the screen with a card in its middle."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(60, 40, 60, 40)
        outer.addStretch(1)
        self.card = QFrame()
        self.card.setObjectName("card")
        self.card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer.addWidget(self.card)
        outer.addStretch(1)
        self.layout_ = QVBoxLayout(self.card)
        self.layout_.setContentsMargins(40, 32, 40, 32)
        self.layout_.setSpacing(16)
        self.title = make_label("title")
        self.body = make_label()
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.body)
        # One button under the other, the safe one first: never two to choose side by side
        # at 200 % text, where they would not fit.
        self.buttons = QVBoxLayout()
        self.buttons.setSpacing(16)
        self.buttons.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.layout_.addSpacing(8)
        self.layout_.addLayout(self.buttons)
        self.hide()

    def cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        if not self.isVisible():
            self.show()
            self.raise_()


class QtIdleWarning(_QtCard):
    """'Are you still there?' with a countdown and one big button (WCAG 2.2.1), an alert."""

    still_here = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.countdown = self.body
        self.button = make_button("primary")
        self.button.setMinimumWidth(480)
        self.button.clicked.connect(self.still_here)
        self.buttons.addWidget(self.button)

    def show_countdown(self, texts: Texts, seconds_left: float) -> None:
        self.title.setText(texts("still_here_title"))
        seconds = max(0, int(seconds_left + 0.999))
        self.countdown.setText(texts.plural("still_here_body", seconds, seconds=seconds))
        set_text(self.button, texts("still_here_button"))
        self.setAccessibleName(self.title.text())
        self.setAccessibleDescription(self.countdown.text())
        if not self.isVisible():
            self.cover()
            self.button.setFocus()
            announce(self, f"{self.title.text()} {self.countdown.text()}", assertive=True)


class QtGoodbye(_QtCard):
    """ "I'm done": asked once ("No, I'll continue" is the big, default answer), then the
    goodbye ("Everything is erased. Goodbye!") until the start screen. An alert both times."""

    keep_requested = Signal()
    confirmed = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.keep_button = make_button("primary")
        self.keep_button.clicked.connect(self.keep_requested)
        self.confirm_button = make_button("secondary")
        self.confirm_button.clicked.connect(self.confirmed)
        self.keep_button.setMinimumWidth(480)
        self.confirm_button.setMinimumWidth(480)
        self.buttons.addWidget(self.keep_button)
        self.buttons.addWidget(self.confirm_button)
        self.asking = False

    def ask(self, texts: Texts) -> None:
        self.asking = True
        self.title.setText(texts("goodbye_ask_title"))
        self.body.setText(texts("goodbye_ask_body"))
        self.body.show()
        set_text(self.keep_button, texts("goodbye_keep"))
        set_text(self.confirm_button, texts("goodbye_confirm"))
        for button in (self.keep_button, self.confirm_button):
            button.show()
        self._said()
        self.keep_button.setFocus()

    def say_goodbye(self, texts: Texts, *, by_staff: bool = False) -> None:
        """ "Everything is erased. Goodbye!"; when the staff ended the visit from the console,
        who did it and where to ask, so that a visitor is not left wondering what they did."""
        self.asking = False
        self.title.setText(texts("goodbye_staff_title" if by_staff else "goodbye_done"))
        self.body.setText(texts("goodbye_staff_body") if by_staff else "")
        self.body.setVisible(by_staff)
        for button in (self.keep_button, self.confirm_button):
            button.hide()
        self._said()

    def _said(self) -> None:
        self.setAccessibleName(self.title.text())
        self.setAccessibleDescription(self.body.text() if self.body.isVisibleTo(self) else "")
        was_visible = self.isVisible()
        self.cover()
        if not was_visible or not self.asking:
            announce(self, self.title.text(), assertive=True)

    def spoken_text(self) -> str:
        body = self.body.text() if self.body.isVisibleTo(self) else ""
        return f"{self.title.text()} {body}".strip()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        # A touch on the goodbye goes on to the start screen; a question needs an answer.
        if not self.asking:
            self.dismissed.emit()
        event.accept()


class QtLockedScreen(QWidget):
    """Out of order — please ask at the desk."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("locked")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = make_label("title")
        self.body = make_label()
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addStretch(1)

    def retranslate(self, texts: Texts) -> None:
        self.title.setText(texts("locked_title"))
        self.body.setText(texts("locked_body"))
