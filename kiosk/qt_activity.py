"""The visit's working area: the task player beside the real website, or a choice of safe sites.

QtWebEngine costs about 400 MB, so the browser module is imported and the browser made only
the first time a visitor opens a site or a task.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.allowlist import Allowlist
from kiosk.i18n import Texts
from kiosk.qt_task_player import QtTaskPlayer
from kiosk.qt_widgets import QtPages, make_button, make_label, set_text

if TYPE_CHECKING:
    from kiosk.qt_browser import QtSafeBrowser


class QtSitePicker(QWidget):
    """Free browsing starts here: one big button per allowlisted site."""

    site_chosen = Signal(str)
    home_requested = Signal()

    def __init__(self, allowlist: Allowlist) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 20, 40, 12)
        self.title = make_label("title")
        layout.addWidget(self.title)
        grid = QGridLayout()
        grid.setSpacing(16)
        self.buttons = {}
        for index, key in enumerate(allowlist.site_keys()):
            site = allowlist.site(key)
            if site is None or not site.home:
                continue
            button = make_button("tile")
            set_text(button, site.name)
            button.clicked.connect(lambda _=False, k=key: self.site_chosen.emit(k))
            grid.addWidget(button, index // 3, index % 3)
            self.buttons[key] = button
        layout.addLayout(grid)
        layout.addStretch(1)
        self.home_button = make_button("secondary")
        self.home_button.clicked.connect(self.home_requested)
        layout.addWidget(self.home_button)

    def retranslate(self, texts: Texts) -> None:
        self.title.setText(texts("tile_browse"))
        set_text(self.home_button, texts("back"))

    def spoken_text(self) -> str:
        return " ".join([self.title.text(), *(b.text() for b in self.buttons.values())])


PLAYER_SHARE = 0.45  # of the screen's width: the step text reads whole, the page stays usable


class QtActivity(QWidget):
    """Player (for a task) + browser, or the site picker (free browsing)."""

    def __init__(
        self,
        allowlist: Allowlist,
        can_read_aloud: bool,
        make_browser: Callable[[], QtSafeBrowser],
    ) -> None:
        super().__init__()
        self._make_browser = make_browser
        self.browser: QtSafeBrowser | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.player = QtTaskPlayer(can_read_aloud)
        self.player.hide()
        row.addWidget(self.player)
        self.picker = QtSitePicker(allowlist)
        picker_scroll = QScrollArea()  # many sites at 200% text: scroll, never push things away
        picker_scroll.setWidgetResizable(True)
        picker_scroll.setFrameShape(QFrame.Shape.NoFrame)
        picker_scroll.setWidget(self.picker)
        self._picker_page = picker_scroll
        self.stack = QtPages()
        self.stack.currentChanged.connect(lambda _i: self.stack.updateGeometry())
        self.stack.addWidget(picker_scroll)
        row.addWidget(self.stack, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        self.player.set_column_width(round(event.size().width() * PLAYER_SHARE))
        super().resizeEvent(event)

    def ensure_browser(self) -> QtSafeBrowser:
        if self.browser is None:
            self.browser = self._make_browser()
            self.stack.addWidget(self.browser)
        return self.browser

    def show_picker(self) -> None:
        self.player.hide()
        self.stack.setCurrentWidget(self._picker_page)

    def show_browser(self, with_player: bool) -> QtSafeBrowser:
        browser = self.ensure_browser()
        self.player.setVisible(with_player)
        self.stack.setCurrentWidget(browser)
        return browser

    def spoken_text(self) -> str:
        if self.player.isVisible():
            return self.player.spoken_text()
        if self.stack.currentWidget() is self._picker_page:
            return self.picker.spoken_text()
        return ""
