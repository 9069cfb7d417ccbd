"""The floor of the kiosk's start: a bare PySide6 window with 12 buttons, measured like
``kiosk --self-test`` (time from process creation to the first shown-and-idle moment, RSS).

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/bare_window.py   → one JSON line
"""

from __future__ import annotations

import json
import sys
import time

import psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QGridLayout, QMainWindow, QPushButton, QWidget


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

    def report() -> None:
        process = psutil.Process()
        ready_ms = (time.time() - process.create_time()) * 1000
        rss_mb = process.memory_info().rss / 2**20
        print(json.dumps({"ready_ms": round(ready_ms, 1), "rss_mb": round(rss_mb, 1)}), flush=True)
        app.quit()

    QTimer.singleShot(0, report)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
