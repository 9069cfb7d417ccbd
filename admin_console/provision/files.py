"""Writing provisioning files safely: atomic replace, exact modes, owner for the broker (no Qt)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.wire.broker import ConfigError

SECRET_MODE = 0o600
PUBLIC_MODE = 0o644
PRIVATE_DIR_MODE = 0o700
PUBLIC_DIR_MODE = 0o755


class ProvisionError(ConfigError):
    """Provisioning cannot go on; the message (one line, never a secret) says why."""


def write_file(
    path: Path, data: str | bytes, mode: int, owner: tuple[int, int] | None = None
) -> None:
    """Replace ``path`` atomically with exactly ``mode`` (whatever the umask) and ``owner``.

    The broker re-reads its files on SIGHUP: an atomic replace means it sees the old file or
    the new one, never half of one. The temporary file is created with the final mode, so a
    secret is never readable by others, not even for a moment.
    """
    raw = data.encode() if isinstance(data, str) else data
    temp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            os.fchmod(fd, mode)
            if owner is not None:
                os.fchown(fd, *owner)
            os.write(fd, raw)
            os.fsync(fd)
        finally:
            os.close(fd)
        temp.replace(path)
    except OSError as err:
        temp.unlink(missing_ok=True)
        raise ProvisionError(f"cannot write {path}: {err.strerror}") from None


def make_dir(path: Path, mode: int, owner: tuple[int, int] | None = None) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(mode)
        if owner is not None:
            os.chown(path, *owner)
    except OSError as err:
        raise ProvisionError(f"cannot create {path}: {err.strerror}") from None


def read_json(path: Path) -> dict[str, object]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProvisionError(
            f"{path.parent} is not a broker directory (no {path.name}): run `provision init` first"
        ) from None
    except (OSError, ValueError) as err:
        raise ProvisionError(f"cannot read {path}: {err}") from None
    if not isinstance(loaded, dict):
        raise ProvisionError(f"{path} is not a provisioning registry")
    return loaded


def account_ids(user: str) -> tuple[int, int] | None:
    """uid and primary gid of a system account, or None where there is no such account."""
    if sys.platform == "win32":
        return None
    import pwd

    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def running_as_root() -> bool:
    return sys.platform != "win32" and os.geteuid() == 0


def unreachable_parent(path: Path, uid: int, gid: int) -> Path | None:
    """The first folder on the way to ``path`` (itself included) that the account cannot enter."""
    resolved = path.resolve()
    for parent in [*reversed(resolved.parents), resolved]:
        try:
            info = parent.stat()
        except OSError:
            return parent
        if info.st_uid == uid:
            needed = 0o100
        elif info.st_gid == gid:
            needed = 0o010
        else:
            needed = 0o001
        if not info.st_mode & needed:
            return parent
    return None


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """One provisioning command at a time per directory (two admins, one registry)."""
    if sys.platform == "win32":
        yield
        return
    import fcntl

    lock_path = directory / ".provision.lock"
    try:
        fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT, SECRET_MODE)
    except OSError as err:
        raise ProvisionError(f"cannot lock {directory}: {err.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are a subset of TOML's)."""
    return json.dumps(value, ensure_ascii=False)
