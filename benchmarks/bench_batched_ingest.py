"""Batched ingest: 500-event batches into SQLite and PostgreSQL (issue #5: ≥ 50,000 events/s).

- direct: ``Ingest.handle`` called with messages of 500 events each, one transaction per
  message (a lower bound, for reference: the aggregator takes ~10 such messages into one
  transaction), decode and validation included; floor: a raw ``executemany``
  INSERT of the same rows, already converted, 500 per transaction, into a plain table with the
  same columns and indexes (sqlite3 / psycopg; nothing else written: no daily counts, visits).
- broker: the real ``admin-console serve`` draining a backlog of the same 500-event batches
  from 20 kiosks at the broker: the figure the goal is about. Floors: the raw ``executemany``
  above, and a bare paho subscriber draining the same backlog.

PostgreSQL runs with its default settings (fsync and synchronous_commit on); SQLite in WAL
mode with synchronous=FULL, as the suite opens it (an acknowledged batch survives a power
cut). Same disk.

Usage: python benchmarks/bench_batched_ingest.py [--quick] [--runs N] [--events N]
"""

from __future__ import annotations

import asyncio
import json
import math
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from admin_console.ingest.batch import Inbound, Ingest, decode
from admin_console.store.database import open_database
from benchmarks.fleet_simulator import batch_payloads, flood
from benchmarks.infra import Result, common_args, emit, median, totals_from_log
from tests.harness import (
    PYTHON,
    Mosquitto,
    Postgres,
    Proc,
    aggregator,
    aggregator_args,
    raise_fd_limit,
)

BATCH = 500
KIOSKS = 20

PLAIN_SQLITE = """
CREATE TABLE events (id VARCHAR(36) NOT NULL PRIMARY KEY, site VARCHAR(32) NOT NULL,
  machine VARCHAR(32) NOT NULL, type VARCHAR(32) NOT NULL, ts DATETIME NOT NULL,
  received DATETIME NOT NULL, session VARCHAR(36), data JSON NOT NULL);
CREATE INDEX ix_events_ts ON events (ts);
"""
PLAIN_PG = """
CREATE TABLE events (id VARCHAR(36) NOT NULL PRIMARY KEY, site VARCHAR(32) NOT NULL,
  machine VARCHAR(32) NOT NULL, type VARCHAR(32) NOT NULL, ts TIMESTAMP NOT NULL,
  received TIMESTAMP NOT NULL, session VARCHAR(36), data JSON NOT NULL);
CREATE INDEX ix_events_ts ON events (ts);
"""
INSERT = "INSERT INTO events VALUES ({})"


def messages_of(payloads: list[list[tuple[str, bytes]]]) -> list[Inbound]:
    now = datetime.now(UTC)
    return [Inbound(topic, payload, now) for mine in payloads for topic, payload in mine]


def rows_of(messages: list[Inbound]) -> list[list[tuple[Any, ...]]]:
    """The same events as plain rows, 500 to a batch (conversion done before the clock)."""
    batches = []
    for message in messages:
        work = decode([message])
        batches.append(
            [
                (
                    e["id"],
                    e["site"],
                    e["machine"],
                    e["type"],
                    e["ts"],
                    e["received"],
                    e["session"],
                    json.dumps(e["data"]),
                )
                for e in work.events
            ]
        )
    return batches


def direct(url: str, messages: list[Inbound]) -> float:
    engine = open_database(url)
    ingest = Ingest(engine)
    start = time.perf_counter()
    stored = 0
    for message in messages:
        stored += ingest.handle([message]).events_new
    seconds = time.perf_counter() - start
    engine.dispose()
    if stored != len(messages) * BATCH:
        raise RuntimeError(f"stored {stored} events of {len(messages) * BATCH}")
    return stored / seconds


def raw_sqlite(batches: list[list[tuple[Any, ...]]]) -> float:
    db = Path(tempfile.mkdtemp(prefix="bench-raw-")) / "raw.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.executescript(PLAIN_SQLITE)
    sql = INSERT.format(", ".join("?" * 8))
    converted = [
        [(*r[:4], r[4].isoformat(" "), r[5].isoformat(" "), *r[6:]) for r in b] for b in batches
    ]
    start = time.perf_counter()
    for batch in converted:
        conn.execute("BEGIN")
        conn.executemany(sql, batch)
        conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return sum(len(b) for b in batches) / seconds


