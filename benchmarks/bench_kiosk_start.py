"""Kiosk start and memory vs a bare PySide6 window (issue #3: both within 1.5× of the window).

``kiosk --self-test`` (the full shell, offscreen, connected to a real Mosquitto) prints the time
from its process's creation to the start screen shown and idle, and its resident memory before
the browser is ever used. The floor is benchmarks/bare_window.py — a QMainWindow with 12
QPushButtons, shown offscreen, measured the same way — started alternately with the kiosk in
the same run. One warm-up start of each is not counted (cold disk cache).

Usage: python benchmarks/bench_kiosk_start.py [--quick] [--runs N]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.infra import (
    PYTHON,
    ROOT,
    Mosquitto,
    Result,
    common_args,
    emit,
    median,
    suite_env,
)


def measure(args: list[str]) -> dict[str, float]:
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=120, env=suite_env(), cwd=ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[1:3]} failed: {done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = common_args(__doc__)
    args = parser.parse_args()
    starts = max(args.runs, 5 if not args.quick else 3)
    bare = [PYTHON, "benchmarks/bare_window.py"]
    kiosk_ready: list[float] = []
    kiosk_rss: list[float] = []
    bare_ready: list[float] = []
    bare_rss: list[float] = []
    with Mosquitto() as broker:
        folder = Path(tempfile.mkdtemp(prefix="bench-start-"))
        kiosk = [
            PYTHON,
            "-m",
            "kiosk",
            "--self-test",
            "--data-dir",
            str(folder),
            "--broker",
            broker.url,
            "--site",
            "bench",
            "--machine",
            "pc-1",
        ]
        measure(bare)
        report = measure(kiosk)
        if report.get("screen") != "QtStartScreen":
            raise RuntimeError(f"the kiosk did not show its start screen: {report}")
        for i in range(starts):
            floor = measure(bare)
            figure = measure(kiosk)
            bare_ready.append(floor["ready_ms"])
            bare_rss.append(floor["rss_mb"])
            kiosk_ready.append(figure["ready_ms"])
            kiosk_rss.append(figure["rss_mb"])
            print(
                f"  start {i + 1}/{starts}: kiosk {figure['ready_ms']:.0f} ms"
                f" {figure['rss_mb']:.0f} MB; bare window {floor['ready_ms']:.0f} ms"
                f" {floor['rss_mb']:.0f} MB",
                flush=True,
            )
    note = f"median of {starts} starts each, alternating, offscreen"
    ready, ready_floor = median(kiosk_ready), median(bare_ready)
    rss, rss_floor = median(kiosk_rss), median(bare_rss)
    emit(
        [
            Result(
                "kiosk_start",
                "kiosk start: process start → start screen shown and idle",
                ready,
                "ms",
                ready_floor,
                "bare QMainWindow + 12 QPushButtons",
                "≤ 1.5× floor",
                ready / ready_floor <= 1.5,
                runs=kiosk_ready,
                floor_runs=bare_ready,
                higher_is_better=False,
                notes=note,
            ),
            Result(
                "kiosk_rss",
                "kiosk resident memory before the browser is used",
                rss,
                "MB",
                rss_floor,
                "bare QMainWindow + 12 QPushButtons",
                "≤ 1.5× floor",
                rss / rss_floor <= 1.5,
                runs=kiosk_rss,
                floor_runs=bare_rss,
                higher_is_better=False,
                notes=note,
            ),
        ],
        args.json_out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
