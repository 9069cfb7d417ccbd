"""The words of a funder report (the PDF and the console's preview) in English, Dutch and French.

Funders of Belgian computer corners read Dutch or French; the figures are the same in every
language. Site names, task ids, language codes and months (``2026-03``) are data and stay as
they are; the CSV keeps its English keys too, so that tools reading it do not depend on the
language. Qt-free: the ``report`` command makes PDFs without the GUI.
"""

from __future__ import annotations

from datetime import date

from admin_console.read.sections import SECTIONS

REPORT_LANGUAGES = ("en", "nl", "fr")

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "heading": "Usage report",
        "period": "Period",
        "sites": "Sites",
        "made": "Made",
        "anonymous": "Anonymous figures: no names, no addresses, nothing that identifies a "
        "visitor.",
        "legend": "<{n}: fewer than {n}. {x}: withheld so that a small number cannot be worked "
        "out from the totals.",
        "no_data": "No data for this period.",
        "site": "site",
        "total": "total",
        "all sites": "all sites",
        "median wait": "median wait",
        "(free use)": "(free use)",
        "resolved": "resolved",
        "cancelled": "cancelled",
        "expired": "expired",
        "waiting": "waiting",
    },
    "nl": {
        "heading": "Gebruiksrapport",
        "period": "Periode",
        "sites": "Locaties",
        "made": "Gemaakt",
        "anonymous": "Anonieme cijfers: geen namen, geen adressen, niets waaraan een bezoeker "
        "te herkennen is.",
        "legend": "<{n}: minder dan {n}. {x}: weggelaten, zodat een klein aantal niet uit de "
        "totalen af te leiden is.",
        "no_data": "Geen gegevens voor deze periode.",
        "site": "locatie",
        "total": "totaal",
        "all sites": "alle locaties",
        "median wait": "mediane wachttijd",
        "(free use)": "(vrij gebruik)",
        "resolved": "geholpen",
        "cancelled": "geannuleerd",
        "expired": "verlopen",
        "waiting": "wacht nog",
    },
    "fr": {
        "heading": "Rapport d'utilisation",
        "period": "Période",
        "sites": "Sites",
        "made": "Établi le",
        "anonymous": "Chiffres anonymes : aucun nom, aucune adresse, rien qui permette "
        "d'identifier un visiteur.",
        "legend": "<{n} : moins de {n}. {x} : non publié, pour qu'un petit nombre ne puisse pas "
        "être déduit des totaux.",
        "no_data": "Aucune donnée pour cette période.",
        "site": "site",
        "total": "total",
        "all sites": "tous les sites",
        "median wait": "attente médiane",
        "(free use)": "(usage libre)",
        "resolved": "aidé",
        "cancelled": "annulé",
        "expired": "expiré",
        "waiting": "en attente",
    },
}

# Every word of a report in each language: the words above, and each table's title and row
# label (``title_<key>``, ``label_<key>``) from its declaration in sections.py.
TEXTS: dict[str, dict[str, str]] = {
    lang: {
        **words,
        **{f"title_{section.key}": section.words[lang][0] for section in SECTIONS},
        **{f"label_{section.key}": section.words[lang][1] for section in SECTIONS},
    }
    for lang, words in _WORDS.items()
}

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
}


def report_language(lang: str | None) -> str:
    """A language the reports are written in: ``lang`` if there is one, else English."""
    return lang if lang in TEXTS else "en"


class ReportTexts:
    """The words of one language; a word it does not know (data: a site, a task id) is itself."""

    def __init__(self, lang: str | None) -> None:
        self.lang = report_language(lang)
        self._texts = TEXTS[self.lang]

    def __call__(self, key: str, **values: object) -> str:
        text = self._texts.get(key)
        return key if text is None else text.format(**values)

    def word(self, value: str) -> str:
        """A row or column name: translated when it is one of the report's own words."""
        return self._texts.get(value, value)

    def day(self, day: date) -> str:
        """``5 March 2026``, ``5 maart 2026``, ``5 mars 2026``."""
        return f"{day.day} {MONTHS[self.lang].split()[day.month - 1]} {day.year}"
