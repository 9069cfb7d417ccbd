"""A printer that cannot print is a fleet alert (issue 19): only while its kiosk is online and
the rooms are open; a printer that is ready, or none configured, is no alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from admin_console.desk.fleet import PRINTER_PROBLEMS, FleetModel
from kiosk.wire import protocol

THU_10H = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)  # 10:00 in Brussels, a Thursday


def fleet_with(printer: str | None, state: str = "idle") -> FleetModel:
    fleet = FleetModel(clock=lambda: THU_10H)
    status = protocol.decode_status(protocol.encode_status(state, printer=printer))
    fleet.apply_status("gent", "pc-1", status, THU_10H)
    return fleet


def test_the_problems_are_the_protocols_printer_states_but_ok() -> None:
    assert set(PRINTER_PROBLEMS) == protocol.PRINTER_STATES - {"ok"}


@pytest.mark.parametrize("problem", PRINTER_PROBLEMS)
def test_each_printer_problem_is_an_alert_for_its_kiosk(problem: str) -> None:
    fleet = fleet_with(problem, "in_session")
    [alert] = fleet.alerts()
    assert (alert.site, alert.machine, alert.kind, alert.detail) == (
        "gent",
        "pc-1",
        "printer",
        problem,
    )
    assert fleet.summary()["gent"].alerts == 1


@pytest.mark.parametrize("printer", ["ok", None])
def test_a_ready_printer_or_none_is_no_alert(printer: str | None) -> None:
    assert fleet_with(printer).alerts() == []


def test_only_while_the_kiosk_is_online_and_the_rooms_are_open() -> None:
    fleet = fleet_with("no_paper")
    closed = THU_10H + timedelta(hours=10)  # 20:00 in Brussels
    assert fleet.alerts(closed) == []
    # Unheard for long: its own alert says it is off; its printer says nothing new.
    later = THU_10H + timedelta(minutes=20)
    assert [a.kind for a in fleet.alerts(later)] == ["offline"]
    off = protocol.decode_status(protocol.encode_status("offline"))
    fleet = fleet_with("jammed")
    fleet.apply_status("gent", "pc-1", off, THU_10H + timedelta(minutes=1))
    assert fleet.alerts(THU_10H + timedelta(minutes=2)) == []
