"""The phone desk in a real headless Chromium (Debian's, driven by Playwright's Python API with
``executable_path``: Playwright downloads no browser here) against a real Mosquitto started from
the project's generated config, over WSS with the provisioned TLS, and the page's real server.

The browser trusts the provisioned CA the way a managed phone would: through its own NSS
database (``certutil``), in a throwaway HOME. Nothing is downloaded; the page is the built,
checked-in admin_console/phone/static/.
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.harness import ROOT, Mosquitto, Proc, admin_console, free_port, suite_env, wait_for

TIMEOUT = 30.0
AS_ROOT = os.geteuid() == 0
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# From the lock file of web/phone-desk (`make phone-desk-deps`), never from the network at run time.
AXE = ROOT / "web" / "phone-desk" / "node_modules" / "axe-core" / "axe.min.js"
PHONE_WIDTH, PHONE_HEIGHT = 390, 844


def provision(*args: str) -> str:
    done = subprocess.run(
        admin_console("provision", *args),
        capture_output=True,
        text=True,
        timeout=120,
        env=suite_env(),
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


@dataclass
class Site:
    """A provisioned central broker with the phone desk: the broker, the page's server."""

    directory: Path
    broker: Mosquitto
    mqtts_port: int
    wss_port: int
    https_port: int
    server: Proc | None = None
    clients: list[mqtt.Client] = field(default_factory=list)
    by_file: dict[str, mqtt.Client] = field(default_factory=dict)

    @property
    def page(self) -> str:
        return f"https://127.0.0.1:{self.https_port}/"

    def enrol(self, site: str, name: str) -> str:
        """``provision buddy --phone``: the one-time link, as the coordinator hands it over."""
        provision("buddy", "--dir", str(self.directory), "--site", site, "--name", name, "--phone")
        self.broker.reload()
        ident = name.lower()
        return (self.directory / "phones" / site / f"{ident}.link").read_text().strip()

    def client(
        self, relative: str, *, websockets: bool = False, queue_keeper: bool = False
    ) -> mqtt.Client:
        """A plain paho client from a provisioned credential file (a kiosk, a Qt desk); one per
        credential (the broker allows one connection per username). ``queue_keeper``: an
        aggregator's file used as serve's queue keeper does (its own account, same password)."""
        import tomllib

        from admin_console.provision.mosquitto import queue_keeper_username

        key = f"{relative}|{websockets}|{queue_keeper}"
        if key in self.by_file:
            return self.by_file[key]

        conf = tomllib.loads((self.directory / relative).read_text())["broker"]
        if queue_keeper:
            conf["username"] = queue_keeper_username(conf["username"])
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=conf["username"],
            transport="websockets" if websockets else "tcp",
        )
        client.username_pw_set(conf["username"], conf["password"])
        client.tls_set(ca_certs=str(self.directory / "ca.crt"), tls_version=ssl.PROTOCOL_TLS_CLIENT)
        connected: list[Any] = []
        client.on_connect = lambda *a: connected.append(a[3])
        client.connect("127.0.0.1", self.wss_port if websockets else self.mqtts_port)
        client.loop_start()
        wait_for(lambda: connected, TIMEOUT, f"{relative} to connect")
        assert not connected[0].is_failure, connected[0]
        self.clients.append(client)
        self.by_file[key] = client
        return client


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("phone") / "broker"
    mqtts, wss, https = free_port(), free_port(), free_port()
    extra = ["--broker-user", "root"] if AS_ROOT else []
    provision("init", "--dir", str(directory), "--host", "127.0.0.1", "--port", str(mqtts), *extra)
    provision("web", "--dir", str(directory), "--https-port", str(https), "--wss-port", str(wss))
    for credential in (
        ("kiosk", "--site", "schaerbeek", "--machine", "pc-03"),
        ("kiosk", "--site", "evere", "--machine", "pc-01"),
        ("buddy", "--site", "schaerbeek", "--name", "Tom"),
        ("aggregator", "--name", "witness"),
    ):
        provision(credential[0], "--dir", str(directory), *credential[1:])
    broker = Mosquitto(mqtts, directory, conf=directory / "mosquitto.conf", log_name="broker.log")
    broker.start(TIMEOUT)
    server = Proc(
        [
            *admin_console()[:2],
            "admin_console.phone",
            "--dir",
            str(directory),
            "--bind",
            "127.0.0.1",
        ]
    ).start()
    site = Site(directory, broker, mqtts, wss, https, server)
    wait_for(lambda: any("phone desk: https" in line for line in server.lines), TIMEOUT, "server")
    yield site
    for client in site.clients:
        client.loop_stop()
        client.disconnect()
    server.stop()
    broker.stop()


def _nss_home(ca: Path) -> Path:
    """A HOME whose NSS database trusts the provisioned CA (Chromium on Linux reads it)."""
    home = Path(tempfile.mkdtemp(prefix="phone-desk-chromium-"))
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run(["certutil", "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-d", f"sql:{nssdb}", "-A", "-t", "C,,", "-n", "kiosk-suite", "-i", str(ca)],
        check=True,
    )
    return home


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is missing: `make system-deps` installs it"
    home = _nss_home(site.directory / "ca.crt")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu"],
            env={**os.environ, "HOME": str(home)},
        )
        yield chromium
        chromium.close()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def phone(browser: Any) -> Iterator[Callable[..., Any]]:
    """A new phone (its own storage) at 390 × 844, in a language: ``phone(lang)`` → a page."""
    contexts: list[Any] = []

    def open_phone(lang: str = "nl") -> Any:
        context = browser.new_context(
            viewport={"width": PHONE_WIDTH, "height": PHONE_HEIGHT},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale={"nl": "nl-BE", "fr": "fr-BE", "en": "en-GB"}[lang],
        )
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda err: page.errors.append(str(err)))
        page.on(
            "console",
            lambda msg: page.errors.append(msg.text) if msg.type == "error" else None,
        )
        return page

    yield open_phone
    for context in contexts:
        context.close()


def new_request() -> str:
    return str(uuid.uuid4())
