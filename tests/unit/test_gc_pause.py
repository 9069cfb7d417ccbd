"""Heavy reads hold off the cyclic collector, and always give it back."""

from __future__ import annotations

import gc
import threading

import pytest

from admin_console.read.reports import build_report
from admin_console.store.gc_pause import gc_held_off, without_gc_pauses


def test_the_collector_is_off_during_a_read_and_on_after_it() -> None:
    assert gc.isenabled()
    seen: list[bool] = []

    @without_gc_pauses
    def read() -> int:
        seen.append(gc.isenabled())
        return 7

    assert read() == 7 and seen == [False] and gc.isenabled()
    assert getattr(build_report, "__wrapped__", None) is not None  # the report uses it


def test_an_error_gives_the_collector_back() -> None:
    @without_gc_pauses
    def broken() -> None:
        raise RuntimeError("database away")

    with pytest.raises(RuntimeError):
        broken()
    assert gc.isenabled()


def test_reads_at_once_share_one_pause() -> None:
    inside, leave = threading.Event(), threading.Event()

    def long_read() -> None:
        with gc_held_off():
            inside.set()
            leave.wait(10)

    worker = threading.Thread(target=long_read)
    worker.start()
    assert inside.wait(10)
    with gc_held_off():  # a second read starts and ends while the first still runs
        assert not gc.isenabled()
    assert not gc.isenabled(), "the first read is still running"
    leave.set()
    worker.join(10)
    assert gc.isenabled()


def test_a_process_without_the_collector_keeps_it_off() -> None:
    gc.disable()
    try:
        with gc_held_off():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
