"""kiosk/ui/pyside_startup.py: PySide6's per-import source check, made cheaper, same answers."""

from __future__ import annotations

import linecache
import sys
from types import ModuleType

import kiosk.ui  # noqa: F401 (installs the cheaper check)


def _feature() -> ModuleType:
    feature = sys.modules.get("PySide6.support.feature") or sys.modules.get(
        "shibokensupport.feature"
    )
    assert feature is not None, "PySide6's feature support is loaded with QtCore"
    return feature


def test_the_cheaper_check_is_installed_and_answers_as_pysides_own() -> None:
    check = _feature()._mod_uses_pyside
    assert getattr(check, "quicker", False), "kiosk.ui installs it before the screens load"
    original = check.original
    modules = [
        module
        for _name, module in sorted(sys.modules.items())
        if isinstance(getattr(module, "__file__", None), str) and module.__file__.endswith(".py")
    ]
    assert len(modules) > 50
    differ = [m.__name__ for m in modules if check(m) != original(m)]
    assert not differ, differ
    assert any(original(m) for m in modules), "some use PySide6 (kiosk.ui, pytestqt)"
    assert not all(original(m) for m in modules), "and some do not (json)"


def test_it_keeps_no_source_in_memory() -> None:
    """PySide's own check keeps every module's lines in linecache (megabytes at a start)."""
    import json

    linecache.clearcache()
    assert _feature()._mod_uses_pyside(json) is False
    assert json.__file__ not in linecache.cache
    _feature()._mod_uses_pyside.original(json)
    assert json.__file__ in linecache.cache, "the original does keep it: the test can fail"
