"""What every benchmark needs: a private Mosquitto and PostgreSQL, processes, figures and floors.

Everything listens on 127.0.0.1 on a free port and is stopped by the benchmark that started it
(context managers), so a benchmark leaves no process behind. Not a test helper: the benchmarks
do not import pytest.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
DEV_CONF = ROOT / "broker_config" / "mosquitto-dev.conf"
PYTHON = sys.executable
LOOPBACK = "127.0.0.1"


# --- small things -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.2):
            return True
    except OSError:
        return False


def wait_until(
    predicate: Callable[[], object], timeout: float, what: str, step: float = 0.02
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def raise_fd_limit(wanted: int = 20_000) -> int:
    """Thousands of sockets need more than the usual 1024 descriptors (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def suite_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else math.nan


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 500 samples is the 495th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return float(ordered[rank - 1])


# --- Mosquitto ----------------------------------------------------------------------------------


def mosquitto_binary() -> str:
    found = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )
    if found is None:
        raise RuntimeError("mosquitto is not installed (make test installs it)")
    return found


def mosquitto_version() -> str:
    done = subprocess.run([mosquitto_binary(), "-h"], capture_output=True, text=True)
    return (done.stdout or done.stderr).split("\n")[0].replace("mosquitto version ", "")


def _more_files() -> None:  # runs in the child before exec
    raise_fd_limit()


class Mosquitto:
    """Mosquitto with the project's dev config; only the port and persistence folder change."""

    def __init__(self, folder: Path | None = None, port: int | None = None) -> None:
        self.folder = folder or Path(tempfile.mkdtemp(prefix="bench-mosquitto-"))
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def render_config(self) -> Path:
        text = DEV_CONF.read_text()
        assert "listener 1883 127.0.0.1" in text, "the dev config must listen on loopback"
        text = text.replace("listener 1883 127.0.0.1", f"listener {self.port} {LOOPBACK}")
        text += f"\npersistence_location {self.folder}/\n"
        if os.geteuid() == 0:
            text += "user root\n"  # otherwise it drops to 'mosquitto' and cannot write the folder
        path = self.folder / "mosquitto.conf"
        path.write_text(text)
        return path

    def start(self) -> Mosquitto:
        conf = self.render_config()
        log = (self.folder / "mosquitto.log").open("ab")
        self.process = subprocess.Popen(
            [mosquitto_binary(), "-c", str(conf)],
            stdout=log,
            stderr=log,
            preexec_fn=_more_files,
        )
        process = self.process
        wait_until(lambda: port_open(self.port) or process.poll() is not None, 10, "mosquitto")
        if process.poll() is not None:
            raise RuntimeError(f"mosquitto exited: {(self.folder / 'mosquitto.log').read_text()}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def __enter__(self) -> Mosquitto:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


# --- PostgreSQL ---------------------------------------------------------------------------------


def _postgres_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (make test installs it)")
    return str(found[-1])


class Postgres:
    """A private PostgreSQL server on a free loopback port, run as the postgres user when root.

    Server settings are PostgreSQL's defaults (fsync and synchronous_commit on), plus the ones
    given in ``settings``.
    """

    def __init__(self, settings: dict[str, str] | None = None, *, base: Path | None = None) -> None:
        """``base``: a folder kept between runs (a cached database); else a temporary one."""
        self.keep = base is not None
        if base is not None:
            base.mkdir(parents=True, exist_ok=True)
        self.base = base or Path(tempfile.mkdtemp(prefix="bench-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.settings = settings or {}
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.started = False

    def start(self) -> Postgres:
        if self._as_postgres:
            shutil.chown(self.base, "postgres")  # initdb refuses to run as root
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        self._pg_ctl_start()
        return self

    def _initdb(self) -> None:
        subprocess.run(
            [
                *self._as_postgres,
                _postgres_bin("initdb"),
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )

    def _pg_ctl_start(self) -> None:
        if (self.data / "postmaster.pid").exists():  # a server left by a killed run: ours
            subprocess.run(
                [*self._as_postgres, _postgres_bin("pg_ctl"), "-D", str(self.data), "-w", "stop"],
                capture_output=True,
            )
        options = f"-p {self.port} -k {self.base} -c listen_addresses={LOOPBACK}"
        for name, value in self.settings.items():
            options += f" -c {name}={value}"
        subprocess.run(
            [
                *self._as_postgres,
                _postgres_bin("pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.base / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        self.started = True

    def version(self) -> str:
        import psycopg

        with psycopg.connect(self.dsn("postgres")) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"

    def dsn(self, dbname: str) -> str:
        return f"host={LOOPBACK} port={self.port} user=postgres dbname={dbname}"

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@{LOOPBACK}:{self.port}/{dbname}"

    def has_database(self, name: str) -> bool:
        import psycopg

        with psycopg.connect(self.dsn("postgres")) as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        return row is not None

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def server_pids(self) -> list[int]:
        pid_file = self.data / "postmaster.pid"
        try:
            main = int(pid_file.read_text().split("\n")[0])
        except (OSError, ValueError):
            return []
        try:
            parent = psutil.Process(main)
            return [main, *(child.pid for child in parent.children(recursive=True))]
        except psutil.Error:
            return [main]

    def stop(self) -> None:
        if self.started:
            subprocess.run(
                [
                    *self._as_postgres,
                    _postgres_bin("pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ],
                capture_output=True,
            )
            self.started = False
        if not self.keep:
            shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> Postgres:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


# --- processes ----------------------------------------------------------------------------------


@dataclass
class Proc:
    """A child process whose output is collected line by line; stopped by SIGTERM, then kill."""

    args: list[str]
    env: dict[str, str] = field(default_factory=suite_env)
    process: subprocess.Popen[str] | None = None
    lines: list[str] = field(default_factory=list)
    cwd: Path = ROOT

    def start(self) -> Proc:
        self.process = subprocess.Popen(
            self.args,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
            cwd=self.cwd,
            preexec_fn=_more_files,
        )
        threading.Thread(target=self._read, daemon=True).start()
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, text: str, timeout: float = 30.0) -> str:
        process = self.process
        assert process is not None

        def seen() -> bool:
            return any(text in line for line in self.lines) or process.poll() is not None

        wait_until(seen, timeout, repr(text))
        for line in self.lines:
            if text in line:
                return line
        raise RuntimeError(f"{text!r} not seen; output:\n{self.output()[-3000:]}")

    def stop(self, timeout: float = 30.0) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return int(self.process.returncode)

    def __enter__(self) -> Proc:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def aggregator_args(broker_url: str, db_url: str, client_id: str, *extra: str) -> list[str]:
    """``admin-console serve`` as a command line."""
    return [
        PYTHON,
        "-m",
        "admin_console",
        "serve",
        "--broker",
        broker_url,
        "--db",
        db_url,
        "--client-id",
        client_id,
        *extra,
    ]


@contextmanager
def aggregator(broker_url: str, db_url: str, client_id: str, *extra: str) -> Iterator[Proc]:
    """The real ``admin-console serve`` process, subscribed when this yields."""
    proc = Proc(aggregator_args(broker_url, db_url, client_id, *extra)).start()
    try:
        proc.wait_for_line("subscribed to", 60)
        yield proc
    finally:
        proc.stop()


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
