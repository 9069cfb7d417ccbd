"""Help-call latency, kiosk button → buddy desk, through Mosquitto on loopback (goal p99 ≤ 50 ms).

A real ``KioskApp`` (offscreen) and a real ``QtBuddyDesk`` with its ``BuddyLink`` in one
process, on one Mosquitto with the dev config. Each sample: ``KioskCore.call_buddy()`` — what
the green button calls: outbox write, listeners, uploader thread, status and help messages,
broker — until (a) the buddy desk's ``BuddyLink`` callback has the ``open`` call (paho's
thread) and (b) the desk's table shows its row (GUI thread, after ``refresh``). Then the call
is cancelled, and the next sample starts when the cancellation has reached the desk.

Floor: a bare paho publish → subscribe round trip (QoS 1, a payload of the same size) through
the same broker, in the same process and run.

Usage: python benchmarks/bench_help_latency.py [--quick] [--runs N] [--samples N]
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from admin_console.desk.help_queue import HelpQueue
from admin_console.links.buddy import BuddyCallbacks, BuddyLink
from admin_console.ui.buddy_desk import QtBuddyBridge, QtBuddyDesk
from benchmarks import qt_refcount_guard
from benchmarks.infra import RunPercentiles, common_args, emit, latency_results, paho_round_trips
from kiosk.settings import KioskSettings
from kiosk.ui.app import KioskApp, make_application
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.protocol import HelpChange
from tests.harness import Mosquitto

SITE, MACHINE = "schaerbeek", "pc-03"


class HelpRun:
    """Drives the kiosk and the desk from Qt timers (no static processEvents: see README)."""

    def __init__(self, app: QApplication, broker: Mosquitto, samples: int, folder: Path) -> None:
        self.app = app
        self.samples = samples
        settings = parse_broker_url(broker.url)
        self.kiosk = KioskApp(KioskSettings(settings, SITE, MACHINE, folder))
        self.kiosk.start(windowed=True)
        self.desk = QtBuddyDesk(HelpQueue(), SITE, "Sara")
        self.bridge = QtBuddyBridge()
        bridge = self.bridge
        self.link_seen: dict[str, float] = {}
        self.row_seen: dict[str, float] = {}
        self.cancelled: set[str] = set()
        self.desk_online = threading.Event()

        def help_change(machine: str, change: HelpChange) -> None:  # paho's thread
            if change.state == "open":
                self.link_seen.setdefault(change.request, time.perf_counter())
            bridge.help_change.emit(machine, change)

        def connection(online: bool) -> None:
            if online:
                self.desk_online.set()
            bridge.connection.emit(online)

        self.buddy = BuddyLink(
            settings, SITE, BuddyCallbacks(help_change, bridge.machine_online.emit, connection)
        )
        self.desk.attach(self.buddy, bridge)
        bridge.help_change.connect(self._after_desk)  # runs after the desk's own slot
        self.buddy.start()
        self.desk.show()
        self.started: dict[str, float] = {}
        self.order: list[str] = []
        self.deadline = time.monotonic() + 60 + samples * 1.0

    def _after_desk(self, machine: str, change: HelpChange) -> None:
        if change.state == "open" and self.desk.row_of(machine) >= 0:
            self.row_seen.setdefault(change.request, time.perf_counter())
        elif change.state == "cancelled":
            self.cancelled.add(change.request)

    def run(self) -> None:
        QTimer.singleShot(10, self._wait_connected)
        self.app.exec()

    def _later(self, ms: int, step: object) -> None:
        if time.monotonic() > self.deadline:
            print("  help latency: timed out", flush=True)
            self.app.quit()
            return
        QTimer.singleShot(ms, step)  # type: ignore[call-overload]

    def _wait_connected(self) -> None:
        if self.kiosk.link.connected and self.desk_online.is_set():
            self.kiosk.core.start_session()
            self._later(500, self._call)  # let the session's own messages pass first
        else:
            self._later(10, self._wait_connected)

    def _call(self) -> None:
        core = self.kiosk.core
        t0 = time.perf_counter()
        core.call_buddy()
        assert core.help is not None
        request = core.help.request
        self.started[request] = t0
        self.order.append(request)
        self._later(1, self._wait_seen)

    def _wait_seen(self) -> None:
        request = self.order[-1]
        if request in self.row_seen:
            self.kiosk.core.cancel_help()
            self._later(1, self._wait_cancelled)
        else:
            self._later(1, self._wait_seen)

    def _wait_cancelled(self) -> None:
        if self.order[-1] in self.cancelled:
            if len(self.order) >= self.samples:
                self.app.quit()
            else:
                self._later(20, self._call)
        else:
            self._later(1, self._wait_cancelled)

    def latencies(self) -> tuple[list[float], list[float]]:
        link = [(self.link_seen[r] - self.started[r]) * 1000 for r in self.order]
        rows = [(self.row_seen[r] - self.started[r]) * 1000 for r in self.order]
        return link, rows

    def close(self) -> None:
        self.buddy.stop()
        self.kiosk.shutdown()
        self.desk.close()
        self.kiosk.window.allow_close = lambda: True
        self.kiosk.window.close()


def main() -> int:
    parser = common_args(__doc__)
    parser.add_argument("--samples", type=int, help="help calls per run (default 300)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    samples = args.samples or (100 if args.quick else 300)
    app = make_application()  # as the kiosk makes it (QtWebEngine needs shared GL contexts)
    assert isinstance(app, QApplication)
    guard = qt_refcount_guard.install()
    link, rows, floor = RunPercentiles(), RunPercentiles(), RunPercentiles()
    kept: list[HelpRun] = []  # never freed mid-run: a paho thread could drop the last reference
    for i in range(args.runs):
        with Mosquitto() as broker:
            run = HelpRun(app, broker, samples, Path(tempfile.mkdtemp(prefix="bench-help-")))
            kept.append(run)
            try:
                run.run()
                link_latencies, row_latencies = run.latencies()
            finally:
                run.close()
            floor_latencies = paho_round_trips(broker.port, samples, 200, "bench/help", 0.02)
        if len(link_latencies) < samples:
            raise RuntimeError(f"only {len(link_latencies)} of {samples} help calls arrived")
        link.add(link_latencies)
        rows.add(row_latencies)
        floor.add(floor_latencies)
        print(
            f"  run {i + 1}/{args.runs}: BuddyLink p50 {link.p50[-1]:.1f} ms,"
            f" p99 {link.p99[-1]:.1f} ms; desk row p50 {rows.p50[-1]:.1f} ms,"
            f" p99 {rows.p99[-1]:.1f} ms; floor p50 {floor.p50[-1]:.2f} ms,"
            f" p99 {floor.p99[-1]:.2f} ms",
            flush=True,
        )
    note = f"{samples} help calls a run; median over {args.runs} runs of each run's percentile"
    results = [
        *latency_results(
            "help_p{pct}_desk",
            "help call p{pct}, call_buddy() → row on the buddy desk",
            rows,
            floor,
            goal_ms=50,
            notes=note,
        ),
        *latency_results(
            "help_p{pct}_link",
            "help call p{pct}, call_buddy() → BuddyLink callback",
            link,
            floor,
            goal_ms=50,
        ),
    ]
    emit(results, args.json_out)
    del guard
    return 0


if __name__ == "__main__":
    sys.exit(main())
