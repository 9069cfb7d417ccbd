"""The phone desk with the real room around it (issue 18, "done when"): the real kiosk widgets
(offscreen) and the real Qt buddy desk, both on the provisioned TLS broker with their own
credentials, and the page in a real Chromium at 390 px over WSS.

A visitor's call from the kiosk appears on the phone and on the Qt desk; the phone's claim makes
the kiosk say "Sara komt u helpen" and shows on the Qt desk as Sara's; the Qt desk's claim shows
on the phone as Tom's. Then the kiosk button → row latency on both desks, in the same run
(p50/p99, printed for benchmarks/bench_phone_latency.py; issue 18's goal p99 ≤ 100 ms is
checked there, with enough samples, not here).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from admin_console.desk.help_queue import HelpQueue
from admin_console.links.buddy import BuddyLink
from admin_console.ui.buddy_desk import QtBuddyBridge, QtBuddyDesk
from kiosk.settings import load_settings
from kiosk.ui.app import KioskApp
from kiosk.wire.broker import broker_from_config
from kiosk.wire.config import load_toml
from tests.browser.conftest import TIMEOUT, Site
from tests.browser.test_phone_desk import card

pytestmark = pytest.mark.broker

MS = int(TIMEOUT * 1000)
SAMPLES = int(os.environ.get("PHONE_LATENCY_SAMPLES", "10"))


@pytest.fixture
def kiosk(qtbot: QtBot, site: Site, tmp_path: Path) -> Iterator[KioskApp]:
    settings = load_settings(
        {
            "config": str(site.directory / "kiosks" / "schaerbeek" / "pc-03.toml"),
            "data_dir": str(tmp_path / "pc-03"),
            "tasks_dir": str(tmp_path / "no-tasks"),
        },
        env={},
    )
    app = KioskApp(settings)
    qtbot.addWidget(app.window)
    app.start(windowed=True)
    qtbot.waitUntil(lambda: app.link is not None and app.link.connected, timeout=MS)
    yield app
    app.shutdown()


@pytest.fixture
def desk(qtbot: QtBot, site: Site) -> Iterator[QtBuddyDesk]:
    path = site.directory / "buddies" / "schaerbeek" / "tom.toml"
    settings = broker_from_config(load_toml(path), path)
    assert settings is not None
    window = QtBuddyDesk(HelpQueue(), "schaerbeek", "Tom")
    bridge = QtBuddyBridge()
    link = BuddyLink(settings, "schaerbeek", bridge.callbacks())
    window.attach(link, bridge)
    window.setProperty("bridge", bridge)
    qtbot.addWidget(window)
    window.show()
    link.start()
    qtbot.waitUntil(lambda: link.connected, timeout=MS)
    yield window
    link.stop()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def test_a_kiosk_call_reaches_the_phone_and_the_qt_desk_and_their_claims_cross(
    qtbot: QtBot,
    site: Site,
    phone: Callable[..., Any],
    kiosk: KioskApp,
    desk: QtBuddyDesk,
) -> None:
    page = phone("nl")
    page.goto(site.enrol("schaerbeek", "Sara"))
    page.wait_for_selector("body[data-connection=online]", timeout=MS)
    window, core = kiosk.window, kiosk.core

    # The visitor calls from the real kiosk.
    qtbot.mouseClick(window.start_screen.start_button, Qt.MouseButton.LeftButton)
    core.call_buddy()
    assert core.help is not None
    request = core.help.request
    call = card(page, request)
    call.wait_for(timeout=MS)
    qtbot.waitUntil(lambda: desk.row_of("pc-03") >= 0, timeout=MS)

    # Sara claims it on her phone: the kiosk says so, the Qt desk shows it as Sara's.
    call.get_by_role("button", name="Ik kom", exact=False).click()
    status = window.action_bar.help_status
    qtbot.waitUntil(lambda: "Sara" in status.text(), timeout=MS)
    assert status.text() == "Sara komt u helpen."
    qtbot.waitUntil(
        lambda: (c := desk.queue.get(request)) is not None and c.buddy == "Sara", timeout=MS
    )
    button = desk.action_button(desk.row_of("pc-03"))
    assert button is None or button.text() not in ("Claim", "Ik ga")  # not Tom's to take

    # The visitor cancels; a new call; Tom claims it on the Qt desk: the phone shows Tom's.
    core.cancel_help()
    call.wait_for(state="detached", timeout=MS)
    core.call_buddy()
    assert core.help is not None
    second = core.help.request
    card(page, second).wait_for(timeout=MS)
    qtbot.waitUntil(
        lambda: (c := desk.queue.get(second)) is not None and c.state == "open", timeout=MS
    )
    claim = desk.action_button(desk.row_of("pc-03"))
    assert claim is not None
    qtbot.mouseClick(claim, Qt.MouseButton.LeftButton)
    card(page, second).get_by_text("Tom komt").wait_for(timeout=MS)
    qtbot.waitUntil(lambda: "Tom" in status.text(), timeout=MS)
    core.cancel_help()

    # Latency, kiosk button → a row on each desk, in the same run: measured and printed for
    # benchmarks/bench_phone_latency.py (PHONE_LATENCY_SAMPLES), never asserted here.
    desk_seen: dict[str, float] = {}
    bridge_of_desk = desk.property("bridge")
    assert isinstance(bridge_of_desk, QtBuddyBridge)
    bridge_of_desk.help_change.connect(  # after the desk's own slot: its row is drawn
        lambda _m, change: desk_seen.setdefault(change.request, time.time() * 1000)
    )
    page.evaluate(
        """() => { window.__seen = {};
        new MutationObserver(() => {
          for (const li of document.querySelectorAll('li.call[data-request]')) {
            const r = li.dataset.request;
            if (!(r in window.__seen))
              window.__seen[r] = performance.timeOrigin + performance.now();
          }
        }).observe(document.body, {childList: true, subtree: true}); }"""
    )
    to_phone: list[float] = []
    to_desk: list[float] = []
    for _ in range(SAMPLES):
        pressed = time.time() * 1000
        core.call_buddy()
        assert core.help is not None
        request = core.help.request
        qtbot.waitUntil(lambda r=request: r in desk_seen, timeout=MS)
        page.wait_for_function(f"() => '{request}' in window.__seen", timeout=MS)
        to_desk.append(desk_seen[request] - pressed)
        to_phone.append(page.evaluate(f"window.__seen['{request}']") - pressed)
        core.cancel_help()
        card(page, request).wait_for(state="detached", timeout=MS)
    assert len(to_phone) == len(to_desk) == SAMPLES  # every call reached both desks
    figures = {
        "phone_p50_ms": statistics.median(to_phone),
        "phone_p99_ms": _percentile(to_phone, 0.99),
        "qt_desk_p50_ms": statistics.median(to_desk),
        "qt_desk_p99_ms": _percentile(to_desk, 0.99),
        "calls": SAMPLES,
    }
    print("PHONE-LATENCY " + json.dumps({k: round(v, 1) for k, v in figures.items()}))
    assert page.errors == []


def test_the_first_load_on_a_slow_phone(site: Site, phone: Callable[..., Any]) -> None:
    """The page's first load with Chromium's CPU throttled 4× (a cheap phone): the time to the
    load event and to "online" on the broker, and the bytes transferred, printed for
    benchmarks/bench_phone_latency.py (issue 18's goal: ≤ 1 s, ≤ 150 KB)."""
    page = phone("nl")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    cdp.send("Network.enable")
    received: list[int] = []
    cdp.on(
        "Network.loadingFinished", lambda event: received.append(int(event["encodedDataLength"]))
    )
    link = site.enrol("schaerbeek", "Lina")
    started = time.perf_counter()
    page.goto(link, wait_until="load")
    loaded = (time.perf_counter() - started) * 1000
    page.wait_for_selector("body[data-connection=online]", timeout=MS)
    online = (time.perf_counter() - started) * 1000
    assert received, "the page transferred nothing"
    # Installable as an app (manifest, icons, service worker), as Chromium itself judges it.
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=MS)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # (Playwright's contexts are incognito ones: that one reason is the test's, not the page's.)
    assert [e for e in errors if e["errorId"] != "in-incognito"] == [], errors
    figures = {"load_ms": loaded, "online_ms": online, "kb": sum(received) / 1024}
    print("PHONE-FIRST-LOAD " + json.dumps({k: round(v, 1) for k, v in figures.items()}))
