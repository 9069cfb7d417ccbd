"""Health figures for the status heartbeat, from psutil."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psutil

from kiosk import __version__


class HealthProbe:
    """CPU, memory, disk and uptime of this PC; cheap enough to call every heartbeat."""

    def __init__(self, disk_path: Path) -> None:
        self._disk_path = disk_path
        psutil.cpu_percent(interval=None)  # the first call only starts the measurement

    def figures(self) -> dict[str, Any]:
        try:
            disk = psutil.disk_usage(str(self._disk_path)).percent
        except OSError:
            disk = 0.0
        return {
            "version": __version__,
            "cpu_pct": round(min(100.0, psutil.cpu_percent(interval=None)), 1),
            "mem_pct": round(psutil.virtual_memory().percent, 1),
            "disk_pct": round(disk, 1),
            "uptime_s": int(max(0.0, time.time() - psutil.boot_time())),
        }
