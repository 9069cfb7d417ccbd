"""Printing (issue 19): "Print" pressed → the job accepted by CUPS; and the visit's end with
printing included (the wipe goal stays ≤ 250 ms median).

A real ``KioskApp`` offscreen with ``[printing]`` on a private CUPS (tests/cups_server.py: a
cups-pdf virtual printer, history off; needs root), its browser on a local page. Each visit:
the browser bar's Print (the page made into a PDF, shown on the print screen: "preview"), then
the print screen's Print, timed until CUPS answered with a job id ("print"). The printer is
stopped for the visit so that its two jobs wait in the queue, and the visit's end must cancel
and purge them: ``core.end_session("user")`` until Qt is idle again ("wipe", as
bench_wipe.py measures it, now with the cancels).

Floors, same run: ``lp`` of the same PDF straight from a shell-less subprocess (what CUPS costs
without the kiosk), and ``cancel -x`` of two jobs the same way.

The first visit (QtWebEngine's start) is not counted.

Usage: python benchmarks/bench_printing.py [--quick] [--runs N] [--visits N]
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from benchmarks import qt_refcount_guard
from benchmarks.infra import Result, common_args, emit, median
from kiosk.settings import KioskSettings
from kiosk.ui.app import KioskApp, make_application
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.config_schema import PrintingTable
from tests.cups_server import CupsServer, cups_server, missing
from tests.fixtures.browser_pages.qt_helpers import ALLOWLIST
from tests.fixtures.browser_pages.server import TestSite
from tests.harness import free_port

WAIT_S = 30.0


def spin_until(app: QApplication, done: Callable[[], bool], what: str) -> None:
    """Run Qt's event loop until ``done()`` (the benchmark's own loop: no test tools here)."""
    deadline = time.monotonic() + WAIT_S
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.002)


def until_idle(app: QApplication) -> None:
    fired: list[bool] = []
    QTimer.singleShot(0, lambda: fired.append(True))
    spin_until(app, lambda: bool(fired), "Qt idle")


class PrintRun:
    def __init__(self, app: QApplication, cups: CupsServer, site: TestSite, visits: int) -> None:
        self.app, self.cups, self.site = app, cups, site
        self.visits = visits + 1  # the first is a warm-up
        folder = Path(tempfile.mkdtemp(prefix="bench-print-"))
        printing = PrintingTable(
            printer=cups.printer, server=str(cups.socket), pages_per_visit=1000, pages_per_day=10000
        )
        broker = parse_broker_url(f"mqtt://127.0.0.1:{free_port()}")  # no broker: not measured
        self.kiosk = KioskApp(
            KioskSettings(broker, "bench", "pc-1", folder, tasks_dir=folder, printing=printing)
        )
        self.kiosk.start(windowed=True)
        self.preview_ms: list[float] = []
        self.print_ms: list[float] = []
        self.wipe_ms: list[float] = []
        self.wipe_session_ms: list[float] = []
        self.lp_ms: list[float] = []
        self.cancel_ms: list[float] = []
        self.pdf = folder / "floor.pdf"

    def visit(self, counted: bool) -> None:
        app, kiosk, cups = self.app, self.kiosk, self.cups
        kiosk.core.start_session()
        browser = kiosk.visit.activity.show_browser(with_player=False)
        browser.allowlist = ALLOWLIST
        kiosk.window.show_activity(kiosk.visit.activity)
        browser.open_url(self.site.url("/print.html"))
        page = browser.page
        assert page is not None
        spin_until(app, lambda: not page.isLoading() and page.title() == "print", "the page")
        printing = browser.printing
        assert printing is not None
        pages: list[int] = []
        printing.pdf_ready.connect(pages.append)
        t0 = time.perf_counter()
        browser.print_button.click()
        spin_until(app, lambda: bool(pages), "the preview")
        until_idle(app)
        preview = (time.perf_counter() - t0) * 1000
        if pages[0] < 1:
            raise RuntimeError("the page could not be made into a PDF")
        cups.run("cupsdisable", cups.printer)  # the jobs wait: the visit's end must cancel them
        t0 = time.perf_counter()
        printing.screen.print_button.click()  # print_now: returns once lp gave the job id
        printed = (time.perf_counter() - t0) * 1000
        job = printing.desk.visit.jobs[-1] if printing.desk.visit.jobs else None
        if job is None:
            raise RuntimeError("CUPS accepted no job")
        printing.print_now()  # a second job of the visit (a second press, as a visitor may)
        printing.pdf_ready.disconnect(pages.append)
        if printing._path is not None:  # the floor prints the same file
            self.pdf.write_bytes(printing._path.read_bytes())
        t0 = time.perf_counter()
        kiosk.core.end_session("user")
        until_idle(app)
        wipe = (time.perf_counter() - t0) * 1000
        if cups.run("lpstat", "-o").stdout.strip():
            raise RuntimeError("a job of the visit is still queued after its end")
        # Floors: CUPS's own commands, as a shell would run them.
        t0 = time.perf_counter()
        done = cups.run("lp", "-d", cups.printer, "-t", "kiosk", "--", str(self.pdf))
        lp = (time.perf_counter() - t0) * 1000
        second = cups.run("lp", "-d", cups.printer, "-t", "kiosk", "--", str(self.pdf))
        jobs = [out.stdout.split()[3] for out in (done, second)]
        t0 = time.perf_counter()
        for floor_job in jobs:
            cups.run("cancel", "-x", floor_job)
        cancel = (time.perf_counter() - t0) * 1000
        cups.run("cupsenable", cups.printer)
        if counted:
            self.preview_ms.append(preview)
            self.print_ms.append(printed)
            self.wipe_ms.append(wipe)
            self.wipe_session_ms.append(kiosk.visit.wipes_ms[-1])
            self.lp_ms.append(lp)
            self.cancel_ms.append(cancel)

    def run(self) -> None:
        for number in range(self.visits):
            self.visit(counted=number > 0)

    def close(self) -> None:
        self.kiosk.shutdown()
        self.kiosk.window.allow_close = lambda: True
        self.kiosk.window.close()


def main() -> int:
    parser = common_args(__doc__)
    parser.add_argument("--visits", type=int, help="measured visits per run (default 20)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    reason = missing()
    if reason:
        print(f"bench_printing: {reason}", file=sys.stderr)
        return 2
    visits = args.visits or (5 if args.quick else 20)
    app = make_application()
    assert isinstance(app, QApplication)
    guard = qt_refcount_guard.install()
    keys = ("preview", "print", "wipe", "wipe_session", "lp", "cancel", "wipe_max")
    medians: dict[str, list[float]] = {key: [] for key in keys}
    site = TestSite().start()
    try:
        with cups_server() as cups:
            for i in range(args.runs):
                run = PrintRun(app, cups, site, visits)
                try:
                    run.run()
                finally:
                    run.close()
                for key, values in (
                    ("preview", run.preview_ms),
                    ("print", run.print_ms),
                    ("wipe", run.wipe_ms),
                    ("wipe_session", run.wipe_session_ms),
                    ("lp", run.lp_ms),
                    ("cancel", run.cancel_ms),
                ):
                    medians[key].append(median(values))
                medians["wipe_max"].append(max(run.wipe_ms))
                print(
                    f"  run {i + 1}/{args.runs}: Print → job accepted {medians['print'][-1]:.1f} ms"
                    f" (bare lp {medians['lp'][-1]:.1f} ms); bar's Print → preview"
                    f" {medians['preview'][-1]:.0f} ms; end + wipe with 2 jobs"
                    f" {medians['wipe'][-1]:.1f} ms (wipe_session {medians['wipe_session'][-1]:.1f}"
                    f" ms, bare cancel ×2 {medians['cancel'][-1]:.1f} ms)",
                    flush=True,
                )
    finally:
        site.stop()
    wipe = median(medians["wipe"])
    results = [
        Result(
            "print_accepted_median",
            'print screen\'s "Print" → job accepted by CUPS (median)',
            median(medians["print"]),
            "ms",
            median(medians["lp"]),
            "bare `lp` of the same PDF",
            "figure asked for",
            None,
            runs=medians["print"],
            floor_runs=medians["lp"],
            higher_is_better=False,
            notes=(
                f"{visits} visits a run, median of {args.runs} runs' medians; the browser bar's "
                f"Print → preview shown (printToPdf) {median(medians['preview']):.0f} ms"
            ),
        ),
        Result(
            "wipe_with_printing_median",
            "session end + wipe with 2 queued jobs cancelled → idle (median)",
            wipe,
            "ms",
            median(medians["cancel"]),
            "bare `cancel -x` of 2 jobs",
            "≤ 250 ms",
            wipe <= 250,
            runs=medians["wipe"],
            floor_runs=medians["cancel"],
            higher_is_better=False,
            notes=(
                f"wipe_session alone {median(medians['wipe_session']):.1f} ms; worst visit "
                f"{max(medians['wipe_max']):.0f} ms"
            ),
        ),
    ]
    emit(results, args.json_out)
    del guard
    return 0


if __name__ == "__main__":
    sys.exit(main())
