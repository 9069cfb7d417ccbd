"""A buddy's permanence at the desk, without Qt: may this check-in or check-out be sent, is this
the last buddy leaving calls behind, and is this computer's clock right.

The queue keeper (``admin-console serve``) keeps who is on duty (``_site/duty``, retained) and
treats a duplicate check-in or a check-out without check-in as a no-op; the desk says so in
words *before* sending (docs/protocol.md, "Check-in"). Until the roster has come (no queue
keeper yet, or no broker), the desk goes by what it sent itself.
Never imports Qt; never logs a buddy's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kiosk.wire.protocol import CheckIn, DutyRoster, new_id, utc_now

CLOCK_TOLERANCE = timedelta(minutes=2)


class DutyStep(StrEnum):
    SEND = "send"  # send it
    ALREADY_IN = "already_in"  # checked in already: nothing sent
    NOT_IN = "not_in"  # a check-out without check-in: nothing sent
    ASK_LAST = "ask_last"  # the last buddy on duty leaves calls waiting: ask first


@dataclass(frozen=True)
class DutyAnswer:
    step: DutyStep
    since: datetime | None = None  # for ALREADY_IN: since when


class DutyBook:
    """What one desk knows about who is on duty at its site."""

    def __init__(self) -> None:
        self.roster: DutyRoster | None = None  # the queue keeper's, once it came
        self._mine: dict[str, tuple[str, datetime]] = {}  # what this desk sent, by _key(name)

    def take_roster(self, roster: DutyRoster) -> None:
        """The retained roster: the truth from now on (it counts what every desk sent)."""
        self.roster = roster
        self._mine.clear()

    def since(self, buddy: str) -> datetime | None:
        """Since when ``buddy`` is on duty, or None."""
        if self.roster is not None:
            found = self.roster.has(buddy)
            if found is not None:
                return found.since
        mine = self._mine.get(_key(buddy))
        return None if mine is None else mine[1]

    def on_duty(self) -> list[tuple[str, datetime]]:
        """Who is checked in, longest first (the roster's, plus what this desk sent since)."""
        roster = self.roster.buddies if self.roster is not None else ()
        people = {_key(b.buddy): (b.buddy, b.since) for b in roster}
        for key, (name, since) in self._mine.items():
            people.setdefault(key, (name, since))
        return sorted(people.values(), key=lambda item: item[1])

    def check_in(self, buddy: str) -> DutyAnswer:
        since = self.since(buddy)
        if since is not None:
            return DutyAnswer(DutyStep.ALREADY_IN, since)
        return DutyAnswer(DutyStep.SEND)

    def check_out(self, buddy: str, calls_waiting: int) -> DutyAnswer:
        if self.since(buddy) is None:
            return DutyAnswer(DutyStep.NOT_IN)
        others = [name for name, _ in self.on_duty() if _key(name) != _key(buddy)]
        if not others and calls_waiting > 0:
            return DutyAnswer(DutyStep.ASK_LAST)
        return DutyAnswer(DutyStep.SEND)

    def sent(self, checkin: CheckIn) -> None:
        """Remember what this desk sent, until the roster says otherwise."""
        key = _key(checkin.buddy)
        if checkin.state == "in":
            self._mine[key] = (checkin.buddy, checkin.ts)
        else:
            self._mine.pop(key, None)
            if self.roster is not None:
                kept = tuple(b for b in self.roster.buddies if b.buddy.casefold() != key)
                self.roster = DutyRoster(self.roster.ts, kept)


def _key(buddy: str) -> str:
    return buddy.strip().casefold()


def make_checkin(buddy: str, state: str, now: datetime | None = None) -> CheckIn:
    """A check-in (``in``) or check-out (``out``) with a fresh id (the same one delivered twice
    counts once)."""
    return CheckIn(new_id(), now or utc_now(), buddy.strip(), state)


def clock_skew(sent: datetime, now: datetime) -> timedelta | None:
    """How far this computer's clock (``now``) is off the queue keeper's (``sent``, the ``ts``
    of a fresh queue message), when more than two minutes; else None. Positive: ahead."""
    skew = now - sent
    return skew if abs(skew) > CLOCK_TOLERANCE else None
