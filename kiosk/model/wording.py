"""Small words that depend on a number, Qt-free (issue 17): never "after 1 minutes" for 50 s.

A time under :data:`SECONDS_UP_TO` is said in seconds, as it is; above it, in whole minutes.
"""

from __future__ import annotations

from kiosk.model.help_queue import TextSource
from kiosk.model.session import minutes

SECONDS_UP_TO = 90  # "after 50 seconds", "after 90 seconds"; then "after 2 minutes"


def idle_notice(texts: TextSource, idle_s: float) -> str:
    """What the start screen says about the idle timeout (WCAG 2.2.6: the visitor is told)."""
    seconds = max(1, round(idle_s))
    if seconds <= SECONDS_UP_TO:
        return texts.plural("idle_notice_seconds", seconds, seconds=seconds)
    left = minutes(idle_s)
    return texts.plural("idle_notice", left, minutes=left)
