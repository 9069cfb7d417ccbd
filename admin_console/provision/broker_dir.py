"""``admin-console provision``: a central broker directory and one credential per client (no Qt).

A directory made by ``init`` holds everything the central Mosquitto needs and the registry from
which its password and ACL files are regenerated on every change::

    DIR/mosquitto.conf          mosquitto -c DIR/mosquitto.conf      (0644)
    DIR/ca.crt, DIR/ca.key      the private CA                        (0644, key 0600)
    DIR/server.crt, server.key  the broker's TLS certificate          (0644, key 0600)
    DIR/passwd, DIR/acl         regenerated from registry.json        (0600)
    DIR/registry.json           usernames, roles, password hashes     (0600)
    DIR/aggregator.toml         client configs with a password        (0600, folders 0700)
    DIR/kiosks/S/M.toml, DIR/buddies/S/N.toml, DIR/admins/N.toml, DIR/bridges/S.conf
    DIR/data/, DIR/conf.d/      persistence, local broker settings

No function here prints or logs a password; the client config files are the only place one is
written in clear.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import shutil
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from admin_console.provision.files import (
    PRIVATE_DIR_MODE,
    PUBLIC_DIR_MODE,
    PUBLIC_MODE,
    SECRET_MODE,
    ProvisionError,
    account_ids,
    locked,
    make_dir,
    read_json,
    running_as_root,
    toml_string,
    unreachable_parent,
    write_file,
)
from admin_console.provision.mosquitto import (
    Account,
    BrokerLayout,
    hash_password,
    new_password,
    render_acl,
    render_conf,
    render_passwd,
    with_queue_keepers,
)
from kiosk.wire.protocol import MAX_LABEL, NAME_RE, Rejected, bridge_state_topic, pc_label

REGISTRY_FORMAT = 1
DEFAULT_PORT = 8883
# Two years and a bit: renewed with `provision server-cert`, long before clients notice.
SERVER_DAYS = 825
_FOLDERS = {
    "kiosk": "kiosks",
    "buddy": "buddies",
    "phone": "phones",
    "admin": "admins",
    "bridge": "bridges",
    "aggregator": "aggregators",
}
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SEPARATORS = re.compile(r"[\s._-]+")


# --- names ----------------------------------------------------------------------------------


def check_name(label: str, value: str) -> str:
    """A site or machine exactly as the wire contract spells it (it is part of every topic)."""
    if not NAME_RE.match(value):
        raise ProvisionError(
            f"{label} {value!r} is not valid: use 1-32 lower-case letters, digits or '-', "
            "starting with a letter or digit"
        )
    return value


def person_id(label: str, text: str) -> str:
    """A person's name as typed ("Sara", "Jan De Smet", "Zoë") → a safe id ("jan-de-smet")."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch not in "'’")
    if not kept or not all(ch.isascii() and (ch.isalnum() or ch in " ._-") for ch in kept):
        raise ProvisionError(
            f"{label} {text!r} is not valid: use letters a-z, digits, spaces or '-' "
            "(it becomes an id such as 'jan-de-smet')"
        )
    ident = _SEPARATORS.sub("-", kept.lower()).strip("-")
    if not NAME_RE.match(ident):
        raise ProvisionError(
            f"{label} {text!r} is not valid: it must give an id of 1-32 letters, digits or '-' "
            f"(got {ident!r})"
        )
    return ident


