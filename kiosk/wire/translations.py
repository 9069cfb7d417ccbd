"""One translation system for the kiosk, the consoles and the reports: gettext catalogs.

Each part is a *domain* with a folder: ``<folder>/<lang>/LC_MESSAGES/<domain>.po`` is what
translators edit (Poedit, Weblate, Lokalize, any gettext tool: plural forms, contexts,
comments), and the compiled ``.mo`` beside it is what runs (``make translations`` extracts,
updates and compiles them with Babel; a test checks that every ``.mo`` matches its ``.po`` and
that every language has every message). Python's own ``gettext`` reads the ``.mo`` files: no
dependency at run time, and a language loads in well under a millisecond.

Two kinds of domain:

- *keyed* (the kiosk, the reports): a message id is a stable key (``still_here_title``); the
  English catalog holds the English words like any other language, so a change of wording never
  changes a key. A language that lacks a message falls back to English, never to the key.
- *source-text* (the Qt consoles): a message id is the English text itself, with the screen as
  its context (``msgctxt``), as Qt Linguist had it.

Plural forms follow each language's ``Plural-Forms`` header: ``plural("minutes_left",
"minutes_left_plural", n)`` gives "1 minute" and "5 minutes" in English, "1 minute" and
"5 minutes" in French (where 0 and 1 are singular), "1 minuut" and "5 minuten" in Dutch.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SOURCE_LANGUAGE = "en"
FIRST = ("nl", "fr", "en")  # the languages of Belgium's computer corners first


@dataclass(frozen=True)
class Domain:
    """One part's catalogs: ``folder/<lang>/LC_MESSAGES/<name>.mo``."""

    name: str
    folder: Path
    keyed: bool  # message ids are keys (the English catalog holds the words)

    def languages(self) -> list[str]:
        """The languages with a compiled catalog, nl, fr and en first (read from the folder
        once: every ``Texts(lang)`` asks, and the catalogs do not change while running)."""
        return list(_languages(self))

    def po_file(self, lang: str) -> Path:
        return self.folder / lang / "LC_MESSAGES" / f"{self.name}.po"

    def mo_file(self, lang: str) -> Path:
        return self.folder / lang / "LC_MESSAGES" / f"{self.name}.mo"

    def catalog(self, lang: str) -> Catalog:
        return _catalog(self, lang)


class Catalog:
    """The messages of one domain in one language."""

    def __init__(self, domain: Domain, lang: str) -> None:
        self.domain = domain
        self.lang = lang
        self._translations = _translations(domain, lang)

    def text(self, msgid: str, /, context: str | None = None, **values: object) -> str:
        """The message in this language, with ``{name}`` fields filled from ``values``."""
        if context is None:
            found = self._translations.gettext(msgid)
        else:
            found = self._translations.pgettext(context, msgid)
        return found.format(**values) if values else found

    def plural(
        self,
        msgid: str,
        msgid_plural: str,
        n: int,
        /,
        context: str | None = None,
        **values: object,
    ) -> str:
        """The form for ``n`` in this language; ``{n}`` and ``values`` are filled in."""
        if context is None:
            found = self._translations.ngettext(msgid, msgid_plural, n)
        else:
            found = self._translations.npgettext(context, msgid, msgid_plural, n)
        return found.format(n=n, **values)

    def has(self, msgid: str, context: str | None = None) -> bool:
        """True when this language itself (not a fallback) translates ``msgid``."""
        key = msgid if context is None else f"{context}\x04{msgid}"
        own: dict[object, str] = getattr(self._translations, "_catalog", {})
        return key in own or (key, 0) in own


@cache
def _languages(domain: Domain) -> tuple[str, ...]:
    found = sorted(
        path.parent.parent.name for path in domain.folder.glob(f"*/LC_MESSAGES/{domain.name}.mo")
    )
    return tuple([code for code in FIRST if code in found] + [c for c in found if c not in FIRST])


@cache
def _catalog(domain: Domain, lang: str) -> Catalog:
    return Catalog(domain, lang)


def _translations(domain: Domain, lang: str) -> gettext.NullTranslations:
    path = domain.mo_file(lang)
    if not path.is_file():
        raise LookupError(f"no {domain.name} catalog for {lang!r} ({path})")
    with path.open("rb") as handle:
        found: gettext.NullTranslations = gettext.GNUTranslations(handle)
    if domain.keyed and lang != SOURCE_LANGUAGE:
        english = domain.mo_file(SOURCE_LANGUAGE)
        if english.is_file():
            with english.open("rb") as handle:
                found.add_fallback(gettext.GNUTranslations(handle))
    return found
