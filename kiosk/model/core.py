"""The kiosk's model, without Qt: the anonymous visitor session and its call for a buddy.

Every change is written to the outbox first (in one transaction with the help message it
causes), then listeners are told so that the screen and the status heartbeat follow.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.model.commands import announcement_text
from kiosk.model.help_queue import QUEUE_FRESH_S, QueueNow, queue_now
from kiosk.model.outbox import Outbox, event_json
from kiosk.model.session import Phase, SessionClock, SessionPolicy, Tick
from kiosk.wire.protocol import (
    Channel,
    HelpChange,
    HelpState,
    SiteQueue,
    encode_help,
    help_advances,
    make_event,
    new_id,
    utc_now,
)

log = logging.getLogger("kiosk.model.core")

_OPEN_HELP_KEY = "open_help_request"


@dataclass(frozen=True)
class TaskProgress:
    """The guided task the visitor is doing: which one, where they are, how many steps."""

    task: str
    step: int
    steps: int
    completed: bool = False


@dataclass(frozen=True)
class HelpCall:
    """The visitor's current call for a buddy."""

    request: str
    state: HelpState  # open | claimed
    buddy: str | None = None


class KioskCore:
    """One public PC: idle, or in an anonymous session that may have a help call."""

    def __init__(
        self,
        outbox: Outbox,
        *,
        clock: Callable[[], datetime] = utc_now,
        policy: SessionPolicy | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] | None = None,
        default_lang: str = "nl",
    ) -> None:
        self._outbox = outbox
        self._clock = clock
        self._monotonic = monotonic
        self._wall = wall or (lambda: datetime.now().astimezone())
        self._listeners: list[Callable[[], None]] = []
        self._queue_listeners: list[Callable[[], None]] = []
        self.timer = SessionClock(policy or SessionPolicy(), monotonic, self._wall)
        self.default_lang = default_lang
        self.session: str | None = None
        self.session_started: datetime | None = None
        self.lang = default_lang
        self.help: HelpCall | None = None
        self.task: TaskProgress | None = None
        self.locked = False
        self.text_size = 100
        self.high_contrast = False
        self.read_aloud = False
        self._announcement: Mapping[str, Any] | None = None
        self._announcement_until: datetime | None = None
        self._queue: SiteQueue | None = None  # the site's help queue, from the queue keeper
        self._queue_received = 0.0  # monotonic
        self._cancel_stale_help()

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def subscribe_queue(self, listener: Callable[[], None]) -> None:
        """Told when a new queue arrives (not a change of this PC's state: no status goes out)."""
        self._queue_listeners.append(listener)

    def _changed(self) -> None:
        self.timer.set_waiting(self.help is not None)  # waiting for a buddy is not idleness
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

    def start_session(self) -> bool:
        """A visitor touched the screen. False when the PC is locked or the corner is closed."""
        if self.session:
            return True
        if self.locked or not self.timer.can_start():
            return False
        self.timer.start()
        self.session = new_id()
        self.session_started = self._clock()
        self._outbox.add_event(make_event("session_started", self.session, lang=self.lang))
        self._changed()
        return True

    def end_session(self, reason: str) -> None:
        """End the visit: cancel a pending call, log the end, forget the session id."""
        if not self.session or self.session_started is None:
            return
        duration = max(0.0, (self._clock() - self.session_started).total_seconds())
        self.abandon_task(notify=False)
        rows = []
        if self.help is not None:
            rows.append(self._help_row(HelpState.CANCELLED))
        ended = make_event(
            "session_ended", self.session, reason=reason, duration_s=round(duration, 1)
        )
        rows.append((Channel.EVENTS, event_json(ended)))
        self._outbox.add(rows)
        self._outbox.set_state(_OPEN_HELP_KEY, None)
        self.session = None
        self.session_started = None
        self.help = None
        self.task = None
        self.timer.reset()
        # The next visitor starts from the defaults: nothing of this visit carries over.
        self.lang = self.default_lang
        self.text_size = 100
        self.high_contrast = False
        self.read_aloud = False
        self._changed()

    def tick(self) -> Tick:
        """Called a few times a second by the screen; ends the visit on idle or time limit."""
        tick = self.timer.tick()
        if tick.end_reason is not None:
            self.end_session(tick.end_reason)
        return tick

    def activity(self) -> None:
        self.timer.activity()

    def still_here(self) -> bool:
        """The visitor pressed 'I'm still here'."""
        return self.timer.extend()

    @property
    def warning(self) -> bool:
        return self.timer.phase is Phase.WARNING

    def set_text_size(self, percent: int) -> None:
        self._set_accessibility("text_size", percent)

    def set_high_contrast(self, on: bool) -> None:
        self._set_accessibility("contrast", on)

    def set_read_aloud(self, on: bool) -> None:
        self._set_accessibility("read_aloud", on)

    def _set_accessibility(self, setting: str, value: int | bool) -> None:
        attribute = {
            "text_size": "text_size",
            "contrast": "high_contrast",
            "read_aloud": "read_aloud",
        }
        if getattr(self, attribute[setting]) == value:
            return
        setattr(self, attribute[setting], value)
        if self.session:
            event_value: int | str | bool = value
            if setting == "contrast":
                event_value = "high" if value else "normal"
            self._outbox.add_event(
                make_event(
                    "accessibility_changed", self.session, setting=setting, value=event_value
                )
            )
        self._changed()

    def lock(self) -> None:
        """Out of order: end any visit and refuse new ones until unlocked."""
        self.end_session("admin")
        if not self.locked:
            self.locked = True
            self._changed()

    def unlock(self) -> None:
        if self.locked:
            self.locked = False
            self._changed()

    def announce(self, args: Mapping[str, Any], until: datetime | None) -> None:
        announcement_text(args, self.lang)  # refuses an announcement without text
        self._announcement = dict(args)
        self._announcement_until = until
        self._changed()

    def announcement(self) -> str | None:
        """The current announcement in the visitor's language, or None."""
        if self._announcement is None:
            return None
        if self._announcement_until is not None and self._clock() >= self._announcement_until:
            self._announcement = None
            return None
        return announcement_text(self._announcement, self.lang)

    # --- the site's help queue (v1 extension) -------------------------------------------------

    def apply_queue(self, queue: SiteQueue | None) -> None:
        """The queue keeper's latest queue for this site (None: it was taken away)."""
        self._queue = queue
        self._queue_received = self._monotonic()
        for listener in self._queue_listeners:
            listener()

    def queue_now(self) -> QueueNow | None:
        """The queue as the visitor should hear it now; None without a recent queue (then the
        kiosk says what it always said)."""
        queue = self._queue
        if queue is None or self._monotonic() - self._queue_received > QUEUE_FRESH_S:
            return None
        request = self.help.request if self.help is not None else None
        return queue_now(queue, request, self._clock(), self._wall())

    def local_now(self) -> datetime:
        """The kiosk's local time (what "vandaag" and "morgen" are counted from)."""
        return self._wall()

    @property
    def calls_offered(self) -> bool:
        """False while nobody is on duty at a site that then takes no calls: the button that
        would call into the void is not offered."""
        now = self.queue_now()
        return now is None or now.calls_offered

    def call_buddy(self, task: str | None = None, step: int | None = None) -> None:
        """Ask for a human, with the task and step the visitor is at; a second press: nothing.

        Nothing either while the site takes no calls (nobody on duty, ``off_duty_calls``
        "none"): the screen offers no button then, and the model does not call into the void."""
        if self.help is not None or not self.calls_offered:
            return
        if task is None and self.task is not None and not self.task.completed:
            task, step = self.task.task, self.task.step
        if not self.session:
            self.start_session()
        assert self.session is not None
        request = new_id()
        self.help = HelpCall(request, HelpState.OPEN)
        requested = make_event("help_requested", self.session, request=request, task=task)
        self._outbox.add(
            [
                (Channel.EVENTS, event_json(requested)),
                self._help_row(HelpState.OPEN, task=task, step=step),
            ]
        )
        self._outbox.set_state(_OPEN_HELP_KEY, request)
        self._changed()

    # --- guided tasks -----------------------------------------------------------------------------

    def start_task(self, task: str, steps: int) -> None:
        """The visitor chose a guided task; a task already running is abandoned where it was."""
        if not self.session and not self.start_session():
            return
        assert self.session is not None
        self.abandon_task(notify=False)
        self.task = TaskProgress(task, 0, steps)
        self._outbox.add_event(make_event("task_started", self.session, task=task))
        self._outbox.add_event(make_event("task_step", self.session, task=task, step=0))
        self._changed()

    def go_to_step(self, step: int) -> None:
        """Back, Next, or the browser reached the page of a later step."""
        progress = self.task
        if progress is None or self.session is None or progress.completed:
            return
        step = max(0, min(step, progress.steps - 1))
        if step == progress.step:
            return
        self.task = TaskProgress(progress.task, step, progress.steps)
        self._outbox.add_event(make_event("task_step", self.session, task=progress.task, step=step))
        self._changed()

    def complete_task(self) -> None:
        progress = self.task
        if progress is None or self.session is None or progress.completed:
            return
        self.task = TaskProgress(progress.task, progress.step, progress.steps, completed=True)
        self._outbox.add_event(make_event("task_completed", self.session, task=progress.task))
        self._changed()

    def abandon_task(self, *, notify: bool = True) -> None:
        """Leaving a task before its end: the step where the visitor stopped is counted."""
        progress = self.task
        if progress is None or self.session is None:
            return
        self.task = None
        if not progress.completed:
            self._outbox.add_event(
                make_event("task_abandoned", self.session, task=progress.task, step=progress.step)
            )
        if notify:
            self._changed()

    def site_opened(self, site_key: str) -> None:
        """The browser reached an allowlisted site; only its key is recorded."""
        if self.session:
            self._outbox.add_event(make_event("site_opened", self.session, site_key=site_key))

    # --- the skills check and the faces (issue 20): anonymous, no session id ------------------

    def skills_checked(self, levels: Mapping[str, str]) -> None:
        """The skills check's one event: a level per area (``session`` null: it joins no
        visit's other events). The answers themselves never leave the screen."""
        self._outbox.add_event(make_event("skills_checked", None, **dict(levels)))
        self._changed()  # the link is woken: it goes now, not with the next heartbeat

    def feedback(self, face: str, task: str | None = None) -> None:
        """A face tapped when a guided task ended (``task``) or on "I'm done" (None)."""
        self._outbox.add_event(make_event("feedback", None, face=face, task=task))
        self._changed()

    def cancel_help(self) -> None:
        if self.help is None:
            return
        self._outbox.add([self._help_row(HelpState.CANCELLED)])
        self._outbox.set_state(_OPEN_HELP_KEY, None)
        self.help = None
        self._changed()

    def apply_help_reply(self, change: HelpChange) -> None:
        """A buddy claimed or resolved our call; replies to other or older calls are ignored."""
        if self.help is None or change.request != self.help.request:
            return
        if not help_advances(self.help.state, change.state):
            return
        if change.state == HelpState.CLAIMED:
            self.help = HelpCall(change.request, HelpState.CLAIMED, change.buddy)
        else:
            self.help = None
            self._outbox.set_state(_OPEN_HELP_KEY, None)
        self._changed()

    def _help_row(
        self, state: HelpState, task: str | None = None, step: int | None = None
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
        change = HelpChange(request, HelpState.CANCELLED, self._clock(), lang=self.lang)
        self._outbox.add([(Channel.HELP, encode_help(change).decode("utf-8"))])
        self._outbox.set_state(_OPEN_HELP_KEY, None)
