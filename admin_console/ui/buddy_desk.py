"""The buddy desk window: the site's open help calls, live, with Claim and Resolve.

Made to stay open on a laptop or tablet during a permanence: every new call rings and shows a
desktop notification, a call left waiting rings again, calls another buddy took say so, and
the window says when it has lost the broker (it reconnects by itself).

A call speaks human (issue 16): the PC's label, the task and the step in the buddy's language
("stap 3 van 8"), the visitor's language by name, the wait; oldest first. The buddy checks in
and out here (who is on duty comes from the queue keeper), closes a call with an outcome and
topics, and is told when this computer's clock is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from admin_console.desk.call_words import CallWords, language_name
from admin_console.desk.duty import DutyBook, DutyStep, clock_skew, make_checkin
from admin_console.desk.help_queue import HelpCall, HelpQueue
from admin_console.links.buddy import BuddyCallbacks, BuddyLink
from admin_console.ui.duty_dialog import QtLastCheckoutDialog, open_last_checkout_dialog
from admin_console.ui.language import N_, current_language, install_translators, tr, trn
from admin_console.ui.notifier import QtCallNotifier
from admin_console.ui.outcome_dialog import QtOutcomeDialog, open_outcome_dialog
from kiosk.wire.broker import BrokerSettings
from kiosk.wire.config_schema import DEFAULT_TOPICS
from kiosk.wire.protocol import DutyRoster, HelpChange, HelpOutcome, SiteQueue, utc_now

COLUMNS = (
    N_("QtBuddyDesk", "PC"),
    N_("QtBuddyDesk", "Task"),
    N_("QtBuddyDesk", "Step"),
    N_("QtBuddyDesk", "Language"),
    N_("QtBuddyDesk", "Waiting"),
    N_("QtBuddyDesk", "State"),
    "",
)
LONG_WAIT_S = 5 * 60  # a row turns amber
REMIND_EVERY_S = 3 * 60  # an unclaimed call rings again


def format_wait(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def local_time(moment: datetime) -> str:
    """A moment as this computer's wall clock shows it (14:02)."""
    return moment.astimezone().strftime("%H:%M")


class QtBuddyBridge(QObject):
    """Carries the link's callbacks from paho's thread into the GUI thread."""

    help_change = Signal(str, object)
    machine_online = Signal(str, bool)
    connection = Signal(bool)
    machine_label = Signal(str, object)
    queue = Signal(object, bool)
    duty = Signal(object)

    def callbacks(self) -> BuddyCallbacks:
        return BuddyCallbacks(
            self.help_change.emit,
            self.machine_online.emit,
            self.connection.emit,
            machine_label=self.machine_label.emit,
            queue=self.queue.emit,
            duty=self.duty.emit,
        )


