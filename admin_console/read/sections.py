"""The tables of a funder report, declared once each: key, the counts they show, their words.

A report (:mod:`admin_console.read.reports`) shows its tables in this order; the CSV names each
by ``key`` (``section`` column) and the PDF titles it in the reader's language: its words are
the messages ``title_<key>`` and ``label_<key>`` of the ``reports`` domain
(``admin_console/read/locale/*/LC_MESSAGES/reports.po``, see
:mod:`admin_console.read.report_texts`), in every language; a unit test checks they are
there. A table of a kind of counts (``kind``: what ``admin_console/store/rollups.py``'s
``COUNTED`` stores, e.g. ``task_started``) needs nothing else in Python: its rows are the
kind's keys, its columns the sites. The others
(``kind=None``) are built by ``reports.py`` itself. Qt-free, like the rest of ``read/``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One table of the report."""

    key: str  # the CSV's section name, stable: tools read it
    kind: str | None = None  # the counts it shows by key and site; None: built by reports.py
    own_words: bool = False  # its row names are the report's own words (translated), not data
    renamed: tuple[tuple[str, str], ...] = ()  # a stored key shown as a word: ("-", "(free use)")
    labelled: bool = True  # its rows have a name, so the table a row label (label_<key>)
    # Its rows are keys whose words are the messages ``words + key`` ("topic_email"); a key
    # without a message (a site's own topic) is shown as it is written.
    words: str = ""

    @property
    def title_key(self) -> str:
        """Its title's message key in the ``reports`` domain."""
        return f"title_{self.key}"

    @property
    def label_key(self) -> str | None:
        """Its row label's message key in the ``reports`` domain; None when it has none."""
        return f"label_{self.key}" if self.labelled else None


SECTIONS: tuple[Section, ...] = (
    Section("sessions"),
    Section("languages", kind="lang"),
    Section("tasks_started", kind="task_started"),
    Section("tasks_completed", kind="task_completed"),
    # Printing (issue 19): pages (sheets × copies), per guided task; "-" outside a task.
    Section("printed_pages", kind="printed_pages", own_words=True, renamed=(("-", "(free use)"),)),
    Section(
        "help_topics",
        kind="help_requested",
        own_words=True,
        renamed=(("-", "(free use)"),),
    ),
    Section("help_outcomes", own_words=True),
    Section("help_wait", own_words=True, labelled=False),
    # The help loop (issue 16): built by reports.py from the shifts and the closed calls.
    Section("calls_per_staffed_hour", own_words=True, labelled=False),
    Section("help_results", words="result_"),
    Section("help_ticked_topics", words="topic_"),
)
BY_KEY: dict[str, Section] = {section.key: section for section in SECTIONS}
