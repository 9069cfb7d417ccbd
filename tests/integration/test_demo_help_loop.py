"""The demo dataset's help loop: shifts along a rota, calls answered by who was on duty,
outcomes and topics on resolved calls, and figures that look like a computer room's."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from admin_console.demo.data import generate
from admin_console.demo.patterns import STAFF
from admin_console.read.help_loop import OPEN_SHIFT_LIMIT, help_loop_figures, split_topics
from admin_console.read.usage import Period, UsageFilter
from admin_console.store.database import open_database
from admin_console.store.orm import BuddyShiftRow, HelpRequestRow
from kiosk.wire.config_schema import DEFAULT_TOPICS
from kiosk.wire.protocol import HELP_OUTCOMES

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 19, 15, 0, tzinfo=BRUSSELS)  # a Thursday afternoon: on duty now


def local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(BRUSSELS)


def test_demo_shifts_follow_a_rota_and_calls_carry_outcomes(db_url: str) -> None:
    engine = open_database(db_url)
    result = generate(engine, sites=2, kiosks_per_site=3, days=28, seed=5, now=NOW)
    with engine.connect() as c:
        shifts = c.execute(select(BuddyShiftRow)).all()
        calls = c.execute(select(HelpRequestRow)).all()
    assert result["shifts"] == len(shifts) > 16  # 4 weeks × 2 sites × 2 afternoons at least
    starts = [local(s.started) for s in shifts]
    assert Counter(s.weekday() for s in starts).keys() <= {0, 1, 2, 3}
    assert sum(s.weekday() in (1, 3) and 12 <= s.hour < 14 for s in starts) >= 16
    now_utc = NOW.astimezone(UTC).replace(tzinfo=None)
    still = [s for s in shifts if s.ended is None]
    assert any(now_utc - s.started < OPEN_SHIFT_LIMIT for s in still)  # today's permanence
    assert all(s.ended is None or s.started < s.ended for s in shifts)
    resolved = [c for c in calls if c.state == "resolved"]
    # A claimed call is the on-duty buddy's, or the staff's outside the permanences.
    for call in (c for c in calls if c.claimed is not None):
        on_duty = {
            s.buddy
            for s in shifts
            if s.site == call.site
            and s.started <= call.claimed
            and (s.ended is None or call.claimed < s.ended)
        }
        assert call.buddy in (on_duty or {STAFF}), call.id
    assert {c.outcome for c in resolved} - {None} <= set(HELP_OUTCOMES)
    assert sum(c.outcome is not None for c in resolved) > 0.8 * len(resolved)
    ticked = Counter(t for c in resolved for t in split_topics(c.topics))
    assert set(ticked) <= set(DEFAULT_TOPICS) and len(ticked) >= 4
    assert not any(c.outcome or c.topics for c in calls if c.state != "resolved")
    figures = help_loop_figures(
        engine, UsageFilter(Period(date(2026, 10, 23), date(2026, 11, 19))), now=NOW
    )
    assert figures.shifts_recorded and 0.1 < (figures.load.per_hour or 0) < 3
    assert 0 < figures.load.calls_staffed < figures.load.calls
    assert figures.outcomes["solved"] > figures.outcomes.get("left", 0)
    engine.dispose()
