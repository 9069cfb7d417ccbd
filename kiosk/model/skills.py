"""The skills check "Wat kan ik al?" (issue 20), without Qt: statements, levels, advice.

Ten plain statements, two for each of the five areas of DigComp 2.2 (information and data
literacy; communication and collaboration; digital content creation; safety; problem solving).
The visitor answers each with one tap: "I can do it alone" (2 points), "with help" (1), "not
yet" (0). An area's level is ``alone`` when both its answers were "alone", ``with_help`` when
they average one point or more, else ``not_yet``.

The answers live in one :class:`SkillsCheck` object on the screen and nowhere else: the kiosk
sends only the five levels, once, at the end (``skills_checked``, with no session id), and
:meth:`SkillsCheck.clear` forgets the answers when the visit ends. The words are keyed messages
of the ``kiosk`` domain: ``skills_q_<statement>``, ``skills_area_<area>``,
``skills_level_<level>``, ``skills_advice_<level>``.

The site's local offers (workshops, the Digipunt, courses, home help) are a small TOML file,
``offers.toml``, in the site's own tasks folder (docs/skills-check.md): read and checked by
:func:`load_offers`, every problem said plainly with the offer's number and field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.wire.protocol import SKILL_AREAS

AREAS: tuple[str, ...] = SKILL_AREAS  # information, communication, content, safety, problems
LEVELS = ("alone", "with_help", "not_yet")  # the three taps, in the order shown
POINTS = {"alone": 2, "with_help": 1, "not_yet": 0}
OFFERS_FILE = "offers.toml"
OFFER_LANGUAGES = ("nl", "fr", "en")

# Which guided tasks fit an area: by the task's category (kiosk.tasks.model.Category).
AREA_CATEGORIES: dict[str, tuple[str, ...]] = {
    "information": ("transport", "health"),
    "communication": ("email",),
    "content": ("government", "money"),
    "safety": ("safety", "identity"),
    "problems": ("identity", "other"),
}


@dataclass(frozen=True)
class Statement:
    key: str  # its words: skills_q_<key>
    area: str
    pictogram: str  # an SVG of kiosk/ui/skills_icons, by name


STATEMENTS: tuple[Statement, ...] = (
    Statement("search", "information", "search"),
    Statement("trust", "information", "search"),
    Statement("email", "communication", "chat"),
    Statement("video_call", "communication", "chat"),
    Statement("form", "content", "pencil"),
    Statement("save_file", "content", "pencil"),
    Statement("password", "safety", "shield"),
    Statement("fake_message", "safety", "shield"),
    Statement("stuck", "problems", "wrench"),
    Statement("install_app", "problems", "wrench"),
)
AREA_PICTOGRAMS = {s.area: s.pictogram for s in STATEMENTS}


def area_level(points: Sequence[int]) -> str:
    """An area's level from the points of its answers (2, 1 or 0 each)."""
    if not points:
        return "not_yet"
    mean = sum(points) / len(points)
    if mean >= 2:
        return "alone"
    return "with_help" if mean >= 1 else "not_yet"


class SkillsCheck:
    """One visitor's way through the statements. The answers stay in this object only."""

    def __init__(self, statements: Sequence[Statement] = STATEMENTS) -> None:
        self.statements = tuple(statements)
        self._answers: list[str] = []

    @property
    def index(self) -> int:
        """The statement on screen (0-based); ``len(statements)`` when done."""
        return len(self._answers)

    @property
    def current(self) -> Statement | None:
        return self.statements[self.index] if not self.done else None

    @property
    def done(self) -> bool:
        return len(self._answers) >= len(self.statements)

    @property
    def answered(self) -> int:
        return len(self._answers)

    def answer(self, level: str) -> bool:
        """One tap; True when that was the last statement."""
        if level not in POINTS:
            raise ValueError(f"not a level: {level!r}")
        if not self.done:
            self._answers.append(level)
        return self.done

    def back(self) -> None:
        """The previous statement again (its answer is taken back)."""
        if self._answers:
            self._answers.pop()

    def levels(self) -> dict[str, str]:
        """The level of each area (the only thing that leaves the screen)."""
        points: dict[str, list[int]] = {area: [] for area in AREAS}
        for statement, level in zip(self.statements, self._answers, strict=False):
            points[statement.area].append(POINTS[level])
        return {area: area_level(points[area]) for area in AREAS}

    def clear(self) -> None:
        """Forget every answer (a new check, or the visit ended)."""
        self._answers.clear()

    def holds_answers(self) -> bool:
        return bool(self._answers)


def picture(levels: Mapping[str, str]) -> list[tuple[str, float]]:
    """The result's picture: each area with how full its bar is (0, 0.5 or 1)."""
    return [(area, POINTS.get(levels.get(area, "not_yet"), 0) / 2) for area in AREAS]


def areas_to_practise(levels: Mapping[str, str]) -> list[str]:
    """The areas worth practising, the weakest first (none when all are "alone")."""
    weak = [area for area in AREAS if levels.get(area) != "alone"]
    return sorted(weak, key=lambda area: POINTS.get(levels.get(area, "not_yet"), 0))


