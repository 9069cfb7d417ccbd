"""The skills check's screen (issue 20): "Wat kan ik al?", one statement at a time, three big
answers, then a picture of the five areas, the guided tasks that fit and the site's own offers.

The answers stay in the screen's :class:`~kiosk.model.skills.SkillsCheck` and nowhere else;
``finished`` carries only the five levels (the window sends them as ``skills_checked``), and
:meth:`QtSkillsScreen.wipe` forgets everything when the visit ends. Printing the result, when
a printer is configured, makes a PDF with Qt in the print desk's folder of the visit (removed
when the visit ends) and shows the kiosk's own print screen.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QIcon,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import Texts
from kiosk.model.skills import (
    AREA_PICTOGRAMS,
    AREAS,
    LEVELS,
    Offer,
    Offers,
    SkillsCheck,
    advice_key,
    areas_to_practise,
    fitting_tasks,
    picture,
)
from kiosk.model.tiles import Tile
from kiosk.ui.home_screen import QtTile, tinted
from kiosk.ui.widgets import QtPages, announce, make_button, make_label, set_text

if TYPE_CHECKING:
    from kiosk.printing.desk import PrintDesk
    from kiosk.ui.print_flow import QtPrinting

log = logging.getLogger("kiosk.skills")

ICONS = Path(__file__).with_name("skills_icons")
ICON_PX = 64
TaskInfo = tuple[str, str, str, Path | None]  # id, category, title in the visit's language, icon
TasksFor = Callable[[str], Sequence[TaskInfo]]


def pictogram(name: str, colour: str, size: int = ICON_PX) -> QPixmap:
    """A shipped SVG pictogram (kiosk/ui/skills_icons) in the text's colour."""
    return tinted(QIcon(str(ICONS / f"{name}.svg")).pixmap(QSize(size, size)), colour)


