"""The aggregator's tables. Nothing here can identify a visitor: ids are random and per session.

Times are stored as naive UTC. ``rejected_messages`` keeps why and where a message was refused,
its size and a hash, but not its payload: a malformed message is exactly where personal data
could hide (an extra "name" field), so it is never written down.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class EventRow(Base):
    __tablename__ = "events"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site: Mapped[str] = mapped_column(String(32))
    machine: Mapped[str] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(32))
    ts: Mapped[datetime] = mapped_column(DateTime)
    received: Mapped[datetime] = mapped_column(DateTime)
    session: Mapped[str | None] = mapped_column(String(36))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    # Only the time is indexed: retention deletes by it and `stats` reads the oldest. Every view
    # reads the counts kept at ingest, never the raw events by site (migration 0006 dropped
    # that index: one B-tree less to write for every event).
    __table_args__ = (Index("ix_events_ts", "ts"),)


class HelpRequestRow(Base):
    __tablename__ = "help_requests"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site: Mapped[str] = mapped_column(String(32))
    machine: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    task: Mapped[str | None] = mapped_column(String(64))
    step: Mapped[int | None] = mapped_column(Integer)
    lang: Mapped[str | None] = mapped_column(String(2))
    buddy: Mapped[str | None] = mapped_column(String(40))
    opened: Mapped[datetime | None] = mapped_column(DateTime)
    claimed: Mapped[datetime | None] = mapped_column(DateTime)
    closed: Mapped[datetime | None] = mapped_column(DateTime)
    updated: Mapped[datetime] = mapped_column(DateTime)
    # How the buddy closed it (protocol.HelpOutcome) and what it was about: keys from the
    # site's short list, comma-separated; never free text about the visitor (issue 16).
    outcome: Mapped[str | None] = mapped_column(String(16))
    topics: Mapped[str | None] = mapped_column(String(600))

    __table_args__ = (
        Index("ix_help_site_state", "site", "state"),
        Index("ix_help_state_opened", "state", "opened"),  # the few calls still open, by time
    )


class BuddyShiftRow(Base):
    """A buddy's permanence, from check-in to check-out (times as the aggregator received them).

    Volunteers' names are personal data: kept for the coordinator's hours (their compensation),
    never in a funder report; ``admin-console buddies forget`` removes a buddy everywhere."""

    __tablename__ = "buddy_shifts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the check-in's id
    site: Mapped[str] = mapped_column(String(32))
    buddy: Mapped[str] = mapped_column(String(40))
    started: Mapped[datetime] = mapped_column(DateTime)
    ended: Mapped[datetime | None] = mapped_column(DateTime)
    ended_by: Mapped[str | None] = mapped_column(String(36))  # the check-out's id

    # With ``ended``: the report's staffed time reads a year's shifts from the index alone
    # (migration 0011; it was (site, started)).
    __table_args__ = (Index("ix_shifts_site_started_ended", "site", "started", "ended"),)


class MachineRow(Base):
    """The last status each kiosk sent (the live view also reads the retained topics)."""

    __tablename__ = "machines"
    site: Mapped[str] = mapped_column(String(32), primary_key=True)
    machine: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    last_seen: Mapped[datetime] = mapped_column(DateTime)  # when it was received
    status: Mapped[dict[str, Any]] = mapped_column(JSON)
    # When it was said: the status's ts, or received for the will (which has no ts). A status
    # said before the stored one is not stored (two aggregators receive them out of order).
    said: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class RejectedMessageRow(Base):
    """Dead letters, bounded: the newest are kept, the counters below keep every one."""

    __tablename__ = "rejected_messages"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    received: Mapped[datetime] = mapped_column(DateTime)
    topic: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)


class RejectedCountRow(Base):
    __tablename__ = "rejected_counts"
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)


class VisitRow(Base):
    """One anonymous visit (session), from its start and end events."""

    __tablename__ = "visits"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site: Mapped[str] = mapped_column(String(32))
    machine: Mapped[str] = mapped_column(String(32))
    started: Mapped[datetime | None] = mapped_column(DateTime)
    ended: Mapped[datetime | None] = mapped_column(DateTime)
    lang: Mapped[str | None] = mapped_column(String(2))
    end_reason: Mapped[str | None] = mapped_column(String(16))
    duration_s: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_visits_site_started", "site", "started"),)


class DailyCountRow(Base):
    """Per local day and site, how often something happened; kept when raw events expire.

    ``kind`` says what is counted (``event``, ``lang``, ``hour``, ``task_started``, …) and
    ``key`` which one (an event type, a language, ``3-14`` for Thursday 14h, a task id, …).
    """

    __tablename__ = "daily_counts"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    site: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_daily_site_kind_day", "site", "kind", "day"),)


class MonthlyCountRow(Base):
    """The daily counts summed per month (``month`` is its first day), kept in the same
    transaction: a year's figures read 12 rows per key. The primary key starts with the site
    and kind, as every query does (SQLite: a table without rowid, so the key holds the count)."""

    __tablename__ = "monthly_counts"
    month: Mapped[date] = mapped_column(Date)
    site: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(80))
    count: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        PrimaryKeyConstraint("site", "kind", "month", "key"),
        {"sqlite_with_rowid": False},
    )


class DailyTotalRow(Base):
    """The daily counts summed over every site, kept in the same transaction: what a view of
    all sites reads (a fiftieth of the rows with fifty sites)."""

    __tablename__ = "daily_totals"
    kind: Mapped[str] = mapped_column(String(24))
    day: Mapped[date] = mapped_column(Date)
    key: Mapped[str] = mapped_column(String(80))
    count: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        PrimaryKeyConstraint("kind", "day", "key"),
        Index("ix_daily_totals_day", "day"),  # the first and last day with counts: two seeks
        {"sqlite_with_rowid": False},
    )


class MonthlyTotalRow(Base):
    """The monthly counts summed over every site (see :class:`DailyTotalRow`)."""

    __tablename__ = "monthly_totals"
    kind: Mapped[str] = mapped_column(String(24))
    month: Mapped[date] = mapped_column(Date)
    key: Mapped[str] = mapped_column(String(80))
    count: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (PrimaryKeyConstraint("kind", "month", "key"), {"sqlite_with_rowid": False})


# The help desk's history and the usage charts read help requests by the time they were opened.
Index("ix_help_opened", HelpRequestRow.opened)


class CommandAuditRow(Base):
    """Who sent which command to which kiosk, when, and what the kiosk answered.

    One row per kiosk: a command to a site or to all is one publish per kiosk, each with its
    own command id; ``batch`` ties together the rows of one admin action.
    """

    __tablename__ = "command_audit"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    batch: Mapped[str] = mapped_column(String(36))
    sent: Mapped[datetime] = mapped_column(DateTime)
    admin: Mapped[str] = mapped_column(String(64))
    cmd: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(80))
    site: Mapped[str] = mapped_column(String(32))
    machine: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    acked: Mapped[datetime | None] = mapped_column(DateTime)
    ok: Mapped[bool | None] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(16))  # protocol.REFUSAL_REASONS (0007)

    __table_args__ = (Index("ix_command_audit_sent", "sent"),)
