"""The Usage tab offscreen shows the help loop's figures (issue 16, point 6) from a known week:
calls per staffed hour, time spent helping, the wait by hour of the week as a heat map, how
buddies closed the calls and what they helped with, in English and in Dutch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from admin_console.read.help_loop import help_loop_figures
from admin_console.read.usage import UsageFilter
from admin_console.store.database import open_database
from admin_console.ui.language import use_language
from admin_console.ui.usage import QtUsageTab
from admin_console.ui.widgets import format_duration
from tests.fixtures.help_loop_week import WEEK, fill
from tests.qt.usage_tab import categories, open_usage_tab


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'week.db'}"
    engine = open_database(url)
    fill(engine)
    engine.dispose()
    return url


@pytest.fixture
def english() -> Iterator[None]:
    use_language("en")
    yield
    use_language("en")


def open_tab(qtbot: QtBot, url: str, sites: tuple[str, ...] = ("gent",)) -> QtUsageTab:
    return open_usage_tab(qtbot, url, date(2026, 11, 22), WEEK, sites)


def test_the_usage_tab_shows_the_help_loop(qtbot: QtBot, url: str, english: None) -> None:
    tab = open_tab(qtbot, url)
    assert tab.data is not None
    engine = open_database(url, create=False)
    figures = help_loop_figures(engine, UsageFilter(WEEK, ("gent",)))
    engine.dispose()
    per_hour = figures.load.per_hour
    assert per_hour is not None
    assert tab.tiles["staffed"].value.text() == f"{per_hour:.1f}"  # English: a point
    caption = tab.tiles["staffed"].caption.text()
    assert caption.startswith("help calls per staffed hour (5 of 7 calls in ")
    assert tab.tiles["helping"].value.text() == format_duration(605.0) == "10 min 05 s"
    heat = tab.wait_heatmap
    # Tuesday 13h: 2 and 5 minutes, in 10-second buckets at their middle (125 and 305 s).
    assert heat.cell_text((1, 13)) == "3.6 (2)"
    assert heat.cell_text((3, 14)) == "4.1 (1)" and heat.cell_text((0, 9)) == ""
    assert categories(tab.charts["outcomes"]) == [  # across, the first on top
        "not said",
        "referred to a partner",
        "partly solved",
        "solved",
    ]
    # A site's own topic ("knitting") is shown as written; the most ticked on top.
    assert categories(tab.charts["topics"])[-1] == "email"
    assert "knitting" in categories(tab.charts["topics"])
    assert "eID and itsme" in categories(tab.charts["topics"])
    assert tab.grab().width() > 0  # it paints


def test_no_shifts_recorded_is_said_not_divided(qtbot: QtBot, url: str, english: None) -> None:
    tab = open_tab(qtbot, url, ("evere",))
    assert tab.tiles["staffed"].value.text() == "–"
    assert tab.tiles["staffed"].caption.text() == (
        "help calls per staffed hour: no buddy shifts recorded"
    )


def test_the_help_loop_in_dutch(qtbot: QtBot, url: str, english: None) -> None:
    use_language("nl")
    tab = open_tab(qtbot, url)
    assert "opgelost" in categories(tab.charts["outcomes"])
    assert "van dienst" in tab.tiles["staffed"].caption.text()
    assert "wachttijd" in tab.wait_heatmap.title
    assert tab.wait_heatmap.cell_text((1, 13)) == "3,6 (2)"  # a decimal comma
