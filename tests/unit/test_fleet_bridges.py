"""The fleet's topology without Qt (issue 21): each site broker's bridge up or down, from
Mosquitto's notifications, and one alert when a site stays cut off from the centre."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from admin_console.desk.fleet import FleetModel
from kiosk.wire.protocol import Status

THU_10H = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)  # 10:00 in Brussels, a Thursday


def test_a_bridge_down_for_long_is_one_alert_for_the_site_not_one_per_kiosk() -> None:
    fleet = FleetModel(clock=lambda: THU_10H)
    for machine in ("pc-01", "pc-02"):
        fleet.apply_status("evere", machine, Status("online", None, {}), THU_10H)
        fleet.apply_status("bruges", machine, Status("online", None, {}), THU_10H)
    assert fleet.apply_bridge("evere", b"1", THU_10H)
    assert fleet.apply_bridge("bruges", b"1", THU_10H)
    down = THU_10H + timedelta(minutes=5)
    assert fleet.apply_bridge("evere", b"0", down)
    assert not fleet.apply_bridge("evere", b"0", down + timedelta(minutes=9))  # same state
    assert [(b.site, b.up, b.since) for b in fleet.bridges()] == [
        ("bruges", True, THU_10H),
        ("evere", False, down),
    ]
    # 29 minutes down: no alert yet; the kiosks behind it, unheard for 29 min, raise none.
    # (Bruges' kiosks, unheard as long with their bridge up, are offline: their own alerts.)
    assert [a for a in fleet.alerts(down + timedelta(minutes=29)) if a.site == "evere"] == []
    later = down + timedelta(minutes=45)
    alerts = [a for a in fleet.alerts(later) if a.site == "evere"]
    assert [(a.site, a.machine, a.kind, a.value) for a in alerts] == [("evere", "", "cut_off", 45)]
    assert {a.kind for a in fleet.alerts(later) if a.site == "bruges"} == {"offline"}
    # Back up: Evere's kiosks, still unheard, are offline again.
    fleet.apply_bridge("evere", b"1", later)
    kinds = {(a.site, a.kind) for a in fleet.alerts(later)}
    assert kinds == {("evere", "offline"), ("bruges", "offline")}


def test_a_site_cut_off_overnight_counts_from_the_opening() -> None:
    fleet = FleetModel()
    fleet.apply_bridge("evere", b"0", THU_10H - timedelta(hours=14))  # 20:00 the evening before
    opened = THU_10H - timedelta(hours=1)  # 09:00 in Brussels
    assert fleet.site_alerts(opened + timedelta(minutes=20)) == []
    assert [a.value for a in fleet.site_alerts(opened + timedelta(minutes=40))] == [40]
    assert fleet.site_alerts(THU_10H + timedelta(hours=12)) == []  # closed: no alert


def test_a_notification_that_is_not_zero_or_one_is_counted_and_ignored() -> None:
    fleet = FleetModel()
    for payload in (b"", b"up", b"2", b"\xff", b"1 0"):
        assert not fleet.apply_bridge("evere", payload, THU_10H)
    assert fleet.bridge_rejected == 5 and fleet.bridges() == []
    assert fleet.apply_bridge("evere", b"1\n", THU_10H)
