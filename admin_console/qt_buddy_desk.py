"""The buddy desk window: the site's open help calls, live, with Claim and Resolve."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from admin_console.buddy_link import BuddyCallbacks, BuddyLink
from admin_console.help_queue import HelpCall, HelpQueue
from kiosk.wire.broker import BrokerSettings
from kiosk.wire.protocol import HelpChange, utc_now

COLUMNS = ("PC", "Task", "Step", "Language", "Waiting", "State", "")


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
        QPushButton { min-height: 44px; padding: 4px 18px; background: #0B3D91; color: white;
                      border-radius: 6px; }
        QPushButton#resolve { background: #1B5E20; }
    """

    def __init__(self, queue: HelpQueue, site: str, name: str) -> None:
        super().__init__()
        self.queue = queue
        self.site = site
        self.link: BuddyLink | None = None
        self.setWindowTitle(self.tr("Buddy desk — {site}").format(site=site))
        self.setStyleSheet(self.STYLE)
        root = QWidget()
        layout = QVBoxLayout(root)
        header = QHBoxLayout()
        self.title = QLabel(self.tr("Help calls at {site}").format(site=site))
        self.title.setObjectName("title")
        header.addWidget(self.title, 1)
        header.addWidget(QLabel(self.tr("Your name:")))
        self.name_edit = QLineEdit(name)
        self.name_edit.setAccessibleName(self.tr("Your name, shown to the visitor"))
        self.name_edit.setMaxLength(40)
        header.addWidget(self.name_edit)
        layout.addLayout(header)
        self.offline_banner = QLabel(self.tr("Not connected to the broker — reconnecting…"))
        self.offline_banner.setObjectName("offline")
        layout.addWidget(self.offline_banner)
        self.empty_label = QLabel(self.tr("No one is waiting for help."))
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty_label)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) if c else "" for c in COLUMNS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(56)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName(self.tr("Open help calls"))
        layout.addWidget(self.table, 1)
        self.setCentralWidget(root)
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
        return self.name_edit.text().strip() or self.tr("A buddy")

    def set_connected(self, connected: bool) -> None:
        self.offline_banner.setVisible(not connected)

    def on_help_change(self, machine: str, change: HelpChange) -> None:
        if self.queue.apply(machine, change):
            self.refresh()

    def on_machine_online(self, machine: str, online: bool) -> None:
        self.queue.set_online(machine, online)
        self.refresh()

    def claim(self, call: HelpCall) -> None:
        if self.link is not None:
            self.link.reply(call.machine, call.request, "claimed", self.buddy_name())

    def resolve(self, call: HelpCall) -> None:
        if self.link is not None:
            self.link.reply(call.machine, call.request, "resolved", call.buddy or self.buddy_name())

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

    def refresh(self) -> None:
        calls = self.queue.active()
        now = utc_now()
        self.empty_label.setVisible(not calls)
        self.table.setRowCount(len(calls))
        for row, call in enumerate(calls):
            pc = call.machine + (
                self.tr(" (offline)") if call.machine in self.queue.offline else ""
            )
            state = (
                self.tr("{name} is going").format(name=call.buddy)
                if call.state == "claimed"
                else self.tr("Waiting")
            )
            values = (
                pc,
                call.task or self.tr("(free use)"),
                "" if call.step is None else str(call.step + 1),
                (call.lang or "").upper(),
                format_wait(call.waiting_s(now)),
                state,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 0:
                    item.setData(Qt.ItemDataRole.UserRole, call.machine)
                self.table.setItem(row, column, item)
            self.table.setCellWidget(row, len(COLUMNS) - 1, self._button_for(call))

    def _button_for(self, call: HelpCall) -> QPushButton:
        if call.state == "open":
            button = QPushButton(self.tr("Claim"))
            button.setAccessibleName(self.tr("Claim the call of {pc}").format(pc=call.machine))
            button.clicked.connect(lambda _=False, c=call: self.claim(c))
        else:
            button = QPushButton(self.tr("Resolve"))
            button.setObjectName("resolve")
            button.setAccessibleName(
                self.tr("Mark the call of {pc} resolved").format(pc=call.machine)
            )
            button.clicked.connect(lambda _=False, c=call: self.resolve(c))
        return button

    def _update_waiting(self) -> None:
        now = utc_now()
        for row, call in enumerate(self.queue.active()):
            item = self.table.item(row, 4)
            if item is not None:
                item.setText(format_wait(call.waiting_s(now)))


def run_buddy_desk(settings: BrokerSettings, site: str, name: str) -> int:
    """Open the desk and keep it live until the window closes or Ctrl-C."""
    import signal
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
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
