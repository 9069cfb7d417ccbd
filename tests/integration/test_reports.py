"""Funder reports: small counts never show, a hidden count cannot be worked out, CSV and PDF."""

from __future__ import annotations

import csv
import html
import io
import random
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from admin_console.ingest.batch import Inbound, Ingest
from admin_console.read.reports import (
    ALL,
    TOTAL,
    WITHHELD,
    ReportError,
    build_report,
    report_html,
    suppress,
    write_csv,
)
from admin_console.read.usage import Period
from admin_console.store.database import open_database
from kiosk.wire import protocol as p
from tests.conftest import admin_console, suite_env

DAY = date(2026, 11, 16)


def test_small_counts_show_as_below_the_threshold() -> None:
    counts = {"nl": {"a": 40, "b": 12}, "fr": {"a": 7, "b": 30}, "ar": {"a": 3, "b": 9}}
    shown = suppress(counts, ["nl", "fr", "ar"], ["a", "b"], 5)
    assert shown[("ar", "a")] == "<5"
    # ar/b could be worked out as (ar total) - (ar/a)... so ar/a's row partner is withheld too,
    # and in column a the smallest other cell as well.
    assert shown[("ar", "b")] == WITHHELD
    assert shown[("fr", "a")] == WITHHELD
    assert shown[("fr", "b")] == WITHHELD  # and the same for row fr
    assert shown[("nl", "a")] == "40" and shown[(TOTAL, ALL)] == "101"


def test_no_hidden_count_can_be_worked_out_from_a_published_sum() -> None:
    counts = {f"k{i}": {s: (i * 7 + j * 3) % 11 for j, s in enumerate("abcd")} for i in range(6)}
    rows, columns = list(counts), list("abcd")
    shown = suppress(counts, rows, columns, 5)
    every_row = [*rows, TOTAL]
    every_column = [*columns, ALL]
    for r in every_row:
        assert sum(shown[(r, c)] in ("<5", WITHHELD) for c in every_column) != 1
    for c in every_column:
        assert sum(shown[(r, c)] in ("<5", WITHHELD) for r in every_row) != 1
    for cell, text in shown.items():
        if text.isdigit():
            assert int(text) >= 5 or int(text) == 0, cell  # only 1-4 are hidden; a 0 shows
    assert shown[("k0", "a")] == "0"


def test_the_threshold_never_goes_below_three() -> None:
    with pytest.raises(ReportError, match="below 3"):
        suppress({"nl": {"a": 1}}, ["nl"], ["a"], 2)
    assert suppress({"nl": {"a": 3}}, ["nl"], ["a"], 3) == {("nl", "a"): "3"}


def _suppress_by_rescanning(
    counts: dict[str, dict[str, int]], rows: list[str], columns: list[str], min_count: int
) -> dict[tuple[str, str], str]:
    """``suppress`` as first written: every pass counts each sum's hidden cells anew. The kept
    version counts them as it goes (a year's report for 50 sites spent ~15 ms here); both must
    hide exactly the same cells."""
    all_rows = [*rows, TOTAL] if len(rows) > 1 else list(rows)
    all_columns = [*columns, ALL] if len(columns) > 1 else list(columns)
    value = {(r, c): counts.get(r, {}).get(c, 0) for r in rows for c in columns}
    if len(columns) > 1:
        for r in rows:
            value[(r, ALL)] = sum(value[(r, c)] for c in columns)
    if len(rows) > 1:
        for c in all_columns:
            value[(TOTAL, c)] = sum(value[(r, c)] for r in rows)
    hidden = {cell: f"<{min_count}" for cell, n in value.items() if 0 < n < min_count}
    groups = []
    if len(columns) > 1:
        groups += [[(r, c) for c in all_columns] for r in all_rows]
    if len(rows) > 1:
        groups += [[(r, c) for r in all_rows] for c in all_columns]
    member_of: dict[tuple[str, str], list[int]] = {}
    for index, group in enumerate(groups):
        for cell in group:
            member_of.setdefault(cell, []).append(index)

    def cost(cell: tuple[str, str], current: int) -> tuple[int, bool, int, int]:
        lone = sum(
            1 for g in member_of[cell] if g != current and not any(o in hidden for o in groups[g])
        )
        return (lone, value[cell] == 0, value[cell], all_rows.index(cell[0]))

    changed = True
    while changed:
        changed = False
        for index, group in enumerate(groups):
            if sum(cell in hidden for cell in group) != 1:
                continue
            *parts, total = group
            candidates = [cell for cell in parts if cell not in hidden] or [total]
            hidden[min(candidates, key=lambda cell: cost(cell, index))] = WITHHELD
            changed = True
    return {cell: hidden.get(cell, str(n)) for cell, n in value.items()}


def test_suppression_hides_the_same_cells_as_the_plain_rescanning_version() -> None:
    rng = random.Random(7)
    differing = 0
    for _ in range(400):
        rows = [f"r{i}" for i in range(rng.randint(1, 9))]
        columns = [f"c{j}" for j in range(rng.randint(1, 12))]
        top = rng.choice([4, 8, 30, 300])
        counts = {r: {c: rng.randint(0, top) for c in columns if rng.random() < 0.8} for r in rows}
        min_count = rng.choice([3, 5, 10])
        expected = _suppress_by_rescanning(counts, rows, columns, min_count)
        differing += suppress(counts, rows, columns, min_count) != expected
    assert differing == 0


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    ingest = Ingest(engine)
    for site in ("gent", "evere"):
        events = []
        for n in range(12):
            ts = datetime(2026, 11, 16, 9, 30, tzinfo=UTC) + timedelta(minutes=10 * n)
            lang = "nl" if n < 9 else "fr"  # 9 in Dutch, 3 in French
            raw = {"id": p.new_id(), "type": "session_started", "ts": p.format_ts(ts)}
            events.append(p.validate_event({**raw, "session": p.new_id(), "lang": lang}))
        payload = p.encode_event_batch(site, "pc-01", events)
        ingest.handle([Inbound(f"kiosk/v1/{site}/pc-01/events", payload, datetime.now(UTC))])
    yield engine
    engine.dispose()


