"""The coach beside the real website: one short step at a time, large, in the visitor's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from kiosk.core import TaskProgress
from kiosk.i18n import Texts
from kiosk.qt_widgets import make_button, make_label, set_text

if TYPE_CHECKING:
    from kiosk.tasks import Task


def _left(label: QLabel) -> QLabel:
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setTextFormat(Qt.TextFormat.PlainText)  # task files are text, never markup
    return label


class QtTaskPlayer(QWidget):
    back_requested = Signal()
    next_requested = Signal()
    finish_requested = Signal()
    stop_requested = Signal()
    read_requested = Signal()

    def __init__(self, can_read_aloud: bool) -> None:
        super().__init__()
        self.setObjectName("task_player")
        self.setMinimumWidth(380)
        self.setMaximumWidth(520)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        self.counter = _left(make_label("muted"))
        self.task_title = _left(make_label())
        outer.addWidget(self.counter)
        outer.addWidget(self.task_title)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        self.step_title = _left(make_label("step_title"))
        self.body = _left(make_label())
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tip = _left(make_label("notice"))
        for widget in (self.step_title, self.body, self.image, self.tip):
            column.addWidget(widget)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer.addWidget(scroll, 1)
        self.read_button = make_button("toggle")
        self.read_button.setVisible(can_read_aloud)
        self.read_button.clicked.connect(self.read_requested)
        outer.addWidget(self.read_button)
        row = QHBoxLayout()
        self.back_button = make_button("secondary")
        self.back_button.clicked.connect(self.back_requested)
        self.next_button = make_button("primary")
        self.next_button.clicked.connect(self._next_or_finish)
        row.addWidget(self.back_button, 1)
        row.addWidget(self.next_button, 2)
        outer.addLayout(row)
        self.stop_button = make_button("secondary")
        self.stop_button.clicked.connect(self.stop_requested)
        outer.addWidget(self.stop_button)
        self.checked = _left(make_label("muted"))
        outer.addWidget(self.checked)
        self._last = False

    def show_step(self, task: Task, progress: TaskProgress, texts: Texts) -> None:
        lang = texts.lang
        step = task.steps[progress.step]
        self._last = progress.step >= progress.steps - 1
        self.counter.setText(texts("step_of", n=progress.step + 1, total=progress.steps))
        self.task_title.setText(task.title(lang))
        self.step_title.setText(step.title(lang))
        self.body.setText(step.body(lang))
        tip = step.tip(lang) if step.tip is not None else ""
        self.tip.setText(f"{texts('tip')}: {tip}" if tip else "")
        self.tip.setVisible(bool(tip))
        pixmap = QPixmap(str(step.image)) if step.image is not None else QPixmap()
        self.image.setVisible(not pixmap.isNull())
        if not pixmap.isNull():
            smooth = Qt.TransformationMode.SmoothTransformation
            self.image.setPixmap(pixmap.scaledToWidth(340, smooth))
        self.back_button.setEnabled(progress.step > 0)
        set_text(self.back_button, texts("back"))
        set_text(self.next_button, texts("finish") if self._last else texts("next"))
        set_text(self.stop_button, texts("stop_task"))
        set_text(self.read_button, texts("read_step"))
        self.checked.setText(texts("checked_on", date=task.checked.isoformat()))

    def spoken_text(self) -> str:
        parts = (self.counter.text(), self.step_title.text(), self.body.text(), self.tip.text())
        return " ".join(part for part in parts if part)

    def _next_or_finish(self) -> None:
        if self._last:
            self.finish_requested.emit()
        else:
            self.next_requested.emit()
