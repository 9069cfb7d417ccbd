"""Ending a visit on purpose, without surprises (issue 17): ask once, then say goodbye.

"I'm done" does not wipe at once: the visitor is asked once, plainly ("Do you want to stop?
Everything you did will be erased."), with "No, I'll continue" as the safe and default answer.
Yes ends the visit (the caller wipes it) and a short goodbye ("Everything is erased. Goodbye!")
stays for :data:`GOODBYE_S` seconds before the start screen shows; a touch ends it sooner.

Qt-free: the screen asks ``stage`` on each tick.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

GOODBYE_S = 4.0  # long enough to read two short sentences, short enough not to block the next
# A visit ended by the staff (the console's "end visit" or "lock") comes as a surprise: the
# visitor is told who ended it and where to ask, and has longer to read it.
STAFF_GOODBYE_S = 10.0


class Stage(StrEnum):
    NONE = "none"
    ASKING = "asking"  # "Do you want to stop?"
    GOODBYE = "goodbye"  # "Everything is erased. Goodbye!"


class Goodbye:
    """The two steps between "I'm done" and the start screen."""

    def __init__(self, monotonic: Callable[[], float], goodbye_s: float = GOODBYE_S) -> None:
        self._monotonic = monotonic
        self._goodbye_s = goodbye_s
        self._stage = Stage.NONE
        self._until = 0.0

    @property
    def stage(self) -> Stage:
        if self._stage is Stage.GOODBYE and self._monotonic() >= self._until:
            self._stage = Stage.NONE
        return self._stage

    def ask(self) -> None:
        """The visitor pressed "I'm done"."""
        if self.stage is Stage.NONE:
            self._stage = Stage.ASKING

    def keep(self) -> None:
        """No: the visit goes on, untouched."""
        if self._stage is Stage.ASKING:
            self._stage = Stage.NONE

    def confirm(self) -> bool:
        """Yes: True when the caller must end the visit now (only once, only when asked)."""
        if self._stage is not Stage.ASKING:
            return False
        self._stage = Stage.GOODBYE
        self._until = self._monotonic() + self._goodbye_s
        return True

    def ended_by_staff(self) -> None:
        """The staff ended the visit from the console: no question, a goodbye that says so."""
        self._stage = Stage.GOODBYE
        self._until = self._monotonic() + STAFF_GOODBYE_S

    def dismiss(self) -> None:
        """A touch on the goodbye, or the visit ended another way (idle, staff): no question
        stays open over someone else's visit."""
        self._stage = Stage.NONE
