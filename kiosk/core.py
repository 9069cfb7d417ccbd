"""The kiosk's model, without Qt: the anonymous visitor session and its call for a buddy.

Every change is written to the outbox first (in one transaction with the help message it
causes), then listeners are told so that the screen and the status heartbeat follow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.outbox import Outbox, event_json
from kiosk.wire.protocol import (
    HELP_RANK,
    Channel,
    HelpChange,
    encode_help,
    make_event,
    new_id,
    utc_now,
)

log = logging.getLogger("kiosk.core")

_OPEN_HELP_KEY = "open_help_request"


@dataclass(frozen=True)
class HelpCall:
    """The visitor's current call for a buddy."""

    request: str
    state: str  # open | claimed
    buddy: str | None = None


class KioskCore:
    """One public PC: idle, or in an anonymous session that may have a help call."""

    def __init__(self, outbox: Outbox, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._outbox = outbox
        self._clock = clock
        self._listeners: list[Callable[[], None]] = []
        self.session: str | None = None
        self.session_started: datetime | None = None
        self.lang = "nl"
        self.help: HelpCall | None = None
        self.locked = False
        self._cancel_stale_help()

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    @property
    def state(self) -> str:
        if self.locked:
            return "locked"
        return "in_session" if self.session else "idle"

    def status(self) -> dict[str, Any]:
        """The fields of the status message that come from the session (health adds the rest)."""
        seconds = None
        if self.session_started is not None:
            seconds = round((self._clock() - self.session_started).total_seconds(), 1)
        return {"state": self.state, "session_s": seconds, "lang": self.lang}

    def set_language(self, lang: str) -> None:
        if lang == self.lang:
            return
        self.lang = lang
        if self.session:
            self._outbox.add_event(make_event("language_changed", self.session, lang=lang))
        self._changed()

    def start_session(self) -> None:
        if self.session:
            return
        self.session = new_id()
        self.session_started = self._clock()
        self._outbox.add_event(make_event("session_started", self.session, lang=self.lang))
        self._changed()

    def end_session(self, reason: str) -> None:
        """End the visit: cancel a pending call, log the end, forget the session id."""
        if not self.session or self.session_started is None:
            return
        duration = max(0.0, (self._clock() - self.session_started).total_seconds())
        rows = []
        if self.help is not None:
            rows.append(self._help_row("cancelled"))
        ended = make_event(
            "session_ended", self.session, reason=reason, duration_s=round(duration, 1)
        )
        rows.append((Channel.EVENTS, event_json(ended)))
        self._outbox.add(rows)
        self._outbox.set_state(_OPEN_HELP_KEY, None)
        self.session = None
        self.session_started = None
        self.help = None
        self._changed()

    def call_buddy(self, task: str | None = None, step: int | None = None) -> None:
        """Ask for a human. A second press while a call is pending changes nothing."""
        if self.help is not None:
            return
        if not self.session:
            self.start_session()
        assert self.session is not None
        request = new_id()
        self.help = HelpCall(request, "open")
        requested = make_event("help_requested", self.session, request=request, task=task)
        self._outbox.add(
            [
                (Channel.EVENTS, event_json(requested)),
                self._help_row("open", task=task, step=step),
            ]
        )
        self._outbox.set_state(_OPEN_HELP_KEY, request)
        self._changed()

    def cancel_help(self) -> None:
        if self.help is None:
            return
        self._outbox.add([self._help_row("cancelled")])
        self._outbox.set_state(_OPEN_HELP_KEY, None)
        self.help = None
        self._changed()

    def apply_help_reply(self, change: HelpChange) -> None:
        """A buddy claimed or resolved our call; replies to other or older calls are ignored."""
        if self.help is None or change.request != self.help.request:
            return
        if HELP_RANK[change.state] <= HELP_RANK[self.help.state]:
            return
        if change.state == "claimed":
            self.help = HelpCall(change.request, "claimed", change.buddy)
        else:
            self.help = None
            self._outbox.set_state(_OPEN_HELP_KEY, None)
        self._changed()

    def _help_row(
        self, state: str, task: str | None = None, step: int | None = None
    ) -> tuple[Channel, str]:
        assert self.help is not None
        change = HelpChange(self.help.request, state, self._clock(), task, step, self.lang)
        return Channel.HELP, encode_help(change).decode("utf-8")

    def _cancel_stale_help(self) -> None:
        # A call still open when the kiosk died belongs to a visitor who is gone.
        request = self._outbox.get_state(_OPEN_HELP_KEY)
        if request is None:
            return
        log.info("cancelling a help call left open by the previous run")
        change = HelpChange(request, "cancelled", self._clock(), lang=self.lang)
        self._outbox.add([(Channel.HELP, encode_help(change).decode("utf-8"))])
        self._outbox.set_state(_OPEN_HELP_KEY, None)
