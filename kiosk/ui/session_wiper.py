"""End of a visit: nothing of it may reach the next visitor.

:func:`wipe_session` closes every window and dialog the visit opened, wipes the browser
(profile, page, history, storage, cache, permissions, downloads — :meth:`QtSafeBrowser.wipe`),
ends what else the visit left (``others``: its print jobs and print files,
:meth:`kiosk.printing.desk.PrintDesk.end_visit`) and empties the clipboard. It does not import
QtWebEngine: a kiosk whose visitor never used the browser pays nothing for it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QWidget

log = logging.getLogger("kiosk.wipe")


class Wipeable(Protocol):
    """What the wiper needs of the browser (``kiosk.ui.browser.QtSafeBrowser``)."""

    def wipe(self) -> None: ...


class VisitEnd(Protocol):
    """Something else a visit leaves (``kiosk.printing.desk.PrintDesk``: jobs, files)."""

    def end_visit(self) -> int: ...


@dataclass(frozen=True)
class WipeReport:
    windows_closed: int
    browser_wiped: bool
    duration_ms: float


def clear_clipboard() -> None:
    """Empty the clipboard, and the X11 selection (middle-click paste) where there is one."""
    clipboard = QGuiApplication.clipboard()
    clipboard.clear(QClipboard.Mode.Clipboard)
    if clipboard.supportsSelection():
        clipboard.clear(QClipboard.Mode.Selection)
    if clipboard.supportsFindBuffer():
        clipboard.clear(QClipboard.Mode.FindBuffer)


def close_stray_windows(keep: Iterable[QWidget]) -> int:
    """Close every visible top-level window and dialog except ``keep``; how many closed.

    Dialogs are rejected (which also ends a modal ``exec()``); a window that refuses to
    close is hidden.
    """
    kept = set(keep)
    closed = 0
    for widget in QApplication.topLevelWidgets():
        if widget in kept or not widget.isVisible():
            continue
        if isinstance(widget, QDialog):
            widget.reject()
        widget.close()
        if widget.isVisible():
            widget.hide()
        closed += 1
    return closed


def wipe_session(
    keep: Iterable[QWidget], browser: Wipeable | None = None, others: Iterable[VisitEnd] = ()
) -> WipeReport:
    """Everything a visit leaves behind, gone: windows, dialogs, browser, print jobs, clipboard.

    ``keep``: the kiosk's own windows (its main window; the browser too if it is a window of
    its own). ``browser``: None when the visitor never opened it.
    """
    started = time.perf_counter()
    # Dialogs first: a page's confirm() box must be gone before its page is.
    closed = close_stray_windows(keep)
    if browser is not None:
        browser.wipe()  # the print screen lets go of its document first
    for other in others:
        try:
            other.end_visit()
        except Exception:  # one part's failure must not keep the rest
            log.exception("a part of the visit could not be ended")
    clear_clipboard()
    report = WipeReport(closed, browser is not None, (time.perf_counter() - started) * 1000)
    log.info(
        "visit wiped in %.0f ms (%d window(s) closed%s)",
        report.duration_ms,
        closed,
        ", browser wiped" if browser is not None else "",
    )
    return report
