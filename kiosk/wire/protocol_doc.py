"""The event table of docs/protocol.md, generated from the declarations in protocol.py.

    python -m kiosk.wire.protocol_doc            # rewrite the table in docs/protocol.md
    python -m kiosk.wire.protocol_doc --check    # exit 1 when the committed table differs

The table sits between ``<!-- events:begin -->`` and ``<!-- events:end -->``; the rest of the
page is written by hand. tests/unit/test_protocol_doc.py fails when the two drift apart.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.wire.protocol import EVENTS, EventType, Field

BEGIN = "<!-- events:begin -->"
END = "<!-- events:end -->"
DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def _json(value: Any) -> str:
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _field(f: Field) -> str:
    return f"`{f.name}`: {f.about}, e.g. {_json(f.valid[0])}"


def _session(kind: EventType) -> str:
    return "required" if kind.session_required else "the session's id, or `null`"


def event_table() -> str:
    """The Markdown table of the event types of v1 and their fields (all required)."""
    lines = [
        "| type | sent when | `session` | its own fields (all required) |",
        "|---|---|---|---|",
    ]
    for kind in EVENTS:
        fields = "<br>".join(_field(f) for f in kind.fields)
        lines.append(f"| `{kind.name}` | {kind.about} | {_session(kind)} | {fields} |")
    return "\n".join(lines)


def with_table(page: str) -> str:
    """``page`` with the text between the markers replaced by the generated table."""
    start, end = page.find(BEGIN), page.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the page has no {BEGIN} … {END} markers in that order")
    return page[: start + len(BEGIN)] + "\n" + event_table() + "\n" + page[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the event table of docs/protocol.md.")
    parser.add_argument("--check", action="store_true", help="only say whether it is up to date")
    parser.add_argument("path", nargs="?", type=Path, default=DOC)
    args = parser.parse_args(argv)
    page = args.path.read_text(encoding="utf-8")
    made = with_table(page)
    if args.check:
        if made != page:
            print(f"{args.path}: the event table is out of date", file=sys.stderr)
            return 1
        return 0
    if made != page:
        args.path.write_text(made, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
