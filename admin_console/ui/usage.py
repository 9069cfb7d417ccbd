"""Usage tab: what visitors come for and where they give up, as charts over sites and a period;
the pages printed per site and per guided task when any were (issue 19)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from PySide6.QtCore import QDate, QLocale
from PySide6.QtWidgets import QGridLayout, QScrollArea, QVBoxLayout, QWidget
from sqlalchemy.engine import Engine

from admin_console.read.help import HelpDay, HelpWaits, help_per_day, help_waits
from admin_console.read.help_loop import NOT_SAID, HelpLoopFigures, help_loop_figures
from admin_console.read.printing import OUTSIDE_TASK, PrintedPages, printed_pages
from admin_console.read.skills import MIN_COUNT, VISIT, SkillsFigures, skills_figures
from admin_console.read.usage import (
    TaskFunnel,
    UsageFilter,
    languages,
    sessions_per_day,
    task_funnels,
    unit_for,
    visits_by_hour,
)
from admin_console.ui.charts import QtHeatmap, bar_chart, bars_with_line, pie_chart
from admin_console.ui.filters import QtFilterBar
from admin_console.ui.language import N_, tr
from admin_console.ui.widgets import QtTile, format_duration, no_data_label
from admin_console.ui.worker import QtDatabase


@dataclass(frozen=True)
class UsageData:
    usage: UsageFilter
    unit: str
    sessions: list[tuple[date, int]]
    hours: dict[tuple[int, int], int]
    tasks: list[TaskFunnel]
    langs: dict[str, int]
    help_days: list[HelpDay]
    waits: HelpWaits
    loop: HelpLoopFigures
    printed: PrintedPages = field(default_factory=PrintedPages)
    skills: SkillsFigures = field(default_factory=SkillsFigures)

    @property
    def empty(self) -> bool:
        return not any(n for _, n in self.sessions) and not self.waits.calls


def load_usage(engine: Engine, usage: UsageFilter) -> UsageData:
    """Everything the tab shows, in one worker job (a handful of rollup queries)."""
    unit = unit_for(usage.period)
    return UsageData(
        usage,
        unit,
        sessions_per_day(engine, usage, unit),
        visits_by_hour(engine, usage),
        task_funnels(engine, usage),
        languages(engine, usage),
        help_per_day(engine, usage, unit),
        help_waits(engine, usage),
        help_loop_figures(engine, usage),
        printed_pages(engine, usage),
        skills_figures(engine, usage),
    )


# The wait bands of admin_console.read.help (WAIT_BANDS), translated where they are shown.
WAIT_BANDS = (
    N_("QtUsageTab", "under 1 min"),
    N_("QtUsageTab", "1-2 min"),
    N_("QtUsageTab", "2-5 min"),
    N_("QtUsageTab", "5-10 min"),
    N_("QtUsageTab", "10-20 min"),
    N_("QtUsageTab", "over 20 min"),
)


# How a buddy closed a call (protocol.HelpOutcome, and read.help_loop.NOT_SAID).
OUTCOME_WORDS = {
    "solved": N_("QtUsageTab", "solved"),
    "partly": N_("QtUsageTab", "partly solved"),
    "referred": N_("QtUsageTab", "referred to a partner"),
    "left": N_("QtUsageTab", "visitor had left"),
    NOT_SAID: N_("QtUsageTab", "not said"),
}
# The topics of config_schema.DEFAULT_TOPICS; a site's own topic is shown as it is written.
TOPIC_WORDS = {
    "email": N_("QtUsageTab", "email"),
    "eid-itsme": N_("QtUsageTab", "eID and itsme"),
    "government-site": N_("QtUsageTab", "government website"),
    "banking": N_("QtUsageTab", "banking"),
    "printing-scanning": N_("QtUsageTab", "printing and scanning"),
    "smartphone": N_("QtUsageTab", "smartphones and tablets"),
    "files-photos": N_("QtUsageTab", "files and photos"),
    "other": N_("QtUsageTab", "something else"),
}


def outcome_word(key: str) -> str:
    return tr("QtUsageTab", OUTCOME_WORDS[key]) if key in OUTCOME_WORDS else key


def topic_word(key: str) -> str:
    return tr("QtUsageTab", TOPIC_WORDS[key]) if key in TOPIC_WORDS else key


def task_word(key: str) -> str:
    """A task's key as the charts show it; pages printed outside a guided task say so."""
    return tr("QtUsageTab", "outside a guided task") if key == OUTSIDE_TASK else key


