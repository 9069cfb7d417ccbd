"""The gettext catalogs of the keyed domains (the kiosk's texts, the funder reports' words).

Every language translates every message of the English catalog (plural entries with all their
forms), with exactly the ``{fields}`` of the English text; every ``.mo`` is its ``.po``
compiled; a text that shows a count has plural forms, right in French (0 and 1 singular) and in
Dutch and English (only 1 singular).
"""

from __future__ import annotations

import gettext
import io
from datetime import date
from string import Formatter

import pytest
from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.catalog import Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from admin_console.read.report_texts import REPORT_LANGUAGES, REPORTS, ReportTexts
from admin_console.read.sections import SECTIONS
from kiosk.i18n import KIOSK, PLURAL_SUFFIX, Texts, languages
from kiosk.wire.translations import SOURCE_LANGUAGE, Domain

DOMAINS = (KIOSK, REPORTS)
CASES = [(domain, lang) for domain in DOMAINS for lang in domain.languages()]
IDS = [f"{domain.name}-{lang}" for domain, lang in CASES]

# Texts that are rightly the same as the English words, per domain and language.
SAME_AS_ENGLISH: dict[tuple[str, str], set[str]] = {
    # "OK", "Tip", "Website", "14:00"
    ("kiosk", "nl"): {"ok", "tip", "browser_site_unknown", "clock_time", "skills_area_level"},
    ("kiosk", "fr"): {"ok"},
    ("reports", "fr"): {"sites", "site", "total"},
    ("reports", "nl"): {"language_ti"},  # "Tigrinya" in Dutch too
}
PLURAL_FORMS = {"en": "(n != 1)", "nl": "(n != 1)", "fr": "(n > 1)"}
# Fields that hold a count: a text with one of them has plural forms.
COUNT_FIELDS = {"n", "minutes", "seconds", "left"}
# ... except where the count is not said with a word that agrees with it ("Step 3 of 5").
COUNT_WITHOUT_PLURAL = {("kiosk", "step_of")}


def po(domain: Domain, lang: str) -> PoCatalog:
    with domain.po_file(lang).open("rb") as handle:
        return read_po(handle, locale=lang, domain=domain.name)


def key(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, tuple) else message.id)


def forms(message: Message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, tuple) else (message.string,)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def messages(domain: Domain, lang: str) -> dict[str, Message]:
    return {key(m): m for m in po(domain, lang) if m.id}


def test_the_languages() -> None:
    assert languages() == ["nl", "fr", "en"]
    assert KIOSK.languages() == REPORTS.languages() == ["nl", "fr", "en"]
    assert REPORT_LANGUAGES == ("en", "nl", "fr")


@pytest.mark.parametrize(("domain", "lang"), CASES, ids=IDS)
def test_every_language_translates_every_english_message(domain: Domain, lang: str) -> None:
    english, found = messages(domain, SOURCE_LANGUAGE), messages(domain, lang)
    assert set(found) == set(english), sorted(set(found) ^ set(english))
    catalog = domain.catalog(lang)
    same = SAME_AS_ENGLISH.get((domain.name, lang), set())
    for name, source in english.items():
        message = found[name]
        assert catalog.has(name), (domain.name, lang, name)
        assert isinstance(message.id, tuple) == isinstance(source.id, tuple), name
        if isinstance(source.id, tuple):
            assert message.id == (name, name + PLURAL_SUFFIX), name
        wanted_forms = 2 if isinstance(source.id, tuple) else 1  # nplurals=2 everywhere
        assert all(forms(message)) and len(forms(message)) == wanted_forms, (lang, name)
        assert not message.fuzzy, (lang, name)
        if lang != SOURCE_LANGUAGE:
            if name in same:
                assert forms(message) == forms(source), f"{name} is no longer the English word"
            else:
                assert forms(message) != forms(source), f"{lang} {name}: still in English"
                assert not set(forms(message)) & set(forms(source)), (lang, name)


@pytest.mark.parametrize(("domain", "lang"), CASES, ids=IDS)
def test_plural_forms_header(domain: Domain, lang: str) -> None:
    catalog = po(domain, lang)
    assert catalog.num_plurals == 2
    assert catalog.plural_expr == PLURAL_FORMS[lang]
    assert not catalog.fuzzy  # pybabel compile skips a fuzzy catalog


@pytest.mark.parametrize(("domain", "lang"), CASES, ids=IDS)
def test_every_mo_is_its_po_compiled(domain: Domain, lang: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, po(domain, lang))
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)
    with domain.mo_file(lang).open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    # "make translations-gettext" compiles them again
    assert shipped._catalog == expected._catalog, domain.mo_file(lang)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("domain", "lang"), CASES, ids=IDS)
def test_every_translation_has_the_fields_of_the_english_text(domain: Domain, lang: str) -> None:
    english = messages(domain, SOURCE_LANGUAGE)
    for name, message in messages(domain, lang).items():
        wanted = set().union(*(fields(text) for text in forms(english[name])))
        for text in forms(message):
            assert fields(text) == wanted, (domain.name, lang, name, text)
            text.format(**dict.fromkeys(wanted, 2))  # no stray brace


