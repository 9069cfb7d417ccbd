"""Kiosk settings: command line over environment over config file over defaults."""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.i18n import resolve_language
from kiosk.model.session import PolicyError, SessionPolicy, policy_from_config
from kiosk.wire.broker import (
    BrokerSettings,
    ConfigError,
    broker_from_config,
    load_toml,
    parse_broker_url,
)
from kiosk.wire.protocol import NAME_RE

DEFAULT_BROKER = "mqtt://127.0.0.1:1883"
APP_NAME = "kiosk-suite"


@dataclass(frozen=True)
class KioskSettings:
    broker: BrokerSettings
    site: str
    machine: str
    data_dir: Path
    lang: str = "nl"
    heartbeat_s: float = 60.0
    policy: SessionPolicy = field(default_factory=SessionPolicy)
    staff_pin_hash: str | None = None
    tasks_dir: Path | None = None  # the site's own guided tasks (default: in the data folder)

    @property
    def idle_minutes(self) -> int:
        return max(1, round(self.policy.idle_timeout_s / 60))

    @property
    def outbox_path(self) -> Path:
        return self.data_dir / "outbox.db"


def _default_machine() -> str:
    name = re.sub(r"[^a-z0-9-]", "-", socket.gethostname().lower()).strip("-")[:32]
    return name if NAME_RE.match(name) else "pc"


def _user_dir(kind: str, env: Mapping[str, str] = os.environ) -> str:
    """``platformdirs.user_config_dir`` / ``user_data_dir`` for the kiosk. On Linux, where the
    kiosk runs, the XDG rule itself (``$XDG_CONFIG_HOME`` or ``~/.config``, ``$XDG_DATA_HOME``
    or ``~/.local/share``): importing platformdirs cost ~8 ms of every start. Elsewhere,
    platformdirs."""
    if sys.platform.startswith("linux"):
        variable, fallback = {
            "config": ("XDG_CONFIG_HOME", "~/.config"),
            "data": ("XDG_DATA_HOME", "~/.local/share"),
        }[kind]
        base = Path(env.get(variable, "").strip())
        if not base.is_absolute():  # unset, empty or relative: ignored, as the spec says
            base = Path(fallback).expanduser()
        return str(base / APP_NAME)
    import platformdirs

    found = platformdirs.user_config_dir if kind == "config" else platformdirs.user_data_dir
    return str(found(APP_NAME))


def default_config_path() -> Path:
    return Path(_user_dir("config")) / "kiosk.toml"


def default_data_dir() -> str:
    return _user_dir("data")


def load_settings(cli: Mapping[str, Any], env: Mapping[str, str] = os.environ) -> KioskSettings:
    """Merge the sources; raise ConfigError with a readable message when something is off."""
    config_path = cli.get("config") or env.get("KIOSK_CONFIG")
    path = Path(config_path) if config_path else default_config_path()
    config: dict[str, Any] = {}
    if config_path or path.exists():
        config = load_toml(path)
    kiosk_table = config.get("kiosk", {})
    if not isinstance(kiosk_table, dict):
        raise ConfigError(f"config {path}: [kiosk] must be a table")

    def pick(name: str, env_name: str, default: Any) -> Any:
        if cli.get(name) is not None:
            return cli[name]
        if env.get(env_name):
            return env[env_name]
        return kiosk_table.get(name, default)

    broker_url = cli.get("broker") or env.get("KIOSK_BROKER_URL")
    if broker_url:
        broker = parse_broker_url(broker_url)
    else:
        broker = broker_from_config(config, path) or parse_broker_url(DEFAULT_BROKER)
    site = str(pick("site", "KIOSK_SITE", "demo"))
    machine = str(pick("machine", "KIOSK_MACHINE", _default_machine()))
    for label, value in (("site", site), ("machine", machine)):
        if not NAME_RE.match(value):
            raise ConfigError(
                f"{label} {value!r} is not valid: use 1-32 lower-case letters, digits or '-'"
            )
    data_dir = Path(pick("data_dir", "KIOSK_DATA_DIR", None) or default_data_dir()).expanduser()
    try:
        heartbeat_s = float(pick("heartbeat_s", "KIOSK_HEARTBEAT_S", 60.0))
    except ValueError as err:
        raise ConfigError(f"config {path}: {err}") from None
    session_table = config.get("session", {})
    if not isinstance(session_table, dict):
        raise ConfigError(f"config {path}: [session] must be a table")
    try:
        policy = policy_from_config(session_table)
    except PolicyError as err:
        raise ConfigError(f"config {path}: {err}") from None
    pin_hash = kiosk_table.get("staff_pin_hash")
    if pin_hash is not None and not (isinstance(pin_hash, str) and pin_hash.count("$") == 3):
        raise ConfigError(f"config {path}: staff_pin_hash must come from `kiosk --hash-pin`")
    lang = resolve_language(str(pick("lang", "KIOSK_LANG", "nl")))
    return KioskSettings(broker, site, machine, data_dir, lang, heartbeat_s, policy, pin_hash)
