"""The phone desk, end to end: a real Chromium at 390 px, the real Mosquitto over WSS with the
provisioned TLS and ACL, the page's real server, kiosks and a Qt desk's credential as plain
paho clients (what they send is the wire contract, docs/protocol.md).

With PHONE_DESK_SCREENSHOTS=1 the tests also write docs/screenshots/phone-*.png (nl and fr).
"""

from __future__ import annotations

import json
import os
import queue
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from tests.browser.conftest import AXE, TIMEOUT, Site, new_request, provision
from tests.harness import ROOT, wait_for

pytestmark = pytest.mark.broker

SHOTS = ROOT / "docs" / "screenshots"
LABEL = "PC 3 — bij het raam"
MS = int(TIMEOUT * 1000)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def shot(page: Any, name: str) -> None:
    if os.environ.get("PHONE_DESK_SCREENSHOTS"):
        page.screenshot(path=str(SHOTS / f"phone-{name}.png"), full_page=True)


def audit(page: Any, state: str) -> None:
    """axe-core on the page as it is: no serious or critical violation."""
    assert AXE.exists(), "axe-core is missing: run `make phone-desk-deps`"
    if not page.evaluate("typeof axe !== 'undefined'"):
        # Through the DevTools protocol, which the page's CSP does not govern (a <script> tag
        # would be refused: no inline script).
        page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{state}: {bad}"
    # Readable in sunlight (issue 18): WCAG's enhanced contrast, 7:1, off in axe by default.
    enhanced = page.evaluate(
        "axe.run(document, {runOnly: ['color-contrast-enhanced'], resultTypes: ['violations']})"
    )
    low = [
        f"{n['target']}: {n['any'][0]['message'] if n['any'] else ''}"
        for v in enhanced["violations"]
        for n in v["nodes"]
    ]
    assert not low, f"{state}: contrast below 7:1: {low}"


