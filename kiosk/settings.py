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
from kiosk.wire.broker import BrokerSettings, ConfigError, broker_from_file, parse_broker_url
from kiosk.wire.config import ConfigFile, read_config
from kiosk.wire.config_schema import KioskFile, KioskTable, PrintingTable, SessionTable
from kiosk.wire.protocol import NAME_RE, Rejected, pc_label

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
    # The PC's name in the room ("PC 3 — bij het raam"); the set_label command's wins over it.
    label: str | None = None
    printing: PrintingTable = field(default_factory=PrintingTable)  # [printing] (issue 19)

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
    """Merge the sources; raise ConfigError with a readable message when something is off.

    The file is checked against its schema (``kiosk.wire.config_schema.KioskFile``): an
    unknown key, a wrong type or a value out of range is refused with its line."""
    config_path = cli.get("config") or env.get("KIOSK_CONFIG")
    path = Path(config_path) if config_path else default_config_path()
    file: ConfigFile[KioskFile] | None = None
    if config_path or path.exists():
        file = read_config(path, KioskFile)
    table = file.value.kiosk if file is not None else KioskTable()

    def pick(name: str, env_name: str, default: Any) -> tuple[Any, str | None]:
        """The value, and where it came from when that is the file (for messages)."""
        if cli.get(name) is not None:
            return cli[name], None
        if env.get(env_name):
            return env[env_name], None
        if file is not None and file.sets("kiosk", name):
            return getattr(table, name), file.where("kiosk", name)
        return default, None

    broker_url = cli.get("broker") or env.get("KIOSK_BROKER_URL")
    if broker_url:
        broker = parse_broker_url(broker_url)
    else:
        broker = (broker_from_file(file) if file else None) or parse_broker_url(DEFAULT_BROKER)
    site, site_from = pick("site", "KIOSK_SITE", table.site)
    machine, machine_from = pick("machine", "KIOSK_MACHINE", table.machine or _default_machine())
    for label, value, source in (("site", site, site_from), ("machine", machine, machine_from)):
        if not NAME_RE.match(str(value)):
            raise ConfigError(
                (f"{source}: " if source else "")
                + f"{label} {value!r} is not valid: use 1-32 lower-case letters, digits or '-'"
            )
    data_dir, _ = pick("data_dir", "KIOSK_DATA_DIR", None)
    data_dir_path = Path(data_dir or default_data_dir()).expanduser()
    heartbeat, _ = pick("heartbeat_s", "KIOSK_HEARTBEAT_S", table.heartbeat_s)
    try:
        heartbeat_s = float(heartbeat)
    except ValueError:
        raise ConfigError(f"KIOSK_HEARTBEAT_S {heartbeat!r} is not a number of seconds") from None
    if not heartbeat_s > 0:
        raise ConfigError(f"KIOSK_HEARTBEAT_S {heartbeat!r} must be a number of seconds > 0")
    session = file.value.session if file is not None else SessionTable()
    try:
        policy = policy_from_config(session)
    except PolicyError as err:  # the schema checks the same rules: only if they drift apart
        raise ConfigError(f"{file.where('session') if file else 'config'}: {err}") from None
    tasks_dir: Path | None = None
    if table.tasks_dir is not None and file is not None:
        tasks_dir = Path(table.tasks_dir).expanduser()
        if not tasks_dir.is_absolute() and file.path is not None:
            tasks_dir = file.path.parent / tasks_dir
    lang, _ = pick("lang", "KIOSK_LANG", table.lang)
    pc_name = table.label
    if pc_name is not None:
        try:
            pc_name = pc_label(pc_name)
        except Rejected as err:  # the schema checks the length; this, printable characters too
            where = file.where("kiosk", "label") if file is not None else "label"
            raise ConfigError(f"{where}: {err.detail}") from None
    return KioskSettings(
        broker,
        str(site),
        str(machine),
        data_dir_path,
        resolve_language(str(lang)),
        heartbeat_s,
        policy,
        table.staff_pin_hash,
        tasks_dir,
        pc_name,
        file.value.printing if file is not None else PrintingTable(),
    )
