"""docs/protocol.md is the contract: its event table is the one the code declares."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.wire import protocol as p
from kiosk.wire import protocol_doc

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def test_the_committed_event_table_is_the_generated_one() -> None:
    page = DOC.read_text(encoding="utf-8")
    assert protocol_doc.with_table(page) == page, (
        "docs/protocol.md's event table differs from kiosk/wire/protocol.py's declarations: "
        "run `python -m kiosk.wire.protocol_doc`"
    )


def test_the_table_names_every_event_type_and_field() -> None:
    table = protocol_doc.event_table()
    for kind in p.EVENTS:
        row = next(line for line in table.splitlines() if line.startswith(f"| `{kind.name}` |"))
        for f in kind.fields:
            assert f"`{f.name}`: {f.about}" in row, (kind.name, f.name)


def test_check_mode_says_when_the_page_is_out_of_date(tmp_path: Path) -> None:
    page = tmp_path / "protocol.md"
    page.write_text(f"# v1\n{protocol_doc.BEGIN}\nold table\n{protocol_doc.END}\nmore\n")
    assert protocol_doc.main(["--check", str(page)]) == 1
    assert protocol_doc.main([str(page)]) == 0
    assert protocol_doc.main(["--check", str(page)]) == 0
    text = page.read_text()
    assert text.startswith("# v1\n") and text.endswith(f"{protocol_doc.END}\nmore\n")
    assert "old table" not in text


def test_a_page_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="markers"):
        protocol_doc.with_table("# no table here\n")
