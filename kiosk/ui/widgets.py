"""Small building blocks shared by the kiosk's screens."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget


def make_label(object_name: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel()
    if object_name:
        label.setObjectName(object_name)
    label.setWordWrap(wrap)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def make_button(object_name: str) -> QPushButton:
    """A button that Enter and Space both press, as keyboard users expect."""
    button = QPushButton()
    button.setObjectName(object_name)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.setAutoDefault(True)
    return button


def set_text(button: QPushButton, text: str, accessible: str | None = None) -> None:
    button.setText(text)
    button.setAccessibleName(accessible or text)


class QtPages(QStackedWidget):
    """A stack whose minimum size is its current page's: hidden pages must not crowd the screen."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()
