"""Welcome: choose a language, see how long inactivity may last, touch anywhere to begin.

When the site's queue says that no buddy is on duty, the screen says so before anyone presses
anything (``show_duty``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.i18n import Texts, languages
from kiosk.ui.widgets import make_button, make_label, set_text


class QtStartScreen(QWidget):
    start_requested = Signal()
    language_chosen = Signal(str)

    def __init__(self, idle_minutes: int) -> None:
        super().__init__()
        self._idle_minutes = idle_minutes
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 24, 60, 32)
        languages_row = QHBoxLayout()
        languages_row.addStretch(1)
        self.language_label = make_label(wrap=False)
        languages_row.addWidget(self.language_label)
        self.language_buttons: dict[str, QPushButton] = {}
        for code in languages():
            button = make_button("language")
            button.setCheckable(True)
            set_text(button, Texts(code).language_name)
            button.clicked.connect(lambda _=False, c=code: self.language_chosen.emit(c))
            languages_row.addWidget(button)
            self.language_buttons[code] = button
        layout.addLayout(languages_row)
        layout.addStretch(2)
        self.title = make_label("title")
        self.body = make_label()
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        self.duty = make_label("duty")  # "Nu is er geen buddy. Volgende permanentie: …"
        self.duty.hide()
        layout.addSpacing(12)
        layout.addWidget(self.duty)
        layout.addSpacing(12)
        self.start_button = make_button("primary")
        self.start_button.setMinimumWidth(420)
        self.start_button.clicked.connect(self.start_requested)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.start_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.hint = make_label("muted")
        layout.addWidget(self.hint)
        layout.addStretch(2)
        self.notice = make_label("notice")
        layout.addWidget(self.notice)

    def retranslate(self, texts: Texts, is_open: bool) -> None:
        self.title.setText(texts("welcome_title"))
        self.body.setText(texts("welcome_body") if is_open else texts("closed_notice"))
        set_text(self.start_button, texts("start_button"))
        self.start_button.setEnabled(is_open)
        self.hint.setText(texts("start_hint"))
        self.hint.setVisible(is_open)
        self.language_label.setText(texts("choose_language") + ":")
        self.notice.setText(
            texts.plural("idle_notice", self._idle_minutes, minutes=self._idle_minutes)
            + "\n"
            + texts("privacy_notice")
        )
        # Not an exclusive QButtonGroup: that would take every language but one out of Tab's way.
        for code, button in self.language_buttons.items():
            button.setChecked(code == texts.lang)

    def show_duty(self, text: str) -> None:
        """Whether a buddy is on duty ('' when one is, or when the kiosk does not know)."""
        if text != self.duty.text():
            self.duty.setText(text)
            self.duty.setAccessibleName(text)
        self.duty.setVisible(bool(text))

    def spoken_text(self) -> str:
        parts = (self.title.text(), self.body.text(), self.duty.text(), self.hint.text())
        return " ".join(part for part in (*parts, self.notice.text()) if part)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        # A touch anywhere on the welcome screen starts, as the hint says.
        self.start_requested.emit()
        event.accept()
