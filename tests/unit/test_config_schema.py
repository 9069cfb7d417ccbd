"""One config schema for every TOML file the suite reads: unknown keys with a line and a
"did you mean", types and ranges with what is allowed, one opening-hours format, the reference
made from the schema."""

from __future__ import annotations

import re
import textwrap
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from admin_console.cli import main as admin_main
from admin_console.desk.fleet import FleetSettings
from admin_console.provision import broker_dir as prov
from admin_console.read.reports import LOWEST_MIN_COUNT
from admin_console.store.rollups import DEFAULT_TIMEZONE
from kiosk.model.session import OpeningHours as KioskOpeningHours
from kiosk.model.session import PolicyError, policy_from_config
from kiosk.settings import load_settings
from kiosk.wire import config_schema
from kiosk.wire.config import ConfigError, key_lines, parse_config, read_config
from kiosk.wire.config_doc import render
from kiosk.wire.config_schema import AdminConsoleFile, KioskFile
from kiosk.wire.opening_hours import OpeningHours, OpeningHoursError
from kiosk.wire.protocol import NAME_RE

ROOT = Path(__file__).resolve().parents[2]

KIOSK_TOML = textwrap.dedent(
    """\
    [broker]
    url = "mqtt://127.0.0.1:1883"
    [kiosk]
    site = "gent"
    machine = "pc-1"
    [session]
    idle_timout_s = 120
    """
)


def write(tmp_path: Path, text: str, name: str = "kiosk.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- unknown keys -----------------------------------------------------------------------------


def test_an_unknown_key_is_refused_with_its_line_and_a_guess(tmp_path: Path) -> None:
    path = write(tmp_path, KIOSK_TOML)
    with pytest.raises(ConfigError) as caught:
        load_settings({"config": str(path)}, env={})
    assert str(caught.value) == (
        f'{path} line 7: unknown key "idle_timout_s" in [session]; did you mean "idle_timeout_s"?'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[kiosk]\nsite = "a"\n\ntasks_dr = "x"\n',
            'line 4: unknown key "tasks_dr" in [kiosk]; did you mean "tasks_dir"?',
        ),
        (
            "[sesion]\nwarning_s = 30\n",
            "line 1: unknown table [sesion] in the top level; did you mean [session]?",
        ),
        (
            "[kiosk]\nidle_timeout_s = 60\n",
            'line 2: unknown key "idle_timeout_s" in [kiosk]; it belongs in [session]',
        ),
        (
            "session.idle_timeot_s = 60\n",
            'line 1: unknown key "idle_timeot_s" in [session]; did you mean "idle_timeout_s"?',
        ),
        (
            '[kiosk]\n"stie" = "gent"\n',
            'line 2: unknown key "stie" in [kiosk]; did you mean "site"?',
        ),
        (
            '[broker]\nurl = "mqtt://h"\nusrname = "a"\n',
            'line 3: unknown key "usrname" in [broker]; did you mean "username"?',
        ),
        ("[kiosk]\nzzz = 1\n", 'line 2: unknown key "zzz" in [kiosk]; the keys there are: site,'),
    ],
)
def test_unknown_keys_anywhere(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, KioskFile, Path("kiosk.toml"))
    assert str(caught.value).startswith(f"kiosk.toml {expected}")


def test_every_unknown_key_is_listed_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("[session]\nidle_timout_s = 1\n[kiosk]\nstie = 'a'\n", KioskFile)
    lines = str(caught.value).splitlines()
    assert len(lines) == 2 and "line 2" in lines[0] and "line 4" in lines[1]


def test_key_lines_follow_tables_dotted_keys_and_skip_strings_and_arrays() -> None:
    text = textwrap.dedent(
        '''\
        # [commented] = 1
        top = 1
        [ session ]  # a comment [x]
        note = """
        fake = 1
        [not_a_table]
        """
        hours = [
          "09:00-12:00",   # [inside]
          "13:00-17:00",
        ]
        opening_hours = { mon = ["09:00-12:00"] }
        a.b . "c d" = 2
        [session.opening_hours]
        "tue" = ["x"]
        ['x'.y]
        z = 'q#[w]'
        '''
    )
    lines = key_lines(text)
    assert lines[("top",)] == 2
    assert lines[("session",)] == 3 and lines[("session", "note")] == 4
    assert ("session", "fake") not in lines and ("not_a_table",) not in lines
    assert lines[("session", "hours")] == 8 and ("inside",) not in lines
    assert lines[("session", "opening_hours")] == 12
    assert lines[("session", "a")] == 13 and lines[("session", "a", "b", "c d")] == 13
    assert lines[("session", "opening_hours", "tue")] == 15
    assert lines[("x", "y")] == 16 and lines[("x", "y", "z")] == 17


