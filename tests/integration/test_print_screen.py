"""Printing from the real kiosk (issue 19): its window, browser and print screen offscreen, a
local web server playing the sites, and a real CUPS with a virtual PDF printer
(tests/cups_server.py, history off as on a kiosk PC).

What comes out of the virtual printer is read back with pdftotext; the limits, a stopped
printer and the end of a visit are checked against the scheduler itself (``lpstat``).
"""

from __future__ import annotations

import json
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.i18n import Texts
from kiosk.printing.desk import FOLDER_PREFIX, PrintResult
from kiosk.settings import KioskSettings
from kiosk.ui.app import KioskApp
from kiosk.ui.browser import QtSafeBrowser
from kiosk.ui.print_flow import QtPrinting
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.config_schema import PrintingTable
from kiosk.wire.protocol import Channel
from tests.conftest import free_port
from tests.cups_server import CupsServer, real_cups
from tests.fixtures.browser_pages.qt_helpers import ALLOWLIST, WAIT_MS, open_page, run_js
from tests.fixtures.browser_pages.server import TestSite
from tests.harness import wait_for

NL = Texts("nl")
_LEFT = Qt.MouseButton.LeftButton
MakeKiosk = Callable[..., KioskApp]


@pytest.fixture(scope="module")
def cups() -> Iterator[CupsServer]:
    with real_cups() as server:
        yield server


def printing_kiosk(
    qtbot: QtBot, tmp_path: Path, cups: CupsServer, per_visit: int = 20, per_day: int = 200
) -> KioskApp:
    """A kiosk that prints to the private CUPS with these page limits, started in a window."""
    broker = parse_broker_url(f"mqtt://127.0.0.1:{free_port()}")  # no broker needed
    printing = PrintingTable(
        printer=cups.printer,
        server=str(cups.socket),
        pages_per_visit=per_visit,
        pages_per_day=per_day,
    )
    settings = KioskSettings(
        broker, "gent", "pc-1", tmp_path, tasks_dir=tmp_path / "none", printing=printing
    )
    app = KioskApp(settings)
    qtbot.addWidget(app.window)
    app.start(windowed=True)
    return app


@pytest.fixture
def make_kiosk(qtbot: QtBot, tmp_path: Path, cups: CupsServer) -> Iterator[MakeKiosk]:
    made: list[KioskApp] = []

    def make(per_visit: int = 20, per_day: int = 200) -> KioskApp:
        app = printing_kiosk(qtbot, tmp_path, cups, per_visit, per_day)
        made.append(app)
        app.core.set_language("nl")
        assert app.core.start_session()
        return app

    yield make
    for app in made:
        app.shutdown()
    cups.run("cupsenable", cups.printer)
    cups.run("cancel", "-a", "-x")


def browser_of(qtbot: QtBot, app: KioskApp) -> QtSafeBrowser:
    """The kiosk's own browser, on the test site's pages (as the site picker opens it)."""
    browser = app.visit.activity.show_browser(with_player=False)
    browser.allowlist = ALLOWLIST
    app.window.show_activity(app.visit.activity)
    qtbot.waitExposed(app.window)
    return browser


def printing_of(browser: QtSafeBrowser) -> QtPrinting:
    assert browser.printing is not None, "a printer is configured: the browser prints"
    return browser.printing


def press_print(qtbot: QtBot, printing: QtPrinting) -> PrintResult:
    with qtbot.waitSignal(printing.result, timeout=WAIT_MS) as done:
        qtbot.mouseClick(printing.screen.print_button, _LEFT)
    result = done.args[0]
    assert isinstance(result, PrintResult)
    return result


def open_print_screen_for_page(qtbot: QtBot, browser: QtSafeBrowser) -> QtPrinting:
    printing = printing_of(browser)
    assert browser.print_button.isVisible()
    with qtbot.waitSignal(printing.pdf_ready, timeout=WAIT_MS) as ready:
        qtbot.mouseClick(browser.print_button, _LEFT)
    assert ready.args[0] >= 1
    assert browser.stack.currentWidget() is printing.screen
    return printing


def open_print_screen_for_print_page(
    qtbot: QtBot, app: KioskApp, site: TestSite
) -> tuple[QtSafeBrowser, QtPrinting]:
    """The kiosk's browser on the test site's print page, and its print screen for that page."""
    browser = browser_of(qtbot, app)
    open_page(qtbot, browser, site.url("/print.html"), "print")
    return browser, open_print_screen_for_page(qtbot, browser)


def open_print_screen_for_download(qtbot: QtBot, browser: QtSafeBrowser, site: TestSite) -> int:
    """The test site's PDF downloaded and Print pressed in its viewer: the pages to print."""
    open_page(qtbot, browser, site.url("/links.html"), "links")
    run_js(qtbot, browser, "document.getElementById('pdf').click()")
    viewer = browser.downloads_panel.viewer
    qtbot.waitUntil(lambda: viewer.print_button.isVisible(), timeout=WAIT_MS)
    with qtbot.waitSignal(printing_of(browser).pdf_ready, timeout=WAIT_MS) as ready:
        qtbot.mouseClick(viewer.print_button, _LEFT)
    return int(ready.args[0])


