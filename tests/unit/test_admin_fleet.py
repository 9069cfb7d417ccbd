"""The fleet model without Qt: live and stored states, opening hours, alerts a coordinator needs."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from admin_console.desk.fleet import FleetModel, FleetSettings
from admin_console.read.usage import MachineRecord
from kiosk.wire.broker import ConfigError
from kiosk.wire.opening_hours import OpeningHours
from kiosk.wire.protocol import Status

THU_10H = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)  # 10:00 in Brussels, a Thursday


def status(state: str, ts: datetime | None = None, **figures: object) -> Status:
    return Status(state, ts, dict(figures))


def test_opening_hours_from_the_config() -> None:
    default = FleetSettings.from_config({})
    assert default.open_days == frozenset(range(6)) and default.opens == time(9)
    custom = FleetSettings.from_config(
        {"opening_days": "tue-fri", "opening_hours": "13:30-19:00", "disk_alert_pct": 80}
    )
    assert custom.open_days == frozenset({1, 2, 3, 4})
    assert (custom.opens, custom.closes, custom.disk_alert_pct) == (time(13, 30), time(19), 80)
    assert FleetSettings.from_config({"opening_days": ["mon", "sat"]}).open_days == {0, 5}
    assert custom.opening_of(THU_10H) is None  # 10:00 is before 13:30
    assert default.opening_of(THU_10H) == datetime(2026, 11, 19, 8, 0, tzinfo=UTC)
    for bad in (
        {"opening_hours": "17:00-09:00"},
        {"opening_days": "monday"},
        {"disk_alert_pct": 150},
        {"timezone": "Mars/Olympus"},
    ):
        with pytest.raises(ConfigError):
            FleetSettings.from_config(bad)


def test_a_kiosk_offline_for_ten_minutes_in_opening_hours_raises_an_alert() -> None:
    fleet = FleetModel(clock=lambda: THU_10H)
    fleet.apply_status(
        "gent", "pc-01", status("idle", disk_pct=40), THU_10H - timedelta(minutes=30)
    )
    fleet.apply_status("gent", "pc-01", status("offline"), THU_10H - timedelta(minutes=12))
    fleet.apply_status("gent", "pc-02", status("in_session"), THU_10H - timedelta(seconds=20))
    [alert] = fleet.alerts()
    assert (alert.machine, alert.kind) == ("pc-01", "offline")
    assert "30 min" in alert.message  # since it was last heard, not since the will
    summary = fleet.summary()["gent"]
    assert (summary.online, summary.in_session, summary.offline, summary.alerts) == (1, 1, 1, 1)
    # Five minutes off is not yet worth an alert.
    fleet.apply_status("gent", "pc-03", status("idle"), THU_10H - timedelta(minutes=6))
    fleet.apply_status("gent", "pc-03", status("offline"), THU_10H - timedelta(minutes=5))
    assert [a.machine for a in fleet.alerts()] == ["pc-01"]


def test_overnight_counts_from_opening_time_and_closed_days_raise_nothing() -> None:
    fleet = FleetModel()
    evening = datetime(2026, 11, 18, 17, 30, tzinfo=UTC)
    fleet.apply_status("gent", "pc-01", status("idle"), evening)
    fleet.apply_status("gent", "pc-01", status("offline"), evening)
    opening = datetime(2026, 11, 19, 8, 0, tzinfo=UTC)
    assert fleet.alerts(opening + timedelta(minutes=5)) == []
    [alert] = fleet.alerts(opening + timedelta(minutes=15))
    assert alert.message == "offline for 15 min"
    sunday = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    assert fleet.alerts(sunday) == []


def test_an_always_open_site_counts_an_absence_across_midnight() -> None:
    """Not from local midnight: a PC gone at 23:50 in Brussels is an alert at 00:21."""
    fleet = FleetModel(settings=FleetSettings(hours=OpeningHours()))
    before_midnight = datetime(2026, 11, 19, 22, 50, tzinfo=UTC)  # 23:50 in Brussels
    fleet.apply_status("gent", "pc-01", status("idle"), before_midnight)
    fleet.apply_status("gent", "pc-01", status("offline"), before_midnight)
    [alert] = fleet.alerts(before_midnight + timedelta(minutes=31))
    assert alert.message == "offline for 31 min"
    fleet.apply_bridge("gent", b"0", before_midnight)
    [cut_off] = fleet.site_alerts(before_midnight + timedelta(minutes=31))
    assert cut_off.message == "cut off from the centre for 31 min"


def test_silence_counts_as_offline_and_a_full_disk_is_an_alert() -> None:
    fleet = FleetModel(clock=lambda: THU_10H)
    fleet.apply_status(
        "evere", "pc-09", status("idle", disk_pct=93.5), THU_10H - timedelta(minutes=20)
    )
    kiosk = fleet.kiosks()[0]
    assert fleet.shown_state(kiosk) == "offline"
    assert {a.kind for a in fleet.alerts()} == {"offline", "disk"}
    assert any(a.message == "disk 94% full" for a in fleet.alerts())


def test_stored_states_and_retained_statuses_do_not_overwrite_newer_news() -> None:
    fleet = FleetModel(clock=lambda: THU_10H)
    fleet.apply_status("gent", "pc-01", status("in_session"), THU_10H)
    stale = MachineRecord("gent", "pc-01", "idle", datetime(2026, 11, 19, 8, 0), {})
    other = MachineRecord(
        "gent", "pc-02", "offline", datetime(2026, 11, 19, 8, 30), {"version": "0.3.0"}
    )
    assert fleet.load([stale, other])
    assert [k.state for k in fleet.kiosks()] == ["in_session", "offline"]
    assert fleet.kiosks()[1].offline_since == datetime(2026, 11, 19, 8, 30, tzinfo=UTC)
    old = status("idle", ts=THU_10H - timedelta(hours=1))
    assert not fleet.apply_status("gent", "pc-01", old, THU_10H, retained=True)
    assert fleet.targets("gent") == [("gent", "pc-01"), ("gent", "pc-02")]
    assert fleet.targets() == fleet.targets("gent") and fleet.targets("evere") == []
