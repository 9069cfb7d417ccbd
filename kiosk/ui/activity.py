"""The visit's working area: the task player beside the real website, or a choice of safe sites.

At large text (150 % and more), or when the player and the website do not fit side by side,
a task shows one thing at a time over the whole width: the steps, or the website, with a big
toggle between them ("Show the website" / "Back to the steps"). Going to another step keeps
what is shown: a visitor who does the step on the site (auto-advance) stays on the site.

While the print screen is open (issue 19) it has the whole area, in a task too: the steps and
the task's bar wait behind it, and come back as they were when the visitor leaves it.

QtWebEngine costs about 400 MB, so the browser module is imported and the browser made only
the first time a visitor opens a site or a task.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.browser.allowlist import Allowlist
from kiosk.i18n import Texts
from kiosk.model.tiles import Tile
from kiosk.ui.home_screen import QtTile
from kiosk.ui.task_player import QtTaskPlayer
from kiosk.ui.widgets import QtPages, make_button, make_label, set_text

if TYPE_CHECKING:
    from kiosk.ui.browser import QtSafeBrowser


class QtSitePicker(QWidget):
    """Free browsing starts here: one big button per allowlisted site, each with a few words
    of what it is ("CSAM — aanmelden bij de overheid"). The way back stays on top, fixed;
    only the sites scroll."""

    site_chosen = Signal(str)
    home_requested = Signal()

    def __init__(self, allowlist: Allowlist) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 12, 40, 0)
        bar = QWidget()
        bar.setObjectName("picker_bar")
        top = QHBoxLayout(bar)
        top.setContentsMargins(0, 0, 0, 0)
        self.home_button = make_button("secondary")
        self.home_button.clicked.connect(self.home_requested)
        top.addWidget(self.home_button)
        top.addStretch(1)
        outer.addWidget(bar)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 8)
        self.title = make_label("title")
        layout.addWidget(self.title)
        grid = QGridLayout()
        grid.setSpacing(16)
        self._grid = grid
        self._names: dict[str, str] = {}
        self.buttons: dict[str, QtTile] = {}
        for key in allowlist.site_keys():
            site = allowlist.site(key)
            if site is None or not site.home:
                continue
            button = QtTile()  # its words wrap, never cut
            button.on_needed = self._equalize
            button.clicked.connect(lambda _=False, k=key: self.site_chosen.emit(k))
            self.buttons[key] = button
            self._names[key] = site.name
        self._columns = 0
        self.set_columns(3)
        layout.addLayout(grid)
        layout.addStretch(1)
        scroll = QScrollArea()  # many sites at 200% text: they scroll, the way back stays
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        outer.addWidget(scroll, 1)

    def set_columns(self, columns: int) -> None:
        if columns != self._columns:
            self._columns = columns
            for index, button in enumerate(self.buttons.values()):
                self._grid.removeWidget(button)
                self._grid.addWidget(button, index // columns, index % columns)

    def retranslate(self, texts: Texts) -> None:
        self.title.setText(texts("tile_browse"))
        set_text(self.home_button, texts("back_to_menu"))
        for key, button in self.buttons.items():
            name = self._names[key]
            about = texts(f"site_about_{key}")
            # A site the catalog knows gets its words; a site's own list may not have any.
            words = name if about == f"site_about_{key}" else f"{name}\n{about}"
            button.show_tile(Tile(key, words))

    def _equalize(self) -> None:
        tallest = max((tile.needed for tile in self.buttons.values()), default=120)
        for tile in self.buttons.values():
            if tile.minimumHeight() != tallest:
                tile.setMinimumHeight(tallest)

    def spoken_text(self) -> str:
        sites = (b.accessibleName() for b in self.buttons.values())
        return " ".join([self.title.text(), *sites])


PLAYER_SHARE = 0.45  # of the screen's width: the step text reads whole, the page stays usable
ONE_AT_A_TIME_FROM = 150  # percent text size: from here on the steps and the page take turns


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
        self._texts = Texts("nl")
        self._text_size = 100
        self._task = False  # a guided task is shown (the player is in use)
        self._website_shown = False  # one at a time: the website, not the steps
        self.one_at_a_time = False
        self.player = QtTaskPlayer(can_read_aloud)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        # One at a time: where am I, and the switch between the steps and the website.
        self.task_bar = QWidget()
        self.task_bar.setObjectName("task_bar")  # the theme caps its buttons' text size
        bar = QHBoxLayout(self.task_bar)
        bar.setContentsMargins(16, 6, 16, 0)
        self.where = make_label("muted", wrap=False)
        self.where.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.toggle_button = make_button("view_switch")
        self.toggle_button.setCheckable(True)
        self.toggle_button.clicked.connect(self._toggle)
        bar.addWidget(self.where, 1)
        bar.addWidget(self.toggle_button)
        self.task_bar.hide()
        outer.addWidget(self.task_bar)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(row, 1)
        self.player.step_shown.connect(self._step_shown)
        self.player.hide()
        row.addWidget(self.player)
        self.picker = QtSitePicker(allowlist)
        self._picker_page = self.picker
        self.stack = QtPages()
        self.stack.currentChanged.connect(lambda _i: self.stack.updateGeometry())
        self.stack.addWidget(self.picker)
        row.addWidget(self.stack, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        self._arrange(event.size().width())
        super().resizeEvent(event)

    def set_text_size(self, percent: int) -> None:
        self.picker.set_columns(3 if percent == 100 else 2)
        if percent != self._text_size:
            self._text_size = percent
            self._arrange(self.width())

    def retranslate(self, texts: Texts) -> None:
        self._texts = texts
        self._show_toggle()

    def ensure_browser(self) -> QtSafeBrowser:
        if self.browser is None:
            self.browser = self._make_browser()
            self.browser.print_screen_shown.connect(lambda _shown: self._arrange(self.width()))
            self.stack.addWidget(self.browser)
        return self.browser

    def show_picker(self) -> None:
        self._task = False
        self.stack.setCurrentWidget(self._picker_page)
        self._arrange(self.width())

    def show_browser(self, with_player: bool) -> QtSafeBrowser:
        """The website; with the player for a task, which then starts with its steps."""
        browser = self.ensure_browser()
        self._task = with_player
        self._website_shown = False
        self.stack.setCurrentWidget(browser)
        self._arrange(self.width())
        return browser

    def hide_player(self) -> None:
        """The task ended: the website (if any) stays, alone."""
        self._task = False
        self._arrange(self.width())

    def show_website(self, shown: bool) -> None:
        """One at a time: the website (True) or the steps (False). Side by side: both."""
        self._website_shown = shown
        self._arrange(self.width())

    @property
    def printing_shown(self) -> bool:
        """The browser's print screen is open: it takes the whole area."""
        browser = self.browser
        return (
            browser is not None
            and browser.print_screen_open
            and self.stack.currentWidget() is browser
        )

    def _toggle(self) -> None:
        self.show_website(not self._website_shown)

    def _step_shown(self) -> None:
        self.where.setText(self.player.counter.text())

    def _side_by_side_fits(self, width: int) -> bool:
        if self._text_size >= ONE_AT_A_TIME_FROM:
            return False
        page = self.browser.minimumSizeHint().width() if self.browser is not None else 0
        return width - round(width * PLAYER_SHARE) >= page

    def _arrange(self, width: int) -> None:
        """Side by side, or one at a time: who is visible, and how wide the player is."""
        self.one_at_a_time = not self._side_by_side_fits(width)
        one = self.one_at_a_time and self._task
        printing = self.printing_shown
        steps = self._task and not printing and not (one and self._website_shown)
        if self.one_at_a_time:
            self.player.set_column_width(width, fixed=False)
        else:
            self.player.set_column_width(round(width * PLAYER_SHARE))
        self.player.set_compact(one)
        self.task_bar.setVisible(one and not printing)
        page = printing or not one or self._website_shown
        # What goes away first: never both at full width at once, not even for a moment.
        for widget, visible in sorted(
            ((self.player, steps), (self.stack, page)), key=lambda pair: pair[1]
        ):
            widget.setVisible(visible)
        self._show_toggle()

    def _show_toggle(self) -> None:
        website = self._website_shown
        self.toggle_button.setChecked(website)
        set_text(self.toggle_button, self._texts("back_to_steps" if website else "show_website"))

    def spoken_text(self) -> str:
        if self.player.isVisible():
            return self.player.spoken_text()
        if self.stack.currentWidget() is self._picker_page:
            return self.picker.spoken_text()
        return ""
