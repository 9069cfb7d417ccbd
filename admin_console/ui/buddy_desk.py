"""The buddy desk window: the site's open help calls, live, with Claim and Resolve.

Made to stay open on a laptop or tablet during a permanence: every new call rings and shows a
desktop notification, a call left waiting rings again, calls another buddy took say so, and
the window says when it has lost the broker (it reconnects by itself).
"""

from __future__ import annotations

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

from admin_console.desk.help_queue import HelpCall, HelpQueue
from admin_console.links.buddy import BuddyCallbacks, BuddyLink
from admin_console.ui.language import N_, install_translators, tr
from admin_console.ui.notifier import QtCallNotifier
from kiosk.wire.broker import BrokerSettings
from kiosk.wire.protocol import HelpChange, utc_now

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


class QtBuddyBridge(QObject):
    """Carries the link's callbacks from paho's thread into the GUI thread."""

    help_change = Signal(str, object)
    machine_online = Signal(str, bool)
    connection = Signal(bool)

    def callbacks(self) -> BuddyCallbacks:
        return BuddyCallbacks(self.help_change.emit, self.machine_online.emit, self.connection.emit)


class QtBuddyDesk(QMainWindow):
    STYLE = """
        QWidget { font-size: 14pt; }
        QLabel#title { font-size: 22pt; font-weight: bold; }
        QLabel#offline { background: #8B0000; color: white; padding: 8px; }
        QLabel#empty { color: #444; padding: 24px; }
        QWidget#notice { background: #FFF4CE; border: 2px solid #B06000; }
        QWidget#notice QLabel { color: #202124; padding: 6px; }
        QPushButton { min-height: 44px; padding: 4px 18px; background: #0B3D91; color: white;
                      border-radius: 6px; }
        QPushButton#resolve { background: #1B5E20; }
        QPushButton#resolveOther { background: #5F6368; }
        QPushButton#mute { background: #E8EAED; color: #202124; }
        QPushButton#mute:checked { background: #F9AB00; }
    """

    def __init__(self, queue: HelpQueue, site: str, name: str) -> None:
        super().__init__()
        self.queue = queue
        self.site = site
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
        self.offline_banner = QLabel(
            tr("QtBuddyDesk", "Not connected to the broker — reconnecting…")
        )
        self.offline_banner.setObjectName("offline")
        layout.addWidget(self.offline_banner)
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
        header_view.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(56)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName(tr("QtBuddyDesk", "Open help calls"))
        layout.addWidget(self.table, 1)
        self.setCentralWidget(root)
        self.notifier = QtCallNotifier(self)
        self.confirm = self._confirm_dialog  # tests put a small fake here
        self._announce = QTimer(self)
        self._announce.setSingleShot(True)
        self._announce.timeout.connect(self._announce_new_calls)
        self._last_reminder = utc_now()
        self._ticker = QTimer(self)
        self._ticker.timeout.connect(self._update_waiting)
        self._ticker.start(1000)
        self.set_connected(False)
        self.refresh()

    def attach(self, link: BuddyLink, bridge: QtBuddyBridge) -> None:
        self.link = link
        bridge.help_change.connect(self.on_help_change)
        bridge.machine_online.connect(self.on_machine_online)
        bridge.connection.connect(self.set_connected)

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
            pc=call.machine,
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

    def claim(self, call: HelpCall) -> None:
        if self.link is not None:
            self.link.reply(call.machine, call.request, "claimed", self.buddy_name())

    def resolve(self, call: HelpCall) -> None:
        """Resolve a call; one another buddy claimed only after saying yes to a question."""
        if call.buddy and not call.claimed_by(self.buddy_name()):
            question = tr(
                "QtBuddyDesk", "{name} claimed this call. Mark it resolved anyway?"
            ).format(name=call.buddy)
            if not self.confirm(question):
                return
        if self.link is not None:
            self.link.reply(call.machine, call.request, "resolved", call.buddy or self.buddy_name())

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
            pc = call.machine + (
                tr("QtBuddyDesk", " (offline)") if self.queue.is_offline(call) else ""
            )
            values = (
                pc,
                call.task or tr("QtBuddyDesk", "(free use)"),
                "" if call.step is None else str(call.step + 1),
                (call.lang or "").upper(),
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
                tr("QtBuddyDesk", "Claim the call of {pc}").format(pc=call.machine)
            )
            button.clicked.connect(lambda _=False, c=call: self.claim(c))
            return button
        mine = call.claimed_by(self.buddy_name())
        button = QPushButton(
            tr("QtBuddyDesk", "Resolve") if mine else tr("QtBuddyDesk", "Resolve…")
        )
        button.setObjectName("resolve" if mine else "resolveOther")
        button.setAccessibleName(
            tr("QtBuddyDesk", "Mark the call of {pc} resolved").format(pc=call.machine)
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


def run_buddy_desk(settings: BrokerSettings, site: str, name: str, lang: str = "en") -> int:
    """Open the desk and keep it live until the window closes or Ctrl-C."""
    import signal
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    translators = install_translators(app, lang)  # noqa: F841 - kept alive with the window
    desk = QtBuddyDesk(HelpQueue(), site, name)
    bridge = QtBuddyBridge()
    link = BuddyLink(settings, site, bridge.callbacks())
    desk.attach(link, bridge)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.quit())
    ticker = QTimer()
    ticker.timeout.connect(lambda: None)  # lets Python run its signal handlers
    ticker.start(200)
    link.start()
    desk.resize(1000, 600)
    desk.show()
    code = app.exec()
    link.stop()
    return int(code)
