"""The buddy desk never lets a call go unnoticed: chime and notification, claims, reconnection."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from admin_console.desk.help_queue import HelpQueue
from admin_console.links.buddy import BuddyLink
from admin_console.ui.buddy_desk import QtBuddyBridge, QtBuddyDesk
from admin_console.ui.sounds import NEW_CALL
from admin_console.ui.sounds.chime import LENGTH_S, RATE, write_chime
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.protocol import HelpChange, HelpOutcome, new_id, utc_now
from tests.conftest import Mosquitto


class FakeLink:
    """Records what the desk would publish."""

    def __init__(self) -> None:
        self.replies: list[tuple[str, str, str, str]] = []

    def reply(self, machine: str, request: str, state: str, buddy: str, **_outcome: Any) -> None:
        self.replies.append((machine, request, state, buddy))


@pytest.fixture
def desk(qtbot: QtBot) -> Iterator[QtBuddyDesk]:
    window = QtBuddyDesk(HelpQueue(), "gent", "Sara")
    window.link = FakeLink()  # type: ignore[assignment]
    qtbot.addWidget(window)
    window.show()
    yield window


def close_with_outcome(qtbot: QtBot, desk: QtBuddyDesk) -> None:
    """Resolve opens the outcome choice (issue 16): the buddy says how it went."""
    dialog = desk.outcome_dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.outcomes[HelpOutcome.SOLVED], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)


def call(machine: str = "pc-03", age_s: int = 30) -> HelpChange:
    opened = utc_now() - timedelta(seconds=age_s)
    return HelpChange(new_id(), "open", opened, "mypension-check", 2, "fr")


def test_a_new_call_rings_and_shows_a_notification(qtbot: QtBot, desk: QtBuddyDesk) -> None:
    with qtbot.waitSignal(desk.notifier.notified, timeout=15_000) as shown:
        desk.on_help_change("pc-03", call())
    title, message = shown.args
    assert title == "A visitor asks for help"
    # Words, not keys (issue 16): the PC (no label yet: its id), the task's title, the step
    # of how many, the visitor's language by name.
    assert message == "pc-03 · Check your pension on MyPension · step 3 of 7 · French"
    desk.queue.set_label("pc-03", "PC 3 — by the window")
    assert desk.call_line(desk.queue.active()[0]).startswith("PC 3 — by the window · ")
    assert desk.notifier.beeps + desk.notifier.sound_played == 1  # no audio offscreen: a beep
    assert desk.windowTitle() == "(1) Buddy desk — gent"


def test_calls_arriving_together_ring_once(qtbot: QtBot, desk: QtBuddyDesk) -> None:
    shown: list[tuple[str, str]] = []
    desk.notifier.notified.connect(lambda t, m: shown.append((t, m)))
    for n in range(3):  # retained calls at start-up arrive one after the other
        desk.on_help_change(f"pc-0{n + 1}", call(f"pc-0{n + 1}"))
    qtbot.waitUntil(lambda: bool(shown), timeout=15_000)
    assert not desk._announce.isActive()
    assert shown == [("3 visitors ask for help", shown[0][1])]
    assert shown[0][1].splitlines()[0].startswith("pc-01")


def test_muted_desk_shows_but_does_not_ring(qtbot: QtBot, desk: QtBuddyDesk) -> None:
    qtbot.mouseClick(desk.mute_button, Qt.MouseButton.LeftButton)
    assert desk.notifier.muted and desk.mute_button.text() == "Sound off"
    with qtbot.waitSignal(desk.notifier.notified, timeout=15_000):
        desk.on_help_change("pc-03", call())
    assert desk.notifier.beeps + desk.notifier.sound_played == 0


def test_another_buddys_claim_is_shown_and_resolving_it_asks_first(
    qtbot: QtBot, desk: QtBuddyDesk
) -> None:
    change = call()
    desk.on_help_change("pc-03", change)
    desk.on_help_change("pc-03", HelpChange(change.request, "claimed", utc_now(), buddy="Yassine"))
    row = desk.row_of("pc-03")
    assert desk.table.item(row, 5).text() == "Yassine is going"
    button = desk.action_button(row)
    assert button is not None and button.text() == "Resolve…"
    questions: list[str] = []
    desk.confirm = lambda question: questions.append(question) or False  # type: ignore[func-returns-value]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert questions == ["Yassine claimed this call. Mark it resolved anyway?"]
    assert desk.link.replies == []  # type: ignore[union-attr]
    desk.confirm = lambda _question: True
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    close_with_outcome(qtbot, desk)
    assert desk.link.replies == [("pc-03", change.request, "resolved", "Yassine")]  # type: ignore[union-attr]


def test_my_own_claim_resolves_without_a_question(qtbot: QtBot, desk: QtBuddyDesk) -> None:
    change = call()
    desk.on_help_change("pc-05", change)
    claim = desk.action_button(desk.row_of("pc-05"))
    assert claim is not None and claim.text() == "Claim"
    qtbot.mouseClick(claim, Qt.MouseButton.LeftButton)
    assert desk.link.replies[-1] == ("pc-05", change.request, "claimed", "Sara")  # type: ignore[union-attr]
    desk.on_help_change("pc-05", HelpChange(change.request, "claimed", utc_now(), buddy="sara"))
    row = desk.row_of("pc-05")
    assert desk.table.item(row, 5).text() == "You (sara) are going"
    desk.confirm = lambda _question: pytest.fail("no question for my own call")
    button = desk.action_button(row)
    assert button is not None and button.text() == "Resolve"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    close_with_outcome(qtbot, desk)
    assert desk.link.replies[-1][2] == "resolved"  # type: ignore[union-attr]


def test_a_call_left_waiting_rings_again(qtbot: QtBot, desk: QtBuddyDesk) -> None:
    with qtbot.waitSignal(desk.notifier.notified, timeout=15_000):
        desk.on_help_change("pc-03", call(age_s=4 * 60))
    desk._last_reminder = utc_now() - timedelta(minutes=4)  # three minutes went by
    with qtbot.waitSignal(desk.notifier.notified, timeout=15_000) as reminded:
        pass  # the desk's one-second ticker notices
    assert reminded.args[0] == "Still waiting for a buddy"


def test_the_desk_says_when_the_broker_is_gone_and_reconnects_by_itself(
    qtbot: QtBot, mosquitto: Mosquitto
) -> None:
    desk = QtBuddyDesk(HelpQueue(), "gent", "Sara")
    qtbot.addWidget(desk)
    bridge = QtBuddyBridge()
    link = BuddyLink(parse_broker_url(mosquitto.url), "gent", bridge.callbacks())
    desk.attach(link, bridge)
    link.start()
    desk.show()
    try:
        all_clear = "No one is waiting for help."
        qtbot.waitUntil(lambda: not desk.offline_banner.isVisibleTo(desk), timeout=10_000)
        assert desk.empty_label.text() == all_clear
        mosquitto.stop()
        qtbot.waitUntil(lambda: desk.offline_banner.isVisibleTo(desk), timeout=10_000)
        # Issue 16: no all-clear under "not connected": the desk cannot know who waits.
        assert desk.empty_label.isVisibleTo(desk)
        assert desk.empty_label.text().startswith("Calls cannot be shown")
        mosquitto.start()
        qtbot.waitUntil(lambda: not desk.offline_banner.isVisibleTo(desk), timeout=45_000)
        assert desk.empty_label.text() == all_clear
    finally:
        link.stop()


def test_the_chime_is_the_generated_soft_two_tone_sound(tmp_path: Path) -> None:
    fresh = write_chime(tmp_path / "chime.wav")
    assert fresh.read_bytes() == NEW_CALL.read_bytes()  # the shipped file is reproducible
    with wave.open(str(NEW_CALL)) as sound:
        assert (sound.getnchannels(), sound.getframerate()) == (1, RATE)
        frames = sound.readframes(sound.getnframes())
    assert sound.getnframes() == int(RATE * LENGTH_S)
    samples = memoryview(frames).cast("h")
    assert max(abs(s) for s in samples) < 0.5 * 32767  # soft
    assert abs(samples[0]) < 100 and abs(samples[-1]) < 100  # no click at either end
