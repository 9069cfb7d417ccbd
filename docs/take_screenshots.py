"""Renders the screens for docs/ and the README (run by `make screenshots`, under Xvfb)."""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ (the stand-in CUPS)

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QWidget

from admin_console.desk.help_queue import HelpQueue
from admin_console.ui.buddy_desk import QtBuddyDesk
from kiosk.model.core import KioskCore
from kiosk.model.outbox import Outbox
from kiosk.ui.window import QtKioskWindow
from kiosk.wire.protocol import HelpChange, QueuePlace, SiteQueue, new_id, utc_now
from tests.stand_in_cups import StandInCups

if TYPE_CHECKING:
    from kiosk.ui.app import KioskApp

OUT = Path(__file__).with_name("screenshots")


def settle(ms: int = 300) -> None:
    """Let Qt paint (and a web page load) before a grab, without static processEvents calls."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def save(widget: QWidget, name: str, wait_ms: int = 300) -> None:
    settle(wait_ms)
    widget.grab().save(str(OUT / f"{name}.png"))
    print(OUT / f"{name}.png")


def kiosk_screens(folder: Path) -> None:
    for lang in ("nl", "fr"):
        core = KioskCore(Outbox(folder / f"{lang}.db"))
        core.lang = lang
        window = QtKioskWindow(core)
        window.resize(1366, 768)
        window.show()
        save(window, f"kiosk-start-{lang}")
        core.start_session()
        save(window, f"kiosk-home-{lang}")
        window.set_broker_online(True)
        core.call_buddy()
        save(window, f"kiosk-help-waiting-{lang}")
        assert core.help is not None
        core.apply_help_reply(HelpChange(core.help.request, "claimed", utc_now(), buddy="Sara"))
        save(window, f"kiosk-help-coming-{lang}")
        core.apply_help_reply(HelpChange(core.help.request, "resolved", utc_now(), buddy="Sara"))
        idle_warning(window, f"kiosk-idle-warning-{lang}")
        core.set_text_size(200)
        core.set_high_contrast(True)
        save(window, f"kiosk-home-200-contrast-{lang}")
        core.set_text_size(100)
        core.set_high_contrast(False)
        window.end_by_staff(partial(core.end_session, "admin"))  # the console ended the visit
        save(window, f"kiosk-ended-by-staff-{lang}")
        window.goodbye_screen.hide()
        core.lock()  # ends the visit: the screen is in the kiosk's own language, here lang's
        core.set_language(lang)
        save(window, f"kiosk-locked-{lang}")
        window.close()


def idle_warning(window: QtKioskWindow, name: str) -> None:
    """The idle warning as it comes: shown by hand here, so the window's clock (which would
    hide it: the model is not in its warning phase) waits for the grab."""
    window._ticker.stop()
    window.idle_warning.show_countdown(window._texts, 27)
    save(window, name)
    window.idle_warning.hide()
    window._ticker.start()


def queue_screens(folder: Path) -> None:
    """The site's help queue (issue 16): waiting with a place and an estimate, and no buddy on
    duty (calls go to the staff, or none are taken), at 100 % and 200 % text."""
    local = datetime.now().astimezone()
    # The next permanence: 14:00 in three days (a day's name, not "tomorrow").
    next_duty = (local + timedelta(days=3)).replace(hour=14, minute=0, second=0, microsecond=0)
    for lang in ("nl", "fr"):
        for size in (100, 200):
            tail = f"{lang}" if size == 100 else f"200-{lang}"
            core = KioskCore(Outbox(folder / f"queue-{lang}-{size}.db"))
            core.lang = lang
            window = QtKioskWindow(core)
            window.resize(1366, 768)
            window.show()
            window.set_broker_online(True)
            none = SiteQueue(utc_now(), on_duty=0, next_duty=next_duty, off_duty_calls="none")
            staff = SiteQueue(utc_now(), on_duty=0, next_duty=next_duty)
            if size == 100:  # the start screen is always at 100 % (a visit's size ends with it)
                core.apply_queue(none)
                save(window, f"kiosk-no-buddy-none-start-{tail}")
                core.apply_queue(staff)
                save(window, f"kiosk-no-buddy-staff-start-{tail}")
            core.apply_queue(staff)
            core.start_session()
            core.set_text_size(size)
            save(window, f"kiosk-no-buddy-staff-home-{tail}")
            core.apply_queue(none)
            save(window, f"kiosk-no-buddy-none-home-{tail}")
            core.apply_queue(SiteQueue(utc_now(), on_duty=1))
            core.call_buddy()
            assert core.help is not None
            ahead = QueuePlace(new_id(), 60)
            mine = QueuePlace(core.help.request, 270)
            core.apply_queue(SiteQueue(utc_now(), (ahead, mine), claimed=1, on_duty=2))
            save(window, f"kiosk-queue-waiting-{tail}")
            window.close()


def task_screens(folder: Path) -> None:
    """A guided task beside the browser (the offline phishing lesson; at 200 % text the steps
    over the whole width), and free browsing."""
    for lang in ("nl", "fr"):
        app, _cups = kiosk_app(folder / f"kiosk-{lang}", lang)
        app.core.start_session()
        save(app.window, f"kiosk-home-tasks-{lang}")
        app.visit.open("phishing-recognise")
        app.core.go_to_step(1)
        save(app.window, f"kiosk-task-{lang}", wait_ms=2500)
        app.core.set_text_size(200)  # one thing at a time: the steps, the website a tap away
        save(app.window, f"kiosk-task-200-{lang}")
        app.core.set_text_size(100)
        app.visit.go_home()
        app.visit.open("browse")
        save(app.window, f"kiosk-browse-{lang}")
        browser = app.visit.activity.show_browser(with_player=False)
        browser.open_url("https://example.org/not-on-the-list")
        save(app.window, f"kiosk-blocked-{lang}", wait_ms=2000)
        app.shutdown()
        app.window.close()


def print_screens(folder: Path) -> None:
    """The print screen (issue 19) over the lesson page, at 12 pages left; a print past the
    limit; a printer out of paper. CUPS is played by a stand-in here (its answers as
    kiosk/printing/cups_cli.py reads them); the tests print through a real one."""
    for lang in ("nl", "fr"):
        app, cups = kiosk_app(folder / f"print-{lang}", lang, printing=True)
        app.core.start_session()
        app.visit.open("phishing-recognise")
        settle(2500)
        app.visit.activity.show_website(True)
        browser = app.visit.activity.browser
        assert browser is not None and browser.printing is not None
        printing = browser.printing
        browser.print_page()
        save(app.window, f"kiosk-print-{lang}", wait_ms=2000)
        while printing.screen.more_button.isEnabled():
            printing.screen.more_button.click()
        save(app.window, f"kiosk-print-refused-{lang}")
        cups.alerts = "media-empty-error"
        browser.go_back()
        browser.print_page()
        save(app.window, f"kiosk-print-problem-{lang}", wait_ms=2000)
        app.shutdown()
        app.window.close()


def kiosk_app(
    folder: Path, lang: str, *, printing: bool = False, tasks_dir: Path | None = None
) -> tuple[KioskApp, StandInCups]:
    """A kiosk at 1366x768 with its task catalog, as `kiosk` starts; with ``printing``, a
    printer of 12 pages a visit played by the stand-in CUPS."""
    from kiosk.printing.cups_cli import CupsClient
    from kiosk.settings import KioskSettings
    from kiosk.ui.app import KioskApp
    from kiosk.wire.broker import parse_broker_url
    from kiosk.wire.config_schema import PrintingTable

    settings = KioskSettings(
        parse_broker_url("mqtt://127.0.0.1:9"),
        "demo",
        "pc-01",
        folder,
        lang=lang,
        tasks_dir=tasks_dir or folder.parent / "no-site-tasks",
        printing=PrintingTable(printer="balie", pages_per_visit=12)
        if printing
        else PrintingTable(),
    )
    app = KioskApp(settings)
    app.window.resize(1366, 768)
    app.window.show()
    app.finish_start()  # as `kiosk` does once the start screen shows: the task catalog
    cups = StandInCups()
    if printing:
        assert app.visit.printing is not None
        app.visit.printing.client = CupsClient(runner=cups)
    return app, cups


def _sample_pdf(path: Path, title: str) -> None:
    """A one-page PDF with a heading, as a visitor would download one."""
    from PySide6.QtGui import QFont, QPainter, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setResolution(150)
    painter = QPainter(writer)
    painter.setFont(QFont("DejaVu Sans", 18))
    painter.drawText(120, 200, title)
    painter.setFont(QFont("DejaVu Sans", 11))
    painter.drawText(120, 320, "Voorbeeld / Exemple — 2026")
    painter.end()


def visit_screens(folder: Path) -> None:
    """Issue 17: every screen of a visit in nl and fr at 100 % and 200 % text that the other
    groups do not make: home, free browsing and a site, the task's website at 200 %, a call
    waiting and "Sara komt", the idle warning, the goodbye question and the goodbye, the
    downloads (the locked screen is the same at every size: the kiosk group makes it); and
    the print screen (issue 19) at 200 % and from free browsing. At 100 %
    a name is ``kiosk-STATE-LANG``, at 200 % ``kiosk-STATE-200-LANG``."""
    from kiosk.ui.downloads import SavedFile

    for lang in ("nl", "fr"):
        for size in (100, 200):
            tail = lang if size == 100 else f"200-{lang}"
            app, cups = kiosk_app(folder / f"visit-{lang}-{size}", lang, printing=True)
            window, core, visit = app.window, app.core, app.visit
            core.start_session()
            core.set_text_size(size)
            window.set_broker_online(True)
            if size == 200:
                save(window, f"kiosk-home-{tail}")
                core.call_buddy()
                save(window, f"kiosk-help-waiting-{tail}")
                assert core.help is not None
                core.apply_help_reply(
                    HelpChange(core.help.request, "claimed", utc_now(), buddy="Sara")
                )
                save(window, f"kiosk-help-coming-{tail}")
                core.apply_help_reply(
                    HelpChange(core.help.request, "resolved", utc_now(), buddy="Sara")
                )
                idle_warning(window, f"kiosk-idle-warning-{tail}")
            # Free browsing: the list of sites, then a site (without a network here, the
            # kiosk's own "cannot open" page).
            visit.open("browse")
            if size == 200:
                save(window, f"kiosk-browse-{tail}")
            activity = visit.activity
            activity.picker.site_chosen.emit(next(iter(activity.picker.buttons)))
            save(window, f"kiosk-site-{tail}", wait_ms=4000)
            # A guided task at 200 %: its website, a tap away from the steps.
            visit.go_home()
            visit.open("phishing-recognise")
            settle(2500)
            if size == 100:  # beside the steps, a page that cannot open: the name on its row
                browser = activity.browser
                assert browser is not None
                browser.open_url("https://example.org/not-on-the-list")
                save(window, f"kiosk-task-blocked-{tail}", wait_ms=2000)
                browser.go_back()
            if size == 200:
                activity.show_website(True)
                save(window, f"kiosk-task-website-{tail}")
                # Printing from the task's page: the whole width, the steps wait.
                browser = activity.browser
                assert browser is not None and browser.printing is not None
                screen = browser.printing.screen
                cups.alerts = "none"
                browser.print_page()
                save(window, f"kiosk-print-{tail}", wait_ms=2000)
                while screen.more_button.isEnabled():
                    screen.more_button.click()
                save(window, f"kiosk-print-refused-{tail}")
                cups.alerts = "media-empty-error"
                browser.go_back()
                browser.print_page()
                save(window, f"kiosk-print-problem-{tail}", wait_ms=2000)
                browser.go_back()
            # Printing in free browsing, and the downloads: a PDF the visitor downloaded
            # opens in the kiosk's own viewer; the list says it goes at the end of the visit.
            visit.go_home()
            browser = activity.show_browser(with_player=False)
            window.show_activity(activity)
            task = visit.catalog.get("phishing-recognise") if visit.catalog else None
            assert task is not None
            browser.open_url(task.start_url(lang))
            settle(2000)
            cups.alerts = "none"
            browser.print_page()
            save(window, f"kiosk-print-browse-{tail}", wait_ms=2000)
            browser.go_back()
            downloads = browser._visit.downloads if browser._visit is not None else None
            assert downloads is not None
            name = "pensioenoverzicht-2026.pdf" if lang == "nl" else "aperçu-pension-2026.pdf"
            pdf = downloads.folder / name
            _sample_pdf(pdf, name.removesuffix(".pdf"))
            saved = SavedFile(pdf, "pdf")
            downloads.files.append(saved)
            downloads.saved.emit(saved)
            save(window, f"kiosk-download-viewer-{tail}", wait_ms=1000)
            browser.show_downloads()
            save(window, f"kiosk-downloads-{tail}")
            # "I'm done": the question, then the goodbye.
            visit.go_home()
            window.action_bar.done_button.click()
            save(window, f"kiosk-goodbye-ask-{tail}")
            window.goodbye_screen.confirm_button.click()
            save(window, f"kiosk-goodbye-{tail}")
            window.goodbye_screen.hide()
            app.shutdown()
            window.close()


def skills_screens(folder: Path) -> None:
    """The skills check "Wat kan ik al?" (issue 20): a statement, and the result with the
    tasks that fit and a site's local offer; the faces after a guided task."""
    offers = folder / "skills-site-tasks"
    offers.mkdir(exist_ok=True)
    (offers / "offers.toml").write_text(
        "[[offer]]\n"
        'title.nl = "Workshop Itsme en online bankieren"\n'
        'title.fr = "Atelier Itsme et banque en ligne"\n'
        'title.en = "Itsme and online banking workshop"\n'
        'address = "Bibliotheek Brugge, Kuipersstraat 3"\n'
        'times.nl = "elke dinsdag van 14 tot 16 uur"\n'
        'times.fr = "chaque mardi de 14 à 16 h"\n'
        'times.en = "every Tuesday, 2 to 4 pm"\n'
        'areas = ["safety", "content"]\n',
        encoding="utf-8",
    )
    answers = ["alone", "alone", "with_help", "with_help", "alone", "not_yet"]
    answers += ["not_yet", "not_yet", "with_help", "not_yet"]
    for lang in ("nl", "fr"):
        app, _cups = kiosk_app(folder / f"kiosk-skills-{lang}", lang, tasks_dir=offers)
        app.core.start_session()
        app.window.show_skills()
        screen = app.window.skills_screen
        for level in answers[:6]:
            screen.answer(level)
        save(app.window, f"kiosk-skills-question-{lang}")
        for level in answers[6:]:
            screen.answer(level)
        save(app.window, f"kiosk-skills-result-{lang}")
        app.window.show_home()
        task = app.visit.catalog.get("phishing-recognise") if app.visit.catalog else None
        if task is not None:
            app.window.ask_task_feedback(task.id, task.title(lang))
            save(app.window, f"kiosk-task-feedback-{lang}", wait_ms=1500)
        app.shutdown()
        app.window.close()


