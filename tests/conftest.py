"""Shared fixtures: a real Mosquitto with the project's dev config, a private PostgreSQL, and
the suite's processes. What starts them is tests/harness.py (the benchmarks use it too); its
names are imported here too, so that tests import them from ``tests.conftest`` as before."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest

from tests import harness
from tests.harness import (
    DEV_CONF,
    ROOT,
    Mosquitto,
    Postgres,
    Proc,
    admin_console,
    aggregator_args,
    free_port,
    mosquitto_binary,
    port_open,
    render_dev_config,
    run_stats,
    suite_env,
    wait_for,
)

__all__ = [
    "DEV_CONF",
    "ROOT",
    "TESTS",
    "TIERS",
    "Mosquitto",
    "Postgres",
    "Proc",
    "admin_console",
    "free_port",
    "mosquitto_binary",
    "port_open",
    "render_dev_config",
    "run_stats",
    "suite_env",
    "wait_for",
]

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
    "browser": "the phone desk in a real headless Chromium, over WSS to a real Mosquitto",
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    """A test that starts Mosquitto must be marked ``broker``, so that ``pytest -m "not
    broker"`` needs none: the ``mosquitto`` fixture marks its tests; a test that starts a
    broker another way is marked by hand (``pytest.mark.broker``; unit/test_broker_marks.py checks
    it statically). Set before the fixtures, module-scoped ones included."""
    marked = item.get_closest_marker("broker") is not None
    harness.refuse_brokers(
        None
        if marked
        else f"{item.nodeid} starts Mosquitto but is not marked `broker`:"
        " request the `mosquitto` fixture or add pytest.mark.broker"
    )
    return (yield)


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    folder = tmp_path / "broker"
    folder.mkdir()
    broker = Mosquitto(free_port(), folder)
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[int]:
    """A private PostgreSQL on a free port for this test run, stopped at the end."""
    with Postgres({"fsync": "off"}) as server:
        yield server.port


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


@pytest.fixture
def start_aggregator(tmp_path: Path) -> Iterator[Callable[..., Proc]]:
    started: list[Proc] = []

    def start(
        broker_url: str, db_url: str, client_id: str = "test-aggregator", *extra: str
    ) -> Proc:
        proc = Proc(aggregator_args(broker_url, db_url, client_id, *extra), suite_env()).start()
        started.append(proc)
        proc.wait_for_line("subscribed to")
        return proc

    yield start
    for proc in started:
        proc.stop()
        print(f"--- {' '.join(proc.args[3:])}\n{proc.output()}")  # shown when a test fails
