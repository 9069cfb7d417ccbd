"""Dashboard and report queries over a generated 10-million-event database (p95 ≤ 100 ms).

The database comes from ``admin_console.demo.data.generate`` (50 sites × 10 kiosks × 365 days,
about 11 million events with their visits, help requests and daily counts) in SQLite and in
PostgreSQL; the quick run uses 5 sites × 10 kiosks × 60 days (~200,000 events). Generating the
big one takes a quarter of an hour per database on this machine, so it is kept between runs in
``$KIOSK_BENCH_CACHE`` (default /var/tmp/kiosk-suite-bench), keyed by its parameters (the data's
"now" is fixed) and the migrations it was created with; a cached database made before newer
migrations is brought up to date by the Alembic upgrade, as a deployment would be (its time is
printed: the backfill over ten million events). A migration edited after it ran on a cached
database does not run again there: ``--fresh`` makes it anew.

Measured: what the admin console and ``admin-console stats`` / ``report`` call —
``stats.collect_stats``, the functions of ``admin_console.read.usage`` and ``help_queries``
(30-day and 365-day periods, all sites and one site; the Usage tab's year by week) and
``reports.build_report`` (90 days and a year, all sites; a year, one site) and the Usage tab's
help loop (``help_loop.help_loop_figures``, 30 days and a year, all sites) — plus a raw query
over ``events`` by time. Each is run ``--reps`` times in each of ``--runs`` rounds (round-robin, so
that machine load hits all alike); p95 over all its samples. Floor: ``SELECT 1`` through the
same engine (the round trip), measured the same way.

Usage: python benchmarks/bench_queries.py [--quick] [--runs N] [--reps N] [--fresh]
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from sqlalchemy import text
from sqlalchemy.engine import Engine

from admin_console.demo import data as demo_data
from admin_console.read import reports, stats
from admin_console.read import usage as usage_queries
from admin_console.read.usage import Period, UsageFilter
from admin_console.store.database import MIGRATIONS, open_database
from benchmarks.infra import Result, common_args, emit, median, percentile
from tests.harness import Postgres

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # fixed, so that a cached database stays valid
FULL = {"sites": 50, "kiosks_per_site": 10, "days": 365}
QUICK = {"sites": 5, "kiosks_per_site": 10, "days": 60}
GOAL_MS = 100.0

Query = Callable[[Engine], Any]


def cache_root() -> Path:
    return Path(os.environ.get("KIOSK_BENCH_CACHE", "/var/tmp/kiosk-suite-bench"))


def _digest(*parts: bytes) -> str:
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:12]


def migrations() -> list[Path]:
    versions = MIGRATIONS / "versions"
    return sorted(path for path in versions.glob("0*.py"))


def cache_key(params: dict[str, int], upto: int | None = None) -> str:
    """The sizes, the fixed "now" and the migration a database was created at (the newest, or
    the ``upto``-th): by name, as a deployed database knows its revision."""
    revision = migrations()[:upto][-1].name.encode()
    return _digest(revision, json.dumps(params, sort_keys=True).encode(), NOW.isoformat().encode())


def cached_folder(kind: str, params: dict[str, int], fresh: bool) -> Path:
    """The folder of a database made with all the migrations or, failing that, the newest one
    made with fewer of them (the upgrade brings it up to date); a new one if there is none."""
    newest = cache_root() / f"{kind}-{cache_key(params)}"
    if fresh:
        return newest
    for upto in range(len(migrations()), 0, -1):
        folder = cache_root() / f"{kind}-{cache_key(params, upto)}"
        if (folder / "generated.json").exists():
            return folder
    return newest


def upgrade(url: str) -> None:
    """Bring a cached database to the newest migration; say how long the backfill took."""
    started = time.monotonic()
    engine = open_database(url)  # runs the Alembic upgrade
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    print(
        f"  schema up to date (Alembic upgrade) in {time.monotonic() - started:.1f} s", flush=True
    )


def generator_digest() -> str:
    return _digest(Path(demo_data.__file__).read_bytes())


def _check_generator(summary: dict[str, Any], where: Path) -> None:
    if summary.get("generator") != generator_digest():
        print(
            f"  note: {where} was made by another version of demo_data.py; --fresh makes it anew",
            flush=True,
        )


def _generate(engine: Engine, params: dict[str, int]) -> dict[str, Any]:
    started = time.monotonic()

    def progress(done: int, total: int) -> None:
        if done % 30 == 0 or done == total:
            print(
                f"    generated day {done}/{total} ({time.monotonic() - started:.0f} s)", flush=True
            )

    return demo_data.generate(
        engine,
        sites=params["sites"],
        kiosks_per_site=params["kiosks_per_site"],
        days=params["days"],
        seed=1,
        now=NOW,
        progress=progress,
    )


def sqlite_database(params: dict[str, int], fresh: bool) -> tuple[str, dict[str, Any]]:
    folder = cached_folder("sqlite", params, fresh)
    done = folder / "generated.json"
    if fresh:
        shutil.rmtree(folder, ignore_errors=True)
    url = f"sqlite:///{folder / 'aggregator.db'}"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        print(f"  generating the SQLite database in {folder} …", flush=True)
        engine = open_database(url)
        summary = _generate(engine, params)
        engine.dispose()
        done.write_text(json.dumps({**summary, "generator": generator_digest()}, default=str))
    else:
        upgrade(url)
    summary = json.loads(done.read_text())
    _check_generator(summary, folder)
    return url, summary


def postgres_database(params: dict[str, int], fresh: bool) -> tuple[Postgres, str, dict[str, Any]]:
    folder = cached_folder("postgres", params, fresh)
    done = folder / "generated.json"
    if fresh or not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
    server = Postgres(base=folder).start()
    try:
        url = server.url("bench")
        if not done.exists():
            print(f"  generating the PostgreSQL database in {folder} …", flush=True)
            server.create_database("bench")
            engine = open_database(url)
            summary = _generate(engine, params)
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
            engine.dispose()
            done.write_text(json.dumps({**summary, "generator": generator_digest()}, default=str))
        else:
            upgrade(url)
    except BaseException:
        server.stop()
        raise
    summary = json.loads(done.read_text())
    _check_generator(summary, folder)
    return server, url, summary


def read_side() -> list[Any]:
    """The admin console's read-side modules (help queries moved to their own module)."""
    import importlib

    modules: list[Any] = [usage_queries]
    for name in ("admin_console.read.help", "admin_console.read.help_loop"):
        with contextlib.suppress(ImportError):
            modules.append(importlib.import_module(name))
    return modules


