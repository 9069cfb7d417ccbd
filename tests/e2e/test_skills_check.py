"""End to end (issue 20): the skills check "Wat kan ik al?" and the faces, from the kiosk's
screen through a real Mosquitto and the aggregator process into the database; then the wipe,
proven for the answers (memory, outbox, files): only the one aggregate event is left.

Kiosk window (offscreen) → real Mosquitto → aggregator process → SQLite.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, select

from admin_console.store.orm import DailyCountRow, EventRow
from kiosk.model.skills import AREAS, STATEMENTS, SkillsCheck
from kiosk.ui.app import KioskApp
from kiosk.ui.start_screen import QtStartScreen
from tests.conftest import Mosquitto, Proc, run_stats
from tests.skills_kiosk import ANSWERS, CLICK, LEVELS, SITE, open_check, skills_kiosk


@pytest.fixture
def kiosk(qtbot: QtBot, mosquitto: Mosquitto, tmp_path: Path) -> Iterator[KioskApp]:
    with skills_kiosk(qtbot, tmp_path, mosquitto.url) as app:
        yield app


def answered_checks() -> list[SkillsCheck]:
    """Every skills check in this process's memory that still holds an answer."""
    return [o for o in gc.get_objects() if isinstance(o, SkillsCheck) and o.holds_answers()]


def test_the_skills_check_reaches_the_database_and_leaves_nothing_of_the_answers(
    qtbot: QtBot,
    mosquitto: Mosquitto,
    start_aggregator: Callable[..., Proc],
    tmp_path: Path,
    kiosk: KioskApp,
) -> None:
    db = f"sqlite:///{tmp_path / 'agg.db'}"
    start_aggregator(mosquitto.url, db)
    qtbot.waitUntil(lambda: kiosk.link.connected, timeout=10_000)
    window = kiosk.window

    screen = open_check(qtbot, kiosk)
    assert window.home_screen.skills_button.title_label.text() == "Wat kan ik al?"
    assert screen.counter.text() == "Vraag 1 van 10"
    for number, level in enumerate(ANSWERS):
        assert screen.statement.text() == screen._texts(f"skills_q_{STATEMENTS[number].key}")
        qtbot.mouseClick(screen.answer_buttons[level], CLICK)
    # The result: the picture in words, tasks that fit, the site's offer for safety.
    assert screen.pages.currentWidget() is screen.result_page
    words = screen.area_picture.spoken_text()
    assert "Veilig blijven: nog niet" in words and "Informatie zoeken: alleen" in words
    assert screen.task_buttons, "the catalogue's tasks for the weakest areas"
    assert "phishing-recognise" in screen.task_buttons  # safety, the weakest
    assert len(screen.offer_labels) == 1
    assert "Digipunt in de bibliotheek" in screen.offer_labels[0].text()
    assert "Kuipersstraat 3" in screen.offer_labels[0].text()

    # One event, the five levels, no session: in the database, and counted per area.
    qtbot.waitUntil(
        lambda: run_stats(db)["sites"].get(SITE, {}).get("events", {}).get("skills_checked") == 1,
        timeout=20_000,
    )
    engine = create_engine(db)
    with engine.connect() as connection:
        stored = connection.execute(
            select(EventRow.session, EventRow.data).where(EventRow.type == "skills_checked")
        ).all()
        counts = dict(
            connection.execute(
                select(DailyCountRow.key, DailyCountRow.count).where(
                    DailyCountRow.kind == "skills_level", DailyCountRow.site == SITE
                )
            ).all()
        )
    assert [(row.session, row.data) for row in stored] == [(None, LEVELS)]
    assert counts == {f"{area}#{level}": 1 for area, level in LEVELS.items()}

    # The visit ends ("I'm done"): the wipe comes first, then the faces on the goodbye.
    qtbot.mouseClick(window.action_bar.done_button, CLICK)
    qtbot.mouseClick(window.goodbye_screen.confirm_button, CLICK)
    assert kiosk.core.session is None
    assert isinstance(window.stack.currentWidget(), QtStartScreen)
    faces = window.goodbye_feedback
    assert faces is not None and faces.isVisibleTo(window.goodbye_screen)
    qtbot.mouseClick(faces.face_buttons["happy"], CLICK)
    assert faces.question.text() == "Dank u wel!"
    qtbot.waitUntil(
        lambda: run_stats(db)["sites"][SITE]["events"].get("feedback") == 1, timeout=20_000
    )
    qtbot.waitUntil(lambda: kiosk.outbox.count() == 0, timeout=20_000)
    with engine.connect() as connection:
        face = connection.execute(
            select(DailyCountRow.key).where(DailyCountRow.kind == "task_feedback")
        ).scalar_one()
        skills_events = connection.execute(
            select(EventRow.data).where(EventRow.type.in_(["skills_checked", "feedback"]))
        ).all()
    engine.dispose()
    assert face == "-#happy"

    # Nothing of the answers survives: not in memory …
    assert not screen.holds_anything()
    assert answered_checks() == []
    assert not screen.area_picture.spoken_text().strip()
    assert not screen.task_buttons and not screen.offer_labels
    # … not in what was sent (only the aggregate: five levels, and the face) …
    assert [set(data) for (data,) in skills_events] in (
        [set(AREAS), {"face", "task"}],
        [{"face", "task"}, set(AREAS)],
    )
    # … and not in any file of the kiosk (the outbox, its journal, the print folder).
    keys = [s.key.encode() for s in STATEMENTS if "_" in s.key] + [b"skills_q_", b"not_yet#"]
    for path in (tmp_path / "kiosk").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not [key for key in keys if key in content], path