def _scrolled(content: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(content)
    return scroll


class QtButtonRow(QWidget):
    """Buttons side by side when they fit the width, else one under the other (200 % text)."""

    def __init__(self) -> None:
        super().__init__()
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(12)
        self.row.addStretch(1)
        self.row.addStretch(1)
        self.buttons: list[QPushButton] = []

    def add(self, button: QPushButton) -> None:
        self.buttons.append(button)
        self.row.insertWidget(self.row.count() - 1, button)

    def arrange(self) -> None:
        shown = [b for b in self.buttons if not b.isHidden()]
        need = sum(max(b.sizeHint().width(), b.minimumWidth()) for b in shown)
        need += 12 * max(0, len(shown) - 1)
        direction = (
            QBoxLayout.Direction.LeftToRight
            if need <= self.width()
            else QBoxLayout.Direction.TopToBottom
        )
        if self.row.direction() != direction:
            self.row.setDirection(direction)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.arrange()


class QtBar(QWidget):
    """How far an area is: a bar filled 0, half or whole, with an outline (never colour alone:
    the words beside it say the level)."""

    def __init__(self) -> None:
        super().__init__()
        self.fraction = 0.0
        self.colour = "#0B3D91"
        self.setMinimumSize(120, 24)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_fraction(self, fraction: float, colour: str) -> None:
        self.fraction, self.colour = fraction, colour
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(self.colour)
        rect = self.rect().adjusted(2, 2, -2, -2)
        painter.setPen(colour)
        painter.drawRoundedRect(rect, 8, 8)
        if self.fraction > 0:
            filled = rect.adjusted(0, 0, -int(rect.width() * (1 - self.fraction)), 0)
            painter.setBrush(colour)
            painter.drawRoundedRect(filled, 8, 8)
        painter.end()


class QtAreaPicture(QWidget):
    """The result's picture: per area, on one line, its pictogram, its name and level in words,
    and a bar (compact: the advice and the tasks below it are seen without scrolling)."""

    ICON = 48

    def __init__(self) -> None:
        super().__init__()
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(16)
        layout.setVerticalSpacing(6)
        layout.setColumnStretch(1, 3)
        layout.setColumnStretch(2, 2)
        self.rows: dict[str, tuple[QLabel, QLabel, QtBar]] = {}
        for row, area in enumerate(AREAS):
            icon = QLabel()
            icon.setFixedSize(self.ICON, self.ICON)
            words = make_label()
            words.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            bar = QtBar()
            layout.addWidget(icon, row, 0)
            layout.addWidget(words, row, 1)
            layout.addWidget(bar, row, 2)
            self.rows[area] = (icon, words, bar)

    def show_levels(self, texts: Texts, levels: dict[str, str], colour: str) -> None:
        for area, fraction in picture(levels):
            icon, words, bar = self.rows[area]
            icon.setPixmap(pictogram(AREA_PICTOGRAMS[area], colour, self.ICON))
            words.setText(area_words(texts, area, levels[area]))
            bar.set_fraction(fraction, colour)
        self.setAccessibleName(texts("skills_picture_name"))

    def clear(self) -> None:
        for icon, words, bar in self.rows.values():
            icon.clear()
            words.clear()
            bar.set_fraction(0.0, bar.colour)

    def spoken_text(self) -> str:
        return " ".join(words.text() for _icon, words, _bar in self.rows.values())


def area_words(texts: Texts, area: str, level: str) -> str:
    """ "Veilig blijven: met hulp"."""
    return texts(
        "skills_area_level",
        area=texts(f"skills_area_{area}"),
        level=texts(f"skills_level_{level}"),
    )


def result_html(
    texts: Texts, levels: dict[str, str], tasks: Sequence[str], offers: Sequence[Offer]
) -> str:
    """The result as a printable page (QTextDocument's HTML): the areas with bars, the advice,
    the tasks that fit, the offers. Only the levels: no answer is on it."""
    e = html.escape
    rows = []
    for area, fraction in picture(levels):
        full = int(fraction * 100)
        bar = (
            f'<td width="{max(full, 1)}%" bgcolor="#0B3D91">&nbsp;</td>'
            f'<td width="{max(100 - full, 1)}%" bgcolor="#E6E6E6">&nbsp;</td>'
        )
        rows.append(
            f"<tr><td width='45%'>{e(area_words(texts, area, levels[area]))}</td>"
            f"<td width='55%'><table width='100%' cellspacing='0'><tr>{bar}</tr></table></td></tr>"
        )
    parts = [
        f"<h1>{e(texts('skills_result_title'))}</h1>",
        f"<table width='100%' cellspacing='6'>{''.join(rows)}</table>",
        f"<p>{e(texts(advice_key(levels)))}</p>",
    ]
    if tasks:
        parts.append(f"<h2>{e(texts('skills_tasks_title'))}</h2><ul>")
        parts.extend(f"<li>{e(title)}</li>" for title in tasks)
        parts.append("</ul>")
    if offers:
        parts.append(f"<h2>{e(texts('skills_offers_title'))}</h2>")
        for offer in offers:
            parts.append(f"<p>{'<br>'.join(e(line) for line in offer_lines(texts, offer))}</p>")
    parts.append(f"<p><i>{e(texts('skills_pdf_footer'))}</i></p>")
    return f"<html><body style='font-size:14pt'>{''.join(parts)}</body></html>"


def offer_lines(texts: Texts, offer: Offer) -> list[str]:
    title, times = offer.in_lang(texts.lang)
    lines = [title, texts("skills_offer_where", address=offer.address)]
    lines.append(texts("skills_offer_when", times=times))
    if offer.phone:
        lines.append(texts("skills_offer_phone", phone=offer.phone))
    return lines


def write_result_pdf(path: Path, page_html: str) -> bool:
    """The result on A4 pages, made with Qt (QPdfWriter); False when it cannot be written."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
        )
    )
    writer.setResolution(150)
    document = QTextDocument()
    document.setHtml(page_html)
    document.print_(writer)
    del writer  # the file is complete once the writer is gone
    return path.exists() and path.stat().st_size > 0


class QtSkillsScreen(QWidget):
    """ "Wat kan ik al?": the statements one by one, then the result."""

    home_requested = Signal()
    task_chosen = Signal(str)
    read_requested = Signal()
    finished = Signal(dict)  # {area: level}: the only thing that leaves this screen

    def __init__(
        self,
        can_read_aloud: bool,
        tasks_for: TasksFor = lambda _lang: (),
        offers_for: Callable[[], Offers] = Offers,
        desk: PrintDesk | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("skills_screen")
        self.check = SkillsCheck()
        self._tasks_for = tasks_for
        self._offers_for = offers_for
        self.desk = desk
        self.printing: QtPrinting | None = None
        self._texts = Texts("en")
        self._colour = "#0B3D91"
        self._tile_colour = "#FFFFFF"
        self.levels: dict[str, str] | None = None  # the result on screen, until the wipe
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 12, 40, 0)
        outer.setSpacing(8)
        top = QHBoxLayout()
        self.home_button = make_button("secondary")
        self.home_button.clicked.connect(self._leave)
        self.read_button = make_button("toggle")
        self.read_button.clicked.connect(self.read_requested)
        self.read_button.setVisible(can_read_aloud)
        top.addWidget(self.home_button)
        top.addStretch(1)
        self.previous_button = make_button("secondary")
        self.previous_button.clicked.connect(self.previous)
        top.addWidget(self.previous_button)
        top.addWidget(self.read_button)
        outer.addLayout(top)
        self.pages = QtPages()
        outer.addWidget(self.pages, 1)
        self._make_question_page()
        self._make_result_page()

    # --- building ------------------------------------------------------------------------------

    def _make_question_page(self) -> None:
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.setSpacing(12)
        self.title = make_label("title")
        self.intro = make_label("muted")
        self.counter = make_label("muted")
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.statement = make_label("step_title")
        # The statement first: at 200 % text it must be seen without scrolling.
        for widget in (self.counter, self.title, self.statement, self.icon, self.intro):
            layout.addWidget(widget)
        layout.addStretch(1)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 8)
        page_layout.setSpacing(12)
        page_layout.addWidget(_scrolled(content), 1)  # only the words scroll, never a button
        # The three answers side by side where they fit, else one under the other.
        self.answers = QtButtonRow()
        self.answer_buttons: dict[str, QPushButton] = {}
        for level in LEVELS:
            button = make_button("primary")
            button.setMinimumWidth(300)
            button.clicked.connect(lambda _=False, lv=level: self.answer(lv))
            self.answers.add(button)
            self.answer_buttons[level] = button
        page_layout.addWidget(self.answers)
        self.question_page = page
        self.pages.addWidget(self.question_page)

    def _make_result_page(self) -> None:
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.setSpacing(12)
        self.result_title = make_label("title")
        layout.addWidget(self.result_title)
        self.area_picture = QtAreaPicture()
        layout.addWidget(self.area_picture)
        self.advice = make_label("notice")
        layout.addWidget(self.advice)
        self.tasks_title = make_label("step_title")
        layout.addWidget(self.tasks_title)
        self.tasks_box = QGridLayout()  # tiles, as on the home screen (only tiles scroll)
        self.tasks_box.setSpacing(12)
        layout.addLayout(self.tasks_box)
        self.task_buttons: dict[str, QtTile] = {}
        self.offers_title = make_label("step_title")
        layout.addWidget(self.offers_title)
        self.offers_box = QVBoxLayout()
        self.offers_box.setSpacing(8)
        layout.addLayout(self.offers_box)
        self.offer_labels: list[QLabel] = []
        self.forgotten = make_label("muted")
        layout.addWidget(self.forgotten)
        layout.addStretch(1)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 8)
        page_layout.setSpacing(12)
        self.result_scroll = _scrolled(content)
        page_layout.addWidget(self.result_scroll, 1)
        # Below, fixed: print (with a printer), again; "back to the menu" is on top.
        self.result_buttons = QtButtonRow()
        self.print_button = make_button("secondary")
        self.print_button.clicked.connect(self.print_result)
        self.again_button = make_button("secondary")
        self.again_button.clicked.connect(self.again)
        self.done_button = self.home_button  # the way back, on top as on every screen
        for button in (self.print_button, self.again_button):
            self.result_buttons.add(button)
        page_layout.addWidget(self.result_buttons)
        self.result_page = page
        self.pages.addWidget(self.result_page)

    # --- the visitor's way through it ----------------------------------------------------------

    def set_colour(self, colour: str, tile_colour: str = "#FFFFFF") -> None:
        """The pictograms and bars in the theme's primary colour, the tiles' icons in theirs."""
        if (colour, tile_colour) != (self._colour, self._tile_colour):
            self._colour, self._tile_colour = colour, tile_colour
            self._show()

    def start(self, texts: Texts) -> None:
        """A new check from the first statement (nothing of an earlier one is kept)."""
        self.check.clear()
        self.levels = None
        self._clear_result()
        self.retranslate(texts)

    def retranslate(self, texts: Texts) -> None:
        self._texts = texts
        set_text(self.read_button, texts("skills_read"))
        self._show()

    def answer(self, level: str) -> None:
        if self.check.done or self.levels is not None:
            return
        if self.check.answer(level):
            self.levels = self.check.levels()
            self.check.clear()  # the answers are not needed any more: only the levels stay
            self.finished.emit(dict(self.levels))
        self._show()
        self._announce()

    def previous(self) -> None:
        self.check.back()
        self._show()
        self._announce()

    def again(self) -> None:
        self.start(self._texts)
        self._announce()

    def _leave(self) -> None:
        self.wipe()
        self.home_requested.emit()

    def _show(self) -> None:
        if self.levels is None:
            self._show_question()
        else:
            self._show_result(self.levels)

    def _show_question(self) -> None:
        texts = self._texts
        statement = self.check.current
        if statement is None:
            return
        total = len(self.check.statements)
        first = self.check.index == 0
        self.title.setText(texts("skills_title"))
        self.title.setVisible(first)  # then the counter and "stop the check" say where one is
        self.intro.setText(texts("skills_intro"))
        self.intro.setVisible(first)
        self.counter.setText(texts("skills_count", number=self.check.index + 1, total=total))
        self.icon.setPixmap(pictogram(statement.pictogram, self._colour, 96))
        self.statement.setText(texts(f"skills_q_{statement.key}"))
        for level, button in self.answer_buttons.items():
            set_text(button, texts(f"skills_answer_{level}"))
        set_text(self.previous_button, texts("skills_previous"))
        set_text(self.home_button, texts("skills_stop"))
        self.previous_button.setVisible(not first)
        self.answers.arrange()
        self.pages.setCurrentWidget(self.question_page)

    def _fitting(self, levels: dict[str, str]) -> list[TaskInfo]:
        tasks = list(self._tasks_for(self._texts.lang))
        chosen = fitting_tasks(levels, [(task[0], task[1]) for task in tasks])
        by_id = {task[0]: task for task in tasks}
        return [by_id[task] for task in chosen]

    def _offers(self, levels: dict[str, str]) -> list[Offer]:
        offers = self._offers_for()
        for problem in offers.problems:
            log.warning("local offer left out: %s", problem)
        return offers.for_areas(areas_to_practise(levels) or list(AREAS))

    def _show_result(self, levels: dict[str, str]) -> None:
        texts = self._texts
        self.result_title.setText(texts("skills_result_title"))
        self.area_picture.show_levels(texts, levels, self._colour)
        self.advice.setText(texts(advice_key(levels)))
        self._clear_lists()
        tasks = self._fitting(levels)
        self.tasks_title.setText(texts("skills_tasks_title"))
        self.tasks_title.setVisible(bool(tasks))
        columns = 2
        for index, (task, _category, title, icon) in enumerate(tasks):
            tile = QtTile()
            tile.on_needed = self._equalize
            tile.clicked.connect(lambda _=False, t=task: self._open_task(t))
            self.tasks_box.addWidget(tile, index // columns, index % columns)
            self.task_buttons[task] = tile
            tile.show_tile(Tile(task, title, "", icon), self._tile_colour)
        offers = self._offers(levels)
        self.offers_title.setText(texts("skills_offers_title"))
        self.offers_title.setVisible(bool(offers))
        for offer in offers:
            label = make_label("notice")
            label.setTextFormat(Qt.TextFormat.PlainText)  # a site's words, never markup
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            label.setText("\n".join(offer_lines(texts, offer)))
            self.offers_box.addWidget(label)
            self.offer_labels.append(label)
        self.forgotten.setText(texts("skills_forgotten"))
        set_text(self.print_button, texts("skills_print"))
        self.print_button.setVisible(self.desk is not None)
        set_text(self.again_button, texts("skills_again"))
        set_text(self.home_button, texts("back_to_menu"))
        self.previous_button.hide()
        self.result_buttons.arrange()
        if self.pages.currentWidget() is not self._print_page():
            self.pages.setCurrentWidget(self.result_page)

    def _equalize(self) -> None:
        tallest = max((tile.needed for tile in self.task_buttons.values()), default=120)
        for tile in self.task_buttons.values():
            if tile.minimumHeight() != tallest:
                tile.setMinimumHeight(tallest)

    def _open_task(self, task: str) -> None:
        self.wipe()
        self.task_chosen.emit(task)

    def _announce(self) -> None:
        if self.isVisible():
            announce(self, self.spoken_text())

    # --- printing ------------------------------------------------------------------------------

    def _print_page(self) -> QWidget | None:
        return self.printing.screen if self.printing is not None else None

    def result_page_html(self) -> str:
        levels = self.levels or {}
        if not levels:
            return ""
        tasks = [task[2] for task in self._fitting(levels)]
        return result_html(self._texts, levels, tasks, self._offers(levels))

    def print_result(self) -> Path | None:
        """The result as a PDF on the print screen; the PDF's path (None without a printer)."""
        desk = self.desk
        if desk is None or self.levels is None:
            return None
        if self.printing is None:
            from kiosk.ui.print_flow import QtPrinting  # QtPdf: only when someone prints
            from kiosk.ui.print_screen import QtPrintScreen

            screen = QtPrintScreen(self.read_button.isVisibleTo(self))
            screen.back_requested.connect(self._back_from_print)
            screen.read_requested.connect(self.read_requested)
            self.printing = QtPrinting(desk, screen, self._texts.lang)
            self.pages.addWidget(screen)
        self.printing.set_language(self._texts.lang)
        path = desk.files.new_path(".pdf")
        made = write_result_pdf(path, self.result_page_html())
        self.pages.setCurrentWidget(self.printing.screen)
        self.printing.print_file(path, "pdf" if made else "none")
        return path if made else None

    def _back_from_print(self) -> None:
        if self.printing is not None:
            self.printing.clear()
        self.pages.setCurrentWidget(self.result_page if self.levels else self.question_page)

    # --- the end of the visit ------------------------------------------------------------------

    def _clear_lists(self) -> None:
        for button in self.task_buttons.values():
            self.tasks_box.removeWidget(button)
            button.deleteLater()
        self.task_buttons = {}
        for label in self.offer_labels:
            self.offers_box.removeWidget(label)
            label.deleteLater()
        self.offer_labels = []

    def _clear_result(self) -> None:
        self.area_picture.clear()
        self.advice.clear()
        self._clear_lists()

    def wipe(self) -> None:
        """Forget the answers and the result (the visit ended, or the visitor left the check)."""
        self.check.clear()
        self.levels = None
        self._clear_result()
        if self.printing is not None:
            self.printing.clear()
        self.pages.setCurrentWidget(self.question_page)

    def holds_anything(self) -> bool:
        """True while an answer or a result is on this screen (tests prove the wipe with it)."""
        return self.check.holds_answers() or self.levels is not None or bool(self.advice.text())

    def spoken_text(self) -> str:
        page = self.pages.currentWidget()
        if page is self.question_page:
            parts = [self.counter.text(), self.statement.text()]
            parts += [b.text() for b in self.answer_buttons.values()]
            if self.intro.isVisibleTo(self):
                parts.insert(0, self.intro.text())
            return " ".join(p for p in parts if p)
        if page is self.result_page:
            parts = [self.result_title.text(), self.area_picture.spoken_text(), self.advice.text()]
            if self.task_buttons:
                parts.append(self.tasks_title.text())
                parts += [b.text() for b in self.task_buttons.values()]
            if self.offer_labels:
                parts.append(self.offers_title.text())
                parts += [label.text().replace("\n", ". ") for label in self.offer_labels]
            return " ".join(p for p in parts if p)
        if self.printing is not None:
            return self.printing.screen.spoken_text()
        return ""
