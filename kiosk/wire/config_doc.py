"""The config reference, docs/configuration.md, made from the schema (kiosk.wire.config_schema).

    python -m kiosk.wire.config_doc > docs/configuration.md

``tests/unit/test_config_schema.py`` fails when the committed file differs from this output.
"""

from __future__ import annotations

import sys
from typing import Any, Union, get_args, get_origin

import msgspec

from kiosk.wire.config import allowed, is_table, unwrap
from kiosk.wire.config_schema import FILES, Table

_HEADER = """\
# Configuration reference

<!-- Made by `python -m kiosk.wire.config_doc > docs/configuration.md` from
kiosk/wire/config_schema.py; do not edit by hand (tests/unit/test_config_schema.py checks it). -->

Every config file of the suite is TOML, checked against one schema
(`kiosk/wire/config_schema.py`) when the program starts. A key the schema does not know, a
value of the wrong type or out of range is refused with the file, the line, the key and what
is allowed, and the program does not start (exit 2):

```
kiosk: /etc/kiosk-suite/kiosk.toml line 7: unknown key "idle_timout_s" in [session]; did you mean "idle_timeout_s"?
kiosk: /etc/kiosk-suite/kiosk.toml line 7: [session] idle_timeout_s 0 is not valid: must be a number of seconds > 0, longer than warning_s
```

Check a kiosk's file as the kiosk will read it with `kiosk --config FILE --self-test`.
Task files ([writing-a-task.md](writing-a-task.md)) and the browser's allowlist are checked
by their own rules, not here.

## Opening hours

One format for the kiosk (`[session.opening_hours]`) and the admin console
(`[fleet.opening_hours]`), read by one parser (`kiosk/wire/opening_hours.py`):

```toml
[session.opening_hours]
mon-fri = ["09:00-12:00", "13:30-17:00"]   # a day, or a range of days (fri-mon wraps)
sat = ["10:00-12:00"]                      # a day left out is closed
```

A key is a day (`mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`) or a range of days; a value
is a list of `HH:MM-HH:MM` periods, which may not overlap on one day. An empty table means
always open; so does no table for a kiosk, while the console without one takes
`mon-sat = ["09:00-17:00"]`. The admin console still reads its former keys,
`opening_days = "mon-sat"` with `opening_hours = "09:00-17:00"` in `[fleet]` (the same hours
every open day); with the table, `opening_days` is refused and the message says how to write
it.
"""  # noqa: E501


def type_name(kind: Any) -> str:
    bare, _ = unwrap(kind)
    if get_origin(bare) in (Union,) or " | " in repr(bare):
        return " or ".join(type_name(arg) for arg in get_args(bare) if arg is not type(None))
    if is_table(bare):
        return "table"
    if get_origin(bare) is list:
        return f"list of {type_name(get_args(bare)[0])}s"
    if get_origin(bare) is dict:
        return "table"
    names = {bool: "boolean", int: "integer", float: "number", str: "string"}
    return names.get(bare, getattr(bare, "__name__", str(bare)))


def _extra(kind: Any, name: str) -> str | None:
    for meta in unwrap(kind)[1]:
        if meta.extra and name in meta.extra:
            return str(meta.extra[name])
    return None


def _description(kind: Any) -> str:
    return " ".join(meta.description for meta in unwrap(kind)[1] if meta.description)


def _default(kind: Any, value: Any) -> str:
    shown = _extra(kind, "default")
    if shown is not None:
        return shown
    if value is msgspec.NODEFAULT:
        return "required"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return f'"{value}"'
    return "none" if value is None else str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(schema: type[Table], keys: tuple[str, ...], note: str) -> list[str]:
    doc = " ".join((schema.__doc__ or "").split())
    lines = [f"### `[{'.'.join(keys)}]`", "", doc + (f" {note}" if note else ""), ""]
    lines += [
        "| key | type | default | allowed | meaning | overridden by |",
        "|---|---|---|---|---|---|",
    ]
    nested: list[str] = []
    for field in msgspec.structs.fields(schema):
        kind = field.type
        default = field.default
        if default is msgspec.NODEFAULT and field.default_factory is not msgspec.NODEFAULT:
            default = field.default_factory()
        bare, _ = unwrap(kind)
        if is_table(bare):
            extra = _extra(kind, "default")
            optional = f"Optional; without it: {extra}." if extra else ""
            nested += _table(bare, (*keys, field.encode_name), optional)
            continue
        overrides = ", ".join(
            f"`{value}`" for value in (_extra(kind, "env"), _extra(kind, "cli")) if value
        )
        lines.append(
            "| "
            + " | ".join(
                _cell(part)
                for part in (
                    f"`{field.encode_name}`",
                    type_name(kind),
                    _default(kind, default),
                    allowed(kind),
                    _description(kind),
                    overrides or "—",
                )
            )
            + " |"
        )
    return [*lines, "", *nested]


def render() -> str:
    out = [_HEADER]
    for spec in FILES:
        out += [f"## {spec.title}", "", f"Read by {spec.read_by}. {spec.about}", ""]
        for field in msgspec.structs.fields(spec.schema):
            bare, _ = unwrap(field.type)
            if get_origin(bare) is dict and is_table(get_args(bare)[1]):  # [sites.NAME]
                out += _table(get_args(bare)[1], (field.encode_name, "NAME"), "")
                continue
            assert is_table(bare), f"{spec.title}: {field.name} is not a table"
            extra = _extra(field.type, "default")
            note = f"Optional; without it: {extra}." if extra else ""
            out += _table(bare, (field.encode_name,), note)
    return "\n".join(out).rstrip("\n") + "\n"


def main() -> int:
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
