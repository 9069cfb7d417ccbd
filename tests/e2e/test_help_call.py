"""End to end: a visitor calls a buddy, the buddy claims and resolves, the numbers add up.

Kiosk window (offscreen) → real Mosquitto → aggregator process → buddy desk window → kiosk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from admin_console.desk.help_queue import HelpQueue
from admin_console.links.buddy import BuddyLink
from admin_console.ui.buddy_desk import QtBuddyBridge, QtBuddyDesk
from kiosk.settings import KioskSettings
from kiosk.ui.app import KioskApp
from kiosk.ui.home_screen import QtHomeScreen
from kiosk.ui.start_screen import QtStartScreen
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.protocol import HelpOutcome
from tests.conftest import Mosquitto, Proc, run_stats

SITE, MACHINE = "schaerbeek", "pc-03"


@pytest.fixture
def kiosk(qtbot: QtBot, mosquitto: Mosquitto, tmp_path: Path) -> Iterator[KioskApp]:
    settings = KioskSettings(parse_broker_url(mosquitto.url), SITE, MACHINE, tmp_path / "kiosk")
    app = KioskApp(settings)
    qtbot.addWidget(app.window)
    app.start(windowed=True)
    yield app
    app.shutdown()


@pytest.fixture
def desk(qtbot: QtBot, mosquitto: Mosquitto) -> Iterator[QtBuddyDesk]:
    window = QtBuddyDesk(HelpQueue(), SITE, "Sara")
    qtbot.addWidget(window)
    bridge = QtBuddyBridge()
    link = BuddyLink(parse_broker_url(mosquitto.url), SITE, bridge.callbacks())
    window.attach(link, bridge)
    link.start()
    window.show()
    yield window
    link.stop()


def close_with_outcome(qtbot: QtBot, desk: QtBuddyDesk) -> None:
    """Resolve opens the outcome choice (issue 16): the buddy says how it went."""
    dialog = desk.outcome_dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.outcomes[HelpOutcome.SOLVED], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)


def test_a_help_call_from_kiosk_to_buddy_and_back(
    qtbot: QtBot,
    mosquitto: Mosquitto,
    start_aggregator: Callable[..., Proc],
    tmp_path: Path,
    kiosk: KioskApp,
    desk: QtBuddyDesk,
) -> None:
    db = f"sqlite:///{tmp_path / 'agg.db'}"
    start_aggregator(mosquitto.url, db)
    qtbot.waitUntil(lambda: kiosk.link.connected, timeout=10_000)
    qtbot.waitUntil(lambda: not desk.offline_banner.isVisibleTo(desk), timeout=10_000)
    window = kiosk.window
    assert isinstance(window.stack.currentWidget(), QtStartScreen)

    qtbot.mouseClick(window.start_screen.start_button, Qt.MouseButton.LeftButton)
    assert isinstance(window.stack.currentWidget(), QtHomeScreen)
    qtbot.mouseClick(window.action_bar.call_button, Qt.MouseButton.LeftButton)
    assert window.action_bar.help_status.text() == "Er is een buddy geroepen. Even geduld."
    assert not window.action_bar.call_button.isVisibleTo(window)

    qtbot.waitUntil(lambda: desk.row_of(MACHINE) == 0, timeout=10_000)
    assert desk.table.item(0, 3).text() == "Dutch"  # the visitor's language, by name
    qtbot.waitUntil(
        lambda: run_stats(db)["sites"].get(SITE, {}).get("help") == {"open": 1}, timeout=20_000
    )

    claim = desk.action_button(0)
    assert claim is not None and claim.text() == "Claim"
    qtbot.mouseClick(claim, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.action_bar.help_status.text() == "Sara komt u helpen.", timeout=10_000
    )
    assert not window.action_bar.cancel_button.isVisibleTo(window)
    qtbot.waitUntil(lambda: "Sara" in desk.table.item(0, 5).text(), timeout=10_000)

    resolve = desk.action_button(0)
    assert resolve is not None and resolve.text() == "Resolve"
    qtbot.mouseClick(resolve, Qt.MouseButton.LeftButton)
    close_with_outcome(qtbot, desk)
    qtbot.waitUntil(lambda: kiosk.core.help is None, timeout=10_000)
    assert not window.action_bar.help_status.isVisibleTo(window)
    assert window.action_bar.call_button.isVisibleTo(window)
    qtbot.waitUntil(lambda: desk.table.rowCount() == 0, timeout=10_000)

    qtbot.waitUntil(lambda: run_stats(db)["sites"][SITE]["help"] == {"resolved": 1}, timeout=20_000)
    stats = run_stats(db)
    site = stats["sites"][SITE]
    assert isinstance(site["help_median_wait_s"], float) and 0 <= site["help_median_wait_s"] < 60
    assert site["sessions"] == 1
    assert site["events"]["help_requested"] == 1
    assert stats["rejected_total"] == 0

    qtbot.mouseClick(window.action_bar.done_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.goodbye_screen.confirm_button, Qt.MouseButton.LeftButton)  # asked
    assert isinstance(window.stack.currentWidget(), QtStartScreen)
    qtbot.waitUntil(
        lambda: run_stats(db)["sites"][SITE]["events"].get("session_ended") == 1, timeout=20_000
    )


def test_a_visitor_who_waits_for_a_buddy_keeps_the_visit(
    qtbot: QtBot, kiosk: KioskApp, desk: QtBuddyDesk
) -> None:
    """Issue 16: waiting is not idleness. The visit's clock is moved by hand (the wait is
    minutes); the windows, the broker and the desk are real."""
    now = [1000.0]
    kiosk.core.timer._monotonic = lambda: now[0]
    window = kiosk.window
    policy = kiosk.core.timer.policy

    def wait_minutes(seconds: float) -> None:
        """Time passes without a touch; the window's own tick sees it."""
        now[0] += seconds
        with qtbot.waitSignal(window._ticker.timeout, timeout=5_000):
            pass

    qtbot.waitUntil(lambda: kiosk.link.connected, timeout=10_000)
    qtbot.mouseClick(window.start_screen.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.action_bar.call_button, Qt.MouseButton.LeftButton)
    visit = kiosk.core.session
    qtbot.waitUntil(lambda: desk.row_of(MACHINE) == 0, timeout=10_000)
    for _ in range(4):  # twice the idle timeout with the call open
        wait_minutes(policy.idle_timeout_s / 2)
        assert kiosk.core.session == visit and not window.idle_warning.isVisible()
    claim = desk.action_button(0)
    assert claim is not None
    qtbot.mouseClick(claim, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.action_bar.help_status.text() == "Sara komt u helpen.", timeout=10_000
    )
    for _ in range(2):  # and more while the buddy walks over (900 s, before the 20-min check)
        wait_minutes(policy.idle_timeout_s / 2)
        assert kiosk.core.session == visit and not window.idle_warning.isVisible()
    resolve = desk.action_button(0)
    assert resolve is not None
    qtbot.mouseClick(resolve, Qt.MouseButton.LeftButton)
    close_with_outcome(qtbot, desk)
    qtbot.waitUntil(lambda: kiosk.core.help is None, timeout=10_000)
    # Helped: a whole idle period from now, then the usual "still there?".
    wait_minutes(policy.idle_timeout_s - policy.warning_s - 5)
    assert kiosk.core.session == visit and not window.idle_warning.isVisible()
    wait_minutes(10)
    qtbot.waitUntil(window.idle_warning.isVisible, timeout=5_000)
    assert kiosk.core.session == visit


