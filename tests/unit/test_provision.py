"""Provisioning without a broker: names, password hashes, ACL rules, files and their modes, TLS."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import ssl
import stat
import threading
import tomllib
from pathlib import Path

import pytest
from cryptography import x509

from admin_console.cli import main
from admin_console.provision import broker_dir as prov
from admin_console.provision.files import ProvisionError, account_ids, write_file
from admin_console.provision.mosquitto import (
    Account,
    BrokerLayout,
    acl_rules,
    check_password,
    hash_password,
    render_acl,
    render_conf,
    with_queue_keepers,
)
from admin_console.provision.pki import make_ca, make_server_cert
from kiosk.settings import load_settings
from kiosk.wire.broker import ConfigError, broker_from_config, load_toml

ROOT = Path(__file__).resolve().parents[2]

# Made by `mosquitto_passwd -b pw alice secret` (Mosquitto 2.0.11): our hashes must be the same.
MOSQUITTO_PASSWD_LINE = (
    "alice:$7$101$awvHILbFErhAeyJZ$RrCKL1QtdwBxaXOBGX/JP/dBoZY8wflwnx/CbtmJvj//0t8Z/"
    "FmqWx74d8v884/0GSFP5YqzleBDg+HSbWELkg=="
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def init(tmp_path: Path) -> Path:
    directory = tmp_path / "central"
    prov.init(directory, "broker.example.be", 8883, broker_user="root")
    return directory


# --- passwords ------------------------------------------------------------------------------


def test_hash_is_mosquitto_passwd_format() -> None:
    _, encoded = MOSQUITTO_PASSWD_LINE.split(":", 1)
    salt = base64.b64decode(encoded.split("$")[3])
    assert hash_password("secret", salt=salt) == encoded
    assert check_password("secret", encoded)
    assert not check_password("Secret", encoded)
    mine = hash_password("secret")
    assert re.fullmatch(r"\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==", mine)
    assert mine != hash_password("secret")  # a fresh salt each time
    assert check_password("secret", mine)


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "ident"),
    [
        ("Sara", "sara"),
        ("  Jan De Smet ", "jan-de-smet"),
        ("Zoë D'Hondt", "zoe-dhondt"),
        ("Anne_Marie.L", "anne-marie-l"),
        ("desk-2", "desk-2"),
    ],
)
def test_person_names_become_safe_ids(given: str, ident: str) -> None:
    assert prov.person_id("buddy name", given) == ident


@pytest.mark.parametrize("given", ["", "  ", "!!", "sara@home", "Michał", "x" * 33, "-", "a/b"])
def test_bad_person_names_are_refused(given: str) -> None:
    with pytest.raises(ProvisionError, match=r"buddy name .* is not valid"):
        prov.person_id("buddy name", given)


@pytest.mark.parametrize("given", ["X Y", "Schaerbeek", "-site", "a" * 33, "a.b", "a/b", "+", "#"])
def test_sites_and_machines_are_taken_as_they_are_or_refused(given: str) -> None:
    with pytest.raises(ProvisionError, match=r"site .* is not valid: use 1-32 lower-case"):
        prov.check_name("site", given)


def test_usernames_cannot_collide() -> None:
    names = {
        prov.username_for("kiosk", "a-b", "c"),
        prov.username_for("kiosk", "a", "b-c"),
        prov.username_for("buddy", "a", "b"),
        prov.username_for("admin", None, "a"),
        prov.username_for("bridge", "a"),
        prov.username_for("aggregator"),
        prov.username_for("aggregator", None, "a"),
    }
    assert len(names) == 7
    assert all(re.fullmatch(r"[a-z0-9.-]+", n) for n in names)


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("Broker.Example.BE", True),
        ("broker_1", False),
        ("-x.be", False),
        ("a b", False),
        ("", False),
    ],
)
def test_host_check(host: str, ok: bool) -> None:
    if ok:
        assert prov.check_host(host)
    else:
        with pytest.raises(ProvisionError, match=r"host .* is not valid"):
            prov.check_host(host)


# --- ACL rules ------------------------------------------------------------------------------


def test_acl_rules_per_role() -> None:
    kiosk = {(r.access, r.topic) for r in acl_rules("kiosk", "s", "m")}
    assert kiosk == {
        ("write", "kiosk/v1/s/m/events"),
        ("write", "kiosk/v1/s/m/status"),
        ("write", "kiosk/v1/s/m/help"),
        ("write", "kiosk/v1/s/m/cmd/ack"),
        ("read", "kiosk/v1/s/m/cmd"),
        ("read", "kiosk/v1/s/m/help/reply"),
        ("read", "kiosk/v1/s/_site/queue"),  # its own site's queue, read only
        ("read", "bridges/s/state"),  # its own room's line to the centre, read only
    }
    buddy = {(r.access, r.topic) for r in acl_rules("buddy", "s")}
    assert buddy == {
        ("read", "kiosk/v1/s/+/help"),
        ("read", "kiosk/v1/s/+/status"),
        ("read", "kiosk/v1/s/+/help/reply"),
        ("write", "kiosk/v1/s/+/help/reply"),
        ("read", "kiosk/v1/s/_site/queue"),
        ("read", "kiosk/v1/s/_site/duty"),
        ("write", "kiosk/v1/s/_site/checkin"),
    }
    admin = {(r.access, r.topic) for r in acl_rules("admin")}
    assert admin == {
        ("write", "kiosk/v1/+/+/cmd"),
        ("read", "kiosk/v1/+/+/cmd/ack"),
        ("read", "kiosk/v1/+/+/status"),
        ("read", "kiosk/v1/+/+/help"),
        ("read", "kiosk/v1/+/+/help/reply"),
        ("write", "kiosk/v1/+/+/help/reply"),
        ("read", "kiosk/v1/+/_site/queue"),
        ("read", "kiosk/v1/+/_site/duty"),
        ("write", "kiosk/v1/+/_site/checkin"),
        ("read", "bridges/+/state"),
    }
    assert {(r.access, r.topic) for r in acl_rules("aggregator")} == {
        ("read", "kiosk/v1/#"),
        ("read", "bridges/+/state"),
    }
    # The queue keeper has its own account (one session per username): only it may publish
    # the sites' queues and rosters.
    assert {(r.access, r.topic) for r in acl_rules("queue_keeper")} == {
        ("read", "kiosk/v1/+/+/help"),
        ("read", "kiosk/v1/+/+/help/reply"),
        ("read", "kiosk/v1/+/_site/checkin"),
        ("write", "kiosk/v1/+/_site/queue"),
        ("write", "kiosk/v1/+/_site/duty"),
        ("read", "bridges/+/state"),  # the rooms it speaks to every minute
    }
    keepers = with_queue_keepers(
        [Account("aggregator", "aggregator", "h"), Account("aggregator.b", "aggregator", "h2")]
    )
    assert [(a.username, a.role, a.password_hash) for a in keepers] == [
        ("aggregator", "aggregator", "h"),
        ("aggregator.queue_keeper", "queue_keeper", "h"),
        ("aggregator.b", "aggregator", "h2"),
        ("aggregator.b.queue_keeper", "queue_keeper", "h2"),
    ]
    bridge = acl_rules("bridge", "s")
    assert all(
        r.topic.startswith(("kiosk/v1/s/+/", "kiosk/v1/s/_site/")) or r.topic == "bridges/s/state"
        for r in bridge
    )
    # Its state (Mosquitto's notification) for its own site only; the admins read every site's.
    assert ("write", "bridges/s/state") in {(r.access, r.topic) for r in bridge}
    assert ("write", "kiosk/v1/s/_site/queue") not in {(r.access, r.topic) for r in bridge}
    assert ("write", "kiosk/v1/s/+/cmd") not in {(r.access, r.topic) for r in bridge}


def test_acl_file_has_no_rule_outside_a_user_block() -> None:
    text = render_acl(
        [Account("kiosk.s.m", "kiosk", "h", "s", "m"), Account("aggregator", "aggregator", "h")]
    )
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert lines[0].startswith("user ")  # a rule before the first user line would be anonymous
    assert "pattern" not in text
    assert text.count("user ") == 2


# --- the directory --------------------------------------------------------------------------


def test_init_writes_a_complete_directory_with_safe_modes(tmp_path: Path) -> None:
    directory = init(tmp_path)
    for name in ("ca.key", "server.key", "passwd", "acl", "registry.json", "aggregator.toml"):
        assert mode(directory / name) == 0o600, name
    for name in ("ca.crt", "server.crt", "mosquitto.conf"):
        assert mode(directory / name) == 0o644, name
    assert mode(directory / "data") == 0o700
    conf = (directory / "mosquitto.conf").read_text()
    assert f"password_file {directory}/passwd" in conf
    assert "allow_anonymous false" in conf and "listener 8883\n" in conf
    passwd = (directory / "passwd").read_text().splitlines()
    assert [line.split(":")[0] for line in passwd] == ["aggregator", "aggregator.queue_keeper"]
    config = load_toml(directory / "aggregator.toml")
    settings = broker_from_config(config, directory / "aggregator.toml")
    assert settings is not None
    assert settings.url == "mqtts://broker.example.be:8883" and settings.tls
    assert settings.ca_file is not None and settings.ca_file.resolve() == directory / "ca.crt"
    assert check_password(str(settings.password), passwd[0].split(":", 1)[1])
    registry = json.loads((directory / "registry.json").read_text())
    assert str(settings.password) not in json.dumps(registry)


def test_init_refuses_to_replace_a_ca_without_force(tmp_path: Path) -> None:
    directory = init(tmp_path)
    prov.add(directory, "kiosk", site="schaerbeek", name="pc-03")
    ca = (directory / "ca.crt").read_bytes()
    with pytest.raises(ProvisionError, match=r"already holds a broker .* --force"):
        init(tmp_path)
    assert (directory / "ca.crt").read_bytes() == ca
    result = prov.init(directory, "broker.example.be", 8883, broker_user="root", force=True)
    assert result.voided == 2
    assert (directory / "ca.crt").read_bytes() != ca
    assert not (directory / "kiosks").exists()
    assert [e.username for e in prov.accounts(directory)] == ["aggregator"]


def test_kiosk_config_is_what_the_kiosk_reads(tmp_path: Path) -> None:
    directory = init(tmp_path)
    issued = prov.add(directory, "kiosk", site="schaerbeek", name="pc-03")
    path = directory / "kiosks" / "schaerbeek" / "pc-03.toml"
    assert issued.path == path and issued.username == "kiosk.schaerbeek.pc-03"
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    raw = tomllib.loads(path.read_text())
    assert raw["broker"]["ca_file"] == "../../ca.crt"
    settings = load_settings({"config": str(path), "data_dir": str(tmp_path / "k")}, env={})
    assert (settings.site, settings.machine) == ("schaerbeek", "pc-03")
    assert settings.broker.tls and settings.broker.username == "kiosk.schaerbeek.pc-03"
    assert settings.broker.ca_file is not None and settings.broker.ca_file.exists()
    assert raw["broker"]["password"] not in repr(settings.broker)
    acl = (directory / "acl").read_text()
    assert "user kiosk.schaerbeek.pc-03\ntopic write kiosk/v1/schaerbeek/pc-03/events" in acl


def test_a_client_file_copied_without_its_ca_says_so(tmp_path: Path) -> None:
    directory = init(tmp_path)
    issued = prov.add(directory, "kiosk", site="schaerbeek", name="pc-03")
    alone = tmp_path / "usb-stick" / "pc-03.toml"
    alone.parent.mkdir()
    alone.write_text(issued.path.read_text())
    with pytest.raises(ConfigError, match=r"ca_file .*ca\.crt not found"):
        load_settings({"config": str(alone)}, env={})


def test_buddy_and_admin_and_bridge_files(tmp_path: Path) -> None:
    directory = init(tmp_path)
    buddy = prov.add(directory, "buddy", site="schaerbeek", name="Zoë D'Hondt")
    assert buddy.path == directory / "buddies" / "schaerbeek" / "zoe-dhondt.toml"
    raw = tomllib.loads(buddy.path.read_text())
    assert raw["buddy"] == {"site": "schaerbeek", "name": "Zoë D'Hondt"}
    assert raw["broker"]["username"] == "buddy.schaerbeek.zoe-dhondt"
    admin = prov.add(directory, "admin", name="Jan", ca_path="/etc/kiosk-suite/ca.crt")
    assert admin.path == directory / "admins" / "jan.toml"
    assert tomllib.loads(admin.path.read_text())["broker"]["ca_file"] == "/etc/kiosk-suite/ca.crt"
    bridge = prov.add(directory, "bridge", site="evere")
    text = bridge.path.read_text()
    assert mode(bridge.path) == 0o600
    assert "remote_username bridge.evere\n" in text and "address broker.example.be:8883\n" in text
    assert "topic kiosk/v1/evere/+/cmd in 1" in text
    assert "notifications true\nnotification_topic bridges/evere/state\n" in text
    extra = prov.add(directory, "aggregator", name="agg-2")
    assert extra.path == directory / "aggregators" / "agg-2.toml"
    users = [e.username for e in prov.accounts(directory)]
    assert users == [
        "admin.jan",
        "aggregator",
        "aggregator.agg-2",
        "bridge.evere",
        "buddy.schaerbeek.zoe-dhondt",
    ]


def test_duplicates_rotation_and_revocation(tmp_path: Path) -> None:
    directory = init(tmp_path)
    prov.add(directory, "kiosk", site="schaerbeek", name="pc-03")
    path = directory / "kiosks" / "schaerbeek" / "pc-03.toml"
    first = tomllib.loads(path.read_text())["broker"]["password"]
    with pytest.raises(ProvisionError, match=r"already has a credential .* --rotate"):
        prov.add(directory, "kiosk", site="schaerbeek", name="pc-03")
    with pytest.raises(ProvisionError, match=r"no credential kiosk.schaerbeek.pc-04 to rotate"):
        prov.add(directory, "kiosk", site="schaerbeek", name="pc-04", rotate=True)
    assert prov.add(directory, "kiosk", site="schaerbeek", name="pc-03", rotate=True).rotated
    second = tomllib.loads(path.read_text())["broker"]["password"]
    assert first != second
    line = next(
        ln for ln in (directory / "passwd").read_text().splitlines() if ln.startswith("kiosk.")
    )
    assert check_password(second, line.split(":", 1)[1])
    assert not check_password(first, line.split(":", 1)[1])

    entry = prov.revoke(directory, "kiosk", "schaerbeek/pc-03")
    assert entry.username == "kiosk.schaerbeek.pc-03"
    assert not path.exists()
    assert "kiosk.schaerbeek.pc-03" not in (directory / "passwd").read_text()
    assert "kiosk.schaerbeek.pc-03" not in (directory / "acl").read_text()
    with pytest.raises(ProvisionError, match=r"no credential kiosk.schaerbeek.pc-03"):
        prov.revoke(directory, "kiosk", "schaerbeek/pc-03")
    with pytest.raises(ProvisionError, match="machine '' is not valid"):
        prov.revoke(directory, "kiosk", "schaerbeek")


def test_files_keep_their_mode_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        write_file(tmp_path / "secret", "x", 0o600)
        write_file(tmp_path / "public", "x", 0o644)
    finally:
        os.umask(old)
    old = os.umask(0o077)
    try:
        write_file(tmp_path / "public2", "x", 0o644)
    finally:
        os.umask(old)
    assert mode(tmp_path / "secret") == 0o600
    assert mode(tmp_path / "public") == 0o644
    assert mode(tmp_path / "public2") == 0o644
    assert not list(tmp_path.glob(".*tmp*"))


def test_broker_account_owns_what_the_broker_reads(tmp_path: Path) -> None:
    """As root, by default the files the broker reads belong to 'mosquitto' (it reads them after
    dropping privileges); otherwise everything belongs to whoever provisions."""
    directory = tmp_path / "central"
    result = prov.init(directory, "127.0.0.1", 8883)
    conf = (directory / "mosquitto.conf").read_text()
    mosquitto = account_ids("mosquitto")
    if os.geteuid() == 0 and mosquitto is not None:
        assert result.broker_user == "mosquitto" and "\nuser mosquitto\n" in conf
        for name in ("passwd", "acl", "server.key", "data"):
            assert (directory / name).stat().st_uid == mosquitto[0], name
        assert (directory / "ca.key").stat().st_uid == 0
        assert (directory / "registry.json").stat().st_uid == 0
        if result.warnings:  # e.g. pytest's 0700 /tmp/pytest-of-root
            assert "cannot enter" in result.warnings[0]
    else:
        assert "\nuser " not in conf
        for name in ("passwd", "acl", "server.key", "ca.key"):
            assert (directory / name).stat().st_uid == os.geteuid(), name


# --- certificates ---------------------------------------------------------------------------


def tls_handshake(ca_file: Path, cert_pem: bytes, key_pem: bytes, name: str, tmp: Path) -> None:
    """A real TLS handshake over a socket pair, client verifying as kiosk/wire/broker.py does."""
    (tmp / "s.crt").write_bytes(cert_pem)
    (tmp / "s.key").write_bytes(key_pem)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tmp / "s.crt", tmp / "s.key")
    client_ctx = ssl.create_default_context(cafile=str(ca_file))
    left, right = socket.socketpair()
    errors: list[BaseException] = []

    def serve() -> None:
        try:
            with server_ctx.wrap_socket(right, server_side=True):
                pass
        except (ssl.SSLError, OSError) as err:
            errors.append(err)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with client_ctx.wrap_socket(left, server_hostname=name):
            pass
    finally:
        left.close()
        thread.join(10)
        right.close()


@pytest.mark.parametrize("host", ["broker.example.be", "192.0.2.10"])
def test_server_certificate_verifies_for_its_names_only(tmp_path: Path, host: str) -> None:
    ca = make_ca("test CA")
    server = make_server_cert(ca, host, 30)
    ca_file = tmp_path / "ca.crt"
    ca_file.write_bytes(ca.cert_pem)
    cert = x509.load_pem_x509_certificate(server.cert_pem)
    cert.verify_directly_issued_by(x509.load_pem_x509_certificate(ca.cert_pem))
    for name in (host, "localhost", "127.0.0.1"):
        tls_handshake(ca_file, server.cert_pem, server.key_pem, name, tmp_path)
    with pytest.raises(ssl.SSLCertVerificationError, match=r"match|mismatch"):
        tls_handshake(ca_file, server.cert_pem, server.key_pem, "other.example.be", tmp_path)
    other = tmp_path / "other-ca.crt"
    other.write_bytes(make_ca("another CA").cert_pem)
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        tls_handshake(other, server.cert_pem, server.key_pem, host, tmp_path)


def test_server_certificate_renewal_keeps_the_ca(tmp_path: Path) -> None:
    directory = init(tmp_path)
    ca, cert = (directory / "ca.crt").read_bytes(), (directory / "server.crt").read_bytes()
    names, _ = prov.renew_server_cert(directory, 90)
    assert names == ["broker.example.be", "localhost", "127.0.0.1"]
    assert (directory / "ca.crt").read_bytes() == ca
    assert (directory / "server.crt").read_bytes() != cert
    assert mode(directory / "server.key") == 0o600


# --- the reference copies in broker_config/ -------------------------------------------------


def directives(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def test_reference_config_is_what_init_writes() -> None:
    layout = BrokerLayout(Path("/etc/mosquitto/kiosk-suite"), 8883, None, "mosquitto")
    reference = (ROOT / "broker_config" / "mosquitto-prod.conf").read_text()
    assert directives(reference) == directives(render_conf(layout))
    dev = directives((ROOT / "broker_config" / "mosquitto-dev.conf").read_text())
    for setting in dev:  # the throughput and no-drop settings carry over
        if setting.split()[0] in {
            "set_tcp_nodelay",
            "max_inflight_messages",
            "max_queued_messages",
            "max_queued_bytes",
            "max_packet_size",
            "persistence",
            "autosave_interval",
        }:
            assert setting in directives(reference), setting


def test_reference_bridge_is_what_provision_bridge_writes(tmp_path: Path) -> None:
    directory = tmp_path / "central"
    prov.init(directory, "broker.example.be", 8883, broker_user="root")
    issued = prov.add(
        directory, "bridge", site="schaerbeek", ca_path="/etc/mosquitto/site/central-ca.crt"
    )
    generated = directives(issued.path.read_text())
    password = next(ln for ln in generated if ln.startswith("remote_password "))
    reference = directives((ROOT / "broker_config" / "bridge-site.conf").read_text())
    assert [password if ln.startswith("remote_password ") else ln for ln in reference] == generated


# --- the command line -----------------------------------------------------------------------


def test_cli_never_prints_a_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = str(tmp_path / "central")
    assert (
        main(["provision", "init", "--dir", d, "--host", "127.0.0.1", "--broker-user", "root"]) == 0
    )
    assert (
        main(["provision", "kiosk", "--dir", d, "--site", "schaerbeek", "--machine", "pc-03"]) == 0
    )
    assert main(["provision", "buddy", "--dir", d, "--site", "schaerbeek", "--name", "Sara"]) == 0
    assert main(["provision", "admin", "--dir", d, "--name", "Jan"]) == 0
    assert main(["provision", "bridge", "--dir", d, "--site", "evere"]) == 0
    assert main(["provision", "aggregator", "--dir", d, "--rotate"]) == 0
    assert main(["provision", "list", "--dir", d]) == 0
    assert main(["provision", "server-cert", "--dir", d]) == 0
    assert main(["provision", "refresh", "--dir", d]) == 0
    assert main(["provision", "revoke", "--dir", d, "--buddy", "schaerbeek/Sara"]) == 0
    out, err = capsys.readouterr()
    secrets = [tomllib.loads(p.read_text())["broker"]["password"] for p in Path(d).rglob("*.toml")]
    secrets.append(
        next(
            ln.split()[1]
            for ln in (Path(d) / "bridges" / "evere.conf").read_text().splitlines()
            if ln.startswith("remote_password")
        )
    )
    assert len(secrets) == 4  # aggregator, kiosk, admin, bridge
    for secret in secrets:
        assert secret not in out and secret not in err
    assert "kiosk.schaerbeek.pc-03" in out and "revoked buddy schaerbeek/sara" in out
    assert "$7$" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["kiosk", "--site", "X Y", "--machine", "pc-1"], "site 'X Y' is not valid"),
        (["buddy", "--site", "evere", "--name", "!!"], "buddy name '!!' is not valid"),
        (["revoke", "--kiosk", "evere/pc-9"], "there is no credential kiosk.evere.pc-9"),
        (["init", "--host", "h.example"], "already holds a broker (ca.crt); use --force"),
        (["init", "--host", "bad host"], "host 'bad host' is not valid"),
    ],
)
def test_cli_errors_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    d = str(tmp_path / "central")
    assert (
        main(["provision", "init", "--dir", d, "--host", "h.example", "--broker-user", "root"]) == 0
    )
    capsys.readouterr()
    assert main(["provision", argv[0], "--dir", d, *argv[1:]]) == 2
    _, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("admin-console: ") and message in err


def test_cli_needs_an_initialised_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["provision", "admin", "--dir", str(tmp_path), "--name", "Jan"]) == 2
    assert "is not a broker directory (no registry.json)" in capsys.readouterr().err


def test_provision_error_is_a_config_error() -> None:
    assert issubclass(ProvisionError, ConfigError)
