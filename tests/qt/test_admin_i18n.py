"""The admin console and buddy desk in Dutch and French (gettext domain "console",
admin_console/ui/locale: source text as message id, the screen as its context)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QLabel, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from admin_console.desk.fleet import Alert
from admin_console.desk.help_queue import HelpQueue
from admin_console.read.help import WAIT_BANDS as READ_WAIT_BANDS
from admin_console.ui import usage
from admin_console.ui.buddy_desk import QtBuddyDesk
from admin_console.ui.language import (
    DOMAIN,
    LANGUAGES,
    alert_text,
    choose_language,
    install_translators,
    tr,
    trn,
    use_language,
)
from admin_console.ui.window import AdminOptions, QtAdminWindow

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "admin_console" / "ui"
BIN = Path(sys.executable).parent
PLACEHOLDER = re.compile(r"\{[a-z0-9_]*\}")
# The keywords of admin_console/ui/language.py, as `make translations` gives them to pybabel.
KEYWORDS = {"tr": ((1, "c"), 2), "trn": ((1, "c"), 2, 3), "N_": ((1, "c"), 2)}
Key = tuple[str, str]  # (context, message id: the English singular)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def from_sources() -> dict[Key, str | tuple[str, str]]:
    """Every text the Qt modules mark for translation, as Babel's extractor finds it today."""
    found: dict[Key, str | tuple[str, str]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        str(UI), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        assert context, f"a text without its screen (context): {message!r}"
        if isinstance(message, tuple):
            assert len(message) == 2 and all(message), f"incomplete plural in {context}: {message}"
            found[(context, message[0])] = (message[0], message[1])
        else:
            found[(context, message)] = message
    return found


def po(lang: str) -> PoCatalog:
    with DOMAIN.po_file(lang).open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN.name)


def test_the_marked_texts_are_found(from_sources: dict[Key, str | tuple[str, str]]) -> None:
    assert len(from_sources) > 150
    assert ("QtAdminWindow", "Overview") in from_sources  # tr(...)
    assert ("QtFleetTab", "Last seen") in from_sources  # N_(...) in a module-level table
    assert from_sources[("QtCommandsTab", "Sent to {n} kiosk: {target}.")] == (
        "Sent to {n} kiosk: {target}.",
        "Sent to {n} kiosks: {target}.",
    )
    plurals = [m for m in from_sources.values() if isinstance(m, tuple)]
    assert len(plurals) >= 8
    # Counted things are plural forms now, never "kiosk(s)".
    for message in from_sources.values():
        for text in message if isinstance(message, tuple) else (message,):
            assert "(s)" not in text and "(en)" not in text, text


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_every_string_is_translated_with_its_placeholders(
    lang: str, from_sources: dict[Key, str | tuple[str, str]]
) -> None:
    catalog = po(lang)
    assert catalog.num_plurals == 2
    shipped = {
        (m.context or "", m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalog if m.id
    }
    missing = set(from_sources) - set(shipped)
    assert not missing, f"not in {lang}/console.po (run `make translations`): {sorted(missing)}"
    for key, source in from_sources.items():
        message = shipped[key]
        context, _ = key
        assert not message.fuzzy, f"{lang}: fuzzy translation of {key[1]!r} in {context}"
        if isinstance(source, tuple):
            assert isinstance(message.id, tuple) and tuple(message.id) == source, (
                f"{lang}: {key[1]!r} in {context} should be a plural entry"
            )
            forms = message.string
            assert isinstance(forms, tuple) and len(forms) == catalog.num_plurals
            for index, form in enumerate(forms):
                assert form, f"{lang}: plural form {index} of {source[0]!r} missing in {context}"
                # form 0 is said for one (fr: 0 and 1), the others for many
                expected = source[0] if index == 0 else source[1]
                assert set(placeholders(form)) - {"{n}"} == set(placeholders(expected)) - {"{n}"}, (
                    f"{lang}: placeholders differ in {form!r} for {expected!r}"
                )
                if index > 0:
                    assert "{n}" in form, f"{lang}: {form!r} does not say how many"
        else:
            text = message.string
            assert isinstance(text, str) and text, f"{lang}: no translation for {key[1]!r}"
            assert placeholders(text) == placeholders(source), (
                f"{lang}: placeholders differ in {text!r} for {source!r}"
            )
    obsolete = set(shipped) - set(from_sources)
    assert not obsolete, f"{lang}: texts no screen shows (run `make translations`): {obsolete}"


def test_english_is_a_catalog_whose_texts_are_the_sources(
    from_sources: dict[Key, str | tuple[str, str]],
) -> None:
    assert set(DOMAIN.languages()) == set(LANGUAGES)
    catalog = po("en")
    ids = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog if m.id}
    assert ids == set(from_sources)
    for message in catalog:  # empty (the English msgid is shown) or the same words
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            ids_ = message.id if isinstance(message.id, tuple) else (message.id,)
            assert all(s in ("", ids_[min(i, 1)]) for i, s in enumerate(strings)), message.id


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_the_shipped_mo_is_compiled_from_the_po(lang: str) -> None:
    fresh = BytesIO()
    write_mo(fresh, po(lang))
    assert DOMAIN.mo_file(lang).read_bytes() == fresh.getvalue(), "run `make translations`"


