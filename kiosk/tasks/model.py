"""What a guided task is, as frozen values: the loader builds them, the task player reads them.

Nothing here touches files or Qt; :mod:`kiosk.tasks.catalog` validates a task file and builds
these objects, so a :class:`Task` in hand is always complete and consistent.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from re import Pattern

from kiosk.tasks import urls

FALLBACK_LANGUAGES = ("en", "nl")
_CATEGORY_FILE = Path(__file__).with_name("categories.toml")


@dataclass(frozen=True)
class Text:
    """One text in several languages; asking for a language it lacks falls back to en, then nl."""

    items: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, values: Mapping[str, str]) -> Text:
        return cls(tuple(sorted(values.items())))

    def __call__(self, lang: str) -> str:
        values = dict(self.items)
        for code in (lang, *FALLBACK_LANGUAGES):
            if code in values:
                return values[code]
        return self.items[0][1] if self.items else ""

    def has(self, lang: str) -> bool:
        return any(code == lang for code, _ in self.items)

    def languages(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.items)


class Category(StrEnum):
    """The fixed list of task groups; the start screen shows them in this order."""

    EMAIL = "email"
    GOVERNMENT = "government"
    IDENTITY = "identity"
    MONEY = "money"
    HEALTH = "health"
    TRANSPORT = "transport"
    SAFETY = "safety"
    OTHER = "other"

    def label(self, lang: str) -> str:
        """The name of the group for a visitor (from ``categories.toml``)."""
        return _category_labels()[self.value](lang)


@cache
def _category_labels() -> dict[str, Text]:
    with _CATEGORY_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    return {key: Text.of(values) for key, values in data.items()}


@dataclass(frozen=True)
class SiteDomains:
    """The hosts of one web site a task needs; ``key`` is what ``site_opened`` events carry."""

    key: str
    hosts: tuple[str, ...]


BESIDE = "{beside}"  # in a step's body: where the website is (Step.said)


@dataclass(frozen=True)
class Step:
    """One step of a task: what to do now, in plain words."""

    index: int
    title: Text
    body: Text
    tip: Text | None = None
    image: Path | None = None
    url_patterns: tuple[Pattern[str], ...] = ()

    def matches(self, url: str) -> bool:
        """True when the browser's address (offline pages in ``offline:`` form) fits a pattern."""
        return any(pattern.search(url) for pattern in self.url_patterns)

    def said(self, lang: str, beside: str) -> str:
        """The body as the screen shows it: ``{beside}`` says where the website is — beside
        the steps ("Naast deze uitleg") or a tap away at large text ("Met de knop „Toon de
        website”"), so that the text is true in both (docs/writing-a-task.md)."""
        return self.body(lang).replace(BESIDE, beside)


@dataclass(frozen=True)
class TaskProblem:
    """Why a task file was left out: which file, which field, what is wrong."""

    file: Path
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file.name}: {self.field}: {self.reason}"


@dataclass(frozen=True)
class Task:
    """A guided errand: where it starts, which sites it may open, and its steps."""

    id: str
    category: Category
    icon: Path
    title: Text
    summary: Text
    start: Text
    domains: tuple[SiteDomains, ...]
    steps: tuple[Step, ...]
    checked: date
    sources: tuple[str, ...]
    source_file: Path
    offline_root: Path
    needs: Text | None = None
    recap: Text | None = None
    order: int = 500

    def start_url(self, lang: str) -> str:
        """The address to open first; an ``offline:`` page becomes an absolute file:// URL."""
        return urls.resolve_offline(self.start(lang), self.offline_root)

    def allowed_hosts(self) -> frozenset[str]:
        """Every host of ``[domains]`` (``*.domain`` entries allow subdomains)."""
        return frozenset(host for site in self.domains for host in site.hosts)

    def site_key_for(self, url: str) -> str | None:
        """The site key of an https URL this task allows, for ``site_opened`` events."""
        host = urls.https_host(url)
        if host is None:
            return None
        for site in self.domains:
            if urls.host_allowed(host, frozenset(site.hosts)):
                return site.key
        return None

    def offline_folders(self) -> tuple[Path, ...]:
        """The packaged folders this task's offline start pages live in (and may link within)."""
        folders: set[Path] = set()
        for _, url in self.start.items:
            relative = urls.offline_path(url)
            if relative is not None:
                folders.add((self.offline_root / relative.split("/")[0]).resolve())
        return tuple(sorted(folders))

    def allows_url(self, url: str) -> bool:
        """May the browser go there while this task runs? (https hosts or its offline folders)"""
        if urls.is_offline(url):
            url = urls.resolve_offline(url, self.offline_root)
        path = urls.file_path(url)
        if path is not None:
            return any(path.is_relative_to(folder) for folder in self.offline_folders())
        return self.site_key_for(url) is not None

    def match_form(self, url: str) -> str:
        """The form step patterns see: file URLs inside the offline folder become ``offline:``."""
        return urls.to_offline(url, self.offline_root) or url

    def step_for_url(self, url: str) -> int | None:
        """The highest step whose pattern fits the browser's address, or None."""
        form = self.match_form(url)
        found = [step.index for step in self.steps if step.matches(form)]
        return max(found) if found else None

    def next_step_for_url(self, url: str, current: int) -> int | None:
        """Auto-advance: the step for this address only when it lies ahead of ``current``."""
        step = self.step_for_url(url)
        return step if step is not None and step > current else None

    def age_days(self, today: date) -> int:
        """Days since the steps were last checked against the real site."""
        return (today - self.checked).days


@dataclass(frozen=True)
class Catalog:
    """The tasks that loaded, in display order, and the problems of those that did not."""

    folders: tuple[Path, ...]
    languages: tuple[str, ...]
    entries: tuple[Task, ...] = ()
    problems: tuple[TaskProblem, ...] = ()
    replaced: tuple[str, ...] = field(default=())  # ids a later folder replaced

    def tasks(self, category: Category | None = None) -> tuple[Task, ...]:
        if category is None:
            return self.entries
        return tuple(task for task in self.entries if task.category == category)

    def get(self, task_id: str) -> Task | None:
        return next((task for task in self.entries if task.id == task_id), None)

    def categories(self) -> tuple[Category, ...]:
        """The categories that have at least one task, in the fixed order."""
        used = {task.category for task in self.entries}
        return tuple(category for category in Category if category in used)

    def reload(self) -> Catalog:
        """Read the same folders again (what the ``reload_content`` command does)."""
        from kiosk.tasks.catalog import load_catalog  # the loader builds catalogs

        return load_catalog(self.folders, self.languages)

    def __iter__(self) -> Iterator[Task]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, task_id: object) -> bool:
        return any(task.id == task_id for task in self.entries)
