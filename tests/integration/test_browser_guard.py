"""The embedded browser against pages that try to escape (real QtWebEngine, offscreen).

A local HTTP server plays two sites: 127.0.0.1 is allowlisted, localhost is "outside". Every
test checks on the server's side that nothing reached the outside, not only what is shown.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.browser import policy
from kiosk.browser.allowlist import Allowlist
from kiosk.ui.browser import QtSafeBrowser
from kiosk.ui.browser_page import POPUPS_PER_10_S
from tests.fixtures.browser_pages.qt_helpers import (
    FAILED_TITLE,
    WAIT_MS,
    click_page,
    open_page,
    page_of,
    run_js,
    shown_reason,
    wait_loaded,
    wait_title,
)
from tests.fixtures.browser_pages.server import TestSite


@pytest.fixture
def reasons(browser: QtSafeBrowser) -> list[str]:
    seen: list[str] = []
    browser.blocked.connect(seen.append)
    return seen


def visible_windows() -> list[str]:
    return [type(w).__name__ for w in QApplication.topLevelWidgets() if w.isVisible()]


def moved_or_refused(browser: QtSafeBrowser, before: str, reasons: list[str]) -> bool:
    return page_of(browser).url().toString() != before or policy.POPUP_STORM in reasons


def grew(items: list[str], count: int) -> bool:
    return len(items) > count


def test_site_opened_carries_only_the_key_once_per_site(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite
) -> None:
    opened: list[str] = []
    browser.site_opened.connect(opened.append)
    open_page(qtbot, browser, site.url("/links.html"), "links")
    run_js(qtbot, browser, "document.getElementById('inside').click()")
    wait_title(qtbot, browser, "report:")
    open_page(qtbot, browser, site.url("/form.html"), "form")
    assert opened == ["testsite"]  # three pages of one site: one event, only its key
    assert browser.current_key == "testsite"
    assert browser.site_label.text() == "testsite"


def test_link_to_another_site_shows_the_blocked_page(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite, reasons: list[str]
) -> None:
    open_page(qtbot, browser, site.url("/links.html"), "links")
    run_js(qtbot, browser, "document.getElementById('outside').click()")
    assert shown_reason(qtbot, browser) == policy.SITE_NOT_ALLOWED
    assert reasons == [policy.SITE_NOT_ALLOWED]
    assert site.outside_hits() == []
    assert browser.site_label.text() == "Page not available"
    # Back, as the page says, returns to where the visitor was.
    qtbot.waitUntil(browser.back_button.isEnabled, timeout=WAIT_MS)
    browser.back_button.click()
    wait_title(qtbot, browser, "links")


def test_server_redirect_to_another_site_is_blocked(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite, reasons: list[str]
) -> None:
    assert browser.open_url(site.url("/redirect-out"))
    assert shown_reason(qtbot, browser) == policy.REDIRECT_NOT_ALLOWED
    assert site.count("/redirect-out") >= 1 and site.outside_hits() == []
    # A redirect inside the site is fine.
    assert browser.open_url(site.url("/redirect-in"))
    wait_title(qtbot, browser, "report:")
    assert reasons == [policy.REDIRECT_NOT_ALLOWED]


def test_redirect_loop_ends_on_a_friendly_page_and_the_browser_goes_on(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite, reasons: list[str]
) -> None:
    assert browser.open_url(site.url("/loop"))
    assert shown_reason(qtbot, browser, FAILED_TITLE) == policy.REDIRECT_LOOP
    assert reasons == [policy.REDIRECT_LOOP]
    open_page(qtbot, browser, site.url("/form.html"), "form")


def test_popup_to_another_site_is_blocked_and_to_the_site_opens_in_place(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite, reasons: list[str]
) -> None:
    windows = visible_windows()
    outside = site.outside("/outside.html")
    open_page(qtbot, browser, site.url(f"/opener.html?to={outside}"), "opener")
    click_page(qtbot, browser)
    assert shown_reason(qtbot, browser) == policy.POPUP_NOT_ALLOWED
    assert site.outside_hits() == []
    inside = site.url("/report.html?from=popup")
    open_page(qtbot, browser, site.url(f"/opener.html?to={inside}"), "opener")
    click_page(qtbot, browser)
    wait_loaded(qtbot, browser, inside)
    assert visible_windows() == windows  # no second window, ever
    assert reasons == [policy.POPUP_NOT_ALLOWED]


def test_popup_storm_opens_nothing_and_the_browser_stays_usable(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite, reasons: list[str]
) -> None:
    windows = visible_windows()
    open_page(qtbot, browser, site.url("/storm.html"), "storm")
    # 50 window.open() calls without a click, then clicks that each try 50 more.
    qtbot.waitUntil(lambda: run_js(qtbot, browser, "n") >= 50, timeout=WAIT_MS)
    assert site.count("/report.html?auto") == 0
    opened = 0
    for _ in range(POPUPS_PER_10_S + 2):
        before = page_of(browser).url().toString()
        click_page(qtbot, browser)
        qtbot.waitUntil(partial(moved_or_refused, browser, before, reasons), timeout=WAIT_MS)
        if policy.POPUP_STORM in reasons:
            break
        opened += 1
        qtbot.waitUntil(lambda: not page_of(browser).isLoading(), timeout=WAIT_MS)
    assert opened == POPUPS_PER_10_S
    assert reasons.count(policy.POPUP_STORM) == 1
    assert browser.notice.isVisible()
    assert visible_windows() == windows
    open_page(qtbot, browser, site.url("/form.html"), "form")


def test_file_links_and_addresses_are_refused(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite, reasons: list[str]
) -> None:
    open_page(qtbot, browser, site.url("/links.html"), "links")
    run_js(qtbot, browser, "document.getElementById('file').click()")
    qtbot.waitUntil(lambda: policy.SCHEME_NOT_ALLOWED in reasons, timeout=WAIT_MS)
    assert page_of(browser).url().toString() == site.url("/links.html")
    assert browser.notice.isVisible()
    assert not browser.open_url("file:///etc/hostname")
    assert shown_reason(qtbot, browser) == policy.SCHEME_NOT_ALLOWED


def test_javascript_address_is_refused(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite, reasons: list[str]
) -> None:
    open_page(qtbot, browser, site.url("/form.html"), "form")
    assert not browser.open_url("javascript:document.title='pwned'")
    assert shown_reason(qtbot, browser) == policy.SCHEME_NOT_ALLOWED
    assert reasons == [policy.SCHEME_NOT_ALLOWED]
    assert page_of(browser).title() != "pwned"


def test_exe_download_is_refused_with_a_message(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite, reasons: list[str]
) -> None:
    open_page(qtbot, browser, site.url("/links.html"), "links")
    run_js(qtbot, browser, "document.getElementById('exe').click()")
    qtbot.waitUntil(lambda: policy.DOWNLOAD_REFUSED in reasons, timeout=WAIT_MS)
    assert browser.notice.isVisible()
    assert "cannot be downloaded" in browser.notice.text()
    assert site.count("/setup.exe") == 1
    folder = browser.downloads_folder
    assert folder is not None and list(folder.iterdir()) == []
    assert page_of(browser).url().toString() == site.url("/links.html")


def test_pdf_download_is_kept_for_the_visit_and_shown_in_the_kiosk(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite
) -> None:
    kinds: list[str] = []
    browser.downloaded.connect(kinds.append)
    open_page(qtbot, browser, site.url("/links.html"), "links")
    run_js(qtbot, browser, "document.getElementById('pdf').click()")
    qtbot.waitUntil(lambda: kinds == ["pdf"], timeout=WAIT_MS)
    folder = browser.downloads_folder
    assert folder is not None and [p.name for p in folder.iterdir()] == ["doc.pdf"]
    viewer = browser.downloads_panel.viewer
    assert browser.stack.currentWidget() is browser.downloads_panel
    assert viewer.content.currentWidget() is viewer.pdf_view
    assert viewer.document.status() == QPdfDocument.Status.Ready
    assert viewer.document.pageCount() == 1
    assert browser.downloads_button.text() == "Your downloads (1)"
    # Back in the list, the file is one big button; Back again returns to the site.
    viewer.back_button.click()
    assert [b.text() for b in browser.downloads_panel.file_buttons] == ["doc.pdf"]
    browser.back_button.click()
    assert browser.stack.currentWidget() is browser.web_holder


def test_frames_and_images_from_outside_are_never_fetched(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite, reasons: list[str]
) -> None:
    open_page(qtbot, browser, site.url("/embeds.html"), "embeds")
    qtbot.waitUntil(
        lambda: (
            site.count("/report.html?from=frame") == 1 and site.count("/pixel.png?from=inside") == 1
        ),
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(lambda: not page_of(browser).isLoading(), timeout=WAIT_MS)
    assert site.outside_hits() == []
    assert policy.FRAME_NOT_ALLOWED in reasons
    assert page_of(browser).title() == "embeds"  # the page itself is untouched


def test_dropped_files_are_refused(qtbot: QtBot, browser: QtSafeBrowser, site: TestSite) -> None:
    open_page(qtbot, browser, site.url("/form.html"), "form")
    view = browser.view
    assert view is not None and not view.acceptDrops() and not browser.acceptDrops()
    target = view.focusProxy()
    assert target is not None and not target.acceptDrops()
    data = QMimeData()
    data.setUrls([QUrl("file:///etc/hostname")])
    action, button = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    enter = QDragEnterEvent(QPoint(50, 50), action, data, button, Qt.KeyboardModifier.NoModifier)
    drop = QDropEvent(QPointF(50, 50), action, data, button, Qt.KeyboardModifier.NoModifier)
    page = page_of(browser)
    # Nothing to wait for when it works: the 300 ms are the window in which a drop that got
    # through would start loading the file (a navigation, hence loadStarted or urlChanged).
    with (
        qtbot.assertNotEmitted(page.loadStarted, wait=300),
        qtbot.assertNotEmitted(page.urlChanged, wait=300),
    ):
        QApplication.sendEvent(target, enter)
        QApplication.sendEvent(target, drop)
    assert not enter.isAccepted() and not drop.isAccepted()
    assert page_of(browser).url().toString() == site.url("/form.html")


def test_no_developer_tools_and_no_window_opening_settings(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite
) -> None:
    open_page(qtbot, browser, site.url("/form.html"), "form")
    page, view = page_of(browser), browser.view
    assert view is not None
    for action in (QWebEnginePage.WebAction.InspectElement, QWebEnginePage.WebAction.ViewSource):
        assert not page.action(action).isEnabled()
    menu = view.safe_menu()
    offered = {action.text() for action in menu.actions()}
    hidden = {page.action(QWebEnginePage.WebAction.InspectElement).text(), "View page source"}
    assert not offered & hidden
    menu.close()
    settings = page.settings()
    attribute = QWebEngineSettings.WebAttribute
    assert not settings.testAttribute(attribute.JavascriptCanOpenWindows)
    # On for a task's offline pages (they lead to the task's hosts); the guard holds the
    # allowlist (test_an_offline_page_opens_its_tasks_hosts_and_no_other).
    assert settings.testAttribute(attribute.LocalContentCanAccessRemoteUrls)
    assert not settings.testAttribute(attribute.NavigateOnDropEnabled)
    assert page.devToolsPage() is None


def test_permission_requests_are_denied(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite
) -> None:
    open_page(qtbot, browser, site.url("/asks.html"), "asked:")
    assert '"notifications":"denied"' in page_of(browser).title()


def test_nothing_personal_in_logs_or_signals(
    qtbot: QtBot,
    browser: QtSafeBrowser,
    site: TestSite,
    reasons: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    open_page(qtbot, browser, site.url("/links.html"), "links")
    # A refused navigation ends on the kiosk's own page; wait for it before the next load, or
    # that page (shown a moment after the refusal) replaces the next one (a flaky timeout).
    for link, ends_on_own_page in (("outside", True), ("exe", False), ("redirect", True)):
        count = len(reasons)
        run_js(qtbot, browser, f"document.getElementById('{link}').click()")
        qtbot.waitUntil(partial(grew, reasons, count), timeout=WAIT_MS)
        if ends_on_own_page:
            shown_reason(qtbot, browser)
        open_page(qtbot, browser, site.url("/links.html"), "links")
    assert len(reasons) >= 3
    known = set(policy.PAGE_TEXT) | set(policy.NOTICE_TEXT) | {policy.FRAME_NOT_ALLOWED}
    assert set(reasons) <= known
    for secret in ("127.0.0.1", "localhost", str(site.port), "setup.exe", "outside"):
        assert secret not in caplog.text


def test_a_tasks_offline_pages_open_but_no_other_local_file(
    qtbot: QtBot, browser: QtSafeBrowser, tmp_path: Path, reasons: list[str]
) -> None:
    folder = tmp_path / "offline" / "phishing"
    folder.mkdir(parents=True)
    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkBlue)
    assert image.save(str(folder / "sms.png")) and image.save(str(tmp_path / "private.png"))
    (tmp_path / "secret.html").write_text("<title>secret</title>")
    (folder / "index.html").write_text(
        '<title>practice</title><img id="sms" src="sms.png">'
        '<img id="private" src="../../private.png">'
        f'<a id="out" href="{(tmp_path / "secret.html").as_uri()}">secret</a>'
    )
    start = (folder / "index.html").as_uri()
    assert not browser.open_url(start)  # not before the task adds its folder
    assert shown_reason(qtbot, browser) == policy.SCHEME_NOT_ALLOWED
    browser.allowlist = browser.allowlist.with_extra(folders=[folder])
    open_page(qtbot, browser, start, "practice")
    # The page's own picture loads, one outside its folder does not.
    # (runJavaScript hands back no JS arrays: JSON text instead)
    sizes = (
        "JSON.stringify([document.getElementById('sms').naturalWidth, document.images[1].complete])"
    )
    qtbot.waitUntil(lambda: run_js(qtbot, browser, sizes) == "[40,true]", timeout=WAIT_MS)
    assert run_js(qtbot, browser, "document.getElementById('private').naturalWidth") == 0
    run_js(qtbot, browser, "document.getElementById('out').click()")
    assert shown_reason(qtbot, browser) == policy.SCHEME_NOT_ALLOWED
    assert reasons == [policy.SCHEME_NOT_ALLOWED, policy.SCHEME_NOT_ALLOWED]


def test_an_offline_page_opens_its_tasks_hosts_and_no_other(
    qtbot: QtBot, browser: QtSafeBrowser, site: TestSite, tmp_path: Path, reasons: list[str]
) -> None:
    """docs/writing-a-task.md: from an offline page, the browser may open the task's
    ``[domains]`` hosts; any other host is refused (on the server's side too)."""
    folder = tmp_path / "offline" / "practice"
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(
        "<title>practice</title>"
        f'<a id="task" href="{site.url("/report.html?from=offline")}">the real site</a>'
        f'<a id="other" href="{site.outside("/outside.html")}">elsewhere</a>'
    )
    start = (folder / "index.html").as_uri()
    # The task's own hosts ([domains]) are 127.0.0.1; the browser alone allows nothing.
    browser.allowlist = Allowlist.from_mapping({}).with_extra({"task": ["127.0.0.1"]}, [folder])
    open_page(qtbot, browser, start, "practice")
    run_js(qtbot, browser, "document.getElementById('task').click()")
    wait_title(qtbot, browser, "report:")
    assert site.count("/report.html") >= 1
    open_page(qtbot, browser, start, "practice")
    run_js(qtbot, browser, "document.getElementById('other').click()")
    assert shown_reason(qtbot, browser) == policy.SITE_NOT_ALLOWED
    assert site.outside_hits() == []