# --- types and ranges -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[session]\n\nidle_timeout_s = 0\n",
            "line 3: [session] idle_timeout_s 0 is not valid: must be a number of seconds > 0",
        ),
        (
            "[session]\nidle_timeout_s = '5 min'\n",
            "line 2: [session] idle_timeout_s '5 min' is "
            "not valid: must be a number of seconds > 0",
        ),
        (
            "[session]\nwarning_s = 5\n",
            "line 2: [session] warning_s 5 is not valid: must be a "
            "number, at least 20 seconds (WCAG 2.2.1)",
        ),
        (
            "[session]\nwarning_s = 60\nidle_timeout_s = 50\n",
            "line 3: [session] idle_timeout_s: the idle timeout must be longer than its warning",
        ),
        (
            "[session]\nmax_extensions = 3\n",
            "line 2: [session] max_extensions 3 is not valid: "
            "must be a whole number, at least 10 (WCAG 2.2.1)",
        ),
        ("[session]\nmax_extensions = 12.5\n", "line 2: [session] max_extensions 12.5"),
        ("[session]\nmax_session_s = 0\n", "line 2: [session] max_session_s 0 is not valid"),
        ("[session]\nend_notice_s = -1\n", "line 2: [session] end_notice_s -1 is not valid"),
        (
            "[kiosk]\nheartbeat_s = true\n",
            "line 2: [kiosk] heartbeat_s true is not valid: must be a number > 0",
        ),
        ("[kiosk]\nsite = 5\n", "line 2: [kiosk] site 5 is not valid: must be 1-32 lower-case"),
        ("kiosk = 3\n", "line 1: [kiosk] 3 is not valid: must be a table"),
        ("[broker]\nusername = 'a'\n", "line 1: [broker] needs a url key (mqtt://host:port"),
        (
            "[session.opening_hours]\nmon = ['09:00-12:00']\ntue = ['9 to 5']\n",
            "line 3: [session.opening_hours] tue: '9 to 5' is not a period like 09:00-12:00",
        ),
        (
            "[session.opening_hours]\nwed = '09:00-12:00'\n",
            "line 2: [session.opening_hours] wed "
            "'09:00-12:00' is not valid: must be a list of HH:MM-HH:MM periods",
        ),
        (
            "[session]\nopening_hours = { mon = ['09:00-12:00'], monday = ['10:00-11:00'] }\n",
            "line 2: [session.opening_hours] monday: 'monday' must be one of mon, tue",
        ),
    ],
)
def test_types_and_ranges_say_where_and_what_is_allowed(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, KioskFile, Path("kiosk.toml"))
    assert str(caught.value).startswith(f"kiosk.toml {expected}"), str(caught.value)


def test_idle_timeout_zero_is_an_error_not_the_default(tmp_path: Path) -> None:
    path = write(tmp_path, "[session]\nidle_timeout_s = 0\n")
    with pytest.raises(ConfigError, match=r"line 2: \[session\] idle_timeout_s 0 is not valid"):
        load_settings({"config": str(path)}, env={})
    with pytest.raises(PolicyError, match="idle_timeout_s 0 is not valid"):
        policy_from_config({"idle_timeout_s": 0})


def test_a_good_file_keeps_every_value() -> None:
    text = textwrap.dedent(
        """\
        [broker]
        url = "mqtts://broker.example.be:8883"
        username = "kiosk.gent.pc-1"
        password = "secret"
        [kiosk]
        site = "gent"
        machine = "pc-1"
        data_dir = "~/data"
        lang = "fr"
        tasks_dir = "tasks"
        staff_pin_hash = "pbkdf2_sha256$1000$c2FsdA$aGFzaA"
        heartbeat_s = 5
        [session]
        idle_timeout_s = 120
        warning_s = 20
        max_extensions = 10
        max_session_s = 3600
        end_notice_s = 60
        [session.opening_hours]
        mon-fri = ["09:00-12:00", "13:30-17:00"]
        """
    )
    value = parse_config(text, KioskFile).value
    assert value.broker is not None and value.broker.username == "kiosk.gent.pc-1"
    assert (value.kiosk.site, value.kiosk.tasks_dir, value.kiosk.heartbeat_s) == (
        "gent",
        "tasks",
        5,
    )
    policy = policy_from_config(value.session)
    assert (policy.idle_timeout_s, policy.warning_s, policy.max_extensions) == (120, 20, 10)
    assert policy.opening_hours.periods[4] == [(time(9), time(12)), (time(13, 30), time(17))]


