"""Regression: the kiosk must survive a visit with the browser open in a running event loop.

An application-wide Python event filter once made PySide 6.12 crash (SIGSEGV) a few seconds
after QtWebEngine opened a page; the lockdown now watches only the kiosk's own QWindow.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, free_port, suite_env

SCRIPT = """
import sys, tempfile
from pathlib import Path
from PySide6.QtCore import QTimer
from kiosk.ui.app import KioskApp, make_application
from kiosk.settings import KioskSettings
from kiosk.wire.broker import parse_broker_url

app = make_application()
kiosk = KioskApp(KioskSettings(parse_broker_url(sys.argv[1]), "t", "pc-1", Path(sys.argv[2])))
kiosk.start(windowed=True)

def visit():
    kiosk.model.core.start_session()
    kiosk.visit.open("phishing-recognise")

QTimer.singleShot(200, visit)
QTimer.singleShot(6000, app.quit)
app.exec()
kiosk.shutdown()
print("survived", flush=True)
"""


def test_a_visit_with_the_browser_open_does_not_crash(tmp_path: Path) -> None:
    env = suite_env()
    env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, f"mqtt://127.0.0.1:{free_port()}", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    assert "survived" in done.stdout
