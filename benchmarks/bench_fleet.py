"""5,000 simulated kiosks with heartbeats on one Mosquitto and one aggregator (SQLite).

CPU and peak memory of the broker, the aggregator and the simulator while the fleet runs, and
loss: after the run every event the broker acknowledged must be in the database exactly once
(ids compared one by one), and the aggregator must have handled exactly as many messages as
the fleet had acknowledged (statuses, help calls and replies included), with no duplicate
and no rejection; each machine's row must hold the last status it sent (``offline``).

Floor: the same fleet with nobody subscribed except a bare paho subscriber that only counts
(CPU of the broker for the traffic alone).

Usage: python benchmarks/bench_fleet.py [--quick] [--runs N] [--kiosks 5000]
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.fleet_simulator import Fleet, FleetConfig, FleetReport
from benchmarks.infra import ResourceMeter, Result, common_args, emit, median, totals_from_log
from tests.harness import PYTHON, Mosquitto, Proc, aggregator, raise_fd_limit, wait_for


def _db_events(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM events")}


def _db_count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    except sqlite3.Error:
        return -1


def run_once(config: FleetConfig, with_aggregator: bool) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    db = folder / "agg.db"
    with Mosquitto() as broker:
        if with_aggregator:
            consumer_cm = aggregator(broker.url, f"sqlite:///{db}", "bench-fleet-agg")
        else:
            consumer_cm = Proc(
                [
                    PYTHON,
                    "benchmarks/bare_subscriber.py",
                    "--port",
                    str(broker.port),
                    "--count-only",
                ]
            )
        with consumer_cm as consumer:
            if not with_aggregator:
                consumer.wait_for_line("subscribed", 30)
            fleet = Fleet(config, "127.0.0.1", broker.port, keep_event_ids=with_aggregator)
            meter = ResourceMeter(
                {"mosquitto": broker.pid, "consumer": consumer.pid, "simulator": _self_pid()},
                without_children=["simulator"],  # its children are the broker and the consumer
            )
            report: FleetReport = asyncio.run(fleet.run(on_connected=meter.start))
            usage = meter.stop()
            outcome: dict[str, object] = {"report": report, "usage": usage}
            if with_aggregator:
                # Caught up: every event stored, and every kiosk's last status (its goodbye).
                ended = time.monotonic()
                offline = sum(1 for state in report.last_status.values() if state == "offline")
                wait_for(
                    lambda: _db_count(db) >= report.events_acked and _offline(db) >= offline,
                    600,
                    "the aggregator to catch up",
                    step=0.25,
                )
                outcome["catch_up_s"] = round(time.monotonic() - ended, 1)
                time.sleep(2.0)  # anything late (a duplicate would show now)
        if with_aggregator:
            totals = totals_from_log(consumer)
            stored = _db_events(db)
            acked_ids = set(fleet.event_ids or [])
            with sqlite3.connect(db) as conn:
                machines = dict(
                    conn.execute("SELECT site || '/' || machine, state FROM machines").fetchall()
                )
                rejected = conn.execute("SELECT coalesce(sum(count), 0) FROM rejected_counts")
                rejected_total = int(rejected.fetchone()[0])
            expected_states = {
                topic.split("/")[2] + "/" + topic.split("/")[3]: state
                for topic, state in report.last_status.items()
            }
            outcome.update(
                totals=totals,
                missing=len(acked_ids - stored),
                unexpected=len(stored - acked_ids),
                duplicates_sent=len(fleet.event_ids or []) - len(acked_ids),
                messages_acked=sum(report.acked.values()),
                rejected=rejected_total,
                status_mismatch=sum(
                    1 for key, state in expected_states.items() if machines.get(key) != state
                ),
            )
    return outcome


def _offline(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            row = conn.execute("SELECT count(*) FROM machines WHERE state = 'offline'")
            return int(row.fetchone()[0])
    except sqlite3.Error:
        return -1


def _self_pid() -> int:
    import os

    return os.getpid()


def main() -> int:
    parser = common_args(__doc__)
    parser.add_argument("--kiosks", type=int, default=5000)
    parser.add_argument("--duration", type=float, help="seconds of steady state per run")
    args = parser.parse_args()
    raise_fd_limit()
    duration = args.duration or (40.0 if args.quick else 90.0)
    runs = 1 if args.quick else args.runs
    # Realistic rates: a visit every 30 min per PC (20 min long, 20% with a help call), with
    # visits 10× compressed so that a short run sees whole visits; heartbeat every 60 s
    # (every 15 s in the quick run, so that it still sees more than two rounds).
    config = FleetConfig(
        kiosks=args.kiosks,
        heartbeat_s=15.0 if args.quick else 60.0,
        sessions_per_hour=2.0,
        session_minutes=20.0,
        speed=10.0,
        duration_s=duration,
        connect_rate=1000.0,
    )
    agg_runs: list[dict[str, object]] = []
    floor_runs: list[dict[str, object]] = []
    for i in range(runs):
        print(f"  run {i + 1}/{runs}: {config.kiosks} kiosks, {duration:.0f} s", flush=True)
        floor_runs.append(run_once(config, with_aggregator=False))
        agg_runs.append(run_once(config, with_aggregator=True))

    def cpu(runs_: list[dict[str, object]], who: str) -> list[float]:
        return [r["usage"][who]["cpu_pct_of_core"] for r in runs_]  # type: ignore[index]

    def rss(runs_: list[dict[str, object]], who: str) -> list[float]:
        return [r["usage"][who]["peak_rss_mb"] for r in runs_]  # type: ignore[index]

    losses = [int(r["missing"]) + int(r["unexpected"]) for r in agg_runs]  # type: ignore[call-overload]
    totals_ok = []
    for r in agg_runs:
        totals = r["totals"]
        assert isinstance(totals, dict)
        totals_ok.append(
            totals.get("messages") == r["messages_acked"]
            and totals.get("events_duplicate", 0) == 0
            and r["rejected"] == 0
            and r["status_mismatch"] == 0
        )
    reports = [r["report"] for r in agg_runs]
    msgs_per_s = [
        sum(rep.acked.values()) / rep.run_s  # type: ignore[attr-defined]
        for rep in reports
    ]
    detail = {
        "runs": [
            {
                "connected": rep.connected,  # type: ignore[attr-defined]
                "connect_s": rep.connect_s,  # type: ignore[attr-defined]
                "acked": rep.acked,  # type: ignore[attr-defined]
                "events": rep.events_acked,  # type: ignore[attr-defined]
                "visits": rep.visits,  # type: ignore[attr-defined]
                "failures": rep.failures,  # type: ignore[attr-defined]
                "puback_p99_ms": rep.puback_ms_p99,  # type: ignore[attr-defined]
                "usage": r["usage"],
                "totals": r["totals"],
                "missing": r["missing"],
                "unexpected": r["unexpected"],
                "status_mismatch": r["status_mismatch"],
                "catch_up_s": r["catch_up_s"],
            }
            for rep, r in zip(reports, agg_runs, strict=True)
        ],
        "floor_usage": [r["usage"] for r in floor_runs],
    }
    connected = [rep.connected for rep in reports]  # type: ignore[attr-defined]
    all_in = all(c == config.kiosks for c in connected) and all(
        rep.failures == 0  # type: ignore[attr-defined]
        for rep in reports
    )
    catch_up = [float(r["catch_up_s"]) for r in agg_runs]  # type: ignore[arg-type]
    p99 = [rep.puback_ms_p99 for rep in reports]  # type: ignore[attr-defined]
    note = (
        f"{config.kiosks} kiosks, heartbeat {config.heartbeat_s:.0f} s, "
        f"{median(msgs_per_s):.0f} msg/s acknowledged, {runs} run(s) of {duration:.0f} s; "
        f"the aggregator caught up {median(catch_up):.1f} s after the fleet stopped; "
        f"PUBACK p99 {median(p99):.0f} ms"
    )
    results = [
        Result(
            "fleet_loss",
            f"{config.kiosks} kiosks: events missing or extra in the database",
            float(median(losses)),
            "events",
            None,
            "–",
            "0, and every status once",
            all(x == 0 for x in losses) and all(totals_ok) and all_in,
            runs=[float(x) for x in losses],
            notes=note + f"; totals match: {totals_ok}; connected: {connected}",
            extra=detail,
        ),
        Result(
            "fleet_cpu_broker",
            f"{config.kiosks} kiosks: Mosquitto CPU (% of one core)",
            median(cpu(agg_runs, "mosquitto")),
            "%",
            median(cpu(floor_runs, "mosquitto")),
            "same fleet, bare subscriber",
            "(none)",
            None,
            runs=cpu(agg_runs, "mosquitto"),
            floor_runs=cpu(floor_runs, "mosquitto"),
            higher_is_better=False,
        ),
        Result(
            "fleet_cpu_aggregator",
            f"{config.kiosks} kiosks: aggregator CPU (% of one core)",
            median(cpu(agg_runs, "consumer")),
            "%",
            median(cpu(floor_runs, "consumer")),
            "bare paho subscriber",
            "(none)",
            None,
            runs=cpu(agg_runs, "consumer"),
            floor_runs=cpu(floor_runs, "consumer"),
            higher_is_better=False,
        ),
        Result(
            "fleet_cpu_simulator",
            f"{config.kiosks} kiosks: simulator CPU (% of one core)",
            median(cpu(agg_runs, "simulator")),
            "%",
            None,
            "–",
            "(none)",
            None,
            runs=cpu(agg_runs, "simulator"),
            higher_is_better=False,
        ),
        Result(
            "fleet_rss_broker",
            f"{config.kiosks} kiosks: Mosquitto peak RSS",
            median(rss(agg_runs, "mosquitto")),
            "MB",
            median(rss(floor_runs, "mosquitto")),
            "same fleet, bare subscriber",
            "(none)",
            None,
            runs=rss(agg_runs, "mosquitto"),
            floor_runs=rss(floor_runs, "mosquitto"),
            higher_is_better=False,
        ),
        Result(
            "fleet_rss_aggregator",
            f"{config.kiosks} kiosks: aggregator peak RSS",
            median(rss(agg_runs, "consumer")),
            "MB",
            median(rss(floor_runs, "consumer")),
            "bare paho subscriber",
            "(none)",
            None,
            runs=rss(agg_runs, "consumer"),
            floor_runs=rss(floor_runs, "consumer"),
            higher_is_better=False,
        ),
        Result(
            "fleet_rss_simulator",
            f"{config.kiosks} kiosks: simulator peak RSS (first run, fresh process)",
            rss(agg_runs, "simulator")[0],
            "MB",
            None,
            "–",
            "(none)",
            None,
            runs=rss(agg_runs, "simulator"),
            higher_is_better=False,
        ),
    ]
    emit(results, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
