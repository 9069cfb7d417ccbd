"""The visit's clock, without Qt: idle → active → warning → ended (WCAG 2.2.1 timing adjustable).

The visitor is warned before an idle reset and keeps the visit with one simple action, as many
times as the policy allows (never fewer than ten). A maximum visit length and the corner's
closing time end the visit too, announced five minutes ahead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from kiosk.wire.config import ConfigError, check
from kiosk.wire.config_schema import SessionTable
from kiosk.wire.opening_hours import OpeningHours as _OpeningHours
from kiosk.wire.opening_hours import OpeningHoursError


class Phase(StrEnum):
    IDLE = "idle"
    ACTIVE = "active"
    WARNING = "warning"
    ENDED = "ended"


class PolicyError(ValueError):
    """A session policy that would break the visitor's rights; the message says which."""


class OpeningHours(_OpeningHours):
    """Per weekday (0 = Monday), the periods the corner is open. Empty: always open. The one
    format and parser of the suite (kiosk.wire.opening_hours); here, errors are PolicyErrors."""

    @classmethod
    def parse(cls, table: Mapping[str, object]) -> OpeningHours:
        """From TOML: ``mon = ["09:00-12:00", "13:30-17:00"]``, ``mon-fri = [...]``."""
        try:
            return cls(_OpeningHours.parse(table).periods)
        except OpeningHoursError as err:
            where = f"opening hours, {err.key}" if err.key else "opening hours"
            raise PolicyError(f"{where}: {err}") from None


@dataclass(frozen=True)
class SessionPolicy:
    idle_timeout_s: float = 300.0
    warning_s: float = 30.0
    max_extensions: int | None = None  # None: as many as the visitor needs
    max_session_s: float | None = None
    end_notice_s: float = 300.0
    # Waiting for a buddy is not idleness: the idle end comes after this long (never sooner
    # than idle_timeout_s), with the same warning.
    help_wait_check_s: float = 1200.0
    opening_hours: OpeningHours = field(default_factory=OpeningHours)

    def __post_init__(self) -> None:
        if self.warning_s < 20:
            raise PolicyError("the idle warning must give at least 20 seconds (WCAG 2.2.1)")
        if self.idle_timeout_s <= self.warning_s:
            raise PolicyError("the idle timeout must be longer than its warning")
        if self.max_extensions is not None and self.max_extensions < 10:
            raise PolicyError("a visitor must be able to extend at least 10 times (WCAG 2.2.1)")


@dataclass(frozen=True)
class Tick:
    """What the screen should show now."""

    phase: Phase
    warning_left_s: float | None = None  # counting down to the idle reset
    ends_in_s: float | None = None  # the visit ends soon (time limit or closing time)
    end_reason: str | None = None  # set once, when the visit just ended


class SessionClock:
    """Keeps time for one visit at a time. ``monotonic`` measures, ``wall`` knows the hours."""

    def __init__(
        self,
        policy: SessionPolicy,
        monotonic: Callable[[], float],
        wall: Callable[[], datetime],
    ) -> None:
        self.policy = policy
        self._monotonic = monotonic
        self._wall = wall
        self.phase = Phase.IDLE
        self.extensions = 0
        self._started = 0.0
        self._last_activity = 0.0
        self._closes_at: datetime | None = None
        self.waiting_for_help = False

    def can_start(self) -> bool:
        return self.policy.opening_hours.is_open(self._wall())

    def start(self) -> None:
        now = self._monotonic()
        self.phase = Phase.ACTIVE
        self.extensions = 0
        self._started = now
        self._last_activity = now
        self._closes_at = self.policy.opening_hours.closes_at(self._wall())

    def activity(self) -> None:
        """The visitor did something; during the warning, that counts as 'I'm still here'."""
        if self.phase is Phase.WARNING:
            self.extend()
        elif self.phase is Phase.ACTIVE:
            self._last_activity = self._monotonic()

    def extend(self) -> bool:
        """'I'm still here'. False when the policy's extensions are used up."""
        if self.phase is not Phase.WARNING:
            return self.phase is Phase.ACTIVE
        limit = self.policy.max_extensions
        if limit is not None and self.extensions >= limit:
            return False
        self.extensions += 1
        self.phase = Phase.ACTIVE
        self._last_activity = self._monotonic()
        return True

    def end(self) -> None:
        self.phase = Phase.ENDED

    def reset(self) -> None:
        self.phase = Phase.IDLE

    def set_waiting(self, waiting: bool) -> None:
        """The visitor is waiting for a buddy (a call open or claimed): waiting is not idleness.

        The idle end then comes only after ``help_wait_check_s`` without input (with the same
        warning). When the wait is over (the buddy came, the call was cancelled), a whole idle
        period starts: the visitor has just been helped, not idle for the wait's length."""
        if self.waiting_for_help and not waiting and self.phase is Phase.ACTIVE:
            self._last_activity = self._monotonic()
        self.waiting_for_help = waiting

    def tick(self) -> Tick:
        if self.phase in (Phase.IDLE, Phase.ENDED):
            return Tick(self.phase)
        now = self._monotonic()
        ends_in = self._ends_in(now)
        if ends_in is not None and ends_in <= 0:
            self.phase = Phase.ENDED
            return Tick(Phase.ENDED, end_reason="time_limit")
        idle_for = now - self._last_activity
        timeout = self.policy.idle_timeout_s
        if self.waiting_for_help:
            timeout = max(timeout, self.policy.help_wait_check_s)
        left = timeout - idle_for
        if left <= 0:
            self.phase = Phase.ENDED
            return Tick(Phase.ENDED, end_reason="idle")
        if left <= self.policy.warning_s:
            self.phase = Phase.WARNING
        notice = ends_in if ends_in is not None and ends_in <= self.policy.end_notice_s else None
        warning_left = left if self.phase is Phase.WARNING else None
        return Tick(self.phase, warning_left_s=warning_left, ends_in_s=notice)

    def _ends_in(self, now: float) -> float | None:
        limits: list[float] = []
        if self.policy.max_session_s is not None:
            limits.append(self.policy.max_session_s - (now - self._started))
        if self._closes_at is not None:
            limits.append((self._closes_at - self._wall()).total_seconds())
        return min(limits) if limits else None


def policy_from_config(table: SessionTable | Mapping[str, object]) -> SessionPolicy:
    """The ``[session]`` table of the kiosk config: checked by its schema
    (``kiosk.wire.config_schema.SessionTable``), or a mapping checked here."""
    if not isinstance(table, SessionTable):
        try:
            table = check(table, SessionTable, prefix=("session",))
        except ConfigError as err:
            raise PolicyError(str(err).removeprefix("config: ")) from None
    return SessionPolicy(
        idle_timeout_s=table.idle_timeout_s,
        warning_s=table.warning_s,
        max_extensions=table.max_extensions,
        max_session_s=table.max_session_s,
        end_notice_s=table.end_notice_s,
        help_wait_check_s=table.help_wait_check_s,
        opening_hours=OpeningHours.parse(table.opening_hours),
    )


def minutes(seconds: float) -> int:
    """Whole minutes to show a visitor, never 0 for a positive time."""
    return max(1, round(timedelta(seconds=seconds).total_seconds() / 60))
