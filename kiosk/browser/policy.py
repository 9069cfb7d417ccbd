"""What the kiosk's browser refuses, and what it tells the visitor, without Qt.

Every refusal has a *reason code* (below). A reason is all that leaves the browser: it goes to
the log and to the ``blocked`` signal, never with the address, a file name or page text.
Some reasons replace the page with the kiosk's own friendly page (:func:`blocked_page_html`),
the others show a short notice above the page (:data:`NOTICE_TEXT`).
"""

from __future__ import annotations

import html
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from kiosk.i18n import Texts
from kiosk.model.theme import Theme

SITE_NOT_ALLOWED = "site_not_allowed"
REDIRECT_NOT_ALLOWED = "redirect_not_allowed"
SCHEME_NOT_ALLOWED = "scheme_not_allowed"
FRAME_NOT_ALLOWED = "frame_not_allowed"
POPUP_NOT_ALLOWED = "popup_not_allowed"
POPUP_STORM = "popup_storm"
DIALOG_STORM = "dialog_storm"
DOWNLOAD_REFUSED = "download_type_refused"
DOWNLOAD_TOO_LARGE = "download_too_large"
DOWNLOAD_FAILED = "download_failed"
FILE_UPLOAD = "file_upload_refused"
PERMISSION = "permission_denied"
REDIRECT_LOOP = "redirect_loop"
LOAD_FAILED = "load_failed"
PAGE_CRASHED = "page_crashed"

# Reasons that replace the page: (title key, body key) in kiosk/locale/*/LC_MESSAGES/kiosk.po.
PAGE_TEXT: dict[str, tuple[str, str]] = {
    SITE_NOT_ALLOWED: ("browser_blocked_title", "browser_blocked_site"),
    REDIRECT_NOT_ALLOWED: ("browser_blocked_title", "browser_blocked_site"),
    SCHEME_NOT_ALLOWED: ("browser_blocked_title", "browser_blocked_scheme"),
    POPUP_NOT_ALLOWED: ("browser_blocked_title", "browser_blocked_popup"),
    REDIRECT_LOOP: ("browser_failed_title", "browser_failed_loop"),
    LOAD_FAILED: ("browser_failed_title", "browser_failed_body"),
    PAGE_CRASHED: ("browser_failed_title", "browser_failed_crash"),
}
# Reasons that leave the page as it is and show a notice.
NOTICE_TEXT: dict[str, str] = {
    POPUP_STORM: "browser_notice_popup_storm",
    POPUP_NOT_ALLOWED: "browser_blocked_popup",
    DIALOG_STORM: "browser_notice_dialog_storm",
    DOWNLOAD_REFUSED: "browser_notice_download_refused",
    DOWNLOAD_TOO_LARGE: "browser_notice_download_too_large",
    DOWNLOAD_FAILED: "browser_notice_download_failed",
    FILE_UPLOAD: "browser_notice_upload_refused",
    SCHEME_NOT_ALLOWED: "browser_blocked_scheme",
}

# Chromium's net error codes that need a word of their own (net/base/net_error_list.h).
_ERR_ABORTED = -3  # the visitor went elsewhere, or the kiosk refused the navigation itself
_ERR_ACCESS_DENIED = -10  # the request guard blocked the main page
_ERR_BLOCKED_BY_CLIENT = -20
_ERR_TOO_MANY_REDIRECTS = -310


def reason_for_load_error(code: int) -> str | None:
    """The reason to show for a failed main-page load, or None when nothing is to be shown."""
    if code in (0, _ERR_ABORTED):
        return None
    if code in (_ERR_ACCESS_DENIED, _ERR_BLOCKED_BY_CLIENT):
        return SITE_NOT_ALLOWED
    if code == _ERR_TOO_MANY_REDIRECTS:
        return REDIRECT_LOOP
    return LOAD_FAILED


