"""The buddy desk's model, without Qt: the site's help calls, from the help topics, in any order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from kiosk.wire.protocol import HelpChange, help_advances, utc_now

ACTIVE = frozenset({"open", "claimed"})


@dataclass(frozen=True)
class HelpCall:
    request: str
    machine: str
    state: str
    opened: datetime | None = None
    task: str | None = None
    step: int | None = None
    lang: str | None = None
    buddy: str | None = None

    def waiting_s(self, now: datetime) -> float:
        return 0.0 if self.opened is None else max(0.0, (now - self.opened).total_seconds())


class HelpQueue:
    """Open and claimed calls of one site, oldest first.

    Help messages are retained, so a desk that starts late still sees waiting calls; a call
    older than ``max_age`` is left out (its kiosk is gone or the aggregator expired it).
    """

    def __init__(
        self, max_age: timedelta = timedelta(hours=2), clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._calls: dict[str, HelpCall] = {}
        self._max_age = max_age
        self._clock = clock
        self.offline: set[str] = set()

    def apply(self, machine: str, change: HelpChange) -> bool:
        """Take one change; True when the queue changed."""
        call = self._calls.get(change.request)
        if call is None:
            call = HelpCall(change.request, machine, change.state)
        elif call.machine != machine:
            return False  # another PC cannot touch this call
        elif help_advances(call.state, change.state):
            call = replace(call, state=change.state)
        elif change.state != "open" and call.buddy is not None:
            return False
        if change.state == "open":
            call = replace(
                call,
                opened=call.opened or change.ts,
                task=call.task or change.task,
                step=change.step if call.step is None else call.step,
                lang=call.lang or change.lang,
            )
        elif change.state == "claimed" and call.buddy is None:
            call = replace(call, buddy=change.buddy)
        changed = self._calls.get(change.request) != call
        self._calls[change.request] = call
        return changed

    def set_online(self, machine: str, online: bool) -> None:
        if online:
            self.offline.discard(machine)
        else:
            self.offline.add(machine)

    def active(self) -> list[HelpCall]:
        """Calls a buddy still has to handle, the longest waiting first."""
        now = self._clock()
        calls = [
            call
            for call in self._calls.values()
            if call.state in ACTIVE
            and call.opened is not None
            and now - call.opened <= self._max_age
        ]
        return sorted(calls, key=lambda call: call.opened or now)

    def get(self, request: str) -> HelpCall | None:
        return self._calls.get(request)
