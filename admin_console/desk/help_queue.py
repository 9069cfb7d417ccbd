"""The buddy desk's model, without Qt: the site's help calls, from the help topics, in any order.

The admin console keeps the calls of every site in one queue: there a call is known by its
site and PC (``site`` is empty on a buddy desk, which hears one site only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from kiosk.wire.protocol import HelpChange, HelpState, help_advances, utc_now

ACTIVE = frozenset({HelpState.OPEN, HelpState.CLAIMED})


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
    site: str = ""

    def waiting_s(self, now: datetime) -> float:
        return 0.0 if self.opened is None else max(0.0, (now - self.opened).total_seconds())

    def claimed_by(self, name: str) -> bool:
        """True when ``name`` claimed the call (names compare without case or outer spaces)."""
        return self.buddy is not None and self.buddy.strip().casefold() == name.strip().casefold()


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
        self._announced: set[str] = set()
        self._withdrawn: list[HelpCall] = []  # claimed, then cancelled: the buddy must know
        self.offline: set[str] = set()  # machines; "site/machine" in a multi-site queue
        self._labels: dict[str, str] = {}  # the same keys: the name people in the room use

    def apply(self, machine: str, change: HelpChange, site: str = "") -> bool:
        """Take one change; True when the queue changed."""
        call = self._calls.get(change.request)
        if call is None:
            call = HelpCall(change.request, machine, change.state, site=site)
        elif (call.site, call.machine) != (site, machine):
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
        before = self._calls.get(change.request)
        if (
            before is not None
            and before.state == HelpState.CLAIMED
            and call.state == HelpState.CANCELLED
        ):
            # The visitor cancelled, or the visit ended, after a buddy said they were coming:
            # never dropped silently (issue 16), the buddy would walk to an empty PC.
            self._withdrawn.append(call)
        self._calls[change.request] = call
        return before != call

    def set_online(self, machine: str, online: bool, site: str = "") -> None:
        key = _key(site, machine)
        if online:
            self.offline.discard(key)
        else:
            self.offline.add(key)

    def is_offline(self, call: HelpCall) -> bool:
        return _key(call.site, call.machine) in self.offline

    def set_label(self, machine: str, label: str | None, site: str = "") -> bool:
        """A PC's label from its status (``None``: it has none); True when it changed."""
        key = _key(site, machine)
        before = self._labels.get(key)
        if label:
            self._labels[key] = label
        else:
            self._labels.pop(key, None)
        return before != self._labels.get(key)

    def label_of(self, call: HelpCall) -> str | None:
        """The label of the call's PC, None when it has none or was never heard of (a call
        from a PC without status is still shown, by its machine id)."""
        return self._labels.get(_key(call.site, call.machine))

    def waiting(self) -> int:
        """Calls nobody has claimed yet."""
        return sum(call.state == HelpState.OPEN for call in self.active())

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

    def take_withdrawn(self) -> list[HelpCall]:
        """Claimed calls that the visitor's kiosk cancelled since the last time (each once)."""
        withdrawn, self._withdrawn = self._withdrawn, []
        return withdrawn

    def take_new_calls(self) -> list[HelpCall]:
        """Open calls nobody was alerted to yet (each is returned once): for the chime."""
        fresh = [
            call
            for call in self.active()
            if call.state == "open" and call.request not in self._announced
        ]
        self._announced.update(call.request for call in fresh)
        return fresh


def changes_from_record(
    request: str,
    state: str,
    opened: datetime | None,
    claimed: datetime | None,
    closed: datetime | None,
    *,
    task: str | None = None,
    step: int | None = None,
    lang: str | None = None,
    buddy: str | None = None,
) -> list[HelpChange]:
    """A stored help request as the changes that led to it (to fill a queue from the database).

    Stored times are naive UTC; the changes carry aware ones, like those from the broker."""
    opened, claimed, closed = (_aware(m) for m in (opened, claimed, closed))
    if opened is None:
        return []
    changes = [HelpChange(request, HelpState.OPEN, opened, task, step, lang)]
    if claimed is not None:
        changes.append(HelpChange(request, HelpState.CLAIMED, claimed, buddy=buddy or "?"))
    if state not in ACTIVE:
        final = HelpState(state)
        changes.append(HelpChange(request, final, closed or claimed or opened, buddy=buddy))
    return changes


def _key(site: str, machine: str) -> str:
    return f"{site}/{machine}" if site else machine


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
