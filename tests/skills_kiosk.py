"""The skills check's kiosk, shared by its Qt tests (tests/qt/test_skills_screen.py) and its end
to end test (tests/e2e/test_skills_check.py), issue 20: a kiosk whose site offers one workshop,
the ten answers a visitor gives and the levels they make, and opening the check from home."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.settings import KioskSettings
from kiosk.ui.app import KioskApp
from kiosk.ui.skills_screen import QtSkillsScreen
from kiosk.wire.broker import parse_broker_url

SITE, MACHINE = "brugge", "pc-1"
CLICK = Qt.MouseButton.LeftButton
# The answers: one per statement, in order (two per area). Their levels: information alone,
# communication with help, content with help (2+0: one point on average), safety not yet,
# problems not yet (1+0).
ANSWERS = (
    "alone", "alone",
    "with_help", "with_help",
    "alone", "not_yet",
    "not_yet", "not_yet",
    "with_help", "not_yet",
)  # fmt: skip
LEVELS = {
    "information": "alone",
    "communication": "with_help",
    "content": "with_help",
    "safety": "not_yet",
    "problems": "not_yet",
}
# The site's one offer, for safety (the weakest area above), its words long enough to try the
# layout at 200 %.
OFFERS = """
[[offer]]
title.nl = "Digipunt in de bibliotheek: hulp bij uw smartphone en bij itsme"
title.fr = "Digipunt à la bibliothèque : aide pour votre smartphone et pour itsme"
title.en = "Digipunt at the library: help with your smartphone and with itsme"
address = "Bibliotheek Brugge, Kuipersstraat 3, 8000 Brugge"
times.nl = "elke dinsdag en donderdag van 14 tot 16 uur, zonder afspraak"
times.fr = "chaque mardi et jeudi de 14 à 16 h, sans rendez-vous"
times.en = "every Tuesday and Thursday, 2 to 4 pm, no appointment needed"
phone = "050 47 24 00"
areas = ["safety"]
"""


@contextmanager
def skills_kiosk(qtbot: QtBot, tmp_path: Path, broker_url: str) -> Iterator[KioskApp]:
    """The kiosk window (offscreen) of ``SITE``'s ``MACHINE`` with :data:`OFFERS`, started on
    ``broker_url`` (a free port with no broker where nothing waits on it); shut down after."""
    tasks = tmp_path / "site-tasks"
    tasks.mkdir()
    (tasks / "offers.toml").write_text(OFFERS, encoding="utf-8")
    settings = KioskSettings(
        parse_broker_url(broker_url), SITE, MACHINE, tmp_path / "kiosk", tasks_dir=tasks
    )
    app = KioskApp(settings)
    qtbot.addWidget(app.window)
    app.start(windowed=True)
    try:
        yield app
    finally:
        app.shutdown()


def open_check(qtbot: QtBot, kiosk: KioskApp) -> QtSkillsScreen:
    """Starts a visit if none is on, and taps "Wat kan ik al?" on the home screen."""
    window = kiosk.window
    if kiosk.core.session is None:
        qtbot.mouseClick(window.start_screen.start_button, CLICK)
    home = window.home_screen
    qtbot.waitUntil(lambda: home.skills_button.isVisibleTo(home), timeout=10_000)
    qtbot.mouseClick(home.skills_button, CLICK)
    screen = window.stack.currentWidget()
    assert isinstance(screen, QtSkillsScreen)
    return screen
