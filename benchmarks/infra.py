"""What the benchmarks share beyond the test harness: figures, floors, CPU and memory, output.

The servers and processes (a private Mosquitto and PostgreSQL, the suite's processes, waiting
for conditions) come from tests/harness.py, the harness the tests use too: every benchmark puts
the repository root on sys.path and imports them from ``tests.harness``. Not a test helper: the
benchmarks do not import pytest.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import psutil
from paho.mqtt.enums import CallbackAPIVersion

from tests.harness import Proc

# --- small things -------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else math.nan


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 500 samples is the 495th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return float(ordered[rank - 1])


# --- the bare paho floor of a latency ----------------------------------------------------------

PAHO_FLOOR = "bare paho publish→subscribe, QoS 1"


def paho_client() -> mqtt.Client:
    return mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)


def paho_round_trips(
    port: int, samples: int, size: int, topic: str, pause: float = 0.0
) -> list[float]:
    """The floor (ms): publish (QoS 1) → the subscriber's on_message, one at a time, ``pause``
    seconds apart."""
    got = threading.Event()
    subscribed = threading.Event()
    stamp = [0.0]
    sub, pub = paho_client(), paho_client()

    def on_message(*_: object) -> None:
        stamp[0] = time.perf_counter()
        got.set()

    sub.on_message = on_message
    sub.on_subscribe = lambda *_: subscribed.set()
    sub.on_connect = lambda c, *_: c.subscribe(topic, 1)
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
            pub.publish(topic, payload, qos=1)
            if not got.wait(5):
                raise RuntimeError("the floor's message did not arrive")
            values.append((stamp[0] - t0) * 1000)
            if pause:
                time.sleep(pause)
    finally:
        for client in (sub, pub):
            client.disconnect()
            client.loop_stop()
    return values


# --- the aggregator's log ----------------------------------------------------------------------


def totals_from_log(proc: Proc) -> dict[str, int]:
    """The aggregator's last 'so far' / 'stopped' line: {'events_new': …, 'messages': …}."""
    import ast

    for line in reversed(proc.lines):
        for marker in ("aggregator stopped: ", "so far: "):
            if marker in line:
                text = line.split(marker, 1)[1]
                value = ast.literal_eval(text) if text.startswith("{") else {}
                return {str(k): int(v) for k, v in value.items()}
    return {}


# --- CPU and memory of processes ----------------------------------------------------------------


class ResourceMeter:
    """CPU seconds and peak RSS of some processes (and their children) over a stretch of time."""

    def __init__(
        self,
        pids: dict[str, int | Callable[[], Iterable[int]]],
        every: float = 0.5,
        without_children: Iterable[str] = (),
    ) -> None:
        """``without_children``: names whose own process only is measured (the benchmark's)."""
        self._pids = pids
        self._alone = set(without_children)
        self._every = every
        self._start_cpu: dict[str, float] = {}
        self._peak: dict[str, float] = dict.fromkeys(pids, 0.0)
        self._last_cpu: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._t0 = 0.0
        self.wall = 0.0

    def _processes(self, name: str) -> list[psutil.Process]:
        spec = self._pids[name]
        pids = [spec] if isinstance(spec, int) else list(spec())
        found: list[psutil.Process] = []
        for pid in pids:
            try:
                proc = psutil.Process(pid)
                found.append(proc)
                if name not in self._alone:
                    found.extend(proc.children(recursive=True))
            except psutil.Error:
                continue
        return found

    def _cpu(self, name: str) -> float:
        total = 0.0
        for proc in self._processes(name):
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                continue
        return total

    def _rss(self, name: str) -> float:
        total = 0.0
        for proc in self._processes(name):
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        return total / 2**20

    def _sample(self) -> None:
        while not self._stop.wait(self._every):
            for name in self._pids:
                self._peak[name] = max(self._peak[name], self._rss(name))
                self._last_cpu[name] = self._cpu(name)

    def start(self) -> ResourceMeter:
        self._t0 = time.monotonic()
        self._start_cpu = {name: self._cpu(name) for name in self._pids}
        self._thread.start()
        return self

    def stop(self) -> dict[str, dict[str, float]]:
        self._stop.set()
        self._thread.join()
        self.wall = time.monotonic() - self._t0
        report: dict[str, dict[str, float]] = {}
        for name in self._pids:
            end = self._cpu(name) or self._last_cpu.get(name, 0.0)
            peak = max(self._peak[name], self._rss(name))
            used = max(0.0, end - self._start_cpu.get(name, 0.0))
            report[name] = {
                "cpu_s": round(used, 2),
                "cpu_pct_of_core": round(100 * used / self.wall, 1) if self.wall else 0.0,
                "peak_rss_mb": round(peak, 1),
            }
        return report