def blocked_page_html(texts: Texts, reason: str, theme: Theme | None = None) -> str:
    """The kiosk's own page for a refused or failed address: large, plain, no script."""
    theme = theme or Theme()
    title_key, body_key = PAGE_TEXT.get(reason, PAGE_TEXT[LOAD_FAILED])
    lines = [texts(body_key), texts("browser_blocked_back"), texts("browser_blocked_help")]
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines)
    # No script, no outside resource: the page cannot do anything but be read.
    return f"""<!DOCTYPE html>
<html lang="{html.escape(texts.lang)}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{html.escape(texts(title_key))}</title>
<style>
body {{ background: {theme.background}; color: {theme.text}; font-family: sans-serif;
       font-size: {theme.base_pt + 6}pt; line-height: 1.5; margin: 8% 10%; }}
h1 {{ font-size: {theme.title_pt}pt; color: {theme.primary}; }}
</style></head>
<body data-reason="{html.escape(reason)}"><h1>{html.escape(texts(title_key))}</h1>
{paragraphs}
</body></html>"""


class Budget:
    """At most ``count`` events per ``seconds`` (popups, dialogs); the rest are refused."""

    def __init__(
        self, count: int, seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.count = count
        self.seconds = seconds
        self._clock = clock
        self._times: deque[float] = deque()
        self.refused_in_row = 0

    def take(self) -> bool:
        now = self._clock()
        while self._times and now - self._times[0] >= self.seconds:
            self._times.popleft()
        if len(self._times) >= self.count:
            self.refused_in_row += 1
            return False
        self._times.append(now)
        self.refused_in_row = 0
        return True


# --- downloads -----------------------------------------------------------------------------

MAX_DOWNLOAD_BYTES = 50 * 2**20
# What a visitor may download: documents the kiosk can show (pdf, image, text) or that a buddy
# can print. Everything else (programs, scripts, archives, installers…) is refused.
DOWNLOAD_KINDS: dict[str, str] = {
    ".pdf": "pdf",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".gif": "image",
    ".webp": "image",
    ".bmp": "image",
    ".txt": "text",
    ".csv": "document",
    ".doc": "document",
    ".docx": "document",
    ".odt": "document",
    ".rtf": "document",
    ".xls": "document",
    ".xlsx": "document",
    ".ods": "document",
    ".ppt": "document",
    ".pptx": "document",
    ".odp": "document",
}
# Types a server may send under an innocent name; refused whatever the name says.
REFUSED_MIME_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-ms-installer",
        "application/x-msi",
        "application/vnd.microsoft.portable-executable",
        "application/x-executable",
        "application/x-sh",
        "application/x-bat",
        "application/hta",
        "application/javascript",
        "text/javascript",
        "application/x-javascript",
        "text/vbscript",
    }
)
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass(frozen=True)
class DownloadDecision:
    kind: str | None  # pdf | image | text | document; None = refused
    file_name: str


def safe_file_name(suggested: str) -> str:
    """A plain file name: no folder, no control or reserved characters, not hidden, not huge."""
    name = PurePath(suggested.replace("\\", "/")).name
    name = _UNSAFE_CHARS.sub("_", name).strip(" .")
    if len(name) > 100:
        stem, suffix = PurePath(name).stem, PurePath(name).suffix[:10]
        name = stem[: 100 - len(suffix)] + suffix
    return name or "download"


def decide_download(suggested_name: str, mime_type: str = "") -> DownloadDecision:
    """Whether to keep a download, judged by the last extension and the announced type."""
    name = safe_file_name(suggested_name)
    kind = DOWNLOAD_KINDS.get(PurePath(name).suffix.lower())
    if mime_type.split(";")[0].strip().lower() in REFUSED_MIME_TYPES:
        kind = None
    return DownloadDecision(kind, name)


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``stem (2).ext`` … when a file of that name is already in the folder."""
    if name not in taken:
        return name
    path = PurePath(name)
    number = 2
    while f"{path.stem} ({number}){path.suffix}" in taken:
        number += 1
    return f"{path.stem} ({number}){path.suffix}"


_ACCEPT_LANGUAGE = {
    "nl": "nl-BE,nl;q=0.9,fr;q=0.6,en;q=0.5",
    "fr": "fr-BE,fr;q=0.9,nl;q=0.6,en;q=0.5",
    "en": "en,nl;q=0.6,fr;q=0.5",
}


def accept_language(lang: str) -> str:
    """What the browser asks sites for, so that they answer in the visitor's language."""
    return _ACCEPT_LANGUAGE.get(lang, f"{lang},en;q=0.6,nl;q=0.5,fr;q=0.5")
