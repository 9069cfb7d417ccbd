"""Read aloud through QtTextToSpeech, only where a real engine and a voice exist.

Whether one exists is found out in a short-lived child process (``QtReader.probe``): loading
QtTextToSpeech (and QtMultimedia under it) into the kiosk costs ~3.5 MB for as long as it runs,
and most visits never ask for a text to be read. So the kiosk process loads it only when a
visitor first presses "read aloud". The control stays hidden until the child has found an
engine with a voice, and stays hidden where there is none: hidden, never broken.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:  # loaded by the probe, after the start screen shows (~2 ms to set up)
    from PySide6.QtCore import QProcess

log = logging.getLogger("kiosk.speech")

FOUND = 0  # the probe's exit code when an engine with a voice exists
NOT_FOUND = 3  # … when none does (any other code is a failed probe: read aloud stays hidden)
PROBE_TIMEOUT_MS = 15_000


def open_engine() -> Any:
    """A QTextToSpeech on the first real engine with a voice, or None (this loads the module)."""
    try:
        from PySide6.QtTextToSpeech import QTextToSpeech
    except ImportError as err:  # libpulse missing: the control is hidden, not broken
        log.info("read aloud unavailable: %s", err)
        return None
    for engine in QTextToSpeech.availableEngines():
        if engine == "mock":
            continue
        speech = QTextToSpeech(engine)
        if speech.state() != QTextToSpeech.State.Error and speech.availableVoices():
            log.info("read aloud with the %s engine", engine)
            return speech
    log.info("read aloud unavailable: no text-to-speech engine with a voice")
    return None


def probe_main() -> int:
    """The child process: ``FOUND`` when an engine with a voice exists, else ``NOT_FOUND``."""
    from PySide6.QtCore import QCoreApplication, qInstallMessageHandler

    from kiosk.model.quiet_logs import explain

    def quiet(_kind: object, _context: object, message: str) -> None:
        # The kiosk's log gets this child's stderr: the lines it knows to be harmless
        # (no PipeWire, no speech-dispatcher) stay out; the kiosk says what the probe found.
        if explain(message) is None:
            print(message, file=sys.stderr)

    qInstallMessageHandler(quiet)
    app = QCoreApplication(sys.argv[:1])
    found = open_engine() is not None
    del app
    return FOUND if found else NOT_FOUND


def probe_command() -> list[str]:
    """How to start the probe: the bundled kiosk itself, or this module with this Python."""
    if getattr(sys, "frozen", False):  # PyInstaller: sys.executable is the kiosk
        return [sys.executable, "--probe-speech"]
    return [sys.executable, "-m", "kiosk.ui.speech"]


class QtReader(QObject):
    """Speaks texts in the visitor's language; ``available`` is False until an engine is known.

    ``known`` carries whether read aloud can be offered: once the probe has answered, and
    again (False) if the engine cannot be opened in the kiosk after all.
    """

    known = Signal(bool)

    def __init__(self, command: list[str] | None = None) -> None:
        super().__init__()
        self._command = command
        self._available = False
        self._speech: Any = None
        self._process: QProcess | None = None
        self._pending = False
        self._timeout = QTimer(self)
        self._timeout.setSingleShot(True)
        self._timeout.timeout.connect(self._timed_out)

    def probe(self) -> None:
        """Ask a child process whether an engine with a voice exists (once; answers ``known``)."""
        if self._process is not None:
            return
        from PySide6.QtCore import QProcess

        command = self._command or probe_command()
        process = QProcess(self)
        self._process = process
        process.setProgram(command[0])
        process.setArguments(command[1:])
        # The child needs this very kiosk package (python -m puts the working folder first).
        process.setWorkingDirectory(str(Path(__file__).resolve().parents[2]))
        process.setStandardOutputFile(QProcess.nullDevice())
        process.setProcessChannelMode(QProcess.ProcessChannelMode.ForwardedErrorChannel)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._failed)
        self._pending = True
        self._timeout.start(PROBE_TIMEOUT_MS)
        process.start()

    @property
    def pending(self) -> bool:
        """The probe runs and has not answered yet."""
        return self._pending

    @property
    def available(self) -> bool:
        return self._available

    @property
    def loaded(self) -> bool:
        """The engine is open in this process (after the first use of read aloud)."""
        return self._speech is not None

    def _answer(self, available: bool) -> None:
        self._pending = False
        self._timeout.stop()
        self._available = available
        self.known.emit(available)

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        from PySide6.QtCore import QProcess

        if not self._pending:
            return  # answered already: timed out, or closed
        normal = status == QProcess.ExitStatus.NormalExit
        if not normal or code not in (FOUND, NOT_FOUND):
            log.warning("read aloud unavailable: the speech probe failed (exit %s)", code)
        elif code == NOT_FOUND:
            log.info("read aloud unavailable: no text-to-speech engine with a voice")
        self._answer(normal and code == FOUND)

    def _failed(self, error: QProcess.ProcessError) -> None:
        from PySide6.QtCore import QProcess

        if self._pending and error == QProcess.ProcessError.FailedToStart:
            log.warning("read aloud unavailable: the speech probe did not start")
            self._answer(False)

    def _timed_out(self) -> None:
        log.warning("read aloud unavailable: the speech probe did not answer")
        self._answer(False)
        self.close()

    def close(self) -> None:
        """Stop a probe still running (the kiosk is shutting down); it answers nothing more."""
        self._pending = False
        self._timeout.stop()
        process = self._process
        if process is not None and process.state() != process.ProcessState.NotRunning:
            process.kill()
            process.waitForFinished(1000)

    def say(self, text: str, lang: str) -> None:
        if not self._available:
            return
        if self._speech is None:
            self._speech = open_engine()  # the first use: ~0.1 s, and the ~3.5 MB from now on
            if self._speech is None:  # the probe found one, this process cannot open it
                self._available = False
                self.known.emit(False)
                return
        from PySide6.QtCore import QLocale

        self._speech.setLocale(QLocale(lang))
        self._speech.say(text)

    def stop(self) -> None:
        if self._speech is not None:
            self._speech.stop()


if __name__ == "__main__":
    sys.exit(probe_main())
