"""Shared fixtures: a real Mosquitto with the project's dev config, and the suite's processes."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEV_CONF = ROOT / "broker_config" / "mosquitto-dev.conf"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

# The tiers: a test's folder says what it needs (CONTRIBUTING.md), and marks it so.
TESTS = Path(__file__).resolve().parent
TIERS = {
    "unit": "no Qt, no broker, no server, no display",
    "qt": "real Qt widgets offscreen; no broker",
    "integration": "real Mosquitto, PostgreSQL, QtWebEngine pages, the suite's processes",
    "e2e": "the kiosk and the desks' windows talking through a real broker",
    "desktop": "the real kiosk full screen on Xvfb with openbox, driven by X input",
}


def pytest_configure(config: pytest.Config) -> None:
    for tier, what in TIERS.items():
        config.addinivalue_line("markers", f"{tier}: {what}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = item.path.resolve().relative_to(TESTS).parts
        if parts[0] in TIERS:
            item.add_marker(parts[0])
        if "mosquitto" in getattr(item, "fixturenames", ()):
            item.add_marker("broker")


def wait_for(
    predicate: Callable[[], object], timeout: float = 10.0, what: str = "condition"
) -> None:
    """Poll a condition until it holds (for processes and sockets; Qt tests use qtbot.waitUntil)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def mosquitto_binary() -> str:
    found = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )
    if found is None:
        pytest.fail(
            "mosquitto is not installed: `make test` installs it (apt-get install mosquitto)"
        )
    return found


def render_dev_config(port: int, folder: Path) -> Path:
    """The project's dev config with only the port and the persistence folder changed."""
    text = DEV_CONF.read_text()
    assert "listener 1883 127.0.0.1" in text, "the dev config must listen on loopback"
    text = text.replace("listener 1883 127.0.0.1", f"listener {port} 127.0.0.1")
    text += f"\npersistence_location {folder}/\n"
    if os.geteuid() == 0:
        text += (
            "user root\n"  # otherwise mosquitto drops to 'mosquitto' and cannot write the folder
        )
    path = folder / "mosquitto.conf"
    path.write_text(text)
    return path


@dataclass
class Mosquitto:
    port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        conf = render_dev_config(self.port, self.folder)
        log = (self.folder / "mosquitto.log").open("ab")
        self.process = subprocess.Popen(
            [mosquitto_binary(), "-c", str(conf)], stdout=log, stderr=log
        )
        wait_for(lambda: _port_open(self.port) or self.process.poll() is not None, 10, "mosquitto")
        if self.process.poll() is not None:
            raise AssertionError(f"mosquitto exited: {(self.folder / 'mosquitto.log').read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    folder = tmp_path / "broker"
    folder.mkdir()
    broker = Mosquitto(free_port(), folder)
    broker.start()
    yield broker
    broker.stop()


def _postgres_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        pytest.fail(
            "PostgreSQL is not installed: `make test` installs it (apt-get install postgresql)"
        )
    return str(found[-1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[int]:
    """A private PostgreSQL on a free port for this test run, stopped at the end."""
    import tempfile

    # Not under pytest's tmp folder: that one is private to root, and PostgreSQL runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="kiosk-suite-pg-"))
    data = base / "data"
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(base, "postgres")  # initdb refuses to run as root
    subprocess.run(
        [
            *as_postgres,
            _postgres_bin("initdb"),
            "-D",
            str(data),
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
    port = free_port()
    pg_ctl = _postgres_bin("pg_ctl")
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *as_postgres,
            pg_ctl,
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(base / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    yield port
    subprocess.run(
        [*as_postgres, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], capture_output=True
    )
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: int) -> Iterator[str]:
    """A fresh, empty database on the test server."""
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = f"host=127.0.0.1 port={postgres_server} user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield f"postgresql+psycopg://postgres@127.0.0.1:{postgres_server}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on both databases the suite supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'agg.db'}"
    return str(request.getfixturevalue("postgres_url"))


@dataclass
class Proc:
    """A suite process whose output is collected line by line."""

    args: list[str]
    env: dict[str, str]
    process: subprocess.Popen[str] | None = None
    lines: list[str] = field(default_factory=list)

    def start(self) -> Proc:
        self.process = subprocess.Popen(
            self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.env
        )
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, text: str, timeout: float = 15.0) -> None:
        wait_for(
            lambda: any(text in line for line in self.lines) or self.process.poll() is not None,
            timeout,
            repr(text),
        )
        if not any(text in line for line in self.lines):
            raise AssertionError(f"{text!r} not seen; output:\n{self.output()}")

    def stop(self) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return int(self.process.returncode)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)


def suite_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def admin_console(*args: str) -> list[str]:
    return [sys.executable, "-m", "admin_console", *args]


@pytest.fixture
def start_aggregator(tmp_path: Path) -> Iterator[Callable[..., Proc]]:
    started: list[Proc] = []

    def start(
        broker_url: str, db_url: str, client_id: str = "test-aggregator", *extra: str
    ) -> Proc:
        proc = Proc(
            admin_console(
                "serve", "--broker", broker_url, "--db", db_url, "--client-id", client_id, *extra
            ),
            suite_env(),
        ).start()
        started.append(proc)
        proc.wait_for_line("subscribed to")
        return proc

    yield start
    for proc in started:
        proc.stop()
        print(f"--- {' '.join(proc.args[3:])}\n{proc.output()}")  # shown when a test fails


def run_stats(db_url: str) -> dict[str, object]:
    import json

    done = subprocess.run(
        admin_console("stats", "--db", db_url, "--json"),
        capture_output=True,
        text=True,
        timeout=60,
        env=suite_env(),
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))
