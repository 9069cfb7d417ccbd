"""CUPS's answers as kiosk/printing/cups_cli.py reads them, for screens that only need to look
right: a printer that can print in colour, or one out of paper (``alerts``). The prints
themselves go through a real CUPS in tests/integration (tests/cups_server.py)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence


class StandInCups:
    """A runner for ``CupsClient(runner=...)``; set ``alerts`` to a CUPS alert keyword."""

    def __init__(self) -> None:
        self.alerts = "none"

    def __call__(
        self, args: Sequence[str], env: dict[str, str]
    ) -> subprocess.CompletedProcess[str]:
        del env
        out = {
            "lpstat": f"printer balie is idle.  enabled since x\n\tAlerts: {self.alerts}\n",
            "lpoptions": "ColorModel/Color Mode: *Gray RGB\n",
            "lp": "request id is balie-1 (1 file(s))\n",
        }.get(args[0], "")
        return subprocess.CompletedProcess(list(args), 0, out, "")
