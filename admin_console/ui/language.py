"""Languages of the admin console and the buddy desk: the gettext domain ``console``.

The console's texts are a *source-text* domain (:mod:`kiosk.wire.translations`): the message id
is the English text and its context (``msgctxt``) is the screen, named after the class that
shows it (``QtBuddyDesk``, ``QtFleetTab``, …), as Qt Linguist had it. Catalogs live in
``locale/<lang>/LC_MESSAGES/console.po`` (what translators edit) and the compiled ``.mo``
beside them (what ships). English is the source language: ``en/…/console.po`` has every
message with an empty ``msgstr`` (gettext then shows the message id), so that English is a
language with a catalog like the others.

The widgets call :func:`tr` and :func:`trn` (plural forms), never ``self.tr``; texts kept in
module-level tables are marked with :func:`N_` and translated where they are shown.
``make translations`` extracts these three (``tr:1c,2``, ``trn:1c,2,3``, ``N_:1c,2``) with
Babel, updates the catalogs and compiles them; ``tests/qt/test_admin_i18n.py`` fails when a
marked text has no translation. Qt's own texts (the standard dialog buttons) still come from
Qt's ``qtbase`` translations, loaded into a QTranslator for that alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from admin_console.desk.fleet import Alert
from kiosk.wire.translations import SOURCE_LANGUAGE, Catalog, Domain

log = logging.getLogger("admin_console.i18n")

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = Domain("console", LOCALE_DIR, keyed=False)
LANGUAGES = ("en", "nl", "fr")  # English is the source language (its catalog is empty)

_current: list[Catalog] = []  # the language chosen at start (the last use_language)


def use_language(lang: str) -> Catalog:
    """Every later :func:`tr` / :func:`trn` speaks ``lang``; Qt's dates follow it too."""
    catalog = DOMAIN.catalog(lang)
    _current[:] = [catalog]
    QLocale.setDefault(QLocale(lang))
    return catalog


def current_language() -> str:
    return _catalog().lang


def _catalog() -> Catalog:
    if not _current:
        _current.append(DOMAIN.catalog(SOURCE_LANGUAGE))
    return _current[0]


def tr(context: str, text: str, /, **values: object) -> str:
    """``text`` (English) of screen ``context`` in the chosen language, ``{fields}`` filled."""
    return _catalog().text(text, context=context, **values)


def trn(context: str, singular: str, plural: str, n: int, /, **values: object) -> str:
    """The plural form for ``n`` in the chosen language; ``{n}`` and ``values`` filled."""
    return _catalog().plural(singular, plural, n, context=context, **values)


def N_(context: str, text: str) -> str:  # noqa: N802 - the usual name of gettext's marker
    """Marks ``text`` for translation in ``context``; returns it unchanged (``tr`` it where
    it is shown)."""
    return text


def alert_text(alert: Alert) -> str:
    """A fleet alert in the console's language."""
    if alert.kind == "offline":
        return tr("Alerts", "offline for {n} min", n=int(alert.value))
    if alert.kind == "disk":
        # Not "disk {pct}% full": "% f" would make it a printf format for gettext tools.
        return tr("Alerts", "disk at {pct}%", pct=round(alert.value))
    if alert.kind == "content":
        n = int(alert.value)
        return trn("Alerts", "{n} task file left out", "{n} task files left out", n)
    if alert.kind == "cut_off":
        return tr("Alerts", "cut off from the centre for {n} min", n=int(alert.value))
    if alert.kind == "printer" and alert.detail in PRINTER_ALERTS:
        return tr("Alerts", PRINTER_ALERTS[alert.detail])
    return alert.message


# A printer that cannot print (desk.fleet.PRINTER_PROBLEMS), as the alert says it.
PRINTER_ALERTS = {
    "missing": N_("Alerts", "printer not found"),
    "stopped": N_("Alerts", "printer stopped"),
    "no_paper": N_("Alerts", "printer out of paper"),
    "offline": N_("Alerts", "printer off or unreachable"),
    "jammed": N_("Alerts", "paper jam in the printer"),
    "other": N_("Alerts", "printer error"),
}


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
    """Chooses the console's language (:func:`use_language`) and loads Qt's own translation
    (the standard dialog buttons: Yes, No, Cancel…) into ``app``.

    Returns the translators: the caller keeps them alive as long as the application."""
    use_language(lang)
    if lang == SOURCE_LANGUAGE:
        return []
    qt = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not qt.load(f"qtbase_{lang}", qt_dir):
        log.warning("no Qt translation for %s in %s: Qt's own buttons in English", lang, qt_dir)
        return []
    app.installTranslator(qt)
    return [qt]
