"""The lockdown and the activity clock on a real X server with a window manager (issue 15).

Before the fix, all of this held until the first web page: QtWebEngine made Qt replace the
kiosk window's QWindow, and the lockdown's filter stayed on the old one. Clicks in the page
no longer counted (the visitor was wiped while filling in a form), shortcuts reached the page,
the staff gesture did nothing. Each test opens a real page first, and checks that the window
was indeed replaced, so that it tests the case that failed.
"""

from __future__ import annotations

import time
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from kiosk.wire.protocol import encode_command
from tests.conftest import Mosquitto, wait_for
from tests.desktop.conftest import PIN, DrivenKiosk
from tests.fixtures.browser_pages.server import TestSite

pytestmark = [pytest.mark.desktop, pytest.mark.broker]

# What the lockdown says it swallows (kiosk/ui/lockdown.py), as xdotool names them.
FORBIDDEN = ["ctrl+w", "ctrl+n", "ctrl+t", "ctrl+q", "ctrl+p", "ctrl+o", "ctrl+s", "ctrl+u"]
FORBIDDEN += ["ctrl+shift+i", "ctrl+shift+j", "F5", "F11", "F12", "alt+F4", "alt+Tab"]


def start_visit(kiosk: DrivenKiosk) -> str:
    kiosk.x.click(kiosk.ask("where")["start"])
    kiosk.until(lambda s: s["session"] is not None, 20, "a visit to start on a click")
    session: str = kiosk.state()["session"]
    return session


def open_page(kiosk: DrivenKiosk, site: TestSite) -> None:
    url = site.url("/activity.html")
    assert kiosk.ask("open", url=url)
    kiosk.until(lambda s: s["url"] == url, 60, "the page to load")
    wait_for(lambda: kiosk.js("document.readyState") == "complete", 30, "the page to be ready")


def page_clicks(kiosk: DrivenKiosk) -> int:
    return int(kiosk.js("window.clicks") or 0)


def click_in_page(kiosk: DrivenKiosk) -> None:
    """A real click in the page; the first ones after a page shows may land before Chromium
    takes input, so it is repeated until the page counts it."""
    before = page_clicks(kiosk)
    point = kiosk.ask("where")["page"]
    for _ in range(10):
        kiosk.x.click(point)
        try:
            wait_for(lambda: page_clicks(kiosk) > before, 2, "the page to count a click")
            return
        except AssertionError:
            continue
    raise AssertionError("the page never received a click")


def page_keys(kiosk: DrivenKiosk) -> list[str]:
    keys: Any = kiosk.js("JSON.stringify(window.keys)")
    import json

    return list(json.loads(keys or "[]"))


def assert_locked_down(kiosk: DrivenKiosk) -> None:
    """Every forbidden shortcut changes nothing; plain typing still reaches the page."""
    state = kiosk.state()
    url, session = state["url"], state["session"]
    click_in_page(kiosk)  # the page has the keyboard focus
    seen_before = len(page_keys(kiosk))
    swallowed_before = state["swallowed"]
    for combo in FORBIDDEN:
        kiosk.x.key(combo)
    kiosk.x.type("ok")
    wait_for(lambda: page_keys(kiosk)[-2:] == ["o", "k"], 10, "typing to reach the page")
    reached = [k for k in page_keys(kiosk)[seen_before:] if k not in ("o", "k")]
    # Modifier keys alone (Control, Alt, Shift) are harmless and may reach the page.
    assert [k for k in reached if k.split("+")[-1] not in ("Control", "Alt", "Shift")] == []
    after = kiosk.state()
    assert after["swallowed"] - swallowed_before >= len(FORBIDDEN) - 2  # alt+F4/Tab: the WM's
    assert after["full_screen"] and after["visible"]
    assert after["url"] == url and after["session"] == session and after["dialog"] is None
    assert kiosk.process.poll() is None


def assert_page_input_is_activity(kiosk: DrivenKiosk) -> None:
    """A click in the page sets the visit's idle clock back to zero."""
    wait_for(lambda: kiosk.state()["idle_s"] > 2.5, 10, "the kiosk to be idle for a while")
    click_in_page(kiosk)
    assert kiosk.state()["idle_s"] < 2.0


def test_working_in_a_web_page_keeps_the_visit_alive(driven: DrivenKiosk, site: TestSite) -> None:
    """Idle timeout 26 s (warning after 6 s): 40 s of clicks, typing and scrolling in the
    page, never a warning, the same visit; then, hands off, the warning comes."""
    kiosk = driven
    session = start_visit(kiosk)
    open_page(kiosk, site)
    assert kiosk.state()["window_handles"] >= 2, "the browser did not replace the QWindow"
    click_in_page(kiosk)
    point = kiosk.ask("where")["page"]
    began = time.monotonic()
    turn = 0
    while time.monotonic() - began < 40:
        action = turn % 3
        if action == 0:
            kiosk.x.click(point)
        elif action == 1:
            kiosk.x.type("a")
        else:
            kiosk.x.scroll(point)
        turn += 1
        state = kiosk.state()
        assert state["warned"] == 0, f"idle warning after {time.monotonic() - began:.0f} s"
        assert state["session"] == session
        wait_for(lambda: kiosk.state()["idle_s"] >= 2.5, 10, "2.5 s without input")
    # Everything that was sent reached the page (the first click came before the loop).
    assert turn >= 12
    assert page_clicks(kiosk) == 1 + (turn + 2) // 3
    assert int(kiosk.js("window.wheels")) == turn // 3
    assert page_keys(kiosk).count("a") == (turn + 1) // 3
    # Without input, the clock runs: the warning comes 6 s later.
    kiosk.until(lambda s: s["warned"] == 1, 20, "the idle warning once the visitor stops")
    assert kiosk.state()["session"] == session


