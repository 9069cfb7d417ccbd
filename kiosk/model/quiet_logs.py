"""Lines Qt and Chromium print that are known and harmless on a kiosk PC (issue 17, point 6).

A site admin reads the kiosk's log; "Couldn't load pipewire", "Error loading text-to-speech
plug-in speechd" or "Failed to create RHI for backend: OpenGL" look like faults and are not:
each is said once, with what it means, and then left out. Anything else Qt says goes on.
Qt-free: the kiosk's message handler (kiosk/ui/app.py) asks :func:`explain`.
"""

from __future__ import annotations

import re

# (what the line looks like, what it means for the kiosk)
HARMLESS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"pipewire|symbolsresolver"),
        "no PipeWire sound server: the kiosk plays its sounds another way",
    ),
    (
        re.compile(r'text-to-speech plug-in "?speechd'),
        "speech-dispatcher is not installed: read aloud uses another voice, or is not offered",
    ),
    (
        re.compile(
            r"QRhiGles2|Failed to create RHI|[Vv]ulkan|GBM is not supported|OpenGL"
            r"|GPU vendor|GPUInfo"
        ),
        "no graphics acceleration: the browser draws in software (slower, same pages)",
    ),
    (
        re.compile(r"propagateSizeHints"),
        "the display plug-in ignores a window size hint (the kiosk is full screen anyway)",
    ),
    (
        re.compile(r"Sandboxing disabled by user"),
        "the browser's sandbox is off (tests, or a kiosk run as root: see the warning above)",
    ),
)


def explain(message: str) -> str | None:
    """What a harmless line means, or None when it must be shown as it is."""
    for pattern, meaning in HARMLESS:
        if pattern.search(message):
            return meaning
    return None


class Seen:
    """Each kind of harmless line explained once per run."""

    def __init__(self) -> None:
        self._said: set[str] = set()
        self.filtered = 0

    def first_time(self, meaning: str) -> bool:
        self.filtered += 1
        if meaning in self._said:
            return False
        self._said.add(meaning)
        return True
