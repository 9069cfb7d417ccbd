"""Small building blocks shared by the kiosk's screens, and what screen readers hear of them.

Qt widgets have no ARIA roles. Qt's own accessibility gives a ``QStatusBar`` the role "status
bar": the kiosk's status lines are status bars (:class:`QtStatusLine`). The "alert" role Qt
gives to a ``QMessageBox`` only, which sizes itself to its text and cannot hold the kiosk's
cards; the warnings are announced at once, assertively, instead (:func:`announce`). A Python
accessibility factory (``QAccessible.installFactory``) could give any role, but PySide crashes
(segfault in ``PySide::getWrapperForQObject``) when Qt asks such a factory about QtWebEngine's
internal view, e.g. when the browser shows its page again after the print screen.
:func:`announce` says a new state aloud through the platform's accessibility bridge
(``QAccessibleAnnouncementEvent``) when a screen reader listens.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QStackedWidget,
    QStatusBar,
)

# What was announced, newest last (tests and reviews read it; a few lines, never more).
announced: list[str] = []
_ANNOUNCED_KEPT = 20


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


def set_text(button: QPushButton, text: str, description: str | None = None) -> None:
    """The button's words; its accessible name is the same words (WCAG 2.5.3 Label in Name:
    "click Ik ben klaar" works by voice), and what it does goes in its description."""
    button.setText(text)
    button.setAccessibleName(" ".join(text.split()))
    button.setAccessibleDescription(description or "")


def set_current(button: QPushButton, current: bool, texts_current: str) -> None:
    """A choice of one (a language, a text size): a plain button, the chosen one marked by its
    look and its description, never a check box (issue 17: announced as check boxes)."""
    if button.property("current") != current:
        button.setProperty("current", current)
        if button.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
            # Drawn already: the new look now (a widget not yet polished takes it when shown).
            button.style().unpolish(button)
            button.style().polish(button)
    button.setAccessibleDescription(texts_current if current else "")


class QtStatusLine(QStatusBar):
    """A line that tells the visitor what is happening (their call, who is on duty): a status
    bar to screen readers (Qt's own role for ``QStatusBar``), announced when its words change.
    The words are in :attr:`label` (``QLabel#<object_name>`` in the theme)."""

    def __init__(self, object_name: str) -> None:
        super().__init__()
        self.setObjectName(f"{object_name}_line")
        self.setSizeGripEnabled(False)
        self.label = QLabel()
        self.label.setObjectName(object_name)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self.label, 1)

    def text(self) -> str:
        return self.label.text()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        """A status bar's layout sizes the label by its one-line hint: a notice that wraps to
        three lines (French, "nobody on duty, next permanence …, you cannot call now") was cut
        off at two. The bar asks for the height the words need at the width it has."""
        width = self.label.width()
        if width <= 0:
            return
        need = self.label.heightForWidth(width)
        if need <= 0:
            return
        room = self.height() - self.label.height()  # the bar's own margins around the label
        wanted = need + max(0, room)
        if wanted != self.minimumHeight():
            self.setMinimumHeight(wanted)

    def say(self, text: str) -> None:
        if text != self.label.text():
            self.label.setText(text)
            self.setAccessibleName(text)
            self.label.setAccessibleName(text)
            parent = self.parentWidget()
            if text and (parent is None or parent.isVisible()):
                announce(self, text)
            self._fit_height()
        self.setVisible(bool(text))


def announce(widget: QObject, text: str, *, assertive: bool = False) -> None:
    """Say ``text`` to whoever listens (a screen reader); kept in :data:`announced`."""
    from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

    announced.append(text)
    del announced[:-_ANNOUNCED_KEPT]
    if QAccessible.isActive():
        event = QAccessibleAnnouncementEvent(widget, text)
        if assertive:
            event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
        QAccessible.updateAccessibility(event)


class QtPages(QStackedWidget):
    """A stack whose minimum size is its current page's: hidden pages must not crowd the screen."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()
