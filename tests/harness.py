"""The one harness of the tests and the benchmarks: real servers and the suite's processes.

- :class:`Mosquitto`: the project's own broker config (``broker_config/mosquitto-dev.conf``)
  with only the port (a free one) and the persistence folder changed, or a generated
  ``mosquitto.conf`` used as it is (``admin-console provision``);
- :class:`Postgres`: a private PostgreSQL server on a free port, run as ``postgres`` when root;
- :class:`Proc`: a process of the suite whose output is collected line by line;
- :func:`wait_for`: poll a condition instead of sleeping.

Everything listens on 127.0.0.1 and is stopped by whoever started it. tests/conftest.py makes
fixtures of these; benchmarks/ (which put the repository root on sys.path) import them from
here, so no pytest here.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV_CONF = ROOT / "broker_config" / "mosquitto-dev.conf"
PYTHON = sys.executable
LOOPBACK = "127.0.0.1"


class TimedOut(AssertionError, TimeoutError):
    """A condition that did not come: a test failure, and a TimeoutError for a benchmark."""


# --- waiting and ports ------------------------------------------------------------------------


def wait_for(
    predicate: Callable[[], object],
    timeout: float = 10.0,
    what: str = "condition",
    step: float = 0.02,
) -> None:
    """Poll a condition until it holds (processes, sockets, databases; Qt tests use
    qtbot.waitUntil). ``step`` is only the polling interval: nothing waits longer than needed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    if predicate():  # a last look: the process may have been descheduled past the deadline
        return
    raise TimedOut(f"timed out after {timeout:.0f} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = LOOPBACK) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def raise_fd_limit(wanted: int = 20_000) -> int:
    """Thousands of sockets need more than the usual 1024 descriptors (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _more_files() -> None:  # runs in the child before exec
    raise_fd_limit()


def suite_env(**extra: str) -> dict[str, str]:
    """The environment of the suite's processes: unbuffered, offscreen Qt, this checkout."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


# --- Mosquitto --------------------------------------------------------------------------------

# Under pytest, tests/conftest.py sets this before each test: the reason a broker may not start
# (the test is not marked `broker`), so that `pytest -m "not broker"` never needs Mosquitto.
broker_refusal: str | None = None


def refuse_brokers(reason: str | None) -> None:
    global broker_refusal
    broker_refusal = reason


def mosquitto_binary() -> str:
    found = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )
    if found is None:
        raise RuntimeError(
            "mosquitto is not installed: `make test` installs it (apt-get install mosquitto)"
        )
    return found


def mosquitto_version() -> str:
    done = subprocess.run([mosquitto_binary(), "-h"], capture_output=True, text=True)
    return (done.stdout or done.stderr).split("\n")[0].replace("mosquitto version ", "")


def render_dev_config(port: int, folder: Path) -> Path:
    """The project's dev config with only the port and the persistence folder changed."""
    text = DEV_CONF.read_text()
    assert "listener 1883 127.0.0.1" in text, "the dev config must listen on loopback"
    text = text.replace("listener 1883 127.0.0.1", f"listener {port} {LOOPBACK}")
    text += f"\npersistence_location {folder}/\n"
    if os.geteuid() == 0:
        text += "user root\n"  # otherwise it drops to 'mosquitto' and cannot write the folder
    path = folder / "mosquitto.conf"
    path.write_text(text)
    return path