def check_host(host: str) -> str:
    """The broker's address as clients will dial it: an IP address or a DNS name."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    name = host.lower().rstrip(".")
    if not name or len(name) > 253 or not all(_HOST_LABEL.match(p) for p in name.split(".")):
        raise ProvisionError(
            f"host {host!r} is not valid: give the DNS name or IP address clients will use"
        )
    return name


def check_port(port: int) -> int:
    if not 1 <= port <= 65535:
        raise ProvisionError(f"port {port} is not valid: use 1-65535")
    return port


def username_for(role: str, site: str | None = None, ident: str | None = None) -> str:
    """Dots separate the parts: sites, machines and person ids never contain one.

    Mosquitto reads ``user:hash`` in the password file (so no ':'), and ``+``, ``#`` or ``/``
    in a username would be treated as topic syntax by pattern ACLs; these names use none.
    """
    if role == "kiosk":
        return f"kiosk.{site}.{ident}"
    if role == "buddy":
        return f"buddy.{site}.{ident}"
    if role == "phone":  # a buddy's phone desk (admin_console/provision/phone.py)
        return f"phone.{site}.{ident}"
    if role == "admin":
        return f"admin.{ident}"
    if role == "bridge":
        return f"bridge.{site}"
    # The first aggregator is plain "aggregator"; more (a shared subscription group) get a name,
    # as the broker allows one connection per credential (use_username_as_clientid).
    return f"aggregator.{ident}" if ident else "aggregator"


# --- the registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One credential in registry.json (a password hash, never the password)."""

    username: str
    role: str
    password_hash: str
    issued: str
    site: str | None = None
    machine: str | None = None
    name: str | None = None  # a buddy's, admin's or extra aggregator's id
    display: str | None = None  # the name as the person gave it
    config: str | None = None  # the client file, relative to the directory

    def account(self) -> Account:
        return Account(self.username, self.role, self.password_hash, self.site, self.machine)

    def describe(self) -> str:
        where = {
            "kiosk": f"{self.site}/{self.machine}",
            "buddy": f"{self.site}/{self.name}",
            "phone": f"{self.site}/{self.name}",
            "admin": f"{self.name}",
            "bridge": f"{self.site}",
            "aggregator": self.name or "",
        }.get(self.role, "")
        return f"{self.role} {where}".strip()


@dataclass
class Registry:
    host: str
    port: int
    bind: str | None = None
    broker_user: str | None = None
    entries: dict[str, Entry] = field(default_factory=dict)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"mqtts://{host}:{self.port}"

    def to_json(self) -> dict[str, object]:
        return {
            "format": REGISTRY_FORMAT,
            "host": self.host,
            "port": self.port,
            "bind": self.bind,
            "broker_user": self.broker_user,
            "accounts": [
                {k: v for k, v in asdict(e).items() if v is not None}
                for _, e in sorted(self.entries.items())
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, object], path: Path) -> Registry:
        host, port, accounts = data.get("host"), data.get("port"), data.get("accounts")
        bind, user = data.get("bind"), data.get("broker_user")
        try:
            if data.get("format") != REGISTRY_FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
            if not (isinstance(host, str) and isinstance(port, int) and isinstance(accounts, list)):
                raise ValueError("host, port or accounts missing")
            if not all(v is None or isinstance(v, str) for v in (bind, user)):
                raise ValueError("bind or broker_user is not text")
            entries = {str(a["username"]): Entry(**a) for a in accounts}
        except (KeyError, TypeError, ValueError) as err:
            raise ProvisionError(f"{path} is damaged or of another version: {err}") from None
        return cls(
            host,
            port,
            bind if isinstance(bind, str) else None,
            user if isinstance(user, str) else None,
            entries,
        )


