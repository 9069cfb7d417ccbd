"""Which addresses the kiosk's browser may open, without Qt.

An :class:`Allowlist` maps *site keys* (``irisbox``, ``mypension``…) to host patterns:

- ``irisbox.brussels`` allows exactly that host;
- ``*.irisbox.brussels`` allows every subdomain of it (not the domain itself; list both).

Rules, from strict to lenient (``kiosk/ui/browser.py`` applies them):

- :meth:`Allowlist.allows` — what a page itself may be (main frame: typed, link, redirect,
  popup opened in place): ``http``/``https`` on an allowlisted host, or a ``file:`` page
  inside a folder a task ships (:meth:`with_extra`). Never ``javascript:``, ``data:``, or any
  other file. The kiosk's own "not available" page is the one exception, and it is made in
  the Qt layer, not here.
- :meth:`Allowlist.allows_frame` — frames inside a page: the above, plus the ``[embedded]``
  hosts (captchas) and ``about:blank``/``about:srcdoc``.
- :meth:`Allowlist.allows_resource` — images, scripts, styles, fonts, XHR: any *public*
  http(s)/ws(s) host, because real sites load their CDNs; never the room's own network or the
  kiosk itself (loopback, private and link-local addresses, ``localhost``, one-word names,
  ``.local``…) unless allowlisted.

Ports are not part of a rule: a pattern names a host, and whoever runs that host runs all its
ports (real sites use 443; the tests use a free port on 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.browser.file_url import url2pathname
from kiosk.wire.protocol import KEY_RE

DEFAULT_FILE = Path(__file__).with_name("allowlist_default.toml")
PAGE_SCHEMES = frozenset({"http", "https"})
RESOURCE_SCHEMES = frozenset({"http", "https", "ws", "wss"})
# Content a page makes itself: no request leaves the machine.
INLINE_SCHEMES = frozenset({"data", "blob"})
FRAME_PLACEHOLDERS = frozenset({"about:blank", "about:srcdoc"})

# The protocol's key rule: a `site_opened` event carries nothing but this key.
_KEY_RE = KEY_RE
_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# Names that only make sense inside a building's network.
_LOCAL_SUFFIXES = (".localhost", ".local", ".lan", ".home", ".internal", ".intranet", ".arpa")


class AllowlistError(ValueError):
    """A broken allowlist file or pattern; the message names the file and the entry."""


def _ascii_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError as err:
        raise AllowlistError(f"{host!r} is not a valid host name") from err


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


@dataclass(frozen=True)
class HostPattern:
    """``host`` exactly, or (``wildcard``) any subdomain of ``host``."""

    host: str
    wildcard: bool = False

    @classmethod
    def parse(cls, text: str) -> HostPattern:
        wildcard = text.startswith("*.")
        host = _ascii_host(text[2:] if wildcard else text)
        if _ip(host) is not None:
            if wildcard:
                raise AllowlistError(f"{text!r}: an IP address cannot have a '*.' wildcard")
            return cls(str(_ip(host)))
        labels = host.split(".")
        if not host or not all(_LABEL_RE.match(label) for label in labels):
            raise AllowlistError(
                f"{text!r} is not a host name (no scheme, path, port or '*' inside)"
            )
        if wildcard and len(labels) < 2:
            raise AllowlistError(f"{text!r} is too broad: it would allow a whole top-level domain")
        return cls(host, wildcard)

    def matches(self, host: str) -> bool:
        if self.wildcard:
            return host.endswith("." + self.host)
        return host == self.host

    def __str__(self) -> str:
        return f"*.{self.host}" if self.wildcard else self.host


@dataclass(frozen=True)
class Site:
    """One web site a visitor may use: its key (all that events carry), name, start page."""

    key: str
    name: str
    home: str
    patterns: tuple[HostPattern, ...]

    def matches(self, host: str) -> HostPattern | None:
        return next((p for p in self.patterns if p.matches(host)), None)


def url_host(url: str) -> tuple[str, str] | None:
    """``(scheme, host)`` of a URL, lower case, host in ASCII form; None if it has no host."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if not host:
        return None
    try:
        return parts.scheme.lower(), _ascii_host(host)
    except AllowlistError:
        return None


