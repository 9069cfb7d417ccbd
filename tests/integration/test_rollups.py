"""The monthly rollup and the help-wait counts kept at ingest, on SQLite and PostgreSQL.

Every figure read from the rolled-up counts (monthly rows for whole months, daily rows at the
edges) must equal the figure computed from the raw rows, for periods that start and end in the
middle of a month and span month edges; a help request's wait counts once however its messages
arrive; and the migration's backfill gives the rows ingest would have written.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select
from sqlalchemy.engine import Engine

from admin_console.demo.data import generate
from admin_console.ingest.batch import Inbound, Ingest
from admin_console.read import help as h
from admin_console.read import reports
from admin_console.read import usage as q
from admin_console.read.stats import collect_stats
from admin_console.store.database import MIGRATIONS, open_database
from admin_console.store.orm import (
    DailyCountRow,
    DailyTotalRow,
    EventRow,
    HelpRequestRow,
    MonthlyCountRow,
    MonthlyTotalRow,
)
from admin_console.store.rollups import HELP_WAIT, add_counts, counts_for, month_of
from kiosk.wire import protocol as p

BRUSSELS = ZoneInfo("Europe/Brussels")
SITES = ("evere", "gent")
FIRST = date(2026, 1, 27)  # to 2026-04-03: three month edges and the change to summer time
DAYS = 67

PERIODS = [
    q.Period(date(2026, 1, 15), date(2026, 4, 10)),  # wider than the data
    q.Period(date(2026, 1, 31), date(2026, 3, 1)),  # one whole month, one day either side
    q.Period(date(2026, 2, 1), date(2026, 2, 28)),  # exactly one month
    q.Period(date(2026, 2, 2), date(2026, 3, 30)),  # no whole month
    q.Period(date(2026, 2, 10), date(2026, 2, 12)),  # inside a month
    q.Period(date(2026, 3, 1), date(2026, 4, 30)),  # a whole month and a part one
    q.Period(date(2026, 1, 1), date(2026, 12, 31)),
]


def local_to_utc(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BRUSSELS).astimezone(UTC)


def event(kind: str, session: str, ts: datetime, **data: Any) -> p.Event:
    raw = {"id": p.new_id(), "type": kind, "ts": p.format_ts(ts), "session": session, **data}
    return p.validate_event(raw)


def inbound(site: str, machine: str, channel: str, payload: bytes) -> Inbound:
    return Inbound(f"kiosk/v1/{site}/{machine}/{channel}", payload, datetime.now(UTC))


def help_message(site: str, change: p.HelpChange) -> Inbound:
    channel = "help" if change.state in ("open", "cancelled") else "help/reply"
    return inbound(site, "pc-1", channel, p.encode_help(change))


def fill(engine: Engine, seed: int = 3) -> None:
    """Sessions, tasks and help calls every day, some right after local midnight and some
    just before it (a UTC day other than the local one), through ingest."""
    rng = random.Random(seed)
    ingest = Ingest(engine)
    for n in range(DAYS):
        day = FIRST + timedelta(days=n)
        for site in SITES:
            events: list[p.Event] = []
            helps: list[Inbound] = []
            for k in range(rng.randint(1, 4)):
                session = p.new_id()
                hour, minute = rng.choice([(0, 10), (9, 5), (14, 30), (23, 50)])
                start = local_to_utc(day, hour, minute) + timedelta(seconds=k)
                task = rng.choice(["csam-login", "irisbox", "mypension"])
                lang = rng.choice(["nl", "fr", "en"])
                events.append(event("session_started", session, start, lang=lang))
                events.append(event("task_started", session, start, task=task))
                if rng.random() < 0.5:
                    events.append(event("task_completed", session, start, task=task))
                else:
                    step = rng.randint(0, 3)
                    events.append(event("task_abandoned", session, start, task=task, step=step))
                events.append(event("site_opened", session, start, site_key="mypension"))
                if rng.random() < 0.6:
                    request = p.new_id()
                    events.append(
                        event("help_requested", session, start, request=request, task=task)
                    )
                    helps.append(help_message(site, p.HelpChange(request, "open", start)))
                    wait = timedelta(seconds=rng.randint(5, 900))
                    ending = rng.random()
                    if ending < 0.15:
                        helps.append(
                            help_message(site, p.HelpChange(request, "cancelled", start + wait))
                        )
                    elif ending < 0.2:
                        pass  # still open
                    else:
                        claim = p.HelpChange(request, "claimed", start + wait, buddy="Sara")
                        helps.append(help_message(site, claim))
                        if ending < 0.9:
                            done = start + wait + timedelta(seconds=rng.randint(30, 1500))
                            resolved = p.HelpChange(request, "resolved", done, buddy="Sara")
                            helps.append(help_message(site, resolved))
            payload = p.encode_event_batch(site, "pc-1", events)
            rng.shuffle(helps)  # messages of one call in any order, some twice
            helps += rng.sample(helps, len(helps) // 3)
            ingest.handle([inbound(site, "pc-1", "events", payload), *helps])


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    fill(engine)
    yield engine
    engine.dispose()


# --- the raw truth ------------------------------------------------------------------------------


def raw_counts(
    engine: Engine, period: q.Period, sites: tuple[str, ...]
) -> Counter[tuple[str, str, str]]:
    """``(site, kind, key) -> n`` counted from the stored events of the period's local days."""
    with engine.connect() as connection:
        rows = connection.execute(select(EventRow)).all()
    events = [
        {"site": r.site, "type": r.type, "ts": r.ts, "data": r.data}
        for r in rows
        if not sites or r.site in sites
    ]
    result: Counter[tuple[str, str, str]] = Counter()
    for (day, site, kind, key), n in counts_for(events, BRUSSELS).items():
        if period.start <= day <= period.end:
            result[(site, kind, key)] += n
    return result


