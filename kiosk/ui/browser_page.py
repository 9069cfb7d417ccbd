"""The guarded parts of the kiosk's browser: request guard, web page and web view.

Three layers check every address, so that one mistake does not open the door:

1. :class:`QtGuardedPage.acceptNavigationRequest` — every main-page and frame navigation
   (typed, link, form, back/forward, reload, and each server redirect step);
2. :meth:`QtGuardedPage.newWindowRequested` — popups and new windows: never a second window;
   an allowlisted address opens in place, within a budget per ten seconds;
3. :class:`QtRequestGuard` — every request the network sees (pages, frames, images,
   scripts…), as the backstop for anything the page hook did not see.

What each layer allows is :mod:`kiosk.browser.allowlist`; what the visitor is told is
:mod:`kiosk.browser.policy`. Nothing here logs or signals an address: only reason codes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QChildEvent, QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWebEngineCore import (
    QWebEngineFileSystemAccessRequest,
    QWebEngineNewWindowRequest,
    QWebEnginePage,
    QWebEnginePermission,
    QWebEngineProfile,
    QWebEngineRegisterProtocolHandlerRequest,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QMenu, QWidget

from kiosk.browser import policy
from kiosk.browser.allowlist import Allowlist

log = logging.getLogger("kiosk.browser")

Nav = QWebEnginePage.NavigationType
Resource = QWebEngineUrlRequestInfo.ResourceType
Attr = QWebEngineSettings.WebAttribute
Action = QWebEnginePage.WebAction

# The only things a right click may offer: editing text. No "Inspect", no "View source",
# no "Save page", no "Open in new window".
SAFE_MENU_ACTIONS = (
    Action.Undo,
    Action.Redo,
    Action.Cut,
    Action.Copy,
    Action.Paste,
    Action.SelectAll,
)
_HIDDEN_ACTIONS = (
    Action.InspectElement,
    Action.ViewSource,
    Action.SavePage,
    Action.OpenLinkInNewWindow,
    Action.OpenLinkInNewTab,
    Action.OpenLinkInNewBackgroundTab,
    Action.DownloadLinkToDisk,
    Action.DownloadImageToDisk,
    Action.DownloadMediaToDisk,
)
# Settings that close doors the visitor could open: windows opened by script, navigation by
# dropping a file, screen capture, full screen, insecure content.
_SETTINGS = {
    Attr.JavascriptCanOpenWindows: False,
    Attr.JavascriptCanAccessClipboard: False,
    Attr.JavascriptCanPaste: False,
    # A task's offline page may lead to the task's own hosts ([domains], docs/writing-a-task.md):
    # Chromium refuses file: -> http(s) with ERR_NETWORK_ACCESS_DENIED unless this is on. The
    # request guard and the navigation check still hold every address to the allowlist.
    Attr.LocalContentCanAccessRemoteUrls: True,
    # A task's offline page needs its own pictures; the request guard keeps file: requests
    # inside the task's folder (Allowlist.allows_resource), so nothing else is reachable.
    Attr.LocalContentCanAccessFileUrls: True,
    Attr.NavigateOnDropEnabled: False,
    Attr.PluginsEnabled: False,
    Attr.PdfViewerEnabled: False,  # a PDF is a download, shown in the kiosk's own viewer
    Attr.ScreenCaptureEnabled: False,
    Attr.FullScreenSupportEnabled: False,
    Attr.AllowRunningInsecureContent: False,
    Attr.AllowGeolocationOnInsecureOrigins: False,
    Attr.AllowWindowActivationFromJavaScript: False,
    Attr.HyperlinkAuditingEnabled: False,
    Attr.WebRTCPublicInterfacesOnly: True,
    Attr.ErrorPageEnabled: True,
}
_HISTORY_NAVIGATION = (Nav.NavigationTypeBackForward, Nav.NavigationTypeReload)
POPUPS_PER_10_S = 4
DIALOGS_PER_10_S = 3


def encoded(url: QUrl) -> str:
    """The URL as the network sees it (percent-encoded, host in ASCII)."""
    return bytes(url.toEncoded().data()).decode("ascii", "replace")


def apply_settings(settings: QWebEngineSettings) -> None:
    for attribute, value in _SETTINGS.items():
        settings.setAttribute(attribute, value)


class QtRequestGuard(QWebEngineUrlRequestInterceptor):
    """Blocks every network request the allowlist does not cover (all resource types)."""

    def __init__(self, allowlist: Callable[[], Allowlist], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._allowlist = allowlist
        self.blocked_requests = 0

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802 (Qt's name)
        url = encoded(info.requestUrl())
        kind = info.resourceType()
        allowlist = self._allowlist()
        if kind == Resource.ResourceTypeMainFrame:
            # data: main pages are only the kiosk's own; acceptNavigationRequest vets them first.
            allowed = allowlist.allows(url) or url.startswith("data:")
        elif kind == Resource.ResourceTypeSubFrame:
            allowed = allowlist.allows_frame(url)
        else:
            allowed = allowlist.allows_resource(url)
        if not allowed:
            info.block(True)
            self.blocked_requests += 1
            log.debug("request guard blocked a %s request", kind.name)


class QtGuardedPage(QWebEnginePage):
    """A web page that checks every navigation and popup and never opens a window.

    ``refused(reason, show_page)`` reports each refusal; the browser decides how to show it.
    """

    refused = Signal(str, bool)
    page_message = Signal(str)

    def __init__(
        self,
        profile: QWebEngineProfile,
        allowlist: Callable[[], Allowlist],
        confirm: Callable[[str], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(profile, parent)
        self._allowlist = allowlist
        self._confirm = confirm
        self._own_page_pending = False
        self._popups = policy.Budget(POPUPS_PER_10_S, 10.0)
        self._dialogs = policy.Budget(DIALOGS_PER_10_S, 10.0)
        apply_settings(self.settings())
        for action in _HIDDEN_ACTIONS:
            self.action(action).setEnabled(False)
            self.action(action).setVisible(False)
        self.newWindowRequested.connect(self._on_new_window)
        self.permissionRequested.connect(self._on_permission)
        self.fileSystemAccessRequested.connect(self._on_file_system_access)
        self.registerProtocolHandlerRequested.connect(self._on_protocol_handler)

    def show_own_page(self, html: str) -> None:
        """Show the kiosk's own page (blocked/failed); the only data: page ever accepted."""
        self._own_page_pending = True
        self.setHtml(html)

    def _refuse(self, reason: str, show_page: bool) -> None:
        log.info("browser refused: %s", reason)
        self.refused.emit(reason, show_page)

    def acceptNavigationRequest(  # noqa: N802 (Qt's name)
        self, url: QUrl | str, nav_type: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        url = QUrl(url)
        text = encoded(url)
        allowlist = self._allowlist()
        if not is_main_frame:
            if allowlist.allows_frame(text):
                return True
            self._refuse(policy.FRAME_NOT_ALLOWED, False)
            return False
        if url.scheme() == "data":
            # Back/forward/reload to a kiosk page: only setHtml can have made that entry, as
            # Chromium refuses data: main pages that a web page asks for.
            if self._own_page_pending or nav_type in _HISTORY_NAVIGATION:
                self._own_page_pending = False
                return True
        elif allowlist.allows(text):
            return True
        if url.scheme() not in ("http", "https"):
            reason = policy.SCHEME_NOT_ALLOWED
        elif nav_type == Nav.NavigationTypeRedirect:
            reason = policy.REDIRECT_NOT_ALLOWED
        else:
            reason = policy.SITE_NOT_ALLOWED
        self._refuse(reason, True)
        return False

    def createWindow(self, _type: QWebEnginePage.WebWindowType) -> QWebEnginePage:  # noqa: N802
        # Never a second window: _on_new_window opens an allowed address in this page.
        return None  # type: ignore[return-value]

    def _on_new_window(self, request: QWebEngineNewWindowRequest) -> None:
        if not self._popups.take():
            if self._popups.refused_in_row == 1:  # one word per storm, not one per popup
                self._refuse(policy.POPUP_STORM, False)
            return
        url = QUrl(request.requestedUrl())
        if self._allowlist().allows(encoded(url)):
            # Opened in place, after Qt has finished with the request.
            QTimer.singleShot(0, self, lambda: self.setUrl(url))
            return
        # A click the visitor made gets the full page; a script's attempt only a notice.
        self._refuse(policy.POPUP_NOT_ALLOWED, request.isUserInitiated())

    def _on_permission(self, permission: QWebEnginePermission) -> None:
        # Camera, microphone, location, notifications, clipboard…: never on a shared PC.
        permission.deny()
        log.info("browser refused: %s (%s)", policy.PERMISSION, permission.permissionType().name)

    def _on_file_system_access(self, request: QWebEngineFileSystemAccessRequest) -> None:
        request.reject()
        self._refuse(policy.FILE_UPLOAD, False)

    def _on_protocol_handler(self, request: QWebEngineRegisterProtocolHandlerRequest) -> None:
        request.reject()

    def chooseFiles(  # noqa: N802 (Qt's name)
        self,
        mode: QWebEnginePage.FileSelectionMode,
        old_files: Sequence[str],
        accepted_mime_types: Sequence[str],
    ) -> list[str]:
        # A file dialog would show the PC's folders (and the previous visitor's files).
        self._refuse(policy.FILE_UPLOAD, False)
        return []

    def javaScriptAlert(self, origin: QUrl | str, message: str) -> None:  # noqa: N802
        # A notice instead of a modal box: an alert() loop cannot lock the kiosk.
        if self._dialogs.take():
            self.page_message.emit(message[:300])
        elif self._dialogs.refused_in_row == 1:
            self._refuse(policy.DIALOG_STORM, False)

    def javaScriptConfirm(self, origin: QUrl | str, message: str) -> bool:  # noqa: N802
        if not self._dialogs.take():
            if self._dialogs.refused_in_row == 1:
                self._refuse(policy.DIALOG_STORM, False)
            return False
        return self._confirm(message[:300])

    def javaScriptPrompt(  # noqa: N802 (Qt's name)
        self, origin: QUrl | str, message: str, default: str
    ) -> tuple[bool, str]:
        return False, ""  # rare on real sites, and a typed answer could be personal

    def javaScriptConsoleMessage(  # noqa: N802 (Qt's name)
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        # Page messages may hold personal data: they are never logged. One of them is how
        # Chromium says it silently dropped a link to a local file; the visitor hears of it.
        if message.startswith("Not allowed to load local resource"):
            self._refuse(policy.SCHEME_NOT_ALLOWED, False)


class QtKioskWebView(QWebEngineView):
    """A web view without drops, developer tools or a full context menu."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(False)
        self._guard_drops(self)

    def _guard_drops(self, widget: QWidget) -> None:
        widget.setAcceptDrops(False)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if isinstance(event, QChildEvent) and kind == QEvent.Type.ChildAdded:
            # Chromium draws into a child widget created later; it gets the same guard.
            child = event.child()
            if isinstance(child, QWidget):
                self._guard_drops(child)
        elif kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            # A file dropped on a page would open it, or upload it to the site.
            event.ignore()
            return True
        return super().eventFilter(watched, event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt's name)
        menu = self.safe_menu()
        if menu.actions():
            menu.popup(event.globalPos())
        event.accept()

    def safe_menu(self) -> QMenu:
        """The right-click menu: only the editing actions that apply here."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        page = self.page()
        for action_id in SAFE_MENU_ACTIONS:
            action = page.action(action_id)
            if action.isEnabled():
                menu.addAction(action)
        return menu
