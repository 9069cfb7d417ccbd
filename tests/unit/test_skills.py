"""The skills check without Qt (issue 20): levels, the picture, the advice, the tasks that fit,
the site's offers file and its errors; the two events of the contract and what they count."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from admin_console.read.skills import suppressed
from admin_console.store.rollups import counts_for
from kiosk.i18n import Texts
from kiosk.model.skills import (
    AREAS,
    OFFERS_FILE,
    STATEMENTS,
    SkillsCheck,
    advice_key,
    area_level,
    areas_to_practise,
    fitting_tasks,
    load_offers,
    parse_offers,
    picture,
)
from kiosk.tasks import load_catalog
from kiosk.tasks.catalog import BUILTIN_FOLDER
from kiosk.wire.protocol import Reason, Rejected, make_event, validate_event

LEVELS = {
    "information": "alone",
    "communication": "with_help",
    "content": "with_help",
    "safety": "not_yet",
    "problems": "not_yet",
}


def test_ten_statements_two_per_area_each_with_words_in_every_language() -> None:
    assert len(STATEMENTS) == 10
    assert sorted(s.area for s in STATEMENTS) == sorted(AREAS * 2)
    for lang in ("nl", "fr", "en"):
        texts = Texts(lang)
        for statement in STATEMENTS:
            words = texts(f"skills_q_{statement.key}")
            assert words and not words.startswith("skills_"), (lang, statement.key)
        for level in ("alone", "with_help", "not_yet"):
            assert texts(f"skills_answer_{level}") != f"skills_answer_{level}"
    assert Texts("nl")("skills_answer_alone") == "Dat kan ik alleen"
    assert Texts("fr")("feedback_question") == "Ça a marché ?"  # a space before '?'


@pytest.mark.parametrize(
    ("points", "level"),
    [([2, 2], "alone"), ([2, 1], "with_help"), ([2, 0], "with_help"), ([1, 1], "with_help"),
     ([1, 0], "not_yet"), ([0, 0], "not_yet"), ([], "not_yet")],
)  # fmt: skip
def test_an_areas_level(points: list[int], level: str) -> None:
    assert area_level(points) == level


def test_a_check_keeps_its_answers_only_until_cleared() -> None:
    check = SkillsCheck()
    answers = ["alone", "alone", "with_help", "with_help", "alone", "not_yet"]
    answers += ["not_yet", "not_yet", "with_help", "not_yet"]
    for number, answer in enumerate(answers[:-1]):
        assert check.current == STATEMENTS[number]
        assert not check.answer(answer)
    check.back()  # the ninth again
    assert check.index == 8 and check.current == STATEMENTS[8]
    assert not check.answer("with_help")
    assert check.answer("not_yet")  # the last one
    assert check.done and check.current is None
    assert check.levels() == LEVELS
    check.answer("alone")  # after the end: nothing
    assert check.answered == 10
    with pytest.raises(ValueError, match="not a level"):
        SkillsCheck().answer("sometimes")
    check.clear()
    assert not check.holds_answers() and check.index == 0


def test_the_picture_the_advice_and_the_tasks_that_fit() -> None:
    assert picture(LEVELS) == [
        ("information", 1.0),
        ("communication", 0.5),
        ("content", 0.5),
        ("safety", 0.0),
        ("problems", 0.0),
    ]
    assert areas_to_practise(LEVELS) == ["safety", "problems", "communication", "content"]
    assert advice_key(LEVELS) == "skills_advice_not_yet"
    assert advice_key(dict.fromkeys(AREAS, "alone")) == "skills_advice_alone"
    assert advice_key({**dict.fromkeys(AREAS, "alone"), "safety": "with_help"}) == (
        "skills_advice_with_help"
    )
    catalog = load_catalog([BUILTIN_FOLDER])
    tasks = [(t.id, t.category.value) for t in catalog.tasks()]
    fit = fitting_tasks(LEVELS, tasks)
    assert fit[0] == "phishing-recognise"  # safety, the weakest area, first
    assert "csam-login" in fit  # identity: safety and problems
    assert len(fit) == 4 and len(set(fit)) == 4
    assert fitting_tasks(dict.fromkeys(AREAS, "alone"), tasks) == []


OFFERS = """
[[offer]]
title.nl = "Workshop Online bankieren"
title.fr = "Atelier Banque en ligne"
title.en = "Online banking workshop"
address = "Bibliotheek, Kuipersstraat 3, Brugge"
times.nl = "dinsdag 14-16 uur"
times.fr = "mardi 14-16 h"
times.en = "Tuesday 2-4 pm"
areas = ["content"]
phone = "050 47 24 00"

