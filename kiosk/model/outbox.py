"""The kiosk's durable outbox: every event and help change is written here before anything else.

Rows leave only when the broker has acknowledged the message that carried them (PUBACK), so a
crash, a dead network or a broker that is down loses nothing. SQLite in WAL mode: a committed
row survives SIGKILL of the kiosk at any moment.

Plain ``sqlite3`` rather than SQLAlchemy, on purpose: the outbox is three statements, and
SQLAlchemy's import alone cost the kiosk ~0.7 s of start-up and ~30 MB of memory on every
public PC (measured; see docs/decisions.md). The aggregator, which needs SQLite and
PostgreSQL from the same code, keeps SQLAlchemy.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from kiosk.wire.protocol import Channel, Event

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    -- AUTOINCREMENT: a seq is never reused, even after the outbox was emptied, so the
    -- uploader's high-water mark stays valid.
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    body TEXT NOT NULL
);
-- Help calls (and anything else that is not an event) go out before a backlog of events:
-- this partial index finds them without reading the events.
CREATE INDEX IF NOT EXISTS ix_outbox_urgent ON outbox (seq) WHERE channel != 'events';
CREATE TABLE IF NOT EXISTS kiosk_state (
    -- Small facts that must survive a crash (for example a help call still open).
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


_CHANNELS = {channel.value: channel for channel in Channel}
# One DELETE … IN (…) per chunk instead of one per row; 500 stays under SQLite's oldest limit
# of 999 parameters a statement.
_DELETE_CHUNK = 500


class OutboxError(RuntimeError):
    """The outbox file cannot be opened or written; the message names the file."""


class OutboxRow(NamedTuple):
    """One waiting message (a tuple: 500 of them are built for every batch the link sends)."""

    seq: int
    channel: Channel
    body: str


class Outbox:
    """Durable queue of messages waiting for the broker; safe to use from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            folder = path.parent
            raise OutboxError(f"cannot create the outbox folder {folder}: {err.strerror}") from None
        try:
            self._db = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=10
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a committed row survives a process kill; only power loss can
            # cost the last few.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as err:
            raise OutboxError(f"cannot open the outbox {path}: {err}") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add_event(self, event_: Event) -> None:
        self.add([(Channel.EVENTS, event_json(event_))])

    def add(self, items: Iterable[tuple[Channel, str]]) -> None:
        """Write several messages in one transaction: all are kept, or none."""
        rows = [(channel.value, body) for channel, body in items]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("INSERT INTO outbox (channel, body) VALUES (?, ?)", rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def next_rows(self, after_seq: int, limit: int) -> list[OutboxRow]:
        """The oldest rows after ``after_seq``, whatever their channel."""
        return self._select("", after_seq, limit)

    def next_events(self, after_seq: int, limit: int) -> list[OutboxRow]:
        """The oldest event rows after ``after_seq``."""
        return self._select("AND channel = 'events'", after_seq, limit)

    def next_urgent(self, after_seq: int, limit: int) -> list[OutboxRow]:
        """The oldest rows after ``after_seq`` that are not events (help calls): a visitor
        waits for them, so they are sent before a backlog of events (partial index)."""
        return self._select("AND channel != 'events'", after_seq, limit)

    def _select(self, which: str, after_seq: int, limit: int) -> list[OutboxRow]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT seq, channel, body FROM outbox WHERE seq > ? {which} "  # noqa: S608 - fixed text
                "ORDER BY seq LIMIT ?",
                (after_seq, limit),
            ).fetchall()
        channels = _CHANNELS  # a dict lookup, not Channel(text) for every row
        return [OutboxRow(seq, channels[channel], body) for seq, channel, body in rows]

    def remove(self, seqs: Sequence[int]) -> None:
        """Delete the rows whose messages the broker acknowledged, in one transaction."""
        if not seqs:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for start in range(0, len(seqs), _DELETE_CHUNK):
                    chunk = seqs[start : start + _DELETE_CHUNK]
                    marks = ",".join("?" * len(chunk))  # only placeholders go into the text
                    self._db.execute(f"DELETE FROM outbox WHERE seq IN ({marks})", chunk)  # noqa: S608
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def count(self) -> int:
        with self._lock:
            (total,) = self._db.execute("SELECT count(*) FROM outbox").fetchone()
        return int(total)

    def get_state(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM kiosk_state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_state(self, key: str, value: str | None) -> None:
        with self._lock:
            if value is None:
                self._db.execute("DELETE FROM kiosk_state WHERE key = ?", (key,))
            else:
                self._db.execute(
                    "INSERT INTO kiosk_state (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )


def event_json(event_: Event) -> str:
    """An event as the JSON object that goes into a batch."""
    return json.dumps(event_.to_wire(), separators=(",", ":"), ensure_ascii=False)
