"""The kiosk's printing, without Qt: what the print screen offers, the print itself, the count,
and the end of a visit that leaves nothing behind.

One :class:`PrintDesk` per kiosk. It asks CUPS for the printer's state (for the print screen
and the status heartbeat's ``printer``), refuses a print that would pass a page limit, submits
the job under the neutral title ``kiosk``, records the ``printed`` event (pages × copies,
colour, the guided task: never a title, a file or an address) once CUPS accepted it, and at
the end of a visit cancels and purges that visit's jobs and removes the kiosk's own temporary
files (:meth:`end_visit`). Job ids are also kept in the data folder until the visit ends, so
that jobs a crash left in the queue are cancelled at the next start, never printed for the
next visitor.

It never logs a file name or a title: a visitor's name is often in them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kiosk.model.core import KioskCore
from kiosk.model.outbox import Outbox
from kiosk.printing.allowance import DayCounter, PrintLimits, Refusal, VisitPrints
from kiosk.printing.cups_cli import CupsClient, CupsError, PrinterProblem, PrinterState
from kiosk.wire.config_schema import PrintingTable
from kiosk.wire.protocol import MAX_PRINT_PAGES, make_event

log = logging.getLogger("kiosk.printing")

FOLDER_PREFIX = "kiosk-print-"
JOBS_FILE = "print-jobs.json"
JOB_RE = re.compile(r"^[A-Za-z0-9_.@][^\s/#]*-[0-9]+$")  # printer-12, never an option
STATE_FRESH_S = 30.0  # the status heartbeat asks CUPS again after this long


@dataclass(frozen=True)
class Offer:
    """What the print screen shows before the visitor presses Print."""

    state: PrinterState
    left: int  # pages this visit may still print (the visit's and the day's limit)
    color: bool  # colour may be chosen (the config allows it and the printer can)
    limit: str = "visit"  # the limit that leaves fewer pages: "visit" or "day"


@dataclass(frozen=True)
class PrintResult:
    """A print: the job CUPS accepted, or why there is none (a limit, or the printer)."""

    job: str | None = None
    pages: int = 0
    refusal: Refusal | None = None
    problem: PrinterProblem | None = None

    @property
    def ok(self) -> bool:
        return self.job is not None


class PrintFiles:
    """The kiosk's own temporary files of one visit (a web page or a picture made into a PDF):
    a folder of its own (mode 0700), removed at the end of the visit; one a crash left is
    removed at the next start."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._folder: Path | None = None
        if base.is_dir():
            for stale in base.glob(FOLDER_PREFIX + "*"):
                shutil.rmtree(stale, ignore_errors=True)

    @property
    def folder(self) -> Path | None:
        return self._folder

    def new_path(self, suffix: str) -> Path:
        if self._folder is None or not self._folder.is_dir():
            self.base.mkdir(parents=True, exist_ok=True)
            self._folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=self.base))
        handle, name = tempfile.mkstemp(suffix=suffix, prefix="print-", dir=self._folder)
        os.close(handle)
        return Path(name)

    def remove(self) -> bool:
        """Remove the visit's folder; True when there was one."""
        folder, self._folder = self._folder, None
        if folder is None:
            return False
        shutil.rmtree(folder, ignore_errors=True)
        return True


