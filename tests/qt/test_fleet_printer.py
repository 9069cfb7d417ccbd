"""The fleet view shows each kiosk's printer as its status heartbeat carries it (issue 19)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from admin_console.desk.fleet import FleetModel
from admin_console.ui.fleet import COLUMNS, QtFleetTab
from admin_console.ui.language import use_language
from kiosk.wire import protocol

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def dutch() -> Iterator[None]:
    use_language("nl")
    yield
    use_language("en")


def test_the_printer_column_says_the_printers_state(qtbot: QtBot, dutch: None) -> None:
    fleet = FleetModel(clock=lambda: NOW)
    for machine, printer in (("pc-1", "no_paper"), ("pc-2", "ok"), ("pc-3", None)):
        status = protocol.decode_status(protocol.encode_status("idle", printer=printer))
        fleet.apply_status("gent", machine, status, NOW)
    tab = QtFleetTab(fleet, lambda: NOW)
    qtbot.addWidget(tab)
    tab.update_view()
    column = COLUMNS.index("Printer")
    header = tab.table.horizontalHeaderItem(column)
    assert header is not None and header.text() == "Printer"
    shown = {}
    for row in range(tab.table.rowCount()):
        machine, printer = tab.table.item(row, 1), tab.table.item(row, column)
        assert machine is not None and printer is not None
        shown[machine.text()] = printer.text()
    assert shown == {"pc-1": "papier op", "pc-2": "klaar", "pc-3": "–"}
