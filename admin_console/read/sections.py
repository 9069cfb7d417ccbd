"""The tables of a funder report, declared once each: key, the counts they show, their words.

A report (:mod:`admin_console.read.reports`) shows its tables in this order; the CSV names each
by ``key`` (``section`` column) and the PDF titles it in the reader's language
(:mod:`admin_console.read.report_texts` takes the words from here). A table of a kind of counts
(``kind``: what ``admin_console/store/rollups.py``'s ``COUNTED`` stores, e.g. ``task_started``)
needs nothing else: its rows are the kind's keys, its columns the sites. The others
(``kind=None``) are built by ``reports.py`` itself. Qt-free, like the rest of ``read/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One table of the report."""

    key: str  # the CSV's section name, stable: tools read it
    words: Mapping[str, tuple[str, str]]  # per report language: (title, row label)
    kind: str | None = None  # the counts it shows by key and site; None: built by reports.py
    own_words: bool = False  # its row names are the report's own words (translated), not data
    renamed: tuple[tuple[str, str], ...] = ()  # a stored key shown as a word: ("-", "(free use)")


SECTIONS: tuple[Section, ...] = (
    Section(
        "sessions",
        {
            "en": ("Sessions by month", "month"),
            "nl": ("Sessies per maand", "maand"),
            "fr": ("Sessions par mois", "mois"),
        },
    ),
    Section(
        "languages",
        {
            "en": ("Sessions by language", "language"),
            "nl": ("Sessies per taal", "taal"),
            "fr": ("Sessions par langue", "langue"),
        },
        kind="lang",
    ),
    Section(
        "tasks_started",
        {
            "en": ("Guided tasks started", "task"),
            "nl": ("Begonnen begeleide taken", "taak"),
            "fr": ("Tâches guidées commencées", "tâche"),
        },
        kind="task_started",
    ),
    Section(
        "tasks_completed",
        {
            "en": ("Guided tasks completed", "task"),
            "nl": ("Afgewerkte begeleide taken", "taak"),
            "fr": ("Tâches guidées terminées", "tâche"),
        },
        kind="task_completed",
    ),
    Section(
        "help_topics",
        {
            "en": ("Help calls by topic", "topic"),
            "nl": ("Hulpoproepen per onderwerp", "onderwerp"),
            "fr": ("Appels à l'aide par sujet", "sujet"),
        },
        kind="help_requested",
        own_words=True,
        renamed=(("-", "(free use)"),),
    ),
    Section(
        "help_outcomes",
        {
            "en": ("Help calls by outcome", "outcome"),
            "nl": ("Hulpoproepen per afloop", "afloop"),
            "fr": ("Appels à l'aide par issue", "issue"),
        },
        own_words=True,
    ),
    Section(
        "help_wait",
        {
            "en": ("Median wait for a buddy (minutes)", ""),
            "nl": ("Mediane wachttijd op een buddy (minuten)", ""),
            "fr": ("Attente médiane d'un buddy (minutes)", ""),
        },
        own_words=True,
    ),
)
BY_KEY: dict[str, Section] = {section.key: section for section in SECTIONS}
