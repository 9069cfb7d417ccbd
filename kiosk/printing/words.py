"""What the print screen says, without Qt: pages left, a refusal, a printer problem, in plain
words of the visitor's language (the keyed ``kiosk`` domain, ``print_*``).

The screen (kiosk/ui/print_screen.py) only draws :func:`describe`'s answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.i18n import Texts
from kiosk.printing.allowance import Refusal
from kiosk.printing.cups_cli import PrinterProblem
from kiosk.printing.desk import Offer

MAX_COPIES = 20


@dataclass(frozen=True)
class Shown:
    """The print screen before Print is pressed."""

    pages: str  # "Dit document heeft 3 bladzijden."
    left: str  # "Nog 12 bladzijden"
    message: str  # why it cannot print now ('' when it can)
    can_print: bool
    more_copies: bool  # "+" is offered
    problem: bool  # the message is about the printer (not a limit)


def left_text(texts: Texts, left: int) -> str:
    return texts.plural("print_left", left) if left else texts("print_left_none")


def refusal_text(texts: Texts, refusal: Refusal) -> str:
    """Why a print that would pass a limit is refused, and what the visitor can do."""
    if refusal.left == 0:
        return texts(f"print_refused_{refusal.limit}_none")
    return texts.plural(f"print_refused_{refusal.limit}", refusal.left, wanted=refusal.wanted)


def problem_text(texts: Texts, problem: PrinterProblem) -> str:
    """The printer's problem in plain words, and who can help."""
    return f"{texts('print_problem_' + problem.value)} {texts('print_problem_buddy')}"


def sent_text(texts: Texts, pages: int) -> str:
    return texts.plural("print_sent", pages)


def describe(texts: Texts, offer: Offer, pages: int, copies: int) -> Shown:
    """The screen for a document of ``pages`` pages printed ``copies`` times."""
    wanted = pages * copies
    pages_line = texts.plural("print_pages", pages)
    left = left_text(texts, offer.left)
    # "+" goes one past what is left, no further: the screen then says why it cannot print.
    more = copies < MAX_COPIES and wanted <= offer.left
    if offer.state.problem is not None:
        return Shown(pages_line, left, problem_text(texts, offer.state.problem), False, more, True)
    if wanted > offer.left:
        refusal = Refusal(wanted, offer.left, offer.limit)
        return Shown(pages_line, left, refusal_text(texts, refusal), False, more, False)
    return Shown(pages_line, left, "", True, more, False)
