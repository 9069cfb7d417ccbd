"""The kiosk's screens: a calm start screen and the home screen with the big "Call a buddy" button.

The window only draws the model (:class:`kiosk.core.KioskCore`) and forwards what the visitor
does; it never talks to the broker or the outbox itself.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core import KioskCore
from kiosk.i18n import Texts, languages


def _label(object_name: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel()
    if object_name:
        label.setObjectName(object_name)
    label.setWordWrap(wrap)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def _button(object_name: str) -> QPushButton:
    button = QPushButton()
    button.setObjectName(object_name)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


class QtStartScreen(QWidget):
    """Welcome: choose a language and touch anywhere (or Start) to begin."""

    start_requested = Signal()
    language_chosen = Signal(str)

    def __init__(self, idle_minutes: int) -> None:
        super().__init__()
        self._idle_minutes = idle_minutes
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 30, 60, 40)
        languages_row = QHBoxLayout()
        languages_row.addStretch(1)
        self.language_label = _label(wrap=False)
        languages_row.addWidget(self.language_label)
        self.language_buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        for code in languages():
            button = _button("language")
            button.setCheckable(True)
            button.setText(Texts(code).language_name)
            button.setAccessibleName(Texts(code).language_name)
            button.clicked.connect(lambda _=False, c=code: self.language_chosen.emit(c))
            group.addButton(button)
            languages_row.addWidget(button)
            self.language_buttons[code] = button
        layout.addLayout(languages_row)
        layout.addStretch(2)
        self.title = _label("title")
        self.body = _label()
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addSpacing(30)
        self.start_button = _button("primary")
        self.start_button.setMinimumWidth(420)
        self.start_button.clicked.connect(self.start_requested)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.start_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.hint = _label("muted")
        layout.addWidget(self.hint)
        layout.addStretch(2)
        self.notice = _label("notice")
        layout.addWidget(self.notice)

    def retranslate(self, texts: Texts) -> None:
        self.title.setText(texts("welcome_title"))
        self.body.setText(texts("welcome_body"))
        self.start_button.setText(texts("start_button"))
        self.start_button.setAccessibleName(texts("start_button"))
        self.hint.setText(texts("start_hint"))
        self.language_label.setText(texts("choose_language") + ":")
        self.notice.setText(
            texts("idle_notice", minutes=self._idle_minutes) + "\n" + texts("privacy_notice")
        )
        self.language_buttons[texts.lang].setChecked(True)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        # A touch anywhere on the welcome screen starts, as the hint says.
        self.start_requested.emit()
        event.accept()


class QtHomeScreen(QWidget):
    """The visit: call a buddy, see who is coming, and end the visit."""

    call_requested = Signal()
    cancel_requested = Signal()
    done_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 40, 60, 40)
        self.title = _label("title")
        self.body = _label()
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addStretch(1)
        self.call_button = _button("help")
        self.call_button.clicked.connect(self.call_requested)
        layout.addWidget(self.call_button)
        self.help_status = _label("help_status")
        layout.addWidget(self.help_status)
        self.cancel_button = _button("secondary")
        self.cancel_button.clicked.connect(self.cancel_requested)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        self.done_button = _button("primary")
        self.done_button.clicked.connect(self.done_requested)
        layout.addWidget(self.done_button)

    def retranslate(self, texts: Texts) -> None:
        self.title.setText(texts("home_title"))
        self.body.setText(texts("home_body"))
        self.call_button.setText(texts("call_buddy"))
        self.call_button.setAccessibleName(texts("call_buddy_name"))
        self.cancel_button.setText(texts("cancel_call"))
        self.cancel_button.setAccessibleName(texts("cancel_call"))
        self.done_button.setText(texts("done_button"))
        self.done_button.setAccessibleName(texts("done_button_name"))


class QtKioskWindow(QMainWindow):
    """The whole kiosk screen; shows the start screen or the visit, following the model."""

    def __init__(self, core: KioskCore, idle_minutes: int = 5) -> None:
        super().__init__()
        self._core = core
        self._texts = Texts(core.lang)
        self._broker_online = False
        self.start_screen = QtStartScreen(idle_minutes)
        self.home_screen = QtHomeScreen()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.start_screen)
        self.stack.addWidget(self.home_screen)
        self.setCentralWidget(self.stack)
        self.start_screen.start_requested.connect(core.start_session)
        self.start_screen.language_chosen.connect(core.set_language)
        self.home_screen.call_requested.connect(lambda: core.call_buddy())
        self.home_screen.cancel_requested.connect(core.cancel_help)
        self.home_screen.done_requested.connect(lambda: core.end_session("user"))
        core.subscribe(self._update)
        self._update()

    def set_broker_online(self, online: bool) -> None:
        self._broker_online = online
        self._update()

    def help_text(self) -> str:
        """What the visitor reads about their call right now ('' when there is none)."""
        help_call = self._core.help
        if help_call is None:
            return ""
        if help_call.state == "claimed" and help_call.buddy:
            return self._texts("help_coming", name=help_call.buddy)
        if not self._broker_online:
            return self._texts("help_offline")
        return self._texts("help_waiting")

    def _update(self) -> None:
        if self._texts.lang != self._core.lang:
            self._texts = Texts(self._core.lang)
        texts = self._texts
        self.setWindowTitle(texts("window_title"))
        self.start_screen.retranslate(texts)
        self.home_screen.retranslate(texts)
        in_session = self._core.session is not None
        self.stack.setCurrentWidget(self.home_screen if in_session else self.start_screen)
        help_call = self._core.help
        # While a call is pending the button gives way to what is happening with it.
        self.home_screen.call_button.setVisible(help_call is None)
        self.home_screen.help_status.setVisible(help_call is not None)
        self.home_screen.help_status.setText(self.help_text())
        self.home_screen.cancel_button.setVisible(
            help_call is not None and help_call.state == "open"
        )
