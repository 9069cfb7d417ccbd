"""The words of a funder report (the PDF and the console's preview) in English, Dutch and French.

Funders of Belgian computer corners read Dutch or French; the figures are the same in every
language. Site names, task ids, language codes and months (``2026-03``) are data and stay as
they are; the CSV keeps its English keys too, so that tools reading it do not depend on the
language. Qt-free: the ``report`` command makes PDFs without the GUI.

The words are the keyed gettext domain ``reports`` (:mod:`kiosk.wire.translations`):
``admin_console/read/locale/<lang>/LC_MESSAGES/reports.po`` (edited by translators) and the
``reports.mo`` compiled beside it (``make translations-gettext``). The English catalog holds the
English words and is the template of the others; a language is a folder. Its keys:

- the report's own words (``heading``, ``period``, …), and the row and column names it adds to
  the data, which are their own keys (``total``, ``all sites``, ``(free use)``, ``resolved``);
- each table's title and row label, ``title_<key>`` and ``label_<key>``, for every ``Section`` of
  :mod:`admin_console.read.sections` (a table without a row label has no ``label_`` entry);
- the words of a table's row keys, ``<Section.words><key>``: the outcomes of a call
  (``result_solved``, … ``result_not said``) and the topics of ``DEFAULT_TOPICS``
  (``topic_email``, …; another topic key is shown as it is written);
- the months, ``month_1`` … ``month_12``;
- ``legend``, with plural forms (``legend_plural``): it shows the threshold.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from admin_console.read.sections import BY_KEY
from kiosk.wire.translations import SOURCE_LANGUAGE, Domain

REPORTS = Domain("reports", Path(__file__).with_name("locale"), keyed=True)
PLURAL_SUFFIX = "_plural"  # msgid_plural of a text with plural forms: its key + this

# English first (the default), then the others in the domain's order (nl, fr, …).
REPORT_LANGUAGES: tuple[str, ...] = (
    SOURCE_LANGUAGE,
    *(lang for lang in REPORTS.languages() if lang != SOURCE_LANGUAGE),
)


def report_language(lang: str | None) -> str:
    """A language the reports are written in: ``lang`` if there is one, else English."""
    return lang if lang in REPORT_LANGUAGES else SOURCE_LANGUAGE


class ReportTexts:
    """The words of one language; a word it does not know (data: a site, a task id) is itself."""

    def __init__(self, lang: str | None) -> None:
        self.lang = report_language(lang)
        self._catalog = REPORTS.catalog(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        fields: dict[str, Any] = values  # no field is called "context": the catalog's keyword
        return self._catalog.text(key, **fields)

    def plural(self, key: str, n: int, **values: object) -> str:
        """The form of ``key`` for the count ``n`` (``msgid_plural``: ``key + "_plural"``);
        ``{n}`` and ``values`` are filled in."""
        fields: dict[str, Any] = values
        return self._catalog.plural(key, key + PLURAL_SUFFIX, n, **fields)

    def word(self, value: str) -> str:
        """A row or column name: translated when it is one of the report's own words."""
        # gettext's "" is the catalog's header, never a word
        return self._catalog.text(value) if value else value

    def known(self, key: str, fallback: str) -> str:
        """The words of ``key`` if the catalog has them, else ``fallback`` (a site's own
        topic key, shown as it is written)."""
        return self._catalog.text(key) if self._catalog.has(key) else fallback

    def title(self, section_key: str) -> str:
        """The title of a report table (``Section.key``)."""
        return self(BY_KEY[section_key].title_key)

    def label(self, section_key: str) -> str:
        """The row label of a report table; empty when it has none."""
        key = BY_KEY[section_key].label_key
        return "" if key is None else self(key)

    @property
    def colon(self) -> str:
        """``:`` after a label; French typography puts a (no-break) space before it."""
        return "\u00a0:" if self.lang == "fr" else ":"

    def day(self, day: date) -> str:
        """``5 March 2026``, ``5 maart 2026``, ``5 mars 2026``."""
        return f"{day.day} {self(f'month_{day.month}')} {day.year}"