def test_a_claimed_call_cancelled_by_the_visitor_reaches_the_buddy(
    qtbot: QtBot, kiosk: KioskApp, desk: QtBuddyDesk
) -> None:
    """Issue 16: the buddy is on the way when the visitor cancels (or leaves): the desk says so,
    and the claiming buddy's desk rings; the call is not dropped silently."""
    window = kiosk.window
    qtbot.waitUntil(lambda: kiosk.link.connected, timeout=10_000)
    qtbot.waitUntil(lambda: not desk.offline_banner.isVisibleTo(desk), timeout=10_000)
    qtbot.mouseClick(window.start_screen.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.action_bar.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.row_of(MACHINE) == 0, timeout=10_000)
    claim = desk.action_button(0)
    assert claim is not None
    qtbot.mouseClick(claim, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.core.help is not None and kiosk.core.help.buddy == "Sara")
    rang = desk.notifier.beeps + desk.notifier.sound_played
    with qtbot.waitSignal(desk.notifier.notified, timeout=10_000) as shown:
        qtbot.mouseClick(window.action_bar.done_button, Qt.MouseButton.LeftButton)  # leaves
        qtbot.mouseClick(window.goodbye_screen.confirm_button, Qt.MouseButton.LeftButton)
    assert shown.args[0] == "A call was cancelled"
    assert shown.args[1].startswith(f"{MACHINE}") and "Sara no longer needs to go" in shown.args[1]
    assert desk.notifier.beeps + desk.notifier.sound_played == rang + 1  # Sara's own desk rings
    assert desk.notice.isVisibleTo(desk) and MACHINE in desk.notice_label.text()
    assert desk.table.rowCount() == 0
    qtbot.mouseClick(desk.notice_ok, Qt.MouseButton.LeftButton)
    assert not desk.notice.isVisibleTo(desk)