def queries(summary: dict[str, Any]) -> dict[str, Query]:
    last = date.fromisoformat(summary["last_day"])
    month = Period(last - timedelta(days=29), last)
    year = Period(max(date.fromisoformat(summary["first_day"]), last - timedelta(days=364)), last)
    quarter = Period(last - timedelta(days=89), last)
    site = demo_data.site_names(1)[0]
    all_30, all_365 = UsageFilter(month), UsageFilter(year)
    one_30, one_365 = UsageFilter(month, (site,)), UsageFilter(year, (site,))
    day_start = datetime.combine(last, datetime.min.time())
    raw_day = text(
        "SELECT type, count(*) FROM events WHERE ts >= :a AND ts < :b AND site = :s GROUP BY type"
    )
    yesterday = NOW.replace(tzinfo=None) - timedelta(days=1)
    # (label, module, function, arguments after the engine)
    calls: list[tuple[str, str, str, tuple[Any, ...]]] = [
        ("usage", "known_sites", "", ()),
        ("usage", "sessions_per_day", "30 d, all sites", (all_30,)),
        ("usage", "sessions_per_day", "365 d by week, all", (all_365, "week")),
        ("usage", "sessions_per_day", "30 d, one site", (one_30,)),
        ("usage", "visits_by_hour", "365 d, all", (all_365,)),
        ("usage", "languages", "365 d, all", (all_365,)),
        ("usage", "task_funnels", "365 d, all", (all_365,)),
        ("usage", "task_funnels", "30 d, one site", (one_30,)),
        ("usage", "event_totals", "30 d, all", (all_30,)),
        ("usage", "sites_opened", "365 d, one site", (one_365,)),
        ("usage", "per_site_counts", "lang, 365 d", (all_365, "lang")),
        ("usage", "sessions_per_site_day", "30 d", (all_30,)),
        ("usage", "machines", "", ()),
        ("help", "help_per_day", "30 d, all", (all_30,)),
        ("help", "help_per_day", "365 d by week, all", (all_365, "week")),
        ("help", "help_waits", "365 d, all", (all_365,)),
        ("help", "help_waits", "30 d, one site", (one_30,)),
        ("help", "help_history", "30 d, one site", (one_30,)),
        ("help", "recent_help", "last 24 h", (yesterday,)),
        ("help", "today_by_site", "", (NOW,)),
        ("help", "help_by_site", "365 d", (all_365,)),
        # The Usage tab's help loop (read.help_loop), "now" the data's: its open shifts.
        ("help", "help_loop_figures", "30 d, all", (all_30, NOW)),
        ("help", "help_loop_figures", "365 d, all", (all_365, NOW)),
    ]
    found: dict[str, Query] = {"stats.collect_stats (admin-console stats)": stats.collect_stats}
    modules = read_side()
    for group, name, label, args in calls:
        function = next((getattr(m, name) for m in modules if hasattr(m, name)), None)
        title = f"{group}.{name}" + (f", {label}" if label else "")
        if function is None:
            print(f"  note: {name} not found in the read side; not measured", flush=True)
            continue
        found[title] = _bound(function, args)
    found["reports.build_report, 90 d, all sites"] = lambda e: reports.build_report(e, quarter)
    found["reports.build_report, 365 d, one site"] = lambda e: reports.build_report(e, year, [site])
    found["reports.build_report, 365 d, all sites"] = lambda e: reports.build_report(e, year)
    found["sql: one site's events of one day by type"] = lambda e: _run(
        e, raw_day, {"a": day_start, "b": day_start + timedelta(days=1), "s": site}
    )
    return found


