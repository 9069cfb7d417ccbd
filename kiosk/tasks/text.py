"""Plain-language figures for task texts: sentences, words, average and longest sentence.

Dutch B1 asks for sentences of 12 to 15 words and French FALC for one idea per sentence; these
numbers let the test suite and ``python -m kiosk.tasks check`` hold every task to that.
The splitter is deliberately simple: a sentence ends at . ! ? or … (perhaps followed by a
closing quote) before a space and a letter, a digit or an opening quote, and at a blank
line (the loader joins the lines of one paragraph).
Dots inside addresses (mypension.be, suspect@safeonweb.be) and known abbreviations do not end
a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.tasks.model import Task

# Abbreviations that end with a dot but not a sentence (nl, fr, en), lower case.
ABBREVIATIONS = frozenset(
    {"bv.", "bijv.", "o.a.", "enz.", "nr.", "ca.", "p.", "ex.", "cf.", "e.g.", "i.e.", "etc."}
    | {"mr.", "mrs.", "dr.", "no.", "m.", "mme.", "st."}
)
_END = r"(?:(?<=[.!?…])|(?<=[.!?…][\"'»”)]))"
_BOUNDARY_RE = re.compile(_END + r"\s+(?=[\"'«“(\[]?\s?\w)|\n+")
_WORD_RE = re.compile(r"\w", re.UNICODE)

MAX_AVERAGE_WORDS = 15
MAX_SENTENCE_WORDS = 25


def clean_text(raw: str) -> str:
    """Lines of one paragraph joined with spaces; paragraphs (blank lines) kept."""
    paragraphs = re.split(r"\n\s*\n", raw.strip())
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def sentences(text: str) -> list[str]:
    """The sentences of a text, in order, without empty pieces."""
    pieces = [piece.strip() for piece in _BOUNDARY_RE.split(text) if piece.strip()]
    merged: list[str] = []
    for piece in pieces:
        if merged and merged[-1].split()[-1].lower() in ABBREVIATIONS:
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def words(sentence: str) -> list[str]:
    """Tokens between spaces that hold a letter or digit (« » – and the like do not count)."""
    return [token for token in sentence.split() if _WORD_RE.search(token)]


@dataclass(frozen=True)
class TextFigures:
    """How long the sentences of some texts are."""

    sentences: int
    words: int
    longest: int
    longest_sentence: str

    @property
    def average(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0


def figures(texts: Iterable[str]) -> TextFigures:
    counted = [(len(words(sentence)), sentence) for text in texts for sentence in sentences(text)]
    if not counted:
        return TextFigures(0, 0, 0, "")
    longest, longest_sentence = max(counted, key=lambda item: item[0])
    return TextFigures(len(counted), sum(n for n, _ in counted), longest, longest_sentence)


def visitor_texts(task: Task, lang: str) -> list[str]:
    """Every running text a visitor reads in a task (titles are headings, not sentences)."""
    found = [task.summary(lang)]
    found += [text(lang) for text in (task.needs, task.recap) if text is not None]
    for step in task.steps:
        found.append(step.body(lang))
        if step.tip is not None:
            found.append(step.tip(lang))
    return found


def task_figures(task: Task, lang: str) -> TextFigures:
    return figures(visitor_texts(task, lang))
