"""What covers the kiosk for a moment: the idle warning and the out-of-order screen."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.i18n import Texts
from kiosk.ui.widgets import make_button, make_label, set_text


class QtIdleWarning(QWidget):
    """'Are you still there?' with a countdown and one big button (WCAG 2.2.1)."""

    still_here = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = make_label("title")
        self.countdown = make_label()
        layout.addWidget(self.title)
        layout.addWidget(self.countdown)
        layout.addSpacing(30)
        self.button = make_button("primary")
        self.button.setMinimumWidth(480)
        self.button.clicked.connect(self.still_here)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.hide()

    def show_countdown(self, texts: Texts, seconds_left: float) -> None:
        self.title.setText(texts("still_here_title"))
        seconds = max(0, int(seconds_left + 0.999))
        self.countdown.setText(texts.plural("still_here_body", seconds, seconds=seconds))
        set_text(self.button, texts("still_here_button"))
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        if not self.isVisible():
            self.show()
            self.raise_()
            self.button.setFocus()


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
