"""The words of a funder report (the PDF and the console's preview) in English, Dutch and French.

Funders of Belgian computer corners read Dutch or French; the figures are the same in every
language. Site names, task ids, language codes and months (``2026-03``) are data and stay as
they are; the CSV keeps its English keys too, so that tools reading it do not depend on the
language. Qt-free: the ``report`` command makes PDFs without the GUI.
"""

from __future__ import annotations

from datetime import date

REPORT_LANGUAGES = ("en", "nl", "fr")

TEXTS: dict[str, dict[str, str]] = {
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
        "title_sessions": "Sessions by month",
        "title_languages": "Sessions by language",
        "title_tasks_started": "Guided tasks started",
        "title_tasks_completed": "Guided tasks completed",
        "title_help_topics": "Help calls by topic",
        "title_help_outcomes": "Help calls by outcome",
        "title_help_wait": "Median wait for a buddy (minutes)",
        "label_sessions": "month",
        "label_languages": "language",
        "label_tasks_started": "task",
        "label_tasks_completed": "task",
        "label_help_topics": "topic",
        "label_help_outcomes": "outcome",
        "label_help_wait": "",
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
        "title_sessions": "Sessies per maand",
        "title_languages": "Sessies per taal",
        "title_tasks_started": "Begonnen begeleide taken",
        "title_tasks_completed": "Afgewerkte begeleide taken",
        "title_help_topics": "Hulpoproepen per onderwerp",
        "title_help_outcomes": "Hulpoproepen per afloop",
        "title_help_wait": "Mediane wachttijd op een buddy (minuten)",
        "label_sessions": "maand",
        "label_languages": "taal",
        "label_tasks_started": "taak",
        "label_tasks_completed": "taak",
        "label_help_topics": "onderwerp",
        "label_help_outcomes": "afloop",
        "label_help_wait": "",
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
        "title_sessions": "Sessions par mois",
        "title_languages": "Sessions par langue",
        "title_tasks_started": "Tâches guidées commencées",
        "title_tasks_completed": "Tâches guidées terminées",
        "title_help_topics": "Appels à l'aide par sujet",
        "title_help_outcomes": "Appels à l'aide par issue",
        "title_help_wait": "Attente médiane d'un buddy (minutes)",
        "label_sessions": "mois",
        "label_languages": "langue",
        "label_tasks_started": "tâche",
        "label_tasks_completed": "tâche",
        "label_help_topics": "sujet",
        "label_help_outcomes": "issue",
        "label_help_wait": "",
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
