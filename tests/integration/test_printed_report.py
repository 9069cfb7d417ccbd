"""Pages printed, counted anonymously (issue 19): the kiosk's ``printed`` events through the real
ingest into the daily counts, and the funder report's table of pages per task and site, with
small counts suppressed, in nl and fr."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from admin_console.ingest.batch import Inbound, Ingest
from admin_console.read.reports import ALL, TOTAL, WITHHELD, build_report, report_html, write_csv
from admin_console.read.usage import Period
from admin_console.store.database import open_database
from kiosk.wire import protocol as p

DAY = date(2026, 11, 16)
# (site, task or None, pages, colour): 30 pages of tax returns in Gent, 2 in Evere; free use.
PRINTS = [
    ("gent", "tax-return", 10, False),
    ("gent", "tax-return", 20, True),
    ("gent", None, 6, False),
    ("evere", "tax-return", 2, False),
    ("evere", None, 9, False),
]


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    ingest = Ingest(engine)
    for n, (site, task, pages, color) in enumerate(PRINTS):
        ts = datetime(2026, 11, 16, 10, 0, tzinfo=UTC) + timedelta(minutes=n)
        raw = {"id": p.new_id(), "type": "printed", "ts": p.format_ts(ts), "session": p.new_id()}
        event = p.validate_event({**raw, "pages": pages, "color": color, "task": task})
        payload = p.encode_event_batch(site, "pc-01", [event])
        ingest.handle([Inbound(f"kiosk/v1/{site}/pc-01/events", payload, datetime.now(UTC))])
    yield engine
    engine.dispose()


def test_pages_per_task_and_site_in_the_report_with_small_counts_hidden(engine: Engine) -> None:
    report = build_report(engine, Period(DAY, DAY))
    table = next(t for t in report.tables if t.key == "printed_pages")
    assert table.columns == ("evere", "gent", ALL)
    rows = dict(table.rows)
    assert rows[TOTAL] == ("11", "36", "47")  # pages, not jobs
    assert rows["tax-return"] == ("<5", WITHHELD, "32")  # 2 pages in Evere: too few to show
    # ... and no cell of the table lets it be worked out from a published sum.
    assert rows["(free use)"] == (WITHHELD, WITHHELD, "15")
    out = io.StringIO()
    write_csv(report, out)
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert ["printed_pages", "tax-return", ALL, "32"] in [line[:4] for line in lines]
    assert not any(line[0] == "printed_pages" and line[3] == "2" for line in lines)
    dutch, french = report_html(report, lang="nl"), report_html(report, lang="fr")
    assert "Afgedrukte bladzijden per begeleide taak" in dutch and "(vrij gebruik)" in dutch
    assert "Pages imprimées par tâche guidée" in french and "(usage libre)" in french
