"""Aggregator ingest of single-event QoS 1 messages from 1,000 simulated kiosks (issue #5).

The real ``admin-console serve`` process on SQLite against a bare paho subscriber (QoS 1,
benchmarks/bare_subscriber.py), through the same Mosquitto (dev config), interleaved in the
same run. Two ways, both reported:

- backlog: the consumer's persistent session exists, the consumer is away, 1,000 kiosks
  publish M one-event batches (they queue at the broker), then the consumer starts; rate =
  messages / (last stored − first received). What the consumer alone can take.
- live: the consumer is running while the 1,000 kiosks publish as fast as the broker
  acknowledges (window of 8 each); rate from its first message to its last stored. Publisher,
  broker and consumer share the 2 cores, as on a single-PC site.

For the aggregator, "stored" is the moment the events table's largest rowid reaches M (polled
every 50 ms; then ``count(*)`` must be exactly M); "first received" is the smallest
``received`` time it wrote.

CPU per message (backlog runs): the bare subscriber's own process from its first message on;
the aggregator's two processes (the receiver, paho; the storer, decode + validation + SQL) from
"subscribed" until the last event is stored; and, for these two, the time they were runnable
but waited for a core (Linux schedstat: what the other processes on the machine took).

Usage: python benchmarks/bench_ingest.py [--quick] [--runs N] [--messages M]
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil

from benchmarks.fleet_simulator import flood, single_event_payloads
from benchmarks.infra import Result, common_args, emit, median, totals_from_log
from tests.harness import PYTHON, Mosquitto, Proc, aggregator, aggregator_args, raise_fd_limit

KIOSKS = 1000
CPU: dict[str, list[float]] = {}  # "bare", "receiver", "storer" -> CPU µs per message, per run


def _cpu_s(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def _waited_s(pid: int) -> float:
    """Seconds this process's threads were runnable but waited for a core (Linux schedstat)."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(task.read_text().split()[1]) / 1e9
    return total


def _storer_pid(pid: int) -> int:
    children = psutil.Process(pid).children()
    return next(c.pid for c in children if "resource_tracker" not in " ".join(c.cmdline()))


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    except sqlite3.Error:
        return -1


def _progress(db: Path) -> int:
    """How many events are stored, while the aggregator runs: the largest rowid, which is the
    count in a fresh table that nothing deletes from. One index step, where ``count(*)`` reads
    the whole table: polled every 50 ms, that took 5–10 % of a core from the aggregator,
    which the bare subscriber, counting in its own process, never paid."""
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            return int(conn.execute("SELECT max(rowid) FROM events").fetchone()[0] or 0)
    except sqlite3.Error:
        return -1


