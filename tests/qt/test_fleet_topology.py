"""The fleet tab shows the topology (issue 21, point 2): each site broker's line to the centre,
up or down, since when, the kiosks heard through it, and the site's one alert when it stays cut
off, in words in nl, fr and en, in the alert list and in the overview; a site whose kiosks talk
to the centre directly shows no site broker at all. Real widgets, offscreen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from admin_console.desk.fleet import FleetModel
from admin_console.desk.help_queue import HelpQueue
from admin_console.store.database import open_database
from admin_console.ui.fleet import QtFleetTab
from admin_console.ui.language import use_language
from admin_console.ui.overview import QtOverviewTab
from admin_console.ui.worker import QtDatabase
from kiosk.wire import protocol

DOWN = datetime(2026, 11, 19, 12, 5, tzinfo=UTC)  # 13:05 in Brussels, a Thursday
LATER = DOWN + timedelta(minutes=45)

# What each language says: the line cut, the kiosks behind it, the alert.
WORDS = {
    "en": ("cut off", "0 of 2", "not heard (room cut off)", "cut off from the centre for 45 min"),
    "nl": (
        "afgesneden",
        "0 van 2",
        "geen bericht (ruimte afgesneden)",
        "45 min afgesneden van het centrum",
    ),
    "fr": (
        "coupée",
        "0 sur 2",
        "sans nouvelles (salle coupée)",
        "coupée du centre depuis 45 min",
    ),
}


@pytest.fixture(params=["en", "nl", "fr"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    use_language(request.param)
    yield request.param
    use_language("en")


def fleet_at(now: list[datetime]) -> FleetModel:
    """Evere behind its own broker (two kiosks), Gent on the central broker (one kiosk)."""
    fleet = FleetModel(clock=lambda: now[0])
    for site, machine in (("evere", "pc-01"), ("evere", "pc-02"), ("gent", "pc-01")):
        status = protocol.decode_status(protocol.encode_status("idle", waiting=120))
        fleet.apply_status(site, machine, status, DOWN - timedelta(minutes=1))
    fleet.apply_bridge("evere", b"1", DOWN - timedelta(hours=2))
    return fleet


def cells(table: QTableWidget) -> list[list[str]]:
    return [
        [item.text() if (item := table.item(r, c)) else "" for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_a_site_cut_off_shows_on_the_fleet_tab_in_words(qtbot: QtBot, lang: str) -> None:
    now = [DOWN]
    fleet = fleet_at(now)
    tab = QtFleetTab(fleet, lambda: now[0])
    qtbot.addWidget(tab)
    tab.resize(1400, 800)
    tab.show()
    tab.update_view()
    cut, heard, unheard, alert = WORDS[lang]
    [evere] = cells(tab.brokers)  # Gent has no site broker: no row
    assert evere[0] == "evere" and evere[1] != cut and evere[3].startswith("2 ")
    assert evere[2].startswith("11:05 ")  # 11:05 in Brussels, two hours ago
    assert evere[4] == "240"  # still to send: the two kiosks' outboxes, as they last said
    assert not tab.alerts.isVisible()

    fleet.apply_bridge("evere", b"0", DOWN)
    now[0] = LATER
    tab.update_view()
    [evere] = cells(tab.brokers)
    assert (evere[1], evere[3], evere[5]) == (cut, heard, alert)
    assert evere[4].startswith("240 ") and evere[4] != "240"  # from before the cut, it says
    assert evere[2].startswith("13:05 ")
    states = {(row[0], row[1]): row[3] for row in cells(tab.table)}
    assert states[("evere", "pc-01")] == states[("evere", "pc-02")] == unheard
    assert states[("gent", "pc-01")] != unheard  # not behind a bridge: simply offline
    colon = " : " if lang == "fr" else ": "  # French typography: a space before the colon
    assert tab.alerts.isVisible() and f"evere{colon}{alert}" in tab.alerts.text()
    assert "evere/pc-0" not in tab.alerts.text()  # one alert for the room, none per PC

    # Only Gent chosen: no site broker to show, no table for it.
    tab.site.setCurrentIndex(tab.site.findData("gent"))
    qtbot.waitUntil(lambda: not tab.brokers.isVisible())
    assert tab.brokers.rowCount() == 0 and "evere" not in tab.alerts.text()


def test_the_overview_says_the_site_is_cut_off(qtbot: QtBot, lang: str, tmp_path: Path) -> None:
    now = [LATER]
    fleet = fleet_at(now)
    fleet.apply_bridge("evere", b"0", DOWN)
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_database(url).dispose()
    db = QtDatabase(url)
    overview = QtOverviewTab(db, fleet, HelpQueue(clock=lambda: now[0]), lambda: now[0])
    db.setParent(overview)
    qtbot.addWidget(overview)
    overview.set_live(True)
    rows = {row[0]: row for row in cells(overview.table)}
    assert rows["evere"][-1] == WORDS[lang][3]  # the room's own alert, no PC named
    assert overview.tiles["alerts"].value.text() == "2"  # Evere's one, Gent's kiosk offline


def test_no_site_broker_no_topology(qtbot: QtBot) -> None:
    fleet = FleetModel(clock=lambda: DOWN)
    status = protocol.decode_status(protocol.encode_status("idle"))
    fleet.apply_status("gent", "pc-01", status, DOWN)
    tab = QtFleetTab(fleet, lambda: DOWN)
    qtbot.addWidget(tab)
    tab.show()
    tab.update_view()
    assert not tab.brokers.isVisible() and not tab.brokers_heading.isVisible()
    assert tab.table.isVisible() and tab.table.rowCount() == 1


def test_a_printer_that_cannot_print_is_an_alert_in_words(qtbot: QtBot, lang: str) -> None:
    fleet = FleetModel(clock=lambda: DOWN)
    for machine, printer in (("pc-01", "no_paper"), ("pc-02", "ok")):
        status = protocol.decode_status(protocol.encode_status("idle", printer=printer))
        fleet.apply_status("gent", machine, status, DOWN)
    tab = QtFleetTab(fleet, lambda: DOWN)
    qtbot.addWidget(tab)
    tab.show()
    tab.update_view()
    words = {"en": "printer out of paper", "nl": "printer zonder papier"}
    words["fr"] = "imprimante sans papier"
    alerts = {row[1]: row[-1] for row in cells(tab.table)}
    assert alerts == {"pc-01": words[lang], "pc-02": ""}
    colon = " : " if lang == "fr" else ": "
    assert f"gent/pc-01{colon}{words[lang]}" in tab.alerts.text()
