"""Commands tab: announce, end a session, lock, unlock or reload content on one kiosk, a site or
all of them; every kiosk's answer shown as it comes; the audit log of who sent what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from admin_console.desk.commands import (
    ANNOUNCE_LANGS,
    SENDABLE,
    CommandAudit,
    CommandError,
    CommandTracker,
    Outcome,
    SentCommand,
    Target,
    command_args,
)
from admin_console.desk.fleet import FleetModel
from admin_console.ui.language import N_, tr, trn
from admin_console.ui.widgets import (
    ALERT,
    GOOD,
    fill_table,
    format_local,
    heading,
    make_table,
)
from admin_console.ui.worker import QtDatabase
from kiosk.wire.protocol import CommandAck

LABELS = {
    "announce": N_("QtCommandsTab", "Show an announcement"),
    "end_session": N_("QtCommandsTab", "End the visit (clears the PC)"),
    "lock": N_("QtCommandsTab", "Lock"),
    "unlock": N_("QtCommandsTab", "Unlock"),
    "reload_content": N_("QtCommandsTab", "Reload the guided tasks"),
    "set_label": N_("QtCommandsTab", "Name the PC (as people in the room call it)"),
}
DISRUPTIVE = frozenset({"end_session", "lock"})
COLUMNS = (
    N_("QtCommandsTab", "Sent"),
    N_("QtCommandsTab", "By"),
    N_("QtCommandsTab", "Command"),
    N_("QtCommandsTab", "Target"),
    N_("QtCommandsTab", "Kiosk"),
    N_("QtCommandsTab", "Answer"),
)

Publish = Callable[[str, bytes], bool]


def command_name(cmd: str) -> str:
    """A command (``end_session``) as the console's menu says it, in its language."""
    return tr("QtCommandsTab", LABELS[cmd]) if cmd in LABELS else cmd


def target_text(target: str) -> str:
    """A target as :meth:`Target.describe` wrote it (and the audit log keeps it), translated."""
    if target == Target().describe():
        return tr("QtCommandsTab", "all kiosks")
    if target.startswith("site "):
        return tr("QtCommandsTab", "site {site}", site=target.removeprefix("site "))
    return target  # site/machine


def command_error_text(err: CommandError) -> str:
    """Why a command cannot be sent, in the console's language (the desk's reason is English)."""
    if err.reason == "no_text":
        return tr("QtCommandsTab", "an announcement needs a text in at least one language")
    if err.reason == "too_long":
        return tr("QtCommandsTab", "an announcement may be at most 500 characters")
    if err.reason == "no_kiosk":
        return tr("QtCommandsTab", "no known kiosk for {target}", target=target_text(err.target))
    if err.reason == "bad_label":
        return tr("QtCommandsTab", "a PC's name is 1 to 60 characters, without tabs or new lines")
    if err.reason == "one_kiosk":
        return tr("QtCommandsTab", "a name is for one PC: choose one kiosk")
    if err.reason == "not_sendable":
        return tr("QtCommandsTab", "this console does not send that command")
    return str(err)


def refusal_text(command: SentCommand) -> str:
    """Why a kiosk said no, in the console's language when the kiosk gave a reason code
    (docs/protocol.md, command result); else the kiosk's own (English) text."""
    reasons = {
        "unsupported": tr("QtCommandsTab", "this kiosk does not know this command"),
        "bad_args": tr("QtCommandsTab", "the kiosk could not use the command's details"),
    }
    reason = reasons.get(command.reason or "") or command.error
    reason = reason or tr("QtCommandsTab", "no reason given")
    return tr("QtCommandsTab", "refused: {reason}", reason=reason)