def printing_charts(printed: PrintedPages) -> dict[str, QWidget]:
    """Pages printed per site (black and white, colour: stacked) and per guided task (the ten
    with the most pages); nothing when no page was printed."""
    if not printed.total:
        return {}
    sites = printed.sites[:12][::-1]  # the most pages on top
    tasks = list(printed.tasks.items())[:10][::-1]
    return {
        "printed_sites": bar_chart(
            tr(
                "QtUsageTab",
                "Pages printed per site: {n} in all, {color} in colour",
                n=printed.total,
                color=printed.color,
            ),
            [s.site for s in sites],
            {
                tr("QtUsageTab", "black and white"): [s.grey for s in sites],
                tr("QtUsageTab", "colour"): [s.color for s in sites],
            },
            horizontal=True,
            stacked=True,
        ),
        "printed_tasks": bar_chart(
            tr("QtUsageTab", "Pages printed per guided task"),
            [task_word(key) for key, _ in tasks],
            {tr("QtUsageTab", "pages"): [n for _, n in tasks]},
            horizontal=True,
        ),
    }


# The skills check's areas and levels, and the faces (issue 20), as the charts say them.
AREA_WORDS = {
    "information": N_("QtUsageTab", "finding information"),
    "communication": N_("QtUsageTab", "communication and collaboration"),
    "content": N_("QtUsageTab", "forms and documents"),
    "safety": N_("QtUsageTab", "safety"),
    "problems": N_("QtUsageTab", "solving problems"),
}
LEVEL_WORDS = {
    "alone": N_("QtUsageTab", "can do it alone"),
    "with_help": N_("QtUsageTab", "with help"),
    "not_yet": N_("QtUsageTab", "not yet"),
}
FACE_WORDS = {
    "happy": N_("QtUsageTab", "it worked"),
    "neutral": N_("QtUsageTab", "partly"),
    "sad": N_("QtUsageTab", "it did not work"),
}


def skills_charts(skills: SkillsFigures) -> dict[str, QWidget]:
    """The levels per area of the skills checks, and the faces per guided task ("-": on
    "I'm done"); counts of 1 to 4 are not drawn (as in the report); nothing without data."""
    charts: dict[str, QWidget] = {}
    if skills.checks:
        shown = skills.shown_levels()
        areas = list(shown)[::-1]  # the first area on top
        charts["skills_levels"] = bar_chart(
            tr(
                "QtUsageTab",
                "Skills check: level per area ({n} checks; counts under {min} not shown)",
                n=skills.checks,
                min=MIN_COUNT,
            ),
            [tr("QtUsageTab", AREA_WORDS[area]) for area in areas],
            {
                tr("QtUsageTab", LEVEL_WORDS[level]): [shown[area][level] or 0 for area in areas]
                for level in LEVEL_WORDS
            },
            horizontal=True,
            stacked=True,
        )
    faces = skills.shown_faces()
    if any(any(row.values()) for row in faces.values()):
        tasks = list(faces)[:10][::-1]  # the most answered on top
        names = [
            tr("QtUsageTab", "the visit as a whole") if task == VISIT else task for task in tasks
        ]
        charts["feedback"] = bar_chart(
            tr(
                "QtUsageTab",
                "Did it work? The faces per guided task (counts under {min} not shown)",
                min=MIN_COUNT,
            ),
            names,
            {
                tr("QtUsageTab", FACE_WORDS[face]): [faces[task][face] or 0 for task in tasks]
                for face in FACE_WORDS
            },
            horizontal=True,
            stacked=True,
        )
    return charts


def decimal(value: float, places: int = 1) -> str:
    """A number with a decimal comma or point, as the console's language writes it."""
    return QLocale().toString(float(value), "f", places)