[[offer]]
title = "Digipunt"
address = "Markt 1"
times = "9-12"
"""


def test_the_offers_file(tmp_path: Path) -> None:
    offers = parse_offers(OFFERS)
    assert offers.problems == ()
    bank, digipunt = offers.offers
    assert bank.in_lang("fr") == ("Atelier Banque en ligne", "mardi 14-16 h")
    assert bank.phone == "050 47 24 00" and bank.areas == ("content",)
    assert digipunt.in_lang("en") == ("Digipunt", "9-12")
    assert offers.for_areas(["content"]) == [bank, digipunt]
    assert offers.for_areas(["safety"]) == [digipunt]  # the general one only
    assert load_offers(None).offers == () and load_offers(tmp_path).problems == ()
    (tmp_path / OFFERS_FILE).write_text(OFFERS, encoding="utf-8")
    assert len(load_offers(tmp_path).offers) == 2
    # The task catalogue does not take it for a broken task.
    (tmp_path / "offers.toml").write_text(OFFERS, encoding="utf-8")
    assert load_catalog([tmp_path]).problems == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[offer]]\ntitle = "A"\naddress = "B"\n', "offer 3, times: give a text"),
        (
            '[[offer]]\ntitle.nl = "A"\ntitle.en = "A"\naddress = "B"\ntimes = "t"\n',
            "offer 3, title: the text in fr is missing",
        ),
        ('[[offer]]\ntitle = "A"\ntimes = "t"\n', "offer 3, address: give the address"),
        (
            '[[offer]]\ntitle = "A"\naddress = "B"\ntimes = "t"\nareas = ["cooking"]\n',
            "offer 3, areas: a list of information",
        ),
        ('[[offer]]\ntitle = "A"\naddress = "B"\ntimes = "t"\nprice = 3\n', "unknown field"),
        ("[[offer]\n", "not valid TOML"),
        ('[offers]\ntitle = "A"\n', "unknown table or field offers"),
    ],
)
def test_a_broken_offer_is_left_out_and_said_why(text: str, problem: str) -> None:
    offers = parse_offers(OFFERS + text)
    assert any(problem in said for said in offers.problems), offers.problems
    assert all(said.startswith("offers.toml") for said in offers.problems)
    if "TOML" not in problem:
        assert len(offers.offers) == 2  # the good ones stay


def test_the_events_carry_levels_and_faces_only() -> None:
    event = make_event("skills_checked", None, **LEVELS)
    assert event.session is None and event.data == LEVELS
    wire = event.to_wire()
    assert validate_event(wire).data == LEVELS
    for bad in ({**wire, "safety": "sometimes"}, {**wire, "answers": ["alone"] * 10}):
        with pytest.raises(Rejected) as refused:
            validate_event(bad)
        assert refused.value.reason in (Reason.BAD_FIELD, Reason.UNKNOWN_FIELD)
    missing = {k: v for k, v in wire.items() if k != "problems"}
    with pytest.raises(Rejected):
        validate_event(missing)
    face = make_event("feedback", None, face="sad", task="plan-trip")
    assert face.data == {"face": "sad", "task": "plan-trip"}
    assert make_event("feedback", None, face="happy", task=None).data["task"] is None
    with pytest.raises(Rejected):
        make_event("feedback", None, face="angry", task=None)


def test_what_they_count() -> None:
    zone = ZoneInfo("Europe/Brussels")
    moment = datetime(2026, 11, 16, 9, 30)
    day = moment.date()
    at = {"ts": moment, "site": "brugge"}
    events = [
        {**at, "type": "skills_checked", "data": LEVELS},
        {**at, "type": "skills_checked", "data": LEVELS},
        {**at, "type": "feedback", "data": {"face": "happy", "task": None}},
        {**at, "type": "feedback", "data": {"face": "sad", "task": "t"}},
    ]
    counts = counts_for(events, zone)
    for area, level in LEVELS.items():
        assert counts[(day, "brugge", "skills_level", f"{area}#{level}")] == 2
    assert counts[(day, "brugge", "task_feedback", "-#happy")] == 1
    assert counts[(day, "brugge", "task_feedback", "t#sad")] == 1
    assert counts[(day, "brugge", "event", "skills_checked")] == 2
    assert sum(n for (_d, _s, kind, _k), n in counts.items() if kind == "skills_level") == 10


def test_small_counts_are_not_shown_nor_their_complement() -> None:
    assert suppressed({"alone": 12, "with_help": 0, "not_yet": 7}) == {
        "alone": 12,
        "with_help": 0,
        "not_yet": 7,
    }
    assert suppressed({"alone": 12, "with_help": 3, "not_yet": 7}) == {
        "alone": 12,
        "with_help": None,
        "not_yet": None,  # the next smallest: else 3 = total − 12 − 7
    }
    assert suppressed({"alone": 2, "with_help": 3, "not_yet": 9}) == {
        "alone": None,
        "with_help": None,
        "not_yet": 9,
    }
