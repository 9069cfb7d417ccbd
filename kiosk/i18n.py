"""User-visible text of the kiosk: the keyed gettext domain ``kiosk`` (kiosk.wire.translations).

The catalogs are ``kiosk/locale/<lang>/LC_MESSAGES/kiosk.po`` (what translators edit, in any
gettext tool) and the ``kiosk.mo`` compiled beside it (what runs; ``make translations-gettext``).
A message id is a stable key (``still_here_title``); the English catalog holds the English words
and is the template of the others.

Adding a language is adding a folder: copy ``locale/en`` to ``locale/xx``, set its
``Language`` and ``Plural-Forms`` headers, translate every ``msgstr`` (``language_name`` too) and
compile. A message a language lacks falls back to English, so a half-translated catalog never
shows an empty button or a key.

A text that shows a count has plural forms: its English catalog entry is
``msgid "<key>"`` / ``msgid_plural "<key>_plural"`` and each language gives as many forms as its
``Plural-Forms`` header says (French: 0 and 1 singular; Dutch and English: only 1). Ask for it
with :meth:`Texts.plural`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kiosk.wire.translations import Domain

log = logging.getLogger("kiosk.i18n")

KIOSK = Domain("kiosk", Path(__file__).with_name("locale"), keyed=True)
FALLBACK = "en"
PLURAL_SUFFIX = "_plural"  # msgid_plural of a text with plural forms: its key + this


def languages() -> list[str]:
    """The language codes that have a catalog, in a stable order (nl, fr, en first)."""
    return KIOSK.languages()


def resolve_language(lang: str) -> str:
    """The language to use for a requested code; unknown codes fall back with a log line."""
    if lang in languages():
        return lang
    log.warning("no translation for language %r; using %s", lang, FALLBACK)
    return FALLBACK


class Texts:
    """The texts of one language."""

    def __init__(self, lang: str) -> None:
        self.lang = resolve_language(lang)
        self._catalog = KIOSK.catalog(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        """The text of ``key``, with its ``{fields}`` filled from ``values``."""
        fields: dict[str, Any] = values  # no field is called "context": the catalog's keyword
        return self._catalog.text(key, **fields)

    def plural(self, key: str, n: int, **values: object) -> str:
        """The form of ``key`` for the count ``n`` (``msgid_plural`` is ``key + "_plural"``).

        ``{n}`` and ``values`` are filled in: ``texts.plural("ends_soon", 1, minutes=1)`` is
        "This visit ends in 1 minute.", and with 5 "… in 5 minutes.".
        """
        fields: dict[str, Any] = values
        return self._catalog.plural(key, key + PLURAL_SUFFIX, n, **fields)

    @property
    def language_name(self) -> str:
        return self("language_name")