class BrokerDir:
    """A central broker directory: paths, registry, and regenerating the broker's files."""

    def __init__(self, directory: Path) -> None:
        self.path = directory.expanduser().absolute()

    @property
    def registry_path(self) -> Path:
        return self.path / "registry.json"

    @property
    def ca_cert(self) -> Path:
        return self.path / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.path / "ca.key"

    @property
    def conf(self) -> Path:
        return self.path / "mosquitto.conf"

    @property
    def aggregator_config(self) -> Path:
        return self.path / "aggregator.toml"

    def layout(self, registry: Registry) -> BrokerLayout:
        run_as = registry.broker_user if running_as_root() else None
        return BrokerLayout(self.path, registry.port, registry.bind, run_as)

    def load(self) -> Registry:
        return Registry.from_json(read_json(self.registry_path), self.registry_path)

    def broker_owner(self, registry: Registry) -> tuple[int, int] | None:
        """Who must own the files the broker reads: its account, when we are root."""
        user = registry.broker_user
        if not running_as_root() or user is None or user == "root":
            return None
        ids = account_ids(user)
        if ids is None:
            raise ProvisionError(f"the broker account {user!r} does not exist on this machine")
        return ids

    def save(self, registry: Registry) -> None:
        """Write the registry, then the password and ACL files the broker re-reads on SIGHUP."""
        owner = self.broker_owner(registry)
        write_file(
            self.registry_path,
            json.dumps(registry.to_json(), indent=1) + "\n",
            SECRET_MODE,
        )
        accounts = with_queue_keepers(e.account() for _, e in sorted(registry.entries.items()))
        layout = self.layout(registry)
        write_file(layout.passwd, render_passwd(accounts), SECRET_MODE, owner)
        write_file(layout.acl, render_acl(accounts), SECRET_MODE, owner)

    def write_conf(self, registry: Registry) -> None:
        owner = self.broker_owner(registry)
        layout = self.layout(registry)
        make_dir(layout.data, PRIVATE_DIR_MODE, owner)
        make_dir(layout.conf_d, PUBLIC_DIR_MODE)
        write_file(self.conf, render_conf(layout), PUBLIC_MODE)

    def ca_reference(self, client_file: Path, ca_path: str | None) -> str:
        """How a client file names the CA: as given, or relative to itself ("../../ca.crt")."""
        if ca_path:
            return ca_path
        return os.path.relpath(self.ca_cert, client_file.parent)


# --- client files ---------------------------------------------------------------------------


def client_toml(
    comment: str, url: str, username: str, password: str, ca_file: str, extra: str = ""
) -> str:
    return (
        f"# {comment}\n"
        "# Written by `admin-console provision`. It holds a password: keep it mode 0600, readable\n"
        "# only by the account that runs the client. A relative ca_file is relative to this file.\n"
        "[broker]\n"
        f"url = {toml_string(url)}\n"
        f"username = {toml_string(username)}\n"
        f"password = {toml_string(password)}\n"
        f"ca_file = {toml_string(ca_file)}\n" + extra
    )


def bridge_conf(registry: Registry, site: str, username: str, password: str, ca: str) -> str:
    """A ready ``connection`` block for the site broker (see broker_config/bridge-site.conf)."""
    topics = (
        "\n".join(
            f"topic kiosk/v1/{site}/+/{channel} {direction} 1"
            for channel, direction in (
                ("events", "out"),
                ("status", "out"),
                ("help", "out"),
                ("cmd/ack", "out"),
                ("cmd", "in"),
                ("help/reply", "both"),
            )
        )
        + "\n"
        + "\n".join(
            f"topic kiosk/v1/{site}/_site/{channel} {direction} 1"
            for channel, direction in (("checkin", "both"), ("queue", "in"), ("duty", "in"))
        )
    )
    host = f"[{registry.host}]" if ":" in registry.host else registry.host
    return f"""\
# Bridge from the site broker of {site!r} to the central broker {registry.url}.
# Written by `admin-console provision bridge`; it holds a password: keep it mode 0600.
# Put it into the site broker's conf.d; see broker_config/bridge-site.conf for every choice.
connection central-{site}
address {host}:{registry.port}
bridge_cafile {ca}
bridge_insecure false
bridge_tls_version tlsv1.2
bridge_protocol_version mqttv311
remote_username {username}
remote_password {password}
remote_clientid {username}
try_private true
cleansession false
local_cleansession false
# The bridge's state, "1" up and "0" down, retained, at both ends; the central broker sends the
# "0" as the bridge's will when the line dies (after 1.5 keepalives at most). The console's
# fleet view reads it and raises an alert when a site stays cut off (docs/broker.md).
notifications true
notification_topic {bridge_state_topic(site)}
restart_timeout 2 60
keepalive_interval 60
{topics}
"""