class PrintDesk:
    """Printing for the visits of one kiosk, to the printer of its ``[printing]`` table."""

    def __init__(
        self,
        table: PrintingTable,
        data_dir: Path,
        core: KioskCore,
        outbox: Outbox,
        *,
        client: CupsClient | None = None,
        today: Callable[[], date] = date.today,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if table.printer is None:
            raise ValueError("no printer in [printing]")
        self.printer = table.printer
        self._allow_color = table.color
        self.client = client or CupsClient(table.server)  # the scheduler it prints through
        self._core = core
        self._outbox = outbox
        self._today = today
        self._monotonic = monotonic
        self._jobs_file = data_dir / JOBS_FILE
        self.visit = VisitPrints(
            PrintLimits(table.pages_per_visit, table.pages_per_day), DayCounter(data_dir)
        )
        self.files = PrintFiles(data_dir / "print-temp")
        self._lock = threading.Lock()  # the status heartbeat asks from the link's thread
        self._state: PrinterState | None = None
        self._state_at = 0.0
        self._listeners: list[Callable[[PrinterState], None]] = []
        self._cancel_left_jobs()

    # --- the printer's state ----------------------------------------------------------------

    def subscribe(self, listener: Callable[[PrinterState], None]) -> None:
        """Told (in the caller's thread) when the printer's problem changes."""
        self._listeners.append(listener)

    def refresh(self) -> PrinterState:
        """Ask CUPS now; listeners hear of a changed problem."""
        state = self.client.state(self.printer)
        with self._lock:
            before = self._state
            self._state, self._state_at = state, self._monotonic()
        if before is None or before.problem != state.problem:
            if state.problem is not None:
                log.warning("printer %s: %s (%s)", self.printer, state.problem, state.message)
            elif before is not None:
                log.info("printer %s can print again", self.printer)
            for listener in self._listeners:
                listener(state)
        return state

    def status_figure(self) -> str:
        """The status heartbeat's ``printer``: "ok" or the problem (protocol.PRINTER_STATES).
        Asks CUPS again when the last answer is older than ``STATE_FRESH_S``."""
        with self._lock:
            state = self._state
            fresh = state is not None and self._monotonic() - self._state_at < STATE_FRESH_S
        if state is None or not fresh:
            state = self.refresh()
        return "ok" if state.problem is None else state.problem.value

    # --- a print --------------------------------------------------------------------------------

    def offer(self) -> Offer:
        """What the print screen shows: the printer now, the pages left, colour or not."""
        state = self.refresh()
        today = self._today()
        left = self.visit.left(today)
        limits = self.visit.limits
        limit = "day" if limits.per_day - self.visit.counter.pages(today) == left else "visit"
        if left == limits.per_visit - self.visit.pages:
            limit = "visit"
        return Offer(state, left, self._allow_color and state.color, limit)

    def left(self) -> int:
        """Pages this visit may still print now."""
        return self.visit.left(self._today())

    def print_file(
        self, path: Path, pages: int, copies: int = 1, color: bool = False
    ) -> PrintResult:
        """Print ``pages`` pages of ``path`` ``copies`` times, if the limits allow it."""
        if pages < 1 or copies < 1:
            raise ValueError("nothing to print")
        wanted = pages * copies
        refusal = self.visit.check(wanted, self._today())
        if refusal is None and wanted > MAX_PRINT_PAGES:
            refusal = Refusal(wanted, min(MAX_PRINT_PAGES, self.visit.left(self._today())), "visit")
        if refusal is not None:
            return PrintResult(pages=wanted, refusal=refusal)
        color = color and self._allow_color
        try:
            job = self.client.submit(self.printer, path, copies=copies, color=color)
        except CupsError as err:
            log.warning("print refused by CUPS (%s): %s", err.problem, err)
            self.refresh()
            return PrintResult(pages=wanted, problem=err.problem)
        self.visit.record(job, wanted, self._today())
        self._remember_jobs()
        core = self._core
        if core.session is not None:
            task = core.task.task if core.task is not None else None
            self._outbox.add_event(
                make_event("printed", core.session, pages=wanted, color=color, task=task)
            )
        log.info("printed %d page(s) as %s", wanted, job)
        return PrintResult(job=job, pages=wanted)

    # --- the end of a visit ---------------------------------------------------------------------

    def end_visit(self) -> int:
        """Cancel and purge the visit's jobs still in CUPS and remove its temporary files; how
        many jobs were still there. Costs nothing (no CUPS call) when the visit printed nothing."""
        jobs = self.visit.end()
        cancelled = self._cancel(jobs)
        self.files.remove()
        if jobs:
            self._jobs_file.unlink(missing_ok=True)
        return cancelled

    def _cancel(self, jobs: list[str]) -> int:
        if not jobs:
            return 0
        try:
            cancelled = self.client.cancel(jobs)
        except CupsError as err:
            log.warning("could not cancel the visit's print jobs: %s", err)
            return 0
        if cancelled:
            log.info("cancelled %d print job(s) of the visit", len(cancelled))
        return len(cancelled)

    def _remember_jobs(self) -> None:
        part = self._jobs_file.with_suffix(".tmp")
        part.write_text(json.dumps(self.visit.jobs), encoding="utf-8")
        part.replace(self._jobs_file)

    def _cancel_left_jobs(self) -> None:
        """Jobs of a visit the kiosk did not see end (a crash, a power cut): cancelled."""
        try:
            jobs = json.loads(self._jobs_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(jobs, list):
            left = [job for job in jobs if isinstance(job, str) and JOB_RE.match(job)]
            if left:
                log.warning("cancelling %d print job(s) left by an earlier run", len(left))
                self._cancel(left)
        self._jobs_file.unlink(missing_ok=True)
