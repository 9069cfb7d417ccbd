"""Languages of the admin console and the buddy desk (Qt Linguist files in ``i18n/``).

Every visible string of the Qt windows goes through ``self.tr()``; strings kept in module-level
tables are marked with :func:`QT_TRANSLATE_NOOP` so that ``pyside6-lupdate`` finds them.
``make translations`` refreshes ``i18n/admin_{nl,fr}.ts`` from the sources and compiles the
``.qm`` files that ship; ``tests/test_admin_i18n.py`` fails when a string has no translation.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from admin_console.desk.fleet import Alert

log = logging.getLogger("admin_console.i18n")

I18N_DIR = Path(__file__).resolve().parent / "i18n"
LANGUAGES = ("en", "nl", "fr")  # English is the source language: no file


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Marks ``text`` for translation in ``context`` (a class name); returns it unchanged."""
    return text


def alert_text(alert: Alert) -> str:
    """A fleet alert in the console's language."""
    if alert.kind == "offline":
        return QCoreApplication.translate("Alerts", "offline for {n} min").format(
            n=int(alert.value)
        )
    if alert.kind == "disk":
        return QCoreApplication.translate("Alerts", "disk {pct}% full").format(
            pct=f"{alert.value:.0f}"
        )
    if alert.kind == "content":
        return QCoreApplication.translate("Alerts", "{n} task files left out").format(
            n=int(alert.value)
        )
    return alert.message


def choose_language(requested: str | None) -> str:
    """``--lang`` if given (must be known), else the system's language if we have it, else en."""
    if requested:
        code = requested.strip().lower()
        if code not in LANGUAGES:
            known = ", ".join(LANGUAGES)
            raise ValueError(f"language {requested!r} is not available; choose one of {known}")
        return code
    system = QLocale.system().name().split("_")[0].lower()
    return system if system in LANGUAGES else "en"


def install_translators(app: QCoreApplication, lang: str) -> list[QTranslator]:
    """Loads the console's translation and Qt's own (dialog buttons) into ``app``.

    Returns the translators: the caller keeps them alive as long as the application."""
    if lang == "en":
        return []
    installed: list[QTranslator] = []
    own = QTranslator(app)
    if own.load(str(I18N_DIR / f"admin_{lang}.qm")):
        app.installTranslator(own)
        installed.append(own)
    else:
        log.warning("no translation file for %s in %s: showing English", lang, I18N_DIR)
    qt = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(f"qtbase_{lang}", qt_dir):
        app.installTranslator(qt)
        installed.append(qt)
    QLocale.setDefault(QLocale(lang))
    return installed
