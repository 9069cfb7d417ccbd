"""Wires the kiosk together: settings, outbox, model, MQTT link, window (composition root)."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QEvent,
    QMessageLogContext,
    QObject,
    Qt,
    QTimer,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QWidget

from kiosk import i18n
from kiosk.model.commands import CommandHandler
from kiosk.model.core import KioskCore
from kiosk.model.outbox import Outbox
from kiosk.model.pc_label import PcLabel
from kiosk.model.quiet_logs import Seen, explain
from kiosk.model.staff_exit import StaffGate
from kiosk.settings import KioskSettings
from kiosk.ui.lockdown import QtLockdown
from kiosk.ui.window import QtKioskWindow
from kiosk.wire.protocol import Command, Rejected, encode_ack, parse_ts

if TYPE_CHECKING:  # paho, psutil, the task catalog and the visit's widgets load after the
    # start screen shows
    from kiosk.printing.desk import PrintDesk
    from kiosk.ui.visit import QtVisitController
    from kiosk.uplink.health import HealthProbe
    from kiosk.uplink.link import KioskLink, LinkCallbacks

log = logging.getLogger("kiosk")

# At shutdown (SIGTERM, staff exit) the visit's last events may take this long to reach the
# broker; then "offline" and a clean disconnect. The service unit's TimeoutStopSec is above
# it all (installer/deb/kiosk-suite-kiosk.service).
SHUTDOWN_FLUSH_S = 2.0


class QtLinkBridge(QObject):
    """Carries what paho receives on its thread into the GUI thread (queued signals)."""

    help_reply = Signal(object)
    command = Signal(object)
    connection = Signal(bool)
    queue = Signal(object)  # the site's SiteQueue, or None

    def callbacks(self) -> LinkCallbacks:
        from kiosk.uplink.link import LinkCallbacks

        return LinkCallbacks(
            self.help_reply.emit, self.command.emit, self.connection.emit, self.queue.emit
        )


class KioskApp:
    """The running kiosk: its model, its link and its window."""

    def __init__(self, settings: KioskSettings) -> None:
        self.settings = settings
        self.outbox = Outbox(settings.outbox_path)
        self.core = KioskCore(self.outbox, policy=settings.policy, default_lang=settings.lang)
        self.label = PcLabel(self.outbox, settings.label)
        self.bridge = QtLinkBridge()
        # The network link, health probe and task catalog come right after the start screen
        # shows (finish_start): a visitor sees the screen sooner, and nothing waits on them.
        self.link: KioskLink | None = None
        self.health: HealthProbe | None = None
        self.window = QtKioskWindow(self.core)
        self._visit: QtVisitController | None = None  # made by finish_start (or on first use)
        self._printing: PrintDesk | None = None  # [printing] printer; made with the visit
        self.commands = CommandHandler(
            {
                "ping": lambda _args: None,
                "end_session": lambda _args: self.window.end_by_staff(
                    lambda: self.core.end_session("admin")
                ),
                "lock": lambda _args: self.window.end_by_staff(self.core.lock),
                "unlock": lambda _args: self._unlock(),
                "announce": self._announce,
                "reload_content": lambda _args: self.visit.reload(),
                "set_label": self._set_label,
            }
        )
        self.gate = StaffGate(settings.staff_pin_hash, time.monotonic)
        self.ready_at: float | None = None
        self.ready_cpu_s: float | None = None  # this process's CPU time until then (self-test)
        self.lockdown: QtLockdown | None = None
        self.bridge.help_reply.connect(self.core.apply_help_reply)
        self.bridge.command.connect(self._on_command)
        self.bridge.connection.connect(self.window.set_broker_online)
        self.bridge.queue.connect(self.core.apply_queue)
        self.core.subscribe(self._model_changed)

    @property
    def visit(self) -> QtVisitController:
        """Tasks and the browser area. Made once the start screen shows (``finish_start``):
        its widgets and the allowlist cost ~25 ms that the start screen does not need."""
        if self._visit is None:
            from kiosk.browser.allowlist import Allowlist
            from kiosk.ui.visit import QtVisitController

            self._visit = QtVisitController(
                self.core,
                self.window,
                None,
                Allowlist.default(),
                self.settings.data_dir / "visit-downloads",
                self._make_printing(),
            )
        return self._visit

    def _make_printing(self) -> PrintDesk | None:
        """The print desk when [printing] names a printer (issue 19); its state changes go
        out in the status at once."""
        if self.settings.printing.printer is None:
            return None
        from kiosk.printing.desk import PrintDesk

        desk = PrintDesk(self.settings.printing, self.settings.data_dir, self.core, self.outbox)
        desk.subscribe(lambda _state: self._model_changed())
        self._printing = desk
        return desk

    def finish_start(self) -> None:
        """Probe for a speech engine, load the task catalog, start the health probe and the link."""
        from kiosk.tasks import REQUIRED_LANGUAGES, default_folders, load_catalog
        from kiosk.uplink.health import HealthProbe
        from kiosk.uplink.link import KioskLink

        settings = self.settings
        self.window.home_screen  # noqa: B018 - made now, so that Start shows it at once
        reader = self.window.reader
        reader.known.connect(self._read_aloud_known)
        reader.probe()  # in a child process: the read-aloud controls show when it finds a voice
        self.visit.set_catalog(
            load_catalog(default_folders(settings.tasks_dir), REQUIRED_LANGUAGES)
        )
        self.health = HealthProbe(settings.data_dir)
        self.link = KioskLink(
            settings.broker,
            settings.site,
            settings.machine,
            self.outbox,
            self._status,
            self.bridge.callbacks(),
            heartbeat_s=settings.heartbeat_s,
        )
        self.link.start()

    def _read_aloud_known(self, available: bool) -> None:
        self.window.set_read_aloud_available(available)
        self.visit.activity.player.read_button.setVisible(available)

    def _status(self) -> dict[str, Any]:
        health = self.health.figures() if self.health is not None else {}
        return {
            **self.core.status(),
            **health,
            "content_problems": self.visit.content_problems(),
            "label": self.label.value,
            # Asks CUPS at most every 30 s (on the link's thread, never the screen's).
            "printer": self._printing.status_figure() if self._printing is not None else None,
        }

    def _unlock(self) -> None:
        """Back in service: the message of the lock that ended a visit belongs to then, not to
        the next visitor, whose first touch starts a visit."""
        self.window.dismiss_goodbye()
        self.core.unlock()

    def _set_label(self, args: Any) -> None:
        """``set_label``: kept in the data folder, and the status says it at once."""
        self.label.set_from_command(args)
        if self.link is not None:
            self.link.status_changed()

    def _model_changed(self) -> None:
        if self.link is not None:
            self.link.wake()
            self.link.status_changed()

    def _on_command(self, command: Command) -> None:
        result = self.commands.handle(command)
        if self.link is not None:
            self.link.send_ack(encode_ack(command.id, result.ok, result.error, result.reason))

    def _announce(self, args: Any) -> None:
        from kiosk.model.commands import CommandRefused

        until = None
        if args.get("until") is not None:
            try:
                until = parse_ts(args["until"], "until")
            except Rejected as err:
                raise CommandRefused(err.detail) from None
        try:
            self.core.announce(args, until)
        except CommandRefused:
            raise

    def start(self, windowed: bool, *, defer: bool = False) -> None:
        """Show the kiosk; full screen and locked down unless ``windowed`` (demo, tests).

        ``defer``: finish starting (catalog, link) once the start screen is on the screen.
        """
        self.lockdown = QtLockdown(
            self.window,
            self.gate,
            self.core.activity,
            enforce=not windowed,
            texts=lambda: i18n.Texts(self.core.lang),
        )
        lockdown = self.lockdown
        self.window.allow_close = lambda: not lockdown.enforce or lockdown.exit_granted
        if windowed:
            self.window.resize(1366, 768)
            self.window.show()
        else:
            self.window.setWindowFlags(
                Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
            )
            self.window.showFullScreen()
        lockdown.attach()
        self.window.focus_start()
        if defer:
            QTimer.singleShot(0, self._mark_ready)
            QTimer.singleShot(0, self.finish_start)
        else:
            self.finish_start()

    def _mark_ready(self) -> None:
        self.ready_at = time.time()
        self.ready_cpu_s = time.process_time()

    def shutdown(self) -> None:
        self.window.reader.close()
        if self.lockdown is not None:
            self.lockdown.detach()
        self.core.end_session("shutdown")
        if self.link is not None:
            self.link.flush(SHUTDOWN_FLUSH_S)
            self.link.stop()
        self.outbox.close()


def _install_signal_handlers(app: QApplication) -> QTimer:
    # exit(), not quit(): Qt 6's quit() first asks every window to close, and the full-screen
    # kiosk refuses (the lockdown), so SIGTERM did nothing and systemd had to kill it (issue
    # 15). exit() ends the event loops (a staff PIN dialog's too); run() then shuts down.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.exit(0))
    # Qt's loop never yields to Python on its own; a tick lets the signal handlers run.
    timer = QTimer()
    timer.start(200)
    timer.timeout.connect(lambda: None)
    return timer


def _when_shown(callback: Callable[[], None]) -> None:
    QTimer.singleShot(0, callback)


class _FirstPaint(QObject):
    """Calls back once, just after the window's first paint."""

    def __init__(self, window: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self._callback = callback
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._callback)
        return False


