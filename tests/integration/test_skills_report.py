"""The skills check's levels and the faces in the funder report (issue 20), on a generated
dataset stored through the real ingest (SQLite and PostgreSQL): zeros shown, 1-4 hidden, every
row in words in nl, fr and en (the PDF's text, with pdftotext), never a key or a code; and the
same figures for the console's Usage tab."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from admin_console.ingest.batch import Ingest
from admin_console.read import periods
from admin_console.read.reports import ALL, Report, ReportTable, build_report, report_html
from admin_console.read.skills import skills_figures
from admin_console.read.usage import UsageFilter
from admin_console.store.database import open_database
from kiosk.tasks import load_catalog
from kiosk.tasks.catalog import BUILTIN_FOLDER
from kiosk.wire import protocol as p
from tests.integration.test_report_pack import pdf_text, require_poppler
from tests.integration.test_usage_queries import send_events

MARCH = periods.month(2026, 3)
AFTER_MARCH = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
# Per site: (how many checks, their levels per area).
CHECKS = {
    "gent": [
        (9, {"information": "alone", "communication": "alone", "content": "with_help",
             "safety": "not_yet", "problems": "with_help"}),
        (3, {"information": "with_help", "communication": "alone", "content": "not_yet",
             "safety": "with_help", "problems": "not_yet"}),
    ],
    "evere": [
        (6, {"information": "alone", "communication": "with_help", "content": "alone",
             "safety": "not_yet", "problems": "not_yet"}),
    ],
}  # fmt: skip
# Per site: (task or None for "I'm done", face, how many).
FACES = {
    "gent": [("plan-trip", "happy", 6), ("plan-trip", "sad", 2), (None, "happy", 8)],
    "evere": [("plan-trip", "happy", 5), (None, "sad", 5)],
}


def fill(engine: Engine) -> None:
    ingest = Ingest(engine)
    for site in CHECKS:
        events = []
        ts = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
        for n, levels in CHECKS[site]:
            for _ in range(n):
                raw = {"id": p.new_id(), "type": "skills_checked", "ts": p.format_ts(ts)}
                events.append(p.validate_event({**raw, "session": None, **levels}))
                ts += timedelta(minutes=7)
        for task, face, n in FACES[site]:
            for _ in range(n):
                raw = {"id": p.new_id(), "type": "feedback", "ts": p.format_ts(ts)}
                events.append(
                    p.validate_event({**raw, "session": None, "face": face, "task": task})
                )
                ts += timedelta(minutes=3)
        send_events(ingest, site, "pc-01", *events)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    fill(engine)
    yield engine
    engine.dispose()


def table(report: Report, key: str) -> ReportTable:
    return next(t for t in report.tables if t.key == key)


def test_the_levels_and_faces_with_zeros_shown_and_small_counts_hidden(engine: Engine) -> None:
    report = build_report(engine, MARCH, now=AFTER_MARCH)
    levels = table(report, "skills_levels")
    assert levels.columns == ("evere", "gent", ALL)
    rows = dict(levels.rows)
    assert rows["information#alone"] == ("6", "9", "15")
    assert rows["communication#alone"] == ("0", "12", "12")  # nobody in Evere: 0, not <5
    assert rows["safety#not_yet"] == ("6", "9", "15")
    assert rows["information#with_help"][1] == "<5"  # Gent's 3
    faces = dict(table(report, "feedback").rows)
    assert faces["plan-trip#sad"][1] == "<5"  # Gent's 2 …
    # … and Gent's next smallest is withheld too, else 2 = 16 − 6 − 8 (its complement); the
    # all-sites figure with it, else Gent's 6 = 11 − 5.
    assert faces["plan-trip#happy"] == ("5", "x", "x")
    assert faces["face_visit_happy"] == ("0", "8", "8")  # "-#happy": the visit as a whole
    assert faces["face_visit_sad"] == ("5", "0", "5")
    for shown in (levels, table(report, "feedback")):
        for _name, cells in shown.rows:
            for cell in cells:
                if cell.isdigit():
                    assert int(cell) == 0 or int(cell) >= 5, (shown.key, cell)


def test_the_usage_tab_reads_the_same_figures(engine: Engine) -> None:
    figures = skills_figures(engine, UsageFilter(MARCH.period))
    assert figures.checks == 18
    assert figures.levels["safety"] == {"alone": 0, "with_help": 3, "not_yet": 15}
    shown = figures.shown_levels()
    assert shown["safety"] == {"alone": 0, "with_help": None, "not_yet": None}
    assert figures.faces["-"] == {"happy": 8, "neutral": 0, "sad": 5}
    gent = skills_figures(engine, UsageFilter(MARCH.period, sites=("gent",)))
    assert gent.checks == 12 and gent.faces["plan-trip"]["sad"] == 2


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_the_pdf_says_it_in_words(engine: Engine, tmp_path: Path, lang: str) -> None:
    require_poppler()
    from admin_console.ui.pdf import write_pdf

    report = build_report(engine, MARCH, now=AFTER_MARCH)
    path = tmp_path / f"skills-{lang}.pdf"
    write_pdf(report_html(report, lang=lang), path)
    flat = " ".join(pdf_text(path).split())
    trip = load_catalog([BUILTIN_FOLDER]).get("plan-trip")
    assert trip is not None
    words = {
        "nl": ("Digitale vaardigheden", "Veiligheid — nog niet", "Informatie zoeken — kan het "
               "alleen", "Het bezoek in het geheel — ja", f"{trip.title('nl')} — nee",
               "Wat bezoekers zeggen"),
        "fr": ("Compétences numériques", "Sécurité — pas encore", "Trouver des informations — "
               "sait le faire seul", "La visite dans son ensemble — non",
               f"{trip.title('fr')} — oui", "Test de compétences : niveau par domaine"),
        "en": ("Digital skills", "Safety — not yet", "Finding information — can do it alone",
               "The visit as a whole — yes", f"{trip.title('en')} — yes", "What visitors say"),
    }[lang]  # fmt: skip
    for said in words:
        assert said in flat, said
    for code in ("plan-trip", "not_yet", "with_help", "face_", "skills_", "#", "-#"):
        assert code not in flat, code
