"""From MQTT messages to rows: decode → validate → store, in one transaction per batch.

Idempotent: an event id is a primary key, so a batch delivered twice stores its events once, and
a help request's state only moves forward. The caller acknowledges the messages to the broker
only after :meth:`Ingest.handle` returned, i.e. after the commit.
"""

from __future__ import annotations

import hashlib
import logging
import operator
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from admin_console.store import partitions
from admin_console.store.orm import (
    BuddyShiftRow,
    EventRow,
    HelpRequestRow,
    MachineRow,
    RejectedCountRow,
    RejectedMessageRow,
    VisitRow,
)
from admin_console.store.rollups import (
    DEFAULT_TIMEZONE,
    HELP_OPENED,
    OPEN_SHIFT_LIMIT,
    STAFFED,
    UNSTAFFED,
    Key,
    add_counts,
    counts_for,
    help_counts,
    local,
)
from kiosk.wire.protocol import (
    Channel,
    CheckIn,
    HelpChange,
    HelpState,
    Reason,
    Rejected,
    SiteChannel,
    SiteTopic,
    Status,
    Topic,
    decode_checkin,
    decode_event_batch,
    decode_help,
    decode_status,
    help_advances,
    is_site_topic,
)

log = logging.getLogger("admin_console.ingest.batch")

STORAGE_ERROR = "storage_error"
# Check-ins that change nothing (docs/protocol.md, "Site channels"): counted, never an error.
DUPLICATE_CHECKIN = "duplicate_checkin"
CHECKOUT_WITHOUT_CHECKIN = "checkout_without_checkin"


class Inbound(NamedTuple):
    """One message as it came from the broker (a tuple: made for every message, ~4× faster
    than a frozen dataclass)."""

    topic: str
    payload: bytes
    received: datetime
    dup: bool = False


@dataclass
class IngestResult:
    events_new: int = 0
    events_duplicate: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    # Check-ins: shifts_started, shifts_ended, duplicate_checkin, checkout_without_checkin.
    checkins: Counter[str] = field(default_factory=Counter)


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
    checkins: list[tuple[SiteTopic, CheckIn, datetime]] = field(default_factory=list)
    rejections: list[_Rejection] = field(default_factory=list)


_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH = datetime(1970, 1, 1)


OFFLINE = "offline"


def _naive(moment: datetime) -> datetime:
    """The moment in UTC without a zone, as stored. For an aware moment by arithmetic, exact
    to the microsecond and ~8× faster than ``replace(tzinfo=None)`` (two a message)."""
    if moment.tzinfo is None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return (moment - _EPOCH_UTC) + _EPOCH


_TOPICS: dict[str, Topic] = {}  # topics already parsed (a fleet has a few thousand)


def _topic(text: str) -> Topic:
    topic = _TOPICS.get(text)
    if topic is None:
        topic = Topic.parse(text)  # Rejected for a bad one, which is not kept
        if len(_TOPICS) >= 100_000:
            _TOPICS.clear()
        _TOPICS[text] = topic
    return topic


def _by_id(row: Mapping[str, Any]) -> str:
    return str(row["id"])


def _rejection(message: Inbound, reason: str, detail: str) -> _Rejection:
    digest = hashlib.sha256(message.topic.encode("utf-8", "replace") + b"\0" + message.payload)
    return _Rejection(
        message.topic[:200], reason, detail, len(message.payload), digest.hexdigest(), message.dup
    )