def of_kind(counts: Counter[tuple[str, str, str]], kind: str) -> dict[str, int]:
    out: Counter[str] = Counter()
    for (_site, k, key), n in counts.items():
        if k == kind:
            out[key] += n
    return dict(out)


def raw_help(engine: Engine, period: q.Period, sites: tuple[str, ...]) -> list[Any]:
    """The stored help requests opened on the period's local days."""
    with engine.connect() as connection:
        rows = connection.execute(select(HelpRequestRow)).all()
    return [
        r
        for r in rows
        if r.opened is not None
        and period.start <= r.opened.replace(tzinfo=UTC).astimezone(BRUSSELS).date() <= period.end
        and (not sites or r.site in sites)
    ]


def bucket_quantile(seconds: list[float], quantile: float) -> float | None:
    """The middle of the 10-second bucket that holds the quantile (the read side's definition)."""
    if not seconds:
        return None
    ordered = sorted(int(max(0.0, s) // 10) for s in seconds)
    return ordered[int(quantile * (len(ordered) - 1))] * 10 + 5.0


def span(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds()


# --- tests --------------------------------------------------------------------------------------


@pytest.mark.parametrize("sites", [(), ("gent",)])
def test_rolled_up_figures_equal_the_raw_figures(engine: Engine, sites: tuple[str, ...]) -> None:
    for period in PERIODS:
        usage = q.UsageFilter(period, sites)
        truth = raw_counts(engine, period, sites)
        assert q.event_totals(engine, usage) == of_kind(truth, "event"), period
        assert q.languages(engine, usage) == of_kind(truth, "lang"), period
        assert q.sites_opened(engine, usage) == of_kind(truth, "site_opened"), period
        hours = {tuple(map(int, k.split("-"))): n for k, n in of_kind(truth, "hour").items()}
        assert q.visits_by_hour(engine, usage) == hours, period
        funnels = {f.task: f for f in q.task_funnels(engine, usage)}
        assert {t: f.started for t, f in funnels.items() if f.started} == of_kind(
            truth, "task_started"
        )
        assert {t: f.completed for t, f in funnels.items() if f.completed} == of_kind(
            truth, "task_completed"
        )
        abandoned = {
            f"{t}#{step}": n for t, f in funnels.items() for step, n in f.abandoned_at.items()
        }
        assert abandoned == of_kind(truth, "task_abandoned"), period
        per_site: dict[str, dict[str, int]] = {}
        for (site, kind, key), n in truth.items():
            if kind == "lang":
                per_site.setdefault(site, {})[key] = n
        assert q.per_site_counts(engine, usage, "lang") == per_site, period
        sessions = q.sessions_per_site_month(engine, usage)
        per_month: dict[str, dict[date, int]] = {}
        for site, days in q.sessions_per_site_day(engine, usage).items():
            for day, n in days.items():
                cell = per_month.setdefault(site, {})
                cell[month_of(day)] = cell.get(month_of(day), 0) + n
        assert sessions == per_month, period
        assert sum(sum(m.values()) for m in sessions.values()) == of_kind(truth, "event").get(
            "session_started", 0
        )


@pytest.mark.parametrize("sites", [(), ("evere",)])
def test_help_figures_from_the_counts_equal_those_from_the_requests(
    engine: Engine, sites: tuple[str, ...]
) -> None:
    for period in PERIODS:
        usage = q.UsageFilter(period, sites)
        calls = raw_help(engine, period, sites)
        waits = [span(r.opened, r.claimed) for r in calls if r.claimed is not None]
        handling = [
            span(r.claimed, r.closed)
            for r in calls
            if r.state == "resolved" and r.claimed is not None and r.closed is not None
        ]
        figures = h.help_waits(engine, usage)
        assert figures.by_state == dict(sorted(Counter(r.state for r in calls).items())), period
        assert figures.calls == len(calls) and figures.answered == len(waits), period
        assert figures.median_wait_s == bucket_quantile(waits, 0.5), period
        assert figures.p90_wait_s == bucket_quantile(waits, 0.9), period
        assert figures.median_handling_s == bucket_quantile(handling, 0.5), period
        assert sum(n for _band, n in figures.histogram) == len(waits)
        assert dict(figures.histogram)["under 1 min"] == sum(1 for w in waits if w < 60)
        by_site = h.help_by_site(engine, usage)
        for site in sites or SITES:
            mine = [r for r in calls if r.site == site]
            site_waits = [span(r.opened, r.claimed) for r in mine if r.claimed is not None]
            entry = by_site.get(site)
            if not mine:
                assert entry is None
                continue
            assert entry is not None
            assert entry.by_state == dict(sorted(Counter(r.state for r in mine).items()))
            assert entry.answered == len(site_waits)
            assert entry.median_wait_s == bucket_quantile(site_waits, 0.5), (period, site)
        for day in h.help_per_day(engine, usage):
            on_day = [
                span(r.opened, r.claimed)
                for r in calls
                if r.claimed is not None
                and r.opened.replace(tzinfo=UTC).astimezone(BRUSSELS).date() == day.day
            ]
            assert day.median_wait_s == bucket_quantile(on_day, 0.5), day


def test_reports_and_stats_from_the_counts_equal_the_raw_figures(engine: Engine) -> None:
    period = PERIODS[1]
    report = reports.build_report(engine, period, min_count=3)
    sessions = next(t for t in report.tables if t.key == "sessions")
    truth: Counter[tuple[str, str]] = Counter()
    with engine.connect() as connection:
        for r in connection.execute(select(EventRow).where(EventRow.type == "session_started")):
            day = r.ts.replace(tzinfo=UTC).astimezone(BRUSSELS).date()
            if period.start <= day <= period.end:
                truth[(day.strftime("%Y-%m"), r.site)] += 1
    for month, cells in sessions.rows:
        if month == reports.TOTAL:
            continue
        for site, shown in zip(sessions.columns, cells, strict=True):
            if site != reports.ALL and shown.isdigit():
                assert int(shown) == truth[(month, site)], (month, site)
    assert [m for m, _ in sessions.rows][:3] == ["2026-01", "2026-02", "2026-03"]
    stats = collect_stats(engine)
    with engine.connect() as connection:
        stored = len(connection.execute(select(EventRow.id)).all())
        helps = connection.execute(select(HelpRequestRow)).all()
    assert stats["raw_events"] == stats["events_total"] == stored
    for site in SITES:
        waits = [span(r.opened, r.claimed) for r in helps if r.site == site and r.claimed]
        assert stats["sites"][site]["help_median_wait_s"] == bucket_quantile(waits, 0.5)
    # Retention: the oldest days' raw events go, the figures stay; the raw count follows.
    gone = Ingest(engine).expire_raw(keep_days=400, now=datetime(2027, 3, 8, tzinfo=UTC))
    after = collect_stats(engine)
    assert gone > 0 and after["events_total"] == stats["events_total"]
    assert after["raw_events"] == stored - gone


def help_rows(engine: Engine) -> dict[tuple[str, str, str, str], int]:
    """Every help count, daily and monthly."""
    with engine.connect() as connection:
        daily = connection.execute(
            select(*DailyCountRow.__table__.columns).where(
                DailyCountRow.kind.like("help\\_%", escape="\\")
            )
        ).all()
        monthly = connection.execute(
            select(*MonthlyCountRow.__table__.columns).where(
                MonthlyCountRow.kind.like("help\\_%", escape="\\")
            )
        ).all()
    rows = {("day", r.day.isoformat(), r.kind, r.key): int(r[-1]) for r in daily}
    rows.update({("month", r.month.isoformat(), r.kind, r.key): int(r[-1]) for r in monthly})
    return rows


def test_a_wait_counts_once_whatever_the_order_and_the_duplicates(db_url: str) -> None:
    engine = open_database(db_url)
    t0 = datetime(2026, 2, 28, 22, 59, 30, tzinfo=UTC)  # 23:59:30 on 28 February in Brussels
    request = p.new_id()
    opened = help_message("evere", p.HelpChange(request, "open", t0))
    claimed = help_message(
        "evere", p.HelpChange(request, "claimed", t0 + timedelta(seconds=75), buddy="Tom")
    )
    again = help_message(  # a second buddy's claim: the first one stands
        "evere", p.HelpChange(request, "claimed", t0 + timedelta(seconds=300), buddy="Ann")
    )
    resolved = help_message(
        "evere", p.HelpChange(request, "resolved", t0 + timedelta(seconds=200), buddy="Tom")
    )
    ingest = Ingest(engine)
    ingest.handle([resolved, claimed])  # the claim and the end before the opening
    ingest.handle([claimed, again, opened, claimed])
    ingest.handle([opened, resolved])
    ingest.handle([again])
    expected = {
        (grain, first, kind, key): 1
        for grain, first in (("day", "2026-02-28"), ("month", "2026-02-01"))
        for kind, key in (
            ("help_wait", "7"),
            ("help_handling", "12"),
            ("help_closed", "resolved"),
            ("help_opened", "unstaffed"),  # no shift at evere
            ("help_outcome", "not said"),  # resolved without an outcome
            ("help_wait_hour", "5-23#7"),  # opened on a Saturday, 23h in Brussels
        )
    }
    assert help_rows(engine) == expected
    # Two requests whose wait falls in the same bucket add up; one never claimed adds no wait.
    other, unanswered = p.new_id(), p.new_id()
    ingest.handle(
        [
            help_message(
                "evere", p.HelpChange(other, "claimed", t0 + timedelta(seconds=71), buddy="Ann")
            ),
            help_message("evere", p.HelpChange(other, "open", t0)),
            help_message("evere", p.HelpChange(unanswered, "open", t0)),
            help_message("evere", p.HelpChange(unanswered, "cancelled", t0 + timedelta(seconds=9))),
            help_message(
                "evere", p.HelpChange(other, "claimed", t0 + timedelta(seconds=71), buddy="Ann")
            ),
        ]
    )
    rows = help_rows(engine)
    assert rows[("day", "2026-02-28", "help_wait", "7")] == 2
    assert rows[("month", "2026-02-01", "help_wait", "7")] == 2
    assert rows[("month", "2026-02-01", "help_wait_hour", "5-23#7")] == 2
    assert rows[("month", "2026-02-01", "help_closed", "cancelled")] == 1
    assert (
        sum(n for (g, _f, kind, _k), n in rows.items() if g == "day" and kind == "help_wait") == 2
    )
    waits = h.help_waits(engine, q.UsageFilter(q.Period(date(2026, 2, 28), date(2026, 3, 1))))
    assert (waits.calls, waits.answered, waits.median_wait_s) == (3, 2, 75.0)
    assert waits.by_state == {"cancelled": 1, "claimed": 1, "resolved": 1}
    engine.dispose()


def all_counts(engine: Engine) -> tuple[dict[Any, int], dict[Any, int]]:
    with engine.connect() as connection:
        daily = {
            (r.day, r.site, r.kind, r.key): int(r[-1])
            for r in connection.execute(select(*DailyCountRow.__table__.columns))
        }
        monthly = {
            (r.month, r.site, r.kind, r.key): int(r[-1])
            for r in connection.execute(select(*MonthlyCountRow.__table__.columns))
        }
    return daily, monthly


def all_totals(engine: Engine) -> tuple[dict[Any, int], dict[Any, int]]:
    """The counts summed over the sites, as stored (zero sums left out)."""
    with engine.connect() as connection:
        daily = {
            (r.day, r.kind, r.key): int(r[-1])
            for r in connection.execute(select(*DailyTotalRow.__table__.columns))
            if r[-1]
        }
        monthly = {
            (r.month, r.kind, r.key): int(r[-1])
            for r in connection.execute(select(*MonthlyTotalRow.__table__.columns))
            if r[-1]
        }
    return daily, monthly


def summed_over_sites(rows: dict[Any, int]) -> dict[Any, int]:
    out: Counter[Any] = Counter()
    for (when, _site, kind, key), n in rows.items():
        out[(when, kind, key)] += n
    return {k: n for k, n in out.items() if n}


def test_the_totals_are_the_sums_over_the_sites_at_ingest_and_after_the_backfill(
    engine: Engine,
) -> None:
    daily, monthly = all_counts(engine)
    totals = all_totals(engine)
    assert totals == (summed_over_sites(daily), summed_over_sites(monthly))
    assert any(kind == "help_wait" for _d, kind, _k in totals[0])
    # A database as it was before revision 0004: the backfill gives the same sums.
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0003")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert all_totals(engine) == totals
    assert all_counts(engine) == (daily, monthly)


@pytest.mark.parametrize("unit", ["day", "week", "month"])
def test_the_charts_of_all_sites_equal_those_of_each_site_and_the_raw_rows(
    engine: Engine, unit: str
) -> None:
    """All sites read the totals; the sites named read their own rows: both equal the raw
    figures, per day, week (Monday) and month, at month edges and the change to summer time."""
    for period in PERIODS:
        every, named = q.UsageFilter(period), q.UsageFilter(period, SITES)
        starts = q.buckets(period, unit)
        truth: Counter[date] = Counter()
        calls: Counter[date] = Counter()
        with engine.connect() as connection:
            for r in connection.execute(select(EventRow.type, EventRow.ts)):
                day = r.ts.replace(tzinfo=UTC).astimezone(BRUSSELS).date()
                if period.start <= day <= period.end and r.type == "session_started":
                    truth[q.bucket_start(day, unit)] += 1
                if period.start <= day <= period.end and r.type == "help_requested":
                    calls[q.bucket_start(day, unit)] += 1
        expected = [(start, truth[start]) for start in starts]
        assert q.sessions_per_day(engine, every, unit) == expected, (period, unit)
        assert q.sessions_per_day(engine, named, unit) == expected, (period, unit)
        requests = raw_help(engine, period, ())
        waits: dict[date, list[float]] = {}
        for r in requests:
            if r.claimed is not None:
                day = r.opened.replace(tzinfo=UTC).astimezone(BRUSSELS).date()
                waits.setdefault(q.bucket_start(day, unit), []).append(span(r.opened, r.claimed))
        help_expected = [
            h.HelpDay(start, calls[start], bucket_quantile(waits.get(start, []), 0.5))
            for start in starts
        ]
        assert h.help_per_day(engine, every, unit) == help_expected, (period, unit)
        assert h.help_per_day(engine, named, unit) == help_expected, (period, unit)
        assert h.help_waits(engine, every) == h.help_waits(engine, named), period
        for read in (q.event_totals, q.languages, q.visits_by_hour, q.task_funnels):
            assert read(engine, every) == read(engine, named), (period, read.__name__)


def alembic_config(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def test_the_migration_backfills_what_ingest_would_have_counted(engine: Engine) -> None:
    ingested = all_counts(engine)
    assert any(kind == "help_wait" for _d, _s, kind, _k in ingested[0])
    assert sum(ingested[1].values()) == sum(ingested[0].values())
    # A database as it was before revision 0003: no monthly rows, no help counts.
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0002")
    with engine.connect() as connection:
        kinds = {r.kind for r in connection.execute(select(DailyCountRow.kind).distinct())}
    assert not any(kind.startswith("help_") and kind != "help_requested" for kind in kinds)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert all_counts(engine) == ingested


def test_demo_data_writes_the_same_rollups_as_ingest(db_url: str) -> None:
    engine = open_database(db_url)
    now = datetime(2026, 3, 3, 15, 0, tzinfo=BRUSSELS)
    generate(engine, sites=2, kiosks_per_site=2, days=12, seed=5, now=now)
    written = all_counts(engine)
    # The help loop's counts (0011) from the stored calls and shifts, as the demo counted them.
    assert any(kind == "help_topic" for _d, _s, kind, _k in written[0])
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0010")
    assert all_counts(engine) != written
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert all_counts(engine) == written
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0002")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    # Below 0008 the calls lose their outcomes and topics and the shifts go: the calls come
    # back as "not said" and unstaffed, as many as before.
    lost = ("help_outcome", "help_topic", "help_opened")
    again = all_counts(engine)
    for grain in (0, 1):
        assert {k: n for k, n in again[grain].items() if k[2] not in lost} == {
            k: n for k, n in written[grain].items() if k[2] not in lost
        }
        calls: list[Counter[Any]] = [Counter(), Counter()]
        for index, counts in enumerate((again[grain], written[grain])):
            for (when, site, kind, _key), n in counts.items():
                if kind == "help_opened":
                    calls[index][(when, site)] += n
        assert calls[0] == calls[1] and calls[0]
    assert {month for month, _s, _k, _key in written[1]} == {date(2026, 2, 1), date(2026, 3, 1)}
    engine.dispose()


def test_a_period_splits_into_whole_months_and_the_days_at_its_edges() -> None:
    rng = random.Random(11)
    for _ in range(2000):
        start = date(2025, 11, 1) + timedelta(days=rng.randint(0, 500))
        period = q.Period(start, start + timedelta(days=rng.randint(0, 430)))
        months, edges = q.month_split(period)
        covered = [d for first, last in edges for d in q.Period(first, last).days()]
        if months is not None:
            first_month, last_month = months
            assert first_month.day == last_month.day == 1 and first_month <= last_month
            covered += [
                d for d in q.Period(first_month, period.end).days() if month_of(d) <= last_month
            ]
            # Whole months only: each starts and ends inside the period.
            assert period.start <= first_month
            assert (last_month + timedelta(days=31)).replace(day=1) - timedelta(
                days=1
            ) <= period.end
        assert sorted(covered) == period.days(), period
        if months is not None:  # otherwise the daily counts answer the whole period
            assert all(month_of(a) == month_of(b) for a, b in edges), "an edge is in one month"


def days_read(
    months: tuple[date, date] | None,
    plus: list[tuple[date, date]],
    minus: list[tuple[date, date]],
) -> Counter[date]:
    """How often a plan counts each day: its whole months, days added, days taken off."""
    days: Counter[date] = Counter()
    if months is not None:
        first, last = months
        for d in q.Period(first, (last + timedelta(days=31)).replace(day=1)).days()[:-1]:
            days[d] += 1
    for sign, ranges in ((1, plus), (-1, minus)):
        for a, b in ranges:
            for d in q.Period(a, b).days():
                days[d] += sign
    return days


def test_the_plan_adds_up_to_exactly_the_days_of_the_period() -> None:
    rng = random.Random(12)
    for _ in range(2000):
        start = date(2025, 11, 1) + timedelta(days=rng.randint(0, 500))
        period = q.Period(start, start + timedelta(days=rng.randint(0, 430)))
        months, plus, minus = q.rollup_plan(period)
        days = days_read(months, plus, minus)
        assert +days == Counter(period.days()) and -days == Counter(), period
        assert sum((b - a).days + 1 for a, b in plus + minus) <= 30, "at most half of two months"


def test_the_plan_reads_no_day_outside_the_data_and_every_day_inside_once() -> None:
    """Given the first and last day with counts, the plan still counts each day of the period
    that can hold counts exactly once and no other such day, reads no edge day outside the
    data, and reads a month whole when its days outside the period hold no counts."""
    rng = random.Random(13)
    whole_edges = 0
    for _ in range(3000):
        start = date(2025, 11, 1) + timedelta(days=rng.randint(0, 500))
        period = q.Period(start, start + timedelta(days=rng.randint(0, 430)))
        first_data = date(2025, 10, 1) + timedelta(days=rng.randint(0, 700))
        data = (first_data, first_data + timedelta(days=rng.randint(0, 500)))
        months, plus, minus = q.rollup_plan(period, data)
        for a, b in plus + minus:
            assert data[0] <= a <= b <= data[1], (period, data, a, b)
        days = days_read(months, plus, minus)
        with_data = [d for d in period.days() if data[0] <= d <= data[1]]
        assert {d: n for d, n in days.items() if data[0] <= d <= data[1] and n} == dict.fromkeys(
            with_data, 1
        ), (period, data)
        assert sum((b - a).days + 1 for a, b in plus + minus) <= 30, "at most half of two months"
        whole_edges += not plus and not minus and months is not None and period.start.day != 1
    assert whole_edges > 100  # periods starting mid-month at the data's first day: months only


def test_medians_per_site_in_sql_equal_those_of_the_buckets(db_url: str) -> None:
    """``site_medians`` (running sums in SQL) gives the counts and medians that
    ``_median_of_buckets`` gives over the buckets ``rolled_up`` returns, on random waits: sites
    with one call, an even or odd number, skewed or flat, over periods with whole months, edge
    days added and edge days taken off, and all time."""
    rng = random.Random(21)
    engine = open_database(db_url)
    try:
        counts: Counter[tuple[date, str, str, str]] = Counter()
        sites = [f"s{n:02d}" for n in range(12)]
        for index, site in enumerate(sites):
            days = [date(2025, 12, 20) + timedelta(days=rng.randint(0, 150)) for _ in range(40)]
            for n, day in enumerate(days[: 1 if index == 0 else 2 + index * 4]):
                top = rng.choice([3, 20, 400])
                bucket = min(rng.randint(0, top), rng.randint(0, top)) if index % 2 else n % 7
                counts[(day, site, HELP_WAIT, str(bucket))] += rng.randint(1, 3)
                counts[(day, site, "help_handling", str(rng.randint(0, 50)))] += 1
        with engine.begin() as connection:
            add_counts(connection, counts)
        periods: list[q.Period | None] = [*PERIODS, None]
        for _ in range(30):
            start = date(2025, 12, 1) + timedelta(days=rng.randint(0, 170))
            periods.append(q.Period(start, start + timedelta(days=rng.randint(0, 120))))
        with engine.connect() as connection:
            for period in periods:
                for chosen in (sites, sites[:1], sites[3:7]):
                    buckets: dict[str, Counter[int]] = {}
                    for site, _kind, bucket, n in q.rolled_up(
                        connection, chosen, [HELP_WAIT], period, by_site=True
                    ):
                        buckets.setdefault(site, Counter())[int(bucket)] += int(n)
                    expected = {
                        site: (sum(b.values()), h._median_of_buckets(b))
                        for site, b in buckets.items()
                    }
                    got = h.site_medians(connection, chosen, HELP_WAIT, period)
                    assert got == expected, (period, chosen)
            assert h.site_medians(connection, [], HELP_WAIT, None) == {}
    finally:
        engine.dispose()


def test_the_migrations_make_the_schema_the_models_describe(db_url: str) -> None:
    """Every table, column and index of ``orm.py`` is made by a migration, and nothing else:
    an index added to a model without a migration (or the reverse) fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from admin_console.store.orm import Base

    engine = open_database(db_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


@pytest.mark.parametrize(
    ("zone", "moments"),
    [
        # Brussels, the night summer time starts: 01:59 and 02:00 UTC are 02:59 and 04:00.
        ("Europe/Brussels", ["2026-03-29T00:59:00", "2026-03-29T01:00:00", "2026-03-29T01:59:59"]),
        # Half an hour from UTC: one UTC hour holds two local hours.
        ("Asia/Kolkata", ["2026-11-19T10:20:00", "2026-11-19T10:40:00", "2026-11-19T18:29:00"]),
        ("America/St_Johns", ["2026-11-19T03:00:00", "2026-11-19T03:31:00"]),
    ],
)
def test_counts_for_gives_each_moment_its_own_local_day_and_hour(
    zone: str, moments: list[str]
) -> None:
    # counts_for works the local hour out once per UTC hour where it can; here it must not
    # give one moment the hour of another.
    tz = ZoneInfo(zone)
    events = [
        {
            "ts": datetime.fromisoformat(text),
            "site": "evere",
            "type": "session_started",
            "data": {"lang": "nl"},
        }
        for text in moments
    ]
    expected: Counter[tuple[date, str, str, str]] = Counter()
    for event in events:
        when = event["ts"].replace(tzinfo=UTC).astimezone(tz)  # type: ignore[attr-defined]
        day = when.date()
        expected[(day, "evere", "event", "session_started")] += 1
        expected[(day, "evere", "lang", "nl")] += 1
        expected[(day, "evere", "hour", f"{when.weekday()}-{when.hour}")] += 1
    assert counts_for(events, tz) == expected
