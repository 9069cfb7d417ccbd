"""The real kiosk (``kiosk.qt_app.run``, full screen) with a test's questions on stdin.

The desktop tests start this in its own process on a real X server with a window manager,
send the input as a person would (xdotool: real X events through the X server), and ask here
only what they cannot see from outside: where a widget is on the screen, what the visit's
clock says, what the page received. One JSON request a line on stdin, one JSON answer a line
on stdout: ``{"id": 1, "ask": "state"}`` -> ``{"id": 1, "result": {...}}``.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from PySide6.QtCore import QObject, QPoint, QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.browser.allowlist import Allowlist
from kiosk.settings import load_settings
from kiosk.ui.app import KioskApp, run

TEST_SITE = Allowlist.from_mapping({"testsite": ["127.0.0.1"]})


def centre(widget: QWidget) -> list[int]:
    point = widget.mapToGlobal(widget.rect().center())
    return [point.x(), point.y()]


def beside(widget: QWidget) -> list[int]:
    """A point left of ``widget``, in its parent, at its height."""
    point = widget.mapToGlobal(QPoint(-widget.x() // 2, widget.height() // 2))
    return [point.x(), point.y()]


def focus_name(widget: QWidget | None) -> str | None:
    """What has the keyboard's focus, by what a person sees on it."""
    if widget is None:
        return None
    text = getattr(widget, "text", None)
    return str(text() if callable(text) else "") or widget.objectName()


class Driver(QObject):
    def __init__(self, kiosk: KioskApp) -> None:
        super().__init__()
        self.kiosk = kiosk
        self._buffer = b""
        self._warned = 0  # how many times the idle warning came up
        self._warning_shown = False
        self._handles: set[int] = set()  # the kiosk window's QWindows seen (Qt replaces it)
        self._goodbye_touched = 0  # goodbyes ended by a touch (not by their 4 s running out)
        kiosk.window.goodbye_screen.dismissed.connect(self._touched)
        self._notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read)
        self._watch = QTimer(self)
        self._watch.timeout.connect(self._look)
        self._watch.start(50)

    def _look(self) -> None:
        shown = self.kiosk.window.idle_warning.isVisible()
        if shown and not self._warning_shown:
            self._warned += 1
        self._warning_shown = shown
        handle = self.kiosk.window.windowHandle()
        if handle is not None:
            self._handles.add(id(handle))

    def _touched(self) -> None:
        self._goodbye_touched += 1

    def _read(self) -> None:
        chunk = os.read(sys.stdin.fileno(), 65536)
        if not chunk:
            self._notifier.setEnabled(False)
            return
        self._buffer += chunk
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            request = json.loads(line)
            self._answer(request)

    def _reply(self, request: dict[str, Any], result: Any) -> None:
        sys.stdout.write(json.dumps({"id": request["id"], "result": result}) + "\n")
        sys.stdout.flush()

    def _answer(self, request: dict[str, Any]) -> None:
        ask = request["ask"]
        if ask == "js":
            browser = self.kiosk.visit.activity.browser
            page = browser.page if browser is not None else None
            if page is None:
                self._reply(request, None)
                return
            page.runJavaScript(request["script"], 0, lambda value: self._reply(request, value))
            return
        self._reply(request, getattr(self, f"ask_{ask}")(request))

    # --- the questions --------------------------------------------------------------------------

    def ask_state(self, _request: dict[str, Any]) -> dict[str, Any]:
        kiosk = self.kiosk
        window = kiosk.window
        clock = kiosk.core.timer
        session = kiosk.core.session
        modal = QApplication.activeModalWidget()
        browser = kiosk.visit.activity.browser if kiosk._visit is not None else None
        page = browser.page if browser is not None else None
        lockdown = kiosk.lockdown
        return {
            "session": None if session is None else str(session),
            "phase": clock.phase.name,
            "idle_s": clock._monotonic() - clock._last_activity,
            "warned": self._warned,
            "locked": kiosk.core.locked,
            "screen": window.stack.currentWidget().__class__.__name__,
            "dialog": None if modal is None else modal.__class__.__name__,
            "full_screen": window.isFullScreen(),
            "goodbye": window.goodbye_screen.isVisible(),
            "goodbye_asking": window.goodbye_screen.isVisible() and window.goodbye_screen.asking,
            "goodbye_title": window.goodbye_screen.title.text(),
            "goodbye_touched": self._goodbye_touched,
            "help": None if kiosk.core.help is None else kiosk.core.help.state,
            "help_status": window.action_bar.help_status.text(),
            "focus": focus_name(QApplication.focusWidget()),
            "visible": window.isVisible(),
            "geometry": list(window.geometry().getRect()),
            "screens": [list(s.geometry().getRect()) for s in QApplication.screens()],
            "url": None if page is None else page.url().toString(),
            "window_handles": len(self._handles),
            "watched": 0 if lockdown is None else len(lockdown.watched),
            "swallowed": 0 if lockdown is None else lockdown.swallowed,
        }

    def ask_where(self, _request: dict[str, Any]) -> dict[str, Any]:
        """Screen coordinates of what a test clicks."""
        window = self.kiosk.window
        corner = window.mapToGlobal(QPoint(8, 8))
        places: dict[str, Any] = {
            "corner": [corner.x(), corner.y()],
            "start": centre(window.start_screen.start_button),
            "done": centre(window.action_bar.done_button),
            # "I'm done" asks first (issue 17): "Ja, alles wissen", while the question shows.
            "confirm": centre(window.goodbye_screen.confirm_button)
            if window.goodbye_screen.isVisible()
            else None,
            "still_here": centre(window.idle_warning.button)
            if hasattr(window.idle_warning, "button")
            else None,
            "keep": centre(window.goodbye_screen.keep_button)
            if window.goodbye_screen.isVisible() and window.goodbye_screen.asking
            else None,
            # Beside the goodbye's card (the card holds buttons of its own): a touch anywhere
            # on the goodbye goes on to the start screen.
            "goodbye": beside(window.goodbye_screen.card)
            if window.goodbye_screen.isVisible()
            else None,
        }
        bar = window.action_bar
        for name, button in (("call", bar.call_button), ("cancel", bar.cancel_button)):
            places[name] = centre(button) if button.isVisible() else None
        browser = self.kiosk.visit.activity.browser if self.kiosk._visit is not None else None
        if browser is not None and browser.view is not None:
            places["page"] = centre(browser.view)
        return places

    def ask_open(self, request: dict[str, Any]) -> bool:
        """Free browsing on the test site (127.0.0.1), as the site picker would open a site."""
        visit = self.kiosk.visit
        browser = visit.activity.show_browser(with_player=False)
        browser.allowlist = TEST_SITE
        self.kiosk.window.show_activity(visit.activity)
        return bool(browser.open_url(request["url"]))


def main() -> int:
    settings = load_settings({"config": sys.argv[1]})
    return run(settings, windowed=False, self_test=False, on_started=Driver)


if __name__ == "__main__":
    sys.exit(main())
