"""The site's help queue on the kiosk's real widgets (offscreen), issue 16: the visitor's place
and wait, updated by each new queue; "no buddy now" on the start and home screens; the call
button kept with "staff", not offered with "none"; and without a queue, the kiosk as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from kiosk.model.core import KioskCore
from kiosk.model.outbox import Outbox
from kiosk.ui.app import KioskApp
from kiosk.ui.window import QtKioskWindow
from kiosk.wire.protocol import HelpChange, QueuePlace, SiteQueue, new_id
from tests.qt.test_fits_the_screen import fit_problems
from tests.qt.test_kiosk_window import check_targets

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Brussels
BRUSSELS = timezone(timedelta(hours=1))
TUESDAY_2PM = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
THURSDAY_2PM = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
WAITING_NL = "Er is een buddy geroepen. Even geduld."


class Clock:
    def __init__(self) -> None:
        self.mono = 100.0
        self.now = T0

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, clock: Clock) -> Iterator[QtKioskWindow]:
    core = KioskCore(
        Outbox(tmp_path / "o.db"),
        clock=lambda: clock.now,
        monotonic=lambda: clock.mono,
        wall=lambda: clock.now.astimezone(BRUSSELS),
    )
    win = QtKioskWindow(core, 2, tick_ms=60_000)  # ticks by hand
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    win.set_broker_online(True)
    yield win


def site_queue(*places: tuple[str, int], at: datetime = T0, **fields: object) -> SiteQueue:
    return SiteQueue(at, tuple(QueuePlace(r, eta) for r, eta in places), **fields)  # type: ignore[arg-type]


def status(win: QtKioskWindow) -> str:
    label = win.action_bar.help_status
    return label.text() if label.isVisibleTo(win) else ""


def test_the_visitor_sees_their_place_and_it_moves_up(
    qtbot: QtBot, window: QtKioskWindow, clock: Clock
) -> None:
    core = window._core
    qtbot.mouseClick(window.start_screen.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.action_bar.call_button, Qt.MouseButton.LeftButton)
    assert core.help is not None
    mine, ahead = core.help.request, new_id()
    assert status(window) == WAITING_NL  # the keeper has not counted the call yet
    core.apply_queue(site_queue((ahead, 60), (mine, 240)))
    assert status(window) == "U bent de tweede. Ongeveer 4\u00a0minuten."
    assert window.action_bar.help_status.accessibleDescription() == "Uw oproep voor een buddy"
    clock.advance(100)  # time passes: the estimate counts down on the window's own tick
    window.tick()
    assert status(window) == "U bent de tweede. Ongeveer 2\u00a0minuten."
    clock.advance(100)
    window.tick()
    assert status(window) == "U bent de tweede. Ongeveer 1\u00a0minuut."
    clock.advance(20)  # 20 s left
    window.tick()
    assert status(window) == "U bent de tweede. Minder dan een minuut."
    # The call ahead was claimed: a new queue, the visitor is next.
    core.apply_queue(site_queue((mine, 60), at=clock.now))
    assert status(window) == "U bent de eerste. Ongeveer 1\u00a0minuut."
    core.set_language("fr")
    assert status(window) == "Vous êtes en première position. Environ 1\u00a0minute."
    core.set_language("nl")
    core.apply_help_reply(HelpChange(mine, "claimed", clock.now, buddy="Sara"))
    core.apply_queue(site_queue(at=clock.now, claimed=1))
    assert status(window) == "Sara komt u helpen."
    check_targets(window)


def test_without_a_queue_the_kiosk_is_as_before(qtbot: QtBot, window: QtKioskWindow) -> None:
    core = window._core
    assert not window.start_screen.duty.isVisibleTo(window)
    core.start_session()
    home = window.home_screen
    assert home.body.isVisibleTo(window) and not home.duty.isVisibleTo(window)
    assert window.action_bar.call_button.isEnabled()
    assert window.action_bar.call_button.text() == "Roep een buddy"
    core.call_buddy()
    assert status(window) == WAITING_NL
    window.set_broker_online(False)
    assert status(window) == "De hulpdienst is nu niet bereikbaar. Vraag het aan de balie."


def test_an_old_queue_is_forgotten(window: QtKioskWindow, clock: Clock) -> None:
    core = window._core
    core.apply_queue(site_queue(on_duty=0, off_duty_calls="none"))
    assert window.start_screen.duty.isVisibleTo(window)
    clock.advance(301)  # the keeper went quiet: no button stays off for good
    window.tick()
    assert not window.start_screen.duty.isVisibleTo(window)
    core.start_session()
    assert window.action_bar.call_button.isEnabled()


def test_nobody_on_duty_with_staff_says_so_and_keeps_the_button(
    qtbot: QtBot, window: QtKioskWindow
) -> None:
    core = window._core
    core.apply_queue(site_queue(on_duty=0, next_duty=TUESDAY_2PM, off_duty_calls="staff"))
    said = (
        "Nu is er geen buddy. Volgende permanentie: morgen\u00a014:00. "
        "Een medewerker kan u wel helpen."
    )
    start = window.start_screen
    assert start.duty.isVisibleTo(window) and start.duty.text() == said
    assert said in start.spoken_text()
    start.language_buttons["fr"].click()
    assert start.duty.text() == (
        "Pas de bénévole en ce moment. "
        "Prochaine permanence\u00a0: demain à 14\u00a0h\u00a000. "
        "Le personnel peut vous aider."
    )
    start.language_buttons["nl"].click()
    qtbot.mouseClick(start.start_button, Qt.MouseButton.LeftButton)
    home = window.home_screen
    assert home.duty.isVisibleTo(window) and home.duty.text() == said
    assert not home.body.isVisibleTo(window)  # "a buddy in the room can help you": not now
    button = window.action_bar.call_button
    assert button.isVisibleTo(window) and button.isEnabled()
    assert button.text() == "Roep een buddy"
    check_targets(window)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert core.help is not None  # the site's staff answer
    # A buddy checks in: the notice goes.
    core.apply_queue(site_queue((core.help.request, 60), on_duty=1))
    assert not home.duty.isVisibleTo(window)
    # Nor "press the green button" while the green button is "Cancel the call" (issue 17).
    assert not home.body.isVisibleTo(window)
    assert status(window) == "U bent de eerste. Ongeveer 1\u00a0minuut."
    core.cancel_help()
    assert home.body.isVisibleTo(window)


def test_nobody_on_duty_with_none_offers_no_call(qtbot: QtBot, window: QtKioskWindow) -> None:
    core = window._core
    core.apply_queue(site_queue(on_duty=0, next_duty=THURSDAY_2PM, off_duty_calls="none"))
    said = (
        "Nu is er geen buddy. Volgende permanentie: donderdag\u00a014:00. "
        "U kunt nu geen buddy roepen."
    )
    assert window.start_screen.duty.text() == said
    qtbot.mouseClick(window.start_screen.start_button, Qt.MouseButton.LeftButton)
    assert window.home_screen.duty.isVisibleTo(window)
    assert window.home_screen.duty.text() == said
    button = window.action_bar.call_button
    assert button.isVisibleTo(window) and not button.isEnabled()
    # The name is the visible words (WCAG 2.5.3), the reason its description.
    assert button.text() == "Nu geen buddy" and button.accessibleName() == "Nu geen buddy"
    assert button.accessibleDescription() == said
    check_targets(window)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    button.click()
    assert core.help is None  # nothing calls into the void
    # The permanence starts: the button comes back.
    core.apply_queue(site_queue(on_duty=1, off_duty_calls="none"))
    assert button.isEnabled() and button.text() == "Roep een buddy"
    assert not window.home_screen.duty.isVisibleTo(window)


def cut_off(label: QLabel, what: str) -> list[str]:
    """A wrapped label shorter than its text needs at its width loses lines."""
    if label.isVisible() and label.height() < label.heightForWidth(label.width()):
        return [f"{what}: {label.text()!r} is cut off"]
    return []


@pytest.mark.parametrize("size", [100, 200])
@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_queue_states_fit_the_screen(kiosk: KioskApp, lang: str, size: int) -> None:
    """At 100 % and 200 % text. The start screen is always at 100 %: a visit's text size ends
    with the visit, and the size buttons are on the home screen."""
    core, window = kiosk.core, kiosk.window
    core.set_language(lang)
    window.set_broker_online(True)
    core.apply_queue(site_queue(on_duty=0, next_duty=THURSDAY_2PM, off_duty_calls="staff"))
    problems = fit_problems(kiosk, "start, nobody on duty (staff)")
    problems += cut_off(window.start_screen.duty, "start")
    problems += cut_off(window.start_screen.notice, "start")
    core.start_session()
    core.set_text_size(size)
    problems += fit_problems(kiosk, "home, nobody on duty (staff)")
    problems += cut_off(window.home_screen.duty, "home (staff)")
    core.apply_queue(site_queue(on_duty=0, next_duty=THURSDAY_2PM, off_duty_calls="none"))
    problems += fit_problems(kiosk, "home, nobody on duty (none)")
    problems += cut_off(window.home_screen.duty, "home (none)")
    check_targets(window)
    core.apply_queue(site_queue(on_duty=1))
    core.call_buddy()
    assert core.help is not None
    now = datetime.now(UTC)
    core.apply_queue(site_queue((new_id(), 60), (core.help.request, 600), at=now, on_duty=1))
    problems += fit_problems(kiosk, "home, waiting with a place")
    label = window.action_bar.help_status
    assert label.text().startswith(("U bent de tweede", "Vous êtes en deuxième"))
    problems += cut_off(label, "waiting")
    assert not problems, "\n".join(problems)
