"""The periods a funder report covers: a month, a quarter, a year, or any days (no Qt).

``--month 2026-03``, ``--quarter 2026-Q1``, ``--year 2026`` or ``--from``/``--to``: each is a
:class:`ReportPeriod`, a :class:`~admin_console.read.usage.Period` of local days with its kind,
so that the report can say "March 2026" or "first quarter 2026" in its language, and warn when
the period is not over yet (its figures will still change).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from admin_console.read.usage import Period

KINDS = ("month", "quarter", "year", "custom")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodFormatError(ValueError):
    """A period written in a form the report does not know."""


@dataclass(frozen=True)
class ReportPeriod:
    kind: str  # one of KINDS
    period: Period

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def end(self) -> date:
        return self.period.end

    def not_over(self, today: date) -> bool:
        """True while the period's last day has not passed (today counts as not over)."""
        return self.period.end >= today

    def quarter(self) -> int:
        return (self.period.start.month - 1) // 3 + 1


def _last_day(year: int, month: int) -> date:
    first_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first_next - timedelta(days=1)


def month(year: int, number: int) -> ReportPeriod:
    return ReportPeriod("month", Period(date(year, number, 1), _last_day(year, number)))


def quarter(year: int, number: int) -> ReportPeriod:
    if not 1 <= number <= 4:
        raise PeriodFormatError(f"quarter {number}: a quarter is 1 to 4")
    first = 3 * (number - 1) + 1
    return ReportPeriod("quarter", Period(date(year, first, 1), _last_day(year, first + 2)))


def year(number: int) -> ReportPeriod:
    return ReportPeriod("year", Period(date(number, 1, 1), date(number, 12, 31)))


def custom(start: date, end: date) -> ReportPeriod:
    """Any days; a whole month, quarter or year is named as such."""
    for found in (month(start.year, start.month), quarter(start.year, (start.month - 1) // 3 + 1)):
        if found.period == Period(start, end):
            return found
    if Period(start, end) == year(start.year).period:
        return year(start.year)
    return ReportPeriod("custom", Period(start, end))


def parse_month(text: str) -> ReportPeriod:
    found = _MONTH.match(text.strip())
    if not found or not 1 <= int(found[2]) <= 12:
        raise PeriodFormatError(f"{text!r} is not a month like 2026-03")
    return month(int(found[1]), int(found[2]))


def parse_quarter(text: str) -> ReportPeriod:
    found = _QUARTER.match(text.strip())
    if not found:
        raise PeriodFormatError(f"{text!r} is not a quarter like 2026-Q1")
    return quarter(int(found[1]), int(found[2]))


def parse_year(text: str) -> ReportPeriod:
    found = _YEAR.match(text.strip())
    if not found:
        raise PeriodFormatError(f"{text!r} is not a year like 2026")
    return year(int(found[1]))
