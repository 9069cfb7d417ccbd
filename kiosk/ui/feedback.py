"""One-tap feedback (issue 20): "Did it work?" and three faces, always skippable.

Shown on the home screen when a guided task ends, and on the goodbye after "I'm done" (the
visit is already wiped then: the faces never hold up or delay the wipe). A tap sends one
``feedback`` event (a face, and the task or nothing; no session id) and thanks the visitor;
Skip, or simply doing something else, sends nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout

from kiosk.i18n import Texts
from kiosk.ui.widgets import announce, make_button, make_label, set_text

FACES = ("happy", "neutral", "sad")  # the order shown: yes, partly, no
FACE_PX = 56


def face_pixmap(face: str, colour: str, size: int = FACE_PX) -> QPixmap:
    """A plain drawn face (no emoji font needed): a circle, two eyes and a mouth."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor(colour), size / 14)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    margin = size / 10
    painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin))
    painter.setBrush(QColor(colour))
    for x in (0.37, 0.63):
        painter.drawEllipse(QPointF(size * x, size * 0.4), size / 22, size / 22)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    left, right, y = size * 0.32, size * 0.68, size * 0.64
    mouth = QPainterPath(QPointF(left, y))
    bend = {"happy": 0.14, "neutral": 0.0, "sad": -0.12}[face] * size
    if face == "sad":
        mouth = QPainterPath(QPointF(left, y + size * 0.06))
        mouth.quadTo(QPointF(size / 2, y + size * 0.06 + bend), QPointF(right, y + size * 0.06))
    else:
        mouth.quadTo(QPointF(size / 2, y + bend), QPointF(right, y))
    painter.drawPath(mouth)
    painter.end()
    return pixmap


class QtFeedback(QFrame):
    """ "Is het gelukt?" with three big faces and Skip; ``chosen`` carries the face."""

    chosen = Signal(str)  # happy | neutral | sad
    skipped = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("feedback")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 8)
        layout.setSpacing(8)
        self.question = make_label("step_title")
        layout.addWidget(self.question)
        row = QHBoxLayout()
        row.setSpacing(12)
        row.addStretch(1)
        self.face_buttons: dict[str, QPushButton] = {}
        for face in FACES:
            button = make_button("secondary")
            button.setIconSize(QSize(FACE_PX, FACE_PX))
            button.clicked.connect(lambda _=False, f=face: self._choose(f))
            row.addWidget(button)
            self.face_buttons[face] = button
        row.addSpacing(24)
        self.skip_button = make_button("secondary")  # on the same row: one line less
        self.skip_button.clicked.connect(self._skip)
        row.addWidget(self.skip_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.task: str | None = None
        self._colour = "#0B3D91"
        self._texts = Texts("en")
        self.hide()

    def set_colour(self, colour: str) -> None:
        """The faces in the buttons' text colour (the theme's), for the same contrast."""
        if colour != self._colour:
            self._colour = colour
            self._draw_faces()

    def _draw_faces(self) -> None:
        for face, button in self.face_buttons.items():
            button.setIcon(QIcon(face_pixmap(face, self._colour)))

    def ask(
        self, texts: Texts, question: str, task: str | None = None, *, say: bool = True
    ) -> None:
        """Show the question (``task``: the guided task it is about, or None: the visit).
        ``say`` False: not announced (on the goodbye, whose own words are said first)."""
        self.task = task
        self._texts = texts
        self.question.setText(question)
        self._draw_faces()
        for face, button in self.face_buttons.items():
            set_text(button, texts(f"feedback_{face}"))
            button.show()
        set_text(self.skip_button, texts("feedback_skip"))
        self.skip_button.show()
        self.show()
        parent = self.parentWidget()
        if say and (parent is None or parent.isVisible()):
            announce(self, question)

    def _choose(self, face: str) -> None:
        if self.isHidden():
            return
        self.chosen.emit(face)
        self.thank()

    def thank(self) -> None:
        """ "Thank you!" in place of the faces (once: a second tap sends nothing)."""
        for button in (*self.face_buttons.values(), self.skip_button):
            button.hide()
        self.question.setText(self._texts("feedback_thanks"))
        self.task = None

    def _skip(self) -> None:
        self.close_question()
        self.skipped.emit()

    def close_question(self) -> None:
        """Gone without a word (Skip, another screen, the visit ended)."""
        self.task = None
        self.hide()

    def spoken_text(self) -> str:
        if self.isHidden():
            return ""
        faces = [b.text() for b in self.face_buttons.values() if not b.isHidden()]
        return " ".join([self.question.text(), *faces])
