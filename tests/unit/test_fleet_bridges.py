"""The fleet's topology without Qt (issue 21): each site broker's bridge up or down, from
Mosquitto's notifications, and one alert when a site stays cut off from the centre."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from admin_console.desk.fleet import FleetModel
from kiosk.wire.protocol import Rejected, Status, bridge_payload, bridge_site

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


def test_the_topology_shows_each_site_broker_with_the_kiosks_heard_through_it() -> None:
    fleet = FleetModel(clock=lambda: THU_10H)
    for site, machine in (("evere", "pc-01"), ("evere", "pc-02"), ("gent", "pc-01")):
        fleet.apply_status(site, machine, Status("idle", None, {}), THU_10H)
    fleet.apply_bridge("evere", b"1", THU_10H - timedelta(hours=1))
    # Gent's kiosks talk to the centre: no site broker, nothing in the topology for it.
    assert fleet.bridge_of("gent") is None
    [evere] = fleet.topology()
    assert (evere.bridge.site, evere.bridge.up, evere.kiosks, evere.heard) == ("evere", True, 2, 2)
    assert evere.alert is None and evere.bridge.since_known
    assert fleet.topology(["gent"]) == []
    # Cut: after three missed heartbeats the kiosks are not heard, but not called off.
    down = THU_10H + timedelta(minutes=1)
    fleet.apply_bridge("evere", b"0", down)
    later = down + timedelta(minutes=40)
    [evere] = fleet.topology(now=later)
    assert (evere.bridge.up, evere.heard, evere.kiosks) == (False, 0, 2)
    assert evere.alert is not None and (evere.alert.kind, evere.alert.value) == ("cut_off", 40)
    kiosk = fleet.kiosks(["evere"])[0]
    assert fleet.shown_state(kiosk, later) == "unheard"
    assert fleet.shown_state(fleet.kiosks(["gent"])[0], later) == "offline"
    # The overview's counts: Evere's one alert is the site's, Gent's is its kiosk's.
    summary = fleet.summary(later)
    assert (summary["evere"].alerts, summary["evere"].offline) == (1, 2)
    assert summary["gent"].alerts == 1
    assert [(a.site, a.machine, a.kind) for a in fleet.alerts(later, ["evere"])] == [
        ("evere", "", "cut_off")
    ]


def test_a_retained_state_holds_since_it_was_heard_or_earlier() -> None:
    fleet = FleetModel(clock=lambda: THU_10H)
    assert fleet.apply_bridge("evere", b"0", THU_10H, retained=True)
    bridge = fleet.bridge_of("evere")
    assert bridge is not None and not bridge.since_known and bridge.since == THU_10H
    # The same state live again: still the first time heard, still not known since when.
    assert not fleet.apply_bridge("evere", b"0", THU_10H + timedelta(minutes=5))
    assert fleet.bridge_of("evere") == bridge
    assert fleet.apply_bridge("evere", b"1", THU_10H + timedelta(minutes=6))
    bridge = fleet.bridge_of("evere")
    assert bridge is not None and bridge.since_known
    # A site broker alone (no kiosk heard yet) is a site of the topology too.
    assert [b.bridge.site for b in fleet.topology()] == ["evere"]


def test_the_console_link_reads_only_bridge_states_and_refuses_the_rest() -> None:
    assert bridge_site("bridges/evere/state") == "evere"
    assert bridge_payload(b"0") == b"0" and bridge_payload(b" 1\n") == b"1"
    for topic in ("bridges/evere", "bridges/Evere/state", "bridges/evere/queue", "x/evere/state"):
        with pytest.raises(Rejected):
            bridge_site(topic)
    for payload in (b"", b"up", b"01", b"\xff"):
        with pytest.raises(Rejected):
            bridge_payload(payload)


def test_the_room_says_what_it_still_has_to_send() -> None:
    """Issue 21, point 2: a site broker's queue, as its kiosks' outboxes say it."""
    fleet = FleetModel(clock=lambda: THU_10H)
    fleet.apply_bridge("evere", b"1", THU_10H)
    fleet.apply_status("evere", "pc-01", Status("idle", None, {}), THU_10H)
    [evere] = fleet.topology()
    assert evere.waiting is None, "no kiosk said: unknown, not 0"
    fleet.apply_status("evere", "pc-01", Status("idle", None, {"waiting": 1222}), THU_10H)
    fleet.apply_status("evere", "pc-02", Status("idle", None, {"waiting": 80}), THU_10H)
    [evere] = fleet.topology()
    assert evere.waiting == 1302
    fleet.apply_status("evere", "pc-01", Status("idle", None, {"waiting": 0}), THU_10H)
    [evere] = fleet.topology()
    assert evere.waiting == 80
