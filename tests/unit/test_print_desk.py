"""The print desk and the print screen's words, without Qt or a scheduler (issue 19): the
CUPS commands are answered by a stand-in that records what was asked."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from kiosk.i18n import Texts
from kiosk.model.core import KioskCore
from kiosk.model.outbox import Outbox
from kiosk.printing.allowance import Refusal
from kiosk.printing.cups_cli import CupsClient, PrinterProblem, PrinterState
from kiosk.printing.desk import JOBS_FILE, Offer, PrintDesk
from kiosk.printing.words import describe, problem_text, refusal_text
from kiosk.wire.config_schema import PrintingTable
from kiosk.wire.protocol import Channel

TODAY = date(2026, 12, 4)
IDLE = "printer hp is idle.  enabled since x\n\tAlerts: none\n"
STOPPED = "printer hp disabled since x -\n\tpaper tray open\n\tAlerts: paused\n"


class FakeCups:
    """Answers lpstat, lpoptions, lp and cancel as CUPS does; remembers every call."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.lpstat = IDLE
        self.next_job = 1

    def __call__(
        self, args: Sequence[str], env: dict[str, str]
    ) -> subprocess.CompletedProcess[str]:
        args = list(args)
        self.calls.append(args)
        out = ""
        if args[:2] == ["lpstat", "-l"]:
            out = self.lpstat
        elif args[0] == "lp":
            out = f"request id is hp-{self.next_job} (1 file(s))\n"
            self.next_job += 1
        return subprocess.CompletedProcess(args, 0, out, "")

    def asked(self, command: str) -> list[list[str]]:
        return [call for call in self.calls if call[0] == command]


@pytest.fixture
def cups() -> FakeCups:
    return FakeCups()


@pytest.fixture
def core(tmp_path: Path) -> KioskCore:
    return KioskCore(Outbox(tmp_path / "outbox.db"))


def desk_for(
    tmp_path: Path, core: KioskCore, cups: FakeCups, *, per_visit: int = 10, color: bool = True
) -> PrintDesk:
    table = PrintingTable(printer="hp", pages_per_visit=per_visit, pages_per_day=100, color=color)
    client = CupsClient(runner=cups)
    return PrintDesk(table, tmp_path, core, core._outbox, client=client, today=lambda: TODAY)


def printed(core: KioskCore) -> list[dict[str, object]]:
    rows = core._outbox.next_rows(0, 1000)
    events = [json.loads(r.body) for r in rows if r.channel == Channel.EVENTS]
    return [e for e in events if e["type"] == "printed"]


def test_a_print_is_counted_with_its_pages_colour_and_task_and_nothing_else(
    tmp_path: Path, core: KioskCore, cups: FakeCups
) -> None:
    desk = desk_for(tmp_path, core, cups)
    core.start_session()
    core.start_task("tax-return", 5)
    result = desk.print_file(tmp_path / "Jan Peeters aanslag.pdf", pages=2, copies=3)
    assert result.ok and result.job == "hp-1" and result.pages == 6
    (lp,) = cups.asked("lp")
    assert lp[lp.index("-t") + 1] == "kiosk" and lp[lp.index("-n") + 1] == "3"
    (event,) = printed(core)
    assert (event["pages"], event["color"], event["task"]) == (6, False, "tax-return")
    assert "Peeters" not in json.dumps(event)
    assert desk.left() == 4


def test_a_print_past_the_limit_never_reaches_cups(
    tmp_path: Path, core: KioskCore, cups: FakeCups
) -> None:
    desk = desk_for(tmp_path, core, cups, per_visit=4)
    core.start_session()
    result = desk.print_file(tmp_path / "x.pdf", pages=5)
    assert not result.ok and result.refusal == Refusal(5, 4, "visit")
    assert cups.asked("lp") == [] and printed(core) == []


def test_the_end_of_a_visit_cancels_its_jobs_and_costs_nothing_without_them(
    tmp_path: Path, core: KioskCore, cups: FakeCups
) -> None:
    desk = desk_for(tmp_path, core, cups)
    core.start_session()
    assert desk.end_visit() == 0 and cups.calls == []  # printed nothing: no CUPS call
    made = desk.files.new_path(".pdf")
    desk.print_file(made, pages=1)
    desk.print_file(made, pages=1)
    assert json.loads((tmp_path / JOBS_FILE).read_text()) == ["hp-1", "hp-2"]
    assert desk.end_visit() == 2
    assert [c for c in cups.asked("cancel")] == [["cancel", "-x", "hp-1"], ["cancel", "-x", "hp-2"]]
    assert not made.exists() and not made.parent.exists()
    assert not (tmp_path / JOBS_FILE).exists()
    assert desk.left() == 10  # the next visitor starts afresh


