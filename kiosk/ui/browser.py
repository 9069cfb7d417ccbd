"""The kiosk's embedded browser: a big, plain toolbar around one guarded web page.

QtWebEngine costs about 400 MB, so nothing of it exists until the first :meth:`open_site` or
:meth:`open_url` of a visit. Each visit gets a fresh off-the-record profile (memory only), a
request guard, a guarded page (:mod:`kiosk.ui.browser_page`) and a download folder; :meth:`wipe`
destroys them all, and the next visit starts from nothing.

Only reason codes and site keys leave this widget (``blocked``, ``site_opened``): never an
address, a file name or page text. ``address_changed`` carries the address for the task
player's step matching, inside the process only.

The application must set ``Qt.AA_ShareOpenGLContexts`` before creating ``QApplication``
(or import this module first), as QtWebEngine requires.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineLoadingInfo,
    QWebEnginePage,
    QWebEngineProfile,
)
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.browser import policy
from kiosk.browser.allowlist import Allowlist
from kiosk.i18n import Texts
from kiosk.ui.browser_page import QtGuardedPage, QtKioskWebView, QtRequestGuard, encoded
from kiosk.ui.downloads import QtDownloadsPanel, QtVisitDownloads, SavedFile

if TYPE_CHECKING:
    from kiosk.ui.print_flow import QtPrinting

log = logging.getLogger("kiosk.browser")

NOTICE_MS = 12_000
_DEVTOOLS_FLAGS = ("--remote-debugging", "--auto-open-devtools")


def refuse_remote_debugging() -> None:
    """Remove developer-tools switches from the environment before Chromium reads it."""
    if os.environ.pop("QTWEBENGINE_REMOTE_DEBUGGING", None) is not None:
        log.warning("QTWEBENGINE_REMOTE_DEBUGGING ignored: no developer tools on a kiosk")
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split()
    kept = [flag for flag in flags if not flag.startswith(_DEVTOOLS_FLAGS)]
    if kept != flags:
        log.warning("developer-tools switches removed from QTWEBENGINE_CHROMIUM_FLAGS")
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join(kept)


class _QtVisit:
    """Everything web of one visit; :meth:`destroy` leaves nothing of it."""

    def __init__(self, browser: QtSafeBrowser, holder: QVBoxLayout, base: Path | None) -> None:
        refuse_remote_debugging()
        # No storage name: off the record, nothing on disk. A new one for every visit.
        self.profile = QWebEngineProfile(browser)
        if not self.profile.isOffTheRecord():
            raise RuntimeError("QtWebEngine made a profile that keeps data on disk")
        self.profile.setPersistentCookiesPolicy(
            QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies
        )
        self.profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
        self.profile.setPersistentPermissionsPolicy(
            QWebEngineProfile.PersistentPermissionsPolicy.AskEveryTime
        )
        self.profile.setSpellCheckEnabled(False)
        self.profile.setHttpAcceptLanguage(policy.accept_language(browser.lang))
        self.guard = QtRequestGuard(lambda: browser.allowlist, browser)
        self.profile.setUrlRequestInterceptor(self.guard)
        self.view = QtKioskWebView()
        self.page = QtGuardedPage(self.profile, lambda: browser.allowlist, browser.confirm)
        self.page.setParent(self.view)
        self.view.setPage(self.page)
        holder.addWidget(self.view)
        self.downloads = QtVisitDownloads(self.profile, base, browser)

    def destroy(self) -> None:
        self.downloads.close()
        profile = self.profile
        # Off the record keeps all of this in memory only; clearing it first means nothing
        # depends on the order in which Chromium tears the profile down.
        profile.cookieStore().deleteAllCookies()
        profile.clearHttpCache()
        profile.clearAllVisitedLinks()
        for permission in profile.listAllPermissions():
            permission.reset()
        # The page (history, session storage, form state) before its view, and both before
        # the profile: Qt refuses to release a profile that a page still uses.
        for obj in (self.page, self.view, self.downloads, self.profile, self.guard):
            shiboken6.delete(obj)


class QtSafeBrowser(QWidget):
    """Back, the site's name, the visit's downloads, Close — and the guarded page."""

    site_opened = Signal(str)  # allowlist key, once each time the visitor reaches a new site
    blocked = Signal(str)  # reason code (kiosk.browser.policy), never an address
    downloaded = Signal(str)  # kind of file saved: pdf | image | text | document
    address_changed = Signal(str)  # for the task player only: never log or send it
    close_requested = Signal()
    # The print screen came (True) or went (False): in a task the activity then gives the
    # browser the whole width, the steps wait (issue 19: at 1366x768 the choices scrolled).
    print_screen_shown = Signal(bool)

    def __init__(
        self,
        allowlist: Allowlist,
        *,
        lang: str = "nl",
        download_base: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.allowlist = allowlist
        self._texts = Texts(lang)
        self._download_base = download_base
        self._visit: _QtVisit | None = None
        self._last_key: str | None = None
        self._confirm_box: QMessageBox | None = None
        self._wipe_pending = False
        self.printing: QtPrinting | None = None  # enable_printing: a printer is configured
        self._print_from: QWidget | None = None  # where Back on the print screen goes
        self._print_shown = False
        self.setAcceptDrops(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # One size of text at every text size (the theme: #browser_bar), so that nothing in
        # it moves or is cut; a long page title wraps, the buttons keep their words. Where
        # the bar is narrow (beside a task's steps) and a word of the page name would not fit
        # between the buttons, the name takes a row of its own under them (_place_site_name).
        bar = QWidget()
        bar.setObjectName("browser_bar")
        self._bar = bar
        toolbar = QGridLayout(bar)
        toolbar.setContentsMargins(12, 8, 12, 8)
        self._toolbar = toolbar
        self._name_below = False
        self.back_button = self._button("secondary", self.go_back)
        self.site_label = QLabel()
        self.site_label.setObjectName("browser_site")
        self.site_label.setWordWrap(True)
        self.site_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.downloads_button = self._button("secondary", self.show_downloads)
        self.print_button = self._button("secondary", self.print_page)
        self.print_button.hide()
        self.close_button = self._button("secondary", self.close_requested.emit)
        toolbar.addWidget(self.back_button, 0, 0)
        toolbar.addWidget(self.site_label, 0, 1)
        toolbar.addWidget(self.print_button, 0, 2)
        toolbar.addWidget(self.downloads_button, 0, 3)
        toolbar.addWidget(self.close_button, 0, 4)
        toolbar.setColumnStretch(1, 1)
        bar.installEventFilter(self)
        layout.addWidget(bar)
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        layout.addWidget(self.notice)
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.timeout.connect(self.notice.hide)
        self.web_holder = QWidget()
        self._web_layout = QVBoxLayout(self.web_holder)
        self._web_layout.setContentsMargins(0, 0, 0, 0)
        self.downloads_panel = QtDownloadsPanel()
        self.downloads_panel.back_requested.connect(self.show_web)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.web_holder)
        self.stack.addWidget(self.downloads_panel)
        self.stack.currentChanged.connect(self._page_changed)
        layout.addWidget(self.stack, 1)
        self.set_language(lang)

    def _button(self, object_name: str, slot: object) -> QPushButton:
        button = QPushButton()
        button.setObjectName(object_name)
        button.clicked.connect(slot)
        return button

    # --- what the kiosk asks ---------------------------------------------------------------

    @property
    def lang(self) -> str:
        return self._texts.lang

    @property
    def visit_active(self) -> bool:
        """True once this visit has used the browser, until :meth:`wipe`."""
        return self._visit is not None

    @property
    def page(self) -> QtGuardedPage | None:
        return self._visit.page if self._visit else None

    @property
    def view(self) -> QtKioskWebView | None:
        return self._visit.view if self._visit else None

    @property
    def downloads_folder(self) -> Path | None:
        return self._visit.downloads.folder if self._visit else None

    @property
    def current_key(self) -> str | None:
        return self._last_key

    @property
    def print_screen_open(self) -> bool:
        return self._print_shown

    def set_language(self, lang: str) -> None:
        texts = self._texts = Texts(lang)
        for button, key in (
            (self.back_button, "browser_back"),
            (self.close_button, "browser_close"),
            (self.print_button, "browser_print"),
        ):
            button.setText(texts(key))
            button.setAccessibleName(texts(key + "_name"))
        self.downloads_button.setAccessibleName(texts("browser_downloads_name"))
        self.downloads_panel.retranslate(texts)
        if self.printing is not None:
            self.printing.set_language(texts.lang)
        self._update_toolbar()
        if self._visit is not None:
            self._visit.profile.setHttpAcceptLanguage(policy.accept_language(texts.lang))

    def open_site(self, key: str) -> bool:
        """Open the home page of an allowlisted site; False for an unknown key."""
        site = self.allowlist.site(key)
        if site is None or not site.home:
            return False
        return self.open_url(site.home)

    def open_url(self, url: str) -> bool:
        """Open an address the allowlist allows (a task's start page); refuse anything else.

        ``javascript:``, ``file:`` outside a task folder, and other hosts are refused with
        the blocked page and a ``blocked`` reason, before the page sees them.
        """
        visit = self._ensure_visit()
        self.show_web()
        if not self.allowlist.allows(url):
            scheme = QUrl(url).scheme().lower()
            reason = policy.SITE_NOT_ALLOWED if scheme in ("http", "https") else None
            self._on_refused(reason or policy.SCHEME_NOT_ALLOWED, True)
            return False
        visit.page.setUrl(QUrl(url))
        return True

    def enable_printing(self, printing: QtPrinting) -> None:
        """A printer is configured: a Print button beside the page and in the file viewer."""
        self.printing = printing
        printing.set_language(self.lang)
        self.stack.addWidget(printing.screen)
        printing.screen.back_requested.connect(self._leave_print_screen)
        self.downloads_panel.print_requested.connect(self.print_file)
        self.downloads_panel.set_printing(True)
        self._update_toolbar()

    def print_page(self) -> None:
        """The page on screen, to the print screen."""
        if self.printing is None or self._visit is None:
            return
        self._print_from = self.web_holder
        self.printing.print_page(self._visit.page)
        self.stack.setCurrentWidget(self.printing.screen)
        self._update_toolbar()

    def print_file(self, saved: SavedFile) -> None:
        """A downloaded PDF or picture, to the print screen."""
        if self.printing is None:
            return
        self._print_from = self.downloads_panel
        self.printing.print_file(saved.path, saved.kind)
        self.stack.setCurrentWidget(self.printing.screen)
        self._update_toolbar()

    def _page_changed(self, _index: int) -> None:
        shown = self.printing is not None and self.stack.currentWidget() is self.printing.screen
        if shown != self._print_shown:
            self._print_shown = shown
            self.print_screen_shown.emit(shown)

    def _leave_print_screen(self) -> None:
        if self.printing is not None:
            self.printing.clear()
        self.stack.setCurrentWidget(self._print_from or self.web_holder)
        self._update_toolbar()

    def go_back(self) -> None:
        if self.printing is not None and self.stack.currentWidget() is self.printing.screen:
            self._leave_print_screen()
        elif self.stack.currentWidget() is self.downloads_panel:
            self.show_web()
        elif self._visit is not None and self._visit.page.history().canGoBack():
            self._visit.page.triggerAction(QWebEnginePage.WebAction.Back)

    def show_web(self) -> None:
        self.stack.setCurrentWidget(self.web_holder)
        self._update_toolbar()

    def show_downloads(self) -> None:
        self.downloads_panel.show_list()
        self.stack.setCurrentWidget(self.downloads_panel)
        self._update_toolbar()

    def confirm(self, message: str) -> bool:
        """A page's confirm(): Yes or No in the visitor's language (modal, closed by wipe)."""
        texts = self._texts
        box = QMessageBox(self)
        box.setWindowTitle(texts("browser_confirm_title"))
        box.setText(message)
        yes = box.addButton(texts("browser_confirm_yes"), QMessageBox.ButtonRole.YesRole)
        box.addButton(texts("browser_confirm_no"), QMessageBox.ButtonRole.NoRole)
        self._confirm_box = box
        try:
            box.exec()
            return box.clickedButton() is yes and not self._wipe_pending
        finally:
            self._confirm_box = None
            box.deleteLater()
            if self._wipe_pending:
                # The page is still on the call stack here; it goes once Qt has unwound.
                QTimer.singleShot(0, self.wipe)

    def wipe(self) -> None:
        """End of visit: destroy profile, page, history, storage, downloads; forget the site.

        Synchronous, except while a page's confirm() box is open: then the box is closed and
        the rest follows as soon as Qt leaves the page's call.
        """
        if self._confirm_box is not None:
            self._wipe_pending = True
            self._confirm_box.reject()
            return
        self._wipe_pending = False
        visit, self._visit = self._visit, None
        self._last_key = None
        self._notice_timer.stop()
        self.notice.hide()
        self.downloads_panel.clear()
        if self.printing is not None:
            self.printing.clear()
        self.stack.setCurrentWidget(self.web_holder)
        if visit is not None:
            visit.destroy()
        self._update_toolbar()

    # --- what the page reports -------------------------------------------------------------

    def _ensure_visit(self) -> _QtVisit:
        if self._wipe_pending and self._confirm_box is None:
            self.wipe()  # the last visit's deferred wipe has not run yet: never reuse it
        if self._visit is None:
            visit = self._visit = _QtVisit(self, self._web_layout, self._download_base)
            page = visit.page
            page.refused.connect(self._on_refused)
            page.page_message.connect(
                lambda text: self.show_notice(self._texts("browser_notice_page_says", message=text))
            )
            page.urlChanged.connect(self._on_url_changed)
            page.loadingChanged.connect(self._on_loading)
            page.renderProcessTerminated.connect(self._on_render_process_ended)
            visit.downloads.refused.connect(lambda reason: self._on_refused(reason, False))
            visit.downloads.saved.connect(self._on_saved)
            log.info("browser ready for this visit")
        return self._visit

    def _on_refused(self, reason: str, show_page: bool) -> None:
        self.blocked.emit(reason)
        visit = self._visit
        if show_page and visit is not None:
            html = policy.blocked_page_html(self._texts, reason)
            # Not from inside Qt's navigation callback; and never on a page already gone.
            QTimer.singleShot(0, visit.page, lambda: visit.page.show_own_page(html))
        elif reason in policy.NOTICE_TEXT:
            self.show_notice(self._texts(policy.NOTICE_TEXT[reason]))

    def _on_loading(self, info: QWebEngineLoadingInfo) -> None:
        if info.status() != QWebEngineLoadingInfo.LoadStatus.LoadFailedStatus:
            return
        if info.url().scheme() == "data":
            return
        reason = policy.reason_for_load_error(info.errorCode())
        if reason is not None:
            log.info("browser could not load a page: %s", reason)
            self._on_refused(reason, True)

    def _on_render_process_ended(
        self, status: QWebEnginePage.RenderProcessTerminationStatus, _code: int
    ) -> None:
        if status != QWebEnginePage.RenderProcessTerminationStatus.NormalTerminationStatus:
            self._on_refused(policy.PAGE_CRASHED, True)

    def _on_url_changed(self, url: QUrl) -> None:
        text = encoded(url)
        if url.scheme() != "data" and self.allowlist.allows(text):
            key = self.allowlist.key_for(text)
            if key is not None and key != self._last_key:
                self._last_key = key
                self.site_opened.emit(key)
            self.address_changed.emit(text)
        self._update_toolbar()

    def _on_saved(self, saved: SavedFile) -> None:
        self.downloaded.emit(saved.kind)
        visit = self._visit
        if visit is not None:
            self.downloads_panel.set_files(visit.downloads.files)
        self.show_notice(self._texts("browser_notice_download_saved"))
        if saved.kind in ("pdf", "image"):
            # The visitor clicked to see a document: show it, in the kiosk's own viewer.
            self.downloads_panel.open_file(saved)
            self.stack.setCurrentWidget(self.downloads_panel)
        self._update_toolbar()

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()
        self._notice_timer.start(NOTICE_MS)

    def _update_toolbar(self) -> None:
        texts = self._texts
        visit = self._visit
        count = len(visit.downloads.files) if visit else 0
        self.downloads_button.setText(texts("browser_downloads", count=count))
        self.downloads_button.setVisible(count > 0)
        on_web = self.stack.currentWidget() is self.web_holder
        self.print_button.setVisible(self.printing is not None and visit is not None and on_web)
        if self.printing is not None and self.stack.currentWidget() is self.printing.screen:
            self.back_button.setEnabled(True)
            title = texts("print_title")
        elif self.stack.currentWidget() is self.downloads_panel:
            self.back_button.setEnabled(True)
            title = texts("downloads_title")
        elif visit is None:
            self.back_button.setEnabled(False)
            title = ""
        else:
            self.back_button.setEnabled(visit.page.history().canGoBack())
            url = visit.page.url()
            site = self.allowlist.site(self.allowlist.key_for(encoded(url)) or "")
            if url.scheme() == "data":
                title = texts("browser_site_blocked")
            else:
                title = site.name if site else texts("browser_site_unknown")
        self.site_label.setText(title)
        self.site_label.setAccessibleName(texts("browser_site_name", site=title))
        self._place_site_name()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self._bar and event.type() == QEvent.Type.Resize:
            self._place_site_name()
        return super().eventFilter(watched, event)

    def _place_site_name(self) -> None:
        """Beside the buttons when its longest word fits there, else on a row under them."""
        label = self.site_label
        words = label.text().split()
        metrics = label.fontMetrics()
        need = max((metrics.horizontalAdvance(word) for word in words), default=0)
        toolbar = self._toolbar
        spacing = max(toolbar.horizontalSpacing(), 0)
        buttons = [self.back_button, self.print_button, self.downloads_button, self.close_button]
        taken = sum(b.sizeHint().width() + spacing for b in buttons if not b.isHidden())
        margins = toolbar.contentsMargins()
        room = self._bar.width() - margins.left() - margins.right() - taken
        below = need > room - label.contentsMargins().left() - label.contentsMargins().right()
        if below == self._name_below:
            return
        self._name_below = below
        toolbar.removeWidget(label)
        if below:
            toolbar.addWidget(label, 1, 0, 1, 5)
        else:
            toolbar.addWidget(label, 0, 1)