def test_plural_forms_follow_each_language() -> None:
    said = {}
    for lang in LANGUAGES:
        use_language(lang)
        said[lang] = [
            trn("QtFleetTab", "{n} kiosk, {off} offline", "{n} kiosks, {off} offline", n, off=0)
            for n in (0, 1, 2)
        ]
    use_language("en")
    assert said["en"] == ["0 kiosks, 0 offline", "1 kiosk, 0 offline", "2 kiosks, 0 offline"]
    assert said["nl"] == ["0 kiosken, 0 offline", "1 kiosk, 0 offline", "2 kiosken, 0 offline"]
    assert said["fr"] == [
        "0 kiosque, 0 hors ligne",
        "1 kiosque, 0 hors ligne",
        "2 kiosques, 0 hors ligne",
    ]


def test_no_qt_linguist_marker_is_left_in_the_screens() -> None:
    left = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(UI.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"self\.tr\(|\.tr\(|QT_TRANSLATE_NOOP|QCoreApplication\.translate", line)
    ]
    assert not left, "use tr()/trn()/N_() of admin_console/ui/language.py:\n" + "\n".join(left)


def test_the_wait_bands_shown_are_those_counted() -> None:
    assert tuple(name for name, _ in READ_WAIT_BANDS) == usage.WAIT_BANDS


@pytest.fixture
def dutch(qapp: QCoreApplication) -> Iterator[None]:
    translators = install_translators(qapp, "nl")
    assert len(translators) >= 1  # Qt's own (qtbase_nl): the Yes and No of the dialogs
    yield
    for translator in translators:
        qapp.removeTranslator(translator)
    use_language("en")
    QLocale.setDefault(QLocale("en"))


@pytest.fixture
def french(qapp: QCoreApplication) -> Iterator[None]:
    translators = install_translators(qapp, "fr")
    yield
    for translator in translators:
        qapp.removeTranslator(translator)
    use_language("en")
    QLocale.setDefault(QLocale("en"))


# Words that say a screen is (partly) English; none is Dutch or French ("sessions", "site"
# and "offline" are, so they are not here).
ENGLISH = re.compile(
    r"\b(the|and|of|is|are|waiting|calls?|kiosks?|help|period|save|"
    r"send|sent|no one|alerts?|opening|hours|disk|step|visitors?|yet)\b",
    re.IGNORECASE,
)


def visible_texts(widget: QWidget) -> list[str]:
    texts = [widget.windowTitle()]
    for label in widget.findChildren(QLabel):
        texts.append(label.text())
    for table in widget.findChildren(QTableWidget):
        for column in range(table.columnCount()):
            item = table.horizontalHeaderItem(column)
            texts.append(item.text() if item is not None else "")
    return [t for t in texts if t]


def english_words(texts: list[str]) -> list[str]:
    return [f"{word!r} in {text!r}" for text in texts for word in ENGLISH.findall(text)]


