"""The visit's clock: warned before an idle reset, extended by one action, ended on time."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from kiosk.model.core import KioskCore
from kiosk.model.outbox import Outbox
from kiosk.model.session import (
    OpeningHours,
    Phase,
    PolicyError,
    SessionClock,
    SessionPolicy,
    policy_from_config,
)
from kiosk.wire.protocol import Channel

MONDAY_10 = datetime(2026, 11, 23, 10, 0)


class FakeTime:
    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall = MONDAY_10

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += timedelta(seconds=seconds)


def clock_with(policy: SessionPolicy) -> tuple[SessionClock, FakeTime]:
    fake = FakeTime()
    return SessionClock(policy, lambda: fake.mono, lambda: fake.wall), fake


def test_idle_then_warning_with_a_countdown_then_ended() -> None:
    clock, fake = clock_with(SessionPolicy(idle_timeout_s=300, warning_s=30))
    assert clock.tick().phase is Phase.IDLE
    clock.start()
    fake.advance(269)
    assert clock.tick().phase is Phase.ACTIVE
    fake.advance(2)
    tick = clock.tick()
    assert tick.phase is Phase.WARNING and tick.warning_left_s == pytest.approx(29)
    fake.advance(29)
    tick = clock.tick()
    assert (tick.phase, tick.end_reason) == (Phase.ENDED, "idle")


def test_the_visitor_can_say_still_here_at_least_ten_times() -> None:
    clock, fake = clock_with(SessionPolicy(idle_timeout_s=60, warning_s=20))
    clock.start()
    for _ in range(25):
        fake.advance(45)
        assert clock.tick().phase is Phase.WARNING
        assert clock.extend()
        assert clock.tick().phase is Phase.ACTIVE
    assert clock.extensions == 25


def test_a_policy_may_cap_extensions_but_not_below_ten() -> None:
    with pytest.raises(PolicyError, match="at least 10"):
        SessionPolicy(max_extensions=3)
    with pytest.raises(PolicyError, match="20 seconds"):
        SessionPolicy(warning_s=10)
    clock, fake = clock_with(SessionPolicy(idle_timeout_s=60, warning_s=20, max_extensions=10))
    clock.start()
    for _ in range(10):
        fake.advance(45)
        clock.tick()
        assert clock.extend()
    fake.advance(45)
    clock.tick()
    assert not clock.extend()


def test_any_touch_during_the_warning_counts_as_still_here() -> None:
    clock, fake = clock_with(SessionPolicy(idle_timeout_s=60, warning_s=20))
    clock.start()
    fake.advance(50)
    clock.tick()
    clock.activity()
    assert clock.phase is Phase.ACTIVE and clock.extensions == 1


def test_maximum_visit_length_is_announced_then_ends_the_visit() -> None:
    clock, fake = clock_with(SessionPolicy(max_session_s=3600, end_notice_s=300))
    clock.start()
    for _ in range(33):  # stay active: a touch every 100 s
        fake.advance(100)
        clock.activity()
    tick = clock.tick()
    assert tick.ends_in_s == pytest.approx(300)
    fake.advance(299)
    clock.activity()
    assert clock.tick().phase is Phase.ACTIVE
    fake.advance(1)
    assert clock.tick().end_reason == "time_limit"


def test_opening_hours_close_the_visit_and_the_start_screen() -> None:
    hours = OpeningHours.parse({"mon": ["09:00-10:30"]})
    clock, fake = clock_with(SessionPolicy(opening_hours=hours))
    assert clock.can_start()
    clock.start()
    fake.advance(25 * 60)
    clock.activity()
    assert clock.tick().ends_in_s == pytest.approx(300)
    fake.advance(5 * 60)
    assert clock.tick().end_reason == "time_limit"
    assert not clock.can_start()
    assert hours.closes_at(datetime(2026, 11, 24, 10, 0)) is None  # Tuesday: closed


def test_config_errors_are_named() -> None:
    with pytest.raises(PolicyError, match="09:00-12:00"):
        OpeningHours.parse({"mon": ["9 to 5"]})
    with pytest.raises(PolicyError, match="one of mon"):
        OpeningHours.parse({"monday": ["09:00-12:00"]})
    policy = policy_from_config({"idle_timeout_s": 120, "opening_hours": {"sat": ["10:00-12:00"]}})
    assert policy.idle_timeout_s == 120
    assert policy.opening_hours.periods[5] == [(time(10), time(12))]


def test_the_model_ends_an_idle_visit_and_resets_the_visitors_choices(tmp_path: Path) -> None:
    fake = FakeTime()
    outbox = Outbox(tmp_path / "o.db")
    core = KioskCore(
        outbox,
        policy=SessionPolicy(idle_timeout_s=60, warning_s=20),
        monotonic=lambda: fake.mono,
        wall=lambda: fake.wall,
    )
    core.set_language("fr")
    core.start_session()
    core.set_text_size(200)
    core.set_high_contrast(True)
    fake.advance(61)
    tick = core.tick()
    assert tick.end_reason == "idle" and core.session is None
    assert (core.lang, core.text_size, core.high_contrast) == ("nl", 100, False)
    events = [json.loads(r.body) for r in outbox.next_rows(0, 20) if r.channel is Channel.EVENTS]
    assert [e["type"] for e in events] == [
        "session_started",
        "accessibility_changed",
        "accessibility_changed",
        "session_ended",
    ]
    assert events[0]["lang"] == "fr"
    assert (events[1]["setting"], events[1]["value"]) == ("text_size", 200)
    assert (events[2]["setting"], events[2]["value"]) == ("contrast", "high")
    assert events[-1]["reason"] == "idle"


def test_a_locked_pc_starts_no_visit(tmp_path: Path) -> None:
    core = KioskCore(Outbox(tmp_path / "o.db"))
    core.start_session()
    core.lock()
    assert core.session is None and core.state == "locked"
    assert not core.start_session()
    core.unlock()
    assert core.start_session()


def waiting_core(tmp_path: Path) -> tuple[KioskCore, FakeTime]:
    fake = FakeTime()
    policy = SessionPolicy(idle_timeout_s=300, warning_s=30, help_wait_check_s=1200)
    core = KioskCore(
        Outbox(tmp_path / "o.db"),
        policy=policy,
        monotonic=lambda: fake.mono,
        wall=lambda: fake.wall,
    )
    return core, fake


def test_waiting_for_a_buddy_is_not_idleness(tmp_path: Path) -> None:
    """Issue 16: a visitor who called and waits without touching keeps the visit, twice the
    idle timeout and more; only after help_wait_check_s does "still there?" come."""
    core, fake = waiting_core(tmp_path)
    core.call_buddy()
    visit = core.session
    for _ in range(2 * 300 // 10 + 1):  # twice the idle timeout, ticking as the screen does
        fake.advance(10)
        assert core.tick().phase is Phase.ACTIVE
    assert core.session == visit and core.help is not None
    fake.advance(1170 - 610)  # 1170 s without input: the check comes 30 s before 1200
    tick = core.tick()
    assert tick.phase is Phase.WARNING and tick.warning_left_s == pytest.approx(30)
    assert core.session == visit
    fake.advance(30)
    assert core.tick().end_reason == "idle" and core.session is None  # no answer: it ends


def test_an_answer_to_the_check_keeps_waiting(tmp_path: Path) -> None:
    core, fake = waiting_core(tmp_path)
    core.call_buddy()
    fake.advance(1180)
    assert core.tick().phase is Phase.WARNING
    assert core.still_here()
    fake.advance(1100)  # a second long wait, still within help_wait_check_s of the answer
    assert core.tick().phase is Phase.ACTIVE and core.session is not None


def test_after_the_wait_a_whole_idle_period_starts(tmp_path: Path) -> None:
    """When the call is over (here: cancelled), the idle clock starts again from then, not
    from the visitor's last touch before the wait."""
    core, fake = waiting_core(tmp_path)
    core.call_buddy()
    fake.advance(900)
    assert core.tick().phase is Phase.ACTIVE
    core.cancel_help()
    fake.advance(260)
    assert core.tick().phase is Phase.ACTIVE
    fake.advance(20)
    assert core.tick().phase is Phase.WARNING
    fake.advance(30)
    assert core.tick().end_reason == "idle"


def test_a_time_limit_still_ends_a_visit_that_waits(tmp_path: Path) -> None:
    fake = FakeTime()
    policy = SessionPolicy(idle_timeout_s=300, warning_s=30, max_session_s=600)
    core = KioskCore(
        Outbox(tmp_path / "o.db"),
        policy=policy,
        monotonic=lambda: fake.mono,
        wall=lambda: fake.wall,
    )
    core.call_buddy()
    fake.advance(590)
    assert core.tick().ends_in_s == pytest.approx(10)  # warned
    fake.advance(10)
    assert core.tick().end_reason == "time_limit" and core.session is None


def test_the_wait_check_is_configured_and_never_shorter_than_the_idle_timeout() -> None:
    policy = policy_from_config({"idle_timeout_s": 300, "help_wait_check_s": 900})
    assert policy.help_wait_check_s == 900
    assert SessionPolicy().help_wait_check_s == 1200
    with pytest.raises(PolicyError, match="help_wait_check_s"):
        policy_from_config({"idle_timeout_s": 600, "help_wait_check_s": 300})
