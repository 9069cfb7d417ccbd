"""The skills check's levels and the visitors' faces (issue 20) for the console's Usage tab,
without Qt.

From the counts kept at ingest (``skills_level`` keyed ``"<area>#<level>"``, ``task_feedback``
keyed ``"<task>#<face>"``, "-" for the visit as a whole; :data:`admin_console.store.rollups.
COUNTED`), over the filter's sites and period. As in the funder report, a count of 1 to
``min_count - 1`` is not shown (0 is shown as 0), and when exactly one count of a row is
hidden, the next smallest is hidden too, so that the row's other figures do not give it away.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from admin_console.read.usage import UsageFilter, daily_rows
from kiosk.wire.protocol import FACES, SKILL_AREAS, SKILL_LEVELS

LEVEL_ORDER = ("alone", "with_help", "not_yet")
FACE_ORDER = ("happy", "neutral", "sad")
VISIT = "-"  # the faces of "I'm done": the visit as a whole
MIN_COUNT = 5  # as the report's default (admin_console.read.reports.DEFAULT_MIN_COUNT)
assert set(LEVEL_ORDER) == SKILL_LEVELS and set(FACE_ORDER) == FACES


def suppressed(row: dict[str, int], min_count: int = MIN_COUNT) -> dict[str, int | None]:
    """A row's counts with those of 1 to ``min_count - 1`` as None, and their complement."""
    shown: dict[str, int | None] = {
        key: (None if 0 < n < min_count else n) for key, n in row.items()
    }
    hidden = [key for key, n in shown.items() if n is None]
    if len(hidden) == 1:
        others = sorted((n, key) for key, n in shown.items() if n)
        if others:
            shown[others[0][1]] = None
    return shown


@dataclass(frozen=True)
class SkillsFigures:
    levels: dict[str, dict[str, int]] = field(default_factory=dict)  # area: level: checks
    faces: dict[str, dict[str, int]] = field(default_factory=dict)  # task or "-": face: taps

    @property
    def checks(self) -> int:
        """How many skills checks were finished (each counts once per area)."""
        return max((sum(row.values()) for row in self.levels.values()), default=0)

    @property
    def empty(self) -> bool:
        return not self.checks and not any(sum(row.values()) for row in self.faces.values())

    def shown_levels(self, min_count: int = MIN_COUNT) -> dict[str, dict[str, int | None]]:
        return {area: suppressed(row, min_count) for area, row in self.levels.items()}

    def shown_faces(self, min_count: int = MIN_COUNT) -> dict[str, dict[str, int | None]]:
        return {task: suppressed(row, min_count) for task, row in self.faces.items()}


def skills_figures(engine: Engine, usage: UsageFilter) -> SkillsFigures:
    """The levels per area and the faces per task in the filter's period and sites."""
    with engine.connect() as connection:
        rows = daily_rows(connection, usage, ["skills_level", "task_feedback"])
    levels: dict[str, Counter[str]] = {area: Counter() for area in SKILL_AREAS}
    faces: dict[str, Counter[str]] = {}
    for kind, key, n in rows:
        first, _, second = str(key).partition("#")
        if kind == "skills_level" and first in levels and second in SKILL_LEVELS:
            levels[first][second] += int(n)
        elif kind == "task_feedback" and second in FACES:
            faces.setdefault(first, Counter())[second] += int(n)
    return SkillsFigures(
        {area: {level: row[level] for level in LEVEL_ORDER} for area, row in levels.items()},
        {
            task: {face: row[face] for face in FACE_ORDER}
            for task, row in sorted(faces.items(), key=lambda item: -sum(item[1].values()))
        },
    )