def _run(engine: Engine, statement: Any, params: dict[str, Any] | None = None) -> Any:
    with engine.connect() as connection:
        return connection.execute(statement, params or {}).all()


def _bound(function: Callable[..., Any], args: tuple[Any, ...]) -> Query:
    return lambda engine: function(engine, *args)


def measure(
    engine: Engine, named: dict[str, Query], rounds: int, reps: int
) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in [*named, "floor"]}
    ping = text("SELECT 1")
    for query in named.values():  # warm-up: first connection, caches
        query(engine)
    for _ in range(rounds):
        for name, query in named.items():
            for _ in range(reps):
                t0 = time.perf_counter()
                query(engine)
                samples[name].append((time.perf_counter() - t0) * 1000)
        for _ in range(reps):
            t0 = time.perf_counter()
            _run(engine, ping)
            samples["floor"].append((time.perf_counter() - t0) * 1000)
    return samples


def results_for(
    db: str, summary: dict[str, Any], samples: dict[str, list[float]], rounds: int
) -> list[Result]:
    floor = percentile(samples.pop("floor"), 95)
    p95 = {name: percentile(values, 95) for name, values in samples.items()}
    slow = {name: round(v, 1) for name, v in sorted(p95.items(), key=lambda kv: -kv[1])}
    dashboard = {k: v for k, v in p95.items() if k.split(".")[0] in ("usage", "help", "reports")}
    over = [name for name, v in dashboard.items() if v > GOAL_MS]
    worst = max(dashboard, key=dashboard.__getitem__)
    stats_name = next(k for k in p95 if k.startswith("stats."))
    raw_name = next(k for k in p95 if k.startswith("sql:"))
    typical = median(list(dashboard.values()))
    size = f"{summary['events']:,} events, {summary.get('sessions', 0):,} visits"
    floor_title = "SELECT 1 round trip (p95)"
    goal = f"≤ {GOAL_MS:.0f} ms"
    return [
        Result(
            f"queries_{db.lower()}_dashboard",
            f"{db}: slowest dashboard/report query, p95 ({worst})",
            dashboard[worst],
            "ms",
            floor,
            floor_title,
            goal,
            dashboard[worst] <= GOAL_MS,
            higher_is_better=False,
            notes=(
                f"{size}; {len(dashboard)} read-side calls, {len(over)} over "
                f"{GOAL_MS:.0f} ms {over}; median of their p95s {typical:.1f} ms"
            ),
            extra={"events": summary["events"], "p95_ms": slow, "rounds": rounds},
        ),
        Result(
            f"queries_{db.lower()}_stats",
            f"{db}: admin-console stats (stats.collect_stats), p95",
            p95[stats_name],
            "ms",
            floor,
            floor_title,
            goal,
            p95[stats_name] <= GOAL_MS,
            higher_is_better=False,
        ),
        Result(
            f"queries_{db.lower()}_raw_events",
            f"{db}: raw events of one site and day by type, p95 (no suite code)",
            p95[raw_name],
            "ms",
            floor,
            floor_title,
            "(none)",
            None,
            higher_is_better=False,
            notes="what a future raw-event view would cost with today's indexes",
        ),
    ]


def main() -> int:
    parser = common_args(__doc__)
    parser.add_argument("--reps", type=int, help="repetitions of each query a round (default 7)")
    parser.add_argument("--fresh", action="store_true", help="generate the databases anew")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one database")
    args = parser.parse_args()
    params = QUICK if args.quick else FULL
    reps = args.reps or (5 if args.quick else 7)
    results: list[Result] = []
    if args.only != "postgresql":
        url, summary = sqlite_database(params, args.fresh)
        engine = open_database(url, create=False)
        samples = measure(engine, queries(summary), args.runs, reps)
        engine.dispose()
        results += results_for("SQLite", summary, samples, args.runs)
    if args.only != "sqlite":
        server, url, summary = postgres_database(params, args.fresh)
        try:
            engine = open_database(url, create=False)
            samples = measure(engine, queries(summary), args.runs, reps)
            engine.dispose()
        finally:
            server.stop()
        results += results_for("PostgreSQL", summary, samples, args.runs)
    emit(results, args.json_out)
    for result in results:
        if "p95_ms" in result.extra:
            print(f"  {result.key.split('_')[1]} p95 by query (ms): {result.extra['p95_ms']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
