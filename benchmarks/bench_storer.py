"""The storer's time per single-event message, without a broker (issue #5).

20,000 one-event batches as the fleet simulator floods them (``single_event_payloads``), handed
to ``Ingest(engine).handle`` 500 at a time, as the storer does, on a fresh SQLite file (and on
a private PostgreSQL with ``--postgres``). Prints wall and CPU µs per message, and with
``--profile`` the top functions of a cProfile run.

    python benchmarks/bench_storer.py [--runs 5] [--profile] [--postgres] [--varied]

To compare two versions of the code, run it with ``PYTHONPATH`` pointing at a copy of the
other one (the copy's ``admin_console`` and ``kiosk`` are imported first).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))  # after PYTHONPATH: see above

from admin_console.ingest.batch import Inbound, Ingest
from admin_console.store.database import open_database
from benchmarks.fleet_simulator import single_event_payloads

MESSAGES = 20_000
CHUNK = 500


def messages(total: int = MESSAGES, seed: int = 1) -> list[Inbound]:
    payloads, _ids = single_event_payloads(1000, total // 1000, seed=seed)
    now = datetime.now(UTC)
    # Interleave the kiosks as a broker delivers them.
    flat = [kiosk[i] for i in range(total // 1000) for kiosk in payloads]
    return [Inbound(topic, payload, now) for topic, payload in flat]


def chunks(total: int, varied: bool) -> list[tuple[int, int]]:
    """(start, end) of each call: 500 messages (a backlog), or 50 to 500 (live, ``varied``)."""
    rng = random.Random(3)
    spans, start = [], 0
    while start < total:
        end = min(total, start + (rng.randint(50, CHUNK) if varied else CHUNK))
        spans.append((start, end))
        start = end
    return spans


def one_run(
    url: str, inbound: list[Inbound], profile: bool = False, varied: bool = False
) -> tuple[float, float, str]:
    engine = open_database(url)
    ingest = Ingest(engine)
    profiler = cProfile.Profile() if profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for start, end in chunks(len(inbound), varied):
        ingest.handle(inbound[start:end])
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    engine.dispose()
    text = ""
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        text = out.getvalue()
    n = len(inbound)
    return wall / n * 1e6, cpu / n * 1e6, text


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--varied", action="store_true", help="50 to 500 messages a call")
    args = parser.parse_args()
    inbound = messages()
    walls, cpus = [], []
    pg = None
    if args.postgres:
        from tests.harness import Postgres

        pg = Postgres().start()
    try:
        for run in range(args.runs):
            if pg is not None:
                url = pg.create_database(f"storer{run}")
                wall, cpu, text = one_run(url, inbound, args.profile, args.varied)
            else:
                with tempfile.TemporaryDirectory() as folder:
                    url = f"sqlite:///{Path(folder) / 'ingest.db'}"
                    wall, cpu, text = one_run(url, inbound, args.profile, args.varied)
            walls.append(wall)
            cpus.append(cpu)
            print(f"run {run}: {wall:.1f} µs wall, {cpu:.1f} µs CPU a message", flush=True)
            if text:
                print(text)
    finally:
        if pg is not None:
            pg.stop()
    print(
        f"median of {args.runs}: {statistics.median(walls):.1f} µs wall, "
        f"{statistics.median(cpus):.1f} µs CPU a message"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
