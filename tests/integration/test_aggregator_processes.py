"""``admin-console serve`` receives in one process and stores in a child process (the storer).

Real Mosquitto with the project's dev config, the real aggregator: what the storer has not
committed is never acknowledged, the storer dies with the aggregator, and the aggregator does
not go on receiving without its storer.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from tests.conftest import Mosquitto, Proc, run_stats, wait_for
from tests.integration.test_outside_client import TOPIC, batch_payload, mosquitto_pub


def _storer(aggregator: Proc) -> psutil.Process:
    assert aggregator.process is not None
    children = psutil.Process(aggregator.process.pid).children()
    storers = [c for c in children if "resource_tracker" not in " ".join(c.cmdline())]
    assert len(storers) == 1, [c.cmdline() for c in children]
    return storers[0]


def test_nothing_is_acknowledged_before_its_commit_and_the_storer_dies_with_the_aggregator(
    mosquitto: Mosquitto, start_aggregator: Callable[..., Proc], tmp_path: Path
) -> None:
    db_file = tmp_path / "agg.db"
    db = f"sqlite:///{db_file}"
    aggregator = start_aggregator(mosquitto.url, db, "agg-locked")
    storer = _storer(aggregator)
    first, _ = batch_payload(5)
    mosquitto_pub(mosquitto.port, TOPIC, first)
    wait_for(lambda: run_stats(db)["events_total"] == 5, 20, "the first batch")

    # Another writer holds SQLite's write lock: the storer cannot commit what comes now.
    blocker = sqlite3.connect(db_file, timeout=30, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    ids: list[str] = []
    for _ in range(10):
        payload, batch_ids = batch_payload(10)
        mosquitto_pub(mosquitto.port, TOPIC, payload)
        ids += batch_ids
    time.sleep(2.0)  # received and handed to the storer, which waits for the lock
    assert aggregator.process is not None
    aggregator.process.send_signal(signal.SIGKILL)
    aggregator.process.wait(10)
    storer.wait(10)  # psutil.TimeoutExpired if the storer outlived the aggregator
    blocker.execute("ROLLBACK")
    blocker.close()
    assert run_stats(db)["events_total"] == 5  # nothing of the locked time was committed

    # Not acknowledged, so the broker kept it for the aggregator's session.
    start_aggregator(mosquitto.url, db, "agg-locked")
    wait_for(lambda: run_stats(db)["events_total"] == 105, 30, "the 100 events kept by the broker")
    assert run_stats(db)["rejected_total"] == 0


def test_without_its_storer_the_aggregator_stops(
    mosquitto: Mosquitto, start_aggregator: Callable[..., Proc], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'agg.db'}"
    aggregator = start_aggregator(mosquitto.url, db, "agg-orphan")
    _storer(aggregator).kill()
    assert aggregator.process is not None
    try:
        code = aggregator.process.wait(20)
    except subprocess.TimeoutExpired:
        raise AssertionError("the aggregator went on without its storer") from None
    assert code == 1
    assert "the storer process ended" in aggregator.output()