def printed_events(app: KioskApp) -> list[dict[str, object]]:
    rows = app.outbox.next_rows(0, 10_000)
    events = [json.loads(row.body) for row in rows if row.channel == Channel.EVENTS]
    return [e for e in events if e["type"] == "printed"]


def text_of(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=False)
    return " ".join(unicodedata.normalize("NFKC", done.stdout).split())


def new_output(cups: CupsServer, before: set[Path], words: str) -> Path:
    wait_for(lambda: set(cups.outputs()) - before, 60, "the printed PDF")
    (printed,) = set(cups.outputs()) - before
    wait_for(lambda: words in text_of(printed), 20, f"{words!r} in the printed PDF")
    return printed


def test_a_local_page_is_printed_from_the_browser_bar(
    qtbot: QtBot, make_kiosk: MakeKiosk, cups: CupsServer, site: TestSite
) -> None:
    app = make_kiosk()
    browser, printing = open_print_screen_for_print_page(qtbot, app, site)
    screen = printing.screen
    assert screen.pages.text() == "Dit document heeft 1 bladzijde."
    assert screen.left.text() == "Nog 20 bladzijden"
    assert screen.print_button.isEnabled() and not screen.message.isVisible()
    assert not screen.colour_box.isVisible()  # cups-pdf prints grey only: no colour offered
    assert "Nog 20 bladzijden" in screen.spoken_text()
    before = set(cups.outputs())

    result = press_print(qtbot, printing)

    assert result.ok and result.pages == 1
    assert screen.message.text() == NL.plural("print_sent", 1)
    assert screen.left.text() == "Nog 19 bladzijden"
    assert not screen.print_button.isEnabled()  # a second copy takes a new press of Print
    printed = new_output(cups, before, "Pensioenoverzicht 2026")
    assert "mypension.be" in text_of(printed)
    (event,) = printed_events(app)
    assert (event["pages"], event["color"], event["task"]) == (1, False, None)
    assert set(event) == {"id", "type", "ts", "session", "pages", "color", "task"}
    # Back goes to the page, and the Print button is there again.
    qtbot.mouseClick(screen.back_button, _LEFT)
    assert browser.stack.currentWidget() is browser.web_holder


def test_a_downloaded_pdf_is_printed_from_the_viewer_with_copies(
    qtbot: QtBot, make_kiosk: MakeKiosk, cups: CupsServer, site: TestSite
) -> None:
    app = make_kiosk()
    browser = browser_of(qtbot, app)
    assert open_print_screen_for_download(qtbot, browser, site) == 1
    printing = printing_of(browser)
    screen = printing.screen
    qtbot.mouseClick(screen.more_button, _LEFT)
    assert screen.copies_value.text() == "2 keer"
    before = set(cups.outputs())

    result = press_print(qtbot, printing)

    assert result.ok and result.pages == 2
    printed = new_output(cups, before, "Kiosk test document")
    assert "Kiosk test document" in text_of(printed)
    # cups-pdf writes the document once; the scheduler's page log counts the sheets: 2, under
    # the neutral title.
    number = result.job.rsplit("-", 1)[1] if result.job else "?"
    page_log = cups.folder / "log" / "page_log"
    wait_for(lambda: f" {number} [" in page_log.read_text(), 20, "the job in the page log")
    (line,) = [x for x in page_log.read_text().splitlines() if f" {number} [" in x]
    assert " total 2 " in line and " kiosk " in line and "doc" not in line
    assert [e["pages"] for e in printed_events(app)] == [2]
    qtbot.mouseClick(screen.back_button, _LEFT)
    assert browser.stack.currentWidget() is browser.downloads_panel  # back where it came from


def test_a_limit_refuses_the_page_that_would_pass_it_and_says_why(
    qtbot: QtBot, make_kiosk: MakeKiosk, cups: CupsServer, site: TestSite
) -> None:
    app = make_kiosk(per_visit=3)
    browser, printing = open_print_screen_for_print_page(qtbot, app, site)
    screen = printing.screen
    qtbot.mouseClick(screen.more_button, _LEFT)
    qtbot.mouseClick(screen.more_button, _LEFT)
    assert screen.copies_value.text() == "3 keer" and screen.print_button.isEnabled()
    qtbot.mouseClick(screen.more_button, _LEFT)  # the fourth page would pass the limit
    assert screen.copies_value.text() == "4 keer"
    assert not screen.print_button.isEnabled() and not screen.more_button.isEnabled()
    refusal = (
        "Dat zijn 4 bladzijden. U kunt bij dit bezoek nog 3 bladzijden afdrukken. "
        "Kies minder keer, of vraag het aan een buddy."
    )
    assert screen.message.isVisible() and screen.message.text() == refusal
    assert refusal in screen.spoken_text()
    # The desk refuses it too (not only the screen), and CUPS never sees it.
    jobs_before = cups.run("lpstat", "-W", "all", "-o").stdout
    refused = printing.desk.print_file(printing.desk.files.new_path(".pdf"), 1, copies=4)
    assert not refused.ok and refused.refusal is not None and refused.refusal.left == 3
    assert cups.run("lpstat", "-W", "all", "-o").stdout == jobs_before
    qtbot.mouseClick(screen.fewer_button, _LEFT)
    assert screen.print_button.isEnabled() and not screen.message.isVisible()
    assert press_print(qtbot, printing).ok
    # All three used: the next print screen says so before anything is pressed.
    qtbot.mouseClick(screen.back_button, _LEFT)
    open_print_screen_for_page(qtbot, browser)
    assert screen.left.text() == NL("print_left_none")
    assert screen.message.text() == NL("print_refused_visit_none")
    assert not screen.print_button.isEnabled()
    assert [e["pages"] for e in printed_events(app)] == [3]