class QtBuddyDesk(QMainWindow):
    STYLE = """
        QWidget { font-size: 14pt; }
        QLabel#title { font-size: 22pt; font-weight: bold; }
        QLabel#offline { background: #8B0000; color: white; padding: 8px; }
        QLabel#clock { background: #FEEFC3; color: #202124; border: 2px solid #B06000;
                       padding: 8px; }
        QLabel#empty { color: #444; padding: 24px; }
        QWidget#duty { background: #F1F3F4; border-radius: 6px; }
        QLabel#onDuty { color: #202124; font-size: 15pt; }
        QLabel#dutyMessage { color: #202124; background: #E8F0FE; padding: 8px; }
        QPushButton#dutyMain { min-height: 56px; font-size: 15pt; font-weight: bold;
                               background: #1B5E20; }
        QPushButton#dutyOther { min-height: 56px; font-size: 15pt; background: #E8EAED;
                                color: #202124; border: 2px solid #9AA0A6; }
        QWidget#notice { background: #FFF4CE; border: 2px solid #B06000; }
        QWidget#notice QLabel { color: #202124; padding: 6px; }
        QPushButton { min-height: 44px; padding: 4px 18px; background: #0B3D91; color: white;
                      border-radius: 6px; }
        QPushButton#resolve { background: #1B5E20; }
        QPushButton#resolveOther { background: #5F6368; }
        QPushButton#mute { background: #E8EAED; color: #202124; }
        QPushButton#mute:checked { background: #F9AB00; }
    """

    def __init__(
        self,
        queue: HelpQueue,
        site: str,
        name: str,
        topics: Sequence[str] = DEFAULT_TOPICS,
        words: CallWords | None = None,
    ) -> None:
        super().__init__()
        self.queue = queue
        self.site = site
        self.topics = tuple(topics)
        self.words = words or CallWords()
        self.duty = DutyBook()
        self.site_queue: SiteQueue | None = None
        self.outcome_dialog: QtOutcomeDialog | None = None
        self.checkout_dialog: QtLastCheckoutDialog | None = None
        self.link: BuddyLink | None = None
        self.base_title = tr("QtBuddyDesk", "Buddy desk — {site}").format(site=site)
        self.setWindowTitle(self.base_title)
        self.setStyleSheet(self.STYLE)
        root = QWidget()
        layout = QVBoxLayout(root)
        header = QHBoxLayout()
        self.title = QLabel(tr("QtBuddyDesk", "Help calls at {site}").format(site=site))
        self.title.setObjectName("title")
        header.addWidget(self.title, 1)
        header.addWidget(QLabel(tr("QtBuddyDesk", "Your name:")))
        self.name_edit = QLineEdit(name)
        self.name_edit.setAccessibleName(tr("QtBuddyDesk", "Your name, shown to the visitor"))
        self.name_edit.setMaxLength(40)
        header.addWidget(self.name_edit)
        self.mute_button = QPushButton(tr("QtBuddyDesk", "Sound on"))
        self.mute_button.setObjectName("mute")
        self.mute_button.setCheckable(True)
        self.mute_button.setAccessibleName(tr("QtBuddyDesk", "Mute the chime for new calls"))
        self.mute_button.toggled.connect(self._set_muted)
        header.addWidget(self.mute_button)
        layout.addLayout(header)
        # Who is on duty, and this buddy's permanence: start / stop.
        self.duty_bar = QWidget()
        self.duty_bar.setObjectName("duty")
        duty_row = QHBoxLayout(self.duty_bar)
        self.on_duty_label = QLabel()
        self.on_duty_label.setObjectName("onDuty")
        self.on_duty_label.setWordWrap(True)
        duty_row.addWidget(self.on_duty_label, 1)
        self.checkin_button = QPushButton(tr("QtBuddyDesk", "Start my permanence"))
        self.checkin_button.clicked.connect(self.check_in)
        duty_row.addWidget(self.checkin_button)
        self.checkout_button = QPushButton(tr("QtBuddyDesk", "Stop my permanence"))
        self.checkout_button.clicked.connect(self.check_out)
        duty_row.addWidget(self.checkout_button)
        layout.addWidget(self.duty_bar)
        self.name_edit.textChanged.connect(lambda _text: self.show_duty())
        self.duty_message = QLabel()
        self.duty_message.setObjectName("dutyMessage")
        self.duty_message.setWordWrap(True)
        self.duty_message.setVisible(False)
        layout.addWidget(self.duty_message)
        self.offline_banner = QLabel(
            tr("QtBuddyDesk", "Not connected to the broker — reconnecting…")
        )
        self.offline_banner.setObjectName("offline")
        layout.addWidget(self.offline_banner)
        self.clock_banner = QLabel()
        self.clock_banner.setObjectName("clock")
        self.clock_banner.setWordWrap(True)
        self.clock_banner.setVisible(False)
        layout.addWidget(self.clock_banner)
        # Claimed calls that were cancelled: stays until read (the buddy may be walking).
        self.notice = QWidget()
        self.notice.setObjectName("notice")
        notice_row = QHBoxLayout(self.notice)
        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)
        notice_row.addWidget(self.notice_label, 1)
        self.notice_ok = QPushButton(tr("QtBuddyDesk", "Got it"))
        self.notice_ok.clicked.connect(self._dismiss_notice)
        notice_row.addWidget(self.notice_ok)
        self.notice.setVisible(False)
        layout.addWidget(self.notice)
        self.connected = False
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setObjectName("empty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty_label)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr("QtBuddyDesk", c) if c else "" for c in COLUMNS])
        header_view = self.table.horizontalHeader()
        header_view.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header_view.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header_view.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        # Two lines at least (label and hint, step and its title); more when a title wraps.
        self.table.verticalHeader().setMinimumSectionSize(72)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName(tr("QtBuddyDesk", "Open help calls"))
        layout.addWidget(self.table, 1)
        self.setCentralWidget(root)
        self.notifier = QtCallNotifier(self)
        self.notifier.describe = self.call_line
        self.confirm = self._confirm_dialog  # tests put a small fake here
        self._announce = QTimer(self)
        self._announce.setSingleShot(True)
        self._announce.timeout.connect(self._announce_new_calls)
        self._last_reminder = utc_now()
        self._ticker = QTimer(self)
        self._ticker.timeout.connect(self._update_waiting)
        self._ticker.start(1000)
        self.set_connected(False)
        self.show_duty()
        self.refresh()

    def attach(self, link: BuddyLink, bridge: QtBuddyBridge) -> None:
        self.link = link
        bridge.help_change.connect(self.on_help_change)
        bridge.machine_online.connect(self.on_machine_online)
        bridge.connection.connect(self.set_connected)
        bridge.machine_label.connect(self.on_machine_label)
        bridge.queue.connect(self.on_queue)
        bridge.duty.connect(self.on_duty)

    def buddy_name(self) -> str:
        return self.name_edit.text().strip() or tr("QtBuddyDesk", "A buddy")

    def set_connected(self, connected: bool) -> None:
        self.connected = connected
        self.offline_banner.setVisible(not connected)
        self.refresh()

    def _withdrawn_text(self, call: HelpCall) -> str:
        return tr(
            "QtBuddyDesk",
            "{time} · {pc}: the visitor cancelled the call or left ({name} had claimed it).",
            time=datetime.now().astimezone().strftime("%H:%M"),
            pc=self.pc_name(call),
            name=call.buddy or "",
        )

    def show_notice(self, text: str) -> None:
        """A notice that stays until a buddy has read it (OK), newest first, at most five."""
        lines = [text, *self.notice_label.text().splitlines()][:5]
        self.notice_label.setText("\n".join(lines))
        self.notice.setVisible(True)

    def _dismiss_notice(self) -> None:
        self.notice_label.clear()
        self.notice.setVisible(False)

    def empty_text(self) -> str:
        """What the desk says when it shows no call: an all-clear only when it can know."""
        if self.connected:
            return tr("QtBuddyDesk", "No one is waiting for help.")
        return tr(
            "QtBuddyDesk",
            "Calls cannot be shown: this desk has no connection. It tries again by itself; "
            "if this lasts, check the network or tell the coordinator.",
        )

    def on_help_change(self, machine: str, change: HelpChange) -> None:
        if self.queue.apply(machine, change):
            for call in self.queue.take_withdrawn():
                mine = call.claimed_by(self.buddy_name())
                self.notifier.withdrawn(call, ring=mine)
                self.show_notice(self._withdrawn_text(call))
            self.refresh()
            # Retained calls arrive one by one at start-up: ring once for all of them.
            self._announce.start(250)

    def on_machine_online(self, machine: str, online: bool) -> None:
        self.queue.set_online(machine, online)
        self.refresh()

    def on_machine_label(self, machine: str, label: str | None) -> None:
        if self.queue.set_label(machine, label):
            self.refresh()

    # --- the site's queue and the clock -----------------------------------------------------

    def on_queue(self, queue: SiteQueue, retained: bool) -> None:
        """The queue keeper's queue; a fresh one (not retained) also checks this clock."""
        self.site_queue = queue
        if retained:
            return
        skew = clock_skew(queue.ts, utc_now())
        self.clock_banner.setVisible(skew is not None)
        if skew is not None:
            self.clock_banner.setText(self.clock_text(skew.total_seconds()))

    @staticmethod
    def clock_text(skew_s: float) -> str:
        minutes = max(1, round(abs(skew_s) / 60))
        if skew_s > 0:
            wrong = trn(
                "QtBuddyDesk",
                "The clock of this computer is {n} minute ahead.",
                "The clock of this computer is {n} minutes ahead.",
                minutes,
            )
        else:
            wrong = trn(
                "QtBuddyDesk",
                "The clock of this computer is {n} minute behind.",
                "The clock of this computer is {n} minutes behind.",
                minutes,
            )
        return (
            wrong
            + " "
            + tr(
                "QtBuddyDesk",
                "The waiting times shown here may be wrong by as much. Ask whoever looks after "
                "this computer to set its clock.",
            )
        )

    # --- who is on duty ---------------------------------------------------------------------

    def on_duty(self, roster: DutyRoster) -> None:
        self.duty.take_roster(roster)
        self.show_duty()

    def show_duty(self) -> None:
        people = self.duty.on_duty()
        if people:
            names = ", ".join(
                tr("QtBuddyDesk", "{name} (since {time})", name=name, time=local_time(since))
                for name, since in people
            )
            text = tr("QtBuddyDesk", "On duty now: {names}", names=names)
        elif self.duty.roster is None:
            text = tr("QtBuddyDesk", "Nobody has started a permanence at this desk yet.")
        else:
            text = tr("QtBuddyDesk", "Nobody is on duty now.")
        self.on_duty_label.setText(text)
        mine = self.duty.since(self.name_edit.text()) is not None if self.has_name() else False
        for button, main in ((self.checkin_button, not mine), (self.checkout_button, mine)):
            button.setObjectName("dutyMain" if main else "dutyOther")
            button.style().unpolish(button)
            button.style().polish(button)

    def has_name(self) -> bool:
        return bool(self.name_edit.text().strip())

    def say(self, text: str) -> None:
        """A plain message under the duty bar (replaces the one before)."""
        self.duty_message.setText(text)
        self.duty_message.setVisible(bool(text))

    def _can_send_duty(self) -> bool:
        if not self.has_name():
            self.say(
                tr("QtBuddyDesk", "Write your name first (at the top), then press the button.")
            )
            return False
        if self.link is None or not self.connected:
            self.say(
                tr(
                    "QtBuddyDesk",
                    "No connection: nothing was sent. Try again when the red bar is gone.",
                )
            )
            return False
        return True

    def check_in(self) -> None:
        if not self.has_name():
            self._can_send_duty()
            return
        name = self.name_edit.text().strip()
        answer = self.duty.check_in(name)
        if answer.step is DutyStep.ALREADY_IN and answer.since is not None:
            self.say(
                tr(
                    "QtBuddyDesk",
                    "{name} is already checked in since {time}.",
                    name=name,
                    time=local_time(answer.since),
                )
            )
            return
        if self._can_send_duty():
            self._send_duty(name, "in")

    def check_out(self) -> None:
        if not self.has_name():
            self._can_send_duty()
            return
        name = self.name_edit.text().strip()
        answer = self.duty.check_out(name, self.queue.waiting())
        if answer.step is DutyStep.NOT_IN:
            self.say(
                tr(
                    "QtBuddyDesk",
                    "{name} is not checked in, so there is no permanence to stop.",
                    name=name,
                )
            )
            return
        if not self._can_send_duty():
            return
        if answer.step is DutyStep.ASK_LAST:
            off_duty = self.site_queue.off_duty_calls if self.site_queue else "staff"
            dialog = open_last_checkout_dialog(self, self.queue.waiting(), off_duty)
            dialog.decided.connect(lambda leave: self._last_one_decided(name, leave))
            self.checkout_dialog = dialog
            return
        self._send_duty(name, "out")

    def _last_one_decided(self, name: str, leave: bool) -> None:
        self.checkout_dialog = None
        if leave:
            self._send_duty(name, "out")
        else:
            self.say(tr("QtBuddyDesk", "You stay on duty. Thank you!"))

    def _send_duty(self, name: str, state: str) -> None:
        if self.link is None:
            return
        checkin = make_checkin(name, state)
        self.link.check(checkin)
        self.duty.sent(checkin)
        if state == "in":
            self.say(tr("QtBuddyDesk", "{name}, your permanence has started.", name=name))
        else:
            self.say(tr("QtBuddyDesk", "{name}, your permanence has ended. Thank you!", name=name))
        self.show_duty()

    # --- calls ------------------------------------------------------------------------------

    def claim(self, call: HelpCall) -> None:
        if self.link is not None:
            self.link.reply(call.machine, call.request, "claimed", self.buddy_name())

    def resolve(self, call: HelpCall) -> None:
        """Close a call with an outcome and topics; one another buddy claimed only after
        saying yes to a question."""
        if call.buddy and not call.claimed_by(self.buddy_name()):
            question = tr(
                "QtBuddyDesk", "{name} claimed this call. Mark it resolved anyway?"
            ).format(name=call.buddy)
            if not self.confirm(question):
                return
        dialog = open_outcome_dialog(self, self.pc_name(call), self.topics)
        dialog.chosen.connect(lambda outcome, topics: self._resolved(call, outcome, topics))
        dialog.finished.connect(lambda _code: setattr(self, "outcome_dialog", None))
        self.outcome_dialog = dialog

    def _resolved(self, call: HelpCall, outcome: HelpOutcome, topics: tuple[str, ...]) -> None:
        if self.link is not None:
            self.link.reply(
                call.machine,
                call.request,
                "resolved",
                call.buddy or self.buddy_name(),
                outcome=outcome,
                topics=topics,
            )

    def pc_name(self, call: HelpCall) -> str:
        """The PC as people in the room call it; its machine id when it has no label."""
        return self.queue.label_of(call) or call.machine

    def pc_text(self, call: HelpCall) -> str:
        label = self.queue.label_of(call)
        text = label or tr("QtBuddyDesk", "{pc}\n(this PC has no name yet)", pc=call.machine)
        if self.queue.is_offline(call):
            text += tr("QtBuddyDesk", " (offline)")
        return text

    def call_line(self, call: HelpCall) -> str:
        """A call in one line, for a notification: where, what, which step, which language."""
        parts = [self.queue.label_of(call) or call.machine, self.task_text(call)]
        facts = self.words.step(call.task, call.step, current_language())
        if facts is not None:
            parts.append(
                tr("QtBuddyDesk", "step {n} of {total}", n=facts.number, total=facts.total)
                if facts.total is not None
                else tr("QtBuddyDesk", "step {n}", n=facts.number)
            )
        if call.lang:
            parts.append(language_name(call.lang, current_language()))
        return " · ".join(parts)

    def task_text(self, call: HelpCall) -> str:
        return self.words.task_title(call.task, current_language()) or tr(
            "QtBuddyDesk", "(free use)"
        )

    def step_text(self, call: HelpCall) -> str:
        facts = self.words.step(call.task, call.step, current_language())
        if facts is None:
            return ""
        if facts.total is None:
            return tr("QtBuddyDesk", "Step {n}", n=facts.number)
        where = tr("QtBuddyDesk", "Step {n} of {total}", n=facts.number, total=facts.total)
        return f"{where}\n{facts.title}" if facts.title else where

    def _confirm_dialog(self, question: str) -> bool:
        answer = QMessageBox.question(self, tr("QtBuddyDesk", "Resolve a call"), question)
        return answer == QMessageBox.StandardButton.Yes

    def row_of(self, machine: str) -> int:
        """The table row of a PC's call, or -1."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == machine:
                return row
        return -1

    def action_button(self, row: int) -> QPushButton | None:
        widget = self.table.cellWidget(row, len(COLUMNS) - 1)
        return widget if isinstance(widget, QPushButton) else None

    def state_text(self, call: HelpCall) -> str:
        if call.state != "claimed":
            return tr("QtBuddyDesk", "Waiting")
        if call.claimed_by(self.buddy_name()):
            return tr("QtBuddyDesk", "You ({name}) are going").format(name=call.buddy)
        return tr("QtBuddyDesk", "{name} is going").format(name=call.buddy)

    def refresh(self) -> None:
        calls = self.queue.active()
        now = utc_now()
        waiting = sum(call.state == "open" for call in calls)
        self.setWindowTitle(f"({waiting}) {self.base_title}" if waiting else self.base_title)
        self.empty_label.setVisible(not calls)
        self.empty_label.setText(self.empty_text())
        self.table.setRowCount(len(calls))
        for row, call in enumerate(calls):
            values = (
                self.pc_text(call),
                self.task_text(call),
                self.step_text(call),
                language_name(call.lang, current_language()),
                format_wait(call.waiting_s(now)),
                self.state_text(call),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 0:
                    item.setData(Qt.ItemDataRole.UserRole, call.machine)
                self.table.setItem(row, column, item)
            self._colour_row(row, call, now)
            self.table.setCellWidget(row, len(COLUMNS) - 1, self._button_for(call))

    def _colour_row(self, row: int, call: HelpCall, now: datetime) -> None:
        if call.state == "claimed":
            colour = "#E6F4EA" if call.claimed_by(self.buddy_name()) else "#F1F3F4"
        elif call.waiting_s(now) >= LONG_WAIT_S:
            colour = "#FEEFC3"
        else:
            colour = "#FFFFFF"
        for column in range(len(COLUMNS) - 1):
            item = self.table.item(row, column)
            if item is not None:
                item.setBackground(QBrush(QColor(colour)))

    def _button_for(self, call: HelpCall) -> QPushButton:
        if call.state == "open":
            button = QPushButton(tr("QtBuddyDesk", "Claim"))
            button.setAccessibleName(
                tr("QtBuddyDesk", "Claim the call of {pc}").format(pc=self.pc_name(call))
            )
            button.clicked.connect(lambda _=False, c=call: self.claim(c))
            return button
        mine = call.claimed_by(self.buddy_name())
        button = QPushButton(
            tr("QtBuddyDesk", "Resolve") if mine else tr("QtBuddyDesk", "Resolve…")
        )
        button.setObjectName("resolve" if mine else "resolveOther")
        button.setAccessibleName(
            tr("QtBuddyDesk", "Mark the call of {pc} resolved").format(pc=self.pc_name(call))
        )
        button.clicked.connect(lambda _=False, c=call: self.resolve(c))
        return button

    def _set_muted(self, muted: bool) -> None:
        self.notifier.muted = muted
        self.mute_button.setText(
            tr("QtBuddyDesk", "Sound off") if muted else tr("QtBuddyDesk", "Sound on")
        )

    def _announce_new_calls(self) -> None:
        self.notifier.notify(self.queue.take_new_calls())
        self._last_reminder = utc_now()

    def _update_waiting(self) -> None:
        now = utc_now()
        calls = self.queue.active()
        for row, call in enumerate(calls):
            item = self.table.item(row, 4)
            if item is not None:
                item.setText(format_wait(call.waiting_s(now)))
                self._colour_row(row, call, now)
        overdue = [c for c in calls if c.state == "open" and c.waiting_s(now) >= REMIND_EVERY_S]
        if overdue and (now - self._last_reminder).total_seconds() >= REMIND_EVERY_S:
            self._last_reminder = now
            self.notifier.remind(len(overdue), REMIND_EVERY_S // 60)


def run_buddy_desk(
    settings: BrokerSettings,
    site: str,
    name: str,
    lang: str = "en",
    topics: Sequence[str] | None = None,
) -> int:
    """Open the desk and keep it live until the window closes or Ctrl-C. ``topics``: the
    site's list from the admin console's config ([sites.NAME] topics), else the defaults."""
    import signal
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    translators = install_translators(app, lang)  # noqa: F841 - kept alive with the window
    desk = QtBuddyDesk(HelpQueue(), site, name, DEFAULT_TOPICS if topics is None else topics)
    bridge = QtBuddyBridge()
    link = BuddyLink(settings, site, bridge.callbacks())
    desk.attach(link, bridge)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.quit())
    ticker = QTimer()
    ticker.timeout.connect(lambda: None)  # lets Python run its signal handlers
    ticker.start(200)
    link.start()
    desk.resize(1200, 720)
    desk.show()
    code = app.exec()
    link.stop()
    return int(code)