# --- one opening-hours format -----------------------------------------------------------------


def test_one_format_and_one_parser_for_the_kiosk_and_the_fleet() -> None:
    table = {"mon-fri": ["09:00-12:00", "13:30-17:00"], "sat": ["10:00-12:00"]}
    kiosk = policy_from_config({"opening_hours": table}).opening_hours
    fleet = FleetSettings.from_config({"opening_hours": table}).hours
    assert kiosk.periods == fleet.periods == OpeningHours.parse(table).periods
    assert isinstance(kiosk, KioskOpeningHours)
    assert fleet.describe() == "mon–fri 09:00–12:00, 13:30–17:00; sat 10:00–12:00"
    # A Thursday, 14:00 in Brussels: the afternoon period opened at 13:30 (12:30 UTC).
    settings = FleetSettings.from_config({"opening_hours": table})
    assert settings.opening_of(datetime(2026, 11, 19, 13, 0, tzinfo=UTC)) == datetime(
        2026, 11, 19, 12, 30, tzinfo=UTC
    )
    assert settings.opening_of(datetime(2026, 11, 19, 11, 45, tzinfo=UTC)) is None  # lunch
    assert settings.opening_of(datetime(2026, 11, 22, 10, 0, tzinfo=UTC)) is None  # Sunday


def test_the_former_fleet_format_still_reads_and_means_the_same() -> None:
    old = FleetSettings.from_config(
        {"opening_days": "mon,wed-fri", "opening_hours": "9:00 - 17:00"}
    )
    new = FleetSettings.from_config(
        {"opening_hours": {"mon": ["09:00-17:00"], "wed-fri": ["09:00-17:00"]}}
    )
    assert old.hours.periods == new.hours.periods
    assert (
        FleetSettings.from_config({}).hours.periods
        == FleetSettings.from_config({"opening_hours": {"mon-sat": ["09:00-17:00"]}}).hours.periods
    )
    assert FleetSettings.from_config({"opening_hours": {}}).hours.always_open


def test_the_fleet_refuses_a_mix_of_formats_and_says_the_new_way(tmp_path: Path) -> None:
    text = '[fleet]\nopening_days = "mon-fri"\n[fleet.opening_hours]\nmon = ["09:00-12:00"]\n'
    with pytest.raises(ConfigError) as caught:
        parse_config(text, AdminConsoleFile, Path("admin.toml"))
    assert str(caught.value).startswith("admin.toml line 2: [fleet] opening_days: goes with the")
    assert 'mon-sat = ["09:00-17:00"]' in str(caught.value)


def test_day_ranges_wrap_and_periods_may_not_overlap() -> None:
    assert sorted(OpeningHours.parse({"fri-mon": ["10:00-12:00"]}).periods) == [0, 4, 5, 6]
    with pytest.raises(OpeningHoursError, match="periods of mon overlap") as caught:
        OpeningHours.parse({"mon-fri": ["09:00-12:00"], "mon": ["11:00-13:00"]})
    assert caught.value.key == "mon"
    with pytest.raises(OpeningHoursError, match="closes before it opens"):
        OpeningHours.parse({"mon": ["17:00-09:00"]})
    with pytest.raises(OpeningHoursError, match="time of day"):
        OpeningHours.parse({"mon": ["09:00-25:00"]})


# --- the admin console's file -----------------------------------------------------------------


def test_the_admin_console_refuses_an_unknown_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, '[database]\nulr = "sqlite:///x.db"\n', "admin.toml")
    assert admin_main(["stats", "--config", str(path), "--json"]) == 2
    assert f'{path} line 2: unknown key "ulr" in [database]; did you mean "url"?' in (
        capsys.readouterr().err
    )