# --- operations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    """What an operation made, for the command's output (no secrets)."""

    username: str
    path: Path
    rotated: bool = False


@dataclass(frozen=True)
class InitResult:
    directory: Path
    conf: Path
    ca_cert: Path
    server_names: list[str]
    server_expires: datetime
    aggregator: Path
    broker_user: str | None
    warnings: list[str]
    voided: int = 0


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def default_broker_user() -> str | None:
    """As root: Mosquitto's own account if it exists (Mosquitto's default); else nobody to own."""
    if running_as_root() and account_ids("mosquitto") is not None:
        return "mosquitto"
    return None


def init(
    directory: Path,
    host: str,
    port: int = DEFAULT_PORT,
    *,
    bind: str | None = None,
    broker_user: str | None = None,
    force: bool = False,
    server_days: int = SERVER_DAYS,
) -> InitResult:
    """Make a central broker directory that ``mosquitto -c DIR/mosquitto.conf`` starts as is."""
    from admin_console.provision import pki  # cryptography: only when it is needed

    host, port = check_host(host), check_port(port)
    if bind is not None:
        try:
            bind = str(ipaddress.ip_address(bind))
        except ValueError:
            raise ProvisionError(f"bind address {bind!r} is not an IP address") from None
    broker = BrokerDir(directory)
    existing = [p for p in (broker.ca_cert, broker.ca_key, broker.registry_path) if p.exists()]
    if existing and not force:
        raise ProvisionError(
            f"{broker.path} already holds a broker ({existing[0].name}); "
            "use --force to replace its CA and void every credential in it"
        )
    if broker_user is None:
        broker_user = default_broker_user()
    elif running_as_root() and broker_user != "root" and account_ids(broker_user) is None:
        raise ProvisionError(f"broker user {broker_user!r} does not exist on this machine")
    if not broker.path.exists():
        make_dir(broker.path, PUBLIC_DIR_MODE)  # the broker's account must be able to enter
    with locked(broker.path):
        voided = 0
        if existing:
            voided = _void_clients(broker)
        registry = Registry(host, port, bind, broker_user)
        owner = broker.broker_owner(registry)
        ca = pki.make_ca(f"kiosk-suite broker CA ({host})")
        server = pki.make_server_cert(ca, host, server_days)
        write_file(broker.ca_key, ca.key_pem, SECRET_MODE)
        write_file(broker.ca_cert, ca.cert_pem, PUBLIC_MODE)
        layout = broker.layout(registry)
        write_file(layout.server_key, server.key_pem, SECRET_MODE, owner)
        write_file(layout.server_cert, server.cert_pem, PUBLIC_MODE)
        aggregator = _issue(broker, registry, "aggregator", rotate=False, ca_path=None)
        broker.write_conf(registry)
    names, expires = pki.cert_summary(server.cert_pem)
    warnings = []
    if owner is not None:
        blocked = unreachable_parent(broker.path, *owner)
        if blocked is not None:
            warnings.append(
                f"the broker account {broker_user!r} cannot enter {blocked}: move the directory "
                "(e.g. under /etc/mosquitto) or run `init --broker-user root` (not recommended)"
            )
    return InitResult(
        broker.path,
        broker.conf,
        broker.ca_cert,
        names,
        expires,
        aggregator.path,
        layout.run_as,
        warnings,
        voided,
    )


def _void_clients(broker: BrokerDir) -> int:
    """``init --force``: the old CA's client files go; conf.d and data stay."""
    count = 0
    with contextlib.suppress(ProvisionError):  # a damaged registry is replaced all the same
        count = len(broker.load().entries)
    for folder in _FOLDERS.values():
        shutil.rmtree(broker.path / folder, ignore_errors=True)
    broker.aggregator_config.unlink(missing_ok=True)
    return count


