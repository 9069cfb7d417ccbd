"""Runs every benchmark of BENCHMARKS.md, one process each, and prints the table.

``make bench`` (``--runs 3``, full sizes) or ``make bench QUICK=1`` (``--quick``: small sizes,
one run each, a few minutes). Each benchmark prints its figure next to its floor as it goes;
at the end comes the table (figure, floor, ratio, goal, met), also written to
``build/bench/latest.md`` and, as JSON lines, ``build/bench/latest.jsonl``.

Missed goals do not fail the run (they are the findings); a benchmark that crashes does.

Usage: python benchmarks/run_all.py [--quick] [--runs N] [--only NAME ...] [--list]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil

from benchmarks.infra import fmt
from tests.harness import PYTHON, ROOT, mosquitto_version, suite_env

# name, script, extra arguments in quick mode, timeout (s) full / quick
BENCHMARKS: list[tuple[str, str, list[str], int, int]] = [
    ("kiosk_start", "bench_kiosk_start.py", [], 600, 120),
    ("wipe", "bench_wipe.py", [], 900, 180),
    ("printing", "bench_printing.py", [], 900, 180),  # needs root (a private cupsd)
    ("help_latency", "bench_help_latency.py", [], 900, 180),
    ("queue_latency", "bench_queue_latency.py", [], 900, 180),
    ("phone_latency", "bench_phone_latency.py", [], 1800, 300),  # Chromium, root for NSS
    ("outbox_drain", "bench_outbox_drain.py", [], 900, 180),
    ("ingest", "bench_ingest.py", [], 1800, 300),
    ("batched_ingest", "bench_batched_ingest.py", [], 2400, 300),
    ("queries", "bench_queries.py", [], 5400, 600),
    ("fleet", "bench_fleet.py", [], 2400, 300),
    ("bridged_fleet", "bench_bridged_fleet.py", [], 3600, 300),  # 50 site brokers, PostgreSQL
]
OUT = ROOT / "build" / "bench"


def machine() -> str:
    try:
        import PySide6
        import sqlalchemy

        versions = f"PySide6 {PySide6.__version__}, SQLAlchemy {sqlalchemy.__version__}"
    except ImportError:
        versions = ""
    import paho.mqtt

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{psutil.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"{platform.platform(terse=True)}, Python {platform.python_version()}, "
        f"Mosquitto {mosquitto_version()}, paho-mqtt {paho.mqtt.__version__}, {versions}; "
        f"load average at start {os.getloadavg()[0]:.1f}"
    )


def _relay(process: subprocess.Popen[str], handle: TextIO) -> None:
    """Everything into the log; to the console only the figures (indented lines), not Qt's
    and Chromium's chatter."""
    assert process.stdout is not None
    for line in process.stdout:
        handle.write(line)
        handle.flush()
        if line.startswith("  "):
            print(line, end="", flush=True)


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| figure | value | floor (same run) | ratio | goal | met |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        met = {True: "yes", False: "**no**", None: "–"}[row["met"]]  # type: ignore[index]
        ratio = "–" if row["ratio"] is None else f"{row['ratio']:.2f}×"
        unit = str(row["unit"])
        lines.append(
            f"| {row['title']} | {fmt(row['figure'], unit)} |"  # type: ignore[arg-type]
            f" {row['floor_title']}: {fmt(row['floor'], unit)} |"  # type: ignore[arg-type]
            f" {ratio} | {row['goal']} | {met} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, help="runs per benchmark (default 3; quick 1)")
    parser.add_argument("--only", nargs="*", help="names of the benchmarks to run")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops a child
    if args.list:
        for name, script, *_ in BENCHMARKS:
            print(f"{name:16} benchmarks/{script}")
        return 0
    runs = args.runs or (1 if args.quick else 3)
    OUT.mkdir(parents=True, exist_ok=True)
    jsonl = OUT / "latest.jsonl"
    jsonl.unlink(missing_ok=True)
    started = time.monotonic()
    header = (
        f"{'QUICK' if args.quick else 'FULL'} run, {runs} run(s) per benchmark, "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}\nmachine: {machine()}"
    )
    print(header, flush=True)
    failed: list[str] = []
    timings: dict[str, float] = {}
    for name, script, extra, timeout_full, timeout_quick in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        command = [PYTHON, str(ROOT / "benchmarks" / script), "--runs", str(runs)]
        command += ["--json-out", str(jsonl), *(["--quick", *extra] if args.quick else [])]
        print(f"\n== {name} ({script}) ==", flush=True)
        t0 = time.monotonic()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=suite_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        log = OUT / f"{name}.log"
        with log.open("w") as handle:
            reader = threading.Thread(target=_relay, args=(process, handle), daemon=True)
            reader.start()
            try:
                code = process.wait(timeout_quick if args.quick else timeout_full)
            except subprocess.TimeoutExpired:
                code = -1
                print(f"   timed out: stopping {name}", flush=True)
            finally:
                if process.poll() is None:  # timed out or interrupted: end it, it cleans up
                    process.terminate()
                    try:
                        process.wait(60)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait(10)
                reader.join(10)
        timings[name] = time.monotonic() - t0
        print(f"   ({timings[name]:.0f} s; log: {log.relative_to(ROOT)})", flush=True)
        if code != 0:
            failed.append(name)
            print(f"   FAILED (exit {code}); the end of its log:", flush=True)
            print("\n".join(log.read_text().splitlines()[-15:]), flush=True)
    rows = [json.loads(line) for line in jsonl.read_text().splitlines()] if jsonl.exists() else []
    total = time.monotonic() - started
    summary = (
        f"{header}\n\n{table(rows)}\n\n"
        f"time: {total / 60:.1f} min ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
        + ")"
        + (f"\nFAILED: {', '.join(failed)}" if failed else "")
    )
    (OUT / "latest.md").write_text(summary + "\n")
    print("\n" + summary, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