@pytest.mark.parametrize("domain", DOMAINS, ids=[d.name for d in DOMAINS])
def test_a_text_that_shows_a_count_has_plural_forms(domain: Domain) -> None:
    for name, message in messages(domain, SOURCE_LANGUAGE).items():
        counted = any(fields(text) & COUNT_FIELDS for text in forms(message))
        if counted and (domain.name, name) not in COUNT_WITHOUT_PLURAL:
            assert isinstance(message.id, tuple), f"{domain.name} {name}: needs plural forms"


# Each kiosk text with a count: (n = 0, 1, 2) in French (0 and 1 singular) and Dutch.
KIOSK_PLURALS: dict[str, dict[str, tuple[str, str, str]]] = {
    "still_here_body": {
        "fr": (
            "Dans 0 seconde, tout sera effacé.",
            "Dans 1 seconde, tout sera effacé.",
            "Dans 2 secondes, tout sera effacé.",
        ),
        "nl": (
            "Over 0 seconden wordt alles gewist.",
            "Over 1 seconde wordt alles gewist.",
            "Over 2 seconden wordt alles gewist.",
        ),
    },
    "ends_soon": {
        "fr": (
            "Cette visite se termine dans 0 minute.",
            "Cette visite se termine dans 1 minute.",
            "Cette visite se termine dans 2 minutes.",
        ),
        "nl": (
            "Dit bezoek stopt over 0 minuten.",
            "Dit bezoek stopt over 1 minuut.",
            "Dit bezoek stopt over 2 minuten.",
        ),
    },
    "staff_pin_wrong": {
        "fr": (
            "Code erroné. Encore 0 essai.",
            "Code erroné. Encore 1 essai.",
            "Code erroné. Encore 2 essais.",
        ),
        "nl": (
            "Foute pincode. Nog 0 pogingen.",
            "Foute pincode. Nog 1 poging.",
            "Foute pincode. Nog 2 pogingen.",
        ),
    },
    "staff_pin_locked": {
        "fr": (
            "Trop de codes erronés. Réessayez dans 0 minute.",
            "Trop de codes erronés. Réessayez dans 1 minute.",
            "Trop de codes erronés. Réessayez dans 2 minutes.",
        ),
        "nl": (
            "Te veel foute pincodes. Probeer opnieuw over 0 minuten.",
            "Te veel foute pincodes. Probeer opnieuw over 1 minuut.",
            "Te veel foute pincodes. Probeer opnieuw over 2 minuten.",
        ),
    },
    "idle_notice": {
        "fr": (
            "Après 0 minute sans utilisation, tout est effacé.",
            "Après 1 minute sans utilisation, tout est effacé.",
            "Après 2 minutes sans utilisation, tout est effacé.",
        ),
        "nl": (
            "Na 0 minuten zonder gebruik wordt alles gewist.",
            "Na 1 minuut zonder gebruik wordt alles gewist.",
            "Na 2 minuten zonder gebruik wordt alles gewist.",
        ),
    },
}
KIOSK_PLURALS["queue_eta"] = {
    "fr": ("Environ 0\u00a0minute.", "Environ 1\u00a0minute.", "Environ 2\u00a0minutes."),
    "nl": ("Ongeveer 0\u00a0minuten.", "Ongeveer 1\u00a0minuut.", "Ongeveer 2\u00a0minuten."),
}
# Printing (issue 19): the pages left ("Nog 12 bladzijden"), a document's pages, copies, a
# refusal (with the pages wanted, 9 here) and what is being printed.
KIOSK_PLURALS["print_left"] = {
    "fr": ("Il vous reste 0 page", "Il vous reste 1 page", "Il vous reste 2 pages"),
    "nl": ("Nog 0 bladzijden", "Nog 1 bladzijde", "Nog 2 bladzijden"),
}
KIOSK_PLURALS["print_pages"] = {
    "fr": ("Ce document a 0 page.", "Ce document a 1 page.", "Ce document a 2 pages."),
    "nl": (
        "Dit document heeft 0 bladzijden.",
        "Dit document heeft 1 bladzijde.",
        "Dit document heeft 2 bladzijden.",
    ),
}
KIOSK_PLURALS["print_copies_value"] = {
    "fr": ("0 fois", "1 fois", "2 fois"),
    "nl": ("0 keer", "1 keer", "2 keer"),
}
KIOSK_PLURALS["print_sent"] = {
    "fr": (
        "0 page est en cours d'impression. Allez la chercher à l'imprimante.",
        "1 page est en cours d'impression. Allez la chercher à l'imprimante.",
        "2 pages sont en cours d'impression. Allez les chercher à l'imprimante.",
    ),
    "nl": (
        "0 bladzijden worden afgedrukt. Haal ze op bij de printer.",
        "1 bladzijde wordt afgedrukt. Haal ze op bij de printer.",
        "2 bladzijden worden afgedrukt. Haal ze op bij de printer.",
    ),
}
_NL_TIP = ". Kies minder keer, of vraag het aan een buddy."
_FR_TIP = ". Choisissez moins de fois, ou demandez à un bénévole."
_NL_VISIT = "Dat zijn 9 bladzijden. U kunt bij dit bezoek nog {}" + _NL_TIP
_FR_VISIT = "Cela fait 9 pages. Pendant cette visite, vous pouvez encore imprimer {}" + _FR_TIP
_NL_DAY = "Dat zijn 9 bladzijden. Deze computer kan vandaag nog {}" + _NL_TIP
_FR_DAY = "Cela fait 9 pages. Aujourd'hui, cet ordinateur peut encore imprimer {}" + _FR_TIP
KIOSK_PLURALS["print_refused_visit"] = {
    "fr": tuple(_FR_VISIT.format(p) for p in ("0 page", "1 page", "2 pages")),
    "nl": tuple(
        _NL_VISIT.format(p)
        for p in ("0 bladzijden afdrukken", "1 bladzijde afdrukken", "2 bladzijden afdrukken")
    ),
}
KIOSK_PLURALS["print_refused_day"] = {
    "fr": tuple(_FR_DAY.format(p) for p in ("0 page", "1 page", "2 pages")),
    "nl": tuple(
        _NL_DAY.format(p)
        for p in ("0 bladzijden afdrukken", "1 bladzijde afdrukken", "2 bladzijden afdrukken")
    ),
}
# A short idle timeout is said in seconds (issue 17: never "na 1 minuten" for 50 s).
KIOSK_PLURALS["idle_notice_seconds"] = {
    "fr": tuple(
        f"Après {n} sans utilisation, tout est effacé."
        for n in ("0 seconde", "1 seconde", "2 secondes")
    ),
    "nl": tuple(
        f"Na {n} zonder gebruik wordt alles gewist."
        for n in ("0 seconden", "1 seconde", "2 seconden")
    ),
}
FIELD = {"still_here_body": "seconds", "staff_pin_wrong": "left", "idle_notice_seconds": "seconds"}
# {n} is filled by Texts.plural itself; the field given here is one the text does not use.
FIELD.update(dict.fromkeys([k for k in KIOSK_PLURALS if k.startswith("print_")], "unused"))
EXTRA = {"print_refused_visit": {"wanted": 9}, "print_refused_day": {"wanted": 9}}


