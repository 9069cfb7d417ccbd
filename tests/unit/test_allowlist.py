"""The browser's allowlist, without Qt: which addresses a page, a frame, a resource may have."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.browser.allowlist import (
    DEFAULT_FILE,
    Allowlist,
    AllowlistError,
    HostPattern,
    is_public_host,
)

SITES = Allowlist.from_mapping(
    {
        "irisbox": ["irisbox.brussels", "*.irisbox.brussels"],
        "google": ["*.google.com"],
        "gmail": ["mail.google.com"],
        "testsite": ["127.0.0.1"],
    },
    embedded=["*.hcaptcha.com"],
)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://irisbox.brussels/", "irisbox"),
        ("https://www.irisbox.brussels/nl/login?x=1", "irisbox"),
        ("http://www.irisbox.brussels/", "irisbox"),  # the site redirects to https itself
        ("https://WWW.IRISBOX.BRUSSELS./", "irisbox"),  # case and the root dot
        ("https://a.b.irisbox.brussels/", "irisbox"),
        ("https://www.irisbox.brussels:8443/", "irisbox"),  # ports are not part of a rule
        ("http://127.0.0.1:8123/report.html", "testsite"),
        ("https://mail.google.com/", "gmail"),  # the exact host beats the wildcard
        ("https://accounts.google.com/", "google"),
        ("https://google.com/", None),  # *.google.com is subdomains only
        ("https://irisbox.brussels.evil.example/", None),
        ("https://evilirisbox.brussels/", None),
        ("https://irisbox.brussels@evil.example/", None),  # user info is not the host
        ("https://localhost/", None),
        ("ftp://irisbox.brussels/", None),
        ("ws://irisbox.brussels/", None),
        ("javascript:alert(document.cookie)", None),
        ("data:text/html,<h1>irisbox.brussels</h1>", None),
        ("file:///etc/passwd", None),
        ("about:blank", None),
        ("", None),
        ("https://[::1]:99999/", None),  # malformed port
    ],
)
def test_key_for(url: str, key: str | None) -> None:
    assert SITES.key_for(url) == key
    assert SITES.allows(url) is (key is not None)


def test_frames_also_allow_embedded_hosts_and_blank_frames() -> None:
    assert SITES.allows_frame("https://newassets.hcaptcha.com/captcha")
    assert SITES.allows_frame("about:blank") and SITES.allows_frame("about:srcdoc")
    assert SITES.allows_frame("https://www.irisbox.brussels/")
    assert not SITES.allows_frame("https://evil.example/")
    assert not SITES.allows_frame("data:text/html,hi")
    assert not SITES.allows("https://newassets.hcaptcha.com/")  # a frame, not a destination


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://cdn.jsdelivr.net/npm/x.js", True),  # real sites need their CDNs
        ("https://fonts.gstatic.com/s/font.woff2", True),
        ("wss://push.irisbox.brussels/socket", True),
        ("data:image/png;base64,AAAA", True),
        ("blob:https://www.irisbox.brussels/1234", True),
        ("http://127.0.0.1:8123/pixel.png", True),  # allowlisted, though loopback
        ("http://localhost:8123/pixel.png", False),  # the kiosk itself
        ("http://127.0.0.2/", False),
        ("http://192.168.1.1/admin", False),  # the room's router
        ("http://10.0.0.5/", False),
        ("http://169.254.169.254/latest/meta-data", False),
        ("http://[::1]/", False),
        ("http://[fe80::1]/", False),
        ("http://printer.local/", False),
        ("http://router/", False),  # a one-word name resolves inside
        ("http://nas.lan/", False),
        ("file:///etc/passwd", False),
        ("ftp://ftp.example.org/x", False),
        ("chrome://settings", False),
        ("javascript:alert(1)", False),
    ],
)
def test_resources(url: str, allowed: bool) -> None:
    assert SITES.allows_resource(url) is allowed


def test_public_host() -> None:
    assert is_public_host("www.irisbox.brussels") and is_public_host("8.8.8.8")
    assert not is_public_host("100.64.0.1")  # carrier-grade NAT: not global
    assert not is_public_host("224.0.0.1")


def test_task_folders_allow_their_files_only(tmp_path: Path) -> None:
    folder = tmp_path / "offline" / "phishing"
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("<p>practice</p>")
    (tmp_path / "secret.txt").write_text("no")
    (folder / "escape.html").symlink_to(tmp_path / "secret.txt")
    task = SITES.with_extra(folders=[folder])
    inside = (folder / "index.html").as_uri()
    assert task.allows(inside) and task.allows_resource(inside) and task.allows_frame(inside)
    assert task.key_for(inside) is None  # offline pages are not a site: no site_opened
    assert not task.allows((tmp_path / "secret.txt").as_uri())
    assert not task.allows(folder.as_uri() + "/../../secret.txt")
    assert not task.allows((folder / "escape.html").as_uri())  # a symlink out is outside
    assert not task.allows("file://otherhost" + str(folder / "index.html"))
    assert not SITES.allows(inside)  # only while the task runs


def test_with_extra_adds_a_tasks_domains_without_changing_the_original() -> None:
    task = SITES.with_extra({"mypension": ["www.mypension.be"], "irisbox": ["irisbox.be"]})
    assert task.key_for("https://www.mypension.be/nl") == "mypension"
    assert task.key_for("https://irisbox.be/") == "irisbox"
    assert task.key_for("https://www.irisbox.brussels/") == "irisbox"
    assert SITES.key_for("https://www.mypension.be/nl") is None
    assert SITES.key_for("https://irisbox.be/") is None
    with pytest.raises(AllowlistError, match=r"extra\.bad"):
        SITES.with_extra({"bad": ["*.be"]})


def test_restricted_to() -> None:
    only = SITES.restricted_to(["irisbox"])
    assert only.site_keys() == ("irisbox",)
    assert not only.allows("https://mail.google.com/")
    with pytest.raises(AllowlistError, match="unknown site key"):
        SITES.restricted_to(["nope"])


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("*.be", "too broad"),
        ("*", "not a host name"),
        ("https://irisbox.brussels", "not a host name"),
        ("irisbox.brussels/nl", "not a host name"),
        ("irisbox.brussels:443", "not a host name"),
        ("www.*.brussels", "not a host name"),
        ("*.127.0.0.1", "IP address"),
        ("", "not a host name"),
    ],
)
def test_bad_patterns_are_refused(pattern: str, problem: str) -> None:
    with pytest.raises(AllowlistError, match=problem):
        HostPattern.parse(pattern)


def test_patterns_in_other_scripts_are_compared_in_ascii() -> None:
    pattern = HostPattern.parse("*.bücher.example")
    assert pattern.host == "xn--bcher-kva.example"
    assert pattern.matches("www.xn--bcher-kva.example")


def test_the_shipped_allowlist_loads_with_the_expected_sites() -> None:
    shipped = Allowlist.default()
    for key in ("irisbox", "mybxl", "mypension", "myminfin", "csam", "itsme", "gmail"):
        assert key in shipped.site_keys()
    for key in ("outlook", "stib", "delijn", "sncb", "google-account"):
        assert key in shipped.site_keys()
    for site in shipped.sites:
        assert shipped.key_for(site.home) == site.key, site.key
    assert shipped.key_for("https://idp.iamfas.belgium.be/fas/login") == "csam"
    assert shipped.key_for("https://www.belgiantrain.be/nl") == "sncb"
    assert shipped.key_for("https://www.facebook.com/") is None
    assert shipped.allows_frame("https://www.google.com/recaptcha/api2/anchor")


def test_a_table_site_needs_a_home_on_its_own_hosts(tmp_path: Path) -> None:
    path = tmp_path / "allowlist.toml"
    path.write_text('[sites.x]\nname = "X"\nhome = "https://evil.example/"\nhosts = ["x.be"]\n')
    with pytest.raises(AllowlistError, match=r"sites\.x\.home"):
        Allowlist.load(path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[sites\nirisbox = 1", "not valid TOML"),
        ("", r"\[sites\] must list"),
        ("[sites]\nirisbox = 'irisbox.brussels'", "expected a list of hosts"),
        ("[sites]\nirisbox = ['irisbox.brussels', '*.be']", r"sites\.irisbox\.hosts\[1\]"),
        ("[sites]\nirisbox = []", "lists no host"),
        ("[sites]\nIris = ['irisbox.brussels']", "the key must be"),
        ("[sites]\nx = ['x.be']\n[other]\ny = 1", "unknown table"),
        ("[sites.x]\nhosts = ['x.be']\nurl = 'https://x.be/'", "unknown field"),
        ("[sites]\nx = ['x.be']\n[embedded]\nhosts = 'x.be'", "expected a list"),
    ],
)
def test_a_broken_file_is_named_in_the_error(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(AllowlistError, match=problem) as raised:
        Allowlist.load(path)
    assert str(path) in str(raised.value)


def test_a_missing_file_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(AllowlistError, match=r"cannot read allowlist .*nope\.toml"):
        Allowlist.load(tmp_path / "nope.toml")


def test_the_default_file_is_in_the_package() -> None:
    assert DEFAULT_FILE.parent.name == "browser" and DEFAULT_FILE.is_file()