def decode(messages: Sequence[Inbound]) -> _Work:
    """Validate every message; what fails becomes a rejection with its reason, not an exception."""
    work = _Work()
    add_event = work.events.append
    for message in messages:
        try:
            if is_site_topic(message.topic):  # before Topic.parse, which refuses `_site`
                site_topic = SiteTopic.parse(message.topic)
                if site_topic.channel is not SiteChannel.CHECKIN:
                    raise Rejected(
                        Reason.BAD_TOPIC, f"the aggregator does not take {site_topic.channel}"
                    )
                checkin = decode_checkin(message.payload)
                work.checkins.append((site_topic, checkin, message.received))
                continue
            topic = _topic(message.topic)
            if topic.channel is Channel.EVENTS:
                batch = decode_event_batch(topic, message.payload)
                received = _naive(message.received)
                for ev in batch.events:
                    add_event(
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


def _iso_microseconds(moment: datetime) -> str:
    text = moment.isoformat(" ")
    return text if len(text) > 19 else text + ".000000"


_SAMPLES = (datetime(2026, 11, 23, 9, 5, 7), datetime(2026, 1, 2, 23, 59, 59, 120))


def _faster(processor: Any) -> Any:
    """SQLite's DATETIME processor (a %-format of 7 fields, ~5 % of the storing time) where
    ``isoformat`` gives the very same text; any other processor as it is."""
    try:
        if all(processor(s) == _iso_microseconds(s) for s in _SAMPLES):
            return _iso_microseconds
    except (TypeError, ValueError, AttributeError):
        pass
    return processor


def _same(value: Any) -> Any:
    return value


def _last_value(convert: Any) -> Any:
    """``convert`` that reuses its last answer for the same object."""
    last: list[Any] = [object(), None]

    def converted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converted


class _EventInsert:
    """Inserts events whose id is not stored yet and returns the ids it inserted: what is new.

    PostgreSQL: ``INSERT INTO events … ON CONFLICT (id) DO NOTHING RETURNING id`` as multi-row
    statements of at most ``PAGE`` rows.

    SQLite: the same INSERT without RETURNING, as one ``executemany`` of every row: a third of
    the time of the multi-row RETURNING statements (BENCHMARKS.md, "Fourth session"; Python's
    sqlite3 cannot return rows from ``executemany``). Its row count says how many rows went in.
    All of them (the usual case) or none: nothing more to ask. Some: the statement held the
    database's write lock (held to the commit), and SQLite gives each new row the rowid one
    above the largest, so the rows it inserted are the ``inserted`` newest rows of the table;
    one indexed read returns their ids.

    Both write the values the dialect's own bind processors make, so the rows are those
    SQLAlchemy would write; no per-row SQLAlchemy work (parameter dictionaries, per-column
    processing: ~40 % of the storing time of one-event messages). A page of 500 rows binds
    4,000 parameters, far below PostgreSQL's limit."""

    COLUMNS = ("id", "site", "machine", "type", "ts", "received", "session", "data")
    PAGE = 500

    def __init__(self, dialect: Dialect) -> None:
        table = EventRow.__table__
        quote = dialect.identifier_preparer.quote
        self._processors = [
            (i, _faster(processor))
            for i, name in enumerate(self.COLUMNS)
            if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        ]
        marks = {"qmark": "?", "format": "%s", "pyformat": "%s"}
        mark = marks.get(dialect.paramstyle)
        if mark is None:
            raise ValueError(f"no multi-row insert for the paramstyle {dialect.paramstyle}")
        columns = ", ".join(quote(name) for name in self.COLUMNS)
        name, key = quote(EventRow.__tablename__), quote("id")
        # Names from the ORM's table, quoted by the dialect; the values go as parameters.
        self._head = f"INSERT INTO {name} ({columns}) VALUES "  # noqa: S608
        self._row = "(" + ", ".join([mark] * len(self.COLUMNS)) + ")"
        # PostgreSQL partitions the events by month of ``ts`` (migration 0009): a partitioned
        # table's unique key must hold the partition key, so its key is (id, ts). A message
        # delivered again carries the same bytes (the kiosk's outbox keeps them), hence the
        # same (id, ts): still nothing stored or counted twice (docs/decisions.md).
        target = key if dialect.name == "sqlite" else f"{key}, {quote('ts')}"
        self._conflict = f" ON CONFLICT ({target}) DO NOTHING"
        self._returning = f" RETURNING {key}"
        self._newest = f"SELECT {key} FROM {name} WHERE rowid > (SELECT max(rowid) FROM {name}) - ?"  # noqa: S608
        self._sql: dict[int, str] = {}
        self._values = operator.itemgetter(*self.COLUMNS)  # a row's values, in column order
        self._sqlite = dialect.name == "sqlite"

    def _statement(self, rows: int) -> str:
        sql = self._sql.get(rows)
        if sql is None:
            values = ", ".join([self._row] * rows)
            sql = self._sql[rows] = self._head + values + self._conflict + self._returning
        return sql

    def rows(self, events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """The events as the driver binds them, values in ``COLUMNS`` order."""
        converts = dict(self._processors)
        if converts.keys() <= {4, 5, 7}:  # ts, received, data: SQLite's and PostgreSQL's case
            same = _same
            ts, data = converts.get(4, same), converts.get(7, same)
            # A message's events share their reception time: each time converted once.
            received = _last_value(converts.get(5, same))
            return [
                (
                    e["id"],
                    e["site"],
                    e["machine"],
                    e["type"],
                    ts(e["ts"]),
                    received(e["received"]),
                    e["session"],
                    data(e["data"]),
                )
                for e in events
            ]
        values = self._values  # any other dialect: each processor in turn
        rows = []
        for event in events:
            row = list(values(event))
            for i, processor in self._processors:
                row[i] = processor(row[i])
            rows.append(tuple(row))
        return rows

    def new_ids(self, connection: Connection, rows: list[tuple[Any, ...]]) -> set[str]:
        """Inserts the ``rows`` (of :meth:`rows`, unique ids) whose id is not stored yet;
        returns their ids."""
        if not rows:
            return set()
        if self._sqlite:
            inserted = connection.exec_driver_sql(self._head + self._row + self._conflict, rows)
            count = inserted.rowcount
            if count == len(rows):
                return {row[0] for row in rows}
            if count == 0:
                return set()
            newest = {row[0] for row in connection.exec_driver_sql(self._newest, (count,))}
            if len(newest) != count or not newest <= {row[0] for row in rows}:
                raise RuntimeError("the events table's newest rows are not this insert's")
            return newest
        new: set[str] = set()
        for start in range(0, len(rows), self.PAGE):
            page = rows[start : start + self.PAGE]
            params = tuple(value for row in page for value in row)
            result = connection.exec_driver_sql(self._statement(len(page)), params)
            new.update(result.scalars())
        return new


class _VisitUpsert:
    """``INSERT INTO visits (id, site, machine, …) VALUES (…) ON CONFLICT (id) DO UPDATE SET
    … = excluded.…`` for a visit's start or its end, as one ``executemany`` straight to the
    driver, values converted by the dialect's own bind processors when the batch is prepared
    (as :class:`_EventInsert`; SQLAlchemy's per-row work was ~10 % of storing 500-event
    uploads)."""

    def __init__(self, dialect: Dialect, columns: tuple[str, ...]) -> None:
        table = VisitRow.__table__
        quote = dialect.identifier_preparer.quote
        self.columns = ("id", "site", "machine", *columns)
        self._processors = [
            (i, _faster(processor))
            for i, name in enumerate(self.columns)
            if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        ]
        mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
        if mark is None:
            raise ValueError(f"no upsert for the paramstyle {dialect.paramstyle}")
        names = ", ".join(quote(name) for name in self.columns)
        marks = ", ".join([mark] * len(self.columns))
        updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns)
        # Names from the ORM's table, quoted by the dialect; the values go as parameters.
        self._sql = (
            f"INSERT INTO {quote(VisitRow.__tablename__)} ({names}) VALUES ({marks})"  # noqa: S608
            f" ON CONFLICT ({quote('id')}) DO UPDATE SET {updates}"
        )

    def rows(self, visits: list[Visit]) -> list[tuple[Any, ...]]:
        rows = []
        for visit in visits:
            row = [visit[name] for name in self.columns]
            for i, processor in self._processors:
                row[i] = processor(row[i])
            rows.append(tuple(row))
        return rows

    def run(self, connection: Connection, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            connection.exec_driver_sql(self._sql, rows)


Visit = dict[str, Any]  # a row of ``visits``: who started or ended a visit, when


def _unique(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same event twice in one batch (a message and its redelivery side by side) is
    inserted, and counted, once."""
    return list({event["id"]: event for event in reversed(events)}.values())


def _visits(events: list[dict[str, Any]]) -> tuple[list[Visit], list[Visit]]:
    """The visits the events start and end: rows for the two upserts, sorted by id."""
    started: dict[str, Visit] = {}
    ended: dict[str, Visit] = {}
    for event in events:
        kind = event["type"]
        if kind not in ("session_started", "session_ended"):
            continue
        visit = event["session"]
        row = {"id": visit, "site": event["site"], "machine": event["machine"]}
        data = event["data"]
        if kind == "session_started":
            started[visit] = {**row, "started": event["ts"], "lang": data["lang"]}
        else:
            ended[visit] = {
                **row,
                "ended": event["ts"],
                "end_reason": data["reason"],
                "duration_s": data["duration_s"],
            }
    return sorted(started.values(), key=_by_id), sorted(ended.values(), key=_by_id)


@dataclass
class Prepared:
    """Messages decoded, validated and made into rows, without the database: what the storer
    writes in one transaction. ``counts`` and the visits are what the events add if all of
    them are new, which is what a batch usually is; when the database already holds some, the
    storer works out the new ones' share from the messages themselves."""

    work: _Work  # help calls, status and rejections; its events are in ``rows``
    rows: list[tuple[Any, ...]]  # the events, one each, as the insert binds them
    events_sent: int  # events in the messages, an id sent twice counted twice
    counts: Counter[Key]
    started: list[tuple[Any, ...]]  # rows of the visits the events start (Preparer.visits)
    ended: list[tuple[Any, ...]]


class Preparer:
    """Makes :class:`Prepared` batches for a database kind (the rows hold what its driver
    binds). Needs no connection: the aggregator's receiver process prepares the next batch
    while the storer writes the last one (admin_console/ingest/aggregator.py)."""

    def __init__(self, dialect: Dialect, timezone: str = DEFAULT_TIMEZONE) -> None:
        self.events = _EventInsert(dialect)
        self.started = _VisitUpsert(dialect, ("started", "lang"))
        self.ended = _VisitUpsert(dialect, ("ended", "end_reason", "duration_s"))
        self.zone = ZoneInfo(timezone)

    def prepare(self, messages: Sequence[Inbound]) -> Prepared:
        work = decode(messages)
        events = _unique(work.events)
        sent = len(work.events)
        work.events = []
        rows, counts = self.events.rows(events), counts_for(events, self.zone)
        return Prepared(work, rows, sent, counts, *self.visits(events))

    def visits(self, events: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
        """The rows of the visits the events start, and of those they end."""
        started, ended = _visits(events)
        return self.started.rows(started), self.ended.rows(ended)


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
        self._preparer = Preparer(engine.dialect, timezone)
        self._insert_events = self._preparer.events

    def handle(self, messages: Sequence[Inbound], prepared: Prepared | None = None) -> IngestResult:
        """Store a batch in one transaction. OperationalError (database away) reaches the caller.

        ``prepared``: the same messages already prepared (by a :class:`Preparer` for this
        database kind), as the aggregator's receiver does."""
        try:
            return self._store(prepared or self._preparer.prepare(messages), messages)
        except OperationalError:
            raise
        except SQLAlchemyError:
            if len(messages) == 1:
                log.exception("could not store a message on %s", messages[0].topic)
                refused = _rejection(messages[0], STORAGE_ERROR, "the database refused it")
                return self._store(Prepared(_Work(rejections=[refused]), [], 0, Counter(), [], []))
            # One message spoils the batch: find it by storing each alone.
            total = IngestResult()
            for message in messages:
                part = self.handle([message])
                total.events_new += part.events_new
                total.events_duplicate += part.events_duplicate
                total.rejected.update(part.rejected)
                total.checkins.update(part.checkins)
            return total

    def _store(self, prepared: Prepared, messages: Sequence[Inbound] = ()) -> IngestResult:
        """One transaction. ``prepared`` is not changed: a batch the database could not take
        is stored again as it is."""
        result = IngestResult()
        work = prepared.work
        rejections = list(work.rejections)
        with Session(self._engine) as session, session.begin():
            connection = session.connection()
            if prepared.rows:
                new_ids = self._insert_events.new_ids(connection, prepared.rows)
                result.events_new = len(new_ids)
                result.events_duplicate = prepared.events_sent - len(new_ids)
                if len(new_ids) == len(prepared.rows):
                    counts, started, ended = prepared.counts, prepared.started, prepared.ended
                else:
                    # Some were stored before: count what the new ones add (decoded again).
                    events = _unique(decode(messages).events)
                    fresh = [event for event in events if event["id"] in new_ids]
                    counts = counts_for(fresh, self._zone)
                    started, ended = self._preparer.visits(fresh)
                # Daily and monthly counts, sorted, in this transaction (store.rollups).
                add_counts(connection, counts)
                self._preparer.started.run(connection, started)
                self._preparer.ended.run(connection, ended)
            for topic, change, message in work.help:
                if not self._apply_help(session, topic, change):
                    spoofed = _rejection(
                        message,
                        Reason.SPOOFED_ORIGIN.value,
                        "the request belongs to another machine",
                    )
                    rejections.append(spoofed)
            for site_topic, checkin, received in work.checkins:
                outcome = self._apply_checkin(session, site_topic.site, checkin, received)
                if outcome:
                    result.checkins[outcome] += 1
            for topic, status, received in work.status:
                self._store_status(session, topic, status, received)
            for rejection in rejections:
                if self._record_rejection(session, rejection):
                    result.rejected[rejection.reason] += 1
        for rejection in rejections:
            log.warning(
                "rejected a message on %s: %s (%s)",
                rejection.topic,
                rejection.reason,
                rejection.detail,
            )
        return result

    def _store_status(
        self, session: Session, topic: Topic, status: Status, received: datetime
    ) -> None:
        """Keep the newest status said, whatever the order it arrives in: by its ``ts``, or
        when it was received for the will. One statement, so that two aggregators storing the
        same kiosk's statuses at once cannot undo each other (the row is locked, the condition
        read again)."""
        said = _naive(status.ts or received)
        row = {
            "site": topic.site,
            "machine": topic.machine,
            "state": status.state,
            "last_seen": _naive(received),
            "status": status.figures,
            "said": said,
        }
        insert = self._insert(MachineRow).values(**row)
        session.execute(
            insert.on_conflict_do_update(
                index_elements=["site", "machine"],
                set_={
                    name: insert.excluded[name] for name in row if name not in ("site", "machine")
                },
                where=or_(
                    MachineRow.said.is_(None),
                    MachineRow.said < insert.excluded.said,
                    # Said in the same millisecond: a goodbye is the last word.
                    and_(MachineRow.said == insert.excluded.said, insert.excluded.state == OFFLINE),
                ),
            )
        )

    def expire_raw(self, keep_days: int, now: datetime | None = None) -> int:
        """Retention: raw events, visits and help requests older than ``keep_days`` go;
        the daily counts stay. Returns how many events went. On PostgreSQL whole months of
        events are dropped as tables, and the months to come get theirs (store/partitions.py)."""
        moment = _naive(now or datetime.now(UTC))
        limit = moment - timedelta(days=keep_days)
        with Session(self._engine) as session, session.begin():
            connection = session.connection()
            if partitions.is_partitioned(connection):
                expired = partitions.expire(connection, moment, keep_days)
                gone = expired.rows
                if expired.dropped:
                    log.info(
                        "retention: dropped the raw events of %s",
                        ", ".join(m.strftime("%Y-%m") for m in expired.dropped),
                    )
            else:
                result = session.execute(delete(EventRow).where(EventRow.ts < limit))
                gone = int(result.rowcount)  # type: ignore[attr-defined]
            session.execute(delete(VisitRow).where(VisitRow.started < limit))
            session.execute(delete(HelpRequestRow).where(HelpRequestRow.updated < limit))
            return gone

    def _apply_help(self, session: Session, topic: Topic, change: HelpChange) -> bool:
        ts = _naive(change.ts)
        # Two aggregators sharing the subscription get a call's messages in turns (the kiosk's
        # "open" here, the buddy's "claimed" there): the row is created with ON CONFLICT DO
        # NOTHING and read FOR UPDATE, so that neither fails on the other's insert (it did:
        # one help message refused in the 1,000-kiosk run) nor overwrites what the other has
        # just written (PostgreSQL; SQLite has one writer at a time).
        session.flush()  # this batch's changes to the row, before it is read again
        created = (
            session.execute(
                self._insert(HelpRequestRow)
                .values(
                    id=change.request,
                    site=topic.site,
                    machine=topic.machine,
                    state=change.state,
                    updated=ts,
                )
                .on_conflict_do_nothing(index_elements=["id"])
                .returning(HelpRequestRow.id)
            ).first()
            is not None
        )
        row = session.get(
            HelpRequestRow, change.request, with_for_update=True, populate_existing=True
        )
        assert row is not None  # inserted above, or there before
        counted: Counter[Key] = Counter() if created else self._help_counts(row)
        counted_opened = not created and row.opened is not None
        if not created:
            if (row.site, row.machine) != (topic.site, topic.machine):
                return False
            if help_advances(row.state, change.state):
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
            if change.state == HelpState.RESOLVED and row.outcome is None and row.topics is None:
                # How the buddy closed it: kept with the resolved message that carried it, even
                # when another final state arrived first (a visitor who left, then "left").
                if change.outcome is not None:
                    row.outcome = change.outcome.value
                if change.topics:
                    row.topics = ",".join(change.topics)
        # What this change made known (the wait, the handling time, the outcome): counted once
        # per request; signed, as an outcome that comes late moves the call from "not said".
        change_counts: Counter[Key] = Counter(self._help_counts(row))
        change_counts.subtract(counted)
        if not counted_opened and row.opened is not None:
            # Opened now known: was a buddy checked in at the site then (help_opened)?
            staffed = self._on_duty(session, row.site, row.opened)
            day = local(row.opened, self._zone).date()
            change_counts[(day, row.site, HELP_OPENED, STAFFED if staffed else UNSTAFFED)] += 1
        add_counts(session.connection(), change_counts)
        return True

    @staticmethod
    def _on_duty(session: Session, site: str, opened: datetime) -> bool:
        """A shift at the site covers ``opened``, as the read side's staffed time has it
        (``read.help_loop``): from the check-in, to the check-out or at most 12 hours. The
        shifts known now: see ``read.help_loop`` for when the count can differ from them.
        Only shifts begun at most two and a half days before are looked at (the read side's
        window too): a range of the index on (site, started), not the site's whole history."""
        earliest = opened - OPEN_SHIFT_LIMIT - timedelta(days=2)
        found = session.execute(
            select(BuddyShiftRow.id)
            .where(BuddyShiftRow.site == site, BuddyShiftRow.started <= opened)
            .where(BuddyShiftRow.started >= earliest)
            .where(
                or_(
                    BuddyShiftRow.ended > opened,
                    and_(
                        BuddyShiftRow.ended.is_(None),
                        BuddyShiftRow.started > opened - OPEN_SHIFT_LIMIT,
                    ),
                )
            )
            .limit(1)
        ).first()
        return found is not None

    def _apply_checkin(
        self, session: Session, site: str, checkin: CheckIn, received: datetime
    ) -> str | None:
        """A check-in makes a shift, a check-out closes the buddy's open shift at the site; both
        at the time the aggregator received them (a desk's clock may be wrong). The same id
        again does nothing (None); an ``in`` for a buddy on duty and an ``out`` for one who is
        not change nothing either, and are counted by the caller."""
        session.flush()  # this batch's earlier check-ins are visible to the lookups below
        if session.get(BuddyShiftRow, checkin.id) is not None:
            return None
        if (
            checkin.state == "out"
            and session.execute(
                select(BuddyShiftRow.id).where(BuddyShiftRow.ended_by == checkin.id).limit(1)
            ).first()
        ):
            return None
        wanted = checkin.buddy.strip().casefold()
        open_shifts = session.execute(
            select(BuddyShiftRow)
            .where(BuddyShiftRow.site == site, BuddyShiftRow.ended.is_(None))
            .order_by(BuddyShiftRow.started)
        ).scalars()
        shift = next((s for s in open_shifts if s.buddy.strip().casefold() == wanted), None)
        if checkin.state == "in":
            if shift is not None:
                return DUPLICATE_CHECKIN
            session.add(
                BuddyShiftRow(
                    id=checkin.id,
                    site=site,
                    buddy=checkin.buddy.strip(),
                    started=_naive(received),
                )
            )
            return "shifts_started"
        if shift is None:
            return CHECKOUT_WITHOUT_CHECKIN
        shift.ended = _naive(received)
        shift.ended_by = checkin.id
        return "shifts_ended"

    def _help_counts(self, row: HelpRequestRow) -> Counter[Key]:
        return help_counts(
            row.site,
            row.state,
            row.opened,
            row.claimed,
            row.closed,
            self._zone,
            loop=True,
            outcome=row.outcome,
            topics=row.topics,
        )

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
