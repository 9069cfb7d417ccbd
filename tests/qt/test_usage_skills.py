"""The console's Usage tab draws the skills check's levels and the faces (issue 20), with
counts of 1 to 4 left out as in the report."""

from __future__ import annotations

from PySide6.QtCharts import QBarSet, QChartView

from admin_console.read.skills import SkillsFigures
from admin_console.ui.usage import skills_charts

LEVELS = {
    "information": {"alone": 9, "with_help": 3, "not_yet": 0},
    "communication": {"alone": 12, "with_help": 0, "not_yet": 0},
    "content": {"alone": 0, "with_help": 9, "not_yet": 3},
    "safety": {"alone": 0, "with_help": 3, "not_yet": 9},
    "problems": {"alone": 0, "with_help": 9, "not_yet": 3},
}


def bar_values(view: QChartView) -> dict[str, list[float]]:
    chart = view.chart()
    found: dict[str, list[float]] = {}
    for series in chart.series():
        for bar_set in series.barSets():  # type: ignore[attr-defined]
            assert isinstance(bar_set, QBarSet)
            found[bar_set.label()] = [bar_set.at(i) for i in range(bar_set.count())]
    return found


def test_the_levels_per_area_and_the_faces_per_task(qtbot: object) -> None:
    del qtbot  # a QApplication
    faces = {
        "plan-trip": {"happy": 6, "neutral": 0, "sad": 2},
        "-": {"happy": 8, "neutral": 5, "sad": 0},
    }
    charts = skills_charts(SkillsFigures(LEVELS, faces))
    levels = charts["skills_levels"]
    assert isinstance(levels, QChartView)
    assert "12 checks" in levels.chart().title() and "under 5 not shown" in levels.chart().title()
    values = bar_values(levels)
    # Areas from the bottom up (the first on top): problems, safety, content, communication,
    # information. Safety's 3 "with help" is not drawn, nor its complement (the 9).
    # information: 9 alone, 3 with help: the 3 hidden, and the 9 with it (its complement)
    assert values["can do it alone"] == [0, 0, 0, 12, 0]
    assert values["with help"][1] == 0 and values["not yet"][1] == 0  # safety: 3 and 9 hidden
    assert values["with help"][3] == 0 and values["can do it alone"][3] == 12  # communication
    feedback = charts["feedback"]
    assert isinstance(feedback, QChartView)
    axis = feedback.chart().axes()[0]
    names = axis.categories() if hasattr(axis, "categories") else []
    assert "the visit as a whole" in names and "plan-trip" in names
    assert skills_charts(SkillsFigures()) == {}
