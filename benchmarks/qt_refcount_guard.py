"""Keeps a Qt benchmark alive despite a reference-count bug of PySide6 6.12 on Python 3.11.

In this venv (PySide6 6.12.0, CPython 3.11.7) several bindings give back ``None`` or a bool
without taking the reference they hand over: every ``QPushButton.setText`` call drops one
reference to ``None``, every ``Signal.emit`` one to ``True``, every Python-slot ``QTimer``
shot one to ``None`` (the static ``processEvents`` leaks the other way). CPython 3.11 starts
with ~5,000 references to ``None`` and ~600 to ``True``, so a process aborts ("deallocating
None/True") after a few thousand such calls — see BENCHMARKS.md. A benchmark makes far more
calls than a test, so it tops the counts up from a timer. This measures nothing and changes no
suite behaviour; it only keeps the singletons from being freed.
"""

from __future__ import annotations

import ctypes
import sys

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None

FLOOR = 200_000


def top_up(floor: int = FLOOR) -> None:
    for singleton in (None, True, False):
        for _ in range(max(0, floor - sys.getrefcount(singleton))):
            _incref(singleton)


def install(interval_ms: int = 50) -> object:
    """Top up now and from a QTimer; keep the returned timer referenced."""
    from PySide6.QtCore import QTimer

    top_up()
    timer = QTimer()
    timer.timeout.connect(top_up)
    timer.start(interval_ms)
    return timer
