"""Health figures for the status heartbeat, from psutil."""

from __future__ import annotations

import os
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


def process_created(process: psutil.Process) -> float:
    """When ``process`` was created (epoch seconds, to 10 ms), for ``kiosk --self-test``.

    psutil's ``create_time`` on Linux adds the start ticks to the boot time of /proc/stat,
    which is whole seconds: up to a second early (0.22 s on the test machine), the same for
    every process. That constant inflated every start time and pulled the kiosk's ratio to a
    bare window toward 1. The boot time from /proc/uptime is exact to 10 ms.
    """
    try:
        stat = Path(f"/proc/{process.pid}/stat").read_text()
        booted = time.time() - float(Path("/proc/uptime").read_text().split()[0])
    except OSError:  # not Linux: psutil's own is exact there
        return float(process.create_time())
    ticks = int(stat.rsplit(")", 1)[1].split()[19])  # starttime, field 22 of /proc/PID/stat
    return booted + ticks / os.sysconf("SC_CLK_TCK")
