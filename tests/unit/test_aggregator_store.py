"""The storer's loop: retry while the database is away, halve what the database refuses."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.exc import OperationalError

from admin_console.ingest.batch import Inbound, IngestResult, Prepared
from admin_console.ingest.storer import Storer


class _TooBigForTheDatabase:
    """Refuses any transaction of more than ``limit`` messages, as SQLite refused too many
    bind parameters; counts what it stored."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.stored: list[str] = []
        self.attempts = 0

    def handle(self, messages: Sequence[Inbound], prepared: Prepared | None = None) -> IngestResult:
        self.attempts += 1
        if len(messages) > self.limit:
            raise OperationalError("INSERT …", {}, Exception("too many SQL variables"))
        self.stored += [m.topic for m in messages]
        result = IngestResult()
        result.events_new = len(messages)
        return result


def _batch(n: int) -> list[Inbound]:
    now = datetime.now(UTC)
    return [Inbound(f"t/{i}", b"{}", now) for i in range(n)]


def test_a_batch_the_database_refuses_is_stored_in_halves() -> None:
    ingest = _TooBigForTheDatabase(limit=40)
    storer = Storer(ingest)
    storer._SPLIT_AFTER = 1  # type: ignore[misc]  # no back-off waits in a unit test
    totals = storer.store(_batch(300), threading.Event())
    assert sorted(ingest.stored) == sorted(f"t/{i}" for i in range(300))
    assert len(set(ingest.stored)) == 300
    assert totals is not None
    assert totals["messages"] == 300 and totals["events_new"] == 300


def test_nothing_is_stored_while_the_database_is_away_and_stop_ends_the_wait() -> None:
    ingest = _TooBigForTheDatabase(limit=0)  # refuses everything, like a database that is away
    stop = threading.Event()
    timer = threading.Timer(1.0, stop.set)
    timer.start()
    totals = Storer(ingest).store(_batch(8), stop)
    timer.join()
    assert ingest.stored == [] and totals is None  # None: nothing to acknowledge
    assert ingest.attempts >= 2
