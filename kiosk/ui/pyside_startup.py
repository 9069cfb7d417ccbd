"""One cost of PySide6 at start that the kiosk does not need to pay.

Once PySide6 is loaded, its ``__feature__`` support (snake_case, true_property) looks at the
modules imported after it: ``_mod_uses_pyside`` reads each one's whole source through
``inspect.getsource`` to see whether it says "PySide6" (PYSIDE-2029), and marks it "no
feature" or "ignore". ``getsource`` tokenizes the file and keeps its lines in ``linecache``
for the life of the process: at a kiosk start, 186 modules, about 5 MB of resident memory
that nothing reads again, and CPU time (BENCHMARKS.md, kiosk start).

The check keeps its answers and only gets cheaper: a module's ``.py`` file is searched as
bytes, and nothing is kept; a module without one goes to PySide's own check. Nothing changes
if a future PySide6 names these internals differently: the check is then left as it is
(tests/qt/test_pyside_startup.py fails, so that someone looks).
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import PySide6.QtCore  # noqa: F401 (loads the feature support this module adjusts)


def _uses_pyside(module: ModuleType, fallback: object) -> bool:
    path = getattr(module, "__file__", None)
    if isinstance(path, str) and path.endswith(".py"):
        try:
            return b"PySide6" in Path(path).read_bytes()
        except OSError:
            pass
    return bool(fallback(module))  # type: ignore[operator]


def quicker_feature_check() -> bool:
    """Install the cheaper check; False when this PySide6 has no such internals."""
    feature = sys.modules.get("PySide6.support.feature") or sys.modules.get(
        "shibokensupport.feature"
    )
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, "quicker", False):
        return False

    def check(module: ModuleType) -> bool:
        return _uses_pyside(module, original)

    check.quicker = True  # type: ignore[attr-defined]
    check.original = original  # type: ignore[attr-defined]
    setattr(feature, "_mod_uses_pyside", check)  # noqa: B010 (a private name of PySide)
    return True
