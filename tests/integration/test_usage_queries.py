"""The console's read side on SQLite and PostgreSQL, over data stored by the aggregator code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from admin_console.ingest.batch import Inbound, Ingest
from admin_console.read import help as h
from admin_console.read import usage as q
from admin_console.store.database import open_database
from kiosk.wire import protocol as p

MON = date(2026, 11, 16)  # Brussels is UTC+1 in November


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    """A Brussels local time in November, as the UTC time kiosks send."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=1)


def event(kind: str, session: str, ts: datetime, **data: Any) -> p.Event:
    raw = {"id": p.new_id(), "type": kind, "ts": p.format_ts(ts), "session": session, **data}
    return p.validate_event(raw)


def send_events(ingest: Ingest, site: str, machine: str, *events: p.Event) -> None:
    payload = p.encode_event_batch(site, machine, list(events))
    ingest.handle([Inbound(f"kiosk/v1/{site}/{machine}/events", payload, datetime.now(UTC))])


def send_help(ingest: Ingest, site: str, machine: str, change: p.HelpChange) -> None:
    channel = "help" if change.state in ("open", "cancelled") else "help/reply"
    topic = f"kiosk/v1/{site}/{machine}/{channel}"
    ingest.handle([Inbound(topic, p.encode_help(change), datetime.now(UTC))])


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    ingest = Ingest(engine)
    a, b, c, d = (p.new_id() for _ in range(4))
    send_events(
        ingest,
        "gent",
        "pc-01",
        event("session_started", a, utc(MON, 10, 15), lang="nl"),
        event("task_started", a, utc(MON, 10, 16), task="csam-login"),
        event("task_step", a, utc(MON, 10, 17), task="csam-login", step=2),
        event("task_abandoned", a, utc(MON, 10, 20), task="csam-login", step=2),
        event("session_started", b, utc(MON, 14, 5), lang="fr"),
        event("task_started", b, utc(MON, 14, 6), task="csam-login"),
        event("task_completed", b, utc(MON, 14, 30), task="csam-login"),
    )
    # 00:30 on Wednesday in Brussels is still Tuesday in UTC: it counts on Wednesday.
    send_events(
        ingest,
        "gent",
        "pc-02",
        event("session_started", c, utc(MON + timedelta(days=2), 0, 30), lang="en"),
    )
    request = p.new_id()
    send_events(
        ingest,
        "evere",
        "pc-01",
        event("session_started", d, utc(MON, 10, 40), lang="ar"),
        event("help_requested", d, utc(MON, 10, 41), request=request, task=None),
    )
    opened = utc(MON, 10, 41)
    send_help(ingest, "evere", "pc-01", p.HelpChange(request, "open", opened, None, None, "ar"))
    claimed = opened + timedelta(seconds=180)
    send_help(ingest, "evere", "pc-01", p.HelpChange(request, "claimed", claimed, buddy="Sara"))
    closed = claimed + timedelta(seconds=480)
    send_help(ingest, "evere", "pc-01", p.HelpChange(request, "resolved", closed, buddy="Sara"))
    left = p.new_id()  # a visitor who left before a buddy came
    send_help(
        ingest, "gent", "pc-02", p.HelpChange(left, "open", utc(MON, 15, 0), None, None, "nl")
    )
    send_help(ingest, "gent", "pc-02", p.HelpChange(left, "cancelled", utc(MON, 15, 4)))
    yield engine
    engine.dispose()


WEEK = q.Period(MON, MON + timedelta(days=2))


def test_sessions_per_local_day_for_all_sites_and_for_one(engine: Engine) -> None:
    days = [MON, MON + timedelta(days=1), MON + timedelta(days=2)]
    assert q.sessions_per_day(engine, q.UsageFilter(WEEK)) == list(
        zip(days, [3, 0, 1], strict=True)
    )
    gent = q.UsageFilter(WEEK, ("gent",))
    assert q.sessions_per_day(engine, gent) == list(zip(days, [2, 0, 1], strict=True))
    assert q.sessions_per_day(engine, q.UsageFilter(WEEK), unit="week") == [(MON, 4)]
    assert q.known_sites(engine) == ["evere", "gent"]