def test_the_admin_console_reads_its_tables(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        [database]
        url = "sqlite:///x.db"
        [fleet]
        offline_alert_minutes = 15
        timezone = "Europe/Brussels"
        [fleet.opening_hours]
        tue-sat = ["10:00-18:00"]
        [reports]
        min_count = 4
        [buddy]
        site = "gent"
        name = "Sara"
        """,
        "admin.toml",
    )
    value = read_config(path, AdminConsoleFile).value
    assert value.database.url == "sqlite:///x.db" and value.reports.min_count == 4
    assert value.buddy.site == "gent" and value.buddy.name == "Sara"
    fleet = FleetSettings.from_config(value.fleet)
    assert (
        fleet.open_days == frozenset({1, 2, 3, 4, 5}) and fleet.offline_alert_after.seconds == 900
    )
    with pytest.raises(ConfigError, match=r"line 2: \[reports\] min_count 2 is not valid"):
        parse_config("[reports]\nmin_count = 2\n", AdminConsoleFile)


def test_the_buddy_desk_needs_a_site_from_somewhere(capsys: pytest.CaptureFixture[str]) -> None:
    assert admin_main(["buddy"]) == 2
    assert "--site S (or [buddy] site in the --config file)" in capsys.readouterr().err


def test_every_provisioned_file_passes_its_schema(tmp_path: Path) -> None:
    directory = tmp_path / "central"
    prov.init(directory, "broker.example.be", 8883, broker_user="root")
    kiosk = prov.add(directory, "kiosk", site="gent", name="pc-1")
    buddy = prov.add(directory, "buddy", site="gent", name="Sara")
    admin = prov.add(directory, "admin", name="jan")
    assert read_config(kiosk.path, KioskFile).value.kiosk.machine == "pc-1"
    assert read_config(buddy.path, AdminConsoleFile).value.buddy.name == "Sara"
    for path in (admin.path, directory / "aggregator.toml"):
        assert read_config(path, AdminConsoleFile).value.broker is not None
    for example in ("installer/deb/kiosk.toml", "installer/windows/kiosk.toml"):
        uncommented = "\n".join(
            match.group(1)
            for line in (ROOT / example).read_text().splitlines()
            if (match := re.match(r"^# (\[[\w.]+\].*|[a-z_]+ = .*)$", line))
        )
        assert "[session.opening_hours]" in uncommented and "staff_pin_hash" in uncommented
        parse_config(uncommented.replace('"…"', '"a$b$c$d"'), KioskFile)  # the examples hold


# --- the schema and what it mirrors ---------------------------------------------------------


def test_the_schema_keeps_the_rules_it_mirrors() -> None:
    assert NAME_RE.pattern == config_schema.NAME_PATTERN
    assert config_schema.DEFAULT_TIMEZONE == DEFAULT_TIMEZONE
    assert config_schema.LOWEST_MIN_COUNT == LOWEST_MIN_COUNT
    # SessionPolicy's WCAG rules hold for the schema's smallest values.
    policy_from_config({"warning_s": 20, "idle_timeout_s": 21, "max_extensions": 10})


def test_the_committed_reference_is_the_one_the_schema_makes() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/configuration.md is stale: python -m kiosk.wire.config_doc > docs/configuration.md"
    )


def test_the_reference_names_every_key() -> None:
    text = render()
    for spec in config_schema.FILES:
        for table, kind in spec.schema.__annotations__.items():
            assert f"### `[{table}]`" in text or f"### `[{table}.NAME]`" in text, (
                spec.title,
                table,
                kind,
            )
    for key in ("idle_timeout_s", "tasks_dir", "opening_days", "min_count", "off_duty_calls"):
        assert f"| `{key}` |" in text


# --- [sites.NAME] (issue 16: permanences, off-duty calls, topics) --------------------------


def test_sites_tables_are_read_and_checked_key_by_key() -> None:
    text = textwrap.dedent(
        """\
        [sites.schaerbeek]
        permanences = { tue = ["14:00-17:00"], thu = ["09:30-12:00"] }
        off_duty_calls = "none"
        topics = ["email", "itsme-app"]
        """
    )
    sites = parse_config(text, AdminConsoleFile).value.sites
    assert sites["schaerbeek"].off_duty_calls == "none"
    assert sites["schaerbeek"].topics == ["email", "itsme-app"]
    assert sites["schaerbeek"].rota().period_at(datetime(2026, 12, 8, 15, 0)) == (
        time(14, 0),
        time(17, 0),
    )
    assert AdminConsoleFile().sites == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[sites.evere]\npermanance = { tue = ["14:00-17:00"] }\n',
            r"line 2: unknown table \[sites\.evere\.permanance\] in \[sites\.evere\]; "
            r"did you mean \[sites\.evere\.permanences\]\?",
        ),
        (
            '[sites.evere]\noff_duty_calls = "nobody"\n',
            r"line 2: \[sites\.evere\] off_duty_calls 'nobody' is not valid: must be staff or none",
        ),
        (
            '[sites.evere]\npermanences = { tue = ["14:00-13:00"] }\n',
            r"line 2: \[sites\.evere\.permanences\] tue",
        ),
        (
            '[sites.Evere]\noff_duty_calls = "none"\n',
            r"line 1: \[sites\] Evere: a site's name must be 1-32 lower-case letters",
        ),
    ],
)
def test_a_bad_sites_table_says_where_and_what(text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        parse_config(text, AdminConsoleFile, Path("console.toml"))
