"""The console's Usage tab offscreen, open on a database, and what its bar charts say: what the
Usage tab's Qt tests share. Not a test module."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCharts import QBarCategoryAxis, QChartView
from pytestqt.qtbot import QtBot

from admin_console.read.usage import Period
from admin_console.ui.usage import QtUsageTab
from admin_console.ui.worker import QtDatabase


def open_usage_tab(
    qtbot: QtBot, url: str, today: date, period: Period, sites: Sequence[str] | None = None
) -> QtUsageTab:
    """The tab on ``url`` with the sites evere and gent, ``sites`` chosen (all if None), the
    period applied, once its figures are drawn."""
    db = QtDatabase(url)
    tab = QtUsageTab(db, lambda: today, timezone="Europe/Brussels")
    db.setParent(tab)
    qtbot.addWidget(tab)
    tab.resize(1400, 900)
    tab.show()
    tab.filters.set_sites(["evere", "gent"])
    if sites is not None:
        tab.filters.choose_sites(sites)
    tab.filters.set_period(period)
    tab.filters.apply()
    qtbot.waitUntil(lambda: tab.data is not None, timeout=15_000)
    return tab


def categories(view: object) -> list[str]:
    """The labels of a bar chart's category axis, in the axis's order."""
    assert isinstance(view, QChartView)
    axis = next(a for a in view.chart().axes() if isinstance(a, QBarCategoryAxis))
    return list(axis.categories())