class Mosquitto:
    """A real Mosquitto on loopback.

    ``Mosquitto()``: the dev config on a free port in a temporary folder (removed by ``with``);
    ``Mosquitto(port, folder)``: the dev config in that folder; ``conf=``: that config file as
    it is (it must listen on ``port``). Its output goes to ``folder/log_name``.
    """

    def __init__(
        self,
        port: int | None = None,
        folder: Path | None = None,
        *,
        conf: Path | None = None,
        log_name: str = "mosquitto.log",
    ) -> None:
        self._own_folder = folder is None
        self.folder = folder or Path(tempfile.mkdtemp(prefix="kiosk-suite-mosquitto-"))
        self.port = port or free_port()
        self.conf = conf
        self.log = self.folder / log_name
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 10.0) -> Mosquitto:
        if broker_refusal is not None:
            raise AssertionError(broker_refusal)
        conf = self.conf or render_dev_config(self.port, self.folder)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [mosquitto_binary(), "-c", str(conf)],
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_more_files,
            )
        process = self.process
        wait_for(lambda: port_open(self.port) or process.poll() is not None, timeout, "mosquitto")
        if process.poll() is not None:
            raise AssertionError(f"mosquitto exited:\n{self.log.read_text()}")
        return self

    def reload(self) -> None:
        """SIGHUP: Mosquitto reads its password and ACL files again. Callers wait for the
        effect ("Reloading config" is logged below the generated config's notice level)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def __enter__(self) -> Mosquitto:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)


# --- PostgreSQL -------------------------------------------------------------------------------


def postgres_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed: `make test` installs it (apt-get install postgresql)"
        )
    return str(found[-1])


class Postgres:
    """A private PostgreSQL server on a free loopback port, run as the postgres user when root.

    Server settings are PostgreSQL's defaults (fsync and synchronous_commit on), plus the ones
    given in ``settings``. Its folder is not under pytest's temporary folder: that one is
    private to root, and PostgreSQL runs as postgres.
    """

    def __init__(
        self,
        settings: dict[str, str] | None = None,
        *,
        base: Path | None = None,
        prefix: str = "kiosk-suite-pg-",
    ) -> None:
        """``base``: a folder kept between runs (a cached database); else a temporary one."""
        self.keep = base is not None
        if base is not None:
            base.mkdir(parents=True, exist_ok=True)
        self.base = base or Path(tempfile.mkdtemp(prefix=prefix))
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
                postgres_bin("initdb"),
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
        pg_ctl = postgres_bin("pg_ctl")
        if (self.data / "postmaster.pid").exists():  # a server left by a killed run: ours
            subprocess.run(
                [*self._as_postgres, pg_ctl, "-D", str(self.data), "-w", "stop"],
                capture_output=True,
            )
        options = f"-p {self.port} -k {self.base} -c listen_addresses={LOOPBACK}"
        for name, value in self.settings.items():
            options += f" -c {name}={value}"
        subprocess.run(
            [
                *self._as_postgres,
                pg_ctl,
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
        import psutil

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
                    postgres_bin("pg_ctl"),
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


# --- the suite's processes --------------------------------------------------------------------


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

    def seen(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def wait_for_line(self, text: str, timeout: float = 30.0) -> str:
        """The first line with ``text``, once it came; AssertionError if the process ended or
        the time ran out first."""
        process = self.process
        assert process is not None
        wait_for(lambda: self.seen(text) or process.poll() is not None, timeout, repr(text))
        for line in list(self.lines):
            if text in line:
                return line
        raise AssertionError(f"{text!r} not seen; output:\n{self.output()[-3000:]}")

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

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def __enter__(self) -> Proc:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def admin_console(*args: str) -> list[str]:
    """``admin-console ARGS`` as a command line of this checkout."""
    return [PYTHON, "-m", "admin_console", *args]


def aggregator_args(broker_url: str, db_url: str, client_id: str, *extra: str) -> list[str]:
    """``admin-console serve`` as a command line."""
    return admin_console(
        "serve", "--broker", broker_url, "--db", db_url, "--client-id", client_id, *extra
    )


@contextmanager
def aggregator(
    broker_url: str, db_url: str, client_id: str, *extra: str, timeout: float = 60.0
) -> Iterator[Proc]:
    """The real ``admin-console serve`` process, subscribed when this yields."""
    proc = Proc(aggregator_args(broker_url, db_url, client_id, *extra)).start()
    try:
        proc.wait_for_line("subscribed to", timeout)
        yield proc
    finally:
        proc.stop()


def run_stats(db_url: str) -> dict[str, object]:
    """``admin-console stats --json`` on that database."""
    done = subprocess.run(
        admin_console("stats", "--db", db_url, "--json"),
        capture_output=True,
        text=True,
        timeout=60,
        env=suite_env(),
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))
