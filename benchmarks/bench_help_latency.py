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

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from admin_console.desk.help_queue import HelpQueue
from admin_console.links.buddy import BuddyCallbacks, BuddyLink
from admin_console.ui.buddy_desk import QtBuddyBridge, QtBuddyDesk
from benchmarks import qt_refcount_guard
from benchmarks.infra import Result, common_args, emit, median, percentile
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


def paho_round_trips(port: int, samples: int, size: int) -> list[float]:
    """The floor: publish (QoS 1) → the subscriber's on_message, one at a time."""
    got = threading.Event()
    subscribed = threading.Event()
    stamp = [0.0]
    sub = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)

    def on_message(*_: object) -> None:
        stamp[0] = time.perf_counter()
        got.set()

    sub.on_message = on_message
    sub.on_subscribe = lambda *_: subscribed.set()
    sub.on_connect = lambda c, *_: c.subscribe("bench/help", 1)
    for client in (sub, pub):
        client.connect("127.0.0.1", port)
        client.loop_start()
    subscribed.wait(10)
    payload = b"x" * size
    values = []
    try:
        for _ in range(samples):
            got.clear()
            t0 = time.perf_counter()
            pub.publish("bench/help", payload, qos=1)
            if not got.wait(5):
                raise RuntimeError("the floor's message did not arrive")
            values.append((stamp[0] - t0) * 1000)
            time.sleep(0.02)
    finally:
        for client in (sub, pub):
            client.disconnect()
            client.loop_stop()
    return values


def main() -> int:
    parser = common_args(__doc__)
    parser.add_argument("--samples", type=int, help="help calls per run (default 300)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    samples = args.samples or (100 if args.quick else 300)
    app = make_application()  # as the kiosk makes it (QtWebEngine needs shared GL contexts)
    assert isinstance(app, QApplication)
    guard = qt_refcount_guard.install()
    per_run: dict[str, list[float]] = {k: [] for k in ("l50", "l99", "r50", "r99", "f50", "f99")}
    kept: list[HelpRun] = []  # never freed mid-run: a paho thread could drop the last reference
    for i in range(args.runs):
        with Mosquitto() as broker:
            run = HelpRun(app, broker, samples, Path(tempfile.mkdtemp(prefix="bench-help-")))
            kept.append(run)
            try:
                run.run()
                link, rows = run.latencies()
            finally:
                run.close()
            floor = paho_round_trips(broker.port, samples, 200)
        if len(link) < samples:
            raise RuntimeError(f"only {len(link)} of {samples} help calls arrived")
        per_run["l50"].append(percentile(link, 50))
        per_run["l99"].append(percentile(link, 99))
        per_run["r50"].append(percentile(rows, 50))
        per_run["r99"].append(percentile(rows, 99))
        per_run["f50"].append(percentile(floor, 50))
        per_run["f99"].append(percentile(floor, 99))
        print(
            f"  run {i + 1}/{args.runs}: BuddyLink p50 {per_run['l50'][-1]:.1f} ms,"
            f" p99 {per_run['l99'][-1]:.1f} ms; desk row p50 {per_run['r50'][-1]:.1f} ms,"
            f" p99 {per_run['r99'][-1]:.1f} ms; floor p50 {per_run['f50'][-1]:.2f} ms,"
            f" p99 {per_run['f99'][-1]:.2f} ms",
            flush=True,
        )
    note = f"{samples} help calls a run; median over {args.runs} runs of each run's percentile"
    floor_title = "bare paho publish→subscribe, QoS 1"
    results = [
        Result(
            "help_p99_desk",
            "help call p99, call_buddy() → row on the buddy desk",
            median(per_run["r99"]),
            "ms",
            median(per_run["f99"]),
            floor_title + " (p99)",
            "≤ 50 ms",
            median(per_run["r99"]) <= 50,
            runs=per_run["r99"],
            floor_runs=per_run["f99"],
            higher_is_better=False,
            notes=note,
        ),
        Result(
            "help_p50_desk",
            "help call p50, call_buddy() → row on the buddy desk",
            median(per_run["r50"]),
            "ms",
            median(per_run["f50"]),
            floor_title + " (p50)",
            "(none)",
            None,
            runs=per_run["r50"],
            floor_runs=per_run["f50"],
            higher_is_better=False,
        ),
        Result(
            "help_p99_link",
            "help call p99, call_buddy() → BuddyLink callback",
            median(per_run["l99"]),
            "ms",
            median(per_run["f99"]),
            floor_title + " (p99)",
            "≤ 50 ms",
            median(per_run["l99"]) <= 50,
            runs=per_run["l99"],
            floor_runs=per_run["f99"],
            higher_is_better=False,
        ),
        Result(
            "help_p50_link",
            "help call p50, call_buddy() → BuddyLink callback",
            median(per_run["l50"]),
            "ms",
            median(per_run["f50"]),
            floor_title + " (p50)",
            "(none)",
            None,
            runs=per_run["l50"],
            floor_runs=per_run["f50"],
            higher_is_better=False,
        ),
    ]
    emit(results, args.json_out)
    del guard
    return 0


if __name__ == "__main__":
    sys.exit(main())
