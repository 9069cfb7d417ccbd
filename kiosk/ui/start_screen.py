"""Welcome: choose a language, see how long inactivity may last, touch anywhere to begin.

The buddy button is here too, in the action bar below, as on every screen.

When the site's queue says that no buddy is on duty, the screen says so before anyone presses
anything (``show_duty``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.i18n import Texts, languages
from kiosk.model.wording import idle_notice
from kiosk.ui.widgets import QtStatusLine, make_button, make_label, set_current, set_text


class QtLanguageRow(QWidget):
    """ "Taal: Nederlands Français English", top right on the start screen and on the home
    screen alike (the same place): the language can change inside a visit too."""

    language_chosen = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("access_bar")  # capped text: it never moves when the text grows
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = make_label(wrap=False)
        row.addWidget(self.label)
        self.buttons: dict[str, QPushButton] = {}
        for code in languages():
            button = make_button("language")
            set_text(button, Texts(code).language_name)
            button.clicked.connect(lambda _=False, c=code: self.language_chosen.emit(c))
            row.addWidget(button)
            self.buttons[code] = button

    def retranslate(self, texts: Texts) -> None:
        self.label.setText(texts("choose_language"))
        for code, button in self.buttons.items():
            # Each language's name in its own words, the chosen one marked (not a check box).
            set_current(button, code == texts.lang, texts("chosen"))


class QtStartScreen(QWidget):
    start_requested = Signal()
    language_chosen = Signal(str)

    def __init__(self, idle_s: float) -> None:
        super().__init__()
        self._idle_s = idle_s
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 12, 40, 16)
        languages_row = QHBoxLayout()
        languages_row.addStretch(1)
        self.languages = QtLanguageRow()
        self.languages.language_chosen.connect(self.language_chosen)
        self.language_label = self.languages.label
        self.language_buttons = self.languages.buttons
        languages_row.addWidget(self.languages)
        layout.addLayout(languages_row)
        layout.addStretch(2)
        self.title = make_label("title")
        self.body = make_label()
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        # "Nu is er geen buddy. Volgende permanentie: …": made when there is something to say
        # (the first status bar costs the start ~5 ms; the queue comes after the screen shows).
        self._duty: QtStatusLine | None = None
        self._layout = layout
        layout.addSpacing(8)
        self._duty_index = layout.count()
        layout.addSpacing(8)
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

    @property
    def duty(self) -> QtStatusLine:
        """Whether a buddy is on duty: a status line, made the first time it is needed."""
        if self._duty is None:
            self._duty = QtStatusLine("duty")
            self._duty.hide()
            self._layout.insertWidget(self._duty_index, self._duty)
        return self._duty

    def _duty_text(self) -> str:
        return self._duty.text() if self._duty is not None else ""

    def retranslate(self, texts: Texts, is_open: bool) -> None:
        self.title.setText(texts("welcome_title"))
        self.body.setText(texts("welcome_body") if is_open else texts("closed_notice"))
        set_text(self.start_button, texts("start_button"))
        self.start_button.setEnabled(is_open)
        self.hint.setText(texts("start_hint"))
        self.hint.setVisible(is_open and not self._duty_text())
        self.languages.retranslate(texts)
        self.notice.setText(idle_notice(texts, self._idle_s) + "\n" + texts("privacy_notice"))

    def show_duty(self, text: str) -> None:
        """Whether a buddy is on duty ('' when one is, or when the kiosk does not know)."""
        if text or self._duty is not None:
            self.duty.say(text)
        # The hint repeats the big button; when the duty notice needs the room, it goes.
        self.hint.setVisible(not text and self.start_button.isEnabled())

    def spoken_text(self) -> str:
        parts = (self.title.text(), self.body.text(), self._duty_text(), self.hint.text())
        return " ".join(part for part in (*parts, self.notice.text()) if part)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        # A touch anywhere on the welcome screen starts, as the hint says.
        self.start_requested.emit()
        event.accept()