def test_the_buddy_desk_speaks_dutch(qtbot: QtBot, dutch: None) -> None:
    desk = QtBuddyDesk(HelpQueue(), "evere", "Sara")
    qtbot.addWidget(desk)
    headers = [desk.table.horizontalHeaderItem(i).text() for i in range(desk.table.columnCount())]
    assert desk.windowTitle().startswith("Buddybalie — evere")
    assert "Taak" in headers and "Taal" in headers
    # Issue 16: without a broker the desk cannot know, and says so instead of an all-clear.
    assert desk.empty_label.isVisibleTo(desk)
    assert desk.empty_label.text().startswith("De oproepen zijn nu niet te zien")
    desk.set_connected(True)
    assert desk.empty_label.text() == "Niemand wacht op hulp."
    assert not english_words(visible_texts(desk)), english_words(visible_texts(desk))


def test_the_admin_console_speaks_french(qtbot: QtBot, tmp_path: Path, french: None) -> None:
    window = QtAdminWindow(AdminOptions(db_url=f"sqlite:///{tmp_path / 'a.db'}", admin="t"))
    qtbot.addWidget(window)
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert tabs == ["Vue d'ensemble", "Parc", "Aide", "Utilisation", "Rapports", "Commandes"]
    # The opening hours' days in French too (Qt's day names), and the commands' menu.
    assert "lun." in window.fleet_tab.hours.text() and "mon" not in window.fleet_tab.hours.text()
    commands = [window.commands.command.itemText(i) for i in range(window.commands.command.count())]
    assert commands[0] == "Afficher une annonce" and "Lock" not in commands
    found = english_words(visible_texts(window))
    assert not found, found
    window.close()


def test_errors_that_reach_the_screens_are_translated(qtbot: QtBot, dutch: None) -> None:
    from admin_console.desk.commands import CommandError, command_args
    from admin_console.store.database import DatabaseError
    from admin_console.ui.commands import command_error_text, target_text
    from admin_console.ui.reports import save_error
    from admin_console.ui.worker import database_error_text

    with pytest.raises(CommandError) as caught:
        command_args("announce", {"nl": " "})
    assert command_error_text(caught.value) == (
        "een mededeling heeft een tekst in minstens één taal nodig"
    )
    assert target_text("all kiosks") == "alle kiosken"
    assert target_text("site evere") == "locatie evere"
    missing = DatabaseError("there is no database at x", "missing", "sqlite:///x.db")
    assert database_error_text(missing).startswith("er is geen database op sqlite:///x.db")
    assert save_error(PermissionError(13, "Permission denied")) == (
        "geen toestemming om daar te schrijven"
    )
    assert alert_text(Alert("s", "pc-1", "disk", "disk 97% full", 97.0)) == "schijf op 97%"
    assert alert_text(Alert("s", "pc-1", "content", "1 task file left out", 1)) == (
        "1 taakbestand weggelaten"
    )
    assert tr("Time", "{n} min ago", n=3) == "3 min geleden"


def test_a_kiosks_refusal_is_said_in_the_consoles_language(dutch: None) -> None:
    """A kiosk's refusal text is English; its reason code is put in the console's words."""
    from datetime import UTC, datetime

    from admin_console.desk.commands import SentCommand
    from admin_console.ui.commands import refusal_text

    def refused(error: str | None, reason: str | None) -> SentCommand:
        sent = datetime(2026, 12, 4, tzinfo=UTC)
        return SentCommand(
            "i", "b", sent, "t", "lock", "x", "s", "m", {}, sent, False, error, reason
        )

    assert refusal_text(refused("lock is not supported by this kiosk", "unsupported")) == (
        "geweigerd: deze kiosk kent die opdracht niet"
    )
    assert refusal_text(refused("announce has no text", "bad_args")) == (
        "geweigerd: de kiosk kon de gegevens van de opdracht niet gebruiken"
    )
    # An older kiosk gives no code: its own words, as before.
    assert refusal_text(refused("busy", None)) == "geweigerd: busy"


def test_an_unknown_language_is_refused_by_name() -> None:
    assert choose_language("NL") == "nl"
    with pytest.raises(ValueError, match="'xx' is not available; choose one of en, nl, fr"):
        choose_language("xx")
    result = subprocess.run(
        [str(BIN / "admin-console"), "buddy", "--site", "evere", "--lang", "xx"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "language 'xx' is not available" in result.stderr
