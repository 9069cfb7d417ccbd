"""Kiosk settings: command line over environment over file; bad input named in one line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.settings import load_settings
from kiosk.wire.broker import ConfigError


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "kiosk.toml"
    path.write_text(text)
    return str(path)


def test_command_line_over_environment_over_file(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        '[broker]\nurl = "mqtt://10.0.0.5:1884"\n[kiosk]\nsite = "leeuw"\n'
        'machine = "pc-1"\n[session]\nidle_timeout_s = 120\n',
    )
    settings = load_settings({"config": config}, env={})
    assert (settings.site, settings.machine, settings.broker.port) == ("leeuw", "pc-1", 1884)
    assert settings.policy.idle_timeout_s == 120 and settings.idle_minutes == 2
    env = {"KIOSK_SITE": "evere", "KIOSK_BROKER_URL": "mqtt://127.0.0.1:1999"}
    settings = load_settings({"config": config}, env=env)
    assert (settings.site, settings.broker.port) == ("evere", 1999)
    settings = load_settings({"config": config, "site": "gent"}, env=env)
    assert settings.site == "gent"


def test_an_unknown_language_falls_back_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        settings = load_settings({"config": write(tmp_path, ""), "lang": "xx"}, env={})
    assert settings.lang == "en"
    assert "no translation for language 'xx'" in caplog.text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[kiosk\n", "is not valid TOML"),
        ("[session]\nwarning_s = 5\n", "at least 20 seconds"),
        ('[session]\nopening_hours = { mon = ["nine to five"] }\n', "09:00-12:00"),
        ('[kiosk]\nstaff_pin_hash = "1234"\n', "kiosk --hash-pin"),
        ('[kiosk]\nmachine = "PC 3"\n', "machine 'PC 3' is not valid"),
        ('[broker]\nurl = "tcp://x"\n', "mqtt://"),
    ],
)
def test_a_broken_config_is_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load_settings({"config": write(tmp_path, text)}, env={})


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load_settings({"config": str(tmp_path / "nope.toml")}, env={})


@pytest.mark.parametrize(
    "xdg",
    [{}, {"XDG_CONFIG_HOME": "/srv/cfg", "XDG_DATA_HOME": "/srv/data"}, {"XDG_CONFIG_HOME": "rel"}],
)
def test_default_folders_are_those_platformdirs_gives(
    xdg: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kiosk computes the XDG folders itself on Linux (platformdirs cost ~8 ms of every
    start); they must stay where platformdirs puts them, or a kiosk loses its config."""
    import platformdirs

    from kiosk.settings import APP_NAME, default_config_path, default_data_dir

    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in xdg.items():
        monkeypatch.setenv(name, value)
    assert default_config_path() == Path(platformdirs.user_config_dir(APP_NAME)) / "kiosk.toml"
    assert default_data_dir() == platformdirs.user_data_dir(APP_NAME)


def test_the_documented_tasks_dir_is_read_from_the_file(tmp_path: Path) -> None:
    """README and docs/writing-a-task.md name `[kiosk] tasks_dir`; it used to be ignored."""
    absolute = tmp_path / "our-tasks"
    settings = load_settings(
        {"config": write(tmp_path, f'[kiosk]\ntasks_dir = "{absolute}"\n')}, env={}
    )
    assert settings.tasks_dir == absolute
    # A relative folder is relative to the config file, like [broker] ca_file.
    settings = load_settings({"config": write(tmp_path, '[kiosk]\ntasks_dir = "tasks"\n')}, env={})
    assert settings.tasks_dir == tmp_path / "tasks"
    assert load_settings({"config": write(tmp_path, "")}, env={}).tasks_dir is None


def test_environment_and_command_line_override_every_file_key(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        '[broker]\nurl = "mqtt://10.0.0.5:1884"\n[kiosk]\nsite = "leeuw"\nmachine = "pc-1"\n'
        f'data_dir = "{tmp_path / "file-data"}"\nlang = "fr"\nheartbeat_s = 30\n',
    )
    from_file = load_settings({"config": config}, env={})
    assert (from_file.site, from_file.machine, from_file.lang) == ("leeuw", "pc-1", "fr")
    assert (from_file.data_dir, from_file.heartbeat_s) == (tmp_path / "file-data", 30)
    env = {
        "KIOSK_BROKER_URL": "mqtt://127.0.0.1:1999",
        "KIOSK_SITE": "evere",
        "KIOSK_MACHINE": "pc-2",
        "KIOSK_DATA_DIR": str(tmp_path / "env-data"),
        "KIOSK_LANG": "en",
        "KIOSK_HEARTBEAT_S": "10",
    }
    by_env = load_settings({"config": config}, env=env)
    assert (by_env.broker.port, by_env.site, by_env.machine, by_env.lang) == (
        1999,
        "evere",
        "pc-2",
        "en",
    )
    assert (by_env.data_dir, by_env.heartbeat_s) == (tmp_path / "env-data", 10)
    cli = {
        "config": config,
        "broker": "mqtt://127.0.0.1:2000",
        "site": "gent",
        "machine": "pc-3",
        "data_dir": str(tmp_path / "cli-data"),
        "lang": "nl",
    }
    by_cli = load_settings(cli, env=env)
    assert (by_cli.broker.port, by_cli.site, by_cli.machine, by_cli.lang) == (
        2000,
        "gent",
        "pc-3",
        "nl",
    )
    assert by_cli.data_dir == tmp_path / "cli-data"
    # The config file itself may come from the environment.
    assert load_settings({}, env={"KIOSK_CONFIG": config}).site == "leeuw"
    # A bad value from the environment or the command line is named as such, not as the file's.
    with pytest.raises(ConfigError, match=r"^machine 'PC 3' is not valid"):
        load_settings({"config": config, "machine": "PC 3"}, env={})
