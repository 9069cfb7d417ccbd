"""The queue keeper's reckoning (admin_console/desk/queue_keeper.py): places, estimates,
permanences and check-ins, as docs/protocol.md "Site channels" specifies them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from admin_console.desk.queue_keeper import (
    CheckinResult,
    QueueKeeper,
    SitePolicy,
    eta_seconds,
    handle_seconds,
    next_duty,
)
from kiosk.wire.opening_hours import OpeningHours
from kiosk.wire.protocol import CheckIn, HelpChange, HelpState, decode_queue, encode_queue, new_id

SITE = "schaerbeek"
BRUSSELS = ZoneInfo("Europe/Brussels")
# Tuesday 2026-11-24, 10:00 in Brussels (CET, UTC+1)
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ROTA = OpeningHours.parse({"tue": ["14:00-17:00"], "thu": ["09:30-12:00"]})


def keeper(rota: OpeningHours | None = ROTA, off_duty_calls: str = "staff") -> QueueKeeper:
    return QueueKeeper({SITE: SitePolicy(rota, off_duty_calls)}, "Europe/Brussels")


def open_call(k: QueueKeeper, machine: str, minutes_ago: float, site: str = SITE) -> str:
    request = new_id()
    at = NOW - timedelta(minutes=minutes_ago)
    assert k.apply_help(site, machine, HelpChange(request, HelpState.OPEN, at), at)
    return request


def claim(k: QueueKeeper, request: str, machine: str, at: datetime = NOW) -> bool:
    change = HelpChange(request, HelpState.CLAIMED, at, buddy="Sara")
    return k.apply_help(SITE, machine, change, at)


def checkin(k: QueueKeeper, buddy: str, state: str = "in", at: datetime = NOW) -> CheckinResult:
    return k.apply_checkin(SITE, CheckIn(new_id(), at, buddy, state), at)


def places(k: QueueKeeper) -> list[tuple[str, int]]:
    return [(p.request, p.eta_s) for p in k.queue(SITE, NOW).waiting]


# --- places and estimates ---------------------------------------------------------------------


def test_with_nobody_on_duty_the_first_waits_a_walk_then_one_call_time_each() -> None:
    k = keeper()
    calls = [open_call(k, f"pc-0{i}", 10 - i) for i in range(1, 4)]  # pc-01 is the oldest
    # k = max(1, 0) = 1 (the staff), free = 1: 60 s, then 1 × 300, 2 × 300
    assert places(k) == [(calls[0], 60), (calls[1], 300), (calls[2], 600)]
    queue = k.queue(SITE, NOW)
    assert queue.on_duty == 0 and queue.claimed == 0 and queue.handle_s == 300


def test_with_one_buddy_on_duty() -> None:
    k = keeper()
    assert checkin(k, "Sara") is CheckinResult.STARTED
    calls = [open_call(k, f"pc-0{i}", 10 - i) for i in range(1, 4)]
    assert places(k) == [(calls[0], 60), (calls[1], 300), (calls[2], 600)]
    assert k.queue(SITE, NOW).on_duty == 1


def test_with_two_buddies_on_duty_two_walk_over_at_once() -> None:
    k = keeper()
    checkin(k, "Sara")
    checkin(k, "Tom")
    calls = [open_call(k, f"pc-0{i}", 10 - i) for i in range(1, 6)]
    # free = 2: places 1 and 2 get 60 s; then ⌈(p − 2) / 2⌉ × 300: 300, 300, 600
    assert [eta for _, eta in places(k)] == [60, 60, 300, 300, 600]
    assert [r for r, _ in places(k)] == calls


def test_busy_buddies_leave_fewer_free() -> None:
    k = keeper()
    checkin(k, "Sara")
    checkin(k, "Tom")
    first = open_call(k, "pc-01", 9)
    second = open_call(k, "pc-02", 8)
    third = open_call(k, "pc-03", 7)
    assert claim(k, first, "pc-01")
    # k = 2, c = 1, free = 1: place 1 → 60, place 2 → ⌈1/2⌉ × 300
    assert places(k) == [(second, 60), (third, 300)]
    assert claim(k, second, "pc-02")
    # both busy: free = 0, place 1 → ⌈1/2⌉ × 300
    assert places(k) == [(third, 300)]
    assert k.queue(SITE, NOW).claimed == 2
    # More busy than on duty: free stays 0, never negative
    fourth = open_call(k, "pc-04", 6)
    fifth = open_call(k, "pc-05", 5)
    claim(k, third, "pc-03")
    assert places(k) == [(fourth, 300), (fifth, 300)]


def test_the_formula_itself() -> None:
    assert eta_seconds(1, 0, 0, 300) == 60
    assert eta_seconds(2, 0, 0, 300) == 300
    assert eta_seconds(3, 3, 1, 120) == 120  # free 2, ⌈1/3⌉ × 120
    assert eta_seconds(7, 3, 1, 120) == 240  # ⌈5/3⌉ × 120
    assert eta_seconds(500, 1, 0, 3600) == 86_400  # capped at a day


def test_a_claim_moves_the_next_call_to_the_first_place() -> None:
    k = keeper()
    checkin(k, "Sara")
    first = open_call(k, "pc-01", 5)
    second = open_call(k, "pc-02", 3)
    assert k.queue(SITE, NOW).place_of(second) == (2, 300)
    claim(k, first, "pc-01")
    queue = k.queue(SITE, NOW)
    assert queue.place_of(first) is None
    # Sara is on the first call: nobody is free, so one call time
    assert queue.place_of(second) == (1, 300)


def test_final_states_remove_a_call_for_good() -> None:
    k = keeper()
    a, b, c = (open_call(k, f"pc-0{i}", 5 - i) for i in range(1, 4))
    at = NOW
    assert k.apply_help(SITE, "pc-01", HelpChange(a, HelpState.CANCELLED, at), at)
    assert k.apply_help(SITE, "pc-02", HelpChange(b, HelpState.RESOLVED, at, buddy="Sara"), at)
    assert k.apply_help(SITE, "pc-03", HelpChange(c, HelpState.EXPIRED, at), at)
    assert places(k) == []
    # A late (or retained) open of a finished call changes nothing
    assert not k.apply_help(SITE, "pc-01", HelpChange(a, HelpState.OPEN, at), at)
    assert places(k) == []


def test_a_pc_cannot_touch_another_pcs_call() -> None:
    k = keeper()
    request = open_call(k, "pc-01", 1)
    assert not k.apply_help(SITE, "pc-02", HelpChange(request, HelpState.CANCELLED, NOW), NOW)
    assert [r for r, _ in places(k)] == [request]
    assert k.counts["help_for_another_pc"] == 1


def test_a_claim_that_arrives_before_the_open_is_not_waiting() -> None:
    k = keeper()
    request = new_id()
    assert claim(k, request, "pc-01")
    k.apply_help(SITE, "pc-01", HelpChange(request, HelpState.OPEN, NOW), NOW)
    queue = k.queue(SITE, NOW)
    assert queue.waiting == () and queue.claimed == 1


def test_calls_older_than_the_expiry_leave_the_queue() -> None:
    k = keeper()
    old = open_call(k, "pc-01", 121)
    fresh = open_call(k, "pc-02", 5)
    assert k.expire(NOW) == {SITE}
    assert [r for r, _ in places(k)] == [fresh]
    assert k.expire(NOW) == set()
    assert k.counts["expired"] == 1
    assert not k.apply_help(SITE, "pc-01", HelpChange(old, HelpState.OPEN, NOW), NOW)


def test_the_queue_is_valid_on_the_wire() -> None:
    k = keeper()
    calls = [open_call(k, f"pc-{i:02d}", 30 - i / 100) for i in range(600)]
    queue = k.queue(SITE, NOW)
    assert len(queue.waiting) == 500 and queue.waiting[0].request == calls[0]
    assert decode_queue(encode_queue(queue)) == queue


# --- handling time ------------------------------------------------------------------------------


def resolve_after(k: QueueKeeper, machine: str, seconds: float) -> None:
    request = open_call(k, machine, 1)
    claim(k, request, machine, NOW)
    done = NOW + timedelta(seconds=seconds)
    k.apply_help(SITE, machine, HelpChange(request, HelpState.RESOLVED, done, buddy="Sara"), done)


def test_handle_s_is_300_until_five_calls_are_known_then_their_median() -> None:
    k = keeper()
    for seconds in (100, 200, 400, 500):
        resolve_after(k, "pc-01", seconds)
    assert k.queue(SITE, NOW).handle_s == 300
    resolve_after(k, "pc-01", 900)
    assert k.queue(SITE, NOW).handle_s == 400  # median of 100, 200, 400, 500, 900
    checkin(k, "Sara")
    open_call(k, "pc-02", 3)
    open_call(k, "pc-03", 2)
    assert [eta for _, eta in places(k)] == [60, 400]


def test_handle_s_is_the_median_of_the_last_twenty() -> None:
    k = keeper()
    for _ in range(20):
        resolve_after(k, "pc-01", 1000)
    for _ in range(11):
        resolve_after(k, "pc-01", 120)
    # last 20: 9 × 1000 and 11 × 120 → median 120
    assert k.handle_s(SITE) == 120
    assert handle_seconds([10, 20, 30, 40, 50, 60]) == 35
    assert handle_seconds([1, 2, 3, 4]) == 300


def test_a_resolve_without_a_seen_claim_adds_no_handling_time() -> None:
    k = keeper()
    for _ in range(5):
        request = open_call(k, "pc-01", 1)
        change = HelpChange(request, HelpState.RESOLVED, NOW, buddy="Sara")
        k.apply_help(SITE, "pc-01", change, NOW)
    assert k.handle_s(SITE) == 300


# --- permanences ------------------------------------------------------------------------------


def test_next_duty_is_the_next_start_in_brussels_time() -> None:
    k = keeper()
    queue = k.queue(SITE, NOW)  # Tuesday 10:00 local
    # Tuesday 14:00 in Brussels is 13:00 UTC in November
    assert queue.next_duty == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    assert queue.on_duty == 0 and queue.nobody_on_duty


def test_next_duty_during_a_permanence_without_a_buddy_is_the_next_one() -> None:
    at = datetime(2026, 11, 24, 14, 30, tzinfo=BRUSSELS)
    assert next_duty(ROTA, BRUSSELS, at) == datetime(2026, 11, 26, 9, 30, tzinfo=BRUSSELS)


def test_next_duty_wraps_around_the_week() -> None:
    # Thursday 12:30 → the next is Tuesday 14:00, across the weekend and Monday
    at = datetime(2026, 11, 26, 12, 30, tzinfo=BRUSSELS)
    assert next_duty(ROTA, BRUSSELS, at) == datetime(2026, 12, 1, 14, 0, tzinfo=BRUSSELS)
    # A rota of one weekly permanence, as it starts: the one a week later
    weekly = OpeningHours.parse({"mon": ["09:00-12:00"]})
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=BRUSSELS)
    assert next_duty(weekly, BRUSSELS, monday) == datetime(2026, 12, 7, 9, 0, tzinfo=BRUSSELS)
    # … also across the change to winter time (Sunday 25 October 2026): 7 days and an hour
    october = datetime(2026, 10, 19, 9, 0, tzinfo=BRUSSELS)
    assert next_duty(weekly, BRUSSELS, october) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    sunday = datetime(2026, 11, 29, 23, 0, tzinfo=BRUSSELS)
    assert next_duty(weekly, BRUSSELS, sunday) == datetime(2026, 11, 30, 9, 0, tzinfo=BRUSSELS)


def test_next_duty_across_the_change_to_summer_time() -> None:
    # Saturday 28 March 2026, 20:00 CET; Sunday the clocks go forward: Monday 09:00 is CEST
    weekly = OpeningHours.parse({"mon": ["09:00-12:00"]})
    at = datetime(2026, 3, 28, 19, 0, tzinfo=UTC)
    assert next_duty(weekly, BRUSSELS, at) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_next_duty_is_given_only_when_nobody_is_on_duty() -> None:
    k = keeper()
    checkin(k, "Sara")
    queue = k.queue(SITE, NOW)
    assert queue.on_duty == 1 and queue.next_duty is None
    checkin(k, "Sara", "out")
    assert k.queue(SITE, NOW).next_duty is not None


def test_a_site_without_a_rota_never_says_nobody_is_on_duty() -> None:
    for k in (keeper(rota=None), keeper(rota=OpeningHours.parse({})), QueueKeeper()):
        open_call(k, "pc-01", 1)
        queue = k.queue(SITE, NOW)
        assert queue.on_duty is None and queue.next_duty is None
        assert not queue.nobody_on_duty
        assert [eta for _, eta in places(k)] == [60]
        checkin(k, "Sara")  # check-ins still count for the estimate
        open_call(k, "pc-02", 0.5)
        assert k.queue(SITE, NOW).on_duty is None


def test_off_duty_calls_come_from_the_config() -> None:
    assert keeper(off_duty_calls="none").queue(SITE, NOW).off_duty_calls == "none"
    assert keeper().queue(SITE, NOW).off_duty_calls == "staff"
    assert QueueKeeper().queue("evere", NOW).off_duty_calls == "staff"


# --- check-ins ----------------------------------------------------------------------------------


def test_check_in_and_out_make_the_roster_at_the_time_received() -> None:
    k = keeper()
    desk_clock = NOW - timedelta(hours=3)  # a desk with a skewed clock
    received = NOW
    sara = CheckIn(new_id(), desk_clock, "Sara", "in")
    assert k.apply_checkin(SITE, sara, received) is CheckinResult.STARTED
    tom = CheckIn(new_id(), desk_clock, "Tom", "in")
    assert k.apply_checkin(SITE, tom, received + timedelta(minutes=1)) is CheckinResult.STARTED
    roster = k.duty(SITE, NOW)
    assert [(b.buddy, b.since) for b in roster.buddies] == [
        ("Sara", received),
        ("Tom", received + timedelta(minutes=1)),
    ]
    out = CheckIn(new_id(), desk_clock, "sara ", "out")  # names compare without case or spaces
    assert k.apply_checkin(SITE, out, NOW) is CheckinResult.ENDED
    assert [b.buddy for b in k.duty(SITE, NOW).buddies] == ["Tom"]


def test_the_same_check_in_twice_counts_once() -> None:
    k = keeper()
    sara = CheckIn(new_id(), NOW, "Sara", "in")
    assert k.apply_checkin(SITE, sara, NOW) is CheckinResult.STARTED
    assert k.apply_checkin(SITE, sara, NOW + timedelta(minutes=5)) is CheckinResult.REPEATED
    roster = k.duty(SITE, NOW)
    assert [(b.buddy, b.since) for b in roster.buddies] == [("Sara", NOW)]
    out = CheckIn(new_id(), NOW, "Sara", "out")
    assert k.apply_checkin(SITE, out, NOW) is CheckinResult.ENDED
    assert k.apply_checkin(SITE, out, NOW) is CheckinResult.REPEATED
    assert k.duty(SITE, NOW).buddies == ()
    assert not k.counts  # a repeat is no mistake


def test_a_second_in_and_an_out_without_in_are_counted_no_ops() -> None:
    k = keeper()
    assert checkin(k, "Sara") is CheckinResult.STARTED
    later = NOW + timedelta(minutes=10)
    assert checkin(k, "SARA", at=later) is CheckinResult.DUPLICATE_CHECKIN
    assert [(b.buddy, b.since) for b in k.duty(SITE, NOW).buddies] == [("Sara", NOW)]
    assert checkin(k, "Tom", "out") is CheckinResult.CHECKOUT_WITHOUT_CHECKIN
    assert [b.buddy for b in k.duty(SITE, NOW).buddies] == ["Sara"]
    assert k.counts == {"duplicate_checkin": 1, "checkout_without_checkin": 1}


def test_sites_are_kept_apart() -> None:
    k = keeper()
    checkin(k, "Sara")
    open_call(k, "pc-01", 1, site="evere")
    assert k.queue("evere", NOW).on_duty is None  # no [sites.evere]: no rota
    assert k.duty("evere", NOW).buddies == ()
    assert k.queue(SITE, NOW).waiting == ()
    assert k.sites() == ["evere", SITE]


def test_seeding_restores_shifts_ids_and_handling_times() -> None:
    k = keeper()
    shift = new_id()
    k.seed_shift(SITE, shift, "Sara", NOW - timedelta(hours=1))
    k.seed_handling(SITE, [100, 200, 300, 400, 500])
    ended_by = new_id()
    k.seed_checkin_ids([ended_by])
    assert k.queue(SITE, NOW).on_duty == 1 and k.handle_s(SITE) == 300
    again = CheckIn(shift, NOW, "Sara", "in")
    assert k.apply_checkin(SITE, again, NOW) is CheckinResult.REPEATED
    old_out = CheckIn(ended_by, NOW, "Sara", "out")
    assert k.apply_checkin(SITE, old_out, NOW) is CheckinResult.REPEATED
    assert k.duty(SITE, NOW).buddies[0].since == NOW - timedelta(hours=1)


@pytest.mark.parametrize("state", ["in", "out"])
def test_checkins_never_raise_for_an_unknown_site(state: str) -> None:
    k = QueueKeeper()
    k.apply_checkin("nowhere", CheckIn(new_id(), NOW, "Sara", state), NOW)
    assert k.sites() == ["nowhere"]
