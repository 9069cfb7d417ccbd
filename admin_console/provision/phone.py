"""The phone desk's side of provisioning (no Qt): the WebSockets listener, and phone enrolment.

``provision web`` adds to a central broker directory::

    DIR/web.json                  the phone desk's ports and host, and which certificate it uses
    DIR/conf.d/phone-desk.conf    Mosquitto's MQTT-over-WebSockets listener, with TLS
    DIR/web.crt, DIR/web.key      the site's own certificate (--cert/--key), when given

A phone trusts only public certificate authorities, so a site gives the certificate of its own
domain (ACME, see docs/phone-desk.md); without one the listener uses the broker's certificate
from the private CA (tests, or phones that had the CA installed).

``provision buddy --phone`` makes the phone's own credential (role ``phone``, username
``phone.SITE.ID``: the Qt desk's rights, a connection of its own, revoked alone) and a
one-time enrolment: a random token in a link (``https://HOST:PORT/#enrol=TOKEN``) and a QR code.
The password is stored only sealed with that token (AES-GCM), under the token's hash; the phone
desk's server (admin_console/phone) opens it once, deletes it, and hands the credential to the
page. The token travels in the URL's fragment, which a browser never sends to a server.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from admin_console.provision import broker_dir as prov
from admin_console.provision.files import (
    PRIVATE_DIR_MODE,
    PUBLIC_MODE,
    SECRET_MODE,
    ProvisionError,
    locked,
    make_dir,
    read_json,
    write_file,
)
from admin_console.provision.mosquitto import hash_password, new_password

WEB_FORMAT = 1
DEFAULT_WSS_PORT = 8884
DEFAULT_HTTPS_PORT = 8443
ENROL_HOURS = 24
PENDING = "phones/pending"


@dataclass(frozen=True)
class WebSettings:
    """Where phones find the desk (``https://host:https_port/``) and the broker
    (``wss://host:wss_port/mqtt``), and the certificate both use."""

    host: str
    https_port: int
    wss_port: int
    cert: str  # relative to the directory
    key: str
    own_cert: bool  # the site's own certificate (True) or the private CA's (False)

    @property
    def page_url(self) -> str:
        return f"https://{_url_host(self.host)}:{self.https_port}/"

    @property
    def broker_url(self) -> str:
        return f"wss://{_url_host(self.host)}:{self.wss_port}/mqtt"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def web_settings(directory: Path) -> WebSettings:
    path = directory / "web.json"
    if not path.exists():
        raise ProvisionError(f"{directory} has no phone desk: run `provision web` first")
    data = read_json(path)
    try:
        if data.get("format") != WEB_FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        return WebSettings(
            str(data["host"]),
            int(str(data["https_port"])),
            int(str(data["wss_port"])),
            str(data["cert"]),
            str(data["key"]),
            bool(data["own_cert"]),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise ProvisionError(f"{path} is damaged or of another version: {err}") from None


def listener_conf(directory: Path, web: WebSettings, bind: str | None) -> str:
    """Mosquitto's WebSockets listener; the password file and ACL are the broker's own."""
    listener = f"listener {web.wss_port}" + (f" {bind}" if bind else "")
    return f"""\
# The phone desk's MQTT over WebSockets, with TLS: written by `admin-console provision web`.
# Same passwords and ACL as the TLS listener (per_listener_settings false): a phone's credential
# (phone.SITE.ID) has exactly the rights of its buddy's Qt desk. docs/phone-desk.md says why
# the page itself is served by `python -m admin_console.phone`, not by Mosquitto's http_dir.
{listener}
protocol websockets
certfile {directory / web.cert}
keyfile {directory / web.key}
tls_version tlsv1.2
use_username_as_clientid true
"""


def configure_web(
    directory: Path,
    *,
    host: str | None = None,
    https_port: int = DEFAULT_HTTPS_PORT,
    wss_port: int = DEFAULT_WSS_PORT,
    cert: Path | None = None,
    key: Path | None = None,
) -> WebSettings:
    """Write web.json and conf.d/phone-desk.conf; copy the site's own certificate and key."""
    from admin_console.provision import pki

    broker = prov.BrokerDir(directory)
    if (cert is None) != (key is None):
        raise ProvisionError("give both --cert and --key (the site's own certificate), or neither")
    with locked(prov._existing(broker)):
        registry = broker.load()
        host = prov.check_host(host or registry.host)
        https_port, wss_port = prov.check_port(https_port), prov.check_port(wss_port)
        if len({https_port, wss_port, registry.port}) != 3:
            raise ProvisionError("the broker, the WebSockets listener and the page need 3 ports")
        owner = broker.broker_owner(registry)
        if cert is not None and key is not None:
            try:
                cert_pem, key_pem = cert.read_bytes(), key.read_bytes()
            except OSError as err:
                raise ProvisionError(f"cannot read {err.filename}") from None
            names, expires = pki.cert_summary(cert_pem)
            if host not in names:
                raise ProvisionError(
                    f"the certificate is for {', '.join(names)}, not for {host}: "
                    "give --host as the phones will dial it"
                )
            if expires <= datetime.now(UTC):
                raise ProvisionError(f"the certificate expired on {expires:%Y-%m-%d}")
            write_file(broker.path / "web.key", key_pem, SECRET_MODE, owner)
            write_file(broker.path / "web.crt", cert_pem, PUBLIC_MODE)
            web = WebSettings(host, https_port, wss_port, "web.crt", "web.key", True)
        else:
            web = WebSettings(host, https_port, wss_port, "server.crt", "server.key", False)
        data = {"format": WEB_FORMAT, **web.__dict__}
        write_file(broker.path / "web.json", json.dumps(data, indent=1) + "\n", PUBLIC_MODE)
        layout = broker.layout(registry)
        write_file(
            layout.conf_d / "phone-desk.conf",
            listener_conf(broker.path, web, registry.bind),
            PUBLIC_MODE,
        )
    return web


# --- enrolment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """What ``provision buddy --phone`` made (the link holds a one-time token: a secret)."""

    username: str
    link: str
    link_file: Path
    qr_file: Path
    expires: datetime
    rotated: bool


def _token_id(token: str) -> str:
    return hashlib.sha256(b"phone-enrol-id:" + token.encode()).hexdigest()[:40]


def _token_key(token: str) -> bytes:
    return hashlib.sha256(b"phone-enrol-key:" + token.encode()).digest()


def enrol_phone(directory: Path, site: str, name: str, hours: int = ENROL_HOURS) -> Enrolment:
    """A new phone credential for a buddy (an earlier phone of theirs stops working) and its
    one-time enrolment link, valid for ``hours``."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    site = prov.check_name("site", site)
    ident = prov.person_id("buddy name", name)
    display = name.strip()
    broker = prov.BrokerDir(directory)
    with locked(prov._existing(broker)):
        web = web_settings(broker.path)
        registry = broker.load()
        username = prov.username_for("phone", site, ident)
        old = registry.entries.get(username)
        pending = broker.path / PENDING
        make_dir(broker.path / "phones", PRIVATE_DIR_MODE)
        make_dir(pending, PRIVATE_DIR_MODE)
        if old is not None and old.config:
            (broker.path / old.config).unlink(missing_ok=True)  # the earlier link, if unused
        password = new_password()
        token = secrets.token_urlsafe(32)
        expires = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)
        secret = {
            "username": username,
            "password": password,
            "site": site,
            "name": display,
            "broker": web.broker_url,
        }
        nonce = os.urandom(12)
        sealed = AESGCM(_token_key(token)).encrypt(nonce, json.dumps(secret).encode(), None)
        record = {
            "expires": expires.isoformat().replace("+00:00", "Z"),
            "nonce": base64.b64encode(nonce).decode(),
            "sealed": base64.b64encode(sealed).decode(),
        }
        pending_file = pending / f"{_token_id(token)}.json"
        write_file(pending_file, json.dumps(record) + "\n", SECRET_MODE)
        registry.entries[username] = prov.Entry(
            username=username,
            role="phone",
            password_hash=hash_password(password),
            issued=prov._now(),
            site=site,
            name=ident,
            display=display,
            config=pending_file.relative_to(broker.path).as_posix(),
        )
        broker.save(registry)
        link = f"{web.page_url}#enrol={token}"
        folder = broker.path / "phones" / site
        make_dir(folder, PRIVATE_DIR_MODE)
        link_file = folder / f"{ident}.link"
        qr_file = folder / f"{ident}.svg"
        write_file(link_file, link + "\n", SECRET_MODE)
        write_file(qr_file, qr_svg(link), SECRET_MODE)
    return Enrolment(username, link, link_file, qr_file, expires, old is not None)


class EnrolmentRefused(Exception):
    """An unknown, used or expired enrolment token."""


def redeem(directory: Path, token: str, now: datetime | None = None) -> dict[str, str]:
    """The credential behind a one-time token; the token is spent (its file deleted) at once."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not (20 <= len(token) <= 100 and token.replace("-", "").replace("_", "").isalnum()):
        raise EnrolmentRefused("malformed")
    path = directory / PENDING / f"{_token_id(token)}.json"
    with locked(directory):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            raise EnrolmentRefused("unknown or used") from None
        path.unlink(missing_ok=True)  # one time, whatever follows
    expires = datetime.fromisoformat(str(record["expires"]).replace("Z", "+00:00"))
    if (now or datetime.now(UTC)) > expires:
        raise EnrolmentRefused("expired")
    try:
        plain = AESGCM(_token_key(token)).decrypt(
            base64.b64decode(record["nonce"]), base64.b64decode(record["sealed"]), None
        )
    except (InvalidTag, KeyError, ValueError):
        raise EnrolmentRefused("damaged") from None
    secret = json.loads(plain)
    return {k: str(secret[k]) for k in ("username", "password", "site", "name", "broker")}


def qr_svg(text: str) -> str:
    """The link as a QR code (SVG), to show on a screen or print for the buddy."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=8, border=4, xmldecl=False)
    return out.getvalue().decode()


def qr_terminal(text: str) -> str:
    """The link as a QR code of block characters, for a terminal with a dark-on-light font."""
    import io

    import segno

    out = io.StringIO()
    segno.make(text, error="m").terminal(out=out, compact=True)
    return out.getvalue()