def _client_path(broker: BrokerDir, role: str, site: str | None, ident: str | None) -> Path:
    if role == "aggregator":
        return broker.path / "aggregators" / f"{ident}.toml" if ident else broker.aggregator_config
    if role == "bridge":
        return broker.path / "bridges" / f"{site}.conf"
    if role == "admin":
        return broker.path / "admins" / f"{ident}.toml"
    return broker.path / _FOLDERS[role] / str(site) / f"{ident}.toml"


def _issue(
    broker: BrokerDir,
    registry: Registry,
    role: str,
    *,
    rotate: bool,
    ca_path: str | None,
    site: str | None = None,
    ident: str | None = None,
    display: str | None = None,
    label: str | None = None,
) -> Issued:
    """Add (or with ``rotate`` re-key) one credential and write its client file."""
    username = username_for(role, site, ident)
    old = registry.entries.get(username)
    if old is not None and not rotate:
        raise ProvisionError(
            f"{old.describe()} already has a credential ({username}); "
            "use --rotate to replace its password"
        )
    if old is None and rotate:
        raise ProvisionError(f"there is no credential {username} to rotate")
    path = _client_path(broker, role, site, ident)
    password = new_password()
    entry = Entry(
        username=username,
        role=role,
        password_hash=hash_password(password),
        issued=_now(),
        site=site,
        machine=ident if role == "kiosk" else None,
        name=ident if role in ("buddy", "admin", "aggregator") else None,
        display=display,
        config=path.relative_to(broker.path).as_posix(),
    )
    ca = broker.ca_reference(path, ca_path)
    if role == "bridge":
        text = bridge_conf(registry, str(site), username, password, ca_path or str(broker.ca_cert))
    else:
        extra = ""
        if role == "kiosk":
            if label is None and old is not None:
                label = _kiosk_label(path)  # a re-key keeps the PC's label
            extra = (
                f"\n[kiosk]\nsite = {toml_string(str(site))}\nmachine = {toml_string(str(ident))}\n"
            )
            if label is not None:
                extra += f"label = {toml_string(label)}\n"  # "PC 3 — bij het raam"

        elif role == "buddy":
            extra = (
                f"\n[buddy]\nsite = {toml_string(str(site))}\n"
                f"name = {toml_string(display or str(ident))}\n"
            )
        elif role == "aggregator":
            extra = '\n# [database]\n# url = "postgresql+psycopg://user@host/kiosk"\n'
        text = client_toml(entry.describe(), registry.url, username, password, ca, extra)
    current = broker.path
    for part in path.parent.relative_to(broker.path).parts:  # kiosks/, kiosks/S/: 0700
        current = current / part
        make_dir(current, PRIVATE_DIR_MODE)
    write_file(path, text, SECRET_MODE)
    registry.entries[username] = entry
    broker.save(registry)
    return Issued(username, path, rotated=old is not None)


def _kiosk_label(path: Path) -> str | None:
    """The label of an existing kiosk file, if it has a valid one."""
    import tomllib

    try:
        value = tomllib.loads(path.read_text(encoding="utf-8")).get("kiosk", {}).get("label")
        return pc_label(value) if value is not None else None
    except (OSError, tomllib.TOMLDecodeError, Rejected, AttributeError):
        return None


def check_label(label: str) -> str:
    """A PC's label as people in the room say it: 1 to 60 printable characters."""
    try:
        return pc_label(label)
    except Rejected:
        raise ProvisionError(
            f"--label {label!r}: a PC's label is 1 to {MAX_LABEL} printable characters, "
            'like "PC 3 — bij het raam" (no line breaks or tabs)'
        ) from None