def is_public_host(host: str) -> bool:
    """False for addresses inside the room or the kiosk itself (and names that resolve there).

    Only the literal host is checked: a public name whose DNS points inside is not caught.
    """
    address = _ip(host)
    if address is not None:
        return address.is_global and not address.is_multicast
    if host == "localhost" or "." not in host:
        return False
    return not host.endswith(_LOCAL_SUFFIXES)


def _file_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    return Path(url2pathname(parts.path)).resolve()


@dataclass(frozen=True)
class Allowlist:
    """Site keys → host patterns, plus the extras a running task brings. Immutable."""

    sites: tuple[Site, ...] = ()
    embedded: tuple[HostPattern, ...] = ()
    folders: tuple[Path, ...] = field(default=())

    # --- building -------------------------------------------------------------------------

    @classmethod
    def from_mapping(
        cls, sites: Mapping[str, Iterable[str]], embedded: Iterable[str] = ()
    ) -> Allowlist:
        """``{"irisbox": ["irisbox.brussels", "*.irisbox.brussels"]}``; names = keys."""
        built = (_site(key, key, None, list(hosts), f"sites.{key}") for key, hosts in sites.items())
        return cls(tuple(built), _patterns(embedded, "embedded"))

    @classmethod
    def load(cls, path: Path) -> Allowlist:
        """Read an allowlist TOML file (format: ``kiosk/browser/allowlist_default.toml``)."""
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except OSError as err:
            raise AllowlistError(f"cannot read allowlist {path}: {err.strerror}") from None
        except tomllib.TOMLDecodeError as err:
            raise AllowlistError(f"allowlist {path} is not valid TOML: {err}") from None
        try:
            return cls._from_data(data)
        except AllowlistError as err:
            raise AllowlistError(f"allowlist {path}: {err}") from None

    @classmethod
    def default(cls) -> Allowlist:
        """The sites shipped with the kiosk."""
        return cls.load(DEFAULT_FILE)

    @classmethod
    def _from_data(cls, data: dict[str, object]) -> Allowlist:
        unknown = set(data) - {"sites", "embedded"}
        if unknown:
            raise AllowlistError(f"unknown table(s) {sorted(unknown)}: only [sites] and [embedded]")
        table = data.get("sites")
        if not isinstance(table, dict) or not table:
            raise AllowlistError("[sites] must list at least one site")
        sites = []
        for key, value in table.items():
            where = f"sites.{key}"
            if isinstance(value, list):
                sites.append(_site(key, key, None, value, where))
            elif isinstance(value, dict):
                extra = set(value) - {"name", "home", "hosts"}
                if extra:
                    raise AllowlistError(f"{where}: unknown field(s) {sorted(extra)}")
                name, home = value.get("name", key), value.get("home")
                if not isinstance(name, str) or not (home is None or isinstance(home, str)):
                    raise AllowlistError(f"{where}: name and home must be texts")
                sites.append(_site(key, name, home, value.get("hosts"), where))
            else:
                raise AllowlistError(f'{where}: expected a list of hosts or a table with "hosts"')
        embedded = data.get("embedded", {})
        if not isinstance(embedded, dict) or set(embedded) - {"hosts"}:
            raise AllowlistError('[embedded] must be a table with one field, "hosts"')
        return cls(tuple(sites), _patterns(embedded.get("hosts", []), "embedded.hosts"))

    def with_extra(
        self, sites: Mapping[str, Iterable[str]] | None = None, folders: Iterable[Path] = ()
    ) -> Allowlist:
        """This list plus a task's domains (new keys, or more hosts for a key) and folders.

        For a task: ``with_extra({d.key: d.hosts for d in task.domains},
        task.offline_folders())``. The result is a new list; the original stays as it was.
        """
        merged = {site.key: site for site in self.sites}
        for key, hosts in (sites or {}).items():
            added = _site(key, key, None, list(hosts), f"extra.{key}")
            old = merged.get(key)
            if old is not None:
                added = replace(old, patterns=_unique(old.patterns + added.patterns))
            merged[key] = added
        more = tuple(Path(folder).resolve() for folder in folders)
        return replace(self, sites=tuple(merged.values()), folders=self.folders + more)

    def restricted_to(self, keys: Iterable[str]) -> Allowlist:
        """Only these sites (a task that should not wander); unknown keys are an error."""
        wanted = set(keys)
        missing = wanted - set(self.site_keys())
        if missing:
            raise AllowlistError(f"unknown site key(s) {sorted(missing)}")
        return replace(self, sites=tuple(site for site in self.sites if site.key in wanted))

    # --- asking ---------------------------------------------------------------------------

    def site_keys(self) -> tuple[str, ...]:
        return tuple(site.key for site in self.sites)

    def site(self, key: str) -> Site | None:
        return next((site for site in self.sites if site.key == key), None)

    def key_for(self, url: str) -> str | None:
        """The key of the site an http(s) URL belongs to, or None.

        When several sites match, an exact host wins over a wildcard, and a longer wildcard
        over a shorter one (``accounts.google.com`` before ``*.google.com``).
        """
        found = url_host(url)
        if found is None or found[0] not in PAGE_SCHEMES:
            return None
        host = found[1]
        best: tuple[int, str] | None = None
        for site in self.sites:
            for pattern in site.patterns:
                if pattern.matches(host):
                    rank = 1000 if not pattern.wildcard else len(pattern.host)
                    if best is None or rank > best[0]:
                        best = (rank, site.key)
        return best[1] if best else None

    def allows_folder_file(self, url: str) -> bool:
        """A ``file:`` URL inside one of the task folders (symlinks and ``..`` resolved)."""
        path = _file_path(url)
        return path is not None and any(path.is_relative_to(folder) for folder in self.folders)

    def allows(self, url: str) -> bool:
        """May a page (main frame) show this address?"""
        if self.key_for(url) is not None:
            return True
        return self.allows_folder_file(url)

    def allows_frame(self, url: str) -> bool:
        """May a frame inside a page show this address?"""
        if url in FRAME_PLACEHOLDERS or self.allows(url):
            return True
        found = url_host(url)
        return (
            found is not None
            and found[0] in PAGE_SCHEMES
            and any(pattern.matches(found[1]) for pattern in self.embedded)
        )

    def allows_resource(self, url: str) -> bool:
        """May a page load this image, script, style, font or data?"""
        scheme = urlsplit(url).scheme.lower()
        if scheme in INLINE_SCHEMES:
            return True
        if scheme == "file":
            return self.allows_folder_file(url)
        found = url_host(url)
        if found is None or found[0] not in RESOURCE_SCHEMES:
            return False
        host = found[1]
        if is_public_host(host):
            return True
        return any(site.matches(host) for site in self.sites)


