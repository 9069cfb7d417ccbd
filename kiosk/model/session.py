"""The visit's clock, without Qt: idle → active → warning → ended (WCAG 2.2.1 timing adjustable).

The visitor is warned before an idle reset and keeps the visit with one simple action, as many
times as the policy allows (never fewer than ten). A maximum visit length and the corner's
closing time end the visit too, announced five minutes ahead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum


class Phase(StrEnum):
    IDLE = "idle"
    ACTIVE = "active"
    WARNING = "warning"
    ENDED = "ended"


class PolicyError(ValueError):
    """A session policy that would break the visitor's rights; the message says which."""


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class OpeningHours:
    """Per weekday (0 = Monday), the periods the corner is open. Empty: always open."""

    periods: Mapping[int, Sequence[tuple[time, time]]] = field(default_factory=dict)

    @classmethod
    def parse(cls, table: Mapping[str, object]) -> OpeningHours:
        """From TOML: ``mon = ["09:00-12:00", "13:30-17:00"]``."""
        periods: dict[int, list[tuple[time, time]]] = {}
        for day, spans in table.items():
            if day not in WEEKDAYS or not isinstance(spans, list):
                raise PolicyError(f"opening hours: {day!r} must be one of {', '.join(WEEKDAYS)}")
            for span in spans:
                try:
                    start, end = (time.fromisoformat(part) for part in str(span).split("-"))
                except ValueError:
                    raise PolicyError(f"opening hours: {span!r} is not like 09:00-12:00") from None
                if end <= start:
                    raise PolicyError(f"opening hours: {span!r} ends before it starts")
                periods.setdefault(WEEKDAYS.index(day), []).append((start, end))
        return cls(periods)

    @property
    def always_open(self) -> bool:
        return not self.periods

    def closes_at(self, moment: datetime) -> datetime | None:
        """When the current opening period ends; None when closed now (or always open)."""
        for start, end in self.periods.get(moment.weekday(), ()):
            if start <= moment.time() < end:
                return datetime.combine(moment.date(), end, moment.tzinfo)
        return None

    def is_open(self, moment: datetime) -> bool:
        return self.always_open or self.closes_at(moment) is not None


@dataclass(frozen=True)
class SessionPolicy:
    idle_timeout_s: float = 300.0
    warning_s: float = 30.0
    max_extensions: int | None = None  # None: as many as the visitor needs
    max_session_s: float | None = None
    end_notice_s: float = 300.0
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

    def tick(self) -> Tick:
        if self.phase in (Phase.IDLE, Phase.ENDED):
            return Tick(self.phase)
        now = self._monotonic()
        ends_in = self._ends_in(now)
        if ends_in is not None and ends_in <= 0:
            self.phase = Phase.ENDED
            return Tick(Phase.ENDED, end_reason="time_limit")
        idle_for = now - self._last_activity
        left = self.policy.idle_timeout_s - idle_for
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


def policy_from_config(table: Mapping[str, object]) -> SessionPolicy:
    """The ``[session]`` table of the kiosk config."""

    def number(name: str, default: float | None) -> float | None:
        value = table.get(name, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PolicyError(f"[session] {name} must be a number")
        return float(value)

    hours = table.get("opening_hours", {})
    if not isinstance(hours, dict):
        raise PolicyError("[session] opening_hours must be a table like mon = ['09:00-12:00']")
    extensions = table.get("max_extensions")
    if extensions is not None and not isinstance(extensions, int):
        raise PolicyError("[session] max_extensions must be a whole number")
    return SessionPolicy(
        idle_timeout_s=number("idle_timeout_s", 300.0) or 300.0,
        warning_s=number("warning_s", 30.0) or 30.0,
        max_extensions=extensions,
        max_session_s=number("max_session_s", None),
        end_notice_s=number("end_notice_s", 300.0) or 300.0,
        opening_hours=OpeningHours.parse(hours),
    )


def minutes(seconds: float) -> int:
    """Whole minutes to show a visitor, never 0 for a positive time."""
    return max(1, round(timedelta(seconds=seconds).total_seconds() / 60))
