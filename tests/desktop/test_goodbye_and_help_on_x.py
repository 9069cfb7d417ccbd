"""The goodbye question and the buddy button on the start screen, with real input (issue 17).

The real kiosk full screen on Xvfb with openbox (tests/desktop/conftest.py), clicked and typed
at through the X server (xdotool), as a visitor's mouse and keyboard would:

- "Ik ben klaar" asks once; "Nee, ik ga verder" (a click, or Enter: it has the focus) keeps
  the same visit; "Ja, alles wissen" ends it and says goodbye; a touch on the goodbye goes on
  to the start screen before its 4 s are over.
- The green button on the start screen begins a visit and calls a buddy; the call reaches the
  broker; the keyboard's focus goes to "Oproep annuleren", never onto "Ik ben klaar", so that
  Enter cancels the call and ends nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import paho.mqtt.client as mqtt
import pytest

from kiosk.i18n import Texts
from kiosk.wire.protocol import Channel, HelpChange, decode_help, topic_filter
from tests.conftest import Mosquitto, wait_for
from tests.desktop.conftest import DrivenKiosk

pytestmark = [pytest.mark.desktop, pytest.mark.broker]
# The idle warning must not cover the screen while the test reads it (the default is 6 s).
calm = pytest.mark.session(idle_timeout_s=300, warning_s=60)

NL = Texts("nl")


def start_visit(kiosk: DrivenKiosk) -> str:
    kiosk.x.click(kiosk.ask("where")["start"])
    kiosk.until(lambda s: s["session"] is not None, 20, "a visit to start on a click")
    session: str = kiosk.state()["session"]
    return session


def place(kiosk: DrivenKiosk, name: str) -> list[int]:
    """Where ``name`` is on the screen, once it is there."""
    found: list[list[int]] = []

    def shown() -> bool:
        point = kiosk.ask("where")[name]
        if point is not None:
            found[:] = [point]
        return point is not None

    wait_for(shown, 20, f"{name!r} on the screen")
    return found[0]


@calm
def test_the_goodbye_asks_once_and_keeps_a_visit_pressed_by_mistake(
    driven: DrivenKiosk,
) -> None:
    kiosk = driven
    # The start screen's keyboard focus is on "Beginnen", not on the first language button
    # (Enter there would have turned the screen Dutch for a French visitor).
    assert kiosk.state()["focus"] == NL("start_button")
    session = start_visit(kiosk)

    # By mistake: "Ik ben klaar", then "Nee, ik ga verder" with the mouse.
    kiosk.x.click(place(kiosk, "done"))
    kiosk.until(lambda s: s["goodbye_asking"], 20, "the question 'Wilt u stoppen?'")
    state = kiosk.state()
    assert state["goodbye_title"] == NL("goodbye_ask_title")
    assert state["focus"] == NL("goodbye_keep"), "the safe answer has the keyboard's focus"
    kiosk.x.click(place(kiosk, "keep"))
    kiosk.until(lambda s: not s["goodbye"], 20, "the question to go")
    state = kiosk.state()
    assert state["session"] == session, "the visit was kept"
    assert state["screen"] == "QtHomeScreen"
    assert state["focus"] == NL("done_button"), "the focus back where the visitor was"

    # With the keyboard: Enter presses "Ik ben klaar" (it has the focus), and Enter again
    # answers the question with its safe answer.
    kiosk.x.key("Return")
    kiosk.until(lambda s: s["goodbye_asking"], 20, "the question, asked from the keyboard")
    kiosk.x.key("Return")
    kiosk.until(lambda s: not s["goodbye"], 20, "the question to go on Enter")
    assert kiosk.state()["session"] == session

    # On purpose: "Ja, alles wissen" ends the visit and says goodbye; a touch goes on.
    kiosk.x.click(place(kiosk, "done"))
    kiosk.x.click(place(kiosk, "confirm"))
    kiosk.until(lambda s: s["session"] is None, 20, "the visit to end on 'Ja, alles wissen'")
    state = kiosk.state()
    assert state["goodbye"] and not state["goodbye_asking"]
    assert state["goodbye_title"] == NL("goodbye_done")
    assert state["screen"] == "QtStartScreen"  # under the goodbye, ready for the next visitor
    kiosk.x.click(place(kiosk, "goodbye"))
    kiosk.until(lambda s: not s["goodbye"], 20, "the goodbye to go on a touch")
    assert kiosk.state()["goodbye_touched"] == 1, "the touch ended it, not its 4 s"
    # The next visit starts clean, from the keyboard too (the focus is back on "Beginnen"),
    # and its "I'm done" asks again.
    assert kiosk.state()["focus"] == NL("start_button")
    kiosk.x.key("Return")
    kiosk.until(lambda s: s["session"] not in (None, session), 20, "a visit on Enter")
    kiosk.x.click(place(kiosk, "done"))
    kiosk.until(lambda s: s["goodbye_asking"], 20, "the question in the next visit too")


@pytest.fixture
def help_calls(mosquitto: Mosquitto) -> Iterator[list[HelpChange]]:
    """Every help change the kiosk publishes, as the site's desks receive it."""
    seen: list[HelpChange] = []
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="test-desk")
    client.on_message = lambda _c, _u, m: seen.append(decode_help(Channel.HELP, m.payload))
    client.connect("127.0.0.1", mosquitto.port)
    client.subscribe(topic_filter(Channel.HELP, "gent", "pc-x"), qos=1)
    client.loop_start()
    try:
        yield seen
    finally:
        client.loop_stop()
        client.disconnect()


@calm
def test_the_buddy_button_on_the_start_screen_calls_with_a_click(
    driven: DrivenKiosk, help_calls: list[HelpChange]
) -> None:
    kiosk = driven
    assert kiosk.state()["session"] is None
    call = place(kiosk, "call")
    assert call[1] > kiosk.ask("where")["start"][1], "the green button is below, in the bar"

    kiosk.x.click(call)

    kiosk.until(lambda s: s["help"] == "open", 20, "a call on a click on the start screen")
    state = kiosk.state()
    assert state["session"] is not None, "the call began a visit"
    assert state["screen"] == "QtHomeScreen"
    assert state["help_status"], "the bar says what happens with the call"
    wait_for(lambda: any(c.state == "open" for c in help_calls), 30, "the call on the broker")
    request = help_calls[-1].request
    # The focus went to "Oproep annuleren" in the green button's place, not onto "I'm done":
    # Enter cancels the call and the visit goes on.
    assert state["focus"] == NL("cancel_call")
    kiosk.x.key("Return")
    kiosk.until(lambda s: s["help"] is None, 20, "the call cancelled on Enter")
    state = kiosk.state()
    assert state["session"] is not None and not state["goodbye"]
    wait_for(
        lambda: any(c.request == request and c.state == "cancelled" for c in help_calls),
        30,
        "the cancel on the broker",
    )