def test_visits_by_hour_languages_and_where_people_give_up(engine: Engine) -> None:
    usage = q.UsageFilter(WEEK)
    assert q.visits_by_hour(engine, usage) == {(0, 10): 2, (0, 14): 1, (2, 0): 1}
    assert q.languages(engine, usage) == {"nl": 1, "fr": 1, "en": 1, "ar": 1}
    assert q.languages(engine, q.UsageFilter(WEEK, ("evere",))) == {"ar": 1}
    [csam] = q.task_funnels(engine, usage)
    assert (csam.task, csam.started, csam.completed, csam.abandoned) == ("csam-login", 2, 1, 1)
    assert csam.abandoned_at == {2: 1} and csam.give_up_step == 2
    assert q.event_totals(engine, usage)["help_requested"] == 1


def test_help_waits_history_and_today(engine: Engine) -> None:
    usage = q.UsageFilter(WEEK)
    days = h.help_per_day(engine, usage)
    assert [(d.day, d.calls) for d in days] == [
        (MON, 1),
        (MON + timedelta(days=1), 0),
        (MON + timedelta(days=2), 0),
    ]
    assert days[0].median_wait_s == pytest.approx(185, abs=5)  # 10-second buckets
    waits = h.help_waits(engine, usage)
    assert (waits.calls, waits.answered) == (2, 1)
    assert waits.by_state == {"cancelled": 1, "resolved": 1}
    assert waits.median_handling_s == pytest.approx(485, abs=5)
    assert dict(waits.histogram)["2-5 min"] == 1
    left, record = h.help_history(engine, usage)  # newest first
    assert (left.state, left.wait_s, left.handling_s) == ("cancelled", None, None)
    assert (record.site, record.state, record.buddy) == ("evere", "resolved", "Sara")
    assert (record.wait_s, record.handling_s) == (180, 480)
    today = h.today_by_site(engine, utc(MON, 11, 0))
    assert today["gent"].sessions == 2
    assert today["evere"] == h.SiteToday(sessions=1, open_calls=0, median_wait_s=180.0)
    by_site = h.help_by_site(engine, usage)
    assert by_site["evere"].answered == 1 and by_site["evere"].by_state == {"resolved": 1}


def test_an_empty_period_gives_empty_figures_not_an_error(engine: Engine) -> None:
    empty = q.UsageFilter(q.Period(date(2025, 1, 1), date(2025, 1, 31)), ("gent",))
    assert all(n == 0 for _, n in q.sessions_per_day(engine, empty))
    assert q.visits_by_hour(engine, empty) == {}
    assert q.languages(engine, empty) == {} and q.task_funnels(engine, empty) == []
    waits = h.help_waits(engine, empty)
    assert (waits.calls, waits.median_wait_s, waits.p90_wait_s) == (0, None, None)
    assert h.help_history(engine, empty) == []
    unknown = q.UsageFilter(WEEK, ("nowhere",))
    assert q.languages(engine, unknown) == {}


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(q.PeriodError, match="2026-12-01 is after 2026-11-01"):
        q.Period(date(2026, 12, 1), date(2026, 11, 1))


def test_period_bounds_are_local_midnights_in_utc() -> None:
    from zoneinfo import ZoneInfo

    first, after = q.Period(date(2026, 3, 28), date(2026, 3, 29)).utc_bounds(
        ZoneInfo("Europe/Brussels")
    )
    # Summer time starts on 29 March: that day is 23 hours long.
    assert (first, after) == (datetime(2026, 3, 27, 23, 0), datetime(2026, 3, 29, 22, 0))
    assert q.unit_for(q.Period(date(2026, 1, 1), date(2026, 1, 31))) == "day"
    assert q.unit_for(q.Period(date(2026, 1, 1), date(2026, 12, 31))) == "week"
    assert json.dumps(q.bucket_start(date(2026, 11, 19), "week").isoformat()) == '"2026-11-16"'
