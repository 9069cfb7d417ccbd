"""The site's CUPS through its command line (``lp``, ``lpstat``, ``cancel``, ``lpoptions``).

Why the command line and not pycups (docs/decisions.md): pycups from PyPI is a C extension
built against libcups at install time (a compiler and libcups2-dev on every kiosk, or a wheel
per platform in the bundle), and Debian's python3-cups serves only the system Python, not the
kiosk's venv or the PyInstaller bundle. The CUPS client commands are in every CUPS install
(cups-client), speak to a local or remote scheduler through ``CUPS_SERVER``, and their output
in the C locale has been stable for years. A kiosk prints a few jobs an hour: one process per
call costs nothing that matters (BENCHMARKS.md, printing).

Every job is submitted with the neutral title ``kiosk``, so that the scheduler's job list and
history never hold a document's title (a visitor's name is often in it).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

JOB_TITLE = "kiosk"
_TIMEOUT_S = 20.0
_REQUEST_RE = re.compile(r"request id is (\S+) ")
_PRINTER_RE = re.compile(r"^printer (\S+) (?:is (idle|now printing)|(disabled)) ")


class PrinterProblem(StrEnum):
    """What keeps a printer from printing, as the kiosk's status carries it (``printer``)."""

    MISSING = "missing"  # no such printer in CUPS (or no CUPS at all)
    STOPPED = "stopped"  # disabled by staff or by CUPS after an error
    NO_PAPER = "no_paper"
    OFFLINE = "offline"  # switched off, unplugged, unreachable
    JAMMED = "jammed"
    OTHER = "other"  # another error CUPS reports


# CUPS printer-state-reasons (RFC 8011 / PWG 5100.9) that stop a job, as a problem.
_REASONS: tuple[tuple[str, PrinterProblem], ...] = (
    ("media-empty", PrinterProblem.NO_PAPER),
    ("media-needed", PrinterProblem.NO_PAPER),
    ("media-jam", PrinterProblem.JAMMED),
    ("offline", PrinterProblem.OFFLINE),
    ("shutdown", PrinterProblem.OFFLINE),
    ("connecting-to-device", PrinterProblem.OFFLINE),
)


@dataclass(frozen=True)
class PrinterState:
    name: str
    problem: PrinterProblem | None  # None: it can print now
    reasons: tuple[str, ...] = ()  # CUPS's printer-state-reasons, for logs
    message: str = ""  # the printer's own words (English, for logs; never shown to a visitor)
    color: bool = False  # the driver offers a colour mode besides grey

    @property
    def ready(self) -> bool:
        return self.problem is None


class CupsError(RuntimeError):
    """CUPS refused or could not be reached; ``problem`` is what the visitor is told."""

    def __init__(self, message: str, problem: PrinterProblem = PrinterProblem.OTHER) -> None:
        super().__init__(message)
        self.problem = problem


Runner = Callable[[Sequence[str], dict[str, str]], subprocess.CompletedProcess[str]]


def _run(args: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), env=env, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
    )


class CupsClient:
    """One CUPS scheduler: the local one by default, or ``server`` (a socket path or host:port)."""

    def __init__(self, server: str | None = None, runner: Runner = _run) -> None:
        self._env = {**os.environ, "LANG": "C", "LC_ALL": "C"}
        if server:
            self._env["CUPS_SERVER"] = server
        self._runner = runner

    def _call(self, *args: str) -> subprocess.CompletedProcess[str]:
        try:
            return self._runner(args, self._env)
        except FileNotFoundError:
            raise CupsError(f"{args[0]} is not installed", PrinterProblem.MISSING) from None
        except subprocess.TimeoutExpired:
            raise CupsError(f"{args[0]} did not answer", PrinterProblem.OFFLINE) from None

    def state(self, printer: str) -> PrinterState:
        """The printer as CUPS sees it now; a missing printer or scheduler is a problem too."""
        try:
            done = self._call("lpstat", "-l", "-p", printer)
        except CupsError as err:
            return PrinterState(printer, err.problem, message=str(err))
        if done.returncode != 0 or not done.stdout.strip():
            return PrinterState(printer, PrinterProblem.MISSING, message=_first(done.stderr))
        lines = done.stdout.splitlines()
        match = _PRINTER_RE.match(lines[0])
        disabled = bool(match and match.group(3))
        reasons: tuple[str, ...] = ()
        message = ""
        for line in lines[1:]:
            text = line.strip()
            if text.startswith("Alerts:"):
                reasons = tuple(
                    r.strip() for r in text.removeprefix("Alerts:").split(",") if r.strip()
                )
                reasons = tuple(r for r in reasons if r != "none")
            elif disabled and not message and line.startswith("\t") and ":" not in text:
                message = text  # the reason staff or CUPS gave when it stopped the printer
        problem = _problem(reasons)
        if problem is None and disabled:
            problem = PrinterProblem.STOPPED
        return PrinterState(printer, problem, reasons, message, self._has_color(printer))

    def _has_color(self, printer: str) -> bool:
        try:
            done = self._call("lpoptions", "-p", printer, "-l")
        except CupsError:
            return False
        for line in done.stdout.splitlines():
            name, _, values = line.partition(":")
            if name.split("/")[0] == "ColorModel":
                modes = {v.lstrip("*").lower() for v in values.split()}
                return bool(modes - {"gray", "grey", "black", "kgray", "monochrome"})
        return False

    def submit(self, printer: str, path: Path, copies: int = 1, color: bool | None = None) -> str:
        """Queue ``path``; the job's id (``printer-12``). The title is always ``kiosk``."""
        args = ["lp", "-d", printer, "-t", JOB_TITLE, "-n", str(copies)]
        if color is False:
            args += ["-o", "ColorModel=Gray", "-o", "print-color-mode=monochrome"]
        done = self._call(*args, "--", str(path))
        match = _REQUEST_RE.search(done.stdout)
        if done.returncode != 0 or match is None:
            state = self.state(printer)
            raise CupsError(
                _first(done.stderr) or "lp gave no job id", state.problem or PrinterProblem.OTHER
            )
        return match.group(1)

    def pending(self, printer: str | None = None) -> list[str]:
        """Ids of the jobs not yet printed (on one printer, or every printer)."""
        done = self._call("lpstat", "-o", *([printer] if printer else []))
        return [line.split()[0] for line in done.stdout.splitlines() if line.strip()]

    def cancel(self, jobs: Sequence[str]) -> list[str]:
        """Cancel and purge these jobs (their files and their history); those that were still
        there. A job that already printed and left the history is no error."""
        cancelled = []
        for job in jobs:
            done = self._call("cancel", "-x", job)
            if done.returncode == 0:
                cancelled.append(job)
        return cancelled

    def history(self, printer: str | None = None) -> list[str]:
        """Every job CUPS still lists (pending and completed): what a next visitor could see."""
        done = self._call("lpstat", "-W", "all", "-o", *([printer] if printer else []))
        return [line.split()[0] for line in done.stdout.splitlines() if line.strip()]


def _problem(reasons: Sequence[str]) -> PrinterProblem | None:
    for reason in reasons:
        if reason in {"paused"}:
            return PrinterProblem.STOPPED
        for prefix, problem in _REASONS:
            if reason.startswith(prefix):
                return problem
        if reason.endswith("-error"):
            return PrinterProblem.OTHER
    return None


def _first(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]
