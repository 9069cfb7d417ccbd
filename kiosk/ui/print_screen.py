"""The print screen: large and plain. The pages as they will come out, how many pages, how many
copies (− / +), black and white or colour (only where the printer can), the pages left ("Nog 12
bladzijden"), and one big Print button. A refusal or a printer problem is said in plain words
where the visitor looks, with what to do.

It takes the browser's whole area, in a guided task too (kiosk/ui/activity.py: the steps wait
behind it). The words may scroll at large text; the choices, Back and Print never do, and
their text (questions and buttons) grows to 125 % at most, as the task's buttons
(kiosk/model/theme.py): at 200 % they fit 1366x768 whole.

It only draws what :func:`kiosk.printing.words.describe` decided; the print itself is
kiosk/ui/print_flow.py's.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import Texts
from kiosk.printing.words import Shown
from kiosk.ui.widgets import make_button, make_label, set_text


def _left(label: QLabel) -> QLabel:
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return label


class QtPrintScreen(QWidget):
    back_requested = Signal()
    print_requested = Signal()
    read_requested = Signal()
    copies_changed = Signal(int)  # +1 or -1
    color_chosen = Signal(bool)

    def __init__(self, can_read_aloud: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("print_screen")  # the theme caps its buttons' text, as the task's
        self._texts = Texts("en")
        self._copies = 1
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 8, 16, 8)
        # The browser bar above already says "Print": the title is for reading aloud only.
        self.title = _left(make_label("title", wrap=False))
        self.title.hide()
        self.read_button = make_button("secondary")
        self.read_button.clicked.connect(self.read_requested)
        self.read_button.setVisible(can_read_aloud)
        body = QHBoxLayout()
        body.setSpacing(24)
        outer.addLayout(body, 1)
        self.document = QPdfDocument(self)
        self.preview = QPdfView()
        self.preview.setDocument(self.document)
        self.preview.setPageMode(QPdfView.PageMode.MultiPage)
        self.preview.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.preview.setPageSpacing(16)
        self.waiting = make_label("muted")  # "One moment: the page is made ready"
        preview_box = QVBoxLayout()
        preview_box.addWidget(self.preview, 1)
        preview_box.addWidget(self.waiting, 1)
        body.addLayout(preview_box, 1)  # an A4 page fits its height: it needs little width
        # The screen has the whole width, in a task too (the steps wait). What the visitor reads
        # is on top and may scroll at large text; the choices, Back and Print are below it and
        # never scroll away (issue 19: the copies scrolled under the message).
        column = QVBoxLayout()
        column.setSpacing(10)
        body.addLayout(column, 2)
        column.addWidget(self.read_button)
        words = QWidget()
        side = QVBoxLayout(words)
        side.setContentsMargins(0, 0, 8, 0)
        side.setSpacing(10)
        self.words_scroll = QScrollArea()
        self.words_scroll.setWidgetResizable(True)
        self.words_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.words_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.words_scroll.setWidget(words)
        # Not its scroll bar's height (120 px with the large handle): at 200 % on 1366x768 the
        # choices below need the room, and two lines of words with a scroll bar fit in this.
        self.words_scroll.setMinimumHeight(100)
        column.addWidget(self.words_scroll, 1)
        self.message = _left(make_label("notice"))  # first seen: why it cannot print
        self.message.hide()
        side.addWidget(self.message)
        self.pages = _left(make_label())
        side.addWidget(self.pages)
        self.left = _left(make_label("step_title"))
        side.addWidget(self.left)
        side.addStretch(1)
        # The choices: hidden while there is nothing to choose (the page is being made, or the
        # printer cannot print: then the message says what to do).
        self.choices = QWidget()
        self.choices.setObjectName("print_choices")  # capped text, as the buttons (the theme)
        choices = QVBoxLayout(self.choices)
        choices.setContentsMargins(0, 0, 0, 0)
        choices.setSpacing(6)
        self.copies_question = _left(make_label())
        choices.addWidget(self.copies_question)
        row = QHBoxLayout()
        self.fewer_button = make_button("secondary")
        self.fewer_button.setText("−")
        self.fewer_button.clicked.connect(lambda: self.copies_changed.emit(-1))
        self.copies_value = make_label("step_title", wrap=False)
        self.more_button = make_button("secondary")
        self.more_button.setText("+")
        self.more_button.clicked.connect(lambda: self.copies_changed.emit(+1))
        for button in (self.fewer_button, self.more_button):
            button.setMinimumWidth(72)
        row.addWidget(self.fewer_button)
        row.addWidget(self.copies_value, 1)
        row.addWidget(self.more_button)
        choices.addLayout(row)
        self.colour_box = QWidget()
        colour = QVBoxLayout(self.colour_box)
        colour.setContentsMargins(0, 4, 0, 0)
        colour.setSpacing(6)
        self.colour_question = _left(make_label())
        colour.addWidget(self.colour_question)
        colour_row = QHBoxLayout()  # side by side: the column is wide since it has the width
        self.bw_button = make_button("toggle")
        self.color_button = make_button("toggle")
        group = QButtonGroup(self)
        for button in (self.bw_button, self.color_button):
            button.setCheckable(True)
            group.addButton(button)
            colour_row.addWidget(button, 1)
        self.bw_button.setChecked(True)
        self.bw_button.clicked.connect(lambda: self.color_chosen.emit(False))
        self.color_button.clicked.connect(lambda: self.color_chosen.emit(True))
        colour.addLayout(colour_row)
        choices.addWidget(self.colour_box)
        column.addWidget(self.choices)
        self.print_button = make_button("primary")
        self.print_button.clicked.connect(self.print_requested)
        self.back_button = make_button("secondary")
        self.back_button.clicked.connect(self.back_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.print_button, 1)
        column.addLayout(buttons)

    def retranslate(self, texts: Texts) -> None:
        self._texts = texts
        self.title.setText(texts("print_title"))
        set_text(self.read_button, texts("read_aloud"))
        self.copies_question.setText(texts("print_copies"))
        self.fewer_button.setAccessibleName(texts("print_fewer_name"))
        self.more_button.setAccessibleName(texts("print_more_name"))
        self.colour_question.setText(texts("print_colour_question"))
        set_text(self.bw_button, texts("print_bw"))
        set_text(self.color_button, texts("print_color"))
        set_text(self.print_button, texts("print_go"), texts("print_go_name"))
        set_text(self.back_button, texts("print_back"), texts("print_back_name"))
        self.preview.setAccessibleName(texts("print_preview_name"))
        self._show_copies()

    # --- what it shows --------------------------------------------------------------------------

    def show_waiting(self, text: str) -> None:
        """Before there is a document: a page made into a PDF, or one that could not be."""
        self.document.close()
        self.preview.hide()
        self.waiting.setText(text)
        self.waiting.show()
        for widget in (self.pages, self.left, self.message, self.choices):
            widget.hide()
        for button in (self.print_button, self.fewer_button, self.more_button):
            button.setEnabled(False)

    def load(self, path: Path) -> int:
        """Show ``path`` as it will be printed; its number of pages (0: it cannot be read)."""
        if self.document.load(str(path)) != QPdfDocument.Error.None_:
            return 0
        self.waiting.hide()
        self.preview.show()
        return int(self.document.pageCount())

    def show_choice(self, shown: Shown, copies: int, color: bool | None) -> None:
        """The choice before printing. ``color``: None when only black and white is offered."""
        self._copies = copies
        self._show_copies()
        self.pages.setText(shown.pages)
        self.left.setText(shown.left)
        # A refusal or a problem says it all ("That is 13 pages. … still 12 pages."): alone,
        # it reads whole at 200 % too; otherwise the pages and what is left.
        for label in (self.pages, self.left):
            label.setVisible(not shown.message)
        self.colour_box.setVisible(color is not None)
        self.choices.setVisible(not shown.problem)  # the printer cannot print: nothing to choose
        (self.color_button if color else self.bw_button).setChecked(True)
        self._say(shown.message)
        self.fewer_button.setEnabled(copies > 1)
        self.more_button.setEnabled(shown.more_copies)
        self.print_button.setEnabled(shown.can_print)

    def show_sent(self, text: str, left: str) -> None:
        """CUPS took the job: where to get it. Printing it again takes a new press of Print."""
        self.left.setText(left)
        self.left.show()
        self._say(text)
        self.print_button.setEnabled(False)
        for button in (self.fewer_button, self.more_button):
            button.setEnabled(False)

    def show_refusal(self, text: str) -> None:
        """Print was pressed and refused (a limit, the printer): why, and no Print button."""
        self._say(text)
        self.print_button.setEnabled(False)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _show_copies(self) -> None:
        self.copies_value.setText(self._texts.plural("print_copies_value", self._copies))
        self.copies_value.setAccessibleName(self.copies_value.text())

    def spoken_text(self) -> str:
        parts = [self.title.text()]
        for label in (self.waiting, self.message, self.pages, self.left):  # as on the screen
            if label.isVisibleTo(self) and label.text():
                parts.append(label.text())
        if self.print_button.isEnabled():
            parts += [self.copies_question.text(), self.copies_value.text()]
        return " ".join(parts)

    def clear(self) -> None:
        """Let go of the document (the end of a visit, or Back)."""
        self.document.close()
        self._say("")
