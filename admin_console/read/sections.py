"""The tables of a funder report, declared once each: key, the counts they show, their words.

A report (:mod:`admin_console.read.reports`) shows its tables in this order, under the headings
of their ``part`` (reach, guided tasks, help, printing, …); the CSV names each by ``key``
(``section`` column) and the PDF titles it in the reader's language: its words are the messages
``title_<key>`` and ``label_<key>`` of the ``reports`` domain
(``admin_console/read/locale/*/LC_MESSAGES/reports.po``, see
:mod:`admin_console.read.report_texts`), in every language, and a part's heading is
``part_<part>``; a unit test checks they are there. A table of a kind of counts (``kind``: what
``admin_console/store/rollups.py``'s ``COUNTED`` stores, e.g. ``task_started``) needs nothing
else in Python: its rows are the kind's keys, its columns the sites, suppressed like every
count. The others (``kind=None``) are built by ``reports.py`` itself. Qt-free, like the rest
of ``read/``.

How a row key becomes words in the PDF (``rows``, with ``words``), never shown as an id:

- ``"task"``: a guided task's id, shown as its title from the kiosk's task catalogue;
- ``"task_step"``: ``"<task>#<part>"``: the task's title, then ``step N: <step title>`` when the
  part is a number (0-based), else the message ``words + part`` ("Title — happy");
- ``"pair"``: ``"<a>#<b>"``: the messages ``words + a`` and ``words + b`` ("Communication —
  with help");
- ``"language"``: a language code, shown by its name (``language_<code>``);
- ``"month"``: ``YYYY-MM``, shown as "March 2026";
- ``""``: the message ``words + key`` when there is one, else (``own_words``) the report's own
  word, else the key as it is written (a site's own topic).

A later section is one declaration here plus its words in the ``.po`` files, e.g. the
skills check's levels per area (a count ``skills_level`` keyed ``"<area>#<level>"``)::

    Section("skills_levels", kind="skills_level", part="skills", rows="pair", words="skills_")

and the one-tap feedback per guided task (a count ``task_feedback`` keyed ``"<task>#<face>"``)::

    Section("feedback", kind="task_feedback", part="feedback", rows="task_step", words="face_")
"""

from __future__ import annotations

from dataclasses import dataclass

ROW_KINDS = ("", "task", "task_step", "pair", "language", "month")
PARTS = ("reach", "tasks", "help", "printing", "skills", "feedback")  # part_<part> headings


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
    rows: str = ""  # how a row key becomes words: one of ROW_KINDS (see the module's text)
    part: str = "reach"  # the heading it stands under: one of PARTS

    def __post_init__(self) -> None:
        if self.rows not in ROW_KINDS or self.part not in PARTS:
            raise ValueError(f"section {self.key}: rows {self.rows!r}, part {self.part!r}")

    @property
    def title_key(self) -> str:
        """Its title's message key in the ``reports`` domain."""
        return f"title_{self.key}"

    @property
    def label_key(self) -> str | None:
        """Its row label's message key in the ``reports`` domain; None when it has none."""
        return f"label_{self.key}" if self.labelled else None


SECTIONS: tuple[Section, ...] = (
    # Reach: visits by month, the hours they spent at a kiosk, their languages.
    Section("sessions", rows="month"),
    Section("visit_hours", own_words=True, labelled=False),
    Section("languages", kind="lang", rows="language"),
    # Guided tasks, and the step where people stop (issue 20).
    Section("tasks_started", kind="task_started", rows="task", part="tasks"),
    Section("tasks_completed", kind="task_completed", rows="task", part="tasks"),
    Section("tasks_stopped", kind="task_abandoned", rows="task_step", part="tasks"),
    Section(
        "help_topics",
        kind="help_requested",
        own_words=True,
        renamed=(("-", "(free use)"),),
        rows="task",
        part="help",
    ),
    Section("help_outcomes", own_words=True, part="help"),
    Section("help_wait", own_words=True, labelled=False, part="help"),
    # The help loop (issue 16): built by reports.py from the shifts and the closed calls.
    Section("calls_per_staffed_hour", own_words=True, labelled=False, part="help"),
    Section("help_results", words="result_", part="help"),
    Section("help_ticked_topics", words="topic_", part="help"),
    # Printing (issue 19): pages (sheets × copies), per guided task; "-" outside a task.
    Section(
        "printed_pages",
        kind="printed_pages",
        own_words=True,
        renamed=(("-", "(free use)"),),
        rows="task",
        part="printing",
    ),
    # The skills check and the faces (issue 20): levels per area; faces per task and visit.
    Section("skills_levels", kind="skills_level", part="skills", rows="pair", words="skills_"),
    Section(
        "feedback",
        kind="task_feedback",
        part="feedback",
        rows="task_step",
        words="face_",
        renamed=tuple((f"-#{face}", f"face_visit_{face}") for face in ("happy", "neutral", "sad")),
    ),
)
BY_KEY: dict[str, Section] = {section.key: section for section in SECTIONS}
