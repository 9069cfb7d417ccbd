"""The built-in tasks as a visitor meets them: complete, safe to browse, and in plain language.

Plain language, measured (kiosk/tasks/text.py): Dutch B1 asks for sentences of 12-15 words,
French FALC for one idea per sentence. Every task, in every language, must keep its average
sentence at 15 words or fewer and no sentence above 25 words; every step body has 1 to 4
sentences.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kiosk.tasks import BUILTIN_FOLDER, REQUIRED_LANGUAGES, Catalog, Task, Text, load_catalog, urls
from kiosk.tasks import text as plain
from kiosk.wire.protocol import KEY_RE

EXPECTED = {
    "gmail-account",
    "outlook-account",
    "irisbox-certificate",
    "mypension-check",
    "myminfin-tax-document",
    "csam-login",
    "plan-trip",
    "phishing-recognise",
}
CHECKED = date(2026, 11, 22)
CATALOG: Catalog = load_catalog([BUILTIN_FOLDER], REQUIRED_LANGUAGES)
TASKS = list(CATALOG.tasks())
TASK_LANGS = [
    pytest.param(task, lang, id=f"{task.id}-{lang}")
    for task in TASKS
    for lang in REQUIRED_LANGUAGES
]
BY_TASK = [pytest.param(task, id=task.id) for task in TASKS]


def texts_of(task: Task) -> list[tuple[str, Text]]:
    found: list[tuple[str, Text]] = [("title", task.title), ("summary", task.summary)]
    found += [(name, t) for name, t in (("needs", task.needs), ("recap", task.recap)) if t]
    for step in task.steps:
        found += [
            (f"steps[{step.index}].title", step.title),
            (f"steps[{step.index}].body", step.body),
        ]
        if step.tip is not None:
            found.append((f"steps[{step.index}].tip", step.tip))
    return found


def test_the_eight_builtin_tasks_load_without_problems() -> None:
    assert CATALOG.problems == ()
    assert {task.id for task in TASKS} == EXPECTED
    assert all(task.source_file.parent == BUILTIN_FOLDER for task in TASKS)
    assert all(task.source_file.stem == task.id for task in TASKS)


@pytest.mark.parametrize(("task", "lang"), TASK_LANGS)
def test_every_text_exists_in_every_required_language(task: Task, lang: str) -> None:
    assert task.needs is not None and task.recap is not None, "builtins say what to bring and recap"
    missing = [name for name, text in texts_of(task) if not text.has(lang)]
    assert missing == []
    assert all(text(lang).strip() for _, text in texts_of(task))


@pytest.mark.parametrize(("task", "lang"), TASK_LANGS)
def test_sentences_are_short(task: Task, lang: str) -> None:
    figures = plain.task_figures(task, lang)
    assert figures.sentences >= 10
    assert figures.average <= plain.MAX_AVERAGE_WORDS, f"average {figures.average:.1f} words"
    assert figures.longest <= plain.MAX_SENTENCE_WORDS, figures.longest_sentence


@pytest.mark.parametrize(("task", "lang"), TASK_LANGS)
def test_steps_are_short_and_titles_fit_a_button(task: Task, lang: str) -> None:
    for step in task.steps:
        count = len(plain.sentences(step.body(lang)))
        assert 1 <= count <= 4, f"step {step.index} has {count} sentences"
        assert len(step.title(lang)) <= 50, step.title(lang)
    assert len(task.title(lang)) <= 50


@pytest.mark.parametrize("task", BY_TASK)
def test_task_shape_date_and_sources(task: Task) -> None:
    assert 4 <= len(task.steps) <= 8
    assert task.checked == CHECKED
    assert task.sources and all(source.startswith("https://") for source in task.sources)
    assert any(step.url_patterns for step in task.steps), "at least one step advances by itself"
    assert any(step.tip is not None for step in task.steps), "tips where they help"
    assert task.icon.is_file() and task.icon.parent.name == "icons"


@pytest.mark.parametrize("task", BY_TASK)
def test_start_urls_and_pattern_hosts_are_inside_the_allowlist(task: Task) -> None:
    allowed = task.allowed_hosts()
    assert all(KEY_RE.match(site.key) for site in task.domains)
    for lang in REQUIRED_LANGUAGES:
        start = task.start(lang)
        if urls.is_offline(start):
            assert Path(urlsplit(task.start_url(lang)).path).is_file()
            assert task.allows_url(task.start_url(lang))
            assert task.step_for_url(task.start_url(lang)) == 0
        else:
            host = urls.https_host(start)
            assert host is not None and urls.host_allowed(host, allowed), start
            assert task.allows_url(start)
            assert task.step_for_url(start) == 0, "the start page shows the first step"
    for step in task.steps:
        for pattern in step.url_patterns:
            assert re.compile(pattern.pattern) == pattern  # compiles as written
            if pattern.pattern.startswith("^offline:"):
                continue
            host = urls.pattern_host(pattern.pattern)
            assert host is not None and urls.host_allowed(host, allowed), pattern.pattern


def test_the_gmail_task_warns_buddies_about_their_own_number() -> None:
    gmail = CATALOG.get("gmail-account")
    assert gmail is not None
    tips = [step.tip for step in gmail.steps if step.tip is not None]
    for lang, needle in (("nl", "buddy"), ("fr", "buddy"), ("en", "buddy")):
        assert any(needle in tip(lang) and "num" in tip(lang) for tip in tips), lang


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.links: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang") or ""
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(str(values[name]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


OFFLINE_TASKS = [task for task in TASKS if task.offline_folders()]
OFFLINE_PAGES = [
    pytest.param(task, page, id=f"{task.id}:{page.relative_to(task.offline_root)}")
    for task in OFFLINE_TASKS
    for folder in task.offline_folders()
    for page in sorted(folder.rglob("*.html"))
]
MARKER = {"nl": "VOORBEELD", "fr": "EXEMPLE", "en": "EXAMPLE"}


def test_the_offline_tasks_ship_their_pages() -> None:
    assert {task.id for task in OFFLINE_TASKS} == {"phishing-recognise", "plan-trip"}
    phishing = CATALOG.get("phishing-recognise")
    assert phishing is not None and phishing.domains == ()  # fully offline
    assert len([p for p in OFFLINE_PAGES if p.values[0] is phishing]) == 15


@pytest.mark.parametrize(("task", "path"), OFFLINE_PAGES)
def test_offline_pages_are_safe_and_stay_inside_the_task(task: Task, path: Path) -> None:
    page = parse(path)
    lang = path.parent.name
    assert page.lang == lang
    assert not page.tags & {"script", "form", "input", "textarea", "iframe"}, "nothing to type in"
    for link in page.links:
        target = link if urlsplit(link).scheme else (path.parent / link).resolve().as_uri()
        assert task.allows_url(target), link
        if not urlsplit(link).scheme:
            assert Path(urlsplit(target).path).is_file(), link
    if task.id == "phishing-recognise":
        assert MARKER[lang] in "".join(page.text), "every example page says it is an example"
        assert all(not urlsplit(link).scheme for link in page.links), "examples link nowhere"
    if task.id == "plan-trip":
        external = [link for link in page.links if link.startswith("https://")]
        assert len(external) == 3
        assert all(task.step_for_url(link) == 1 for link in external), "each opens the planner"


def test_icons_are_small_valid_svg() -> None:
    for icon in {task.icon for task in TASKS}:
        root = ET.parse(icon).getroot()
        assert root.tag.endswith("svg") and icon.stat().st_size < 2048, icon


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Klik op Volgende. Typ uw naam.", ["Klik op Volgende.", "Typ uw naam."]),
        ("Ga naar mypension.be. Dan bv. uw code.", ["Ga naar mypension.be.", "Dan bv. uw code."]),
        (
            "Stuur naar suspect@safeonweb.be en wis ze.",
            ["Stuur naar suspect@safeonweb.be en wis ze."],
        ),
        (
            "Vous doutez ? Demandez « Aide ». Bien !",
            ["Vous doutez ?", "Demandez « Aide ».", "Bien !"],
        ),
        ('Press "I\'m done." Then leave.', ['Press "I\'m done."', "Then leave."]),
        ("Eén zin\n\nen nog een", ["Eén zin", "en nog een"]),
        ("Bel 078 170 170. itsme werkt ook.", ["Bel 078 170 170.", "itsme werkt ook."]),
    ],
)
def test_the_sentence_splitter(text: str, expected: list[str]) -> None:
    assert plain.sentences(text) == expected


def test_sentence_figures_count_words_not_signs() -> None:
    figures = plain.figures(["Un deux trois. « Quatre » – cinq !", "Six."])
    assert (figures.sentences, figures.words, figures.longest) == (3, 6, 3)
    assert figures.average == 2.0
    assert plain.figures([]).average == 0.0
