"""Closing a help call: how did it go (four big buttons) and what was it about (optional
toggles from the site's short list). No free text about the visitor (issue 16, point 5).

Used by the buddy desk and by the admin console's help tab. The dialog does not block: it
emits ``chosen(outcome, topics)`` when the buddy closes the call, nothing when they go back.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from admin_console.ui.language import N_, tr
from kiosk.wire.protocol import MAX_TOPICS, HelpOutcome

OUTCOMES = {
    HelpOutcome.SOLVED: N_("QtOutcomeDialog", "Solved"),
    HelpOutcome.PARTLY: N_("QtOutcomeDialog", "Partly solved"),
    HelpOutcome.REFERRED: N_("QtOutcomeDialog", "Referred to a partner"),
    HelpOutcome.LEFT: N_("QtOutcomeDialog", "The visitor had left"),
}
# Words for the keys of kiosk.wire.config_schema.DEFAULT_TOPICS; a site's own key is shown as
# it is written in the config.
TOPICS = {
    "email": N_("QtOutcomeDialog", "E-mail"),
    "eid-itsme": N_("QtOutcomeDialog", "eID card or itsme"),
    "government-site": N_("QtOutcomeDialog", "A government website"),
    "banking": N_("QtOutcomeDialog", "Online banking"),
    "printing-scanning": N_("QtOutcomeDialog", "Printing or scanning"),
    "smartphone": N_("QtOutcomeDialog", "Smartphone"),
    "files-photos": N_("QtOutcomeDialog", "Files and photos"),
    "other": N_("QtOutcomeDialog", "Something else"),
}


def topic_text(key: str) -> str:
    """A topic key in the console's language; an unknown key as written."""
    return tr("QtOutcomeDialog", TOPICS[key]) if key in TOPICS else key


def outcome_text(outcome: str) -> str:
    return tr("QtOutcomeDialog", OUTCOMES[HelpOutcome(outcome)]) if outcome in OUTCOMES else outcome


class QtOutcomeDialog(QDialog):
    """``chosen`` carries the outcome (a ``HelpOutcome``) and the ticked topic keys (a tuple)."""

    chosen = Signal(object, object)

    STYLE = """
        QDialog { background: white; }
        QWidget { font-size: 14pt; }
        QLabel#question { font-size: 17pt; font-weight: bold; color: #202124; }
        QLabel#hint { color: #444; }
        QPushButton { min-height: 44px; padding: 4px 16px; border-radius: 6px;
                      background: #E8EAED; color: #202124; border: 2px solid #9AA0A6; }
        QPushButton#outcome { min-height: 64px; font-size: 15pt; }
        QPushButton:checked { background: #0B3D91; color: white; border-color: #0B3D91; }
        QPushButton#close { background: #1B5E20; color: white; border-color: #1B5E20; }
        QPushButton#close:disabled { background: #C8CCD0; color: #5F6368; border-color: #C8CCD0; }
    """

    def __init__(self, pc: str, topics: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("QtOutcomeDialog", "Close the call of {pc}", pc=pc))
        self.setStyleSheet(self.STYLE)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        question = QLabel(tr("QtOutcomeDialog", "How did it go at {pc}?", pc=pc))
        question.setObjectName("question")
        question.setWordWrap(True)
        layout.addWidget(question)
        grid = QGridLayout()
        self.outcomes: dict[HelpOutcome, QPushButton] = {}
        self._outcome_group = QButtonGroup(self)
        self._outcome_group.setExclusive(True)
        for index, (outcome, words) in enumerate(OUTCOMES.items()):
            button = QPushButton(tr("QtOutcomeDialog", words))
            button.setObjectName("outcome")
            button.setCheckable(True)
            button.toggled.connect(self._update)
            self._outcome_group.addButton(button)
            self.outcomes[outcome] = button
            grid.addWidget(button, index // 2, index % 2)
        layout.addLayout(grid)
        about = QLabel(tr("QtOutcomeDialog", "What was it about? (optional, tick what fits)"))
        about.setObjectName("question")
        about.setWordWrap(True)
        layout.addWidget(about)
        topic_grid = QGridLayout()
        self.topics: dict[str, QPushButton] = {}
        for index, key in enumerate(dict.fromkeys(topics)):
            button = QPushButton(topic_text(key))
            button.setCheckable(True)
            button.toggled.connect(self._update)
            self.topics[key] = button
            topic_grid.addWidget(button, index // 3, index % 3)
        layout.addLayout(topic_grid)
        hint = QLabel(
            tr(
                "QtOutcomeDialog",
                "Nothing about the visitor is written down: only these choices are kept.",
            )
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        actions = QHBoxLayout()
        self.back_button = QPushButton(tr("QtOutcomeDialog", "Back"))
        self.back_button.clicked.connect(self.reject)
        actions.addWidget(self.back_button)
        actions.addStretch(1)
        self.close_button = QPushButton(tr("QtOutcomeDialog", "Close the call"))
        self.close_button.setObjectName("close")
        self.close_button.clicked.connect(self._close_call)
        actions.addWidget(self.close_button)
        layout.addLayout(actions)
        self._update()

    def outcome(self) -> HelpOutcome | None:
        return next((o for o, b in self.outcomes.items() if b.isChecked()), None)

    def chosen_topics(self) -> tuple[str, ...]:
        return tuple(key for key, button in self.topics.items() if button.isChecked())

    def _update(self) -> None:
        self.close_button.setEnabled(self.outcome() is not None)
        full = len(self.chosen_topics()) >= MAX_TOPICS  # the wire takes at most eight
        for button in self.topics.values():
            button.setEnabled(button.isChecked() or not full)

    def _close_call(self) -> None:
        outcome = self.outcome()
        if outcome is None:
            return
        self.chosen.emit(outcome, self.chosen_topics())
        self.accept()


def open_outcome_dialog(parent: QWidget, pc: str, topics: Sequence[str]) -> QtOutcomeDialog:
    """Show the choice, window-modal and not blocking; the dialog frees itself when closed."""
    dialog = QtOutcomeDialog(pc, topics, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    return dialog