def make_application() -> QApplication:
    """The QApplication, set up the way QtWebEngine needs it (before it is created)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if as_root and not os.environ.get("QTWEBENGINE_DISABLE_SANDBOX"):
        # Chromium refuses to run as root with its sandbox; a real kiosk runs as its own user.
        log.warning("running as root: the browser's sandbox is off (run the kiosk as a user)")
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    quiet_chromium()
    qInstallMessageHandler(_qt_message)
    return QApplication(sys.argv[:1])


_seen = Seen()
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's lines into the kiosk's log; the known harmless ones explained once, then left out
    (kiosk/model/quiet_logs.py, docs/accessibility.md "Quiet logs")."""
    meaning = explain(message)
    if meaning is None:
        logging.getLogger("kiosk.qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)
    elif _seen.first_time(meaning):
        logging.getLogger("kiosk.qt").info("harmless: %s", meaning)


def quiet_chromium() -> None:
    """Chromium's own log (GPU, D-Bus) to fatal errors only, unless the admin set a level."""
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--log-level" not in flags:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --log-level=3".strip()


def run(
    settings: KioskSettings,
    *,
    windowed: bool,
    self_test: bool,
    on_started: Callable[[KioskApp], object] | None = None,
) -> int:
    """The kiosk's whole life. ``on_started``: called once the window shows (the tests that
    drive the real full-screen kiosk under a window manager hook in here)."""
    app = make_application()
    assert isinstance(app, QApplication)
    kiosk = KioskApp(settings)
    ticker = _install_signal_handlers(app)
    kiosk.start(windowed or self_test, defer=True)
    keep = on_started(kiosk) if on_started is not None else None
    if self_test:

        def report() -> None:
            # ready_ms: the start screen on the screen and taking touches; started_ms: also the
            # task catalog, the broker link and the speech probe's answer; rss_mb: memory after
            # all that, before a browser (or an engine: it loads when read aloud is first used).
            import psutil

            from kiosk.uplink.health import process_created

            process = psutil.Process()
            born = process_created(process)
            ready = kiosk.ready_at or time.time()
            catalog = kiosk.visit.catalog
            print(
                json.dumps(
                    {
                        "ready_ms": round((ready - born) * 1000, 1),
                        # CPU time until ready: what the start costs, whatever the machine's load
                        "ready_cpu_ms": round((kiosk.ready_cpu_s or time.process_time()) * 1000, 1),
                        "started_ms": round((time.time() - born) * 1000, 1),
                        "rss_mb": round(process.memory_info().rss / 2**20, 1),
                        "tasks": 0 if catalog is None else len(catalog.tasks()),
                        "browser_loaded": "PySide6.QtWebEngineCore" in sys.modules,
                        "read_aloud": kiosk.window.reader.available,
                        "speech_loaded": "PySide6.QtTextToSpeech" in sys.modules,
                        "screen": kiosk.window.stack.currentWidget().__class__.__name__,
                        "languages": i18n.languages(),
                        "outbox_pending": kiosk.outbox.count(),
                        "site": settings.site,
                        "machine": settings.machine,
                    }
                ),
                flush=True,
            )
            app.quit()

        # Report once the deferred start is done (the speech probe has answered: the child
        # process has ended) and the window has painted itself once (its backing store, ~4 MB
        # at 1366x768, exists): memory as it stays, not a moment before it settles.
        waiting = {"probe", "paint"}

        def started(what: str) -> None:
            if what in waiting:
                waiting.remove(what)
                if not waiting:
                    report()

        def after_deferred_start() -> None:
            reader = kiosk.window.reader
            if reader.pending:
                reader.known.connect(lambda _available: started("probe"))
            else:
                started("probe")

        _FirstPaint(kiosk.window, lambda: started("paint"))
        _when_shown(after_deferred_start)
    code = app.exec()
    del keep
    ticker.stop()
    kiosk.shutdown()
    return int(code)
