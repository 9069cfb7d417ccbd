"""Issue 17, point 2: "I'm done" asks once, Yes ends the visit once, the goodbye times out."""

from __future__ import annotations

from kiosk.model.goodbye import GOODBYE_S, STAFF_GOODBYE_S, Goodbye, Stage


class Clock:
    def __init__(self) -> None:
        self.now = 10.0

    def __call__(self) -> float:
        return self.now


def test_no_keeps_the_visit() -> None:
    goodbye = Goodbye(Clock())
    assert goodbye.stage is Stage.NONE
    goodbye.ask()
    assert goodbye.stage is Stage.ASKING
    goodbye.keep()
    assert goodbye.stage is Stage.NONE
    assert not goodbye.confirm()  # nothing was asked: nothing ends


def test_yes_ends_once_then_the_goodbye_times_out() -> None:
    clock = Clock()
    goodbye = Goodbye(clock)
    goodbye.ask()
    assert goodbye.confirm()
    assert not goodbye.confirm()  # a double tap does not end a second visit
    assert goodbye.stage is Stage.GOODBYE
    goodbye.ask()  # "I'm done" cannot be asked during the goodbye
    assert goodbye.stage is Stage.GOODBYE
    clock.now += GOODBYE_S - 0.1
    assert goodbye.stage is Stage.GOODBYE
    clock.now += 0.2
    assert goodbye.stage is Stage.NONE


def test_a_touch_or_another_ending_closes_it() -> None:
    goodbye = Goodbye(Clock())
    goodbye.ask()
    goodbye.dismiss()
    assert goodbye.stage is Stage.NONE
    goodbye.ask()
    goodbye.confirm()
    goodbye.dismiss()
    assert goodbye.stage is Stage.NONE


def test_a_visit_ended_by_the_staff_says_so_for_longer() -> None:
    clock = Clock()
    goodbye = Goodbye(clock)
    goodbye.ask()  # a question open when the console ends the visit: it goes
    goodbye.ended_by_staff()
    assert goodbye.stage is Stage.GOODBYE
    clock.now += GOODBYE_S + 1
    assert goodbye.stage is Stage.GOODBYE, "longer than a goodbye the visitor asked for"
    clock.now += STAFF_GOODBYE_S
    assert goodbye.stage is Stage.NONE
