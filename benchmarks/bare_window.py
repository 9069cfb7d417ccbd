"""The floor of the kiosk's start: a bare PySide6 window with 12 buttons, measured like
``kiosk --self-test``: ``ready_ms`` from process creation to the first shown-and-idle moment
(a zero timer after ``show``), ``rss_mb`` once the window has painted itself once.

The window is 1366x768, the size ``kiosk --self-test`` shows the kiosk at (a kiosk PC's
screen). Its first paint allocates the backing store (1366 x 768 x 4 bytes = 4 MB); the kiosk's
memory is taken after its first paint too, so both sides count it.

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/bare_window.py   → one JSON line
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QGridLayout, QMainWindow, QPushButton, QWidget


def process_created(process: psutil.Process) -> float:
    """When ``process`` was created, to 10 ms: the same as ``kiosk.health.process_created``
    (copied: the floor must not import the suite). psutil's own is up to 1 s early on Linux."""
    try:
        stat = Path(f"/proc/{process.pid}/stat").read_text()
        booted = time.time() - float(Path("/proc/uptime").read_text().split()[0])
    except OSError:  # not Linux
        return float(process.create_time())
    ticks = int(stat.rsplit(")", 1)[1].split()[19])  # starttime, field 22 of /proc/PID/stat
    return booted + ticks / os.sysconf("SC_CLK_TCK")


class FirstPaint(QObject):
    """Calls back once, just after the window's first paint (as the kiosk's self-test does)."""

    def __init__(self, window: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self._callback = callback
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._callback)
        return False


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    root = QWidget()
    grid = QGridLayout(root)
    for i in range(12):
        grid.addWidget(QPushButton(f"Button {i + 1}"), i // 4, i % 4)
    window.setCentralWidget(root)
    window.resize(1366, 768)
    window.show()
    process = psutil.Process()
    ready: list[float] = []

    def mark_ready() -> None:
        ready[:] = [(time.time() - process_created(process)) * 1000, time.process_time() * 1000]

    def report() -> None:
        rss_mb = process.memory_info().rss / 2**20
        ready_ms, ready_cpu_ms = ready
        figures = {"ready_ms": ready_ms, "ready_cpu_ms": ready_cpu_ms, "rss_mb": rss_mb}
        print(json.dumps({k: round(v, 1) for k, v in figures.items()}), flush=True)
        app.quit()

    QTimer.singleShot(0, mark_ready)
    FirstPaint(window, report)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
