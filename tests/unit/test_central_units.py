"""The systemd units of the central machine (installer/central/) start commands that exist,
with options the programs accept: a typo there would only show on a site's server."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "installer" / "central").glob("*.service"))


def _exec_start(unit: Path) -> list[str]:
    (line,) = [ln for ln in unit.read_text().splitlines() if ln.startswith("ExecStart=")]
    return shlex.split(line.removeprefix("ExecStart="))


def test_there_are_units_for_the_aggregator_and_the_phone_desk() -> None:
    assert {u.name for u in UNITS} == {
        "kiosk-suite-serve.service",
        "kiosk-suite-phone-desk.service",
    }


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_each_unit_starts_a_command_with_options_it_accepts(
    unit: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = _exec_start(unit)
    for section in ("[Unit]", "[Service]", "[Install]"):
        assert section in unit.read_text()
    if words[1:3] == ["-m", "admin_console.phone"]:
        import admin_console.phone.server as server

        seen: dict[str, object] = {}

        def fake_make_server(directory: Path, **kwargs: object) -> object:
            seen.update(directory=directory, **kwargs)
            raise OSError("not started in a test")

        monkeypatch.setattr(server, "make_server", fake_make_server)
        assert server.main(words[3:]) == 1  # parsed, then (here) refused to start
        assert seen["directory"] == Path("/etc/mosquitto/kiosk-suite")
        assert seen["console_config"] == Path("/etc/kiosk-suite/console.toml")
    else:
        assert words[0].endswith("/admin-console") and words[1] == "serve"
        from admin_console.cli import build_parser

        args = build_parser().parse_args(words[1:])
        assert args.config == "/etc/kiosk-suite/aggregator.toml"
