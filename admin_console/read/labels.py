"""Row names of a funder report in words: task titles, step titles, language names, months.

The counts are keyed by ids and codes (``mypension-check``, ``mypension-check#2``, ``fr``,
``2026-03``); a coordinator sends the PDF as it is, so every row is named in the report's
language: a task by its title in the kiosk's task catalogue, a step by its number and title, a
language by its name (the ``language_<code>`` messages of the ``reports`` domain), a month by
its name. A task this computer's catalogue does not hold (a site's own task) is named from its
id made readable ("belasting-hulp" → "Belasting hulp"); a language the report has no name for
is "another language". Qt-free.
"""

from __future__ import annotations

from functools import cache

from admin_console.read.report_texts import ReportTexts
from admin_console.read.sections import Section
from kiosk.tasks.catalog import default_folders, load_catalog
from kiosk.tasks.model import Catalog


@cache
def installed_catalog() -> Catalog:
    """The built-in tasks and this computer's site folder, loaded once."""
    return load_catalog(default_folders())


def readable_id(key: str) -> str:
    """``belasting-hulp_2`` → ``Belasting hulp 2``: a task the catalogue does not hold."""
    words = key.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else key


class RowWords:
    """Names the rows of a report's tables in one language."""

    def __init__(self, texts: ReportTexts, catalog: Catalog | None = None) -> None:
        self.t = texts
        self._catalog = catalog

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = installed_catalog()
        return self._catalog

    def task(self, key: str) -> str:
        found = self.catalog.get(key)
        return readable_id(key) if found is None else found.title(self.t.lang)

    def task_step(self, key: str, words: str) -> str:
        task, _, part = key.partition("#")
        title = self.task(task)
        if not part:
            return title
        if part.isdigit():
            number = int(part)
            found = self.catalog.get(task)
            step = None
            if found is not None and number < len(found.steps):
                step = found.steps[number].title(self.t.lang)
            shown = self.t("step", number=number + 1)
            return f"{title} — {shown}{self.t.colon} {step}" if step else f"{title} — {shown}"
        return f"{title} — {self.t.known(words + part, readable_id(part))}"

    def pair(self, key: str, words: str) -> str:
        first, _, second = key.partition("#")
        shown = [self.t.known(words + part, readable_id(part)) for part in (first, second) if part]
        return " — ".join(shown)

    def language(self, code: str) -> str:
        return self.t.known(f"language_{code}", self.t("another language"))

    def month(self, key: str) -> str:
        year, _, number = key.partition("-")
        if not (year.isdigit() and number.isdigit() and 1 <= int(number) <= 12):
            return key
        return f"{self.t(f'month_{int(number)}')} {year}"

    def row(self, section: Section | None, key: str) -> str:
        """A row key of ``section`` in words (totals and own words are the caller's)."""
        if section is None:
            return key
        if any(key == shown for _stored, shown in section.renamed):
            return self.t.word(key)  # "(free use)": the report's own word
        kind = section.rows
        if kind == "task":
            return self.task(key)
        if kind == "task_step":
            return self.task_step(key, section.words)
        if kind == "pair":
            return self.pair(key, section.words)
        if kind == "language":
            return self.language(key)
        if kind == "month":
            return self.month(key)
        if section.words:
            return self.t.known(section.words + key, key)
        return self.t.word(key) if section.own_words else key
