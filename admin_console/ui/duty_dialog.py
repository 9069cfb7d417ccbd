"""The last buddy on duty checks out while visitors wait: stay, or leave the calls to the staff.

Says plainly what the waiting visitors will then see (issue 16, point 3), from the site's
``off_duty_calls`` as the queue keeper announced it. Does not block: ``decided(True)`` means
check out, ``decided(False)`` stay on duty (also when the window is closed).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from admin_console.ui.language import tr, trn


def visitors_will_see(off_duty_calls: str) -> str:
    """What the waiting visitors see once nobody is on duty, for the site's choice."""
    if off_duty_calls == "none":
        return tr(
            "QtLastCheckoutDialog",
            "The kiosks will then say that no buddy is on duty and offer no new calls. The "
            "visitors who are waiting keep their call until a member of staff answers it.",
        )
    return tr(
        "QtLastCheckoutDialog",
        "The kiosks will then say that no buddy is on duty. The visitors who are waiting keep "
        "their call, and the staff of the site see it and answer it.",
    )


class QtLastCheckoutDialog(QDialog):
    decided = Signal(bool)  # True: check out; False: stay on duty

    STYLE = """
        QDialog { background: white; }
        QWidget { font-size: 14pt; }
        QLabel#question { font-size: 17pt; font-weight: bold; color: #202124; }
        QLabel { color: #202124; }
        QPushButton { min-height: 64px; padding: 4px 18px; border-radius: 6px; font-size: 15pt; }
        QPushButton#stay { background: #1B5E20; color: white; }
        QPushButton#leave { background: #E8EAED; color: #202124; border: 2px solid #9AA0A6; }
    """

    def __init__(
        self, waiting: int, off_duty_calls: str = "staff", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._answered = False
        self.setWindowTitle(tr("QtLastCheckoutDialog", "Visitors are still waiting"))
        self.setStyleSheet(self.STYLE)
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        question = QLabel(
            trn(
                "QtLastCheckoutDialog",
                "{n} visitor is waiting for help, and you are the last buddy on duty.",
                "{n} visitors are waiting for help, and you are the last buddy on duty.",
                waiting,
            )
        )
        question.setObjectName("question")
        question.setWordWrap(True)
        layout.addWidget(question)
        self.explanation = QLabel(visitors_will_see(off_duty_calls))
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        actions = QHBoxLayout()
        self.stay_button = QPushButton(tr("QtLastCheckoutDialog", "Stay on duty"))
        self.stay_button.setObjectName("stay")
        self.stay_button.clicked.connect(lambda: self._answer(False))
        actions.addWidget(self.stay_button, 1)
        self.leave_button = QPushButton(
            tr("QtLastCheckoutDialog", "Check out: the staff take the calls")
        )
        self.leave_button.setObjectName("leave")
        self.leave_button.clicked.connect(lambda: self._answer(True))
        actions.addWidget(self.leave_button, 1)
        layout.addLayout(actions)
        self.stay_button.setDefault(True)
        self.rejected.connect(lambda: self._answer(False))

    def _answer(self, leave: bool) -> None:
        if self._answered:
            return
        self._answered = True
        self.decided.emit(leave)
        self.done(QDialog.DialogCode.Accepted if leave else QDialog.DialogCode.Rejected)


def open_last_checkout_dialog(
    parent: QWidget, waiting: int, off_duty_calls: str
) -> QtLastCheckoutDialog:
    dialog = QtLastCheckoutDialog(waiting, off_duty_calls, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    return dialog
