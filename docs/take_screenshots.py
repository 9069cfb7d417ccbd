"""Renders the screens for docs/ and the README (run by `make screenshots`, under Xvfb)."""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QWidget

from admin_console.desk.help_queue import HelpQueue
from admin_console.ui.buddy_desk import QtBuddyDesk
from kiosk.model.core import KioskCore
from kiosk.model.outbox import Outbox
from kiosk.ui.window import QtKioskWindow
from kiosk.wire.protocol import HelpChange, QueuePlace, SiteQueue, new_id, utc_now

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
        window.idle_warning.show_countdown(window._texts, 27)
        save(window, f"kiosk-idle-warning-{lang}")
        window.idle_warning.hide()
        core.set_text_size(200)
        core.set_high_contrast(True)
        save(window, f"kiosk-home-200-contrast-{lang}")
        core.lock()
        save(window, f"kiosk-locked-{lang}")
        window.close()


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
    from kiosk.settings import KioskSettings
    from kiosk.ui.app import KioskApp
    from kiosk.wire.broker import parse_broker_url

    for lang in ("nl", "fr"):
        settings = KioskSettings(
            parse_broker_url("mqtt://127.0.0.1:9"),
            "demo",
            "pc-01",
            folder / f"kiosk-{lang}",
            lang=lang,
            tasks_dir=folder / "no-site-tasks",
        )
        app = KioskApp(settings)
        app.window.resize(1366, 768)
        app.window.show()
        app.finish_start()  # as `kiosk` does once the start screen shows: the task catalog
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
    import subprocess
    from collections.abc import Sequence

    from kiosk.printing.cups_cli import CupsClient
    from kiosk.settings import KioskSettings
    from kiosk.ui.app import KioskApp
    from kiosk.wire.broker import parse_broker_url
    from kiosk.wire.config_schema import PrintingTable

    state = {"alerts": "none"}

    def cups(args: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        out = {
            "lpstat": f"printer balie is idle.  enabled since x\n\tAlerts: {state['alerts']}\n",
            "lpoptions": "ColorModel/Color Mode: *Gray RGB\n",
            "lp": "request id is balie-1 (1 file(s))\n",
        }.get(args[0], "")
        return subprocess.CompletedProcess(list(args), 0, out, "")

    for lang in ("nl", "fr"):
        state["alerts"] = "none"
        settings = KioskSettings(
            parse_broker_url("mqtt://127.0.0.1:9"),
            "demo",
            "pc-01",
            folder / f"print-{lang}",
            lang=lang,
            tasks_dir=folder / "no-site-tasks",
            printing=PrintingTable(printer="balie", pages_per_visit=12),
        )
        app = KioskApp(settings)
        app.window.resize(1366, 768)
        app.window.show()
        app.finish_start()
        app.core.start_session()
        assert app.visit.printing is not None
        app.visit.printing.client = CupsClient(runner=cups)
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
        state["alerts"] = "media-empty-error"
        browser.go_back()
        browser.print_page()
        save(app.window, f"kiosk-print-problem-{lang}", wait_ms=2000)
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


GROUPS = ("kiosk", "queue", "tasks", "print", "desk")


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
    if "desk" in wanted:
        buddy_desk()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