def buddy_desk() -> None:
    now = utc_now()
    queue = HelpQueue()
    queue.apply(
        "pc-03",
        HelpChange(
            new_id(), "open", now - timedelta(minutes=4, seconds=12), "mypension-check", 2, "fr"
        ),
    )
    claimed = new_id()
    queue.apply("pc-01", HelpChange(claimed, "open", now - timedelta(minutes=6), None, None, "nl"))
    queue.apply(
        "pc-01", HelpChange(claimed, "claimed", now - timedelta(minutes=5), buddy="Yassine")
    )
    queue.apply(
        "pc-05",
        HelpChange(new_id(), "open", now - timedelta(seconds=40), "irisbox-certificate", 0, "nl"),
    )
    desk = QtBuddyDesk(queue, "schaerbeek", "Sara")
    desk.set_connected(True)
    desk.resize(1100, 480)
    desk.show()
    desk.refresh()
    save(desk, "buddy-desk")


GROUPS = ("kiosk", "queue", "tasks", "print", "visit", "desk", "skills")


def main(groups: list[str]) -> int:
    """Every group of screens, or only those named (``python docs/take_screenshots.py queue``)."""
    from kiosk.ui.app import make_application

    wanted = set(groups) or set(GROUPS)
    unknown = wanted - set(GROUPS)
    if unknown:
        print(f"unknown group(s) {', '.join(sorted(unknown))}; choose from {', '.join(GROUPS)}")
        return 2
    app = make_application()
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        if "kiosk" in wanted:
            kiosk_screens(Path(folder))
        if "queue" in wanted:
            queue_screens(Path(folder))
        if "tasks" in wanted:
            task_screens(Path(folder))
        if "print" in wanted:
            print_screens(Path(folder))
        if "visit" in wanted:
            visit_screens(Path(folder))
        if "skills" in wanted:
            skills_screens(Path(folder))
    if "desk" in wanted:
        buddy_desk()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