def test_a_stopped_printer_gives_a_plain_message_and_a_status_change(
    qtbot: QtBot, make_kiosk: MakeKiosk, cups: CupsServer, site: TestSite
) -> None:
    app = make_kiosk()
    status_changes: list[str] = []

    class Link:  # stands for the MQTT link: what the kiosk tells it
        def wake(self) -> None:
            pass

        def status_changed(self) -> None:
            status_changes.append(str(app._status()["printer"]))

        def flush(self, _s: float) -> None:
            pass

        def stop(self) -> None:
            pass

    real_link, app.link = app.link, Link()  # type: ignore[assignment]
    if real_link is not None:
        real_link.stop()
    assert app._status()["printer"] == "ok"
    browser = browser_of(qtbot, app)
    open_page(qtbot, browser, site.url("/print.html"), "print")
    assert cups.run("cupsdisable", "-r", "paper tray open", cups.printer).returncode == 0

    printing = open_print_screen_for_page(qtbot, browser)

    screen = printing.screen
    expected = "De printer staat stil. Druk op Roep een buddy: een vrijwilliger helpt u."
    assert screen.message.isVisible() and screen.message.text() == expected
    assert "paper tray" not in screen.message.text()  # CUPS's English stays in the log
    assert not screen.print_button.isEnabled()
    assert expected in screen.spoken_text()
    assert status_changes and status_changes[-1] == "stopped"
    assert app._status()["printer"] == "stopped"
    assert printed_events(app) == []
    # Back on: the next print screen prints, and the status says so.
    cups.run("cupsenable", cups.printer)
    qtbot.mouseClick(screen.back_button, _LEFT)
    open_print_screen_for_page(qtbot, browser)
    assert screen.print_button.isEnabled() and not screen.message.isVisible()
    assert status_changes[-1] == "ok"


def test_after_the_visit_no_job_no_title_and_no_file_is_left(
    qtbot: QtBot, make_kiosk: MakeKiosk, cups: CupsServer, site: TestSite
) -> None:
    app = make_kiosk()
    browser, printing = open_print_screen_for_print_page(qtbot, app, site)
    page_pdf = printing._path
    assert page_pdf is not None and page_pdf.is_file()
    # The printer stops after the screen said it could print: the jobs wait in the queue,
    # as behind an empty paper tray.
    cups.run("cupsdisable", cups.printer)
    assert press_print(qtbot, printing).ok
    qtbot.mouseClick(printing.screen.back_button, _LEFT)
    open_print_screen_for_download(qtbot, browser, site)
    assert printing.screen.message.text().startswith("De printer staat stil.")
    printing.print_now()  # as if pressed in the moment before: CUPS takes it, to wait
    jobs = printing.desk.visit.jobs
    assert len(jobs) == 2 and set(cups.run("lpstat", "-o").stdout.split()) >= set(jobs)
    assert (app.settings.data_dir / "print-jobs.json").is_file()

    app.core.end_session("user")

    assert app.visit.wipes_ms, "the visit was wiped"
    assert cups.run("lpstat", "-o").stdout.strip() == ""
    assert cups.run("lpstat", "-W", "all", "-o").stdout.strip() == ""  # no history either
    assert not page_pdf.exists()
    assert not list((app.settings.data_dir / "print-temp").glob(FOLDER_PREFIX + "*"))
    assert not (app.settings.data_dir / "print-jobs.json").exists()
    assert not [p for p in (cups.folder / "spool").iterdir() if p.is_file()]
    for path in cups.folder.rglob("*"):  # logs, cache, state: no page title, no file name
        if path.is_file():
            data = path.read_bytes()
            assert b"Pensioenoverzicht" not in data and b"doc.pdf" not in data, path
    assert printing.screen.document.pageCount() == 0  # the screen let go of it
    assert [e["pages"] for e in printed_events(app)] == [1, 1]
    assert all(e["session"] != app.core.session for e in printed_events(app))