class QtCommandsTab(QWidget):
    def __init__(
        self,
        db: QtDatabase,
        fleet: FleetModel,
        tracker: CommandTracker,
        zone: ZoneInfo,
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.fleet = fleet
        self.tracker = tracker
        self.zone = zone
        self._clock = clock
        self.publish: Publish | None = None
        self.connected = False
        self.confirm = self._confirm_dialog  # tests put a small fake here
        self.audit: list[SentCommand] = []
        layout = QVBoxLayout(self)
        form = QGridLayout()
        form.addWidget(QLabel(tr("QtCommandsTab", "Send to:")), 0, 0)
        self.scope = QComboBox()
        self.scope.addItems(
            [
                tr("QtCommandsTab", "one kiosk"),
                tr("QtCommandsTab", "every kiosk of a site"),
                tr("QtCommandsTab", "all kiosks"),
            ]
        )
        self.scope.currentIndexChanged.connect(self._scope_changed)
        form.addWidget(self.scope, 0, 1)
        self.site = QComboBox()
        self.site.currentIndexChanged.connect(self._fill_kiosks)
        form.addWidget(self.site, 0, 2)
        self.kiosk = QComboBox()
        form.addWidget(self.kiosk, 0, 3)
        form.addWidget(QLabel(tr("QtCommandsTab", "Command:")), 1, 0)
        self.command = QComboBox()
        for cmd in SENDABLE:
            self.command.addItem(command_name(cmd), cmd)
        self.command.currentIndexChanged.connect(self._command_changed)
        form.addWidget(self.command, 1, 1)
        self.texts: dict[str, QLineEdit] = {}
        for row, lang in enumerate(ANNOUNCE_LANGS, start=2):
            form.addWidget(
                QLabel(tr("QtCommandsTab", "Text ({lang}):").format(lang=lang.upper())), row, 0
            )
            edit = QLineEdit()
            edit.setMaxLength(500)
            self.texts[lang] = edit
            form.addWidget(edit, row, 1, 1, 3)
        form.addWidget(QLabel(tr("QtCommandsTab", "Show for (hours, 0 = until changed):")), 5, 0)
        self.hours = QDoubleSpinBox()
        self.hours.setRange(0, 24 * 14)
        self.hours.setValue(2)
        form.addWidget(self.hours, 5, 1)
        form.addWidget(QLabel(tr("QtCommandsTab", "Name in the room (empty: no name):")), 6, 0)
        self.label = QLineEdit()
        self.label.setMaxLength(60)
        self.label.setPlaceholderText(tr("QtCommandsTab", "e.g. PC 3 — by the window"))
        form.addWidget(self.label, 6, 1, 1, 3)
        layout.addLayout(form)
        actions = QHBoxLayout()
        self.send_button = QPushButton(tr("QtCommandsTab", "Send"))
        self.send_button.clicked.connect(self.send)
        actions.addWidget(self.send_button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        actions.addWidget(self.message, 1)
        layout.addLayout(actions)
        layout.addWidget(heading(tr("QtCommandsTab", "Sent from this console")))
        self.sent = make_table([tr("QtCommandsTab", c) for c in COLUMNS], stretch=5)
        layout.addWidget(self.sent, 1)
        self.sent.setMinimumHeight(120)
        layout.addWidget(heading(tr("QtCommandsTab", "Audit log (every console)")))
        self.log = make_table([tr("QtCommandsTab", c) for c in COLUMNS], stretch=5)
        layout.addWidget(self.log, 2)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.update_sent)
        self._timer.start(5000)
        self._scope_changed(0)
        self._command_changed(0)

    def refresh(self) -> None:
        self.sync_targets()
        self.db.submit(lambda engine: CommandAudit(engine).history(), self._audit_loaded)

    def sync_targets(self) -> None:
        sites = self.fleet.sites()
        if sites != [self.site.itemText(i) for i in range(self.site.count())]:
            chosen = self.site.currentText()
            self.site.blockSignals(True)
            self.site.clear()
            self.site.addItems(sites)
            self.site.setCurrentIndex(max(0, self.site.findText(chosen)))
            self.site.blockSignals(False)
            self._fill_kiosks()

    def _fill_kiosks(self) -> None:
        chosen = self.kiosk.currentText()
        self.kiosk.clear()
        site = self.site.currentText()
        self.kiosk.addItems([m for s, m in self.fleet.targets(site or None) if s == site])
        self.kiosk.setCurrentIndex(max(0, self.kiosk.findText(chosen)))

    def _scope_changed(self, index: int) -> None:
        self.site.setEnabled(index < 2)
        self.kiosk.setEnabled(index == 0)

    def _command_changed(self, _index: int) -> None:
        announce = self.command.currentData() == "announce"
        for edit in self.texts.values():
            edit.setEnabled(announce)
        self.hours.setEnabled(announce)
        naming = self.command.currentData() == "set_label"
        self.label.setEnabled(naming)
        if naming:
            self.scope.setCurrentIndex(0)  # a name is for one PC

    def target(self) -> Target:
        scope = self.scope.currentIndex()
        if scope == 2:
            return Target()
        site = self.site.currentText() or None
        return Target(site, self.kiosk.currentText() or None) if scope == 0 else Target(site)

    def send(self) -> None:
        cmd = str(self.command.currentData())
        target = self.target()
        try:
            if target.site is None and self.scope.currentIndex() < 2:
                raise CommandError(tr("QtCommandsTab", "choose a site first"))
            texts = {lang: edit.text() for lang, edit in self.texts.items()}
            args = command_args(cmd, texts, self.hours.value(), self.label.text(), target)
            prepared = self.tracker.prepare(cmd, args, target, self.fleet.targets())
        except CommandError as err:
            self.message.setText(command_error_text(err))
            return
        where = target_text(target.describe())
        if cmd in DISRUPTIVE:  # one kiosk too: a visitor may be in the middle of something
            if len(prepared) > 1:
                question = tr(
                    "QtCommandsTab",
                    "{what} on {n} kiosks ({target})? Visitors there lose their visit; "
                    "their screens say that a member of staff ended it.",
                    what=command_name(cmd),
                    n=len(prepared),
                    target=where,
                )
            else:
                question = tr(
                    "QtCommandsTab",
                    "{what} on {target}? A visitor there loses their visit; the screen says that a "
                    "member of staff ended it.",
                    what=command_name(cmd),
                    target=where,
                )
            if not self.confirm(question):
                self.message.setText(tr("QtCommandsTab", "Nothing was sent."))
                return
        if self.publish is None:
            self.message.setText(
                tr("QtCommandsTab", "Not connected to the broker: nothing was sent.")
            )
            return
        records = []
        for topic, payload, record in prepared:
            if self.publish(topic, payload):
                self.tracker.record(record)
                records.append(record)
        if self.connected:
            done = trn(
                "QtCommandsTab",
                "Sent to {n} kiosk: {target}.",
                "Sent to {n} kiosks: {target}.",
                len(records),
                target=where,
            )
        else:
            done = trn(
                "QtCommandsTab",
                "No broker now: queued for {n} kiosk ({target}), sent when it is back.",
                "No broker now: queued for {n} kiosks ({target}), sent when it is back.",
                len(records),
                target=where,
            )
        self.message.setText(done)
        self.update_sent()
        self.db.submit(
            lambda engine: CommandAudit(engine).record_sent(records), lambda _r: self.refresh()
        )

    def on_ack(self, site: str, machine: str, ack: CommandAck) -> None:
        if self.tracker.apply_ack(site, machine, ack) is not None:
            self.update_sent()
        self.db.submit(lambda engine: CommandAudit(engine).record_ack(ack), self._ack_stored)

    def _ack_stored(self, known: bool) -> None:
        if known:
            self.refresh()

    def _rows(
        self, commands: list[SentCommand]
    ) -> tuple[list[tuple[str, ...]], list[QColor | None]]:
        now = self._clock()
        rows: list[tuple[str, ...]] = []
        colours: list[QColor | None] = []
        for c in commands:
            outcome = c.outcome(now)
            rows.append(
                (
                    format_local(c.sent, self.zone),
                    c.admin,
                    command_name(c.cmd),
                    target_text(c.target),
                    f"{c.site}/{c.machine}",
                    self._outcome_text(c, outcome),
                )
            )
            colours.append(GOOD if c.ok else ALERT if outcome is not Outcome.WAITING else None)
        return rows, colours

    def _outcome_text(self, command: SentCommand, outcome: Outcome) -> str:
        if outcome is Outcome.REFUSED:
            return refusal_text(command)
        texts = {
            Outcome.DONE: tr("QtCommandsTab", "done"),
            Outcome.NO_ANSWER: tr("QtCommandsTab", "no answer"),
            Outcome.WAITING: tr("QtCommandsTab", "waiting"),
        }
        return texts[outcome]

    def update_sent(self) -> None:
        rows, colours = self._rows(self.tracker.recent())
        fill_table(self.sent, rows, colours=colours)

    def _audit_loaded(self, commands: list[SentCommand]) -> None:
        self.audit = commands
        rows, colours = self._rows(commands)
        fill_table(self.log, rows, colours=colours)

    def _confirm_dialog(self, question: str) -> bool:
        answer = QMessageBox.question(self, tr("QtCommandsTab", "Send a command"), question)
        return answer == QMessageBox.StandardButton.Yes
