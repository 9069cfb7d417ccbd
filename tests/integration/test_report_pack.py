"""The report pack a coordinator sends as it is (issue 20): periods, words instead of codes,
zeros shown and only 1-4 hidden, an all-sites column for every measure, the PDF's text checked
with pdftotext, and the ``report`` / ``stats`` command lines a site admin understands."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from admin_console.ingest.batch import Ingest
from admin_console.read import periods
from admin_console.read.reports import (
    ALL,
    TOTAL,
    WITHHELD,
    Report,
    ReportTable,
    build_report,
    report_html,
    write_csv,
)
from admin_console.read.sections import BY_KEY, SECTIONS
from admin_console.read.usage import Period
from admin_console.store.database import open_database
from kiosk.wire import protocol as p
from tests.conftest import admin_console, suite_env
from tests.integration.test_usage_queries import send_events

MARCH = periods.month(2026, 3)
AFTER_MARCH = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
# Per site: sessions by language, and each visit's length in minutes.
SESSIONS = {"gent": {"nl": 14, "fr": 3, "ar": 2}, "evere": {"fr": 9, "en": 1}}
# Per site: (task, started, completed, abandoned at step 1 (0-based)).
TASKS = {
    "gent": [("mypension-check", 8, 5, 3), ("csam-login", 6, 6, 0)],
    "evere": [("mypension-check", 7, 3, 4), ("csam-login", 0, 0, 0)],
}
TASK_IDS = ("mypension-check", "csam-login")
CODES = ("nl", "fr", "ar", "en")


def _event(kind: str, ts: datetime, **data: object) -> p.Event:
    raw = {"id": p.new_id(), "type": kind, "ts": p.format_ts(ts), "session": p.new_id(), **data}
    return p.validate_event(raw)


def fill(engine: Engine) -> None:
    ingest = Ingest(engine)
    for site in SESSIONS:
        events = []
        ts = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
        for lang, n in SESSIONS[site].items():
            for _ in range(n):
                session = p.new_id()
                events.append(_event("session_started", ts, session=session, lang=lang))
                ended = ts + timedelta(minutes=32)
                events.append(
                    _event("session_ended", ended, session=session, reason="user", duration_s=1920)
                )
                ts += timedelta(hours=1)
        for task, started, completed, abandoned in TASKS[site]:
            for _ in range(started):
                events.append(_event("task_started", ts, task=task))
            for _ in range(completed):
                events.append(_event("task_completed", ts, task=task))
            for _ in range(abandoned):
                events.append(_event("task_abandoned", ts, task=task, step=1))
            ts += timedelta(minutes=5)
        send_events(ingest, site, "pc-01", *events)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    fill(engine)
    yield engine
    engine.dispose()


def tables(report: Report) -> dict[str, ReportTable]:
    return {table.key: table for table in report.tables}


def test_zero_shows_as_zero_and_only_one_to_four_are_hidden(engine: Engine) -> None:
    report = build_report(engine, MARCH, now=AFTER_MARCH)
    started = dict(tables(report)["tasks_started"].rows)
    assert tables(report)["tasks_started"].columns == ("evere", "gent", ALL)
    assert started["csam-login"] == ("0", "6", "6")  # nobody in Evere: 0, not <5
    assert started["mypension-check"] == ("7", "8", "15")
    languages = dict(tables(report)["languages"].rows)
    assert languages["ar"][0] == "0" and languages["ar"][1] == "<5"  # Evere 0, Gent 2
    assert languages["en"][1] == "0" and languages["en"][0] == "<5"  # Gent 0, Evere 1
    # Gent's 3 in French is hidden, and so is a complement, so that neither can be worked out
    # from Gent's total of 19 sessions.
    gent = [row[1] for name, row in tables(report)["languages"].rows if name != TOTAL]
    assert sum(cell in ("<5", WITHHELD) for cell in gent) >= 2
    for table in report.tables:
        for _name, cells in table.rows:
            for cell in cells:
                if cell.isdigit():
                    assert int(cell) == 0 or int(cell) >= 5, (table.key, cell)


def test_every_measure_has_an_all_sites_column(engine: Engine) -> None:
    report = build_report(engine, MARCH, now=AFTER_MARCH)
    for table in report.tables:
        if table.rows:
            assert table.columns[-1] == ALL, table.key
    hours = dict(tables(report)["visit_hours"].rows)
    # 19 + 10 visits of 32 minutes (counted as 30-35: 32.5): 15.7 hours, 10.3 in Gent.
    assert hours["visits with a length"] == ("10", "19", "29")
    assert hours["hours at a kiosk"] == ("5.4", "10.3", "15.7")
    assert hours["minutes per visit"] == ("32", "32", "32")
    stopped = dict(tables(report)["tasks_stopped"].rows)
    assert stopped["mypension-check#1"] == ("<5", "<5", "7")


def test_a_period_not_over_is_said_in_the_report_and_the_csv(engine: Engine) -> None:
    during = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
    report = build_report(engine, MARCH, now=during)
    assert report.not_over and report.kind == "month"
    english = report_html(report, lang="en")
    assert "This period is not over yet: the figures go up to 20 March 2026" in english
    assert "Usage report — March 2026" in english
    dutch = report_html(report, lang="nl")
    assert "Deze periode is nog niet voorbij" in dutch and "maart 2026" in dutch
    out = io.StringIO()
    write_csv(report, out)
    assert "report,not_over,,yes" in out.getvalue()
    over = build_report(engine, MARCH, now=AFTER_MARCH)
    assert not over.not_over and "not over" not in report_html(over)
    quarter = build_report(engine, periods.quarter(2026, 1), now=AFTER_MARCH)
    assert "premier trimestre 2026" in report_html(quarter, lang="fr")
    # whole months, quarters and years are named as such, whatever way they were asked for
    assert periods.custom(date(2026, 1, 1), date(2026, 12, 31)).kind == "year"
    assert periods.custom(date(2026, 4, 1), date(2026, 6, 30)).kind == "quarter"
    assert periods.custom(date(2026, 4, 2), date(2026, 6, 30)).kind == "custom"
    assert periods.parse_month("2026-02").period == Period(date(2026, 2, 1), date(2026, 2, 28))
    with pytest.raises(periods.PeriodFormatError):
        periods.parse_quarter("2026-Q5")


def pdf_text(path: Path, *pages: int) -> str:
    args = ["pdftotext", "-layout"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    return subprocess.run(
        [*args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def require_poppler() -> None:
    """The PDF is read back with poppler-utils' pdftotext and pdfinfo: a machine without them
    fails here (installer/system-deps.sh installs them), it never skips."""
    for tool in ("pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} missing: run installer/system-deps.sh", pytrace=False)


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_the_pdf_names_everything_in_words_never_an_id_or_code(
    engine: Engine, tmp_path: Path, lang: str
) -> None:
    require_poppler()
    from admin_console.ui.pdf import write_pdf

    report = build_report(engine, MARCH, now=AFTER_MARCH)
    path = tmp_path / f"report-{lang}.pdf"
    write_pdf(report_html(report, lang=lang), path)
    text = pdf_text(path)
    for task in TASK_IDS:
        assert task not in text, task
    # A language by its name, never "fr": no table row is named by a code ("en" and "fr" are
    # also words of Dutch and French prose, so rows are what is checked).
    row_names = {line.split()[0] for line in text.splitlines() if line.strip()}
    for code in CODES:
        assert code not in row_names, code
    assert not re.search(r"^\s*(nl|fr|ar|en)\s+[\d<x]", text, re.MULTILINE)
    for section in SECTIONS:
        assert section.key not in text, section.key
    assert "2026-03" not in text and "#" not in text
    titles = {
        "nl": (
            "Uw pensioen bekijken",
            "Sessies per taal",
            "Frans",
            "Arabisch",
            "maart 2026",
            "Bereik",
        ),
        "fr": (
            "Consulter votre pension",
            "Sessions par langue",
            "français",
            "arabe",
            "mars 2026",
            "Tâches guidées",
            "étape 2 : Se",
        ),
        "en": (
            "Check your pension",
            "Sessions by language",
            "French",
            "Arabic",
            "March 2026",
            "Reach",
        ),
    }[lang]
    flat = " ".join(text.split())
    for title in titles:
        assert title.lower() in flat.lower(), title


def test_a_long_table_repeats_its_header_on_every_page(tmp_path: Path) -> None:
    require_poppler()
    from admin_console.ui.pdf import write_pdf

    rows = tuple((f"mypension-check#{n}", (str(n + 5), "0", str(n + 5))) for n in range(150))
    table = ReportTable("tasks_stopped", "", "", ("evere", "gent", ALL), rows)
    report = Report(MARCH.period, ("evere", "gent"), 5, datetime(2026, 4, 1, tzinfo=UTC), (table,))
    path = tmp_path / "long.pdf"
    write_pdf(report_html(report, lang="en"), path)
    pages = int(re.search(r"Pages:\s+(\d+)", _pdfinfo(path))[1])  # type: ignore[index]
    assert pages >= 3
    for page in range(2, pages + 1):
        first = pdf_text(path, page).strip().splitlines()[0]
        assert "task and step" in first and "all sites" in first, (page, first)


def _pdfinfo(path: Path) -> str:
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout


def test_the_csv_keeps_its_keys_and_adds_words_when_asked(engine: Engine) -> None:
    report = build_report(engine, MARCH, now=AFTER_MARCH)
    plain = io.StringIO()
    write_csv(report, plain)
    lines = list(csv.reader(io.StringIO(plain.getvalue())))
    assert lines[0] == ["section", "item", "site", "value"]
    assert ["tasks_started", "csam-login", "evere", "0"] in lines
    assert ["report", "period", "", "month"] in lines
    worded = io.StringIO()
    write_csv(report, worded, "nl")
    lines = list(csv.reader(io.StringIO(worded.getvalue())))
    assert lines[0] == ["section", "item", "site", "value", "label"]
    assert ["languages", "fr", ALL, "12", "Frans"] in lines
    assert ["sessions", "2026-03", ALL, "29", "maart 2026"] in lines
    assert all(len(line) == 5 for line in lines)


def test_every_section_has_its_words_in_every_language() -> None:
    from admin_console.read.report_texts import REPORT_LANGUAGES, REPORTS

    for lang in REPORT_LANGUAGES:
        catalog = REPORTS.catalog(lang)
        for section in SECTIONS:
            assert catalog.has(section.title_key), (lang, section.key)
            assert section.label_key is None or catalog.has(section.label_key), section.key
            assert catalog.has(f"part_{section.part}"), section.part
    assert BY_KEY["tasks_stopped"].rows == "task_step"


# --- the command line -----------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        admin_console(*args), capture_output=True, text=True, timeout=120, env=suite_env()
    )


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_report_says_why_it_cannot_write_and_exits_non_zero(engine: Engine, tmp_path: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    base = ("report", "--db", url, "--month", "2026-03")
    for fmt in ("csv", "pdf"):
        missing = tmp_path / "no-such-folder" / f"r.{fmt}"
        done = run(*base, "--format", fmt, "--out", str(missing))
        assert done.returncode == 2
        assert one_line(done) == (
            f"admin-console: cannot write {missing}: the folder {missing.parent} does not exist"
        )
        assert not missing.parent.exists()
    done = run(*base, "--format", "csv", "--out", str(tmp_path))
    assert done.returncode == 2 and one_line(done).endswith("it is a folder")
    afile = tmp_path / "a-file"
    afile.write_text("")
    done = run(*base, "--format", "pdf", "--out", str(afile / "r.pdf"))
    assert done.returncode == 2 and "cannot write" in one_line(done)
    unknown = run(*base, "--site", "gent,brugge", "--format", "csv", "--out", "-")
    assert unknown.returncode == 2
    assert (
        one_line(unknown) == "admin-console: unknown site 'brugge': the database knows evere, gent"
    )
    both = run("report", "--db", url, "--month", "2026-03", "--year", "2026", "--format",
               "csv", "--out", "-")  # fmt: skip
    assert both.returncode == 2 and "which period?" in one_line(both)
    good = tmp_path / "march.pdf"
    done = run(*base, "--format", "pdf", "--out", str(good), "--lang", "nl")
    assert done.returncode == 0, done.stderr
    assert good.read_bytes().startswith(b"%PDF") and f"wrote {good}" in done.stderr


def test_postgres_urls_as_providers_write_them(tmp_path: Path, postgres_url: str) -> None:
    engine = open_database(postgres_url)
    fill(engine)
    engine.dispose()
    plain = postgres_url.replace("postgresql+psycopg://", "postgres://")
    done = run("report", "--db", plain, "--quarter", "2026-Q1", "--format", "csv", "--out", "-")
    assert done.returncode == 0, done.stderr
    assert "tasks_started,csam-login,evere,0" in done.stdout
    done = run("stats", "--db", plain.replace("postgres://", "postgresql://"))
    assert done.returncode == 0, done.stderr


def test_stats_prints_a_table_a_person_reads(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    done = run("stats", "--db", url)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    head = next(line for line in lines if line.startswith("site"))
    assert head.split() == [
        "site", "sessions", "events", "resolved", "cancelled", "expired", "open", "claimed",
        "median", "wait",
    ]  # fmt: skip
    gent = next(line for line in lines if line.startswith("gent")).split()
    assert gent[1] == "19"
    assert any(line.startswith("all sites") for line in lines)
    assert "{" not in done.stdout  # no Python dicts
    assert run("stats", "--db", url, "--json").stdout.startswith("{")


def test_every_report_and_stats_option_has_help_with_its_format() -> None:
    from admin_console.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in ("report", "stats"):
        command = sub.choices[name]  # type: ignore[index]
        for action in command._actions:
            if action.dest == "help":
                continue
            assert action.help, (name, action.dest)
    report = sub.choices["report"]  # type: ignore[index]
    helps = {a.dest: a.help or "" for a in report._actions}
    assert "YYYY-MM" in helps["month"] and "YYYY-QN" in helps["quarter"]
    assert "YYYY-MM-DD" in helps["start"] and "postgres://" in helps["db"]