# --- results ------------------------------------------------------------------------------------


@dataclass
class Result:
    """One line of the BENCHMARKS.md table: a figure, its floor from the same run, a goal."""

    key: str
    title: str
    figure: float
    unit: str
    floor: float | None
    floor_title: str
    goal: str
    met: bool | None
    runs: list[float] = field(default_factory=list)
    floor_runs: list[float] = field(default_factory=list)
    ratio: float | None = None
    higher_is_better: bool = True
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.ratio is None and self.floor:
            self.ratio = round(self.figure / self.floor, 3)


class RunPercentiles:
    """Each run's p50 and p99 of a series of latencies: a figure is their median over the runs."""

    def __init__(self) -> None:
        self.p50: list[float] = []
        self.p99: list[float] = []

    def add(self, values: Sequence[float]) -> None:
        self.p50.append(percentile(values, 50))
        self.p99.append(percentile(values, 99))


def latency_results(
    key: str,
    title: str,
    series: RunPercentiles,
    floor: RunPercentiles,
    goal_ms: float | None = None,
    notes: str = "",
) -> list[Result]:
    """The p99 and the p50 line (ms, lower is better) against the bare paho floor's: ``{pct}``
    in ``key`` and ``title`` becomes 99 and 50. The goal, if any, and the notes go on p99."""
    p99 = median(series.p99)
    return [
        Result(
            key.format(pct=99),
            title.format(pct=99),
            p99,
            "ms",
            median(floor.p99),
            PAHO_FLOOR + " (p99)",
            "(none)" if goal_ms is None else f"≤ {goal_ms:g} ms",
            None if goal_ms is None else p99 <= goal_ms,
            runs=series.p99,
            floor_runs=floor.p99,
            higher_is_better=False,
            notes=notes,
        ),
        Result(
            key.format(pct=50),
            title.format(pct=50),
            median(series.p50),
            "ms",
            median(floor.p50),
            PAHO_FLOOR + " (p50)",
            "(none)",
            None,
            runs=series.p50,
            floor_runs=floor.p50,
            higher_is_better=False,
        ),
    ]


def fmt(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def print_result(result: Result) -> None:
    met = {True: "met", False: "NOT MET", None: "(no goal)"}[result.met]
    ratio = "–" if result.ratio is None else f"{result.ratio:.2f}×"
    print(
        f"  {result.title}: {fmt(result.figure, result.unit)}"
        f" | floor {result.floor_title}: {fmt(result.floor, result.unit)}"
        f" | ratio {ratio} | goal {result.goal} → {met}",
        flush=True,
    )
    if result.runs:
        runs = ", ".join(fmt(v) for v in result.runs)
        floors = ", ".join(fmt(v) for v in result.floor_runs) or "–"
        print(f"    runs: {runs}   floor runs: {floors}", flush=True)
    if result.notes:
        print(f"    {result.notes}", flush=True)


def _exit_on_sigterm() -> None:
    """SIGTERM (make's Ctrl-C, a kill) unwinds the context managers: nothing is left running."""

    def handler(_sig: int, _frame: object) -> None:
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, handler)


def common_args(description: str | None) -> argparse.ArgumentParser:
    _exit_on_sigterm()
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a small version (make bench QUICK=1)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions; the median is reported")
    parser.add_argument("--json-out", help="append the results to this JSON-lines file")
    return parser


def emit(results: list[Result], json_out: str | None) -> None:
    for result in results:
        print_result(result)
    if json_out:
        with Path(json_out).open("a") as handle:
            for result in results:
                handle.write(json.dumps(asdict(result)) + "\n")