def _first_received(db: Path) -> float:
    with sqlite3.connect(db) as conn:
        text = conn.execute("SELECT min(received) FROM events").fetchone()[0]
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def _wait_stored(db: Path, expected: int, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _progress(db) >= expected:
            done = time.time()
            if _count(db) != expected:  # exactly the events sent, each once
                raise RuntimeError(f"the aggregator stored {_count(db)} of {expected} events")
            return done
        time.sleep(0.05)
    raise TimeoutError(f"the aggregator stored {_count(db)} of {expected} events")


def bare(port: int, payloads: list[list[tuple[str, bytes]]], live: bool) -> float:
    total = sum(len(p) for p in payloads)
    base = [PYTHON, "benchmarks/bare_subscriber.py", "--port", str(port)]
    ident = ["--client-id", "bench-bare", "--persistent"]
    if not live:
        setup = Proc([*base, *ident, "--setup"]).start()
        setup.wait_for_line("subscribed")
        setup.process.wait(30)  # type: ignore[union-attr]
        asyncio.run(flood("127.0.0.1", port, payloads))
    proc = Proc([*base, *ident, "--expect", str(total), "--timeout", "600"]).start()
    try:
        proc.wait_for_line("subscribed")
        if live:
            asyncio.run(flood("127.0.0.1", port, payloads))
        proc.process.wait(600)  # type: ignore[union-attr]
        state = json.loads(proc.lines[-1])
    finally:
        proc.stop()
    if state["count"] != total:
        raise RuntimeError(f"the bare subscriber got {state['count']} of {total}")
    if not live:
        CPU.setdefault("bare", []).append(state["cpu"] / total * 1e6)
    return float(total / (state["last"] - state["first"]))


def aggregated(
    port: int, payloads: list[list[tuple[str, bytes]]], live: bool, processes: int = 1
) -> float:
    """``processes`` > 1: that many aggregators in one shared subscription (``--share-group``),
    writing to the same database (live only: a shared group's backlog is not measured)."""
    total = sum(len(p) for p in payloads)
    folder = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    db = folder / "agg.db"
    url = f"mqtt://127.0.0.1:{port}"
    shared = ["--share-group", "bench"] if processes > 1 else []
    if not live:
        with aggregator(url, f"sqlite:///{db}", "bench-agg"):
            pass  # the persistent session and its subscription now exist
        asyncio.run(flood("127.0.0.1", port, payloads))
    procs = [
        Proc(aggregator_args(url, f"sqlite:///{db}", f"bench-agg-{i}", *shared))
        for i in range(processes)
    ]
    if processes == 1:
        procs[0].args = aggregator_args(url, f"sqlite:///{db}", "bench-agg")
    try:
        for proc in procs:
            proc.start()
            proc.wait_for_line("subscribed to", 60)
        receiver, storer = procs[0].pid, _storer_pid(procs[0].pid)
        cpu = (_cpu_s(receiver), _cpu_s(storer), _waited_s(receiver), _waited_s(storer))
        if live:
            asyncio.run(flood("127.0.0.1", port, payloads))
        done = _wait_stored(db, total, 600)
        if not live and processes == 1:
            CPU.setdefault("receiver", []).append((_cpu_s(receiver) - cpu[0]) / total * 1e6)
            CPU.setdefault("storer", []).append((_cpu_s(storer) - cpu[1]) / total * 1e6)
            # Waiting for a core, per message: what the other processes on the machine cost.
            CPU.setdefault("receiver_waited", []).append(
                (_waited_s(receiver) - cpu[2]) / total * 1e6
            )
            CPU.setdefault("storer_waited", []).append((_waited_s(storer) - cpu[3]) / total * 1e6)
    finally:
        for proc in procs:
            proc.stop()
    new = sum(totals_from_log(proc).get("events_new", 0) for proc in procs)
    if new != total or _count(db) != total:
        raise RuntimeError(f"aggregators stored {new} new, {_count(db)} in the table, {total} sent")
    rate = float(total / (done - _first_received(db)))
    shutil.rmtree(folder, ignore_errors=True)
    return rate


def main() -> int:
    parser = common_args(__doc__)
    parser.add_argument("--messages", type=int, help="messages per run (default 50,000)")
    args = parser.parse_args()
    raise_fd_limit()
    messages = args.messages or (10_000 if args.quick else 50_000)
    per_kiosk = max(1, messages // KIOSKS)
    payloads, _ids = single_event_payloads(KIOSKS, per_kiosk)
    total = KIOSKS * per_kiosk
    rates: dict[str, list[float]] = {
        k: [] for k in ("bare", "agg", "bare_live", "agg_live", "shared2_live")
    }
    for i in range(args.runs):
        print(f"  run {i + 1}/{args.runs}: {total:,} messages from {KIOSKS} kiosks", flush=True)
        for name, consumer, live in (
            ("bare", bare, False),
            ("agg", aggregated, False),
            ("bare_live", bare, True),
            ("agg_live", aggregated, True),
            ("shared2_live", lambda p, m, v: aggregated(p, m, v, 2), True),
        ):
            with Mosquitto() as broker:
                rates[name].append(consumer(broker.port, payloads, live))
            print(f"    {name}: {rates[name][-1]:,.0f} msg/s", flush=True)
        print(
            "    CPU µs/message (backlog): "
            + ", ".join(f"{k} {v[-1]:.0f}" for k, v in CPU.items()),
            flush=True,
        )
    cpu = ", ".join(f"{k} {median(v):.0f}" for k, v in CPU.items())
    results = []
    for suffix, label in (("", "backlog"), ("_live", "live")):
        figure, floor = median(rates["agg" + suffix]), median(rates["bare" + suffix])
        results.append(
            Result(
                f"ingest_single{suffix or '_backlog'}",
                f"aggregator ingest, 1-event QoS 1 messages from {KIOSKS} kiosks ({label})",
                figure,
                "msg/s",
                floor,
                "bare paho subscriber QoS 1",
                "≥ 0.80× floor",
                figure / floor >= 0.8,
                runs=rates["agg" + suffix],
                floor_runs=rates["bare" + suffix],
                notes=f"{total:,} messages a run, SQLite, median of {args.runs} runs"
                + ("" if suffix else f"; CPU µs/message (median): {cpu}"),
            )
        )
    shared = median(rates["shared2_live"])
    results.append(
        Result(
            "ingest_single_live_shared2",
            "  same, two aggregators in a shared subscription (--share-group), one SQLite (live)",
            shared,
            "msg/s",
            median(rates["bare_live"]),
            "bare paho subscriber QoS 1",
            "≥ 0.80× floor",
            shared / median(rates["bare_live"]) >= 0.8,
            runs=rates["shared2_live"],
            floor_runs=rates["bare_live"],
            notes="what several aggregator processes (docs/broker.md) give here",
        )
    )
    emit(results, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
