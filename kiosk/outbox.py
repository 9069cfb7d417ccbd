"""The kiosk's durable outbox: every event and help change is written here before anything else.

Rows leave only when the broker has acknowledged the message that carried them (PUBACK), so a
crash, a dead network or a broker that is down loses nothing. SQLite in WAL mode: a committed
row survives SIGKILL of the kiosk at any moment.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, String, Text, create_engine, delete, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from kiosk.wire.protocol import Channel, Event


class OutboxError(RuntimeError):
    """The outbox file cannot be opened or written; the message names the file."""


class _Base(DeclarativeBase):
    pass


class _Row(_Base):
    __tablename__ = "outbox"
    # AUTOINCREMENT: a seq is never reused, even after the outbox was emptied, so the uploader's
    # high-water mark stays valid.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 (SQLAlchemy's API)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)


class _State(_Base):
    """Small facts that must survive a crash (for example a help call still open)."""

    __tablename__ = "kiosk_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class OutboxRow:
    seq: int
    channel: Channel
    body: str


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode: a committed row survives a process kill; only power loss can cost
    # the last few.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Outbox:
    """Durable queue of messages waiting for the broker."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise OutboxError(
                f"cannot create the outbox folder {path.parent}: {err.strerror}"
            ) from None
        self._engine: Engine = create_engine(f"sqlite:///{path}")
        event.listen(self._engine, "connect", _sqlite_pragmas)
        try:
            _Base.metadata.create_all(self._engine)
        except OperationalError as err:
            raise OutboxError(f"cannot open the outbox {path}: {err.orig}") from None

    def close(self) -> None:
        self._engine.dispose()

    def add_event(self, event_: Event) -> None:
        self.add([(Channel.EVENTS, event_json(event_))])

    def add(self, items: Iterable[tuple[Channel, str]]) -> None:
        """Write several messages in one transaction: all are kept, or none."""
        with Session(self._engine) as session, session.begin():
            session.add_all(_Row(channel=channel.value, body=body) for channel, body in items)

    def next_rows(self, after_seq: int, limit: int) -> list[OutboxRow]:
        with Session(self._engine) as session:
            rows = session.execute(
                select(_Row.seq, _Row.channel, _Row.body)
                .where(_Row.seq > after_seq)
                .order_by(_Row.seq)
                .limit(limit)
            ).all()
        return [OutboxRow(seq, Channel(channel), body) for seq, channel, body in rows]

    def remove(self, seqs: Sequence[int]) -> None:
        if not seqs:
            return
        with Session(self._engine) as session, session.begin():
            session.execute(delete(_Row).where(_Row.seq.in_(seqs)))

    def remove_range(self, first: int, last: int) -> None:
        with Session(self._engine) as session, session.begin():
            session.execute(delete(_Row).where(_Row.seq >= first, _Row.seq <= last))

    def count(self) -> int:
        with Session(self._engine) as session:
            return int(session.execute(select(func.count()).select_from(_Row)).scalar_one())

    def get_state(self, key: str) -> str | None:
        with Session(self._engine) as session:
            row = session.get(_State, key)
            return None if row is None else row.value

    def set_state(self, key: str, value: str | None) -> None:
        with Session(self._engine) as session, session.begin():
            row = session.get(_State, key)
            if value is None:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(_State(key=key, value=value))
            else:
                row.value = value


def event_json(event_: Event) -> str:
    """An event as the JSON object that goes into a batch."""
    return json.dumps(event_.to_wire(), separators=(",", ":"), ensure_ascii=False)
