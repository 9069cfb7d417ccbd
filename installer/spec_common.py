"""What the two PyInstaller specs share: which Qt parts a bundle keeps, and the trimming itself.

PyInstaller's Qt hooks collect generously: a QtWebEngine app brings every QML module (Qt Quick 3D,
Charts, Location, …, with their libraries and FFmpeg), 192 translation files, 53 Chromium locales
and plugins for platforms a kiosk never runs on. The specs exclude the PySide6 modules the code
does not import (so their hooks never run), drop files by destination path (``trim``) and then
the libraries that only dropped files needed (``trim_binaries``). ``KIOSK_DIST_NO_TRIM=1`` builds
without any of it (only to measure what it saves); installer/README.md has the numbers.

Paths are matched on the destination inside the bundle, with ``/`` separators, for both wheel
layouts: ``PySide6/Qt/plugins/…`` (Linux, macOS) and ``PySide6/plugins/…`` (Windows).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import PySide6

TRIM = os.environ.get("KIOSK_DIST_NO_TRIM", "") != "1"

# Languages whose Qt and Chromium translations stay in the bundle: the kiosk's own (nl, fr, en)
# and Belgium's third official language. A site that adds a kiosk language adds it here.
KEEP_LANGUAGES = ("nl", "fr", "de", "en")

# The PySide6 modules that ``import kiosk.ui.app`` and the lazy browser really load (measured with
# sys.modules after importing them). Everything else is excluded, so that its hook never runs.
KIOSK_QT_MODULES = {
    "QtCore",
    "QtGui",
    "QtWidgets",
    "QtNetwork",
    "QtWebEngineCore",
    "QtWebEngineWidgets",
    "QtWebChannel",  # loaded by QtWebEngineCore
    "QtPrintSupport",  # loaded by QtWebEngineCore
    "QtPdf",
    "QtPdfWidgets",
    "QtTextToSpeech",  # read aloud; the kiosk runs on without it
}
# The buddy desk and the admin console (charts; sound is optional and falls back to a beep).
ADMIN_QT_MODULES = {"QtCore", "QtGui", "QtWidgets", "QtCharts", "QtOpenGL", "QtOpenGLWidgets"}

# Python packages a bundle never needs (test tools, Tk, packaging machinery).
COMMON_EXCLUDES = [
    "tkinter",
    "_tkinter",
    "unittest",
    "pydoc",
    "pytest",
    "hypothesis",
    "setuptools",
    "pkg_resources",
    "pip",
    "IPython",
    "numpy",
]

_QT = r"PySide6/(?:Qt/)?"
_LANGS = "|".join(KEEP_LANGUAGES)

# Destination paths that the kiosk bundle drops.
_KIOSK_DROP = [
    _QT + r"qml/",  # no QML in the kiosk; QtWebEngineWidgets links Qt Quick but loads no QML
    _QT + r"plugins/qmltooling/",
    _QT + r"plugins/egldeviceintegrations/",  # eglfs only
    _QT + r"plugins/generic/",  # evdev/tuio input for eglfs/linuxfb; cage and X handle input
    _QT + r"plugins/platforms/(?!.*(?:qxcb|qwayland|qoffscreen|qwindows|qcocoa))",
    _QT + r"plugins/platformthemes/",  # GTK/portal dialogs: a kiosk shows none
    _QT + r"plugins/platforminputcontexts/.*virtualkeyboard",  # needs QML
    _QT + r"plugins/position/",
    _QT + r"plugins/networkinformation/",
    _QT + r"plugins/printsupport/",  # no printing from the kiosk (and it would need libcups)
    _QT + r"plugins/multimedia/",  # FFmpeg backend; text to speech goes through speechd
    _QT + r"plugins/texttospeech/.*mock",
    # Chromium developer tools: the kiosk never opens them (12 MB).
    _QT + r"resources/qtwebengine_devtools_resources\.pak$",
    # Translations: only KEEP_LANGUAGES, only Qt's base and WebEngine catalogues.
    _QT + rf"translations/(?!(?:qt|qtbase|qtwebengine)_(?:{_LANGS})(?:_[A-Za-z]+)?\.qm$)[^/]+\.qm$",
    _QT + rf"translations/qtwebengine_locales/(?!(?:{_LANGS})(?:-[A-Za-z0-9]+)?\.pak$)",
]

# The admin console shows plain widgets (the buddy desk) on X11, Wayland or Windows.
_ADMIN_DROP = [
    _QT + r"plugins/egldeviceintegrations/",
    _QT + r"plugins/generic/",
    _QT + r"plugins/platforms/(?!.*(?:qxcb|qwayland|qoffscreen|qwindows|qcocoa))",
    _QT + r"plugins/platformthemes/",
    _QT + r"plugins/platforminputcontexts/.*virtualkeyboard",
    _QT + r"plugins/networkinformation/",
    _QT + r"plugins/imageformats/[^/]*qpdf",  # would bring QtPdf (4 MB) for nothing
    _QT + rf"translations/(?!(?:qt|qtbase)_(?:{_LANGS})(?:_[A-Za-z]+)?\.qm$)[^/]+\.qm$",
]

KIOSK_DROP = re.compile("|".join(f"(?:^{p})" for p in _KIOSK_DROP))
ADMIN_DROP = re.compile("|".join(f"(?:^{p})" for p in _ADMIN_DROP))


def excludes(keep_qt: set[str], extra: Iterable[str] = ()) -> list[str]:
    """The modules a bundle leaves out (none without TRIM): unused PySide6 modules and more."""
    if not TRIM:
        return []
    return [*qt_excludes(keep_qt), *COMMON_EXCLUDES, *extra]


def qt_excludes(keep: set[str]) -> list[str]:
    """Every PySide6 extension module of this installation that is not in ``keep``."""
    folder = Path(PySide6.__file__).parent
    names = {
        path.name.split(".")[0]
        for path in folder.iterdir()
        if path.name.startswith("Qt") and path.suffix in (".so", ".pyd")
    }
    return sorted(f"PySide6.{name}" for name in names - keep)


def trim(entries: Iterable[Any], drop: re.Pattern[str]) -> list[Any]:
    """The TOC entries whose destination does not match ``drop`` (all of them without TRIM)."""
    entries = list(entries)
    if not TRIM:
        return entries
    return [entry for entry in entries if not drop.search(_dest(entry))]


def trim_binaries(entries: Iterable[Any], drop: re.Pattern[str]) -> list[Any]:
    """``trim``, and also the shared libraries that only the dropped files needed.

    PyInstaller has already added every library that a collected plugin links to (the GTK theme
    plugin brings GTK's stack, the print plugin libcups, eglfs its device integration). A library
    goes only if a dropped file needs it (link-time, transitively) and no kept file does; a
    library loaded with dlopen by a kept part (NSS modules, libpython) is never a candidate.
    """
    entries = list(entries)
    if not TRIM:
        return entries
    dropped = [entry for entry in entries if drop.search(_dest(entry))]
    kept = [entry for entry in entries if not drop.search(_dest(entry))]
    libraries = {_name(entry[0]): entry for entry in entries if entry[2] == "BINARY"}
    candidates = _closure(dropped, libraries) & {_name(e[0]) for e in kept if e[2] == "BINARY"}
    roots = [
        entry
        for entry in kept
        if entry[2] in ("BINARY", "EXTENSION", "EXECUTABLE") and _name(entry[0]) not in candidates
    ]
    orphans = candidates - _closure(roots, libraries)
    print(
        f"trim: {len(dropped)} binaries dropped by path, {len(orphans)} libraries only they"
        f" needed: {' '.join(sorted(orphans))}",
        file=sys.stderr,
    )
    return [
        entry
        for entry in kept
        if not (entry[2] in ("BINARY", "SYMLINK") and _name(entry[0]) in orphans)
        and not (entry[2] == "SYMLINK" and _name(entry[1]) in orphans)
    ]


def _dest(entry: Any) -> str:
    return str(entry[0]).replace("\\", "/")


def _name(path: str) -> str:
    return str(path).replace("\\", "/").rsplit("/", 1)[-1].lower()


def _closure(entries: Iterable[Any], libraries: dict[str, Any]) -> set[str]:
    """Names of the libraries that ``entries`` link to, directly or through one another."""
    from PyInstaller.depend.bindepend import get_imports

    seen: set[str] = set()
    todo = [entry[1] for entry in entries if entry[2] in ("BINARY", "EXTENSION", "EXECUTABLE")]
    while todo:
        for name, _path in get_imports(todo.pop()):
            lib = _name(name)
            if lib not in seen:
                seen.add(lib)
                if lib in libraries:
                    todo.append(libraries[lib][1])
    return seen
