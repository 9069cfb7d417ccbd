"""Nothing of a visit reaches the next one (real QtWebEngine offscreen, local HTTP server).

Each check is made twice: in the first visit it must *see* what the site left (so that the
check can fail), after the wipe it must see nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.browser import QtSafeBrowser
from kiosk.ui.session_wiper import wipe_session
from tests.fixtures.browser_pages.qt_helpers import (
    WAIT_MS,
    make_browser,
    open_page,
    page_of,
    report,
    run_js,
    type_into,
    wait_title,
)
from tests.fixtures.browser_pages.server import TestSite


@pytest.fixture
def kiosk_window(qtbot: QtBot, browser: QtSafeBrowser) -> QMainWindow:
    """Stands for the kiosk's main window: the one window a wipe must leave open."""
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


def _visit_one(qtbot: QtBot, browser: QtSafeBrowser, site: TestSite) -> None:
    """A first visitor: storage of every kind, a cached script, a typed name, a download."""
    open_page(qtbot, browser, site.url("/set.html"), "stored")
    seen = report(qtbot, browser, site)
    assert set(seen["cookie"].split("; ")) == {"srv_cookie=1", "js_cookie=1"}
    assert (seen["local"], seen["session"], seen["idb"]) == (
        "local-value",
        "session-value",
        "idb-value",
    )
    assert any("srv_cookie=1" in hit.cookie for hit in site.hits if hit.path == "/report.html")
    assert site.count("/cached.js") == 1  # report.html took it from the cache
    # A typed name: the form state lives in the history of the page.
    open_page(qtbot, browser, site.url("/form.html"), "form")
    type_into(qtbot, browser, "name", "Jan Janssens")
    run_js(qtbot, browser, "document.forms[0].submit()")
    wait_title(qtbot, browser, "report:")
    page_of(browser).triggerAction(QWebEnginePage.WebAction.Back)
    wait_title(qtbot, browser, "form")
    qtbot.waitUntil(
        lambda: run_js(qtbot, browser, "document.getElementById('name').value") == "Jan Janssens",
        timeout=WAIT_MS,
    )
    # A document saved for the visit.
    kinds: list[str] = []
    browser.downloaded.connect(kinds.append)
    open_page(qtbot, browser, site.url("/links.html"), "links")
    run_js(qtbot, browser, "document.getElementById('pdf').click()")
    qtbot.waitUntil(lambda: kinds == ["pdf"], timeout=WAIT_MS)
    browser.downloaded.disconnect(kinds.append)
    browser.show_web()
    assert page_of(browser).history().count() == 4  # set, report, form, links


def test_nothing_of_a_visit_survives_the_wipe(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite, kiosk_window: QMainWindow
) -> None:
    _visit_one(qtbot, browser, site)
    first_profile = page_of(browser).profile()
    storage_path = Path(first_profile.persistentStoragePath())
    first_folder = browser.downloads_folder
    assert first_folder is not None and (first_folder / "doc.pdf").is_file()
    profiles_before = len(browser.findChildren(QWebEngineProfile))

    report_after = wipe_session(keep=[kiosk_window, browser], browser=browser)

    assert report_after.browser_wiped and not browser.visit_active
    assert browser.findChildren(QWebEngineProfile) == []  # the profile itself is gone
    assert profiles_before == 1
    assert not first_folder.exists()
    assert not storage_path.exists()  # off the record: nothing was ever written there
    assert browser.downloads_panel.file_buttons == []
    assert not browser.downloads_button.isVisible()

    # The next visitor.
    hits_before = len(site.hits)
    seen = report(qtbot, browser, site)
    assert seen == {
        "cookie": "",
        "local": None,
        "session": None,
        "idb": None,
        "cached_script": 1,
        "history": 1,
    }
    new_hits = site.hits[hits_before:]
    assert all(hit.cookie == "" for hit in new_hits)  # the server sees no cookie either
    assert site.count("/cached.js") == 2  # fetched again: the cache went with the profile
    page = page_of(browser)
    assert page.history().count() <= 1 and not page.history().canGoBack()
    assert page.profile() is not first_profile and page.profile().isOffTheRecord()
    open_page(qtbot, browser, site.url("/form.html"), "form")
    assert run_js(qtbot, browser, "document.getElementById('name').value") == ""
    second_folder = browser.downloads_folder
    assert second_folder is not None and second_folder != first_folder
    assert list(second_folder.iterdir()) == []


def test_wipe_closes_windows_and_dialogs_and_clears_the_clipboard(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite, kiosk_window: QMainWindow
) -> None:
    open_page(qtbot, browser, site.url("/form.html"), "form")
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("IBAN BE68 5390 0754 7034")
    if clipboard.supportsSelection():
        clipboard.setText("selected secret", QClipboard.Mode.Selection)
    dialog = QDialog(kiosk_window)
    dialog.show()
    box = QMessageBox(QMessageBox.Icon.Information, "Printed", "Your document was printed.")
    box.open()
    stray = QWidget()
    qtbot.addWidget(stray)
    stray.show()
    qtbot.waitUntil(lambda: dialog.isVisible() and box.isVisible() and stray.isVisible())

    result = wipe_session(keep=[kiosk_window, browser], browser=browser)

    assert result.windows_closed >= 3
    assert not dialog.isVisible() and not box.isVisible() and not stray.isVisible()
    assert kiosk_window.isVisible() and browser.isVisible()
    visible = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    assert set(visible) <= {kiosk_window, browser}
    assert clipboard.text() == ""
    if clipboard.supportsSelection():
        assert clipboard.text(QClipboard.Mode.Selection) == ""
    assert not browser.visit_active


def test_wipe_while_a_page_asks_a_question(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite, kiosk_window: QMainWindow
) -> None:
    """A page's confirm() box is open (a nested event loop) when the visit ends."""
    open_page(qtbot, browser, site.url("/form.html"), "form")
    answers: list[object] = []
    asked: list[bool] = []

    def end_visit_once_asked() -> None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
        if any(box.isVisible() for box in boxes):
            asked.append(True)
            wipe_session(keep=[kiosk_window, browser], browser=browser)
        else:
            QTimer.singleShot(20, end_visit_once_asked)

    QTimer.singleShot(20, end_visit_once_asked)
    page_of(browser).runJavaScript("confirm('Delete your request?')", 0, answers.append)
    qtbot.waitUntil(lambda: asked == [True] and not browser.visit_active, timeout=WAIT_MS)
    kept = (kiosk_window, browser)
    assert not any(w.isVisible() for w in QApplication.topLevelWidgets() if w not in kept)
    # The browser is ready for the next visitor.
    open_page(qtbot, browser, site.url("/form.html"), "form")


def test_wipe_while_a_page_is_still_loading(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite, kiosk_window: QMainWindow
) -> None:
    assert browser.open_url(site.url("/slow"))
    qtbot.waitUntil(lambda: site.count("/slow") == 1, timeout=WAIT_MS)
    assert page_of(browser).isLoading()
    wipe_session(keep=[kiosk_window, browser], browser=browser)
    assert not browser.visit_active
    seen = report(qtbot, browser, site)
    assert seen["history"] == 1


def test_a_browser_never_opened_costs_nothing_to_wipe(
    qtbot: QtBot, tmp_path: Path, kiosk_window: QMainWindow
) -> None:
    unused = make_browser(qtbot, tmp_path / "unused")
    assert not unused.open_site("no-such-site")
    result = wipe_session(keep=[kiosk_window, unused], browser=unused)
    assert result.browser_wiped and unused.isVisible()
    assert unused.findChildren(QWebEngineProfile) == []
    assert unused.downloads_folder is None
