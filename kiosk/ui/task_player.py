"""The coach beside the real website: one short step at a time, large, in the visitor's language.

The column is laid out for the width it is given (``set_column_width``), not for its buttons:
a row of buttons that does not fit that width is stacked instead, and a button text that is
wider than the column wraps onto more lines. So at 200 % text nothing is ever cut off, and the
web page beside keeps its room.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QEvent, QLocale, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import Texts
from kiosk.model.core import TaskProgress
from kiosk.ui.widgets import make_button, make_label, set_text

if TYPE_CHECKING:
    from kiosk.tasks import Task
    from kiosk.tasks.model import Step

MARGIN = 16
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"
SPACING = 4
DATE = "d MMM yyyy"  # "22 nov 2026": short enough to sit beside Stop in two lines
CHECKED_MIN_PX = 170  # the "checked on" line beside the stop button needs at least this


def _left(label: QLabel) -> QLabel:
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setTextFormat(Qt.TextFormat.PlainText)  # task files are text, never markup
    return label


def _hint_width(button: QPushButton, text: str) -> int:
    """How wide the button must be to show ``text`` whole (with its padding and border)."""
    shown = button.text()
    button.setText(text)
    width = button.sizeHint().width()
    button.setText(shown)
    return width


def _wrapped(button: QPushButton, text: str, width: int) -> str:
    """``text`` on as few lines as fit ``width`` (Qt draws a button's line breaks)."""
    words = text.split()
    if _hint_width(button, text) <= width or len(words) < 2:
        return text
    lines: list[str] = []
    for word in words:
        if lines and _hint_width(button, f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


class QtTaskPlayer(QWidget):
    back_requested = Signal()
    next_requested = Signal()
    finish_requested = Signal()
    stop_requested = Signal()
    read_requested = Signal()
    step_shown = Signal()

    def __init__(self, can_read_aloud: bool) -> None:
        super().__init__()
        self.setObjectName("task_player")
        self._column = 600
        self.setFixedWidth(self._column)
        self._texts: dict[QPushButton, str] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(MARGIN, 2, MARGIN, 2)
        self._outer = outer
        outer.setSpacing(SPACING)
        # Where am I: "Step 2 of 5 · the task's name", one quiet line.
        header = QHBoxLayout()
        header.setSpacing(SPACING)
        self.counter = _left(make_label("muted", wrap=False))
        dot = _left(make_label("muted", wrap=False))
        dot.setText("·")
        self.task_title = _left(make_label("muted"))  # wraps: a long title is read whole
        self.task_title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._dot = dot
        self._task_title = ""
        header.addWidget(self.counter)
        header.addWidget(dot)
        header.addWidget(self.task_title, 1)
        outer.addLayout(header)
        self._header = (self.counter, dot, self.task_title)
        # What to do now: the step gets all the room that is left.
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(SPACING)
        self.step_title = _left(make_label("step_title"))
        self.body = _left(make_label())
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tip = _left(make_label("notice"))
        for widget in (self.step_title, self.body, self.image, self.tip):
            column.addWidget(widget)
        column.addStretch(1)
        self._column_layout = column
        self.step_scroll = QScrollArea()  # only needed at large text sizes
        self.step_scroll.setWidgetResizable(True)
        self.step_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.step_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.step_scroll.setWidget(content)
        outer.addWidget(self.step_scroll, 1)
        self.read_button = make_button("toggle")
        self.read_button.setVisible(can_read_aloud)
        self.read_button.clicked.connect(self.read_requested)
        outer.addWidget(self.read_button)
        # Previous and Next side by side, Next the big one, where the hand goes.
        self.nav_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.nav_row.setSpacing(SPACING)
        self.back_button = make_button("secondary")
        self.back_button.clicked.connect(self.back_requested)
        self.next_button = make_button("primary")
        self.next_button.clicked.connect(self._next_or_finish)
        self.nav_row.addWidget(self.back_button)
        self.nav_row.addWidget(self.next_button, 1)
        outer.addLayout(self.nav_row)
        # Leaving the task, and how fresh the steps are: smaller, out of the way.
        self.stop_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.stop_row.setSpacing(SPACING)
        self.stop_button = make_button("secondary")
        self.stop_button.clicked.connect(self.stop_requested)
        self.checked = _left(make_label("muted"))
        self.checked.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.stop_row.addWidget(self.stop_button)
        self.stop_row.addWidget(self.checked, 1, Qt.AlignmentFlag.AlignVCenter)
        outer.addLayout(self.stop_row)
        self._last = False
        self._compact = False

    def set_column_width(self, width: int, *, fixed: bool = True) -> None:
        """The width the activity gives the player; the web page gets the rest.

        Not ``fixed`` when the player has the whole width (one thing at a time): it then
        takes what the activity has, and never asks for more than that.
        """
        if fixed:
            self.setFixedWidth(width)
        else:
            self.setMinimumWidth(0)
            self.setMaximumWidth(QWIDGETSIZE_MAX)
        if width != self._column:
            self._column = width
            self._arrange()

    def set_compact(self, compact: bool) -> None:
        """One thing at a time, the activity's bar shows where the visitor is and Stop.

        The player then keeps the step and Previous / Next; the "checked on" line is left out
        (it is for the staff's trust more than for the visitor, and costs the step two lines).
        """
        if compact != self._compact:
            self._compact = compact
            if self._step is not None:
                self.body.setText(self._said(*self._step))
            for widget in self._header:
                widget.setVisible(not compact)
            self._outer.setContentsMargins(MARGIN, 0 if compact else 2, MARGIN, 2)
            self._arrange()

    def show_step(self, task: Task, progress: TaskProgress, texts: Texts) -> None:
        lang = texts.lang
        step = task.steps[progress.step]
        self._last = progress.step >= progress.steps - 1
        self.counter.setText(texts("step_of", n=progress.step + 1, total=progress.steps))
        self._task_title = task.title(lang)
        self.task_title.setToolTip(self._task_title)
        self.step_title.setText(step.title(lang))
        self._step = (step, texts)
        self.body.setText(self._said(step, texts))
        tip = step.tip(lang) if step.tip is not None else ""
        self.tip.setText(texts("tip", tip=tip) if tip else "")  # "Astuce : …" in French
        self.tip.setVisible(bool(tip))
        pixmap = QPixmap(str(step.image)) if step.image is not None else QPixmap()
        self.image.setVisible(not pixmap.isNull())
        if not pixmap.isNull():
            smooth = Qt.TransformationMode.SmoothTransformation
            width = min(pixmap.width(), self._column - 2 * MARGIN - 24)
            self.image.setPixmap(pixmap.scaledToWidth(width, smooth))
        self.back_button.setEnabled(progress.step > 0)
        self._set_text(self.back_button, texts("previous_step"))
        self._set_text(self.next_button, texts("finish") if self._last else texts("next"))
        self._set_text(self.stop_button, texts("stop_task"))
        self._set_text(self.read_button, texts("read_step"))
        # "22 nov 2026", "22 nov. 2026": a date as people write it, not ISO.
        checked = QDate(task.checked.year, task.checked.month, task.checked.day)
        self.checked.setText(texts("checked_on", date=QLocale(lang).toString(checked, DATE)))
        self._arrange()
        self.step_shown.emit()

    def _said(self, step: Step, texts: Texts) -> str:
        return step.said(texts.lang, texts("task_beside_alone" if self._compact else "task_beside"))

    def spoken_text(self) -> str:
        parts = (self.counter.text(), self.step_title.text(), self.body.text(), self.tip.text())
        return " ".join(part for part in parts if part)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._arrange()  # a new text size: the buttons' widths changed

    def _set_text(self, button: QPushButton, text: str) -> None:
        self._texts[button] = text
        set_text(button, text)

    def _arrange(self) -> None:
        """Side by side what fits the column, stacked what does not; long texts wrap."""
        room = self._column - 2 * MARGIN
        # The task's title on the counter's line when it fits there, else wrapped: read whole,
        # never cut with "…" (issue 17), and one line is all that most titles take.
        title_room = room - self.counter.sizeHint().width() - self._dot.sizeHint().width()
        width = self.task_title.fontMetrics().horizontalAdvance(self._task_title)
        self.task_title.setWordWrap(width > title_room - 2 * SPACING)
        self.task_title.setText(self._task_title)
        texts = self._texts
        back, nxt, stop = self.back_button, self.next_button, self.stop_button
        for button, text in texts.items():
            button.setText(_wrapped(button, text, room))
        # Compact (one thing at a time, the whole width): Stop, Previous, Next on one row.
        whole = sum(_hint_width(b, texts.get(b, "")) for b in (stop, back, nxt))
        stop_in_nav = self._compact and whole + 2 * SPACING <= room
        self._move(stop, self.nav_row if stop_in_nav else self.stop_row, 0)
        if stop_in_nav:
            self._direction(self.nav_row, True)
            for button in (stop, back, nxt):
                button.setText(texts.get(button, ""))
            self.checked.setVisible(False)
            return
        # Previous takes at most 2/5 of the row (wrapping if it must), Next the rest.
        back_text = _wrapped(back, texts.get(back, ""), room * 2 // 5)
        next_room = room - SPACING - _hint_width(back, back_text)
        next_text = _wrapped(nxt, texts.get(nxt, ""), next_room)
        side_by_side = _hint_width(nxt, next_text) <= next_room
        self._direction(self.nav_row, side_by_side)
        if side_by_side:
            back.setText(back_text)
            nxt.setText(next_text)
        # Beside Stop, in two short lines at most ("Nagekeken op / 22 nov 2026"), never three.
        beside = _hint_width(stop, stop.text()) + SPACING + CHECKED_MIN_PX <= room
        # Compact, the step has every pixel: the date the steps were checked is left out.
        self.checked.setVisible(not self._compact)
        self._direction(self.stop_row, beside)
        # When the "checked on" line cannot sit beside Stop (large text), it goes below the
        # step, where it scrolls with it instead of taking room from the step.
        home = self.stop_row if beside else self._column_layout
        if self.checked.parentWidget() is None or home.indexOf(self.checked) < 0:
            if beside:
                self.stop_row.addWidget(self.checked, 1, Qt.AlignmentFlag.AlignVCenter)
            else:
                self._column_layout.insertWidget(self._column_layout.count() - 1, self.checked)

    def _move(self, widget: QWidget, row: QBoxLayout, index: int) -> None:
        """Put ``widget`` in ``row`` (at ``index``), out of the other row of buttons."""
        if row.indexOf(widget) < 0:
            for other in (self.nav_row, self.stop_row):
                other.removeWidget(widget)
            row.insertWidget(index, widget)

    @staticmethod
    def _direction(row: QBoxLayout, side_by_side: bool) -> None:
        direction = (
            QBoxLayout.Direction.LeftToRight if side_by_side else QBoxLayout.Direction.TopToBottom
        )
        if row.direction() != direction:
            row.setDirection(direction)

    def _next_or_finish(self) -> None:
        if self._last:
            self.finish_requested.emit()
        else:
            self.next_requested.emit()