def raw_postgres(dsn: str, batches: list[list[tuple[Any, ...]]]) -> float:
    import psycopg

    with psycopg.connect(dsn) as conn:
        conn.execute(PLAIN_PG)
        conn.commit()
        sql = INSERT.format(", ".join(["%s"] * 8))
        start = time.perf_counter()
        for batch in batches:
            with conn.cursor() as cursor:
                cursor.executemany(sql, batch)
            conn.commit()
        seconds = time.perf_counter() - start
    return sum(len(b) for b in batches) / seconds


STALLED = "stalled"


def through_broker(port: int, db_url: str, payloads: list[list[tuple[str, bytes]]]) -> float:
    """The aggregator drains a backlog of batches; events per second, first to last stored.

    NaN when the aggregator stalls (it logs "database unavailable" and retries the same batch
    forever): the run is cut short and the cause kept in ``STALLS``."""
    from sqlalchemy import create_engine, func, select, text

    from admin_console.store.orm import EventRow

    total = sum(len(m) for m in payloads) * BATCH
    url = f"mqtt://127.0.0.1:{port}"
    client_id = f"bench-batch-{uuid.uuid4().hex[:6]}"
    with aggregator(url, db_url, client_id):
        pass
    asyncio.run(flood("127.0.0.1", port, payloads, events_per_message=BATCH))
    engine = create_engine(db_url)
    proc = Proc(aggregator_args(url, db_url, client_id)).start()
    stalled = ""
    try:
        proc.wait_for_line("subscribed to", 60)
        deadline = time.monotonic() + max(120.0, total / 1000)
        count = 0
        done = math.nan
        # Progress on SQLite: the largest rowid (one index step; see bench_ingest._progress);
        # PostgreSQL has none, so count(*) there. The exact count is checked at the end.
        probe = (
            text("SELECT max(rowid) FROM events")
            if db_url.startswith("sqlite")
            else select(func.count()).select_from(EventRow)
        )
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                count = int(conn.execute(probe).scalar_one() or 0)
            if count >= total:
                done = time.time()
                with engine.connect() as conn:
                    count = int(
                        conn.execute(select(func.count()).select_from(EventRow)).scalar_one()
                    )
                break
            stalled = next((line for line in proc.lines if "database unavailable" in line), "")
            if stalled:
                break
            time.sleep(0.05)
        with engine.connect() as conn:
            first = conn.execute(select(func.min(EventRow.received))).scalar_one()
    finally:
        proc.stop()
        engine.dispose()
    if stalled:
        cause = stalled.split("database unavailable", 1)[1][:160]
        STALLS.setdefault(db_url.split(":")[0], set()).add(
            f"stored {count:,} of {total:,}, then{cause}"
        )
        return math.nan
    totals = totals_from_log(proc)
    if count != total or totals.get("events_new", total) != total:
        raise RuntimeError(f"stored {count} of {total}; aggregator totals {totals}")
    return total / (done - first.replace(tzinfo=UTC).timestamp())


REFERENCE = "(reference: 1 message a transaction)"
STALLS: dict[str, set[str]] = {}  # database kind -> what the aggregator logged


def bare_through_broker(port: int, payloads: list[list[tuple[str, bytes]]]) -> float:
    total = sum(len(m) for m in payloads)
    base = [PYTHON, "benchmarks/bare_subscriber.py", "--port", str(port)]
    ident = ["--client-id", "bench-bare-batch", "--persistent"]
    setup = Proc([*base, *ident, "--setup"]).start()
    setup.wait_for_line("subscribed")
    setup.process.wait(30)  # type: ignore[union-attr]
    asyncio.run(flood("127.0.0.1", port, payloads, events_per_message=BATCH))
    proc = Proc([*base, *ident, "--expect", str(total), "--count-events"]).start()
    try:
        proc.process.wait(600)  # type: ignore[union-attr]
        state = json.loads(proc.lines[-1])
    finally:
        proc.stop()
    if state["events"] != total * BATCH:
        raise RuntimeError(f"the bare subscriber got {state['events']} events")
    return float(state["events"] / (state["last"] - state["first"]))


