"""The help loop's counts kept at ingest (``help_opened``, ``help_outcome``, ``help_topic``; issue
16 at year scale) against the raw rows, on SQLite and PostgreSQL.

Three weeks of two sites go through the aggregator's ``Ingest`` message by message, in the order
they happen (shifts from check-ins and check-outs, some overlapping, one never checked out; calls
opened, claimed, resolved with outcomes and topics, some delivered twice, one claimed before it
was opened, one resolved without an outcome and then again with one). The figures the read side
takes from the counts must equal those worked out here from the stored rows alone (the calls
inside the union of the shifts, the outcomes and topics of the resolved calls), for the whole
span, a month, a week and a day across the end of summer time; and the migration 0011 must count
the same from the stored rows.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select
from sqlalchemy.engine import Engine

from admin_console.ingest.batch import Inbound, Ingest
from admin_console.read.help_loop import help_loop_figures
from admin_console.read.usage import Period, UsageFilter
from admin_console.store.database import MIGRATIONS, open_database
from admin_console.store.orm import (
    BuddyShiftRow,
    DailyCountRow,
    DailyTotalRow,
    HelpRequestRow,
    MonthlyCountRow,
    MonthlyTotalRow,
)
from kiosk.wire import protocol as p

BRUSSELS = ZoneInfo("Europe/Brussels")
SITES = ("gent", "evere")
FIRST = date(2026, 10, 12)  # three weeks over the end of summer time (25 October) and a month
DAYS = 24
NOW = datetime(2026, 11, 6, 12, 0, tzinfo=UTC)
KINDS = ("help_opened", "help_outcome", "help_topic")
TOPICS = ("email", "banking", "eid-itsme", "printing-scanning", "smartphone")


def local_at(day: date, hour: float) -> datetime:
    moment = datetime.combine(day, time(), BRUSSELS) + timedelta(hours=hour)
    return moment.astimezone(UTC)


def messages(seed: int) -> list[tuple[datetime, Inbound]]:
    """What the sites send in three weeks, each with the moment it is received."""
    rng = random.Random(seed)
    out: list[tuple[datetime, Inbound]] = []

    def checkin(site: str, buddy: str, state: str, at: datetime) -> None:
        body = p.encode_checkin(p.CheckIn(p.new_id(), at, buddy, state))
        out.append((at, Inbound(f"kiosk/v1/{site}/_site/checkin", body, at)))

    def help_change(site: str, change: p.HelpChange, at: datetime) -> None:
        channel = "help" if change.state in ("open", "cancelled") else "help/reply"
        machine = f"pc-0{int(change.request[-1], 16) % 3 + 1}"  # the call's own kiosk
        out.append((at, Inbound(f"kiosk/v1/{site}/{machine}/{channel}", p.encode_help(change), at)))

    forgotten = False
    for n in range(DAYS):
        day = FIRST + timedelta(days=n)
        for site in SITES:
            if day.weekday() == 6:
                continue
            # Shifts: one to three buddies around the afternoon, sometimes overlapping; at gent
            # Ines checks in once and never out: her shift counts 12 hours (had she come back,
            # her next check-out would have closed it days long, which the counts do not
            # follow: see read.help_loop.site_loads).
            if day.weekday() in (1, 3) or (site == "gent" and day.weekday() == 4):
                for buddy in rng.sample(("Sara", "Yassine", "Lotte", "Mehdi"), rng.randint(1, 3)):
                    start = local_at(day, 13 + rng.uniform(-0.3, 1.5))
                    end = start + timedelta(hours=rng.uniform(0.5, 4))
                    checkin(site, buddy, "in", start)
                    checkin(site, buddy, "out", end)
                if site == "gent" and day.weekday() == 4 and not forgotten:
                    forgotten = True
                    checkin(site, "Ines", "in", local_at(day, 15))
            # Calls all day, more in the afternoon.
            for _ in range(rng.randint(0, 9)):
                opened = local_at(day, rng.uniform(9, 20))
                request = p.new_id()
                help_change(site, p.HelpChange(request, p.HelpState.OPEN, opened), opened)
                fate = rng.random()
                if fate < 0.1:
                    end = opened + timedelta(minutes=3)
                    help_change(site, p.HelpChange(request, p.HelpState.CANCELLED, end), end)
                    continue
                if fate < 0.15:
                    continue  # still open
                claimed = opened + timedelta(seconds=rng.uniform(20, 900))
                help_change(
                    site, p.HelpChange(request, p.HelpState.CLAIMED, claimed, buddy="B"), claimed
                )
                if fate < 0.2:
                    continue  # still claimed
                closed = claimed + timedelta(seconds=rng.uniform(60, 1200))
                ticked = tuple(rng.sample(TOPICS, rng.randint(0, 2)))
                outcome = None if fate < 0.3 else rng.choice(list(p.HelpOutcome))
                resolved = p.HelpChange(
                    request, p.HelpState.RESOLVED, closed, buddy="B", outcome=outcome, topics=ticked
                )
                help_change(site, resolved, closed)
    out.sort(key=lambda pair: pair[0])
    return out


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    ingest = Ingest(engine)
    sent = messages(seed=16)
    rng = random.Random(3)
    for _at, message in sent:
        ingest.handle([message])
        if rng.random() < 0.05:
            ingest.handle([message])  # delivered twice: counted once
    # A call claimed before it was opened, both in one batch; one resolved without an outcome,
    # then (a second desk's message) with one: counted under it, no longer "not said".
    late, twice = p.new_id(), p.new_id()
    at = local_at(FIRST + timedelta(days=8), 14.5)  # a Tuesday afternoon
    topic = "kiosk/v1/gent/pc-01/help"
    ingest.handle(
        [
            Inbound(
                "kiosk/v1/gent/pc-01/help/reply",
                p.encode_help(p.HelpChange(late, p.HelpState.CLAIMED, at, buddy="B")),
                at,
            ),
            Inbound(topic, p.encode_help(p.HelpChange(late, p.HelpState.OPEN, at)), at),
        ]
    )
    ingest.handle([Inbound(topic, p.encode_help(p.HelpChange(twice, p.HelpState.OPEN, at)), at)])
    for outcome, topics in ((None, ()), (p.HelpOutcome.REFERRED, ("banking",))):
        change = p.HelpChange(
            twice, p.HelpState.RESOLVED, at, buddy="B", outcome=outcome, topics=topics
        )
        ingest.handle([Inbound("kiosk/v1/gent/pc-01/help/reply", p.encode_help(change), at)])
    yield engine
    engine.dispose()


def raw_figures(engine: Engine, period: Period) -> dict[str, dict[str, Any]]:
    """Per site, from the stored rows alone: the staffed time (the union of the shifts clipped to
    the period, an open one until now, 12 hours at most), the shifts in it, the calls and those
    inside the shifts, the outcomes and topics of the resolved calls."""
    first, after = period.utc_bounds(BRUSSELS)
    now = NOW.replace(tzinfo=None)
    with engine.connect() as connection:
        shifts = connection.execute(
            select(BuddyShiftRow.site, BuddyShiftRow.started, BuddyShiftRow.ended)
        ).all()
        calls = connection.execute(select(HelpRequestRow)).all()
    figures: dict[str, dict[str, Any]] = {}
    for site in SITES:
        spans = [
            (a, b if b is not None else min(now, a + timedelta(hours=12)))
            for s, a, b in shifts
            if s == site
        ]
        mine = [c for c in calls if c.site == site and c.opened and first <= c.opened < after]
        resolved = [c for c in mine if c.state == "resolved"]
        topics: Counter[str] = Counter()
        for c in resolved:
            topics.update(list(dict.fromkeys(t for t in (c.topics or "").split(",") if t)))
        clipped = sorted(
            (max(a, first), min(b, after)) for a, b in spans if b > first and a < after
        )
        merged: list[list[datetime]] = []
        for a, b in (span for span in clipped if span[1] > span[0]):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        figures[site] = {
            "staffed_s": sum((b - a for a, b in merged), timedelta()).total_seconds(),
            "shifts": sum(1 for a, b in clipped if b > a),
            "calls": len(mine),
            "staffed": sum(any(a <= c.opened < b for a, b in spans) for c in mine),
            "outcomes": dict(Counter(c.outcome or "not said" for c in resolved)),
            "topics": dict(topics),
        }
    return figures


def counted_figures(engine: Engine, period: Period) -> dict[str, dict[str, Any]]:
    """The same, as the read side gives them (from the counts)."""
    figures: dict[str, dict[str, Any]] = {}
    for site in SITES:
        f = help_loop_figures(engine, UsageFilter(period, (site,)), now=NOW)
        figures[site] = {
            "staffed_s": f.load.staffed_s,
            "shifts": f.load.shifts,
            "calls": f.load.calls,
            "staffed": f.load.calls_staffed,
            "outcomes": f.outcomes,
            "topics": f.topics,
        }
    return figures


PERIODS = (
    Period(FIRST, FIRST + timedelta(days=DAYS - 1)),  # the whole span: months and edge days
    Period(date(2026, 10, 1), date(2026, 10, 31)),  # a whole month
    Period(date(2026, 10, 19), date(2026, 10, 25)),  # a week ending on the change of time
    Period(date(2026, 10, 27), date(2026, 10, 27)),  # a Tuesday
)


def test_the_counted_figures_equal_the_raw_ones(engine: Engine) -> None:
    whole = raw_figures(engine, PERIODS[0])
    # The data has what the test is about: calls in and out of shifts, outcomes, topics.
    assert all(0 < f["staffed"] < f["calls"] for f in whole.values()), whole
    assert all(f["shifts"] > len(PERIODS) for f in whole.values())
    assert whole["gent"]["outcomes"].get("not said", 0) > 0
    assert whole["gent"]["outcomes"].get("referred", 0) > 0 and whole["gent"]["topics"]
    for period in PERIODS:
        assert counted_figures(engine, period) == raw_figures(engine, period), period


def test_a_late_check_in_is_not_counted_back(db_url: str) -> None:
    """The documented difference: a call stored before the check-in that covers it (a kiosk's
    clock ahead of the aggregator's) stays unstaffed in the counts."""
    engine = open_database(db_url)
    ingest = Ingest(engine)
    at = local_at(FIRST, 14)
    request = p.new_id()
    opened = p.HelpChange(request, p.HelpState.OPEN, at + timedelta(minutes=5))
    ingest.handle([Inbound("kiosk/v1/gent/pc-01/help", p.encode_help(opened), at)])
    checkin = p.CheckIn(p.new_id(), at, "Sara", "in")
    ingest.handle([Inbound("kiosk/v1/gent/_site/checkin", p.encode_checkin(checkin), at)])
    period = Period(FIRST, FIRST)
    assert raw_figures(engine, period)["gent"]["staffed"] == 1
    assert counted_figures(engine, period)["gent"]["staffed"] == 0
    engine.dispose()


def alembic_config(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def loop_counts(engine: Engine) -> list[dict[tuple[Any, ...], int]]:
    """The help loop's counts in the four count tables."""
    found: list[dict[tuple[Any, ...], int]] = []
    with engine.connect() as connection:
        for table in (DailyCountRow, MonthlyCountRow, DailyTotalRow, MonthlyTotalRow):
            columns = table.__table__.columns
            rows = connection.execute(select(*columns).where(columns.kind.in_(KINDS))).all()
            found.append({tuple(r[:-1]): int(r[-1]) for r in rows if r[-1]})
    return found


def test_the_migration_counts_the_stored_calls_as_ingest_did(engine: Engine) -> None:
    ingested = loop_counts(engine)
    assert all(ingested)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0010")
    assert not any(loop_counts(engine))  # the kinds go with the revision
    for period in PERIODS:
        assert all(f["calls"] == 0 for f in counted_figures(engine, period).values())
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert loop_counts(engine) == ingested
    for period in PERIODS:
        assert counted_figures(engine, period) == raw_figures(engine, period), period
