"""The help loop's figures (issue 16, point 6) on SQLite and PostgreSQL, from a small known week.

Shifts and closed calls are written as the aggregator stores them (rows, and the counts it
keeps at ingest), so every figure below is worked out by hand from the lines of ``week``.
"""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from admin_console.read.buddies import CSV_COLUMNS, buddy_months, forget_buddy, write_hours_csv
from admin_console.read.help_loop import (
    NOT_SAID,
    HourWait,
    help_loop_figures,
    shift_end,
    union,
)
from admin_console.read.reports import (
    ALL,
    NO_SHIFTS,
    WITHHELD,
    build_report,
    report_html,
    write_csv,
)
from admin_console.read.usage import Period, UsageFilter
from admin_console.store.database import open_database
from admin_console.store.orm import BuddyShiftRow, HelpRequestRow
from tests.conftest import admin_console, suite_env
from tests.fixtures.help_loop_week import BUDDIES, NOW, WEEK, fill


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    fill(engine)
    yield engine
    engine.dispose()


def test_union_and_open_shifts() -> None:
    a, b, c = datetime(2026, 1, 1, 9), datetime(2026, 1, 1, 11), datetime(2026, 1, 1, 12)
    assert union([(b, c), (a, b), (a, a)]) == [(a, c)]
    assert union([(a, b), (c, c + timedelta(hours=1))]) == [(a, b), (c, c + timedelta(hours=1))]
    # An open shift counts until now, but a forgotten check-out never more than 12 hours.
    assert shift_end(a, None, b) == b
    assert shift_end(a, None, a + timedelta(days=3)) == a + timedelta(hours=12)
    assert shift_end(a, c, a + timedelta(days=3)) == c


def test_calls_per_staffed_hour_waits_outcomes_topics_and_helping_time(engine: Engine) -> None:
    figures = help_loop_figures(engine, UsageFilter(WEEK, ("gent",)), now=NOW)
    load = figures.load
    assert load.staffed_s == 6.5 * 3600 and load.shifts == 4
    assert (load.calls, load.calls_staffed, load.calls_unstaffed) == (7, 5, 2)
    assert load.per_hour == pytest.approx(5 / 6.5)
    # The waits' 10-second buckets, each at its middle (2 and 5 minutes: 125 and 305 s).
    assert figures.wait_by_hour == {
        (1, 13): HourWait(2, 215.0),
        (1, 16): HourWait(1, 65.0),
        (2, 11): HourWait(1, 185.0),
        (3, 14): HourWait(1, 245.0),
        (3, 16): HourWait(1, 125.0),
    }
    assert figures.outcomes == {"solved": 2, "partly": 1, "referred": 1, NOT_SAID: 1}
    assert figures.resolved == 5
    assert figures.topics == {"email": 2, "banking": 1, "eid-itsme": 1, "knitting": 1}
    # 420, 480, 600, 600, 840 s: the median's 10-second bucket is 600-610 s.
    assert figures.median_handling_s == 605.0


def test_a_site_without_shifts_has_no_rate_and_no_division(engine: Engine) -> None:
    figures = help_loop_figures(engine, UsageFilter(WEEK, ("evere",)), now=NOW)
    assert not figures.shifts_recorded
    assert figures.load.staffed_s == 0 and figures.load.per_hour is None
    assert figures.load.calls == 1 and figures.load.calls_unstaffed == 1
    both = help_loop_figures(engine, UsageFilter(WEEK), now=NOW)
    assert both.by_site["evere"].per_hour is None
    assert both.load.calls == 8 and both.load.calls_staffed == 5


def test_later_the_open_shift_counts_twelve_hours_at_most(engine: Engine) -> None:
    later = NOW + timedelta(days=3)
    figures = help_loop_figures(engine, UsageFilter(WEEK, ("gent",)), now=later)
    assert figures.load.staffed_s == (6 + 12) * 3600


def test_the_report_shows_the_loop_without_a_single_name(engine: Engine) -> None:
    report = build_report(engine, WEEK, min_count=3, now=NOW)
    tables = {t.key: t for t in report.tables}
    staffed = tables["calls_per_staffed_hour"]
    assert staffed.columns == ("evere", "gent", ALL)
    assert dict(staffed.rows) == {
        "staffed hours": (NO_SHIFTS, "6.5", "6.5"),
        "calls in staffed hours": (NO_SHIFTS, "5", "5"),
        "calls per staffed hour": (NO_SHIFTS, "0.77", "0.77"),
    }
    results = dict(tables["help_results"].rows)
    # gent solved 2 (<3), evere 1 (<3): both hidden, the total of 3 shown.
    assert results["solved"] == ("<3", "<3", "3")
    assert "not said" in results and results["total"][2] == "6"
    topics = dict(tables["help_ticked_topics"].rows)
    assert set(topics) == {"email", "banking", "eid-itsme", "knitting", "total"}
    # a 0 shows as 0 (issue 20): only counts from 1 to min_count - 1 are hidden
    assert sorted(topics["knitting"][:2]) == ["0", "<3"]
    out = io.StringIO()
    write_csv(report, out)
    text = out.getvalue()
    assert "calls_per_staffed_hour,calls per staffed hour,gent,0.77" in text
    assert "help_results,solved,all sites,3" in text
    pages = {lang: report_html(report, lang=lang) for lang in ("en", "nl", "fr")}
    assert "Help calls per staffed hour" in pages["en"] and "no shifts recorded" in pages["en"]
    assert "geen permanenties geregistreerd" in pages["nl"] and "e-mail" in pages["nl"]
    assert "aucune permanence enregistrée" in pages["fr"] and "non précisé" in pages["fr"]
    assert "knitting" in pages["fr"]  # a site's own topic: shown as written
    for page in (text, *pages.values()):
        for name in (*BUDDIES, "Ines"):
            assert name not in page, name


