"""Issue 17, point 6: the kiosk's way out is quiet: no traceback when Qt has already torn the
window down (Ctrl-C in the demo), and Qt's known harmless lines filtered, once explained."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from pytestqt.qtbot import QtBot

from kiosk.i18n import Texts
from kiosk.model.core import KioskCore
from kiosk.model.outbox import Outbox
from kiosk.model.staff_exit import StaffGate
from kiosk.ui.lockdown import QtLockdown
from kiosk.ui.window import QtKioskWindow
from tests.qt.test_kiosk_window import settle


def test_detach_after_the_window_is_gone(qtbot: QtBot, tmp_path: Path) -> None:
    core = KioskCore(Outbox(tmp_path / "o.db"))
    window = QtKioskWindow(core, tick_ms=60_000)
    window.show()
    qtbot.waitExposed(window)
    lockdown = QtLockdown(
        window,
        StaffGate(None, lambda: 0.0),
        lambda: None,
        enforce=False,
        texts=lambda: Texts("nl"),
    )
    lockdown.attach()
    shiboken6.delete(window)  # what Qt's teardown does before Python's shutdown runs
    settle()
    lockdown.detach()  # no "already deleted"
    lockdown.detach()


def test_the_speech_probe_child_keeps_the_harmless_lines_out_of_the_log() -> None:
    """Walking make demo: the probe's child printed "Couldn't load pipewire-0.3 library" and
    'Error loading text-to-speech plug-in "speechd"' into the kiosk's log, unexplained."""
    import subprocess

    from kiosk.model.quiet_logs import explain
    from kiosk.ui.speech import FOUND, NOT_FOUND, probe_command

    done = subprocess.run(probe_command(), capture_output=True, text=True, timeout=60)
    assert done.returncode in (FOUND, NOT_FOUND), done.stderr
    noise = [line for line in done.stderr.splitlines() if explain(line)]
    assert not noise, noise
