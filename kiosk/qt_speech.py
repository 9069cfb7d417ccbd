"""Read aloud through QtTextToSpeech, only where a real engine and a voice exist."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("kiosk.speech")


class QtReader:
    """Speaks texts in the visitor's language; ``available`` is False without an engine."""

    def __init__(self) -> None:
        self._speech: Any = None
        self._probed = False

    def probe(self) -> bool:
        """Look for an engine with a voice (once; after the start screen shows, it costs ~4 MB)."""
        if self._probed:
            return self._speech is not None
        self._probed = True
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError as err:  # libpulse missing: the control is hidden, not broken
            log.info("read aloud unavailable: %s", err)
            return False
        for engine in QTextToSpeech.availableEngines():
            if engine == "mock":
                continue
            speech = QTextToSpeech(engine)
            if speech.state() != QTextToSpeech.State.Error and speech.availableVoices():
                self._speech = speech
                log.info("read aloud with the %s engine", engine)
                return True
        log.info("read aloud unavailable: no text-to-speech engine with a voice")
        return False

    @property
    def available(self) -> bool:
        return self._speech is not None

    def say(self, text: str, lang: str) -> None:
        if self._speech is None:
            return
        from PySide6.QtCore import QLocale

        self._speech.setLocale(QLocale(lang))
        self._speech.say(text)

    def stop(self) -> None:
        if self._speech is not None:
            self._speech.stop()
