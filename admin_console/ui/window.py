"""The admin console's main window: Overview, Fleet, Help desk, Usage, Reports and Commands.

Wiring only: the models (fleet, help queue, command tracker) are plain Python, the database is
read on worker threads (:class:`QtDatabase`), and the broker's messages reach the GUI thread
through :class:`QtAdminBridge`. A database or broker that cannot be reached shows a banner and
is tried again; the window keeps working with what it has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QRect, QSize, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QTabWidget, QVBoxLayout, QWidget
from sqlalchemy.engine import make_url

from admin_console.desk.commands import AdminCallbacks, AdminLink, CommandTracker
from admin_console.desk.fleet import FleetModel, FleetSettings
from admin_console.desk.help_queue import HelpQueue
from admin_console.read.reports import DEFAULT_MIN_COUNT
from admin_console.read.usage import MachineRecord, known_sites, machines
from admin_console.ui.commands import QtCommandsTab
from admin_console.ui.fleet import QtFleetTab
from admin_console.ui.helpdesk import QtHelpDeskTab
from admin_console.ui.language import install_translators, tr
from admin_console.ui.overview import QtOverviewTab
from admin_console.ui.reports import QtReportsTab
from admin_console.ui.usage import QtUsageTab
from admin_console.ui.widgets import STYLE, banner
from admin_console.ui.worker import QtDatabase
from kiosk.wire.broker import BrokerSettings
from kiosk.wire.protocol import CommandAck, HelpChange, Status, utc_now

RETRY_MS = 10_000


class QtAdminBridge(QObject):
    """Carries the link's callbacks from paho's thread into the GUI thread."""

    status = Signal(str, str, object, bool)
    help_change = Signal(str, str, object)
    ack = Signal(str, str, object)
    connection = Signal(bool)
    bridge = Signal(str, object, bool)  # site, payload, retained

    def callbacks(self) -> AdminCallbacks:
        return AdminCallbacks(
            self.status.emit,
            self.help_change.emit,
            self.ack.emit,
            self.connection.emit,
            self.bridge.emit,
        )


@dataclass(frozen=True)
class AdminOptions:
    db_url: str
    admin: str
    fleet: FleetSettings = field(default_factory=FleetSettings)
    min_count: int = DEFAULT_MIN_COUNT
    broker_url: str = ""
    retry_ms: int = RETRY_MS
    lang: str = "en"  # the console's language: also the reports' (nl, fr, en)
    # [sites.NAME] topics: what a call at that site may be closed with (issue 16)
    site_topics: Mapping[str, Sequence[str]] = field(default_factory=dict)


def _shown_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a bad URL is reported by the database itself
        return url


class QtAdminWindow(QMainWindow):
    def __init__(self, options: AdminOptions, clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__()
        self.options = options
        self._clock = clock
        self.zone = ZoneInfo(options.fleet.timezone)
        self.link: AdminLink | None = None
        self.db = QtDatabase(options.db_url, self)
        self.fleet = FleetModel(options.fleet, clock)
        self.queue = HelpQueue(clock=clock)
        self.tracker = CommandTracker(options.admin, clock)
        self.setWindowTitle(tr("QtAdminWindow", "Admin console — kiosk suite"))
        self.setStyleSheet(STYLE)
        root = QWidget()
        layout = QVBoxLayout(root)
        self.db_banner = banner()
        self.broker_banner = banner(
            tr(
                "QtAdminWindow",
                "Not connected to the broker ({url}) — reconnecting… Live states, help calls "
                "and commands wait until it is back.",
            ).format(url=options.broker_url or "?")
        )
        layout.addWidget(self.db_banner)
        layout.addWidget(self.broker_banner)
        self.tabs = QTabWidget()
        self.overview = QtOverviewTab(self.db, self.fleet, self.queue, clock)
        self.fleet_tab = QtFleetTab(self.fleet, clock)
        self.helpdesk = QtHelpDeskTab(
            self.db, self.queue, options.admin, self.zone, clock, self.today
        )
        self.helpdesk.site_topics = options.site_topics
        self.usage = QtUsageTab(self.db, self.today, timezone=options.fleet.timezone)
        self.reports = QtReportsTab(self.db, self.today, options.min_count, lang=options.lang)
        self.commands = QtCommandsTab(self.db, self.fleet, self.tracker, self.zone, clock)
        for tab, name in (
            (self.overview, tr("QtAdminWindow", "Overview")),
            (self.fleet_tab, tr("QtAdminWindow", "Fleet")),
            (self.helpdesk, tr("QtAdminWindow", "Help desk")),
            (self.usage, tr("QtAdminWindow", "Usage")),
            (self.reports, tr("QtAdminWindow", "Reports")),
            (self.commands, tr("QtAdminWindow", "Commands")),
        ):
            self.tabs.addTab(tab, name)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(root)
        self.statusBar().showMessage(
            tr("QtAdminWindow", "Signed in as {admin} · database {db}").format(
                admin=options.admin, db=_shown_url(options.db_url)
            )
        )
        self.db.state_changed.connect(self._db_state)
        self._views = QTimer(self)  # many retained statuses at once: redraw once
        self._views.setSingleShot(True)
        self._views.timeout.connect(self._update_views)
        self.helpdesk.queue_changed.connect(self._schedule_views)
        self._machines = QTimer(self)
        self._machines.timeout.connect(self.load_machines)
        self._machines.start(30_000)
        self._retry = QTimer(self)
        self._retry.timeout.connect(self.refresh_all)

    def today(self) -> date:
        return self._clock().astimezone(self.zone).date()

    def attach(self, link: AdminLink, bridge: QtAdminBridge) -> None:
        self.link = link
        bridge.status.connect(self.on_status)
        bridge.help_change.connect(self.on_help_change)
        bridge.ack.connect(self.on_ack)
        bridge.connection.connect(self.set_connected)
        bridge.bridge.connect(self.on_bridge)
        self.helpdesk.reply = link.reply_help
        self.commands.publish = link.publish_command
        self.set_connected(link.connected)

    def start(self) -> None:
        """First loads; call once the window is shown."""
        self.refresh_all()

    def refresh_all(self) -> None:
        self.load_machines()
        self.db.submit(known_sites, self._sites_loaded)
        self.overview.refresh()
        self.helpdesk.refresh()
        self.usage.refresh()
        self.reports.refresh()
        self.commands.refresh()

    def load_machines(self) -> None:
        self.db.submit(machines, self._machines_loaded)

    def _machines_loaded(self, records: list[MachineRecord]) -> None:
        if self.fleet.load(records):
            self._update_views()

    def _sites_loaded(self, sites: list[str]) -> None:
        for bar in (self.usage.filters, self.helpdesk.filters, self.reports.filters):
            bar.set_sites(sites)

    def on_status(self, site: str, machine: str, status: Status, retained: bool) -> None:
        if self.fleet.apply_status(site, machine, status, self._clock(), retained):
            self.queue.set_online(machine, status.state != "offline", site=site)
            self._schedule_views()

    def on_bridge(self, site: str, payload: bytes, retained: bool) -> None:
        """A site broker's bridge up or down (issue 21): the fleet view and the overview."""
        if self.fleet.apply_bridge(site, payload, self._clock(), retained):
            self._schedule_views()

    def on_ack(self, site: str, machine: str, ack: CommandAck) -> None:
        self.commands.on_ack(site, machine, ack)

    def on_help_change(self, site: str, machine: str, change: HelpChange) -> None:
        self.helpdesk.on_help_change(site, machine, change)

    def _schedule_views(self) -> None:
        self._views.start(300)

    def _update_views(self) -> None:
        self.overview.update_view()
        self.fleet_tab.update_view()
        self.commands.sync_targets()

    def set_connected(self, connected: bool) -> None:
        self.broker_banner.setVisible(not connected)
        self.commands.connected = connected
        self.overview.set_live(
            connected,
            tr("QtAdminWindow", "no connection to the broker {url}").format(
                url=self.options.broker_url or "?"
            ),
        )

    def _db_state(self, reachable: bool, message: str) -> None:
        if reachable:
            self.db_banner.hide()
            self._retry.stop()
            return
        self.db_banner.setText(
            tr("QtAdminWindow", "Database unreachable: {why} — trying again every {s} s.").format(
                why=message, s=max(1, self.options.retry_ms // 1000)
            )
        )
        self.db_banner.show()
        if not self._retry.isActive():
            self._retry.start(self.options.retry_ms)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._retry.stop()
        self.db.close()
        super().closeEvent(event)


PREFERRED = QSize(1400, 900)  # on a large screen; a laptop's 1366x768 gets less


def fit_to_screen(window: QMainWindow, available: QRect) -> None:
    """Open at the preferred size, or at most the screen's free area (1366x768 minus the
    taskbar on a coordinator's laptop) with the window's frame, placed inside it; call it once
    the window is shown (its frame is known then)."""
    frame = window.frameGeometry().size() - window.geometry().size()
    room = available.size() - frame
    size = PREFERRED.boundedTo(room).expandedTo(window.minimumSizeHint().boundedTo(room))
    window.resize(size)
    outer = size + frame
    left = available.left() + max(0, (available.width() - outer.width()) // 2)
    top = available.top() + max(0, (available.height() - outer.height()) // 2)
    window.move(left, top)  # move() places the frame's corner


def run_admin_console(settings: BrokerSettings, options: AdminOptions, lang: str = "en") -> int:
    """Open the console and keep it live until the window closes or Ctrl-C."""
    import signal
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    translators = install_translators(app, lang)  # noqa: F841 - kept alive with the window
    window = QtAdminWindow(replace(options, lang=lang))
    bridge = QtAdminBridge()
    link = AdminLink(settings, bridge.callbacks())
    window.attach(link, bridge)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.quit())
    ticker = QTimer()
    ticker.timeout.connect(lambda: None)  # lets Python run its signal handlers
    ticker.start(200)
    link.start()
    window.show()
    screen = window.screen() or app.primaryScreen()
    if screen is not None:
        fit_to_screen(window, screen.availableGeometry())
    window.start()
    code = app.exec()
    link.stop()
    window.db.close()
    return int(code)
