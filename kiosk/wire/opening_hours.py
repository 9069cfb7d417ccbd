"""Opening hours: one format and one parser for every config file of the suite, without Qt.

The format is a table of days, each with the periods the corner is open::

    [session.opening_hours]          # the kiosk's kiosk.toml
    mon-fri = ["09:00-12:00", "13:30-17:00"]
    sat = ["10:00-12:00"]

    [fleet.opening_hours]            # the admin console's config: the same
    mon-sat = ["09:00-17:00"]

A key is a day (``mon`` … ``sun``) or a range of days (``mon-fri``; ``fri-mon`` wraps around
the week); a value is a list of ``HH:MM-HH:MM`` periods. A day left out is closed; an empty
table means always open. Periods of one day may not overlap.

The admin console's former ``[fleet]`` keys, ``opening_days = "mon-sat"`` (or a list of days)
with ``opening_hours = "09:00-17:00"``, are still read, through :func:`from_days_and_span`, and
mean the same as ``[fleet.opening_hours] mon-sat = ["09:00-17:00"]``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from itertools import pairwise

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EXAMPLE = 'mon-fri = ["09:00-12:00", "13:30-17:00"]'
_SPAN_RE = re.compile(
    r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*-\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$"
)

Period = tuple[time, time]


class OpeningHoursError(ValueError):
    """Opening hours that cannot be read; ``key`` is the day (or range) at fault, if any."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


def parse_days(text: str) -> list[int]:
    """``mon``, ``mon-fri`` (``fri-mon`` wraps around): the weekdays, 0 = Monday."""
    first, _, last = text.strip().lower().partition("-")
    first, last = first.strip(), last.strip()
    if first not in WEEKDAYS or (last and last not in WEEKDAYS):
        raise OpeningHoursError(
            f"{text!r} must be one of {', '.join(WEEKDAYS)}, or a range of them like mon-fri", text
        )
    start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
    return list(range(start, end + 1)) if start <= end else [*range(start, 7), *range(end + 1)]


def parse_span(text: object, key: str | None = None) -> Period:
    """``"09:00-12:00"``: when it opens and when it closes, the same day."""
    match = _SPAN_RE.match(text) if isinstance(text, str) else None
    if match is None:
        raise OpeningHoursError(f"{text!r} is not a period like 09:00-12:00", key)
    h1, m1, s1, h2, m2, s2 = match.groups()
    try:
        opens = time(int(h1), int(m1), int(s1 or 0))
        closes = time(int(h2), int(m2), int(s2 or 0))
    except ValueError:
        raise OpeningHoursError(f"{text!r} is not a time of day like 09:00-12:00", key) from None
    if closes <= opens:
        raise OpeningHoursError(f"{text!r} closes before it opens", key)
    return opens, closes


def _short(moment: time) -> str:
    return f"{moment:%H:%M:%S}" if moment.second else f"{moment:%H:%M}"


@dataclass(frozen=True)
class OpeningHours:
    """Per weekday (0 = Monday), the periods the corner is open, in order. Empty: always open."""

    periods: Mapping[int, Sequence[Period]] = field(default_factory=dict)

    @classmethod
    def parse(cls, table: Mapping[str, object]) -> OpeningHours:
        """From the config table: ``{"mon-fri": ["09:00-12:00", "13:30-17:00"]}``."""
        periods: dict[int, list[Period]] = {}
        for key, spans in table.items():
            days = parse_days(key)
            if not isinstance(spans, list):
                raise OpeningHoursError(
                    f'{key} must be a list of periods, like {key} = ["09:00-17:00"]', key
                )
            parsed = [parse_span(span, key) for span in spans]
            for day in days:
                periods.setdefault(day, []).extend(parsed)
        for day, spans in periods.items():
            spans.sort()
            for (_, closes), (opens, _) in pairwise(spans):
                if opens < closes:
                    raise OpeningHoursError(
                        f"the periods of {WEEKDAYS[day]} overlap ({_short(opens)} is before "
                        f"{_short(closes)})",
                        _key_of(table, day),
                    )
        return cls(dict(sorted(periods.items())))

    @property
    def always_open(self) -> bool:
        return not self.periods

    def period_at(self, moment: datetime) -> Period | None:
        """The period ``moment`` (local time) falls in; None when closed (or always open)."""
        for opens, closes in self.periods.get(moment.weekday(), ()):
            if opens <= moment.time() < closes:
                return opens, closes
        return None

    def closes_at(self, moment: datetime) -> datetime | None:
        """When the current opening period ends; None when closed now (or always open)."""
        period = self.period_at(moment)
        return None if period is None else datetime.combine(moment.date(), period[1], moment.tzinfo)

    def opened_at(self, moment: datetime) -> datetime | None:
        """When the current opening period began; None when closed now (or always open)."""
        period = self.period_at(moment)
        return None if period is None else datetime.combine(moment.date(), period[0], moment.tzinfo)

    def is_open(self, moment: datetime) -> bool:
        return self.always_open or self.period_at(moment) is not None

    def describe(self) -> str:
        """``mon–fri 09:00–12:00, 13:30–17:00; sat 10:00–12:00``; ``always open``."""
        if self.always_open:
            return "always open"
        groups: list[tuple[int, int, Sequence[Period]]] = []
        for day in sorted(self.periods):
            spans = self.periods[day]
            if groups and groups[-1][1] == day - 1 and list(groups[-1][2]) == list(spans):
                groups[-1] = (groups[-1][0], day, spans)
            else:
                groups.append((day, day, spans))
        return "; ".join(
            (WEEKDAYS[first] if first == last else f"{WEEKDAYS[first]}–{WEEKDAYS[last]}")
            + " "
            + ", ".join(f"{_short(opens)}–{_short(closes)}" for opens, closes in spans)
            for first, last, spans in groups
        )


def _key_of(table: Mapping[str, object], day: int) -> str | None:
    """The last key of the table that names ``day`` (where an overlap shows)."""
    found = None
    for key in table:
        try:
            if day in parse_days(key):
                found = key
        except OpeningHoursError:
            continue
    return found


def from_days_and_span(days: str | Sequence[str], span: str) -> OpeningHours:
    """The admin console's former format: ``opening_days = "mon-sat"`` (also ``"mon,wed"`` or
    a list of days and ranges) and ``opening_hours = "09:00-17:00"``, the same every day."""
    items = [days] if isinstance(days, str) else list(days)
    names = [part for item in items for part in str(item).split(",")]
    period = parse_span(span)
    chosen = sorted({day for name in names for day in parse_days(name)})
    return OpeningHours({day: [period] for day in chosen})
