"""Page limits and the reading of CUPS's answers, without a scheduler (issue 19)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from kiosk.printing.allowance import DayCounter, PrintLimits, Refusal, VisitPrints
from kiosk.printing.cups_cli import CupsClient, CupsError, PrinterProblem

TODAY = date(2026, 12, 4)


def test_the_visit_limit_refuses_the_page_that_would_pass_it(tmp_path: Path) -> None:
    visit = VisitPrints(PrintLimits(per_visit=10, per_day=100), DayCounter(tmp_path))
    assert visit.check(10, TODAY) is None
    visit.record("p-1", 8, TODAY)
    assert visit.left(TODAY) == 2
    assert visit.check(3, TODAY) == Refusal(3, 2, "visit")
    assert visit.check(2, TODAY) is None
    assert visit.end() == ["p-1"]
    assert visit.left(TODAY) == 10  # the next visitor starts afresh


def test_the_day_limit_survives_a_restart_and_a_new_day_starts_at_zero(tmp_path: Path) -> None:
    limits = PrintLimits(per_visit=20, per_day=25)
    first = VisitPrints(limits, DayCounter(tmp_path))
    first.record("p-1", 20, TODAY)
    first.end()
    again = VisitPrints(limits, DayCounter(tmp_path))  # a restart of the kiosk
    assert again.left(TODAY) == 5
    assert again.check(6, TODAY) == Refusal(6, 5, "day")
    assert again.left(date(2026, 12, 5)) == 20
    (tmp_path / "print-pages.json").write_text("not json")
    assert DayCounter(tmp_path).pages(TODAY) == 0  # a broken file is no crash


def _runner(answers: dict[str, tuple[int, str, str]]) -> object:
    def run(args: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        assert env["LANG"] == "C"
        code, out, err = answers.get(" ".join(args[:2]), (0, "", ""))
        return subprocess.CompletedProcess(list(args), code, out, err)

    return run


LPSTAT_DISABLED = (
    "printer hp is disabled since Fri Dec  4 17:22:57 2026 -\n"
    "\tout of paper\n\tForm mounted:\n\tContent types: any\n\tAlerts: media-empty-error, paused\n"
)


@pytest.mark.parametrize(
    ("lpstat", "problem"),
    [
        ((0, "printer hp is idle.  enabled since x\n\tAlerts: none\n", ""), None),
        ((0, "printer hp now printing hp-3.  enabled since x\n", ""), None),
        ((0, LPSTAT_DISABLED, ""), PrinterProblem.NO_PAPER),
        (
            (0, "printer hp is idle.  enabled since x\n\tAlerts: offline-report\n", ""),
            PrinterProblem.OFFLINE,
        ),
        (
            (0, "printer hp is idle.  enabled since x\n\tAlerts: media-jam-error\n", ""),
            PrinterProblem.JAMMED,
        ),
        (
            (0, "printer hp disabled since x -\n\treason\n\tAlerts: paused\n", ""),
            PrinterProblem.STOPPED,
        ),
        ((1, "", 'lpstat: Invalid destination name in list "hp".\n'), PrinterProblem.MISSING),
    ],
)
def test_printer_states_read_from_lpstat(
    lpstat: tuple[int, str, str], problem: PrinterProblem | None
) -> None:
    client = CupsClient(runner=_runner({"lpstat -l": lpstat}))  # type: ignore[arg-type]
    assert client.state("hp").problem is problem


def test_colour_is_offered_only_where_the_driver_has_it() -> None:
    colour = (0, "ColorModel/Color Mode: *RGB Gray\nDuplex/2-Sided: *None\n", "")
    grey = (0, "ColorModel/Color Mode: *Gray\n", "")
    idle = (0, "printer hp is idle.  enabled since x\n", "")
    for answer, expected in ((colour, True), (grey, False), ((0, "", ""), False)):
        runner = _runner({"lpstat -l": idle, "lpoptions -p": answer})
        assert CupsClient(runner=runner).state("hp").color is expected  # type: ignore[arg-type]


def test_a_refused_job_says_what_is_wrong_with_the_printer() -> None:
    runner = _runner(
        {
            "lp -d": (1, "", "lp: The printer or class does not exist.\n"),
            "lpstat -l": (1, "", "lpstat: Invalid destination\n"),
        }
    )
    with pytest.raises(CupsError) as caught:
        CupsClient(runner=runner).submit("hp", Path("/tmp/x.pdf"))  # type: ignore[arg-type]
    assert caught.value.problem is PrinterProblem.MISSING
    assert "does not exist" in str(caught.value)


def test_no_cups_installed_is_a_missing_printer_not_a_crash() -> None:
    def absent(args: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        raise FileNotFoundError(args[0])

    with pytest.raises(CupsError) as caught:
        CupsClient(runner=absent).pending()
    assert caught.value.problem is PrinterProblem.MISSING


def test_the_status_takes_every_printer_problem() -> None:
    from kiosk.wire import protocol

    assert {p.value for p in PrinterProblem} | {"ok"} == protocol.PRINTER_STATES
    for state in protocol.PRINTER_STATES:
        status = protocol.decode_status(protocol.encode_status("idle", printer=state))
        assert status.figures["printer"] == state
