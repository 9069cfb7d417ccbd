"""What the buddy desk decides without Qt (issue 16): a call in words (task and step titles,
"3 of 8", the visitor's language by name, the PC's label), check-in and check-out, the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from admin_console.desk.call_words import LANGUAGE_NAMES, CallWords, language_name
from admin_console.desk.duty import DutyBook, DutyStep, clock_skew, make_checkin
from admin_console.desk.help_queue import HelpQueue
from kiosk.tasks.catalog import BUILTIN_FOLDER, load_catalog
from kiosk.wire.protocol import DutyRoster, HelpChange, OnDuty, decode_checkin, encode_checkin
from kiosk.wire.protocol import new_id as new_request

T0 = datetime(2026, 11, 19, 13, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def words() -> CallWords:
    return CallWords(load_catalog([BUILTIN_FOLDER]))


def test_the_task_and_step_in_the_buddys_language(words: CallWords) -> None:
    assert words.task_title("mypension-check", "nl") == "Uw pensioen bekijken op MyPension"
    assert words.task_title("mypension-check", "fr") == "Consulter votre pension sur MyPension"
    step = words.step("mypension-check", 2, "nl")  # the wire's step is 0-based
    assert step is not None
    assert (step.number, step.total, step.title) == (3, 7, "Bevestigen wie u bent")
    french = words.step("mypension-check", 2, "fr")
    assert french is not None and french.title == "Confirmer qui vous êtes"


def test_an_unknown_task_or_step_is_shown_as_it_came(words: CallWords) -> None:
    assert words.task_title("our-own-task", "nl") == "our-own-task"  # a site's own task
    assert words.task_title(None, "nl") is None  # free use
    unknown = words.step("our-own-task", 4, "nl")
    assert unknown is not None and (unknown.number, unknown.total, unknown.title) == (5, None, None)
    beyond = words.step("mypension-check", 40, "nl")  # an older task file had more steps
    assert beyond is not None and (beyond.number, beyond.total, beyond.title) == (41, 7, None)
    assert words.step("mypension-check", None, "nl") is None


def test_the_visitors_language_by_name() -> None:
    assert language_name("fr", "nl") == "Frans"
    assert language_name("fr", "fr") == "français"
    assert language_name("ar", "en") == "Arabic"
    assert language_name("nl", "de") == "Dutch"  # a buddy language outside nl/fr/en: English
    assert language_name("xy", "nl") == "XY"  # unknown: the code, never dropped
    assert language_name(None, "nl") == ""
    assert all(set(names) == {"nl", "fr", "en"} for names in LANGUAGE_NAMES.values())


def test_a_pcs_label_comes_from_its_status_and_a_pc_never_seen_has_none() -> None:
    queue = HelpQueue(clock=lambda: T0)
    queue.apply("pc-03", HelpChange(new_request(), "open", T0, "csam-login", 1, "fr"))
    queue.apply("pc-09", HelpChange(new_request(), "open", T0, None, None, "nl"))
    assert queue.set_label("pc-03", "PC 3 — bij het raam")
    assert not queue.set_label("pc-03", "PC 3 — bij het raam")  # no change
    by_machine = {call.machine: call for call in queue.active()}
    assert queue.label_of(by_machine["pc-03"]) == "PC 3 — bij het raam"
    assert queue.label_of(by_machine["pc-09"]) is None  # never heard of: still a call
    assert queue.waiting() == 2
    assert queue.set_label("pc-03", None)  # set_label {"label": null} removed it
    assert queue.label_of(by_machine["pc-03"]) is None


def test_a_second_check_in_is_refused_with_since_when() -> None:
    book = DutyBook()
    since = T0 - timedelta(minutes=40)
    book.take_roster(DutyRoster(T0, (OnDuty("Sara", since),)))
    answer = book.check_in("  sara ")
    assert answer.step is DutyStep.ALREADY_IN and answer.since == since
    assert book.check_in("Yassine").step is DutyStep.SEND


def test_a_check_out_without_check_in_is_refused() -> None:
    book = DutyBook()
    assert book.check_out("Sara", calls_waiting=0).step is DutyStep.NOT_IN
    book.take_roster(DutyRoster(T0, (OnDuty("Yassine", T0),)))
    assert book.check_out("Sara", calls_waiting=3).step is DutyStep.NOT_IN


def test_before_the_roster_comes_the_desk_goes_by_what_it_sent() -> None:
    book = DutyBook()
    sent = make_checkin("Sara", "in", T0)
    book.sent(sent)
    assert book.check_in("Sara").step is DutyStep.ALREADY_IN
    assert book.on_duty() == [("Sara", T0)]
    book.sent(make_checkin("Sara", "out", T0))
    assert book.check_out("Sara", 0).step is DutyStep.NOT_IN
    # What goes on the wire is a valid check-in with a fresh id each time.
    assert decode_checkin(encode_checkin(sent)) == sent
    assert make_checkin("Sara", "in").id != sent.id


def test_the_last_buddy_leaving_calls_behind_is_asked_first() -> None:
    book = DutyBook()
    book.take_roster(DutyRoster(T0, (OnDuty("Sara", T0), OnDuty("Yassine", T0))))
    assert book.check_out("Sara", calls_waiting=2).step is DutyStep.SEND  # Yassine stays
    book.take_roster(DutyRoster(T0, (OnDuty("Sara", T0),)))
    assert book.check_out("Sara", calls_waiting=0).step is DutyStep.SEND  # nobody waits
    assert book.check_out("Sara", calls_waiting=2).step is DutyStep.ASK_LAST


def test_a_clock_more_than_two_minutes_off_is_told() -> None:
    assert clock_skew(T0, T0 + timedelta(minutes=2)) is None
    assert clock_skew(T0, T0 - timedelta(seconds=119)) is None
    assert clock_skew(T0, T0 + timedelta(minutes=5)) == timedelta(minutes=5)  # ahead
    assert clock_skew(T0, T0 - timedelta(minutes=7)) == -timedelta(minutes=7)  # behind