def admin_command(mosquitto: Mosquitto, cmd: str) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="test-admin")
    client.connect("127.0.0.1", mosquitto.port)
    client.loop_start()
    try:
        info = client.publish("kiosk/v1/gent/pc-x/cmd", encode_command(cmd), qos=1)
        info.wait_for_publish(10)
    finally:
        client.loop_stop()
        client.disconnect()


def test_the_lockdown_holds_for_the_whole_life_of_the_kiosk(
    driven: DrivenKiosk, site: TestSite, mosquitto: Mosquitto
) -> None:
    kiosk = driven
    start_visit(kiosk)
    open_page(kiosk, site)
    assert kiosk.state()["window_handles"] >= 2, "the browser did not replace the QWindow"
    assert_locked_down(kiosk)
    assert_page_input_is_activity(kiosk)

    # A visit wiped ("I'm done"), a new one with a new page.
    kiosk.x.click(kiosk.ask("where")["done"])
    wait_for(
        lambda: kiosk.ask("where")["confirm"] is not None, 20, "the question 'Wilt u stoppen?'"
    )
    kiosk.x.click(kiosk.ask("where")["confirm"])
    kiosk.until(lambda s: s["session"] is None, 20, "the visit to end on 'done'")
    kiosk.until(lambda s: not s["goodbye"], 20, "the goodbye to give way to the start screen")
    start_visit(kiosk)
    open_page(kiosk, site)
    assert_locked_down(kiosk)
    assert_page_input_is_activity(kiosk)

    # A remote lock and unlock, through the broker.
    kiosk.until(lambda s: True, 1)
    wait_for(lambda: mosquitto_has_kiosk(mosquitto), 30, "the kiosk's status on the broker")
    admin_command(mosquitto, "lock")
    kiosk.until(lambda s: s["locked"] and s["screen"] == "QtLockedScreen", 20, "the lock")
    for combo in ("ctrl+w", "alt+F4", "F11"):
        kiosk.x.key(combo)
    admin_command(mosquitto, "unlock")
    kiosk.until(lambda s: not s["locked"], 20, "the unlock")
    assert kiosk.state()["full_screen"]
    if kiosk.state()["session"] is None:
        start_visit(kiosk)
    open_page(kiosk, site)
    assert_locked_down(kiosk)
    assert_page_input_is_activity(kiosk)

    # The screen changes. Xvfb cannot change its mode, but RandR monitors are what Qt makes
    # its screens of: a smaller monitor in place of the output's is a resolution change, a
    # monitor beside it a second screen.
    kiosk.x.run("xrandr", "--setmonitor", "small", "1024/270x600/160+0+0", "screen")
    kiosk.until(lambda s: s["screens"] == [[0, 0, 1024, 600]], 20, "Qt to see 1024x600")
    kiosk.until(lambda s: s["full_screen"] and s["geometry"][2:] == [1024, 600], 20, "1024x600")
    assert_locked_down(kiosk)
    assert_page_input_is_activity(kiosk)
    kiosk.x.run("xrandr", "--setmonitor", "second", "342/90x600/160+1024+0", "none")
    kiosk.until(lambda s: len(s["screens"]) == 2, 20, "Qt to see a second screen")
    kiosk.until(lambda s: s["full_screen"] and s["visible"], 20, "full screen with two screens")
    assert_locked_down(kiosk)
    assert_page_input_is_activity(kiosk)
    kiosk.x.run("xrandr", "--delmonitor", "second")
    kiosk.x.run("xrandr", "--delmonitor", "small")
    kiosk.until(lambda s: s["screens"] == [[0, 0, 1366, 768]], 20, "Qt to see 1366x768 again")
    kiosk.until(lambda s: s["full_screen"] and s["geometry"][2:] == [1366, 768], 20, "1366x768")
    assert_locked_down(kiosk)
    assert_page_input_is_activity(kiosk)

    # Staff: five taps in the top-left corner open the PIN dialog; the PIN lets them out.
    kiosk.x.click(kiosk.ask("where")["corner"], times=5)
    kiosk.until(lambda s: s["dialog"] == "QtPinDialog", 20, "the staff PIN dialog")
    # Typing in a dialog is activity too (the dialog has a QWindow of its own).
    wait_for(lambda: kiosk.state()["idle_s"] > 2.5, 10, "the kiosk to be idle for a while")
    kiosk.x.type(PIN[0])
    assert kiosk.state()["idle_s"] < 2.0
    kiosk.x.type(PIN[1:])
    kiosk.x.key("Return")
    assert kiosk.process.wait(20) == 0


def mosquitto_has_kiosk(mosquitto: Mosquitto) -> bool:
    """The kiosk is connected: its retained status says something other than offline."""
    from kiosk.wire.protocol import decode_status

    seen: list[str] = []
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_message = lambda _c, _u, m: seen.append(decode_status(m.payload).state)
    client.connect("127.0.0.1", mosquitto.port)
    client.subscribe("kiosk/v1/gent/pc-x/status", qos=1)
    client.loop_start()
    try:
        wait_for(lambda: bool(seen), 3, "the retained status")
    except AssertionError:
        return False
    finally:
        client.loop_stop()
        client.disconnect()
    return seen[-1] != "offline"
