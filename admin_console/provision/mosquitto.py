"""Mosquitto's own files, rendered from the provisioning registry: passwords, ACL, config (no Qt).

docs/broker-security.md explains every rule and setting; broker_config/mosquitto-prod.conf is
the same configuration as a commented reference.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.wire.protocol import PREFIX, SiteChannel, bridge_state_topic, site_topic_filter

# mosquitto_passwd 2.0's format: "$7$" is PBKDF2-HMAC-SHA512, 101 iterations, 12-byte salt,
# 64-byte digest, both base64. The iteration count is low, but every password is 256 random
# bits, so it is the password, not the hash, that resists guessing; a higher count would only
# cost CPU on every kiosk reconnect.
_HASH_ID = 7
_ITERATIONS = 101
_SALT_BYTES = 12
_DIGEST_BYTES = 64


def new_password() -> str:
    """256 random bits, URL-safe (no quoting needed in TOML or on a command line)."""
    return secrets.token_urlsafe(32)


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A password hash in the form Mosquitto's password_file reads."""
    salt = secrets.token_bytes(_SALT_BYTES) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, _ITERATIONS, _DIGEST_BYTES)
    b64 = base64.b64encode
    return f"${_HASH_ID}${_ITERATIONS}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches a ``$7$`` hash (ours or mosquitto_passwd's)."""
    try:
        _, hash_id, iterations, salt_b64, digest_b64 = encoded.split("$")
        if int(hash_id) != _HASH_ID:
            return False
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except ValueError:
        return False
    mine = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, int(iterations), len(digest))
    return hmac.compare_digest(mine, digest)


@dataclass(frozen=True)
class Rule:
    access: str  # "read" or "write"
    topic: str

    def line(self) -> str:
        return f"topic {self.access} {self.topic}"


QUEUE_KEEPER_ROLE = "queue_keeper"
QUEUE_KEEPER_SUFFIX = ".queue_keeper"  # "_" is in no name: never another account's username


def queue_keeper_username(aggregator_username: str) -> str:
    """The queue keeper's account beside an aggregator's (``aggregator.queue_keeper``)."""
    return aggregator_username + QUEUE_KEEPER_SUFFIX


def with_queue_keepers(accounts: Iterable[Account]) -> list[Account]:
    """Every account, and for each aggregator its queue keeper's (the same password hash)."""
    result = []
    for account in accounts:
        result.append(account)
        if account.role == "aggregator":
            result.append(
                Account(
                    queue_keeper_username(account.username),
                    QUEUE_KEEPER_ROLE,
                    account.password_hash,
                )
            )
    return result


def _kiosk_topics(site: str, machine: str, channel: str) -> str:
    return f"{PREFIX}/{site}/{machine}/{channel}"


def _site_topic(site: str, channel: SiteChannel) -> str:
    return site_topic_filter(channel, site)


def acl_rules(role: str, site: str | None = None, machine: str | None = None) -> list[Rule]:
    """What one credential may publish ("write") and subscribe to ("read").

    Explicit topics per user, not ``pattern`` lines: ``%u`` stands for the whole username and
    cannot be split into a site and a machine.
    """
    if role == "kiosk":
        assert site and machine

        def own(channel: str) -> str:
            return _kiosk_topics(site, machine, channel)

        return [
            Rule("write", own("events")),
            Rule("write", own("status")),
            Rule("write", own("help")),
            Rule("write", own("cmd/ack")),
            Rule("read", own("cmd")),
            Rule("read", own("help/reply")),
            # Its own site's queue ("U bent de tweede"); never another site's, never written.
            Rule("read", _site_topic(site, SiteChannel.QUEUE)),
            # Its own room's line to the centre (the bridge's notification, read only: a kiosk
            # that could write it could hold a whole room's events): while it says "0" the
            # kiosk keeps its events in its outbox (kiosk/uplink/bridge_hold.py).
            Rule("read", bridge_state_topic(site)),
        ]
    if role in ("buddy", "phone"):
        # A buddy's phone (the phone desk, over WebSockets) has its own credential, so that it
        # can be revoked alone and never knocks the Qt desk off (one connection per username),
        # with exactly the Qt desk's rights.
        assert site
        return [
            Rule("read", _kiosk_topics(site, "+", "help")),
            Rule("read", _kiosk_topics(site, "+", "status")),
            Rule("read", _kiosk_topics(site, "+", "help/reply")),
            Rule("write", _kiosk_topics(site, "+", "help/reply")),
            Rule("read", _site_topic(site, SiteChannel.QUEUE)),
            Rule("read", _site_topic(site, SiteChannel.DUTY)),
            Rule("write", _site_topic(site, SiteChannel.CHECKIN)),
        ]
    if role == "admin":
        # Coordinators command kiosks, watch them, and can answer help calls from the console.
        return [
            Rule("write", _kiosk_topics("+", "+", "cmd")),
            Rule("read", _kiosk_topics("+", "+", "cmd/ack")),
            Rule("read", _kiosk_topics("+", "+", "status")),
            Rule("read", _kiosk_topics("+", "+", "help")),
            Rule("read", _kiosk_topics("+", "+", "help/reply")),
            Rule("write", _kiosk_topics("+", "+", "help/reply")),
            Rule("read", _site_topic("+", SiteChannel.QUEUE)),
            Rule("read", _site_topic("+", SiteChannel.DUTY)),
            Rule("write", _site_topic("+", SiteChannel.CHECKIN)),
            # Each site broker's bridge, up or down (the fleet view's topology).
            Rule("read", bridge_state_topic("+")),
        ]
    if role == "aggregator":
        # It reads everything (and stores what the contract allows).
        return [
            Rule("read", f"{PREFIX}/#"),
            Rule("read", bridge_state_topic("+")),
        ]
    if role == QUEUE_KEEPER_ROLE:
        # The queue keeper in `admin-console serve`: its own account (derived from the
        # aggregator's, same password), so that its connection never takes the aggregator's
        # session (`use_username_as_clientid`: one session per username). It hears the help
        # calls and check-ins, and alone may publish each site's queue and duty roster.
        return [
            Rule("read", _kiosk_topics("+", "+", "help")),
            Rule("read", _kiosk_topics("+", "+", "help/reply")),
            Rule("read", _site_topic("+", SiteChannel.CHECKIN)),
            Rule("write", _site_topic("+", SiteChannel.QUEUE)),
            Rule("write", _site_topic("+", SiteChannel.DUTY)),
            # The rooms with their own broker: their queue goes out every minute, the centre's
            # word to their kiosks that the line is alive (kiosk/uplink/bridge_hold.py).
            Rule("read", bridge_state_topic("+")),
        ]
    if role == "bridge":
        # A site broker forwards its kiosks' and buddies' messages for its own site only, and
        # brings back the commands and replies addressed to that site.
        assert site
        return [
            Rule("write", _kiosk_topics(site, "+", "events")),
            Rule("write", _kiosk_topics(site, "+", "status")),
            Rule("write", _kiosk_topics(site, "+", "help")),
            Rule("write", _kiosk_topics(site, "+", "cmd/ack")),
            Rule("write", _kiosk_topics(site, "+", "help/reply")),
            Rule("read", _kiosk_topics(site, "+", "help/reply")),
            Rule("read", _kiosk_topics(site, "+", "cmd")),
            Rule("write", _site_topic(site, SiteChannel.CHECKIN)),
            Rule("read", _site_topic(site, SiteChannel.CHECKIN)),
            Rule("read", _site_topic(site, SiteChannel.QUEUE)),
            Rule("read", _site_topic(site, SiteChannel.DUTY)),
            # Its own state ("1" up, "0" down: Mosquitto's bridge notification, and its will).
            Rule("write", bridge_state_topic(site)),
        ]
    raise ValueError(f"unknown role {role!r}")