def add(
    directory: Path,
    role: str,
    *,
    site: str | None = None,
    name: str | None = None,
    rotate: bool = False,
    ca_path: str | None = None,
    label: str | None = None,
) -> Issued:
    """Issue a kiosk, buddy, admin, bridge or extra aggregator credential (or re-key one).
    ``label``: a kiosk's name in the room, written as ``[kiosk] label``."""
    display: str | None = None
    if label is not None:
        if role != "kiosk":
            raise ProvisionError("--label goes with a kiosk only")
        label = check_label(label)
    ident: str | None = None
    if role in ("kiosk", "buddy", "bridge"):
        site = check_name("site", site or "")
    if role == "kiosk":
        ident = check_name("machine", name or "")
    elif role in ("buddy", "admin"):
        ident = person_id(f"{role} name", name or "")
        display = (name or "").strip()
    elif role == "aggregator":
        ident = check_name("aggregator name", name) if name else None
    elif role != "bridge":
        raise ProvisionError(f"unknown role {role!r}")
    broker = BrokerDir(directory)
    with locked(_existing(broker)):
        registry = broker.load()
        return _issue(
            broker,
            registry,
            role,
            rotate=rotate,
            ca_path=ca_path,
            site=site,
            ident=ident,
            display=display,
            label=label,
        )


def _existing(broker: BrokerDir) -> Path:
    if not broker.registry_path.exists():
        raise ProvisionError(
            f"{broker.path} is not a broker directory (no registry.json): run `provision init`"
        )
    return broker.path


def revoke(directory: Path, role: str, target: str) -> Entry:
    """Remove a credential: from the password and ACL files, and its client file."""
    if role == "kiosk":
        site, _, machine = target.partition("/")
        username = username_for(role, check_name("site", site), check_name("machine", machine))
    elif role in ("buddy", "phone"):
        site, _, name = target.partition("/")
        username = username_for(role, check_name("site", site), person_id("buddy name", name))
    elif role == "admin":
        username = username_for(role, None, person_id("admin name", target))
    elif role == "bridge":
        username = username_for(role, check_name("site", target))
    elif role == "aggregator":
        username = username_for(role, None, check_name("aggregator name", target))
    else:
        raise ProvisionError(f"cannot revoke a {role} credential")
    broker = BrokerDir(directory)
    with locked(_existing(broker)):
        registry = broker.load()
        entry = registry.entries.pop(username, None)
        if entry is None:
            raise ProvisionError(f"there is no credential {username} in {broker.path}")
        broker.save(registry)
        if entry.config:
            (broker.path / entry.config).unlink(missing_ok=True)
    return entry


def refresh(directory: Path) -> Path:
    """Rewrite mosquitto.conf, passwd and acl from the registry (after moving the directory)."""
    broker = BrokerDir(directory)
    with locked(_existing(broker)):
        registry = broker.load()
        broker.write_conf(registry)
        broker.save(registry)
        owner = broker.broker_owner(registry)
        if owner is not None:  # the key may come from another machine's root
            key = broker.layout(registry).server_key
            write_file(key, key.read_bytes(), SECRET_MODE, owner)
    return broker.conf


def renew_server_cert(directory: Path, days: int = SERVER_DAYS) -> tuple[list[str], datetime]:
    """A new server certificate and key from the same CA; clients need nothing new."""
    from admin_console.provision import pki

    broker = BrokerDir(directory)
    with locked(_existing(broker)):
        registry = broker.load()
        try:
            ca = pki.Issued(broker.ca_cert.read_bytes(), broker.ca_key.read_bytes())
        except OSError as err:
            raise ProvisionError(
                f"cannot read the CA ({err.filename}): it is needed to sign a new certificate"
            ) from None
        server = pki.make_server_cert(ca, registry.host, days)
        layout = broker.layout(registry)
        write_file(layout.server_key, server.key_pem, SECRET_MODE, broker.broker_owner(registry))
        write_file(layout.server_cert, server.cert_pem, PUBLIC_MODE)
    return pki.cert_summary(server.cert_pem)


def accounts(directory: Path) -> list[Entry]:
    broker = BrokerDir(directory)
    return [e for _, e in sorted(broker.load().entries.items())]
