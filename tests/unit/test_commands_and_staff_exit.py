"""Remote commands run once per id; the staff exit needs the PIN and locks after 5 failures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from kiosk.model.commands import CommandHandler, CommandRefused, announcement_text
from kiosk.model.staff_exit import CornerTaps, StaffGate, check_pin, hash_pin
from kiosk.wire.protocol import decode_command, encode_command


def test_a_repeated_command_id_is_answered_but_not_run_twice() -> None:
    runs: list[str] = []
    handler = CommandHandler({"ping": lambda _a: runs.append("ping")})
    command = decode_command(encode_command("ping"))
    assert handler.handle(command).ok
    assert handler.handle(command).ok
    assert runs == ["ping"]
    assert handler.handle(decode_command(encode_command("ping"))).ok
    assert runs == ["ping", "ping"]


def test_unsupported_and_refused_commands_say_why() -> None:
    def refuse(_args: Mapping[str, Any]) -> None:
        raise CommandRefused("no visit to end")

    handler = CommandHandler({"end_session": refuse})
    unsupported = handler.handle(decode_command(encode_command("lock")))
    assert unsupported.error == "lock is not supported by this kiosk"
    assert unsupported.reason == "unsupported"
    result = handler.handle(decode_command(encode_command("end_session")))
    assert (result.ok, result.error, result.reason) == (False, "no visit to end", "bad_args")


def test_announcements_follow_the_visitors_language() -> None:
    args = {"text": {"nl": "Sluiting om 16 uur", "fr": "Fermeture à 16 h"}}
    assert announcement_text(args, "fr") == "Fermeture à 16 h"
    assert announcement_text(args, "de") == "Sluiting om 16 uur"
    with pytest.raises(CommandRefused):
        announcement_text({}, "nl")


def test_pin_hash_is_salted_and_checked() -> None:
    first, second = hash_pin("4321"), hash_pin("4321")
    assert first != second and "4321" not in first
    assert check_pin("4321", first) and not check_pin("1234", first)
    with pytest.raises(ValueError):
        hash_pin("abc")


def test_five_wrong_pins_lock_the_exit_for_five_minutes() -> None:
    now = [0.0]
    gate = StaffGate(hash_pin("2468", salt="fixed", iterations=1000), lambda: now[0])
    for left in (4, 3, 2, 1):
        assert gate.try_pin("0000").attempts_left == left
    verdict = gate.try_pin("0000")
    assert not verdict.ok and verdict.locked_for_s == 300
    assert not gate.try_pin("2468").ok  # even the right PIN, while locked
    now[0] += 299
    assert not gate.try_pin("2468").ok
    now[0] += 2
    assert gate.try_pin("2468").ok


def test_no_pin_configured_means_no_staff_exit() -> None:
    gate = StaffGate(None, lambda: 0.0)
    assert not gate.enabled and not gate.try_pin("1234").ok


def test_the_hidden_gesture_is_five_quick_corner_taps() -> None:
    now = [0.0]
    taps = CornerTaps(lambda: now[0])
    assert not any(taps.tap(True) for _ in range(4))
    assert taps.tap(True)
    for _ in range(4):
        taps.tap(True)
    taps.tap(False)  # a touch elsewhere starts over
    assert not taps.tap(True)
    now[0] += 10
    assert not any(taps.tap(True) for _ in range(4))
