"""PySide6 must not drop references to ``None`` or ``True``.

PySide6 6.12.0 on Python 3.11 took one reference from ``None`` (or ``True``) on every
``setText``, every ``QTimer`` shot into a Python slot and every ``Signal.emit``, and never gave
it back. CPython 3.11 aborts ("Fatal Python error: none_dealloc") when the count reaches zero:
an idle kiosk (a 250 ms tick) died after about 45 minutes. ``pyproject.toml`` keeps PySide6
below 6.12; this test fails on any version that leaks again.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

CALLS = 2000
# A few references may come and go with caches; a leak of one per call is CALLS.
SLACK = 50


class _Emitter(QObject):
    changed = Signal(bool)


def _counts() -> tuple[int, int]:
    return sys.getrefcount(None), sys.getrefcount(True)


def test_set_text_keeps_references(qtbot: QtBot) -> None:
    button = QPushButton()
    qtbot.addWidget(button)
    before = _counts()
    for i in range(CALLS):
        button.setText(f"tekst {i % 7}")
    after = _counts()
    assert after[0] >= before[0] - SLACK, f"None lost {before[0] - after[0]} references"
    assert after[1] >= before[1] - SLACK, f"True lost {before[1] - after[1]} references"


def test_signal_emit_keeps_references(qtbot: QtBot) -> None:
    emitter = _Emitter()
    seen: list[bool] = []
    emitter.changed.connect(seen.append)
    before = _counts()
    for _ in range(CALLS):
        emitter.changed.emit(True)
    after = _counts()
    assert len(seen) == CALLS
    assert after[0] >= before[0] - SLACK, f"None lost {before[0] - after[0]} references"
    assert after[1] >= before[1] - SLACK, f"True lost {before[1] - after[1]} references"


def test_timer_into_python_slot_keeps_references(qtbot: QtBot) -> None:
    shots: list[int] = []
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(lambda: shots.append(1))
    before = _counts()
    timer.start()
    qtbot.waitUntil(lambda: len(shots) >= CALLS, timeout=20_000)
    timer.stop()
    after = _counts()
    lost = before[0] - after[0]
    assert lost < SLACK + len(shots) // 10, f"None lost {lost} references in {len(shots)} shots"
