"""The tests' private CUPS with a virtual PDF printer: admin_console/demo/virtual_printer.py
(`make demo` prints through the same one)."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from admin_console.demo.virtual_printer import PPD, CupsServer, cups_server, missing

__all__ = ["PPD", "CupsServer", "cups_server", "missing", "real_cups"]


@contextmanager
def real_cups() -> Iterator[CupsServer]:
    """The private CUPS of a test module's ``cups`` fixture; where no real CUPS can run, the
    test fails (never skips)."""
    reason = missing()
    if reason:
        pytest.fail(f"no real CUPS here: {reason}")
    with cups_server() as server:
        yield server
