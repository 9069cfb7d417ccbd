"""Hold off Python's cyclic garbage collector while a heavy read builds its answer, or while
the aggregator prepares and stores a batch (there it cost ~20 % of preparing a batch of
500-event uploads).

A year's report for 50 sites makes ~10,000 small tuples and dicts. Their allocation triggers
the collector, and a full collection walks the whole heap of the process (SQLAlchemy, Qt's
wrappers: a few hundred thousand objects): measured here, a report of 45–65 ms took 90–130 ms
when one fell inside it (1 report in 5). What a read makes holds no reference cycles, and
reference counting frees it as usual; the collector runs again as soon as no read is running.
Several reads at once (the console's worker threads) share one pause.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def gc_held_off() -> Iterator[None]:
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()


def without_gc_pauses(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` with the cyclic collector held off (:func:`gc_held_off`)."""

    @functools.wraps(function)
    def held(*args: P.args, **kwargs: P.kwargs) -> R:
        with gc_held_off():
            return function(*args, **kwargs)

    return held
