"""The kiosk's CUPS client against a real scheduler with a virtual PDF printer (issue 19)."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.printing.cups_cli import JOB_TITLE, CupsClient, PrinterProblem
from tests.cups_server import CupsServer, cups_server, missing
from tests.harness import wait_for

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SECRET_NAME = "belastingaangifte-jan-peeters.pdf"


@pytest.fixture(scope="module")
def cups() -> Iterator[CupsServer]:
    reason = missing()
    if reason:
        pytest.fail(f"no real CUPS here: {reason}")
    with cups_server() as server:
        yield server


@pytest.fixture
def document(tmp_path: Path) -> Path:
    """A one-page PDF with known text, under a name that holds a visitor's name."""
    path = tmp_path / SECRET_NAME
    shutil.copy(FIXTURES / "aanslagbiljet.pdf", path)
    return path


def _text(pdf: Path) -> str:
    """The PDF's text as a reader copies it (NFKC: the font's "ﬁ" ligature is "fi")."""
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=False)
    return unicodedata.normalize("NFKC", done.stdout)


def test_a_pdf_comes_out_of_the_virtual_printer_with_its_text(
    cups: CupsServer, document: Path
) -> None:
    client = CupsClient(str(cups.socket))
    assert client.state(cups.printer).ready
    before = set(cups.outputs())
    job = client.submit(cups.printer, document)
    assert job.startswith(f"{cups.printer}-")
    wait_for(lambda: set(cups.outputs()) - before, 60, "the printed PDF")
    (printed,) = set(cups.outputs()) - before
    wait_for(lambda: "MyMinfin" in _text(printed), 10, "the PDF written whole")
    assert "Aanslagbiljet 2026 MyMinfin" in _text(printed)
    assert JOB_TITLE in printed.name and "peeters" not in printed.name
    wait_for(lambda: not client.history(cups.printer), 20, "the job gone from the history")


def test_a_stopped_printer_and_a_missing_one_are_plain_problems(cups: CupsServer) -> None:
    client = CupsClient(str(cups.socket))
    assert cups.run("cupsdisable", "-r", "paper tray open", cups.printer).returncode == 0
    try:
        state = client.state(cups.printer)
        assert state.problem is PrinterProblem.STOPPED
        assert state.message == "paper tray open"
    finally:
        cups.run("cupsenable", cups.printer)
    assert client.state(cups.printer).ready
    assert client.state("no-such-printer").problem is PrinterProblem.MISSING
    assert CupsClient(str(cups.folder / "no.sock")).state(cups.printer).problem is (
        PrinterProblem.MISSING
    )


def test_cancelled_jobs_leave_no_job_no_file_and_no_name_behind(
    cups: CupsServer, document: Path
) -> None:
    client = CupsClient(str(cups.socket))
    cups.run("cupsdisable", cups.printer)  # the jobs wait, as behind an empty paper tray
    try:
        jobs = [client.submit(cups.printer, document, copies=2) for _ in range(2)]
        assert set(client.pending(cups.printer)) == set(jobs)
        assert client.cancel(jobs) == jobs
    finally:
        cups.run("cupsenable", cups.printer)
    assert client.pending(cups.printer) == []
    assert client.history(cups.printer) == []
    assert not [p for p in (cups.folder / "spool").iterdir() if p.is_file()]
    # Nowhere in the scheduler's folders (spool, logs, cache, state) is the document's name.
    for path in cups.folder.rglob("*"):
        if path.is_file() and path.suffix != ".pdf":
            assert b"peeters" not in path.read_bytes(), path
    assert client.cancel(jobs) == []  # gone already: no error
