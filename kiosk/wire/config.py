"""Reading a config file against its schema, without Qt: one loader for every TOML file.

A schema is a :class:`msgspec.Struct` per table (``kiosk/wire/config_schema.py``): its fields
are the keys, their types and ``msgspec.Meta`` the values allowed, ``Meta.description`` what a
key means, and ``Meta.extra["allowed"]`` how a person reads the rule. :func:`read_config`
reads a file and returns it checked, or raises :class:`ConfigError` with the file, the line,
the key and what is allowed::

    kiosk.toml line 7: unknown key "idle_timout_s" in [session]; did you mean "idle_timeout_s"?
    kiosk.toml line 7: [session] idle_timeout_s 0 is not valid: must be a number of seconds > 0

``tomllib`` keeps no line numbers: :func:`key_lines` finds them in the text (tables, dotted
keys; a key inside an inline table is shown at the line of that table). A schema's
``__post_init__`` may raise :class:`ValueProblem` for rules across keys; it is located the same
way. The same schema makes the reference, docs/configuration.md (``kiosk.wire.config_doc``).
"""

from __future__ import annotations

import re
import tomllib
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar, Union, get_args, get_origin

import msgspec


class ConfigError(ValueError):
    """A broker URL or config file that cannot be used; the message says why."""


class ValueProblem(ValueError):
    """A schema's rule across keys failed (raised in a Struct's ``__post_init__``): ``keys``
    are relative to the table that raised it."""

    def __init__(self, keys: str | tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.keys = (keys,) if isinstance(keys, str) else keys


S = TypeVar("S", bound=msgspec.Struct)
Keys = tuple[str, ...]


def load_toml(path: Path) -> dict[str, Any]:
    """The file as TOML, unchecked (see :func:`read_config` for a checked one)."""
    return _parse(_read(path), path)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot read config {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config {path} is not valid TOML: not UTF-8 text") from None


def _parse(text: str, path: Path | None) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        where = f"config {path}" if path is not None else "config"
        raise ConfigError(f"{where} is not valid TOML: {err}") from None


# --- where a key is written -----------------------------------------------------------------

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def _read_key(line: str, at: int) -> tuple[Keys, int] | None:
    """A (dotted) key starting at ``at``: its parts and the index after it, or None."""
    parts: list[str] = []
    i = at
    while True:
        while i < len(line) and line[i] in " \t":
            i += 1
        if i >= len(line):
            return None
        if line[i] in "\"'":
            quote, i, part = line[i], i + 1, []
            while i < len(line) and line[i] != quote:
                if quote == '"' and line[i] == "\\" and i + 1 < len(line):
                    part.append(_ESCAPES.get(line[i + 1], line[i + 1]))
                    i += 2
                    continue
                part.append(line[i])
                i += 1
            if i >= len(line):
                return None
            parts.append("".join(part))
            i += 1
        else:
            match = _BARE.match(line, i)
            if match is None:
                return None
            parts.append(match.group())
            i = match.end()
        while i < len(line) and line[i] in " \t":
            i += 1
        if i < len(line) and line[i] == ".":
            i += 1
            continue
        return tuple(parts), i


def key_lines(text: str) -> dict[Keys, int]:
    """The line (from 1) where each table and key is first written: ``("session",)`` for
    ``[session]``, ``("session", "idle_timeout_s")`` for a key in it; dotted keys and the
    tables they imply too. Multi-line strings and arrays are skipped."""
    found: dict[Keys, int] = {}
    table: Keys = ()
    depth = 0  # open brackets and braces of a value that goes on over several lines
    closing: str | None = None  # the quotes that end a multi-line string we are in
    for number, line in enumerate(text.splitlines(), 1):
        i = 0
        if closing is not None:
            end = line.find(closing)
            if end < 0:
                continue
            i, closing = end + 3, None
        elif depth == 0:
            stripped = len(line) - len(line.lstrip())
            if line.startswith("[", stripped):
                is_array = line.startswith("[[", stripped)
                read = _read_key(line, stripped + (2 if is_array else 1))
                if read is not None:
                    table = read[0]
                    for n in range(1, len(table) + 1):
                        found.setdefault(table[:n], number)
                continue
            read = _read_key(line, stripped)
            if read is None or read[1] >= len(line) or line[read[1]] != "=":
                continue
            keys = table + read[0]
            for n in range(len(table) + 1, len(keys) + 1):
                found.setdefault(keys[:n], number)
            i = read[1] + 1
        depth, closing = _scan_value(line, i, depth)
    return found


def _scan_value(line: str, i: int, depth: int) -> tuple[int, str | None]:
    """Follow a value to the end of the line: bracket depth and an unclosed multi-line string."""
    while i < len(line):
        char = line[i]
        if char == "#":
            break
        if char in "\"'":
            if line.startswith(char * 3, i):
                end = line.find(char * 3, i + 3)
                if end < 0:
                    return depth, char * 3
                i = end + 3
                continue
            i += 1
            while i < len(line) and line[i] != char:
                i += 2 if char == '"' and line[i] == "\\" else 1
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(0, depth - 1)
        i += 1
    return depth, None


# --- the schema, looked at --------------------------------------------------------------------


def unwrap(kind: Any) -> tuple[Any, list[msgspec.Meta]]:
    """A field's type without ``Annotated`` and ``None``, and its Meta."""
    metas: list[msgspec.Meta] = []
    while True:
        if get_origin(kind) is Annotated:
            kind, *extra = get_args(kind)
            metas.extend(m for m in extra if isinstance(m, msgspec.Meta))
            continue
        if get_origin(kind) in (Union, types.UnionType):
            rest = [arg for arg in get_args(kind) if arg is not type(None)]
            if len(rest) == 1:
                kind = rest[0]
                continue
        return kind, metas


def is_table(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, msgspec.Struct)


def fields(schema: type[msgspec.Struct]) -> dict[str, Any]:
    """The keys of a table and their types (with their Annotated metadata)."""
    return {f.encode_name: f.type for f in msgspec.structs.fields(schema)}


def allowed(kind: Any) -> str:
    """How a person reads what a key takes: the Meta's ``extra["allowed"]``, else made from
    the type and its bounds."""
    bare, metas = unwrap(kind)
    for meta in metas:
        if meta.extra and "allowed" in meta.extra:
            return str(meta.extra["allowed"])
    if is_table(bare):
        return "a table"
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}
    words = names.get(bare)
    if words is None:
        words = "a list" if get_origin(bare) is list else "a table"
    bounds = [
        f"{sign} {value:g}"
        for meta in metas
        for sign, value in (("≥", meta.ge), (">", meta.gt), ("≤", meta.le), ("<", meta.lt))
        if value is not None
    ]
    return words + (" " + " and ".join(bounds) if bounds else "")


# --- reading a file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigFile(Generic[S]):
    """A config file read and checked: ``value`` (the schema's Struct), and where each key is."""

    path: Path | None
    data: dict[str, Any]
    value: S
    lines: Mapping[Keys, int]

    def sets(self, *keys: str) -> bool:
        """Whether the file itself sets ``keys`` (a default does not count)."""
        node: Any = self.data
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return False
            node = node[key]
        return True

    def where(self, *keys: str) -> str:
        """``kiosk.toml line 7`` for the key, else for its nearest table, else the file."""
        return where(self.path, self.lines, keys)

    def error(self, keys: Keys, message: str) -> ConfigError:
        return ConfigError(f"{self.where(*keys)}: {message}")


def where(path: Path | None, lines: Mapping[Keys, int], keys: Keys) -> str:
    name = str(path) if path is not None else "config"
    for n in range(len(keys), 0, -1):
        if keys[:n] in lines:
            return f"{name} line {lines[keys[:n]]}"
    return name


def read_config(path: Path, schema: type[S]) -> ConfigFile[S]:
    """Read ``path`` and check it against ``schema``; ConfigError says what and where."""
    return parse_config(_read(path), schema, path)


def parse_config(text: str, schema: type[S], path: Path | None = None) -> ConfigFile[S]:
    data = _parse(text, path)
    lines = key_lines(text)
    return ConfigFile(path, data, check(data, schema, path, lines), lines)


def check(
    data: Mapping[str, Any],
    schema: type[S],
    path: Path | None = None,
    lines: Mapping[Keys, int] | None = None,
    prefix: Keys = (),
) -> S:
    """``data`` (a whole file, or the table at ``prefix`` of one) as the schema's Struct."""
    located = lines or {}
    unknown = sorted(_unknown(data, schema, prefix), key=lambda item: located.get(item[0], 0))
    if unknown:
        raise ConfigError(
            "\n".join(f"{where(path, located, keys)}: {message}" for keys, message in unknown)
        )
    try:
        return msgspec.convert(data, schema)
    except msgspec.ValidationError as err:
        keys, message = _explain(err, data, schema, prefix)
        raise ConfigError(f"{where(path, located, prefix + keys)}: {message}") from None


def table_name(keys: Keys) -> str:
    return f"[{'.'.join(keys)}]" if keys else "the top level"


def _all_keys(schema: type[msgspec.Struct], at: Keys = ()) -> Iterator[Keys]:
    for name, kind in fields(schema).items():
        yield (*at, name)
        bare, _ = unwrap(kind)
        if is_table(bare):
            yield from _all_keys(bare, (*at, name))


def _unknown(
    data: Mapping[str, Any], schema: type[msgspec.Struct], at: Keys, root: Any = None
) -> Iterator[tuple[Keys, str]]:
    """Every key the schema does not know, with a "did you mean"."""
    import difflib  # only when something is wrong: not on every start

    root = root or (schema, at)
    known = fields(schema)
    for key, value in data.items():
        if key in known:
            bare, _ = unwrap(known[key])
            if is_table(bare) and isinstance(value, dict):
                yield from _unknown(value, bare, (*at, key), root)
            elif (
                get_origin(bare) is dict and is_table(get_args(bare)[1]) and isinstance(value, dict)
            ):
                for name, table in value.items():  # [sites.NAME]: a table per free key
                    if isinstance(table, dict):
                        yield from _unknown(table, get_args(bare)[1], (*at, key, name), root)
            continue
        kind = "table" if isinstance(value, dict) else "key"
        shown = f"[{'.'.join((*at, key))}]" if kind == "table" else f'"{key}"'
        message = f"unknown {kind} {shown} in {table_name(at)}"
        guess = difflib.get_close_matches(key, list(known), n=1)
        if guess:
            better = f"[{'.'.join((*at, guess[0]))}]" if kind == "table" else f'"{guess[0]}"'
            message += f"; did you mean {better}?"
        else:
            elsewhere = [keys for keys in _all_keys(root[0]) if keys[-1] == key and len(keys) > 1]
            if elsewhere:
                message += f"; it belongs in {table_name(root[1] + elsewhere[0][:-1])}"
            else:
                message += f"; the keys there are: {', '.join(known)}"
        yield (*at, key), message


_PATH_RE = re.compile(r"^(?P<message>.*) - at `\$(?P<path>[^`]*)`$", re.DOTALL)
_STEP_RE = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")


def _explain(
    err: msgspec.ValidationError,
    data: Mapping[str, Any],
    schema: type[msgspec.Struct],
    prefix: Keys = (),
) -> tuple[Keys, str]:
    """Which key a msgspec error is about, and a message that says what is allowed."""
    match = _PATH_RE.match(str(err))
    steps = _STEP_RE.findall(match.group("path")) if match else []
    keys: list[str] = []
    node: Any = data
    kind: Any = schema
    field_kind: Any = None  # the innermost field of a table: its rule is the message
    free_key = False  # the error is in the value of a key the table's field does not name
    for name, index in steps:
        bare, _ = unwrap(kind)
        if name:
            if not is_table(bare):
                break
            field_kind = kind = fields(bare).get(name)
            keys.append(name)
            free_key = False  # a named key inside a table of free keys ([sites.NAME] key)
            node = node.get(name) if isinstance(node, dict) else None
        elif index == "...":  # a key of a table of free keys: the one whose value fails
            item_kind = get_args(bare)[1] if get_origin(bare) is dict else Any
            bad = _failing_key(node, item_kind)
            if bad is None:
                break
            keys.append(bad)
            node, kind = node[bad], item_kind
            free_key = True
        else:
            break  # an item of a list: the line of the list
    cause = err.__cause__
    if isinstance(cause, ValueProblem):
        full = (*keys, *cause.keys)
        return full, f"{_name(prefix + full)}: {cause}"
    if cause is not None and str(cause):
        return tuple(keys), f"{_name(prefix + tuple(keys))}: {cause}"
    if not keys:
        return (), f"{match.group('message') if match else err}"
    if match and match.group("message").startswith("Object missing required field"):
        missing = match.group("message").split("`")[1]
        need = (
            fields(unwrap(field_kind)[0]).get(missing) if is_table(unwrap(field_kind)[0]) else None
        )
        rule = f" ({allowed(need)})" if need is not None else ""
        return tuple(keys), f"{_name(prefix + tuple(keys))} needs a {missing} key{rule}"
    if isinstance(node, dict) and is_table(unwrap(field_kind)[0]):
        return tuple(
            keys
        ), f"{_name(prefix + tuple(keys))} is not valid: must be {allowed(field_kind)}"
    rule = _item_rule(field_kind) if free_key else allowed(field_kind)
    return tuple(keys), f"{_name(prefix + tuple(keys))} {_show(node)} is not valid: must be {rule}"


def _item_rule(kind: Any) -> str:
    """What a value of a table of free keys takes: ``Meta.extra["item"]``."""
    for meta in unwrap(kind)[1]:
        if meta.extra and "item" in meta.extra:
            return str(meta.extra["item"])
    return allowed(get_args(unwrap(kind)[0])[1]) if get_origin(unwrap(kind)[0]) is dict else "?"


def _failing_key(table: Any, item_kind: Any) -> str | None:
    if not isinstance(table, dict):
        return None
    for key, value in table.items():
        try:
            msgspec.convert(value, item_kind)
        except msgspec.ValidationError:
            return str(key)
    return None


def _name(keys: Keys) -> str:
    """``[session] idle_timeout_s``, ``[session.opening_hours] mon``, ``[kiosk]``."""
    if len(keys) <= 1:
        return f"[{keys[0]}]" if keys else "the file"
    return f"[{'.'.join(keys[:-1])}] {keys[-1]}"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "(a table)"
    return repr(value)
