"""``admin-console provision kiosk --label``: the PC's name in the room goes into its file's
[kiosk] table, checked as the wire checks it (protocol.pc_label), kept by a re-key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from admin_console.cli import main
from admin_console.provision import broker_dir as prov
from admin_console.provision.files import ProvisionError
from kiosk.wire.config import read_config
from kiosk.wire.config_schema import KioskFile

LABEL = "PC 3 — bij het raam"


def init(tmp_path: Path) -> Path:
    directory = tmp_path / "central"
    prov.init(directory, "broker.example.be", 8883, broker_user="root")
    return directory


def kiosk_table(path: Path) -> dict[str, object]:
    return dict(tomllib.loads(path.read_text(encoding="utf-8"))["kiosk"])


def test_the_label_is_written_into_the_kiosk_table(tmp_path: Path) -> None:
    directory = init(tmp_path)
    issued = prov.add(directory, "kiosk", site="schaerbeek", name="pc-03", label=f"  {LABEL} ")
    assert kiosk_table(issued.path) == {"site": "schaerbeek", "machine": "pc-03", "label": LABEL}
    assert LABEL in issued.path.read_text(encoding="utf-8")  # as written, not escaped
    config = read_config(issued.path, KioskFile)  # the kiosk's own schema takes it
    assert config.value.kiosk.label == LABEL


def test_without_a_label_the_file_has_none(tmp_path: Path) -> None:
    directory = init(tmp_path)
    issued = prov.add(directory, "kiosk", site="schaerbeek", name="pc-04")
    assert "label" not in kiosk_table(issued.path)


def test_a_re_key_keeps_the_label_unless_given_a_new_one(tmp_path: Path) -> None:
    directory = init(tmp_path)
    first = prov.add(directory, "kiosk", site="schaerbeek", name="pc-03", label=LABEL)
    password = tomllib.loads(first.path.read_text())["broker"]["password"]
    again = prov.add(directory, "kiosk", site="schaerbeek", name="pc-03", rotate=True)
    assert again.rotated and kiosk_table(again.path)["label"] == LABEL
    assert tomllib.loads(again.path.read_text())["broker"]["password"] != password
    moved = prov.add(
        directory, "kiosk", site="schaerbeek", name="pc-03", rotate=True, label="PC 4 — achteraan"
    )
    assert kiosk_table(moved.path)["label"] == "PC 4 — achteraan"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 61, "PC 3\nbij het raam", "PC\t3"])
def test_a_bad_label_is_refused_with_a_clear_error(tmp_path: Path, bad: str) -> None:
    directory = init(tmp_path)
    with pytest.raises(ProvisionError, match=r"1 to 60 printable characters"):
        prov.add(directory, "kiosk", site="schaerbeek", name="pc-03", label=bad)
    assert not (directory / "kiosks" / "schaerbeek" / "pc-03.toml").exists()  # nothing issued


def test_a_label_goes_with_a_kiosk_only(tmp_path: Path) -> None:
    directory = init(tmp_path)
    with pytest.raises(ProvisionError, match="kiosk only"):
        prov.add(directory, "buddy", site="schaerbeek", name="Sara", label=LABEL)


def test_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = init(tmp_path)
    args = ["provision", "kiosk", "--dir", str(directory), "--site", "schaerbeek"]
    assert main([*args, "--machine", "pc-03", "--label", LABEL]) == 0
    path = directory / "kiosks" / "schaerbeek" / "pc-03.toml"
    assert kiosk_table(path)["label"] == LABEL
    capsys.readouterr()
    assert main([*args, "--machine", "pc-05", "--label", "x" * 80]) == 2
    err = capsys.readouterr().err
    assert "--label" in err and "1 to 60 printable characters" in err and "PC 3" in err
