"""The task catalog loader: broken files are left out with file, field and reason; the rest loads.

These tests write task files into temporary folders, the way a coordinator would.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from kiosk.tasks import (
    BUILTIN_FOLDER,
    Category,
    TaskProblem,
    default_folders,
    default_sites_folder,
    load_catalog,
    load_task_file,
)
from kiosk.tasks import catalog as catalog_module
from kiosk.tasks.__main__ import main as check_main

VALID = textwrap.dedent(
    r"""
    id = "example-task"
    category = "government"
    icon = "document"
    checked = 2026-11-22
    sources = ["https://www.example.be/help"]
    start_url = "https://www.example.be/start"
    title.nl = "Een voorbeeld"
    title.fr = "Un exemple"
    title.en = "An example"
    summary.nl = "U oefent met een voorbeeld."
    summary.fr = "Vous vous exercez avec un exemple."
    summary.en = "You practise with an example."

    [domains]
    example = ["www.example.be", "login.example.be"]
    partner = ["*.partner.be"]

    [[steps]]
    url_pattern = '^https://www\.example\.be/'
    title.nl = "Begin"
    title.fr = "Début"
    title.en = "Start"
    body.nl = "Open de pagina."
    body.fr = "Ouvrez la page."
    body.en = "Open the page."

    [[steps]]
    url_pattern = '^https://login\.example\.be/'
    title.nl = "Aanmelden"
    title.fr = "Connexion"
    title.en = "Log in"
    body.nl = "Meld u aan."
    body.fr = "Connectez-vous."
    body.en = "Log in."
    tip.nl = "Neem uw kaart."
    tip.fr = "Prenez votre carte."
    tip.en = "Take your card."

    [[steps]]
    url_pattern = ['^https://www\.example\.be/[^?#]*done', '^https://app\.partner\.be/']
    title.nl = "Klaar"
    title.fr = "Fini"
    title.en = "Done"
    body.nl = "Het is gelukt."
    body.fr = "C'est réussi."
    body.en = "It worked."
    """
)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def edit(old: str, new: str) -> str:
    """VALID with one exact piece replaced (it must occur, so a typo here fails loudly)."""
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def test_a_valid_task_loads_with_all_its_parts(tmp_path: Path) -> None:
    write(tmp_path, "example.toml", VALID)
    catalog = load_catalog([tmp_path])
    assert catalog.problems == ()
    task = catalog.get("example-task")
    assert task is not None
    assert task.title("fr") == "Un exemple"
    assert task.title("de") == "An example"  # requested → en → nl
    assert task.category is Category.GOVERNMENT
    assert task.icon.name == "document.svg" and task.icon.is_file()
    assert task.checked == date(2026, 11, 22)
    assert task.start_url("nl") == "https://www.example.be/start"
    assert [step.index for step in task.steps] == [0, 1, 2]
    assert task.steps[1].tip is not None and task.steps[1].tip("en") == "Take your card."
    assert task.steps[0].tip is None
    assert task.allowed_hosts() == {"www.example.be", "login.example.be", "*.partner.be"}
    assert [site.key for site in task.domains] == ["example", "partner"]
    assert "example-task" in catalog and len(catalog) == 1


BROKEN = [
    pytest.param(
        edit('summary.nl = "U oefent met een voorbeeld."\n', ""),
        "summary.nl",
        "missing",
        id="missing-language",
    ),
    pytest.param(
        re.sub(r"summary\.\w\w = .*\n", "", VALID), "summary", "missing", id="missing-field"
    ),
    pytest.param(edit('title.fr = "Connexion"\n', ""), "steps[1].title.fr", "missing", id="step"),
    pytest.param(edit('"example-task"', '"Example Task"'), "id", "not an id", id="bad-id"),
    pytest.param(edit('"government"', '"mail"'), "category", "unknown category", id="category"),
    pytest.param(
        edit("'^https://login\\.example\\.be/'", "'^https://login\\.example\\.be/(unclosed'"),
        "steps[1].url_pattern",
        "not a valid regular expression",
        id="bad-regex",
    ),
    pytest.param(edit("2026-11-22", '"22/11/2026"'), "checked", "not a date", id="bad-date"),
    pytest.param(
        edit("2026-11-22", "2026-11-22T10:00:00"), "checked", "without a time", id="datetime"
    ),
    pytest.param(edit("checked = 2026-11-22\n", ""), "checked", "missing", id="no-date"),
    pytest.param(edit('id = "example-task"', "id = "), "(file)", "not valid TOML", id="toml"),
    pytest.param(
        edit('start_url = "https://www.example.be/start"', 'start_url = "https://evil.be/"'),
        "start_url",
        "not in [domains]",
        id="start-outside-allowlist",
    ),
    pytest.param(
        edit('start_url = "https://www.example.be/start"', 'start_url = "http://www.example.be/"'),
        "start_url",
        "must start with https://",
        id="start-not-https",
    ),
    pytest.param(
        edit("'^https://www\\.example\\.be/'", "'^https://www\\.evil\\.be/'"),
        "steps[0].url_pattern",
        "not in [domains]",
        id="pattern-outside-allowlist",
    ),
    pytest.param(
        edit("'^https://www\\.example\\.be/'", "'^https://.*example'"),
        "steps[0].url_pattern",
        "must start with ^https:// and the host",
        id="pattern-host-not-literal",
    ),
    pytest.param(
        edit("'^https://app\\.partner\\.be/'", "'^https://www\\.evil\\.be/'"),
        "steps[2].url_pattern[1]",
        "not in [domains]",
        id="pattern-list-item",
    ),
    pytest.param(edit("checked =", 'needz.nl = "x"\nchecked ='), "needz", "unknown", id="typo"),
    pytest.param(VALID.replace("tip.", "tips."), "steps[1].tips", "unknown field", id="step-typo"),
    pytest.param(
        edit("partner = ", 'Bad_Key = ["x.be"]\npartner = '),
        "domains.Bad_Key",
        "site key",
        id="bad-site-key",
    ),
    pytest.param(
        edit('"login.example.be"]', '"login.example.be", "https://x.be"]'),
        "domains.example[2]",
        "not a host name",
        id="host-with-scheme",
    ),
    pytest.param(
        edit('"*.partner.be"]', '"*.partner.be", "www.example.be"]'),
        "domains.partner[1]",
        "already under example",
        id="host-twice",
    ),
    pytest.param(
        edit('start_url = "https://www.example.be/start"', 'start_url = "offline:none/x.html"'),
        "start_url",
        "not found",
        id="offline-missing",
    ),
    pytest.param(
        edit('start_url = "https://www.example.be/start"', 'start_url = "offline:../x.html"'),
        "start_url",
        "offline:folder/page.html",
        id="offline-escape",
    ),
    pytest.param(edit('"document"', '"rocket"'), "icon", "no built-in icon", id="icon"),
    pytest.param(
        edit('body.nl = "Open de pagina."', 'image = "step1.png"\nbody.nl = "Open de pagina."'),
        "steps[0].image",
        "not found",
        id="image-missing",
    ),
    pytest.param(
        edit('title.nl = "Een voorbeeld"', f'title.nl = "{"Heel lang " * 8}"'),
        "title.nl",
        "too long",
        id="title-too-long",
    ),
    pytest.param(
        edit('body.en = "Open the page."', 'body.en = "  "'),
        "steps[0].body.en",
        "not empty",
        id="empty-body",
    ),
    pytest.param(VALID.split("[[steps]]")[0], "steps", "missing", id="no-steps"),
]


@pytest.mark.parametrize(("text", "field", "reason"), BROKEN)
def test_a_broken_file_is_left_out_with_file_field_and_reason(
    tmp_path: Path, text: str, field: str, reason: str
) -> None:
    good = write(tmp_path, "a-good.toml", VALID.replace("example-task", "good-task"))
    broken = write(tmp_path, "broken.toml", text.replace("example-task", "broken-task"))
    catalog = load_catalog([tmp_path])
    assert [task.id for task in catalog.tasks()] == ["good-task"]
    assert catalog.get("good-task") is not None
    assert catalog.get("good-task").source_file == good  # type: ignore[union-attr]
    assert [(p.file, p.field) for p in catalog.problems] == [(broken, field)], catalog.problems
    problem = catalog.problems[0]
    assert reason in problem.reason
    assert str(problem) == f"broken.toml: {field}: {problem.reason}"


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = edit('"government"', '"mail"').replace('title.fr = "Un exemple"\n', "")
    text = text.replace("checked = 2026-11-22", 'checked = "soon"')
    path = write(tmp_path, "three.toml", text)
    problems = load_task_file(path)
    assert isinstance(problems, list)
    assert {(p.field, p.file) for p in problems} == {
        ("category", path),
        ("title.fr", path),
        ("checked", path),
    }


def test_problems_are_logged_with_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, "gmail.toml", edit('"government"', '"mail"'))
    with caplog.at_level(logging.WARNING, logger="kiosk.tasks"):
        catalog = load_catalog([tmp_path])
    assert len(catalog) == 0
    assert "gmail.toml: category: unknown category 'mail'" in caplog.text


def test_a_bug_in_the_checker_does_not_crash_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "example.toml", VALID)

    def explode(self: object, data: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(catalog_module._TaskReader, "read", explode)
    catalog = load_catalog([tmp_path])
    assert len(catalog) == 0
    assert [(p.field, "boom" in p.reason) for p in catalog.problems] == [("(file)", True)]


def test_a_site_task_with_the_same_id_replaces_the_builtin(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write(site, "my-gmail.toml", edit('"example-task"', '"gmail-account"'))
    catalog = load_catalog([BUILTIN_FOLDER, site])
    builtin = load_catalog([BUILTIN_FOLDER])
    assert catalog.problems == ()
    assert len(catalog) == len(builtin)  # replaced, not added
    task = catalog.get("gmail-account")
    assert task is not None and task.source_file == site / "my-gmail.toml"
    assert task.title("en") == "An example"
    assert catalog.replaced == ("gmail-account",)
    assert {t.id for t in catalog} == {t.id for t in builtin}


def test_a_broken_site_override_keeps_the_builtin(tmp_path: Path) -> None:
    site = tmp_path / "site"
    broken = edit('"example-task"', '"gmail-account"').replace("[[steps]]", "[[stepz]]", 1)
    write(site, "my-gmail.toml", broken)
    catalog = load_catalog([BUILTIN_FOLDER, site])
    task = catalog.get("gmail-account")
    assert task is not None and task.source_file.parent == BUILTIN_FOLDER
    assert [p.field for p in catalog.problems] == ["stepz"]
    assert catalog.replaced == ()


def test_two_files_with_one_id_in_a_folder_keep_the_first(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", VALID)
    write(tmp_path, "b.toml", VALID.replace('title.en = "An example"', 'title.en = "Other"'))
    catalog = load_catalog([tmp_path])
    assert [t.title("en") for t in catalog] == ["An example"]
    assert [str(p) for p in catalog.problems] == [
        "b.toml: id: 'example-task' is also the id of a.toml"
    ]


def test_reload_reads_the_folders_again(tmp_path: Path) -> None:
    path = write(tmp_path, "example.toml", VALID)
    first = load_catalog([tmp_path])
    path.write_text(VALID.replace('"An example"', '"Changed"'), encoding="utf-8")
    write(tmp_path, "second.toml", VALID.replace("example-task", "second-task"))
    write(tmp_path, "broken.toml", "id = ")
    second = first.reload()
    assert first.get("example-task").title("en") == "An example"  # type: ignore[union-attr]
    assert second.get("example-task").title("en") == "Changed"  # type: ignore[union-attr]
    assert [t.id for t in second] == ["example-task", "second-task"]
    assert [p.file.name for p in second.problems] == ["broken.toml"]
    path.unlink()
    assert [t.id for t in second.reload()] == ["second-task"]


def test_missing_site_folder_means_builtin_tasks_only(tmp_path: Path) -> None:
    folders = default_folders(tmp_path / "not-there")
    assert folders == (BUILTIN_FOLDER, tmp_path / "not-there")
    catalog = load_catalog(folders)
    assert catalog.problems == () and len(catalog) == 8
    assert default_sites_folder().parts[-2:] == ("kiosk-suite", "tasks")
    assert default_folders()[1] == default_sites_folder()


def test_tasks_are_ordered_by_category_then_order_then_id(tmp_path: Path) -> None:
    write(tmp_path, "z.toml", VALID.replace("example-task", "zz").replace("government", "email"))
    write(tmp_path, "b.toml", VALID.replace("example-task", "bb"))
    write(
        tmp_path, "a.toml", VALID.replace("example-task", "aa").replace("icon", "order = 1\nicon")
    )
    catalog = load_catalog([tmp_path])
    assert [t.id for t in catalog.tasks()] == ["zz", "aa", "bb"]
    assert [t.id for t in catalog.tasks(Category.GOVERNMENT)] == ["aa", "bb"]
    assert catalog.categories() == (Category.EMAIL, Category.GOVERNMENT)
    assert Category.GOVERNMENT.label("nl") == "Overheid en gemeente"
    assert Category.EMAIL.label("xx") == "E-mail"


def test_languages_required_are_a_parameter(tmp_path: Path) -> None:
    only_nl = "\n".join(line for line in VALID.splitlines() if not re.search(r"\.(fr|en) = ", line))
    write(tmp_path, "nl.toml", only_nl)
    assert [p.field for p in load_catalog([tmp_path]).problems][:2] == ["title.fr", "title.en"]
    catalog = load_catalog([tmp_path], languages=["nl"])
    task = catalog.get("example-task")
    assert catalog.problems == () and task is not None
    assert task.title("fr") == "Een voorbeeld"  # fr → en → nl
    assert task.title.has("nl") and not task.title.has("fr")


def test_a_date_may_also_be_written_as_text(tmp_path: Path) -> None:
    write(tmp_path, "example.toml", edit("2026-11-22", '"2026-11-21"'))
    task = load_catalog([tmp_path]).get("example-task")
    assert task is not None and task.checked == date(2026, 11, 21)
    assert task.age_days(date(2026, 12, 1)) == 10


def test_step_for_url_gives_the_highest_matching_step(tmp_path: Path) -> None:
    write(tmp_path, "example.toml", VALID)
    task = load_catalog([tmp_path]).get("example-task")
    assert task is not None
    assert task.step_for_url("https://www.example.be/start") == 0
    assert task.step_for_url("https://login.example.be/form?x=1") == 1
    assert task.step_for_url("https://www.example.be/all/done") == 2  # 0 and 2 match
    assert task.step_for_url("https://app.partner.be/") == 2
    assert task.step_for_url("https://www.other.be/") is None
    assert task.step_for_url("http://www.example.be/") is None
    assert task.next_step_for_url("https://www.example.be/start", 1) is None  # never back
    assert task.next_step_for_url("https://www.example.be/done", 1) == 2


@pytest.mark.parametrize(
    ("url", "allowed", "key"),
    [
        ("https://www.example.be/anything?q=1", True, "example"),
        ("https://login.example.be/", True, "example"),
        ("https://app.partner.be/x", True, "partner"),  # *.partner.be
        ("https://deep.app.partner.be/x", True, "partner"),
        ("https://partner.be/", False, None),  # the wildcard covers subdomains only
        ("https://notpartner.be/", False, None),
        ("http://www.example.be/", False, None),
        ("https://www.example.be:8443/", False, None),
        ("https://www.example.be@evil.be/", False, None),
        ("https://www.example.be.evil.be/", False, None),
        ("file:///etc/passwd", False, None),
        ("javascript:alert(1)", False, None),
    ],
)
def test_allows_url_and_site_keys(tmp_path: Path, url: str, allowed: bool, key: str | None) -> None:
    write(tmp_path, "example.toml", VALID)
    task = load_catalog([tmp_path]).get("example-task")
    assert task is not None
    assert task.allows_url(url) is allowed
    assert task.site_key_for(url) == key


def test_offline_start_pages_resolve_to_file_urls(tmp_path: Path) -> None:
    text = edit(
        'start_url = "https://www.example.be/start"',
        'start_url.nl = "offline:phishing/nl/index.html"\n'
        'start_url.fr = "offline:phishing/fr/index.html"\n'
        'start_url.en = "offline:phishing/en/index.html"',
    ).replace("'^https://www\\.example\\.be/'", "'^offline:phishing/[a-z]{2}/sms\\.html$'")
    write(tmp_path, "example.toml", text)
    catalog = load_catalog([tmp_path])
    assert catalog.problems == ()
    task = catalog.get("example-task")
    assert task is not None
    url = task.start_url("fr")
    assert url.startswith("file:///") and url.endswith("/offline/phishing/fr/index.html")
    sms = url.replace("index.html", "sms.html")
    assert task.step_for_url(sms) == 0
    assert task.allows_url(sms) and task.allows_url("offline:phishing/en/done.html")
    assert not task.allows_url(url.replace("phishing/fr/index.html", "transport/fr/index.html"))
    assert not task.allows_url("file:///etc/passwd")
    assert task.step_for_url("file:///tmp/phishing/nl/sms.html") is None


def test_a_site_folder_may_ship_its_own_offline_pages(tmp_path: Path) -> None:
    write(tmp_path / "offline" / "printer", "index.html", "<p>Printer</p>")
    text = edit(
        'start_url = "https://www.example.be/start"', 'start_url = "offline:printer/index.html"'
    )
    write(tmp_path, "example.toml", text)
    task = load_catalog([tmp_path]).get("example-task")
    assert task is not None
    assert task.start_url("nl") == (tmp_path / "offline/printer/index.html").resolve().as_uri()
    assert task.offline_folders() == ((tmp_path / "offline/printer").resolve(),)


def test_a_step_image_next_to_the_task_file(tmp_path: Path) -> None:
    write(tmp_path, "step1.png", "not really a png, only its name matters here")
    text = edit('body.nl = "Open de pagina."', 'image = "step1.png"\nbody.nl = "Open de pagina."')
    write(tmp_path, "example.toml", text)
    task = load_catalog([tmp_path]).get("example-task")
    assert task is not None and task.steps[0].image == tmp_path / "step1.png"


def test_problem_text_names_file_field_and_reason() -> None:
    problem = TaskProblem(Path("/x/gmail.toml"), "steps[2].title.fr", "missing")
    assert str(problem) == "gmail.toml: steps[2].title.fr: missing"


def test_the_check_command_reports_problems_and_replacements(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "my-gmail.toml", edit('"example-task"', '"gmail-account"'))
    write(tmp_path, "broken.toml", edit('"government"', '"mail"'))
    assert check_main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "PROBLEM  broken.toml: category: unknown category 'mail'" in out
    assert "REPLACES gmail-account" in out
    assert "8 tasks, 1 problem(s)" in out
    (tmp_path / "broken.toml").unlink()
    assert check_main(["check", str(tmp_path), "--max-age-days", "100000"]) == 0
    assert "0 problem(s), 0 warning(s)" in capsys.readouterr().out


def test_the_example_in_the_coordinators_guide_loads(tmp_path: Path) -> None:
    guide = Path(__file__).resolve().parents[2] / "docs" / "writing-a-task.md"
    example = re.search(r"```toml\n(.*?)```", guide.read_text(encoding="utf-8"), re.S)
    assert example is not None
    write(tmp_path, "booking-calendar.png", "a picture")
    write(tmp_path, "library-pc-booking.toml", example.group(1))
    catalog = load_catalog([tmp_path])
    assert catalog.problems == ()
    task = catalog.get("library-pc-booking")
    assert task is not None and task.category is Category.OTHER
    assert task.step_for_url("https://www.library.example/booking/day/confirm?x=1") == 1
    assert task.site_key_for("https://sso.login.library.example/") == "library-login"


def test_the_task_package_stays_qt_free() -> None:
    code = (
        "import sys, kiosk.tasks, kiosk.tasks.text, kiosk.tasks.__main__;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