def _median_ok(values: list[float]) -> float:
    """Median of the runs that finished; NaN if any run stalled (a stall is the figure)."""
    return math.nan if any(math.isnan(v) for v in values) else median(values)


def main() -> int:
    parser = common_args(__doc__)
    parser.add_argument("--events", type=int, help="events per run (default 100,000)")
    args = parser.parse_args()
    raise_fd_limit()
    events = args.events or (10_000 if args.quick else 100_000)
    per_kiosk = max(1, events // (BATCH * KIOSKS))
    payloads = batch_payloads(KIOSKS, per_kiosk, BATCH)
    messages = messages_of(payloads)
    batches = rows_of(messages)
    total = len(messages) * BATCH
    keys = ("sqlite_raw", "sqlite", "pg_raw", "pg", "bare_broker", "sqlite_broker", "pg_broker")
    rates: dict[str, list[float]] = {k: [] for k in keys}
    with Postgres() as pg:
        for i in range(args.runs):
            print(f"  run {i + 1}/{args.runs}: {total:,} events in batches of {BATCH}", flush=True)
            folder = Path(tempfile.mkdtemp(prefix="bench-batched-"))
            rates["sqlite_raw"].append(raw_sqlite(batches))
            rates["sqlite"].append(direct(f"sqlite:///{folder / 'direct.db'}", messages))
            pg.create_database("raw")
            rates["pg_raw"].append(raw_postgres(pg.dsn("raw"), batches))
            pg.drop_database("raw")
            rates["pg"].append(direct(pg.create_database("direct"), messages))
            pg.drop_database("direct")
            with Mosquitto() as broker:
                rates["bare_broker"].append(bare_through_broker(broker.port, payloads))
            with Mosquitto() as broker:
                url = f"sqlite:///{folder / 'broker.db'}"
                rates["sqlite_broker"].append(through_broker(broker.port, url, payloads))
            with Mosquitto() as broker:
                url = pg.create_database("broker")
                rates["pg_broker"].append(through_broker(broker.port, url, payloads))
                pg.drop_database("broker")
            shutil.rmtree(folder, ignore_errors=True)
            print(
                "    " + ", ".join(f"{k} {v[-1]:,.0f}" for k, v in rates.items()) + " events/s",
                flush=True,
            )
    note = f"{total:,} events a run in {len(messages)} messages, median of {args.runs} runs"
    fifty = "≥ 50,000 events/s"
    asked = "(figure asked for)"
    rows = (
        ("batched_sqlite", "batched ingest into SQLite, Ingest.handle", "sqlite"),
        ("batched_pg", "batched ingest into PostgreSQL, Ingest.handle", "pg"),
        (
            "batched_sqlite_broker",
            "batched ingest through Mosquitto, admin-console serve → SQLite",
            "sqlite_broker",
        ),
        (
            "batched_pg_broker",
            "batched ingest through Mosquitto, admin-console serve → PostgreSQL",
            "pg_broker",
        ),
    )
    results = []
    for key, title, figure_key in rows:
        on_sqlite = "sqlite" in figure_key
        floor_key = "sqlite_raw" if on_sqlite else "pg_raw"
        stalls = STALLS.get("sqlite" if on_sqlite else "postgresql+psycopg", set())
        notes = note + (("; STALLED: " + " | ".join(sorted(stalls))) if stalls else "")
        if "broker" in key:
            notes += f"; bare paho subscriber: {median(rates['bare_broker']):,.0f} events/s"
        figure = _median_ok(rates[figure_key])
        # The goal is the aggregator's (through the broker): Ingest.handle called with one
        # message a transaction is a lower bound for reference, not how uploads are stored.
        goal = on_sqlite and "broker" in key
        results.append(
            Result(
                key,
                title,
                figure,
                "events/s",
                median(rates[floor_key]),
                "raw executemany, same rows",
                fifty if goal else asked if not on_sqlite else REFERENCE,
                (not math.isnan(figure) and figure >= 50_000) if goal else None,
                runs=rates[figure_key],
                floor_runs=rates[floor_key],
                notes=notes,
            )
        )
    emit(results, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
