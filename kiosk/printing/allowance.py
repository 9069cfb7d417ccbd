"""How many pages a visitor may still print: a limit per visit and a limit per day for the PC.

The day's count is kept in the kiosk's data folder (one number per date, no document, no
visitor), so that a restart does not give a new day's worth of pages. The visit's count lives
as long as the visit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class PrintLimits:
    per_visit: int = 20  # pages (sheets × copies)
    per_day: int = 200


@dataclass(frozen=True)
class Refusal:
    """A print that would pass a limit: how many pages are left and which limit it is."""

    wanted: int
    left: int
    limit: str  # "visit" or "day"


class DayCounter:
    """Pages printed on this PC per day, in ``folder/print-pages.json``; crash-safe writes."""

    def __init__(self, folder: Path) -> None:
        self._path = folder / "print-pages.json"

    def pages(self, day: date) -> int:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        value = data.get(day.isoformat()) if isinstance(data, dict) else None
        return value if isinstance(value, int) and value >= 0 else 0

    def add(self, day: date, pages: int) -> None:
        total = self.pages(day) + pages
        self._path.parent.mkdir(parents=True, exist_ok=True)
        part = self._path.with_suffix(".tmp")
        part.write_text(json.dumps({day.isoformat(): total}), encoding="utf-8")
        part.replace(self._path)  # only today's number is kept


@dataclass
class VisitPrints:
    """What this visit printed: its pages and its CUPS jobs (cancelled when the visit ends)."""

    limits: PrintLimits
    counter: DayCounter
    pages: int = 0
    jobs: list[str] = field(default_factory=list)

    def left(self, today: date) -> int:
        visit_left = self.limits.per_visit - self.pages
        day_left = self.limits.per_day - self.counter.pages(today)
        return max(0, min(visit_left, day_left))

    def check(self, wanted: int, today: date) -> Refusal | None:
        """None when ``wanted`` pages may be printed now, else why not."""
        visit_left = max(0, self.limits.per_visit - self.pages)
        day_left = max(0, self.limits.per_day - self.counter.pages(today))
        if wanted > day_left and day_left < visit_left:
            return Refusal(wanted, day_left, "day")
        if wanted > visit_left:
            return Refusal(wanted, visit_left, "visit")
        return None

    def record(self, job: str, pages: int, today: date) -> None:
        self.jobs.append(job)
        self.pages += pages
        self.counter.add(today, pages)

    def end(self) -> list[str]:
        """The visit is over: its jobs (to cancel), and a fresh count for the next visitor."""
        jobs, self.jobs, self.pages = self.jobs, [], 0
        return jobs