def listen(client: mqtt.Client, topic: str) -> queue.Queue[tuple[str, dict[str, Any]]]:
    heard: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
    subscribed: list[int] = []

    def on_message(_c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        if message.payload:
            heard.put((message.topic, json.loads(message.payload)))

    client.on_message = on_message
    client.on_subscribe = lambda *a: subscribed.append(1)
    client.subscribe(topic, qos=1)
    wait_for(lambda: subscribed, TIMEOUT, f"subscription to {topic}")
    return heard


def next_message(
    heard: queue.Queue[tuple[str, dict[str, Any]]], match: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    while True:
        _topic, body = heard.get(timeout=TIMEOUT)
        if match(body):
            return body


def open_call(kiosk: mqtt.Client, machine: str = "pc-03", site: str = "schaerbeek") -> str:
    request = new_request()
    body = {
        "v": 1,
        "request": request,
        "state": "open",
        "ts": now(),
        "task": "irisbox-certificate",
        "step": 2,
        "lang": "fr",
    }
    topic = f"kiosk/v1/{site}/{machine}/help"
    kiosk.publish(topic, json.dumps(body), qos=1, retain=True).wait_for_publish()
    return request


def card(page: Any, request: str) -> Any:
    return page.locator(f'li.call[data-request="{request}"]')


def publish_duty(keeper: mqtt.Client, names: list[str]) -> None:
    body = {"v": 1, "ts": now(), "buddies": [{"buddy": n, "since": now()} for n in names]}
    keeper.publish(
        "kiosk/v1/schaerbeek/_site/duty", json.dumps(body), qos=1, retain=True
    ).wait_for_publish()


def test_the_help_loop_on_a_phone(site: Site, phone: Callable[..., Any]) -> None:
    """Enrol with the one-time link; see a kiosk's call with its label, task, step, language;
    claim it (the kiosk hears the claim); another buddy's claim shows as theirs; check in;
    resolve with an outcome and topics; every state passes axe."""
    kiosk = site.client("kiosks/schaerbeek/pc-03.toml")
    kiosk_heard = listen(kiosk, "kiosk/v1/schaerbeek/pc-03/help/reply")
    tom = site.client("buddies/schaerbeek/tom.toml")  # the Qt desk's credential
    tom_heard = listen(tom, "kiosk/v1/schaerbeek/+/help/reply")
    aggregator = site.client("aggregators/witness.toml")
    keeper = site.client("aggregators/witness.toml", queue_keeper=True)  # writes the roster
    checkins = listen(aggregator, "kiosk/v1/schaerbeek/_site/checkin")
    kiosk.publish(
        "kiosk/v1/schaerbeek/pc-03/status",
        json.dumps({"v": 1, "state": "in_session", "label": LABEL}),
        qos=1,
        retain=True,
    ).wait_for_publish()
    publish_duty(keeper, ["Tom"])

    link = site.enrol("schaerbeek", "Sara")
    page = phone("nl")
    page.goto(link)
    page.wait_for_selector("body[data-connection=online]", timeout=MS)
    assert "enrol" not in page.url  # the token left the address bar
    page.get_by_text("Niemand wacht op hulp.").wait_for(timeout=MS)
    shot(page, "empty-nl")
    audit(page, "empty")

    # The same link a second time: spent.
    second = phone("nl")
    second.goto(link)
    second.get_by_text("Deze link werkt niet meer", exact=False).wait_for(timeout=MS)
    audit(second, "link used")
    shot(second, "link-used-nl")

    request = open_call(kiosk)
    call = card(page, request)
    call.wait_for(timeout=MS)
    text = call.inner_text()
    assert LABEL in text
    assert "Een document vragen via Irisbox" in text
    assert "Stap 3 van 7" in text and "Taal: Frans" in text
    shot(page, "call-nl")
    audit(page, "a call")

    # Check in: the check-in goes to the queue keeper; the roster it sends back shows Sara.
    page.get_by_role("button", name="Ik begin mijn permanentie").click()
    checkin = next_message(checkins, lambda b: b["buddy"] == "Sara")
    assert checkin["state"] == "in"
    publish_duty(keeper, ["Tom", "Sara"])
    page.get_by_role("button", name="Ik stop mijn permanentie").wait_for(timeout=MS)

    # Claim: the kiosk (it will say "Sara komt u helpen") and the Qt desk hear it.
    call.get_by_role("button", name=f"Ik kom: {LABEL}").click()
    reply = next_message(kiosk_heard, lambda b: b["request"] == request)
    assert (reply["state"], reply["buddy"]) == ("claimed", "Sara")
    assert next_message(tom_heard, lambda b: b["request"] == request)["buddy"] == "Sara"
    call.get_by_text("Jij gaat erheen").wait_for(timeout=MS)
    shot(page, "claimed-nl")
    audit(page, "claimed by me")

    # Tom claims another call from his Qt desk: the phone shows it as Tom's, with no button.
    other = open_call(kiosk)
    card(page, other).wait_for(timeout=MS)
    tom.publish(
        "kiosk/v1/schaerbeek/pc-03/help/reply",
        json.dumps({"v": 1, "request": other, "state": "claimed", "ts": now(), "buddy": "Tom"}),
        qos=1,
        retain=True,
    ).wait_for_publish()
    card(page, other).get_by_text("Tom komt").wait_for(timeout=MS)
    assert card(page, other).get_by_role("button").count() == 0
    audit(page, "claimed by another")

    # Resolve with an outcome and two topics.
    call.get_by_role("button", name=f"Afsluiten: {LABEL}").click()
    close = page.get_by_role("button", name="Oproep afsluiten")
    assert close.is_disabled()  # no outcome chosen yet
    page.get_by_role("button", name="Deels opgelost").click()
    page.get_by_role("button", name="eID of itsme").click()
    page.get_by_role("button", name="Website van de overheid").click()
    shot(page, "resolve-nl")
    audit(page, "resolve")
    close.click()
    done = next_message(kiosk_heard, lambda b: b["request"] == request and b["state"] == "resolved")
    assert done["outcome"] == "partly"
    assert done["topics"] == ["eid-itsme", "government-site"]
    call.wait_for(state="detached", timeout=MS)

    # French: the same desk in the buddy's other language.
    page.get_by_role("button", name="FR").click()
    card(page, other).get_by_text("Tom y va").wait_for(timeout=MS)
    assert page.evaluate("document.documentElement.lang") == "fr"
    audit(page, "fr")
    assert page.errors == []


def test_screenshots_in_french(site: Site, phone: Callable[..., Any]) -> None:
    """The states again in French (the screenshots of docs/phone-desk.md), checked with axe."""
    kiosk = site.client("kiosks/schaerbeek/pc-03.toml")
    page = phone("fr")
    page.goto(site.page)
    page.get_by_role("heading", name="Relier ce téléphone").wait_for(timeout=MS)
    shot(page, "login-fr")
    audit(page, "login")
    page.goto(site.enrol("schaerbeek", "Lina"))
    page.wait_for_selector("body[data-connection=online]", timeout=MS)
    request = open_call(kiosk)
    call = card(page, request)
    call.get_by_text("Étape 3 sur 7", exact=False).wait_for(timeout=MS)
    assert "Langue\u00a0: français" in call.inner_text()
    shot(page, "call-fr")
    call.get_by_role("button", name=f"J'y vais\u00a0: {LABEL}").click()
    call.get_by_text("Vous y allez").wait_for(timeout=MS)
    shot(page, "claimed-fr")
    call.get_by_role("button", name=f"Clôturer\u00a0: {LABEL}").click()
    page.get_by_role("button", name="Résolu", exact=True).click()
    shot(page, "resolve-fr")
    audit(page, "resolve fr")
    page.get_by_role("button", name="Clôturer l'appel").click()
    call.wait_for(state="detached", timeout=MS)


def test_another_site_sees_nothing_and_may_not_write(site: Site, phone: Callable[..., Any]) -> None:
    """A buddy of evere: the page shows none of schaerbeek's calls; over the same WSS listener
    with the same phone credential, a claim or check-in for schaerbeek never arrives."""
    kiosk = site.client("kiosks/schaerbeek/pc-03.toml")
    request = open_call(kiosk)
    link = site.enrol("evere", "Noor")
    page = phone("en")
    page.goto(link)
    page.wait_for_selector("body[data-connection=online]", timeout=MS)
    page.get_by_text("Nobody is waiting for help.").wait_for(timeout=MS)
    assert card(page, request).count() == 0
    # The same credential over WSS (the page's transport), trying to write to schaerbeek.
    token = link.split("#enrol=")[1]
    assert token  # spent by the page: the credential is read back from the phone's storage
    stored = page.evaluate("localStorage.getItem('phone-desk-credential')")
    credential = json.loads(stored)
    assert credential["username"] == "phone.evere.noor"
    page.close()  # one connection per credential: the page would knock the intruder off
    intruder = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="x", transport="websockets")
    intruder.username_pw_set(credential["username"], credential["password"])
    import ssl

    intruder.tls_set(ca_certs=str(site.directory / "ca.crt"), tls_version=ssl.PROTOCOL_TLS_CLIENT)
    intruder.ws_set_options(path="/mqtt")
    heard_by_kiosk = listen(kiosk, "kiosk/v1/schaerbeek/pc-03/help/reply")
    connected: list[Any] = []
    intruder.on_connect = lambda *a: connected.append(a[3])
    intruder.connect("127.0.0.1", site.wss_port)
    intruder.loop_start()
    try:
        wait_for(lambda: connected, TIMEOUT, "the intruder's connection")
        assert not connected[0].is_failure
        seen: list[str] = []
        intruder.on_message = lambda _c, _u, m: seen.append(m.topic)
        intruder.subscribe("kiosk/v1/schaerbeek/#", qos=1)
        intruder.subscribe("kiosk/v1/evere/_site/queue", qos=1)
        forged = {"v": 1, "request": request, "state": "claimed", "ts": now(), "buddy": "Noor"}
        intruder.publish(
            "kiosk/v1/schaerbeek/pc-03/help/reply", json.dumps(forged), qos=1, retain=True
        ).wait_for_publish()
        # The control: an allowed publish by schaerbeek's own Qt desk arrives after it.
        tom = site.client("buddies/schaerbeek/tom.toml")
        control = dict(forged, buddy="Tom", ts=now())
        tom.publish(
            "kiosk/v1/schaerbeek/pc-03/help/reply", json.dumps(control), qos=1, retain=True
        ).wait_for_publish()
        first = next_message(heard_by_kiosk, lambda b: b["request"] == request)
        assert first["buddy"] == "Tom"  # the forged claim never reached the kiosk
        assert not [t for t in seen if t.startswith("kiosk/v1/schaerbeek/")]
    finally:
        intruder.loop_stop()
        intruder.disconnect()


def test_offline_banner_and_recovery(site: Site, phone: Callable[..., Any]) -> None:
    """The broker stops: the page says so in words and shows no all-clear; it comes back by
    itself when the broker returns."""
    page = phone("nl")
    page.goto(site.enrol("schaerbeek", "Ilias"))
    page.wait_for_selector("body[data-connection=online]", timeout=MS)
    count = page.locator("h2.count")
    wait_for(lambda: count.inner_text(), TIMEOUT, "the number of calls")  # "2 oproepen"
    site.broker.stop()
    try:
        page.wait_for_selector("body[data-connection=offline]", timeout=MS)
        page.get_by_text("Geen verbinding. We proberen het vanzelf opnieuw.").wait_for()
        # No false all-clear: neither "nobody is waiting" nor a count of calls.
        assert page.get_by_text("Niemand wacht op hulp.").count() == 0
        assert count.inner_text() == ""
        assert page.locator("li.call").count() == 0
        shot(page, "offline-nl")
        audit(page, "offline")
        page.get_by_role("button", name="FR").click()
        page.get_by_text("Pas de connexion.", exact=False).wait_for()
        shot(page, "offline-fr")
        page.get_by_role("button", name="NL").click()
    finally:
        site.broker.start(TIMEOUT)
    page.wait_for_selector("body[data-connection=online]", timeout=MS)
    wait_for(lambda: count.inner_text(), TIMEOUT, "the calls again")


def test_a_revoked_phone_is_cut_off(site: Site, phone: Callable[..., Any]) -> None:
    """`provision revoke --phone`, then the broker reloads: the live page is disconnected,
    refused on its reconnect, forgets the credential and says why."""
    page = phone("nl")
    page.goto(site.enrol("schaerbeek", "Jonas"))
    page.wait_for_selector("body[data-connection=online]", timeout=MS)
    assert page.evaluate("localStorage.getItem('phone-desk-credential')") is not None
    provision("revoke", "--dir", str(site.directory), "--phone", "schaerbeek/Jonas")
    site.broker.reload()
    page.get_by_text("Deze telefoon heeft geen toegang meer.", exact=False).wait_for(timeout=MS)
    assert page.evaluate("localStorage.getItem('phone-desk-credential')") is None
    shot(page, "revoked-nl")
    audit(page, "revoked")


def test_forget_this_phone(site: Site, phone: Callable[..., Any]) -> None:
    page = phone("nl")
    page.goto(site.enrol("schaerbeek", "Emma"))
    page.wait_for_selector("body[data-connection=online]", timeout=MS)
    page.reload()  # remembered: the phone comes back connected without the link
    page.wait_for_selector("body[data-connection=online]", timeout=MS)
    page.get_by_role("button", name="Deze telefoon vergeten").click()
    page.get_by_text("Deze telefoon is vergeten.", exact=False).wait_for(timeout=MS)
    assert page.evaluate("localStorage.getItem('phone-desk-credential')") is None
    page.reload()
    page.get_by_role("heading", name="Deze telefoon koppelen").wait_for(timeout=MS)


def test_the_server_sends_a_strict_policy_and_spends_tokens_once(site: Site) -> None:
    import ssl

    context = ssl.create_default_context(cafile=str(site.directory / "ca.crt"))
    with urllib.request.urlopen(site.page, context=context, timeout=TIMEOUT) as answer:
        csp = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    with urllib.request.urlopen(site.page + "sw.js", context=context, timeout=TIMEOUT) as answer:
        assert answer.headers["Content-Type"].startswith("text/javascript")
    link = site.enrol("schaerbeek", "Yasmine")
    token = link.split("#enrol=")[1]

    def redeem() -> int:
        request = urllib.request.Request(
            site.page + "enrol",
            data=json.dumps({"token": token}).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, context=context, timeout=TIMEOUT) as answer:
                body = json.loads(answer.read())
                assert body["username"] == "phone.schaerbeek.yasmine"
                return int(answer.status)
        except urllib.error.HTTPError as err:
            return err.code

    assert redeem() == 200
    assert redeem() == 410


ALERT_SPY = """
(() => {
  window.__alerts = {vibrate: [], tones: 0, notifications: []};
  window.__hidden = false;
  Object.defineProperty(document, 'hidden', {get: () => window.__hidden});
  navigator.vibrate = (pattern) => { window.__alerts.vibrate.push(pattern); return true; };
  const osc = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    window.__alerts.tones += 1; return osc.call(this);
  };
  const show = ServiceWorkerRegistration.prototype.showNotification;
  ServiceWorkerRegistration.prototype.showNotification = function (title, options) {
    window.__alerts.notifications.push({title, body: options && options.body});
    return show.call(this, title, options);
  };
})();
"""


def test_a_new_call_rings_vibrates_and_notifies_in_the_background(
    site: Site, phone: Callable[..., Any]
) -> None:
    """A new call: a chime (two tones), a vibration, and while the page is in the background a
    system notification through the service worker. The spies wrap the browser's own
    functions, installed before the page's script (the page's CSP does not govern the test
    driver)."""
    kiosk = site.client("kiosks/schaerbeek/pc-03.toml")
    waiting = open_call(kiosk)  # retained: there before the phone comes
    page = phone("nl")
    page.context.grant_permissions(["notifications"], origin=site.page.rstrip("/"))
    page.context.add_init_script(ALERT_SPY)
    page.goto(site.enrol("schaerbeek", "Yasmine"))
    page.wait_for_selector("body[data-connection=online]", timeout=MS)
    card(page, waiting).wait_for(timeout=MS)
    page.mouse.click(5, 5)  # a first touch: the page may now play sound
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=MS)
    # (A call already waiting when the desk opens alerts once, as on the Qt desk.)
    page.evaluate("window.__alerts = {vibrate: [], tones: 0, notifications: []}")
    page.evaluate("window.__hidden = true")  # the buddy put the phone in a pocket
    request = open_call(kiosk)
    card(page, request).wait_for(state="attached", timeout=MS)
    page.wait_for_function("window.__alerts.notifications.length === 1", timeout=MS)
    alerts = page.evaluate("window.__alerts")
    assert alerts["vibrate"] == [[300, 150, 300]]
    assert alerts["tones"] == 2
    (shown,) = alerts["notifications"]
    assert "pc-03" in shown["title"] or LABEL in shown["title"]
    assert shown["body"] == "Een document vragen via Irisbox"
    page.evaluate("window.__hidden = false")  # in the hand again: sound and vibration only
    another = open_call(kiosk)
    card(page, another).wait_for(state="attached", timeout=MS)
    page.wait_for_function("window.__alerts.vibrate.length === 2", timeout=MS)
    assert len(page.evaluate("window.__alerts.notifications")) == 1
    assert page.errors == []


def test_a_redraw_never_takes_the_focus_away(site: Site, phone: Callable[..., Any]) -> None:
    """A buddy on a keyboard or a screen reader is on "Ik kom" when another call arrives (the
    page redraws on every message and every 15 s): the focus stays on that same button."""
    kiosk = site.client("kiosks/schaerbeek/pc-03.toml")
    page = phone("nl")
    page.goto(site.enrol("schaerbeek", "Ilias"))
    page.wait_for_selector("body[data-connection=online]", timeout=MS)
    first = open_call(kiosk)
    claim = card(page, first).get_by_role("button", name="Ik kom", exact=False)
    claim.focus()
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert label and label.startswith("Ik kom")
    second = open_call(kiosk)  # a message: the desk is drawn again
    card(page, second).wait_for(timeout=MS)
    assert (
        page.evaluate(
            "document.activeElement.closest('li.call') && "
            "document.activeElement.closest('li.call').dataset.request"
        )
        == first
    )
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == label
