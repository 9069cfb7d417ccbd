"""The skills check and the faces on real widgets, offscreen (issue 20): answering with one tap,
back and stop, the result (picture, tasks, the site's offers), read aloud, the PDF, the faces
after a task and on the goodbye (never before the wipe), and the layout at 100 % and 200 %."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtPdf import QPdfDocument
from pytestqt.qtbot import QtBot

from kiosk.i18n import Texts
from kiosk.model.skills import STATEMENTS
from kiosk.ui.app import KioskApp
from kiosk.ui.skills_screen import QtSkillsScreen, result_html, write_result_pdf
from kiosk.ui.start_screen import QtStartScreen
from kiosk.wire.protocol import Channel
from tests.conftest import free_port
from tests.qt.layout_checks import all_problems
from tests.qt.test_fits_the_screen import fit_problems
from tests.qt.test_kiosk_window import settle
from tests.skills_kiosk import ANSWERS, CLICK, LEVELS, open_check, skills_kiosk

TASK = "phishing-recognise"  # works offline


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path) -> Iterator[KioskApp]:
    # No broker: nothing waits on it.
    with skills_kiosk(qtbot, tmp_path, f"mqtt://127.0.0.1:{free_port()}") as app:
        yield app


def events(app: KioskApp, kind: str | None = None) -> list[dict[str, object]]:
    rows = app.outbox.next_rows(0, 1000)
    found = [json.loads(r.body) for r in rows if r.channel is Channel.EVENTS]
    return [e for e in found if kind is None or e["type"] == kind]


def answer_all(qtbot: QtBot, screen: QtSkillsScreen) -> None:
    for level in ANSWERS:
        qtbot.mouseClick(screen.answer_buttons[level], CLICK)


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_ten_taps_give_the_result_and_one_event_of_levels(
    qtbot: QtBot, kiosk: KioskApp, lang: str
) -> None:
    kiosk.core.set_language(lang)
    texts = Texts(lang)
    screen = open_check(qtbot, kiosk)
    assert screen.counter.text() == texts("skills_count", number=1, total=10)
    assert screen.intro.isVisibleTo(screen) and not screen.previous_button.isVisibleTo(screen)
    assert not screen.icon.pixmap().isNull()  # the pictogram
    said: list[str] = []
    kiosk.window.reader.say = lambda text, _lang: said.append(text)  # type: ignore[method-assign]
    kiosk.window.read_aloud()
    assert texts("skills_q_search") in said[-1] and texts("skills_answer_alone") in said[-1]
    answer_all(qtbot, screen)
    assert screen.pages.currentWidget() is screen.result_page
    assert screen.levels == LEVELS
    assert not screen.check.holds_answers()  # the levels stay on screen, the answers do not
    words = screen.area_picture.spoken_text()
    safety = texts(
        "skills_area_level",
        area=texts("skills_area_safety"),
        level=texts("skills_level_not_yet"),
    )
    assert safety in words
    assert screen.advice.text() == texts("skills_advice_not_yet")
    assert next(iter(screen.task_buttons)) == TASK  # safety first
    assert len(screen.offer_labels) == 1 and "Kuipersstraat 3" in screen.offer_labels[0].text()
    assert "050 47 24 00" in screen.offer_labels[0].text()
    assert not screen.print_button.isVisibleTo(screen)  # no printer configured
    kiosk.window.read_aloud()
    assert texts("skills_result_title") in said[-1] and safety in said[-1]
    sent = events(kiosk, "skills_checked")
    assert len(sent) == 1 and sent[0]["session"] is None
    assert {k: v for k, v in sent[0].items() if k not in ("id", "type", "ts", "session")} == LEVELS
    # A tile of the result opens the task; the result is forgotten.
    qtbot.mouseClick(screen.task_buttons[TASK], CLICK)
    assert kiosk.core.task is not None and kiosk.core.task.task == TASK
    assert not screen.holds_anything()


def test_back_and_stop_forget_the_answers_and_send_nothing(qtbot: QtBot, kiosk: KioskApp) -> None:
    screen = open_check(qtbot, kiosk)
    for level in ANSWERS[:3]:
        qtbot.mouseClick(screen.answer_buttons[level], CLICK)
    assert screen.counter.text() == "Vraag 4 van 10"
    qtbot.mouseClick(screen.previous_button, CLICK)
    assert screen.counter.text() == "Vraag 3 van 10"
    assert screen.statement.text() == Texts("nl")(f"skills_q_{STATEMENTS[2].key}")
    assert screen.home_button.text() == "Stoppen met de test"
    qtbot.mouseClick(screen.home_button, CLICK)
    assert kiosk.window.stack.currentWidget() is kiosk.window.home_screen
    assert not screen.holds_anything()
    assert events(kiosk, "skills_checked") == []
    # Again: from the first statement.
    screen = open_check(qtbot, kiosk)
    assert screen.counter.text() == "Vraag 1 van 10"


def test_the_visit_ending_wipes_a_check_half_done_and_a_result(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    screen = open_check(qtbot, kiosk)
    qtbot.mouseClick(screen.answer_buttons["alone"], CLICK)
    kiosk.core.end_session("idle")
    assert not screen.holds_anything()
    assert isinstance(kiosk.window.stack.currentWidget(), QtStartScreen)
    screen = open_check(qtbot, kiosk)
    answer_all(qtbot, screen)
    assert screen.holds_anything()
    kiosk.core.end_session("time_limit")
    assert not screen.holds_anything()
    assert not screen.area_picture.spoken_text().strip() and not screen.offer_labels
    assert len(events(kiosk, "skills_checked")) == 1


def test_the_result_as_a_pdf_has_the_levels_and_no_answer(tmp_path: Path) -> None:
    texts = Texts("fr")
    page = result_html(texts, LEVELS, ["Reconnaître un faux message"], [])
    path = tmp_path / "result.pdf"
    assert write_result_pdf(path, page)
    document = QPdfDocument()
    document.load(str(path))
    assert document.pageCount() == 1
    text = document.getAllText(0).text()
    assert "Rester en sécurité : pas encore" in " ".join(text.split())
    assert "Reconnaître un faux message" in text
    for statement in STATEMENTS:  # the statements are never on it: only the levels
        assert texts(f"skills_q_{statement.key}")[:30] not in text


def test_a_face_after_a_guided_task_is_counted_per_task(qtbot: QtBot, kiosk: KioskApp) -> None:
    kiosk.core.start_session()
    kiosk.visit.open(TASK)
    player = kiosk.visit.activity.player
    for _ in range(4):
        qtbot.mouseClick(player.next_button, CLICK)
    qtbot.mouseClick(player.next_button, CLICK)  # "Ik ben klaar met deze taak"
    home = kiosk.window.home_screen
    assert kiosk.window.stack.currentWidget() is home
    faces = home.feedback
    assert faces.isVisibleTo(home) and faces.question.text().endswith("Is het gelukt?")
    assert faces.task == TASK
    assert "Is het gelukt?" in home.spoken_text()
    qtbot.mouseClick(faces.face_buttons["neutral"], CLICK)
    assert faces.question.text() == "Dank u wel!"
    assert not faces.face_buttons["happy"].isVisibleTo(home)
    sent = events(kiosk, "feedback")
    assert [(e["face"], e["task"], e["session"]) for e in sent] == [("neutral", TASK, None)]
    # Skipped, or left for another tile: nothing is sent.
    kiosk.window.ask_task_feedback(TASK, "x")
    qtbot.mouseClick(faces.skip_button, CLICK)
    assert not faces.isVisibleTo(home)
    kiosk.window.ask_task_feedback(TASK, "x")
    kiosk.window._tile_chosen("browse")
    assert not faces.isVisibleTo(home)
    assert len(events(kiosk, "feedback")) == 1


def test_the_goodbye_asks_for_a_face_only_after_the_wipe(qtbot: QtBot, kiosk: KioskApp) -> None:
    window = kiosk.window
    qtbot.mouseClick(window.start_screen.start_button, CLICK)
    qtbot.mouseClick(window.action_bar.done_button, CLICK)
    faces = window.goodbye_feedback
    assert faces is not None and not faces.isVisibleTo(window.goodbye_screen)  # not while asked
    qtbot.mouseClick(window.goodbye_screen.confirm_button, CLICK)
    # The visit is over and wiped at once; then the faces, skippable.
    assert kiosk.core.session is None
    assert [e["type"] for e in events(kiosk)][-1] == "session_ended"
    assert faces.isVisibleTo(window.goodbye_screen)
    assert faces.question.text() == "Is het gelukt vandaag?"
    qtbot.mouseClick(faces.face_buttons["sad"], CLICK)
    assert [(e["face"], e["task"]) for e in events(kiosk, "feedback")] == [("sad", None)]
    # A second visit that skips: nothing more.
    window.goodbye_screen.dismissed.emit()  # a touch on the goodbye: the start screen
    qtbot.mouseClick(window.start_screen.start_button, CLICK)
    qtbot.mouseClick(window.action_bar.done_button, CLICK)
    qtbot.mouseClick(window.goodbye_screen.confirm_button, CLICK)
    qtbot.mouseClick(faces.skip_button, CLICK)
    assert len(events(kiosk, "feedback")) == 1


def look(kiosk: KioskApp, lang: str, screen: str) -> list[str]:
    problems = fit_problems(kiosk, screen)  # lays the window out at 1366x768 first
    for _ in range(3):
        settle()
    return problems + all_problems(kiosk.window, lang, screen)


@pytest.mark.parametrize("contrast", [False, True], ids=["normal", "contrast"])
@pytest.mark.parametrize("size", [100, 200])
@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_check_reads_whole_at_every_size(
    qtbot: QtBot, kiosk: KioskApp, lang: str, size: int, contrast: bool
) -> None:
    core = kiosk.core
    core.set_language(lang)
    core.start_session()
    core.set_text_size(size)
    core.set_high_contrast(contrast)
    problems = look(kiosk, lang, "home with the skills button")
    screen = open_check(qtbot, kiosk)
    problems += look(kiosk, lang, "the first statement")
    longest = max(range(10), key=lambda i: len(Texts(lang)(f"skills_q_{STATEMENTS[i].key}")))
    for level in ANSWERS[:longest]:
        qtbot.mouseClick(screen.answer_buttons[level], CLICK)
    problems += look(kiosk, lang, "the longest statement")
    for level in ANSWERS[longest:]:
        qtbot.mouseClick(screen.answer_buttons[level], CLICK)
    problems += look(kiosk, lang, "the result")
    qtbot.mouseClick(screen.home_button, CLICK)
    catalog = kiosk.visit.catalog
    task = catalog.get(TASK) if catalog is not None else None
    assert task is not None
    kiosk.window.ask_task_feedback(TASK, task.title(lang))
    problems += look(kiosk, lang, "home, is it done?")
    assert problems == [], "\n".join(problems)