def test_small_staffed_counts_hide_the_rate_too(engine: Engine) -> None:
    report = build_report(engine, WEEK, ("gent",), min_count=6, now=NOW)
    staffed = dict(next(t for t in report.tables if t.key == "calls_per_staffed_hour").rows)
    assert staffed["calls in staffed hours"] == ("<6",)
    assert staffed["calls per staffed hour"] == (WITHHELD,)  # 0.77 × 6.5 h would give 5 away


def test_buddy_hours_per_month(engine: Engine) -> None:
    autumn = UsageFilter(Period(date(2026, 10, 1), date(2026, 11, 30)), ("gent",))
    rows = {(m.month, m.buddy): m for m in buddy_months(engine, autumn, now=NOW)}
    sara_oct, sara_nov = rows[("2026-10", "Sara")], rows[("2026-11", "Sara")]
    assert (sara_oct.seconds, sara_oct.shifts, sara_oct.claimed) == (7200, 1, 0)
    assert (sara_nov.seconds, sara_nov.shifts, sara_nov.claimed, sara_nov.resolved) == (
        (2 + 4) * 3600,
        1,
        2,
        2,
    )
    mehdi = rows[("2026-11", "Mehdi")]
    assert (mehdi.seconds, mehdi.open_shifts, mehdi.claimed, mehdi.resolved) == (1800, 1, 1, 0)
    staff = rows[("2026-11", "anna-staff")]
    assert (staff.seconds, staff.shifts, staff.claimed, staff.resolved) == (0, 0, 1, 1)
    out = io.StringIO()
    write_hours_csv(list(rows.values()), out)
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(lines[0]) == CSV_COLUMNS
    assert ["2026-11", "gent", "Yassine", "2.50", "1", "0", "1", "1"] in lines


def test_forget_a_buddy_keeps_the_counts(engine: Engine) -> None:
    before = help_loop_figures(engine, UsageFilter(WEEK), now=NOW)
    gone = forget_buddy(engine, "Sara")
    assert (gone.shifts, gone.calls) == (2, 2)
    with engine.connect() as c:
        for table in (BuddyShiftRow, HelpRequestRow):
            found = c.execute(select(func.count()).where(table.buddy == "Sara")).scalar_one()
            assert found == 0
        assert c.execute(select(func.count()).select_from(HelpRequestRow)).scalar_one() == 8
    after = help_loop_figures(engine, UsageFilter(WEEK), now=NOW)
    # Sara's Tuesday is gone from the staffed time; every call and outcome is still counted.
    assert after.load.calls == before.load.calls and after.outcomes == before.outcomes
    assert after.load.staffed_s == before.load.staffed_s - 1.5 * 3600  # Yassine stays 14-16:30
    assert forget_buddy(engine, "Sara").nothing
    assert forget_buddy(engine, "Lotte", site="evere").nothing


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        admin_console(*args), capture_output=True, text=True, timeout=120, env=suite_env()
    )


def test_buddies_command_line(engine: Engine, tmp_path: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    out = tmp_path / "hours.csv"
    span = ("--from", "2026-10-01", "--to", "2026-11-30")
    done = run("buddies", "hours", "--db", url, *span, "--out", str(out))
    assert done.returncode == 0, done.stderr
    lines = list(csv.reader(out.open()))
    assert tuple(lines[0]) == CSV_COLUMNS
    assert ["2026-10", "gent", "Sara", "2.00", "1", "0", "0", "0"] in lines
    assert f"wrote {out}" in done.stderr
    to_stdout = run("buddies", "hours", "--db", url, *span, "--site", "evere", "--out", "-")
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert to_stdout.stdout.splitlines() == [
        ",".join(CSV_COLUMNS),
        "2026-11,evere,Ines,0.00,0,0,1,1",
    ]
    # Errors: said plainly, exit 2, nothing written.
    nowhere = run("buddies", "hours", "--db", url, *span, "--out", str(tmp_path / "no" / "x.csv"))
    assert nowhere.returncode == 2 and "cannot write" in nowhere.stderr, nowhere.stderr
    unknown = run("buddies", "hours", "--db", url, *span, "--site", "brugge", "--out", "-")
    assert unknown.returncode == 2
    assert "unknown site 'brugge'" in unknown.stderr and "evere, gent" in unknown.stderr
    bad_day = run("buddies", "hours", "--db", url, "--from", "2026-13-01", "--to", "2026-11-30",
                  "--out", "-")  # fmt: skip
    assert bad_day.returncode == 2 and "2026-13-01" in bad_day.stderr
    backwards = run("buddies", "hours", "--db", url, "--from", "2026-12-01", "--to",
                    "2026-11-01", "--out", "-")  # fmt: skip
    assert backwards.returncode == 2 and "after" in backwards.stderr
    # forget: how many rows changed, and a clear word when nothing matched.
    nobody = run("buddies", "forget", "sara", "--db", url)
    assert nobody.returncode == 1
    assert "nothing matched" in nobody.stderr and "'Sara'" in nobody.stderr
    forgot = run("buddies", "forget", "Sara", "--db", url, "--site", "gent")
    assert forgot.returncode == 0, forgot.stderr
    assert "2 shifts deleted" in forgot.stdout and "2 help calls" in forgot.stdout
    again = run("buddies", "hours", "--db", url, *span, "--out", "-")
    assert "Sara" not in again.stdout
    helptext = run("buddies", "hours", "--help")
    assert "YYYY-MM-DD" in helptext.stdout and "'-'" in helptext.stdout
