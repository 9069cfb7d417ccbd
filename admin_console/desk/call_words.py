"""What a help call says to a buddy, without Qt: the task's and the step's titles in the buddy's
language (from the kiosk's task catalogue), "step 3 of 8", and the visitor's language by name.

The wire carries keys (``mypension-check``, step ``2``, ``fr``); a buddy in a room of ten PCs
needs words. Language names come from a small table in nl, fr and en (Babel, which knows every
language's name, is only a development tool here). A key the desk does not know (a site's own
task, a language outside the table) is shown as it came, never dropped: the call stays.
Never imports Qt; never says anything about the visitor beyond what the call carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from kiosk.tasks.catalog import default_folders, load_catalog
from kiosk.tasks.model import Catalog

# The visitor's language by its name in the buddy's language (nl, fr, en): the languages heard
# in Belgian public computer rooms. French names of languages take no capital.
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "nl": {"nl": "Nederlands", "fr": "néerlandais", "en": "Dutch"},
    "fr": {"nl": "Frans", "fr": "français", "en": "French"},
    "en": {"nl": "Engels", "fr": "anglais", "en": "English"},
    "de": {"nl": "Duits", "fr": "allemand", "en": "German"},
    "ar": {"nl": "Arabisch", "fr": "arabe", "en": "Arabic"},
    "tr": {"nl": "Turks", "fr": "turc", "en": "Turkish"},
    "es": {"nl": "Spaans", "fr": "espagnol", "en": "Spanish"},
    "it": {"nl": "Italiaans", "fr": "italien", "en": "Italian"},
    "pt": {"nl": "Portugees", "fr": "portugais", "en": "Portuguese"},
    "pl": {"nl": "Pools", "fr": "polonais", "en": "Polish"},
    "ro": {"nl": "Roemeens", "fr": "roumain", "en": "Romanian"},
    "bg": {"nl": "Bulgaars", "fr": "bulgare", "en": "Bulgarian"},
    "ru": {"nl": "Russisch", "fr": "russe", "en": "Russian"},
    "uk": {"nl": "Oekraïens", "fr": "ukrainien", "en": "Ukrainian"},
    "fa": {"nl": "Perzisch", "fr": "persan", "en": "Persian"},
    "ps": {"nl": "Pasjtoe", "fr": "pachto", "en": "Pashto"},
    "so": {"nl": "Somalisch", "fr": "somali", "en": "Somali"},
    "ti": {"nl": "Tigrinya", "fr": "tigrigna", "en": "Tigrinya"},
    "sq": {"nl": "Albanees", "fr": "albanais", "en": "Albanian"},
    "zh": {"nl": "Chinees", "fr": "chinois", "en": "Chinese"},
}
BUDDY_LANGUAGES = ("nl", "fr", "en")


def language_name(code: str | None, buddy_lang: str) -> str:
    """``fr`` as the buddy says it ("Frans", "français", "French"); an unknown code in capitals
    (``"XY"``), no language at all as ``""``."""
    if not code:
        return ""
    names = LANGUAGE_NAMES.get(code.lower())
    if names is None:
        return code.upper()
    return names.get(buddy_lang, names["en"])


@dataclass(frozen=True)
class StepFacts:
    """A call's step as a buddy reads it: ``number`` of ``total`` (1-based), and its title."""

    number: int
    total: int | None  # None: the task is not in this desk's catalogue
    title: str | None


@cache
def installed_catalog() -> Catalog:
    """The built-in tasks and this computer's site folder, loaded once (a desk is not a kiosk:
    a site's own task may be missing here, and is then shown by its id)."""
    return load_catalog(default_folders())


class CallWords:
    """Looks up task and step titles in the buddy's language; ``catalog`` is loaded on first
    use (tests give a small one)."""

    def __init__(self, catalog: Catalog | Callable[[], Catalog] = installed_catalog) -> None:
        self._catalog = catalog

    @property
    def catalog(self) -> Catalog:
        if not isinstance(self._catalog, Catalog):
            self._catalog = self._catalog()
        return self._catalog

    def task_title(self, task: str | None, lang: str) -> str | None:
        """The task's title, its id when this desk does not know it, None for free use."""
        if not task:
            return None
        found = self.catalog.get(task)
        return task if found is None else found.title(lang)

    def step(self, task: str | None, step: int | None, lang: str) -> StepFacts | None:
        """The wire's 0-based step as "3 of 8" and its title; None without a step."""
        if step is None:
            return None
        found = self.catalog.get(task) if task else None
        if found is None:
            return StepFacts(step + 1, None, None)
        total = len(found.steps)
        title = found.steps[step].title(lang) if 0 <= step < total else None
        return StepFacts(step + 1, total, title)
