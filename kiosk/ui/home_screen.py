"""The visit's home: large tiles for what a visitor can do, and the accessibility controls."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import Texts
from kiosk.model.theme import TEXT_SIZES
from kiosk.model.tiles import Tile
from kiosk.ui.feedback import QtFeedback
from kiosk.ui.start_screen import QtLanguageRow
from kiosk.ui.widgets import QtStatusLine, make_button, make_label, set_current, set_text

SKILLS = "skills-check"  # the skills check's tile (never a task id: tasks are in the catalogue)
SKILLS_ICON = Path(__file__).with_name("skills_icons") / "search.svg"


def tinted(pixmap: QPixmap, colour: str) -> QPixmap:
    """The icon's shape in the tile's text colour, so that it keeps the text's contrast."""
    result = QPixmap(pixmap.size())
    result.fill(Qt.GlobalColor.transparent)
    painter = QPainter(result)
    painter.drawPixmap(0, 0, pixmap)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(result.rect(), QColor(colour))
    painter.end()
    return result


class QtTile(QPushButton):
    """A large button whose title wraps instead of being cut off, with the task's icon.

    The labels are placed by hand (no layout inside the button): the tile's minimum height
    then always follows the wrapped title at the tile's real width.
    """

    MARGIN = 16
    ICON = 48

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("tile")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoDefault(True)
        self.icon_label = QLabel(self)
        self.title_label = QLabel(self)
        self.title_label.setWordWrap(True)
        for label in (self.icon_label, self.title_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.needed = 120
        self.on_needed: Callable[[], None] | None = None

    def show_tile(self, tile: Tile, icon_colour: str = "#FFFFFF") -> None:
        self.title_label.setText(tile.title)
        # The name is the visible title, the summary its description: read once each.
        self.setAccessibleName(tile.title)
        self.setAccessibleDescription(tile.summary)
        self.icon_label.setVisible(tile.icon is not None)
        if tile.icon is not None:
            pixmap = QIcon(str(tile.icon)).pixmap(QSize(self.ICON, self.ICON))
            self.icon_label.setPixmap(tinted(pixmap, icon_colour))
        self._place()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._place()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._place()

    def _place(self) -> None:
        width = max(1, self.width() - 2 * self.MARGIN)
        top = self.MARGIN
        text_height = self.title_label.heightForWidth(width)
        if self.icon_label.isVisibleTo(self):
            self.icon_label.setGeometry(self.MARGIN, top, width, self.ICON)
            top += self.ICON + 6
        else:  # a title alone sits in the middle
            top = max(self.MARGIN, (self.height() - text_height) // 2)
        self.title_label.setGeometry(self.MARGIN, top, width, text_height)
        icon = self.ICON + 6 if self.icon_label.isVisibleTo(self) else 0
        self.needed = max(120, 2 * self.MARGIN + icon + text_height)
        if self.on_needed is not None:
            self.on_needed()  # the home screen gives every tile the tallest one's height
        elif self.needed != self.minimumHeight():
            self.setMinimumHeight(self.needed)


class QtAccessibilityBar(QWidget):
    """A, A+, A++, high contrast, read aloud: top left, fixed, the same size at every text size
    (a second tap at the same spot hits the same button)."""

    text_size_chosen = Signal(int)
    contrast_toggled = Signal(bool)
    read_aloud_requested = Signal()

    def __init__(self, can_read_aloud: bool) -> None:
        super().__init__()
        self.setObjectName("access_bar")  # the theme keeps its text at one size
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.size_buttons: dict[int, QPushButton] = {}
        for percent in TEXT_SIZES:
            button = make_button("toggle")
            button.setText("A" if percent == 100 else ("A+" if percent == 150 else "A++"))
            button.clicked.connect(lambda _=False, p=percent: self.text_size_chosen.emit(p))
            row.addWidget(button)
            self.size_buttons[percent] = button
        self.contrast_button = make_button("toggle")
        self.contrast_button.setCheckable(True)  # on or off: a toggle, as it is announced
        self.contrast_button.toggled.connect(self.contrast_toggled)
        row.addWidget(self.contrast_button)
        self.read_button = make_button("toggle")
        self.read_button.clicked.connect(self.read_aloud_requested)
        self.read_button.setVisible(can_read_aloud)
        row.addWidget(self.read_button)

    def show_state(self, texts: Texts, text_size: int, high_contrast: bool) -> None:
        for percent, button in self.size_buttons.items():
            # "A+" is said "A+, text 150 %": the name starts with what the button shows.
            name = f"{button.text()}, {texts('text_size_option', percent=percent)}"
            button.setAccessibleName(name)
            set_current(button, percent == text_size, texts("chosen"))
        set_text(self.contrast_button, texts("contrast"))
        self.contrast_button.blockSignals(True)
        self.contrast_button.setChecked(high_contrast)
        self.contrast_button.blockSignals(False)
        set_text(self.read_button, texts("read_aloud"))


class QtHomeScreen(QWidget):
    tile_chosen = Signal(str)
    skills_requested = Signal()  # "Wat kan ik al?" (issue 20)

    def __init__(self, can_read_aloud: bool) -> None:
        super().__init__()
        # The controls stay on top, fixed; the title and the tiles scroll below them.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 12, 40, 0)
        outer.setSpacing(8)
        top = QHBoxLayout()
        self.accessibility = QtAccessibilityBar(can_read_aloud)
        top.addWidget(self.accessibility)
        top.addStretch(1)
        self.languages = QtLanguageRow()
        self.languages.label.hide()  # the languages' own names say it; the row keeps its room
        top.addWidget(self.languages)
        outer.addLayout(top)
        # "Is het gelukt?" after a guided task (issue 20): fixed above the tiles, skippable.
        self.feedback = QtFeedback()
        outer.addWidget(self.feedback)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 8)
        self.title = make_label("title")
        layout.addWidget(self.title)
        self.body = make_label("muted")
        layout.addWidget(self.body)
        # No buddy on duty: said here, in place of "a buddy in the room can help you".
        self.duty = QtStatusLine("duty")
        self.duty.hide()
        layout.addWidget(self.duty)
        self._grid = QGridLayout()
        self._grid.setSpacing(12)
        layout.addLayout(self._grid)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        self.tiles_area = scroll
        outer.addWidget(scroll, 1)
        self.tile_buttons: dict[str, QtTile] = {}
        self._tiles: list[Tile] = []
        self._columns = 3
        self._icon_colour = "#FFFFFF"
        self._call_pending = False
        # The skills check (issue 20): the last tile, when the kiosk offers it (``show_skills``).
        self.skills_button = QtTile()
        self.skills_button.on_needed = self._equalize
        self.skills_button.clicked.connect(self.skills_requested)
        self.skills_button.hide()
        self._skills_shown = False
        self._skills_tile = Tile(SKILLS, "", "", SKILLS_ICON)

    def set_text_size(self, percent: int) -> None:
        columns = 3 if percent == 100 else 2
        if columns != self._columns:
            self._columns = columns
            tiles, self._tiles = self._tiles, []
            self.set_tiles(tiles)

    def _equalize(self) -> None:
        """Every tile as tall as the tallest: an even grid, whatever the titles' lengths."""
        tiles = list(self.tile_buttons.values())
        if self._skills_shown:
            tiles.append(self.skills_button)
        tallest = max((tile.needed for tile in tiles), default=120)
        for tile in tiles:
            if tile.minimumHeight() != tallest:
                tile.setMinimumHeight(tallest)

    def set_tiles(self, tiles: list[Tile]) -> None:
        if tiles == self._tiles:
            return
        self._tiles = list(tiles)
        for button in self.tile_buttons.values():
            self._grid.removeWidget(button)
            button.hide()
            button.deleteLater()
        self.tile_buttons = {}
        columns = self._columns
        for index, tile in enumerate(tiles):
            button = QtTile()
            button.on_needed = self._equalize
            button.clicked.connect(lambda _=False, t=tile.id: self.tile_chosen.emit(t))
            self._grid.addWidget(button, index // columns, index % columns)
            self.tile_buttons[tile.id] = button
        self._label_tiles()
        self._place_skills()

    def _place_skills(self) -> None:
        """The skills check's tile after the others (or none)."""
        self._grid.removeWidget(self.skills_button)
        if self._skills_shown:
            index = len(self._tiles)
            self._grid.addWidget(self.skills_button, index // self._columns, index % self._columns)
            self.skills_button.show_tile(self._skills_tile, self._icon_colour)
        self.skills_button.setVisible(self._skills_shown)

    def _label_tiles(self) -> None:
        for tile in self._tiles:
            self.tile_buttons[tile.id].show_tile(tile, self._icon_colour)

    def show_skills(self, shown: bool) -> None:
        """The "Wat kan ik al?" button, when the kiosk offers the skills check."""
        if shown != self._skills_shown:
            self._skills_shown = shown
            self._place_skills()

    def set_icon_colour(self, colour: str) -> None:
        if colour != self._icon_colour:
            self._icon_colour = colour
            self._label_tiles()
            self._place_skills()

    def retranslate(self, texts: Texts, tiles: list[Tile]) -> None:
        """Called on every change of the model: the tiles are drawn again only when they changed.

        A tile's title is in the visit's language, so a new language is new tiles; the theme
        redraws them through ``set_icon_colour``, the text size through ``set_text_size``.
        """
        self.title.setText(texts("home_title"))
        self.body.setText(texts("home_body"))
        skills = Tile(SKILLS, texts("skills_tile"), texts("skills_tile_summary"), SKILLS_ICON)
        if skills != self._skills_tile:
            self._skills_tile = skills
            self._place_skills()
        self.languages.retranslate(texts)
        self.set_tiles(tiles)

    def show_duty(self, text: str) -> None:
        """Whether a buddy is on duty ('' when one is, or when the kiosk does not know)."""
        self.duty.say(text)
        self._show_body()

    def show_call_pending(self, pending: bool) -> None:
        """ "Press the green button" is said only while there is a green button to press."""
        self._call_pending = pending
        self._show_body()

    def _show_body(self) -> None:
        self.body.setVisible(not self.duty.text() and not self._call_pending)

    def spoken_text(self) -> str:
        shown = [label.text() for label in (self.duty, self.body) if label.isVisibleTo(self)]
        intro = " ".join(shown)
        tiles = [t.title for t in self._tiles]
        if self._skills_shown:
            tiles.append(self._skills_tile.title)
        feedback = self.feedback.spoken_text()
        return " ".join(p for p in [self.title.text(), intro, feedback, *tiles] if p)
