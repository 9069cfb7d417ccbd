"""User-visible text of the kiosk, one JSON file per language in ``kiosk/i18n/``.

Adding a language is adding a file: ``xx.json`` with the same keys and ``language_name``.
A missing key falls back to English, so a half-translated file never shows an empty button.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path

log = logging.getLogger("kiosk.i18n")

_FOLDER = Path(__file__).with_name("i18n")
FALLBACK = "en"


@cache
def _load(lang: str) -> dict[str, str]:
    path = _FOLDER / f"{lang}.json"
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{path}: every value must be a text")
    return data


def languages() -> list[str]:
    """The language codes that have a file, in a stable order (nl, fr, en first)."""
    found = sorted(path.stem for path in _FOLDER.glob("*.json"))
    first = [code for code in ("nl", "fr", "en") if code in found]
    return first + [code for code in found if code not in first]


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
        self._texts = _load(self.lang)
        self._fallback = _load(FALLBACK)

    def __call__(self, key: str, **values: object) -> str:
        text = self._texts.get(key) or self._fallback.get(key) or key
        return text.format(**values) if values else text

    @property
    def language_name(self) -> str:
        return self("language_name")
