"""The buddy desk on a real Mosquitto (issue 16): the PC's label from its retained status, the
check-in on ``_site/checkin``, who is on duty from ``_site/duty``, a wrong clock from a fresh
``_site/queue``, and a resolution that carries its outcome and topics on the wire."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from admin_console.desk.help_queue import HelpQueue
from admin_console.links.buddy import BuddyLink
from admin_console.ui.buddy_desk import QtBuddyBridge, QtBuddyDesk
from kiosk.wire import protocol as p
from kiosk.wire.broker import parse_broker_url
from tests.conftest import Mosquitto, wait_for

SITE = "gent"


class Listener:
    """A plain paho client on the site's check-ins and help replies; it also plays the kiosk
    and the queue keeper (the dev broker has no ACL)."""

    def __init__(self, port: int) -> None:
        self.messages: list[mqtt.MQTTMessage] = []
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        self.client.on_message = lambda _c, _u, message: self.messages.append(message)
        ready = threading.Event()
        self.client.on_subscribe = lambda *_: ready.set()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.client.subscribe(
            [
                (p.site_topic_filter(p.SiteChannel.CHECKIN, SITE), 1),
                (p.topic_filter(p.Channel.HELP_REPLY, SITE), 1),
            ]
        )
        assert ready.wait(10)

    def on(self, suffix: str) -> list[bytes]:
        return [bytes(m.payload) for m in self.messages if m.topic.endswith(suffix)]

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def listener(mosquitto: Mosquitto) -> Iterator[Listener]:
    client = Listener(mosquitto.port)
    yield client
    client.close()


@pytest.fixture
def desk(qtbot: QtBot, mosquitto: Mosquitto) -> Iterator[QtBuddyDesk]:
    window = QtBuddyDesk(HelpQueue(), SITE, "Sara", topics=("email", "banking", "other"))
    qtbot.addWidget(window)
    bridge = QtBuddyBridge()
    link = BuddyLink(parse_broker_url(mosquitto.url), SITE, bridge.callbacks())
    window.attach(link, bridge)
    link.start()
    window.show()
    qtbot.waitUntil(lambda: window.connected, timeout=10_000)
    yield window
    link.stop()


def test_the_desk_checks_in_and_sees_who_is_on_duty(
    qtbot: QtBot, desk: QtBuddyDesk, listener: Listener
) -> None:
    qtbot.mouseClick(desk.checkin_button, Qt.MouseButton.LeftButton)
    wait_for(lambda: bool(listener.on("/_site/checkin")), 10, "the check-in")
    checkin = p.decode_checkin(listener.on("/_site/checkin")[0])
    assert (checkin.buddy, checkin.state) == ("Sara", "in")
    # The queue keeper answers with the roster (retained) and a fresh queue whose clock is
    # four minutes later than this computer's.
    since = p.utc_now() - timedelta(minutes=1)
    roster = p.DutyRoster(p.utc_now(), (p.OnDuty("Sara", since), p.OnDuty("Yassine", since)))
    listener.publish(str(p.SiteTopic(SITE, p.SiteChannel.DUTY)), p.encode_duty(roster), True)
    queue = p.SiteQueue(p.utc_now() + timedelta(minutes=4), on_duty=2)
    listener.publish(str(p.SiteTopic(SITE, p.SiteChannel.QUEUE)), p.encode_queue(queue))
    qtbot.waitUntil(lambda: "Yassine" in desk.on_duty_label.text(), timeout=10_000)
    qtbot.waitUntil(lambda: desk.clock_banner.isVisibleTo(desk), timeout=10_000)
    assert desk.clock_banner.text().startswith("The clock of this computer is 4 minutes behind.")
    # A forged roster is counted and ignored, never a crash.
    listener.publish(str(p.SiteTopic(SITE, p.SiteChannel.DUTY)), b'{"v": 1, "buddies": 3}')
    assert desk.link is not None
    wait_for(lambda: desk.link is not None and desk.link.rejected == 1, 10, "the rejection")
    assert "Yassine" in desk.on_duty_label.text()
    qtbot.mouseClick(desk.checkin_button, Qt.MouseButton.LeftButton)  # a duplicate
    assert desk.duty_message.text().startswith("Sara is already checked in since ")
    qtbot.mouseClick(desk.checkout_button, Qt.MouseButton.LeftButton)
    wait_for(lambda: len(listener.on("/_site/checkin")) == 2, 10, "the check-out")
    assert [p.decode_checkin(m).state for m in listener.on("/_site/checkin")] == ["in", "out"]


def test_resolving_with_an_outcome_puts_it_on_the_wire(
    qtbot: QtBot, desk: QtBuddyDesk, listener: Listener
) -> None:
    kiosk = f"kiosk/v1/{SITE}/pc-03"
    label = "PC 3 — bij het raam"
    listener.publish(f"{kiosk}/status", p.encode_status("in_session", label=label), True)
    request = p.new_id()
    opened = p.HelpChange(request, p.HelpState.OPEN, p.utc_now(), "mypension-check", 2, "fr")
    listener.publish(f"{kiosk}/help", p.encode_help(opened), True)
    qtbot.waitUntil(lambda: desk.row_of("pc-03") == 0, timeout=10_000)
    qtbot.waitUntil(lambda: desk.table.item(0, 0).text() == label, timeout=10_000)
    assert desk.table.item(0, 2).text().startswith("Step 3 of 7\n")
    claim = desk.action_button(0)
    assert claim is not None
    qtbot.mouseClick(claim, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.table.item(0, 5).text().startswith("You (Sara)"), timeout=10_000)
    resolve = desk.action_button(0)
    assert resolve is not None
    qtbot.mouseClick(resolve, Qt.MouseButton.LeftButton)
    dialog = desk.outcome_dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.outcomes[p.HelpOutcome.PARTLY], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.topics["banking"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.topics["email"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    wait_for(lambda: len(listener.on("/help/reply")) == 2, 10, "the claim and the resolution")
    replies = [p.decode_help(p.Channel.HELP_REPLY, m) for m in listener.on("/help/reply")]
    resolved = replies[-1]
    assert (resolved.request, resolved.state, resolved.buddy) == (request, "resolved", "Sara")
    assert resolved.outcome is p.HelpOutcome.PARTLY
    assert resolved.topics == ("email", "banking")  # in the site's order
    assert replies[0].outcome is None and replies[0].topics == ()  # a claim carries none
    qtbot.waitUntil(lambda: desk.table.rowCount() == 0, timeout=10_000)
