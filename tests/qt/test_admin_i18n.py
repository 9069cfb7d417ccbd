"""The admin console and buddy desk in Dutch and French (Qt Linguist, admin_console/ui/i18n)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from admin_console.desk.help_queue import HelpQueue
from admin_console.ui.buddy_desk import QtBuddyDesk
from admin_console.ui.language import I18N_DIR, choose_language, install_translators
from admin_console.ui.window import AdminOptions, QtAdminWindow

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PLACEHOLDER = re.compile(r"\{[a-z0-9_]*\}")


def messages(ts: Path) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(context, source) → (translation, its type attribute)."""
    found = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            found[(name, message.findtext("source") or "")] = (
                translation.text or "",
                translation.get("type"),
            )
    return found


@pytest.fixture(scope="module")
def from_sources(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str]]:
    """Every string the Qt modules mark for translation, as lupdate finds it today."""
    out = tmp_path_factory.mktemp("ts") / "fresh_nl.ts"
    sources = sorted(str(p) for p in (ROOT / "admin_console" / "ui").glob("*.py"))
    subprocess.run(
        [str(BIN / "pyside6-lupdate"), "-locations", "none", *sources, "-ts", str(out)],
        check=True,
        capture_output=True,
    )
    return set(messages(out))


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_every_string_is_translated_with_its_placeholders(
    lang: str, from_sources: set[tuple[str, str]]
) -> None:
    shipped = messages(I18N_DIR / f"admin_{lang}.ts")
    missing = from_sources - set(shipped)
    assert not missing, f"not in admin_{lang}.ts (run `make translations`): {sorted(missing)}"
    assert len(from_sources) > 150
    for (context, source), (text, kind) in shipped.items():
        if (context, source) not in from_sources:
            continue
        assert text and kind is None, f"{lang}: no translation for {source!r} in {context}"
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (
            f"{lang}: placeholders differ in {text!r} for {source!r}"
        )


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_shipped_qm_is_compiled_from_the_ts(lang: str, tmp_path: Path) -> None:
    ts = tmp_path / f"admin_{lang}.ts"
    shutil.copy(I18N_DIR / ts.name, ts)
    subprocess.run([str(BIN / "pyside6-lrelease"), str(ts)], check=True, capture_output=True)
    shipped = I18N_DIR / f"admin_{lang}.qm"
    assert shipped.read_bytes() == ts.with_suffix(".qm").read_bytes(), "run `make translations`"


@pytest.fixture
def dutch(qapp: QCoreApplication) -> Iterator[None]:
    translators = install_translators(qapp, "nl")
    assert len(translators) >= 1
    yield
    for translator in translators:
        qapp.removeTranslator(translator)


@pytest.fixture
def french(qapp: QCoreApplication) -> Iterator[None]:
    translators = install_translators(qapp, "fr")
    yield
    for translator in translators:
        qapp.removeTranslator(translator)


def test_the_buddy_desk_speaks_dutch(qtbot: QtBot, dutch: None) -> None:
    desk = QtBuddyDesk(HelpQueue(), "evere", "Sara")
    qtbot.addWidget(desk)
    headers = [desk.table.horizontalHeaderItem(i).text() for i in range(desk.table.columnCount())]
    assert desk.windowTitle().startswith("Buddybalie — evere")
    assert "Taak" in headers and "Taal" in headers
    assert desk.empty_label.text() == "Niemand wacht op hulp."


def test_the_admin_console_speaks_french(qtbot: QtBot, tmp_path: Path, french: None) -> None:
    window = QtAdminWindow(AdminOptions(db_url=f"sqlite:///{tmp_path / 'a.db'}", admin="t"))
    qtbot.addWidget(window)
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert tabs == ["Vue d'ensemble", "Parc", "Aide", "Utilisation", "Rapports", "Commandes"]
    window.close()


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