@pytest.mark.parametrize("name", sorted(KIOSK_PLURALS))
@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_kiosk_counts_in_french_and_dutch(name: str, lang: str) -> None:
    texts, field = Texts(lang), FIELD.get(name, "minutes")
    extra = EXTRA.get(name, {})
    shown = tuple(texts.plural(name, n, **{field: n, **extra}) for n in (0, 1, 2))
    assert shown == KIOSK_PLURALS[name][lang]


def test_every_kiosk_count_is_tested() -> None:
    plural = {
        name for name, m in messages(KIOSK, SOURCE_LANGUAGE).items() if isinstance(m.id, tuple)
    }
    assert plural == set(KIOSK_PLURALS)


def test_kiosk_english_counts_and_fallbacks() -> None:
    english = Texts("en")
    assert english.plural("ends_soon", 1, minutes=1) == "This visit ends in 1 minute."
    assert english.plural("ends_soon", 0, minutes=0) == "This visit ends in 0 minutes."
    assert english.plural("staff_pin_wrong", 1, left=1) == "Wrong PIN. 1 try left."
    assert english.plural("staff_pin_wrong", 3, left=3) == "Wrong PIN. 3 tries left."
    assert Texts("xx").lang == "en"  # an unknown language: English
    assert Texts("fr")("not_a_key") == "not_a_key"
    assert Texts("nl").language_name == "Nederlands"
    assert Texts("fr")("step_of", n=2, total=5) == "Étape 2 sur 5"


def test_report_words() -> None:
    for lang in REPORT_LANGUAGES:
        t = ReportTexts(lang)
        for section in SECTIONS:
            assert t.title(section.key) and t.title(section.key) != section.title_key
            if section.label_key is None:
                assert t.label(section.key) == ""
            else:
                assert t.label(section.key) not in ("", section.label_key)
        assert t.word("") == "" and t.word("gent") == "gent"
    assert ReportTexts("fr").day(date(2026, 8, 5)) == "5 août 2026"
    assert ReportTexts("nl").day(date(2026, 3, 5)) == "5 maart 2026"
    assert ReportTexts(None).day(date(2026, 12, 31)) == "31 December 2026"
    assert ReportTexts("nl").plural("legend", 5, x="x").startswith("<5: minder dan 5, maar niet 0")
    assert ReportTexts("fr").word("(free use)") == "(usage libre)"
