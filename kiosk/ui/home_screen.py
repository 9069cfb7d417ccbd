"""The visit's home: large tiles for what a visitor can do, and the accessibility controls."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
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
from kiosk.ui.widgets import make_button, make_label, set_text


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

    def show_tile(self, tile: Tile, icon_colour: str = "#FFFFFF") -> None:
        self.title_label.setText(tile.title)
        self.setAccessibleName(f"{tile.title}. {tile.summary}" if tile.summary else tile.title)
        self.setToolTip(tile.summary)
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
        needed = max(120, 2 * self.MARGIN + icon + text_height)
        if needed != self.minimumHeight():
            self.setMinimumHeight(needed)


class QtAccessibilityBar(QWidget):
    text_size_chosen = Signal(int)
    contrast_toggled = Signal(bool)
    read_aloud_requested = Signal()

    def __init__(self, can_read_aloud: bool) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.size_buttons: dict[int, QPushButton] = {}
        for percent in TEXT_SIZES:
            button = make_button("toggle")
            button.setCheckable(True)
            button.setText("A" if percent == 100 else ("A+" if percent == 150 else "A++"))
            button.clicked.connect(lambda _=False, p=percent: self.text_size_chosen.emit(p))
            row.addWidget(button)
            self.size_buttons[percent] = button
        self.contrast_button = make_button("toggle")
        self.contrast_button.setCheckable(True)
        self.contrast_button.toggled.connect(self.contrast_toggled)
        row.addWidget(self.contrast_button)
        self.read_button = make_button("toggle")
        self.read_button.clicked.connect(self.read_aloud_requested)
        self.read_button.setVisible(can_read_aloud)
        row.addWidget(self.read_button)

    def show_state(self, texts: Texts, text_size: int, high_contrast: bool) -> None:
        for percent, button in self.size_buttons.items():
            button.setAccessibleName(texts("text_size_option", percent=percent))
            button.setToolTip(button.accessibleName())
            button.setChecked(percent == text_size)
        set_text(self.contrast_button, texts("contrast"))
        self.contrast_button.blockSignals(True)
        self.contrast_button.setChecked(high_contrast)
        self.contrast_button.blockSignals(False)
        set_text(self.read_button, texts("read_aloud"))


class QtHomeScreen(QWidget):
    tile_chosen = Signal(str)

    def __init__(self, can_read_aloud: bool) -> None:
        super().__init__()
        # Everything on this page scrolls: at 200% text nothing is cut off, nothing pushed away.
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(40, 12, 40, 8)
        self._top = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.title = make_label("title")
        self._top.addWidget(self.title, 1)
        self.accessibility = QtAccessibilityBar(can_read_aloud)
        self._top.addWidget(self.accessibility)
        layout.addLayout(self._top)
        self.body = make_label("muted")
        layout.addWidget(self.body)
        # No buddy on duty: said here, in place of "a buddy in the room can help you".
        self.duty = make_label("duty")
        self.duty.hide()
        layout.addWidget(self.duty)
        self._grid = QGridLayout()
        self._grid.setSpacing(12)
        layout.addLayout(self._grid)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.tile_buttons: dict[str, QtTile] = {}
        self._tiles: list[Tile] = []
        self._columns = 3
        self._icon_colour = "#FFFFFF"

    def set_text_size(self, percent: int) -> None:
        columns = {100: 3, 150: 2}.get(percent, 1)
        self._top.setDirection(
            QBoxLayout.Direction.LeftToRight if percent == 100 else QBoxLayout.Direction.TopToBottom
        )
        if columns != self._columns:
            self._columns = columns
            tiles, self._tiles = self._tiles, []
            self.set_tiles(tiles)

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
            button.clicked.connect(lambda _=False, t=tile.id: self.tile_chosen.emit(t))
            self._grid.addWidget(button, index // columns, index % columns)
            self.tile_buttons[tile.id] = button
        self._label_tiles()

    def _label_tiles(self) -> None:
        for tile in self._tiles:
            self.tile_buttons[tile.id].show_tile(tile, self._icon_colour)

    def set_icon_colour(self, colour: str) -> None:
        if colour != self._icon_colour:
            self._icon_colour = colour
            self._label_tiles()

    def retranslate(self, texts: Texts, tiles: list[Tile]) -> None:
        """Called on every change of the model: the tiles are drawn again only when they changed.

        A tile's title is in the visit's language, so a new language is new tiles; the theme
        redraws them through ``set_icon_colour``, the text size through ``set_text_size``.
        """
        self.title.setText(texts("home_title"))
        self.body.setText(texts("home_body"))
        self.set_tiles(tiles)

    def show_duty(self, text: str) -> None:
        """Whether a buddy is on duty ('' when one is, or when the kiosk does not know)."""
        if text != self.duty.text():
            self.duty.setText(text)
            self.duty.setAccessibleName(text)
        self.duty.setVisible(bool(text))
        self.body.setVisible(not text)

    def spoken_text(self) -> str:
        intro = self.duty.text() if self.duty.isVisibleTo(self) else self.body.text()
        return " ".join([self.title.text(), intro, *(t.title for t in self._tiles)])
