"""The phone desk's web server: the built page over HTTPS, and the one-time enrolment (no Qt).

Why not Mosquitto's own ``http_dir`` on the WebSockets listener (measured with Mosquitto 2.0.11,
docs/phone-desk.md): it answers HTTP/1.0 with no Content-Type, no compression and no way to add
a header. A service worker (alerts in the background) is refused without a JavaScript type, a
Content-Security-Policy can then only be a <meta> (no frame-ancestors: the claim button could
be framed), and MQTT.js would travel uncompressed (340 KB instead of ~110 KB). This server is
the standard library only: every file is read once at start, gzipped once, and served from
memory with its type, an ETag, and the security headers below.

Routes: the files of static/; ``/desk.json`` (the broker's wss address, the task catalogue's
titles in nl/fr/en, each site's topic list); ``POST /enrol`` (a one-time token → the phone's
credential, once). Nothing else; no query strings or request bodies are logged.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import ssl
import threading
import tomllib
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from admin_console.provision.files import ProvisionError
from admin_console.provision.phone import (
    EnrolmentRefused,
    WebSettings,
    redeem,
    web_settings,
)

STATIC = Path(__file__).with_name("static")
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}
MAX_BODY = 1024


def content_security_policy(web: WebSettings) -> str:
    """No inline script or style, nothing from elsewhere; MQTT only to this site's broker."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {web.broker_url.rsplit('/', 1)[0]}",
            "manifest-src 'self'",
            "worker-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    content_type: str
    etag: str
    cache: str


def _asset(name: str, body: bytes) -> Asset:
    suffix = Path(name).suffix
    # The page, its service worker and desk.json are checked on every load (cheap: an ETag);
    # the service worker keeps the rest for offline starts.
    cache = "no-cache"
    return Asset(
        body,
        gzip.compress(body, 9, mtime=0),
        TYPES.get(suffix, "application/octet-stream"),
        '"' + hashlib.sha256(body).hexdigest()[:20] + '"',
        cache,
    )


def desk_facts(web: WebSettings, console_config: Path | None = None) -> dict[str, object]:
    """What the page needs besides MQTT: words for the keys the wire carries."""
    from admin_console.desk.call_words import BUDDY_LANGUAGES, LANGUAGE_NAMES, installed_catalog
    from kiosk.wire.config_schema import DEFAULT_TOPICS

    tasks: dict[str, object] = {}
    for task in installed_catalog().tasks():
        tasks[task.id] = {
            "title": {lang: task.title(lang) for lang in BUDDY_LANGUAGES},
            "steps": [{lang: s.title(lang) for lang in BUDDY_LANGUAGES} for s in task.steps],
        }
    topics: dict[str, list[str]] = {}
    if console_config is not None:
        with console_config.open("rb") as f:
            sites = tomllib.load(f).get("sites", {})
        for site, table in sites.items():
            if isinstance(table, dict) and isinstance(table.get("topics"), list):
                topics[site] = [str(t) for t in table["topics"]]
    return {
        "v": 1,
        "broker": web.broker_url,
        "tasks": tasks,
        "topics": topics,
        "default_topics": list(DEFAULT_TOPICS),
        "languages": LANGUAGE_NAMES,
    }


def load_assets(facts: dict[str, object], static: Path = STATIC) -> dict[str, Asset]:
    assets = {
        "/" + p.relative_to(static).as_posix(): _asset(p.name, p.read_bytes())
        for p in sorted(static.rglob("*"))
        if p.is_file()
    }
    if "/index.html" in assets:
        assets["/"] = assets["/index.html"]
    assets["/desk.json"] = _asset("desk.json", json.dumps(facts, ensure_ascii=False).encode())
    return assets


class DeskHandler(BaseHTTPRequestHandler):
    server_version = "phone-desk"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    assets: ClassVar[dict[str, Asset]] = {}
    csp: ClassVar[str] = ""
    directory: ClassVar[Path] = Path()
    enrol_lock: ClassVar[threading.Lock] = threading.Lock()

    def _headers(self, status: HTTPStatus, content_type: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Strict-Transport-Security", "max-age=31536000")
        self.send_header("Permissions-Policy", "camera=(), microphone=(), geolocation=()")

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        asset = self.assets.get(path)
        if asset is None:
            self._plain(HTTPStatus.NOT_FOUND, "not found")
            return
        if self.headers.get("If-None-Match") == asset.etag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", asset.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        gz = "gzip" in self.headers.get("Accept-Encoding", "")
        body = asset.gzipped if gz else asset.body
        self._headers(HTTPStatus.OK, asset.content_type, len(body))
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("ETag", asset.etag)
        self.send_header("Cache-Control", asset.cache)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        if self.path != "/enrol":
            self._plain(HTTPStatus.NOT_FOUND, "not found")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            self._plain(HTTPStatus.BAD_REQUEST, "bad request")
            return
        try:
            token = json.loads(self.rfile.read(length))["token"]
            if not isinstance(token, str):
                raise TypeError
            with self.enrol_lock:
                credential = redeem(self.directory, token)
        except (ValueError, KeyError, TypeError):
            self._plain(HTTPStatus.BAD_REQUEST, "bad request")
            return
        except EnrolmentRefused:
            self._plain(HTTPStatus.GONE, "this link was used, has expired or is unknown")
            return
        body = json.dumps(credential).encode()
        self._headers(HTTPStatus.OK, "application/json", len(body))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _plain(self, status: HTTPStatus, text: str) -> None:
        body = text.encode()
        self._headers(status, "text/plain; charset=utf-8", len(body))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Method and status only: a path or body is never logged."""
        if args and str(args[0]).startswith("POST"):
            return


def make_server(
    directory: Path,
    *,
    bind: str = "",
    console_config: Path | None = None,
    static: Path = STATIC,
) -> ThreadingHTTPServer:
    directory = directory.expanduser().absolute()
    web = web_settings(directory)
    handler = type(
        "Handler",
        (DeskHandler,),
        {
            "assets": load_assets(desk_facts(web, console_config), static),
            "csp": content_security_policy(web),
            "directory": directory,
        },
    )
    server = ThreadingHTTPServer((bind, web.https_port), handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(directory / web.cert, directory / web.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m admin_console.phone",
        description="Serve the phone desk over HTTPS (after `admin-console provision web`).",
    )
    parser.add_argument("--dir", required=True, help="the central broker directory")
    parser.add_argument("--bind", default="", help="listen on this address only")
    parser.add_argument("--console-config", help="the admin console's TOML ([sites.NAME] topics)")
    args = parser.parse_args(argv)
    try:
        server = make_server(
            Path(args.dir),
            bind=args.bind,
            console_config=Path(args.console_config) if args.console_config else None,
        )
    except (ProvisionError, OSError) as err:
        print(f"cannot start the phone desk: {err}")
        return 1
    port = server.server_address[1]
    print(f"phone desk: https on {args.bind or '*'}:{port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0
