"""From MQTT messages to rows: decode → validate → store, in one transaction per batch.

Idempotent: an event id is a primary key, so a batch delivered twice stores its events once, and
a help request's state only moves forward. The caller acknowledges the messages to the broker
only after :meth:`Ingest.handle` returned, i.e. after the commit.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from admin_console.orm import (
    DailyCountRow,
    EventRow,
    HelpRequestRow,
    MachineRow,
    RejectedCountRow,
    RejectedMessageRow,
    VisitRow,
)
from admin_console.rollups import DEFAULT_TIMEZONE, counts_for
from kiosk.wire.protocol import (
    Channel,
    HelpChange,
    Reason,
    Rejected,
    Status,
    Topic,
    decode_event_batch,
    decode_help,
    decode_status,
    help_advances,
)

log = logging.getLogger("admin_console.ingest")

STORAGE_ERROR = "storage_error"


@dataclass(frozen=True)
class Inbound:
    """One message as it came from the broker."""

    topic: str
    payload: bytes
    received: datetime
    dup: bool = False


@dataclass
class IngestResult:
    events_new: int = 0
    events_duplicate: int = 0
    rejected: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class _Rejection:
    topic: str
    reason: str
    detail: str
    size: int
    sha256: str
    dup: bool


@dataclass
class _Work:
    events: list[dict[str, Any]] = field(default_factory=list)
    help: list[tuple[Topic, HelpChange, Inbound]] = field(default_factory=list)
    status: list[tuple[Topic, Status, datetime]] = field(default_factory=list)
    rejections: list[_Rejection] = field(default_factory=list)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _rejection(message: Inbound, reason: str, detail: str) -> _Rejection:
    digest = hashlib.sha256(message.topic.encode("utf-8", "replace") + b"\0" + message.payload)
    return _Rejection(
        message.topic[:200], reason, detail, len(message.payload), digest.hexdigest(), message.dup
    )


def decode(messages: Sequence[Inbound]) -> _Work:
    """Validate every message; what fails becomes a rejection with its reason, not an exception."""
    work = _Work()
    for message in messages:
        try:
            topic = Topic.parse(message.topic)
            if topic.channel is Channel.EVENTS:
                batch = decode_event_batch(topic, message.payload)
                received = _naive(message.received)
                work.events.extend(
                    {
                        "id": ev.id,
                        "site": topic.site,
                        "machine": topic.machine,
                        "type": ev.type,
                        "ts": _naive(ev.ts),
                        "received": received,
                        "session": ev.session,
                        "data": ev.data,
                    }
                    for ev in batch.events
                )
                for bad in batch.rejected:
                    work.rejections.append(
                        _rejection(message, bad.reason.value, f"event {bad.event_id}: {bad.detail}")
                    )
            elif topic.channel in (Channel.HELP, Channel.HELP_REPLY):
                work.help.append((topic, decode_help(topic.channel, message.payload), message))
            elif topic.channel is Channel.STATUS:
                work.status.append((topic, decode_status(message.payload), message.received))
            else:
                raise Rejected(Reason.BAD_TOPIC, f"the aggregator does not take {topic.channel}")
        except Rejected as err:
            work.rejections.append(_rejection(message, err.reason.value, err.detail))
    return work


class Ingest:
    """Stores validated messages; the one place that writes events, help requests and rejections."""

    def __init__(
        self,
        engine: Engine,
        *,
        dead_letter_limit: int = 10_000,
        timezone: str = DEFAULT_TIMEZONE,
    ) -> None:
        self._engine = engine
        self._dead_letter_limit = dead_letter_limit
        self._zone = ZoneInfo(timezone)
        dialect = engine.dialect.name
        self._insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert

    def handle(self, messages: Sequence[Inbound]) -> IngestResult:
        """Store a batch in one transaction. OperationalError (database away) reaches the caller."""
        work = decode(messages)
        try:
            return self._store(work)
        except OperationalError:
            raise
        except SQLAlchemyError:
            if len(messages) == 1:
                log.exception("could not store a message on %s", messages[0].topic)
                return self._store(
                    _Work(
                        rejections=[
                            _rejection(messages[0], STORAGE_ERROR, "the database refused it")
                        ]
                    )
                )
            # One message spoils the batch: find it by storing each alone.
            total = IngestResult()
            for message in messages:
                part = self.handle([message])
                total.events_new += part.events_new
                total.events_duplicate += part.events_duplicate
                total.rejected.update(part.rejected)
            return total

    def _store(self, work: _Work) -> IngestResult:
        result = IngestResult()
        with Session(self._engine) as session, session.begin():
            if work.events:
                # The same event twice in one transaction (a message and its redelivery side
                # by side) must be inserted, and counted, once.
                unique = list({event["id"]: event for event in reversed(work.events)}.values())
                # One cached statement run over the rows ("executemany"; SQLAlchemy pages it as
                # multi-row INSERT … RETURNING). A single ``.values(rows)`` is compiled anew for
                # every batch and binds one parameter per column per row: a backlog of full
                # batches passed SQLite's (250,000) and PostgreSQL's (65,535) parameter limits.
                table = EventRow.__table__
                statement = (
                    self._insert(table)
                    .on_conflict_do_nothing(index_elements=["id"])
                    .returning(table.c.id)
                )
                new_ids = set(session.connection().execute(statement, unique).scalars())
                result.events_new = len(new_ids)
                result.events_duplicate = len(work.events) - len(new_ids)
                new_events = [event for event in unique if event["id"] in new_ids]
                self._count_daily(session, new_events)
                self._record_visits(session, new_events)
            for topic, change, message in work.help:
                if not self._apply_help(session, topic, change):
                    spoofed = _rejection(
                        message,
                        Reason.SPOOFED_ORIGIN.value,
                        "the request belongs to another machine",
                    )
                    work.rejections.append(spoofed)
            for topic, status, received in work.status:
                session.merge(
                    MachineRow(
                        site=topic.site,
                        machine=topic.machine,
                        state=status.state,
                        last_seen=_naive(received),
                        status=status.figures,
                    )
                )
            for rejection in work.rejections:
                if self._record_rejection(session, rejection):
                    result.rejected[rejection.reason] += 1
        for rejection in work.rejections:
            log.warning(
                "rejected a message on %s: %s (%s)",
                rejection.topic,
                rejection.reason,
                rejection.detail,
            )
        return result

    def _count_daily(self, session: Session, events: list[dict[str, Any]]) -> None:
        counts = counts_for(events, self._zone)
        if not counts:
            return
        # Sorted, so that concurrent aggregators lock rows in the same order (no deadlock).
        rows = [
            {"day": day, "site": site, "kind": kind, "key": key[:80], "count": n}
            for (day, site, kind, key), n in sorted(counts.items())
        ]
        table = DailyCountRow.__table__
        statement = self._insert(table)
        session.connection().execute(
            statement.on_conflict_do_update(
                index_elements=["day", "site", "kind", "key"],
                set_={"count": table.c.count + statement.excluded.count},
            ),
            rows,
        )

    def _record_visits(self, session: Session, events: list[dict[str, Any]]) -> None:
        started: dict[str, dict[str, Any]] = {}
        ended: dict[str, dict[str, Any]] = {}
        for event in events:
            base = {"id": event["session"], "site": event["site"], "machine": event["machine"]}
            if event["type"] == "session_started":
                started[event["session"]] = {
                    **base,
                    "started": event["ts"],
                    "lang": event["data"]["lang"],
                }
            elif event["type"] == "session_ended":
                ended[event["session"]] = {
                    **base,
                    "ended": event["ts"],
                    "end_reason": event["data"]["reason"],
                    "duration_s": event["data"]["duration_s"],
                }
        for rows, columns in (
            (started, ("started", "lang")),
            (ended, ("ended", "end_reason", "duration_s")),
        ):
            if not rows:
                continue
            statement = self._insert(VisitRow.__table__)
            session.connection().execute(
                statement.on_conflict_do_update(
                    index_elements=["id"],
                    set_={name: getattr(statement.excluded, name) for name in columns},
                ),
                sorted(rows.values(), key=lambda r: r["id"]),
            )

    def expire_raw(self, keep_days: int, now: datetime | None = None) -> int:
        """Retention: raw events, visits and help requests older than ``keep_days`` go;
        the daily counts stay. Returns how many events went."""
        limit = _naive(now or datetime.now(UTC)) - timedelta(days=keep_days)
        with Session(self._engine) as session, session.begin():
            gone = session.execute(delete(EventRow).where(EventRow.ts < limit))
            session.execute(delete(VisitRow).where(VisitRow.started < limit))
            session.execute(delete(HelpRequestRow).where(HelpRequestRow.updated < limit))
            return int(gone.rowcount)  # type: ignore[attr-defined]

    def _apply_help(self, session: Session, topic: Topic, change: HelpChange) -> bool:
        row = session.get(HelpRequestRow, change.request)
        ts = _naive(change.ts)
        if row is None:
            row = HelpRequestRow(
                id=change.request,
                site=topic.site,
                machine=topic.machine,
                state=change.state,
                updated=ts,
            )
            session.add(row)
        elif (row.site, row.machine) != (topic.site, topic.machine):
            return False
        elif help_advances(row.state, change.state):
            row.state = change.state
            row.updated = ts
        if change.state == "open":
            row.opened = row.opened or ts
            row.task = row.task or change.task
            row.step = change.step if row.step is None else row.step
            row.lang = row.lang or change.lang
        elif change.state == "claimed":
            if row.claimed is None:
                row.claimed = ts
                row.buddy = change.buddy
        else:
            row.closed = row.closed or ts
            if change.buddy and row.buddy is None:
                row.buddy = change.buddy
        return True

    def _record_rejection(self, session: Session, rejection: _Rejection) -> bool:
        """Count and keep a rejection; a redelivery (MQTT DUP) of one already kept counts once."""
        if rejection.dup and rejection.sha256:
            seen = session.execute(
                select(RejectedMessageRow.id)
                .where(RejectedMessageRow.sha256 == rejection.sha256)
                .where(RejectedMessageRow.reason == rejection.reason)
                .limit(1)
            ).first()
            if seen is not None:
                return False
        session.add(
            RejectedMessageRow(
                received=_naive(datetime.now(UTC)),
                topic=rejection.topic,
                reason=rejection.reason,
                detail=rejection.detail[:500],
                size=rejection.size,
                sha256=rejection.sha256,
            )
        )
        counted = session.execute(
            update(RejectedCountRow)
            .where(RejectedCountRow.reason == rejection.reason)
            .values(count=RejectedCountRow.count + 1)
        )
        if counted.rowcount == 0:  # type: ignore[attr-defined]
            session.execute(
                self._insert(RejectedCountRow)
                .values(reason=rejection.reason, count=1)
                .on_conflict_do_update(
                    index_elements=["reason"], set_={"count": RejectedCountRow.count + 1}
                )
            )
        return True

    def trim_dead_letters(self) -> int:
        """Keep only the newest dead letters; their counters stay whole."""
        with Session(self._engine) as session, session.begin():
            newest = session.execute(select(func.max(RejectedMessageRow.id))).scalar()
            if newest is None:
                return 0
            cut = newest - self._dead_letter_limit
            gone = session.execute(delete(RejectedMessageRow).where(RejectedMessageRow.id <= cut))
            return int(gone.rowcount)  # type: ignore[attr-defined]

    def expire_help(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Open requests nobody claimed in time become ``expired``."""
        moment = _naive(now or datetime.now(UTC))
        limit = moment - older_than
        with Session(self._engine) as session, session.begin():
            gone = session.execute(
                update(HelpRequestRow)
                .where(HelpRequestRow.state == "open", HelpRequestRow.opened < limit)
                .values(state="expired", closed=moment, updated=moment)
            )
            return int(gone.rowcount)  # type: ignore[attr-defined]