def _patterns(values: object, where: str) -> tuple[HostPattern, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise AllowlistError(f"{where}: expected a list of hosts")
    patterns = []
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise AllowlistError(f"{where}[{index}]: expected a host name, got {value!r}")
        try:
            patterns.append(HostPattern.parse(value))
        except AllowlistError as err:
            raise AllowlistError(f"{where}[{index}]: {err}") from None
    return _unique(tuple(patterns))


def _unique(patterns: tuple[HostPattern, ...]) -> tuple[HostPattern, ...]:
    return tuple(dict.fromkeys(patterns))


def _site(key: str, name: str, home: str | None, hosts: object, where: str) -> Site:
    if not _KEY_RE.match(key):
        raise AllowlistError(f"{where}: the key must be lower-case letters, digits, - or _")
    patterns = _patterns(hosts, f"{where}.hosts" if isinstance(hosts, list) else where)
    if not patterns:
        raise AllowlistError(f"{where}: lists no host")
    if home is None:
        exact = next((p for p in patterns if not p.wildcard), None)
        home = f"https://{exact.host}/" if exact else ""
    elif home:
        found = url_host(home)
        if (
            found is None
            or found[0] not in PAGE_SCHEMES
            or not any(p.matches(found[1]) for p in patterns)
        ):
            raise AllowlistError(f"{where}.home: {home!r} is not an http(s) address of its hosts")
    return Site(key, name, home, patterns)