def test_jobs_a_crash_left_are_cancelled_at_the_next_start(
    tmp_path: Path, core: KioskCore, cups: FakeCups
) -> None:
    (tmp_path / JOBS_FILE).write_text(json.dumps(["hp-7", "-a", "hp 8", 9, "printer-2"]))
    stale = tmp_path / "print-temp" / "kiosk-print-old"
    stale.mkdir(parents=True)
    (stale / "print-1.pdf").write_bytes(b"%PDF")
    desk_for(tmp_path, core, cups)
    # Only job ids: never an option such as "-a" (every job of the printer).
    assert cups.asked("cancel") == [["cancel", "-x", "hp-7"], ["cancel", "-x", "printer-2"]]
    assert not (tmp_path / JOBS_FILE).exists() and not stale.exists()


def test_a_changed_printer_state_is_told_once_and_the_status_figure_follows(
    tmp_path: Path, core: KioskCore, cups: FakeCups
) -> None:
    desk = desk_for(tmp_path, core, cups)
    heard: list[PrinterProblem | None] = []
    desk.subscribe(lambda state: heard.append(state.problem))
    assert desk.status_figure() == "ok"
    asked = len(cups.asked("lpstat"))
    assert desk.status_figure() == "ok" and len(cups.asked("lpstat")) == asked  # fresh: kept
    cups.lpstat = STOPPED
    offer = desk.offer()
    assert offer.state.problem is PrinterProblem.STOPPED
    desk.offer()
    assert heard == [None, PrinterProblem.STOPPED]  # once per change
    assert desk.status_figure() == "stopped"


def test_colour_only_where_the_config_and_the_printer_allow_it(
    tmp_path: Path, core: KioskCore, cups: FakeCups
) -> None:
    state = PrinterState("hp", None, color=True)
    assert desk_for(tmp_path, core, cups, color=False)._allow_color is False
    core.start_session()
    desk = desk_for(tmp_path, core, cups, color=False)
    desk.print_file(tmp_path / "x.pdf", pages=1, color=True)
    (lp,) = cups.asked("lp")
    assert "ColorModel=Gray" in lp and printed(core)[0]["color"] is False
    assert Offer(state, 3, True).color


NL, FR = Texts("nl"), Texts("fr")


def test_the_screen_says_what_is_left_and_why_it_cannot_print() -> None:
    ready = PrinterState("hp", None)
    shown = describe(NL, Offer(ready, 12, False), pages=3, copies=1)
    assert (shown.pages, shown.left) == ("Dit document heeft 3 bladzijden.", "Nog 12 bladzijden")
    assert shown.can_print and shown.message == "" and shown.more_copies
    shown = describe(NL, Offer(ready, 12, False), pages=3, copies=5)  # 15 > 12
    assert not shown.can_print and not shown.more_copies
    assert shown.message.startswith("Dat zijn 15 bladzijden. U kunt bij dit bezoek nog 12 ")
    day = describe(FR, Offer(ready, 2, False, "day"), pages=3, copies=1)
    assert day.message.startswith("Cela fait 3 pages. Aujourd'hui, cet ordinateur peut encore")
    assert describe(NL, Offer(ready, 0, False), 1, 1).left == "Geen bladzijden meer"
    assert refusal_text(NL, Refusal(1, 0, "day")) == NL("print_refused_day_none")


@pytest.mark.parametrize("problem", list(PrinterProblem))
def test_every_printer_problem_has_plain_words_and_the_buddy(problem: PrinterProblem) -> None:
    for texts in (NL, FR, Texts("en")):
        words = problem_text(texts, problem)
        assert texts("print_problem_buddy") in words and "print_" not in words
    shown = describe(NL, Offer(PrinterState("hp", problem), 10, False), 1, 1)
    assert shown.problem and not shown.can_print and "buddy" in shown.message
