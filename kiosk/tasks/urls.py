"""Addresses in a task: allowlisted hosts, step URL patterns and packaged ``offline:`` pages.

A task may only send the browser to hosts it lists (``[domains]``), so every check here is
strict on purpose: https only, no user name in the address, no other port than 443.

``offline:phishing/nl/index.html`` names a page shipped with the kiosk: the loader resolves it
to an absolute ``file://`` URL (:func:`resolve_offline`) and, when the browser reports a
``file://`` address, :func:`to_offline` turns it back into the ``offline:`` form so that step
patterns never depend on where the kiosk is installed.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from kiosk.browser.file_url import url2pathname

OFFLINE_SCHEME = "offline:"
PACKAGED_OFFLINE = Path(__file__).with_name("offline")

# A host entry in [domains]: a full name (www.irisbox.brussels) or "*." + a domain, which
# allows every subdomain of it (not the domain itself).
HOST_RE = re.compile(r"^(\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# A step pattern must name its host literally, so that the loader can check it against the
# allowlist: ^https://accounts\.google\.com/...  (dots escaped, a slash after the host).
_PATTERN_HOST_RE = re.compile(r"^\^https://((?:[a-z0-9-]+\\\.)+[a-z0-9-]+)/")
_OFFLINE_PATH_RE = re.compile(r"^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$")


def host_allowed(host: str, allowed: frozenset[str]) -> bool:
    """True when ``host`` is listed, or is a subdomain of a ``*.domain`` entry."""
    host = host.lower().rstrip(".")
    if host in allowed:
        return True
    return any(entry.startswith("*.") and host.endswith(entry[1:]) for entry in allowed)


def https_host(url: str) -> str | None:
    """The host of a plain https URL, or None for anything a task may not open."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or not parts.hostname or parts.username is not None:
        return None
    if port not in (None, 443):
        return None
    return parts.hostname.lower().rstrip(".")


def pattern_host(pattern: str) -> str | None:
    """The literal host a step pattern starts with (``^https://host/``), unescaped."""
    found = _PATTERN_HOST_RE.match(pattern)
    return found.group(1).replace("\\.", ".") if found else None


def is_offline(url: str) -> bool:
    return url.startswith(OFFLINE_SCHEME)


def offline_path(url: str) -> str | None:
    """The relative path of an ``offline:`` URL, or None when it is unsafe or malformed."""
    if not is_offline(url):
        return None
    relative = url[len(OFFLINE_SCHEME) :]
    if not _OFFLINE_PATH_RE.match(relative) or ".." in PurePosixPath(relative).parts:
        return None
    return relative


def offline_file(url: str, root: Path) -> Path | None:
    """The file an ``offline:`` URL names under ``root`` (it may not exist)."""
    relative = offline_path(url)
    return None if relative is None else root.joinpath(*relative.split("/"))


def resolve_offline(url: str, root: Path) -> str:
    """An ``offline:`` URL as the absolute ``file://`` URL the browser loads; others unchanged."""
    path = offline_file(url, root)
    if path is None:
        if is_offline(url):
            raise ValueError(f"not a valid offline address: {url!r}")
        return url
    return path.resolve().as_uri()


def file_path(url: str) -> Path | None:
    """The local path of a ``file://`` URL, or None for any other URL."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    return Path(url2pathname(parts.path)).resolve()


def to_offline(url: str, root: Path) -> str | None:
    """``file:///…/offline/phishing/nl/sms.html`` → ``offline:phishing/nl/sms.html``.

    None when the URL is not a file inside ``root``.
    """
    path = file_path(url)
    if path is None:
        return None
    try:
        relative = path.relative_to(root.resolve())
    except ValueError:
        return None
    return OFFLINE_SCHEME + relative.as_posix()