def test_a_report_hides_the_small_groups(engine: Engine) -> None:
    report = build_report(engine, Period(DAY, DAY))
    languages = next(t for t in report.tables if t.key == "languages")
    assert languages.columns == ("evere", "gent", ALL)
    rows = dict(languages.rows)
    assert rows["fr"] == ("<5", "<5", "6")
    # 12 sessions per site are published, so 9 in Dutch would give away the 3 in French.
    assert rows["nl"] == (WITHHELD, WITHHELD, "18")
    assert rows[TOTAL] == ("12", "12", "24")
    out = io.StringIO()
    write_csv(report, out)
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines[0] == ["section", "item", "site", "value"]
    assert ["languages", "fr", "gent", "<5"] in lines
    assert ["languages", "nl", "gent", WITHHELD] in lines
    assert ["sessions", "2026-11", ALL, "24"] in lines
    assert not any(value == "3" for *_, value in lines)
    assert "Usage report" in report_html(report) and not report.empty


def test_an_empty_period_says_no_data(engine: Engine) -> None:
    report = build_report(engine, Period(date(2025, 1, 1), date(2025, 1, 31)))
    assert report.empty
    assert "No data for this period" in report_html(report)


def test_the_report_reads_in_dutch_and_french_with_the_same_figures(engine: Engine) -> None:
    report = build_report(engine, Period(DAY, DAY))
    english, dutch, french = (report_html(report, lang=lang) for lang in ("en", "nl", "fr"))
    assert "Sessions by language" in english and "all sites" in english
    assert "Sessies per taal" in dutch and "alle locaties" in dutch and "minder dan 5" in dutch
    assert "16 november 2026" in dutch
    assert "Sessions par langue" in french and "tous les sites" in french
    assert "16 novembre 2026" in french and "moins de 5" in french
    for text in (dutch, french):
        assert "Sessions by" not in text and "all sites" not in text and "Usage report" not in text

    def figures(text: str) -> list[str]:
        return re.findall(r"align='right'>([^<]*)<", text)

    assert figures(english) == figures(dutch) == figures(french) and "<5" in " ".join(
        html.unescape(f) for f in figures(english)
    )
    assert "Rapport d&#x27;utilisation" in french  # the apostrophe escaped, as HTML wants


def test_every_report_language_has_every_word() -> None:
    from babel.messages.pofile import read_po

    from admin_console.read.report_texts import REPORT_LANGUAGES, REPORTS

    def words(lang: str) -> set[str]:
        with REPORTS.po_file(lang).open("rb") as handle:
            return {str(m.id[0] if isinstance(m.id, tuple) else m.id) for m in read_po(handle)}

    keys = words("en") - {""}
    for lang in REPORT_LANGUAGES:
        assert words(lang) - {""} == keys, lang
        assert all(REPORTS.catalog(lang).has(key) for key in keys), lang
    tables = ("sessions", "languages", "tasks_started", "tasks_completed", "help_topics")
    for key in (*tables, "help_outcomes", "help_wait"):
        # the median wait's table has no row label (its one row is named): no label_ entry
        assert f"title_{key}" in keys and (f"label_{key}" in keys) == (key != "help_wait")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        admin_console(*args), capture_output=True, text=True, timeout=120, env=suite_env()
    )


def test_report_command_line_csv_pdf_and_bad_input(engine: Engine, tmp_path: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    out = tmp_path / "r.csv"
    done = run(
        "report",
        "--db",
        url,
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--site",
        "gent",
        "--format",
        "csv",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert "languages,fr,gent,<5" in out.read_text()
    pdf = tmp_path / "r.pdf"
    done = run(
        "report",
        "--db",
        url,
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "pdf",
        "--out",
        str(pdf),
    )
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 2000
    french = tmp_path / "fr.pdf"
    args = ["report", "--db", url, "--from", "2026-11-01", "--to", "2026-11-30", "--format"]
    done = run(*args, "pdf", "--out", str(french), "--lang", "fr")
    assert done.returncode == 0, done.stderr
    assert french.read_bytes().startswith(b"%PDF")
    unknown = run(*args, "pdf", "--out", str(french), "--lang", "de")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "admin-console: --lang 'de': reports are written in en, nl, fr"
    bad = run(
        "report",
        "--db",
        url,
        "--from",
        "2026-12-01",
        "--to",
        "2026-11-01",
        "--format",
        "csv",
        "--out",
        str(out),
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "admin-console: --from 2026-12-01 is after --to 2026-11-01"
    low = run(
        "report",
        "--db",
        url,
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "csv",
        "--out",
        "-",
        "--min-count",
        "2",
    )
    assert low.returncode == 2 and "below 3" in low.stderr
    empty = run(
        "report",
        "--db",
        url,
        "--from",
        "2025-01-01",
        "--to",
        "2025-01-31",
        "--format",
        "csv",
        "--out",
        "-",
    )
    assert empty.returncode == 0 and "no data" in empty.stderr
