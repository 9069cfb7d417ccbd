"""The buddy desk speaks human (issue 16, points 3, 4 and 5), with real widgets offscreen: a call
shows the PC's label, the task and the step in the buddy's language and the visitor's language
by name, oldest first; check-in and check-out say what they did or why not; the last buddy to
leave is asked; a call is closed with an outcome and topics; a wrong clock is told."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from pytestqt.qtbot import QtBot

from admin_console.desk.call_words import CallWords
from admin_console.desk.help_queue import HelpQueue
from admin_console.ui.buddy_desk import QtBuddyDesk, local_time
from admin_console.ui.language import install_translators, use_language
from kiosk.tasks.catalog import BUILTIN_FOLDER, load_catalog
from kiosk.wire.protocol import (
    CheckIn,
    DutyRoster,
    HelpChange,
    HelpOutcome,
    OnDuty,
    SiteQueue,
    new_id,
    utc_now,
)

WORDS = CallWords(load_catalog([BUILTIN_FOLDER]))


class FakeLink:
    """Records what the desk would publish."""

    def __init__(self) -> None:
        self.replies: list[tuple[str, str, str, str, dict[str, Any]]] = []
        self.checkins: list[CheckIn] = []

    def reply(self, machine: str, request: str, state: str, buddy: str, **extra: Any) -> None:
        self.replies.append((machine, request, state, buddy, extra))

    def check(self, checkin: CheckIn) -> None:
        self.checkins.append(checkin)


@pytest.fixture
def dutch(qapp: QCoreApplication) -> Iterator[None]:
    translators = install_translators(qapp, "nl")
    yield
    for translator in translators:
        qapp.removeTranslator(translator)
    use_language("en")
    QLocale.setDefault(QLocale("en"))


def make_desk(qtbot: QtBot, topics: tuple[str, ...] | None = None) -> QtBuddyDesk:
    desk = (
        QtBuddyDesk(HelpQueue(), "gent", "Sara", words=WORDS)
        if topics is None
        else QtBuddyDesk(HelpQueue(), "gent", "Sara", topics, words=WORDS)
    )
    desk.link = FakeLink()  # type: ignore[assignment]
    qtbot.addWidget(desk)
    desk.set_connected(True)
    desk.resize(1200, 700)
    desk.show()
    return desk


def link_of(desk: QtBuddyDesk) -> FakeLink:
    assert isinstance(desk.link, FakeLink)
    return desk.link


def open_call(desk: QtBuddyDesk, machine: str, age_s: int, task: str | None, step: int | None,
              lang: str | None) -> str:  # fmt: skip
    request = new_id()
    opened = utc_now() - timedelta(seconds=age_s)
    desk.on_help_change(machine, HelpChange(request, "open", opened, task, step, lang))
    return request


def cell(desk: QtBuddyDesk, row: int, column: int) -> str:
    item = desk.table.item(row, column)
    assert item is not None
    return item.text()


def test_a_call_speaks_human_oldest_first(qtbot: QtBot, dutch: None) -> None:
    desk = make_desk(qtbot)
    desk.on_machine_label("pc-03", "PC 3 — bij het raam")
    open_call(desk, "pc-05", 40, "gmail-account", 0, "nl")
    open_call(desk, "pc-03", 6 * 60, "mypension-check", 2, "fr")
    open_call(desk, "pc-09", 3 * 60, None, None, "xy")  # a PC never seen: no status, no label
    assert [desk.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(3)] == [
        "pc-03",
        "pc-09",
        "pc-05",
    ]  # the longest waiting first
    assert cell(desk, 0, 0) == "PC 3 — bij het raam"
    assert cell(desk, 0, 1) == "Uw pensioen bekijken op MyPension"
    assert cell(desk, 0, 2) == "Stap 3 van 7\nBevestigen wie u bent"
    assert cell(desk, 0, 3) == "Frans"
    assert cell(desk, 0, 4).startswith("6 min")
    assert cell(desk, 1, 0) == "pc-09\n(deze pc heeft nog geen naam)"
    assert cell(desk, 1, 1) == "(vrij gebruik)" and cell(desk, 1, 2) == ""
    assert cell(desk, 1, 3) == "XY"  # a language outside the table: its code, never dropped
    assert cell(desk, 2, 2) == "Stap 1 van 8\nDe pagina van Google"
    assert cell(desk, 2, 3) == "Nederlands"
    desk.on_machine_label("pc-09", "PC 9 — achteraan")  # its status came after the call
    assert cell(desk, 1, 0) == "PC 9 — achteraan"


def test_the_call_in_english(qtbot: QtBot) -> None:
    desk = make_desk(qtbot)
    open_call(desk, "pc-03", 60, "mypension-check", 2, "fr")
    assert (cell(desk, 0, 1), cell(desk, 0, 2), cell(desk, 0, 3)) == (
        "Check your pension on MyPension",
        "Step 3 of 7\nConfirm who you are",
        "French",
    )


def test_check_in_then_a_duplicate_then_check_out(qtbot: QtBot, dutch: None) -> None:
    desk = make_desk(qtbot)
    link = link_of(desk)
    qtbot.mouseClick(desk.checkin_button, Qt.MouseButton.LeftButton)
    assert [(c.buddy, c.state) for c in link.checkins] == [("Sara", "in")]
    assert desk.duty_message.text() == "Sara, je permanentie is begonnen."
    assert desk.on_duty_label.text().startswith("Nu van permanentie: Sara (sinds ")
    # The queue keeper's roster: Sara since 14:02 (her clock), Yassine too.
    since = utc_now() - timedelta(minutes=30)
    roster = DutyRoster(utc_now(), (OnDuty("Sara", since), OnDuty("Yassine", utc_now())))
    desk.on_duty(roster)
    qtbot.mouseClick(desk.checkin_button, Qt.MouseButton.LeftButton)
    assert len(link.checkins) == 1  # nothing sent
    assert desk.duty_message.text() == f"Sara is al ingecheckt sinds {local_time(since)}."
    qtbot.mouseClick(desk.checkout_button, Qt.MouseButton.LeftButton)
    assert [(c.buddy, c.state) for c in link.checkins][-1] == ("Sara", "out")
    assert desk.duty_message.text() == "Sara, je permanentie is voorbij. Bedankt!"
    assert desk.checkout_dialog is None  # Yassine stays: no question
    qtbot.mouseClick(desk.checkout_button, Qt.MouseButton.LeftButton)
    assert len(link.checkins) == 2  # a check-out without check-in: nothing sent
    assert desk.duty_message.text() == (
        "Sara is niet ingecheckt: er is geen permanentie om te stoppen."
    )


def test_no_check_in_without_a_name_or_a_connection(qtbot: QtBot) -> None:
    desk = make_desk(qtbot)
    desk.name_edit.setText("  ")
    qtbot.mouseClick(desk.checkin_button, Qt.MouseButton.LeftButton)
    assert desk.duty_message.text().startswith("Write your name first")
    desk.name_edit.setText("Sara")
    desk.set_connected(False)
    qtbot.mouseClick(desk.checkin_button, Qt.MouseButton.LeftButton)
    assert desk.duty_message.text().startswith("No connection: nothing was sent.")
    assert link_of(desk).checkins == []


@pytest.mark.parametrize("leave", [False, True])
def test_the_last_buddy_out_with_calls_waiting_is_asked(
    qtbot: QtBot, dutch: None, leave: bool
) -> None:
    desk = make_desk(qtbot)
    link = link_of(desk)
    desk.on_duty(DutyRoster(utc_now(), (OnDuty("Sara", utc_now()),)))
    desk.on_queue(SiteQueue(utc_now(), off_duty_calls="staff"), retained=True)
    open_call(desk, "pc-03", 120, "csam-login", 1, "fr")
    open_call(desk, "pc-04", 60, None, None, "nl")
    qtbot.mouseClick(desk.checkout_button, Qt.MouseButton.LeftButton)
    dialog = desk.checkout_dialog
    assert dialog is not None and dialog.isVisible()
    assert link.checkins == []  # nothing sent before the answer
    texts = dialog.findChildren(type(desk.duty_message))
    words = " ".join(label.text() for label in texts)
    assert "2 bezoekers wachten op hulp, en jij bent de laatste buddy van permanentie." in words
    assert "het personeel van de locatie ziet die" in dialog.explanation.text()
    button = dialog.leave_button if leave else dialog.stay_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    if leave:
        assert [(c.buddy, c.state) for c in link.checkins] == [("Sara", "out")]
    else:
        assert link.checkins == []
        assert desk.duty_message.text() == "Je blijft van permanentie. Bedankt!"


def test_a_site_without_calls_off_duty_says_no_new_calls(qtbot: QtBot) -> None:
    desk = make_desk(qtbot)
    desk.on_duty(DutyRoster(utc_now(), (OnDuty("Sara", utc_now()),)))
    desk.on_queue(SiteQueue(utc_now(), off_duty_calls="none"), retained=True)
    open_call(desk, "pc-03", 120, None, None, "fr")
    qtbot.mouseClick(desk.checkout_button, Qt.MouseButton.LeftButton)
    assert desk.checkout_dialog is not None
    assert "offer no new calls" in desk.checkout_dialog.explanation.text()


def test_closing_a_call_sends_the_outcome_and_topics(qtbot: QtBot, dutch: None) -> None:
    desk = make_desk(qtbot, topics=("email", "banking", "our-own-topic"))
    link = link_of(desk)
    desk.on_machine_label("pc-03", "PC 3 — bij het raam")
    request = open_call(desk, "pc-03", 120, "csam-login", 1, "fr")
    desk.on_help_change("pc-03", HelpChange(request, "claimed", utc_now(), buddy="Sara"))
    resolve = desk.action_button(desk.row_of("pc-03"))
    assert resolve is not None
    qtbot.mouseClick(resolve, Qt.MouseButton.LeftButton)
    dialog = desk.outcome_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "De oproep van PC 3 — bij het raam afsluiten"
    assert [b.text() for b in dialog.outcomes.values()] == [
        "Opgelost",
        "Deels opgelost",
        "Doorverwezen naar een partner",
        "De bezoeker was al weg",
    ]
    assert {k: b.text() for k, b in dialog.topics.items()} == {
        "email": "E-mail",
        "banking": "Online bankieren",
        "our-own-topic": "our-own-topic",  # a site's own key, as written
    }
    assert not dialog.close_button.isEnabled()  # an outcome first
    qtbot.mouseClick(dialog.outcomes[HelpOutcome.REFERRED], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.topics["banking"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.topics["our-own-topic"], Qt.MouseButton.LeftButton)
    assert link.replies == []
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert link.replies == [
        (
            "pc-03",
            request,
            "resolved",
            "Sara",
            {"outcome": HelpOutcome.REFERRED, "topics": ("banking", "our-own-topic")},
        )
    ]
    qtbot.waitUntil(lambda: desk.outcome_dialog is None)


def test_going_back_sends_nothing(qtbot: QtBot) -> None:
    desk = make_desk(qtbot)
    request = open_call(desk, "pc-03", 120, None, None, "fr")
    desk.on_help_change("pc-03", HelpChange(request, "claimed", utc_now(), buddy="Sara"))
    resolve = desk.action_button(0)
    assert resolve is not None
    qtbot.mouseClick(resolve, Qt.MouseButton.LeftButton)
    dialog = desk.outcome_dialog
    assert dialog is not None
    assert list(dialog.topics) == [
        "email",
        "eid-itsme",
        "government-site",
        "banking",
        "printing-scanning",
        "smartphone",
        "files-photos",
        "other",
    ]  # DEFAULT_TOPICS when the desk has no site list
    qtbot.mouseClick(dialog.outcomes[HelpOutcome.SOLVED], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.outcome_dialog is None)
    assert link_of(desk).replies == []


def test_a_wrong_clock_is_told_from_a_fresh_queue_only(qtbot: QtBot, dutch: None) -> None:
    desk = make_desk(qtbot)
    behind = SiteQueue(utc_now() + timedelta(minutes=5))  # the keeper is 5 min later than us
    desk.on_queue(behind, retained=True)  # a retained queue is old news: says nothing
    assert not desk.clock_banner.isVisibleTo(desk)
    desk.on_queue(behind, retained=False)
    assert desk.clock_banner.isVisibleTo(desk)
    assert desk.clock_banner.text().startswith("De klok van deze computer loopt 5 minuten achter.")
    assert "wachttijden" in desk.clock_banner.text()
    desk.on_queue(SiteQueue(utc_now() - timedelta(seconds=90)), retained=False)
    assert not desk.clock_banner.isVisibleTo(desk)  # within two minutes: fine
    desk.on_queue(SiteQueue(utc_now() - timedelta(minutes=3)), retained=False)
    assert desk.clock_banner.text().startswith("De klok van deze computer loopt 3 minuten voor.")