def staffed_caption(loop: HelpLoopFigures) -> str:
    """What the calls-per-staffed-hour tile says under its number."""
    if not loop.shifts_recorded:
        return tr("QtUsageTab", "help calls per staffed hour: no buddy shifts recorded")
    hours = decimal(loop.load.staffed_hours)
    return tr(
        "QtUsageTab",
        "help calls per staffed hour ({calls} of {total} calls in {hours} staffed hours)",
        calls=loop.load.calls_staffed,
        total=loop.load.calls,
        hours=hours,
    )


def _label(day: date, unit: str) -> str:
    """A day, or a month in the console's language (Qt's month names, not the C locale's)."""
    if unit == "month":
        return QLocale().toString(QDate(day.year, day.month, day.day), "MMM yyyy")
    return day.strftime("%d/%m")


class QtUsageTab(QWidget):
    def __init__(
        self,
        db: QtDatabase,
        today: Callable[[], date],
        parent: QWidget | None = None,
        *,
        timezone: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.timezone = timezone  # [fleet] timezone: the hours of the week are local there
        self.data: UsageData | None = None
        self._ticket = 0
        layout = QVBoxLayout(self)
        self.filters = QtFilterBar(today)
        self.filters.changed.connect(self.load)
        layout.addWidget(self.filters)
        tiles = QGridLayout()
        self.tiles = {
            "sessions": QtTile(tr("QtUsageTab", "sessions")),
            "tasks": QtTile(tr("QtUsageTab", "guided tasks started")),
            "completed": QtTile(tr("QtUsageTab", "of them completed")),
            "help": QtTile(tr("QtUsageTab", "help calls")),
            "wait": QtTile(tr("QtUsageTab", "median wait for a buddy")),
            "staffed": QtTile(tr("QtUsageTab", "help calls per staffed hour")),
            "helping": QtTile(tr("QtUsageTab", "median time spent helping")),
        }
        for column, tile in enumerate(self.tiles.values()):
            tiles.addWidget(tile, 0, column)
        layout.addLayout(tiles)
        self.empty = no_data_label(tr("QtUsageTab", "No data for this period and these sites."))
        layout.addWidget(self.empty)
        self.chart_area = QScrollArea()
        self.chart_area.setWidgetResizable(True)
        layout.addWidget(self.chart_area, 1)
        self.charts: dict[str, QWidget] = {}

    def refresh(self) -> None:
        self.filters.apply()

    def load(self, usage: UsageFilter) -> None:
        if self.timezone:
            usage = replace(usage, timezone=self.timezone)
        self._ticket = self.db.submit(lambda engine: load_usage(engine, usage), self._loaded)

    def _loaded(self, data: UsageData) -> None:
        self.data = data
        self.empty.setVisible(data.empty)
        self.chart_area.setVisible(not data.empty)
        started = sum(t.started for t in data.tasks)
        completed = sum(t.completed for t in data.tasks)
        self.tiles["sessions"].set_value(str(sum(n for _, n in data.sessions)))
        self.tiles["tasks"].set_value(str(started))
        self.tiles["completed"].set_value(f"{100 * completed / started:.0f}%" if started else "–")
        self.tiles["help"].set_value(str(data.waits.calls))
        self.tiles["wait"].set_value(format_duration(data.waits.median_wait_s))
        per_hour = data.loop.load.per_hour
        self.tiles["staffed"].set_value("–" if per_hour is None else decimal(per_hour))
        self.tiles["staffed"].caption.setText(staffed_caption(data.loop))
        self.tiles["helping"].set_value(format_duration(data.loop.median_handling_s))
        if not data.empty:
            self._draw(data)

    def _draw(self, data: UsageData) -> None:
        unit_name = {
            "day": tr("QtUsageTab", "day"),
            "week": tr("QtUsageTab", "week"),
            "month": tr("QtUsageTab", "month"),
        }
        labels = [_label(day, data.unit) for day, _ in data.sessions]
        tasks = data.tasks[:10]
        names = [t.task for t in tasks][::-1]  # the biggest on top
        steps = max((max(t.abandoned_at, default=0) for t in tasks), default=0) + 1
        give_up = {
            tr("QtUsageTab", "step {n}").format(n=s + 1): [t.abandoned_at.get(s, 0) for t in tasks][
                ::-1
            ]
            for s in range(steps)
        }
        self.heatmap = QtHeatmap(tr("QtUsageTab", "Sessions by hour of the week"))
        self.heatmap.set_values(data.hours)
        loop = data.loop
        self.wait_heatmap = QtHeatmap(
            tr("QtUsageTab", "Median wait for a buddy by hour of the week: minutes (calls)")
        )
        self.wait_heatmap.set_values(
            {cell: w.median_wait_s / 60 for cell, w in loop.wait_by_hour.items()},
            {
                cell: f"{decimal(w.median_wait_s / 60)} ({w.calls})"
                for cell, w in loop.wait_by_hour.items()
            },
        )
        topics = list(loop.topics.items())[:10][::-1]  # the most ticked on top
        self.charts = {
            "sessions": bar_chart(
                tr("QtUsageTab", "Sessions per {unit}").format(unit=unit_name[data.unit]),
                labels,
                {tr("QtUsageTab", "sessions"): [n for _, n in data.sessions]},
            ),
            "hours": self.heatmap,
            "tasks": bar_chart(
                tr("QtUsageTab", "Guided tasks: started, completed, given up"),
                names,
                {
                    tr("QtUsageTab", "started"): [t.started for t in tasks][::-1],
                    tr("QtUsageTab", "completed"): [t.completed for t in tasks][::-1],
                    tr("QtUsageTab", "given up"): [t.abandoned for t in tasks][::-1],
                },
                horizontal=True,
            ),
            "give_up": bar_chart(
                tr("QtUsageTab", "Where people give up (step of the task)"),
                names,
                give_up,
                horizontal=True,
                stacked=True,
            ),
            "languages": pie_chart(
                tr("QtUsageTab", "Sessions by language"),
                data.langs,
                other=tr("QtUsageTab", "other"),
            ),
            "help": bars_with_line(
                tr("QtUsageTab", "Help calls and median wait per {unit}").format(
                    unit=unit_name[data.unit]
                ),
                [_label(d.day, data.unit) for d in data.help_days],
                (tr("QtUsageTab", "help calls"), [d.calls for d in data.help_days]),
                (
                    tr("QtUsageTab", "median wait (min)"),
                    [
                        None if d.median_wait_s is None else d.median_wait_s / 60
                        for d in data.help_days
                    ],
                ),
                bar_title=tr("QtUsageTab", "calls"),
                line_title=tr("QtUsageTab", "minutes"),
            ),
            "waits": bar_chart(
                tr("QtUsageTab", "How long visitors waited for a buddy"),
                [tr("QtUsageTab", band) for band, _ in data.waits.histogram],
                {tr("QtUsageTab", "calls"): [n for _, n in data.waits.histogram]},
            ),
            "wait_hours": self.wait_heatmap,
            "outcomes": bar_chart(  # across: long words ("referred to a partner") fit
                tr("QtUsageTab", "How buddies closed the calls"),
                [outcome_word(key) for key in loop.outcomes][::-1],
                {tr("QtUsageTab", "calls"): list(loop.outcomes.values())[::-1]},
                horizontal=True,
            ),
            "topics": bar_chart(
                tr("QtUsageTab", "What buddies helped with"),
                [topic_word(key) for key, _ in topics],
                {tr("QtUsageTab", "calls"): [n for _, n in topics]},
                horizontal=True,
            ),
            **printing_charts(data.printed),
            **skills_charts(data.skills),
        }
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        order: tuple[str, ...] = (
            "sessions",
            "hours",
            "tasks",
            "give_up",
            "help",
            "waits",
            "wait_hours",
            "outcomes",
            "topics",
            "languages",
            "printed_sites",
            "printed_tasks",
            "skills_levels",
            "feedback",
        )
        order = tuple(key for key in order if key in self.charts)
        for index, key in enumerate(order):
            grid.addWidget(self.charts[key], index // 2, index % 2)
        self.chart_area.setWidget(grid_host)  # the old charts go with the old host
