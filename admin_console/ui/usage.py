"""Usage tab: what visitors come for and where they give up, as charts over sites and a period."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, QLocale
from PySide6.QtWidgets import QGridLayout, QScrollArea, QVBoxLayout, QWidget
from sqlalchemy.engine import Engine

from admin_console.read.help import HelpDay, HelpWaits, help_per_day, help_waits
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


def _label(day: date, unit: str) -> str:
    """A day, or a month in the console's language (Qt's month names, not the C locale's)."""
    if unit == "month":
        return QLocale().toString(QDate(day.year, day.month, day.day), "MMM yyyy")
    return day.strftime("%d/%m")


class QtUsageTab(QWidget):
    def __init__(
        self, db: QtDatabase, today: Callable[[], date], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
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
        }
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        order = ("sessions", "hours", "tasks", "give_up", "help", "waits", "languages")
        for index, key in enumerate(order):
            grid.addWidget(self.charts[key], index // 2, index % 2)
        self.chart_area.setWidget(grid_host)  # the old charts go with the old host
