"""The Usage tab shows the pages printed (issue 19) per site, black and white and colour, and per
guided task, from the counts the real ingest keeps; offscreen, in English and Dutch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCharts import QChartView, QHorizontalStackedBarSeries
from pytestqt.qtbot import QtBot

from admin_console.ingest.batch import Inbound, Ingest
from admin_console.read.printing import SitePages, printed_pages
from admin_console.read.usage import Period, UsageFilter
from admin_console.store.database import open_database
from admin_console.ui.language import use_language
from kiosk.wire import protocol as p
from tests.qt.usage_tab import categories, open_usage_tab

DAY = date(2026, 11, 16)
# (site, task or None, pages, colour), and a visit so that the period is not empty
PRINTS = [
    ("gent", "tax-return", 10, False),
    ("gent", "tax-return", 20, True),
    ("gent", None, 6, False),
    ("evere", "tax-return", 2, False),
    ("evere", None, 9, False),
    ("evere", "csam-login", 3, True),
]


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'prints.db'}"
    engine = open_database(url)
    ingest = Ingest(engine)
    for n, (site, task, pages, color) in enumerate(PRINTS):
        ts = datetime(2026, 11, 16, 10, 0, tzinfo=UTC) + timedelta(minutes=n)
        raw = {"id": p.new_id(), "ts": p.format_ts(ts), "session": p.new_id()}
        printed = {**raw, "type": "printed", "pages": pages, "color": color, "task": task}
        started = {**raw, "id": p.new_id(), "type": "session_started", "lang": "nl"}
        events = [p.validate_event(started), p.validate_event(printed)]
        payload = p.encode_event_batch(site, "pc-01", events)
        ingest.handle([Inbound(f"kiosk/v1/{site}/pc-01/events", payload, datetime.now(UTC))])
    engine.dispose()
    return url


@pytest.fixture
def dutch() -> Iterator[None]:
    use_language("nl")
    yield
    use_language("en")


def test_pages_per_site_and_per_task_from_the_counts(url: str) -> None:
    engine = open_database(url, create=False)
    try:
        printed = printed_pages(engine, UsageFilter(Period(DAY, DAY)))
        only_gent = printed_pages(engine, UsageFilter(Period(DAY, DAY), ("gent",)))
        before = printed_pages(engine, UsageFilter(Period(DAY - timedelta(days=7), DAY)))
        none = printed_pages(
            engine, UsageFilter(Period(DAY + timedelta(days=1), DAY.replace(day=30)))
        )
    finally:
        engine.dispose()
    assert printed.sites == [SitePages("gent", 36, 20), SitePages("evere", 14, 3)]
    assert printed.tasks == {"tax-return": 32, "-": 15, "csam-login": 3}
    assert (printed.total, printed.color) == (50, 23)
    assert only_gent.sites == [SitePages("gent", 36, 20)]
    assert only_gent.tasks == {"tax-return": 30, "-": 6}
    assert before == printed  # a longer period, the same pages
    assert none.total == 0 and none.tasks == {}


def test_the_usage_tab_draws_the_pages(qtbot: QtBot, url: str, dutch: None) -> None:
    tab = open_usage_tab(qtbot, url, DAY, Period(DAY, DAY))
    sites, tasks = tab.charts["printed_sites"], tab.charts["printed_tasks"]
    assert isinstance(sites, QChartView) and isinstance(tasks, QChartView)
    assert sites.chart().title() == "Afgedrukte bladzijden per locatie: 50 in totaal, 23 in kleur"
    assert categories(sites) == ["evere", "gent"]  # the most pages on top
    [series] = sites.chart().series()
    assert isinstance(series, QHorizontalStackedBarSeries)
    bars = {bar.label(): [bar.at(i) for i in range(bar.count())] for bar in series.barSets()}
    assert bars == {"zwart-wit": [11.0, 16.0], "kleur": [3.0, 20.0]}
    assert tasks.chart().title() == "Afgedrukte bladzijden per begeleide taak"
    assert categories(tasks) == ["csam-login", "buiten een begeleide taak", "tax-return"]