def fitting_tasks(
    levels: Mapping[str, str], tasks: Iterable[tuple[str, str]], most: int = 4
) -> list[str]:
    """The guided tasks that fit: ``tasks`` are (id, category) in the catalogue's order; those
    of the weakest areas first, at most ``most``."""
    by_category: dict[str, list[str]] = {}
    for task, category in tasks:
        by_category.setdefault(category, []).append(task)
    chosen: list[str] = []
    for area in areas_to_practise(levels):
        for category in AREA_CATEGORIES[area]:
            for task in by_category.get(category, ()):
                if task not in chosen:
                    chosen.append(task)
    return chosen[:most]


def advice_key(levels: Mapping[str, str]) -> str:
    """The result's one sentence of advice: ``skills_advice_<weakest level>``."""
    weak = areas_to_practise(levels)
    return f"skills_advice_{levels[weak[0]] if weak else 'alone'}"


# --- the site's local offers ------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """A place to learn more: a workshop, the Digipunt, a course, home help."""

    title: Mapping[str, str]
    address: str
    times: Mapping[str, str]
    areas: tuple[str, ...] = ()  # the areas it helps with; empty: every area
    phone: str = ""

    def in_lang(self, lang: str) -> tuple[str, str]:
        """Its title and times in ``lang`` (Dutch when a language is missing)."""
        return self.title.get(lang, self.title["nl"]), self.times.get(lang, self.times["nl"])

    def fits(self, areas: Iterable[str]) -> bool:
        return not self.areas or bool(set(self.areas) & set(areas))


@dataclass(frozen=True)
class Offers:
    offers: tuple[Offer, ...] = ()
    problems: tuple[str, ...] = field(default=())

    def for_areas(self, areas: Sequence[str], most: int = 3) -> list[Offer]:
        """The offers for the areas to practise first, then the general ones."""
        fitting = [offer for offer in self.offers if offer.areas and offer.fits(areas)]
        general = [offer for offer in self.offers if not offer.areas]
        return (fitting + general)[:most]


_OFFER_FIELDS = frozenset({"title", "address", "times", "areas", "phone"})


def _texts(value: object, where: str, problems: list[str]) -> dict[str, str] | None:
    if isinstance(value, str) and value.strip():
        return {lang: value.strip() for lang in OFFER_LANGUAGES}
    if not isinstance(value, dict):
        problems.append(f"{where}: give a text, or a table with nl, fr and en")
        return None
    missing = [lang for lang in OFFER_LANGUAGES if not str(value.get(lang, "")).strip()]
    if missing:
        problems.append(f"{where}: the text in {', '.join(missing)} is missing")
        return None
    return {str(lang): str(text).strip() for lang, text in value.items()}


def parse_offers(text: str, name: str = OFFERS_FILE) -> Offers:
    """The offers of an ``offers.toml`` text; a broken offer is left out and said why."""
    problems: list[str] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        return Offers((), (f"{name}: not valid TOML ({err})",))
    extra = sorted(set(data) - {"offer"})
    if extra:
        problems.append(f"{name}: unknown table or field {', '.join(extra)} (only [[offer]])")
    raw = data.get("offer", [])
    if not isinstance(raw, list):
        return Offers((), (*problems, f"{name}: write each offer as [[offer]]"))
    offers: list[Offer] = []
    for number, item in enumerate(raw, start=1):
        where = f"{name}, offer {number}"
        if not isinstance(item, dict):
            problems.append(f"{where}: write each offer as [[offer]] with its fields")
            continue
        before = len(problems)
        unknown = sorted(set(item) - _OFFER_FIELDS)
        if unknown:
            problems.append(f"{where}: unknown field {', '.join(unknown)}")
        title = _texts(item.get("title"), f"{where}, title", problems)
        times = _texts(item.get("times"), f"{where}, times", problems)
        address = item.get("address")
        if not isinstance(address, str) or not address.strip():
            problems.append(f'{where}, address: give the address, e.g. "Markt 1, Brugge"')
        areas = item.get("areas", [])
        if not isinstance(areas, list) or any(area not in AREAS for area in areas):
            problems.append(f"{where}, areas: a list of {', '.join(AREAS)}")
            areas = []
        phone = item.get("phone", "")
        if not isinstance(phone, str):
            problems.append(f"{where}, phone: a text")
        if len(problems) > before or title is None or times is None:
            continue
        offers.append(Offer(title, str(address).strip(), times, tuple(areas), str(phone).strip()))
    return Offers(tuple(offers), tuple(problems))


def load_offers(folder: Path | None) -> Offers:
    """The offers of ``folder/offers.toml``; none (and no problem) when there is no file."""
    if folder is None:
        return Offers()
    path = folder / OFFERS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Offers()
    except (OSError, UnicodeDecodeError) as err:
        return Offers((), (f"{path}: cannot be read ({err})",))
    return parse_offers(text, str(path))