@dataclass(frozen=True)
class Account:
    """One credential as the broker sees it."""

    username: str
    role: str
    password_hash: str
    site: str | None = None
    machine: str | None = None


_HEADER = (
    "# Generated by `admin-console provision` from registry.json: edits here are overwritten.\n"
    "# Mosquitto re-reads this file on SIGHUP (systemctl reload mosquitto).\n"
)


def render_passwd(accounts: Iterable[Account]) -> str:
    return "".join(f"{a.username}:{a.password_hash}\n" for a in accounts)


def render_acl(accounts: Iterable[Account]) -> str:
    """One ``user`` block per credential; no top-level rules, so anonymous gets nothing."""
    blocks = [_HEADER.rstrip("\n")]
    blocks.append(
        "# Default deny: a credential may use only the topics listed in its own block.\n"
        "# See docs/broker-security.md for why each role has the rules it has."
    )
    for account in accounts:
        rules = acl_rules(account.role, account.site, account.machine)
        lines = [f"# {account.role}", f"user {account.username}"]
        lines += [rule.line() for rule in rules]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


@dataclass(frozen=True)
class BrokerLayout:
    """Where the broker's files are and how it listens."""

    directory: Path
    port: int
    bind: str | None = None
    run_as: str | None = None

    @property
    def passwd(self) -> Path:
        return self.directory / "passwd"

    @property
    def acl(self) -> Path:
        return self.directory / "acl"

    @property
    def server_cert(self) -> Path:
        return self.directory / "server.crt"

    @property
    def server_key(self) -> Path:
        return self.directory / "server.key"

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def conf_d(self) -> Path:
        return self.directory / "conf.d"


def render_conf(layout: BrokerLayout) -> str:
    """The central broker's mosquitto.conf (the settings of broker_config/mosquitto-prod.conf)."""
    d = layout.directory
    listener = f"listener {layout.port}" + (f" {layout.bind}" if layout.bind else "")
    user = (
        f"# When started as root, Mosquitto switches to this account before reading any file.\n"
        f"user {layout.run_as}\n"
        if layout.run_as
        else "# Started as root, Mosquitto switches to the 'mosquitto' account: see\n"
        "# docs/broker-security.md (`provision init --broker-user`).\n"
    )
    return f"""\
# Mosquitto broker (the centre's, or a room's bridged to it), written by
# `admin-console provision init` (or `refresh`).
# Start it with: mosquitto -c {d}/mosquitto.conf
# Every setting is explained in docs/broker-security.md; broker_config/mosquitto-prod.conf is
# the commented reference. Local additions go into conf.d/*.conf, which `refresh` keeps.
# Paths are absolute because Mosquitto resolves relative ones against its working directory.

per_listener_settings false
{user}
# --- who may connect -------------------------------------------------------------------------
allow_anonymous false
password_file {layout.passwd}
acl_file {layout.acl}

# --- the only listener: TLS ------------------------------------------------------------------
{listener}
certfile {layout.server_cert}
keyfile {layout.server_key}
tls_version tlsv1.2
require_certificate false
# A credential is one identity: the client id becomes the username, so no client can take
# over another's session (or knock it off) by reusing its client id. (A listener setting.)
use_username_as_clientid true

# --- throughput and no silent drops (as the development config) ------------------------------
set_tcp_nodelay true
max_inflight_messages 1000
max_queued_messages 1000000
max_queued_bytes 0
max_packet_size 1048576

# --- persistence -----------------------------------------------------------------------------
persistence true
persistence_location {layout.data}/
autosave_interval 10

# --- logging: connections are logged with their username (never a password) -------------------
log_dest stderr
log_type error
log_type warning
log_type notice
connection_messages true

include_dir {layout.conf_d}
"""
