"""Load and check the guided tasks: one TOML file per task, built in and per site.

``load_catalog(folders, languages)`` reads every ``*.toml`` in each folder, in order; a task in
a later folder (a site's own folder) replaces a task with the same id from an earlier one (the
built-in tasks). A file that breaks a rule is left out, never raised: the catalog keeps a
:class:`TaskProblem` that names the file, the field and the reason, and logs it. Reloading is
loading again (``Catalog.reload``, used by the ``reload_content`` command).
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import platformdirs

from kiosk.tasks import urls
from kiosk.tasks.model import Catalog, Category, SiteDomains, Step, Task, TaskProblem, Text
from kiosk.tasks.text import clean_text
from kiosk.wire.protocol import KEY_RE, LANG_RE

log = logging.getLogger("kiosk.tasks")

REQUIRED_LANGUAGES = ("nl", "fr", "en")
BUILTIN_FOLDER = Path(__file__).with_name("builtin")
ICON_FOLDER = Path(__file__).with_name("icons")
APP_NAME = "kiosk-suite"  # the same platformdirs name as kiosk.settings
MAX_STEPS = 20
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg", ".webp")
_ICON_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_RELATIVE_FILE_RE = re.compile(r"^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$")
# Longest text, in characters, that still fits its place on the screen.
_LIMITS = {"title": 60, "summary": 300, "needs": 300, "recap": 600}
_STEP_LIMITS = {"title": 80, "body": 600, "tip": 300}
_TOP_FIELDS = frozenset(
    {"id", "category", "icon", "order", "checked", "start_url", "sources", "domains", "steps"}
    | _LIMITS.keys()
)
_STEP_FIELDS = frozenset({"image", "url_pattern"} | _STEP_LIMITS.keys())


def default_sites_folder() -> Path:
    """Where a site keeps its own task files when the configuration names no folder."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "tasks"


def default_folders(sites_folder: Path | None = None) -> tuple[Path, ...]:
    """The built-in tasks first, then the site's folder (whose tasks win on equal ids)."""
    return (BUILTIN_FOLDER, sites_folder or default_sites_folder())


def load_catalog(
    folders: Iterable[Path | str], languages: Iterable[str] = REQUIRED_LANGUAGES
) -> Catalog:
    """Every valid task of the folders; ``languages`` are those each task must have."""
    folder_list = tuple(Path(folder) for folder in folders)
    required = tuple(languages)
    by_id: dict[str, Task] = {}
    problems: list[TaskProblem] = []
    replaced: list[str] = []
    for folder in folder_list:
        seen_here: dict[str, Path] = {}
        for path in _task_files(folder):
            result = load_task_file(path, required)
            if not isinstance(result, Task):
                problems.extend(result)
                continue
            if result.id in seen_here:
                other = seen_here[result.id].name
                problems.append(TaskProblem(path, "id", f"{result.id!r} is also the id of {other}"))
                continue
            seen_here[result.id] = path
            if result.id in by_id:
                earlier = by_id[result.id].source_file
                log.info("task %s from %s replaces the one from %s", result.id, path, earlier)
                replaced.append(result.id)
            by_id[result.id] = result
    for problem in problems:
        log.warning("task left out: %s (%s)", problem, problem.file)
    order = list(Category)
    tasks = sorted(by_id.values(), key=lambda t: (order.index(t.category), t.order, t.id))
    return Catalog(folder_list, required, tuple(tasks), tuple(problems), tuple(replaced))


def _task_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        log.debug("no task folder at %s", folder)
        return []
    # offers.toml is the site's local offers for the skills check (kiosk.model.skills), no task
    return sorted(
        path
        for path in folder.glob("*.toml")
        if not path.name.startswith(".") and path.name != "offers.toml"
    )


def load_task_file(
    path: Path, languages: Iterable[str] = REQUIRED_LANGUAGES
) -> Task | list[TaskProblem]:
    """One task file: the task, or every problem found in it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        return [TaskProblem(path, "(file)", f"not valid TOML: {exc}")]
    except (OSError, UnicodeDecodeError) as exc:
        return [TaskProblem(path, "(file)", f"cannot be read: {exc}")]
    try:
        return _TaskReader(path, tuple(languages)).read(data)
    except Exception as exc:  # a bug in one file's check must not stop the others
        log.exception("unexpected error while checking %s", path)
        return [TaskProblem(path, "(file)", f"could not be checked: {exc!r}")]


class _TaskReader:
    """Checks one parsed file, collecting every problem so a coordinator can fix them at once."""

    def __init__(self, path: Path, languages: tuple[str, ...]) -> None:
        self.path = path
        self.folder = path.parent
        self.languages = languages
        self.problems: list[TaskProblem] = []
        own_offline = self.folder / "offline"
        self.offline_root = own_offline if own_offline.is_dir() else urls.PACKAGED_OFFLINE

    def fail(self, field: str, reason: str) -> None:
        self.problems.append(TaskProblem(self.path, field, reason))

    def read(self, data: dict[str, Any]) -> Task | list[TaskProblem]:
        for key in data:
            if key not in _TOP_FIELDS:
                self.fail(key, "unknown field (check the spelling)")
        task_id = self.task_id(data.get("id"))
        category = self.category(data.get("category"))
        icon = self.icon(data.get("icon"))
        texts = {
            key: self.text(data, key, key, required=key in ("title", "summary"), limit=limit)
            for key, limit in _LIMITS.items()
        }
        order = self.order(data.get("order", 500))
        checked = self.checked(data.get("checked"))
        sources = self.sources(data.get("sources"))
        domains = self.domains(data.get("domains", {}))
        allowed = frozenset(host for site in domains for host in site.hosts)
        start = self.start(data.get("start_url"), allowed)
        steps = self.steps(data.get("steps"), allowed)
        if self.problems:
            return self.problems
        assert task_id and category and icon and checked and start and sources is not None
        title, summary = texts["title"], texts["summary"]
        assert title is not None and summary is not None
        return Task(
            id=task_id,
            category=category,
            icon=icon,
            title=title,
            summary=summary,
            start=start,
            domains=domains,
            steps=steps,
            checked=checked,
            sources=sources,
            source_file=self.path,
            offline_root=self.offline_root,
            needs=texts["needs"],
            recap=texts["recap"],
            order=order,
        )

    def task_id(self, value: object) -> str | None:
        if value is None:
            self.fail("id", "missing")
        elif not isinstance(value, str) or not KEY_RE.match(value):
            self.fail("id", f"{value!r} is not an id: use small letters, digits and '-'")
        else:
            return value
        return None

    def category(self, value: object) -> Category | None:
        names = ", ".join(category.value for category in Category)
        if value is None:
            self.fail("category", f"missing (one of: {names})")
        elif value not in {category.value for category in Category}:
            self.fail("category", f"unknown category {value!r}; use one of: {names}")
        else:
            return Category(str(value))
        return None

    def icon(self, value: object) -> Path | None:
        if value is None:
            self.fail("icon", "missing")
            return None
        if isinstance(value, str) and _ICON_NAME_RE.match(value):
            path = ICON_FOLDER / f"{value}.svg"
            if path.is_file():
                return path
            known = ", ".join(sorted(p.stem for p in ICON_FOLDER.glob("*.svg")))
            self.fail("icon", f"no built-in icon {value!r} (known: {known})")
            return None
        return self.own_file("icon", value)

    def own_file(self, field: str, value: object) -> Path | None:
        """An image next to the task file (a relative path, no '..')."""
        if not isinstance(value, str) or not _RELATIVE_FILE_RE.match(value) or ".." in value:
            self.fail(field, "must be a file name relative to the task file, like 'step1.png'")
        elif not value.lower().endswith(IMAGE_SUFFIXES):
            self.fail(field, f"must be an image ({', '.join(IMAGE_SUFFIXES)})")
        elif not (self.folder / value).is_file():
            self.fail(field, f"file {value!r} not found next to the task file")
        else:
            return self.folder / value
        return None

    def text(
        self, table: Mapping[str, Any], key: str, field: str, *, required: bool, limit: int
    ) -> Text | None:
        value = table.get(key)
        if value is None:
            if required:
                self.fail(field, "missing")
            return None
        if not isinstance(value, dict):
            self.fail(field, f'must give one text per language, like {key}.nl = "…"')
            return None
        before = len(self.problems)
        texts: dict[str, str] = {}
        for lang, raw in value.items():
            where = f"{field}.{lang}"
            if not LANG_RE.match(lang):
                self.fail(where, "not a language code (two small letters, like nl)")
            elif not isinstance(raw, str) or not raw.strip():
                self.fail(where, "must be a text, not empty")
            elif len(clean := clean_text(raw)) > limit:
                self.fail(where, f"too long: {len(clean)} characters, at most {limit}")
            else:
                texts[lang] = clean
        for lang in self.languages:
            if lang not in value:
                self.fail(f"{field}.{lang}", "missing")
        return Text.of(texts) if len(self.problems) == before else None

    def order(self, value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9999:
            return value
        self.fail("order", "must be a whole number from 0 to 9999")
        return 500

    def checked(self, value: object) -> date | None:
        if value is None:
            self.fail("checked", "missing: the date the steps were last checked, like 2026-11-22")
        elif isinstance(value, datetime):  # a datetime is also a date: refuse it first
            self.fail("checked", "a date without a time, like 2026-11-22")
        elif isinstance(value, date):
            return value
        elif isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                self.fail("checked", f"{value!r} is not a date; write it as 2026-11-22")
        else:
            self.fail("checked", "must be a date, like 2026-11-22")
        return None

    def sources(self, value: object) -> tuple[str, ...] | None:
        if value is None:
            self.fail("sources", 'missing: the pages you used, like ["https://…"] (may be [])')
            return None
        if not isinstance(value, list):
            self.fail("sources", "must be a list of web addresses")
            return None
        good: list[str] = []
        for index, url in enumerate(value):
            if isinstance(url, str) and re.match(r"^https?://[^\s/]+\.[^\s/]+", url):
                good.append(url)
            else:
                self.fail(f"sources[{index}]", f"{url!r} is not a web address")
        return tuple(good)

    def domains(self, value: object) -> tuple[SiteDomains, ...]:
        if not isinstance(value, dict):
            self.fail("domains", 'must be a table of site key = ["host", …]')
            return ()
        sites: list[SiteDomains] = []
        seen: dict[str, str] = {}
        for key, hosts in value.items():
            where = f"domains.{key}"
            if not KEY_RE.match(key):
                self.fail(where, "a site key uses small letters, digits and '-' (like irisbox)")
                continue
            if not isinstance(hosts, list) or not hosts:
                self.fail(where, 'must be a list of host names, like ["www.irisbox.brussels"]')
                continue
            good: list[str] = []
            for index, host in enumerate(hosts):
                if not isinstance(host, str) or not urls.HOST_RE.match(host):
                    self.fail(f"{where}[{index}]", f"{host!r} is not a host name (no https://)")
                elif host in seen:
                    self.fail(f"{where}[{index}]", f"{host!r} is already under {seen[host]}")
                else:
                    seen[host] = key
                    good.append(host)
            sites.append(SiteDomains(key, tuple(good)))
        return tuple(sites)

    def start(self, value: object, allowed: frozenset[str]) -> Text | None:
        if value is None:
            self.fail("start_url", "missing")
            return None
        table: dict[str, Any]
        if isinstance(value, str):  # one address for every language
            table = dict.fromkeys((*self.languages, "en"), value)
            fields = dict.fromkeys(table, "start_url")
        elif isinstance(value, dict):
            table = value
            fields = {lang: f"start_url.{lang}" for lang in table}
        else:
            self.fail("start_url", "must be a web address, or one per language")
            return None
        text = self.text({"start_url": table}, "start_url", "start_url", required=True, limit=500)
        if text is None:
            return None
        for where, url in sorted({(fields[lang], url) for lang, url in text.items}):
            self.check_start_url(where, url, allowed)
        return text

    def check_start_url(self, field: str, url: str, allowed: frozenset[str]) -> None:
        if urls.is_offline(url):
            path = urls.offline_file(url, self.offline_root)
            if path is None:
                self.fail(field, f"{url!r}: write offline pages as offline:folder/page.html")
            elif not path.is_file():
                self.fail(field, f"offline page {url!r} not found in {self.offline_root}")
            return
        host = urls.https_host(url)
        if host is None:
            self.fail(field, f"{url!r} must start with https:// (or offline:)")
        elif not urls.host_allowed(host, allowed):
            self.fail(field, f"host {host!r} is not in [domains]")

    def steps(self, value: object, allowed: frozenset[str]) -> tuple[Step, ...]:
        if value is None:
            self.fail("steps", "missing: add [[steps]] blocks")
            return ()
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.fail("steps", "must be [[steps]] blocks")
            return ()
        if not 1 <= len(value) <= MAX_STEPS:
            self.fail("steps", f"has {len(value)} steps; a task has 1 to {MAX_STEPS}")
        return tuple(
            step
            for index, table in enumerate(value)
            if (step := self.step(index, table, allowed)) is not None
        )

    def step(self, index: int, table: dict[str, Any], allowed: frozenset[str]) -> Step | None:
        where = f"steps[{index}]"
        for key in table:
            if key not in _STEP_FIELDS:
                self.fail(f"{where}.{key}", "unknown field (check the spelling)")
        texts = {
            key: self.text(table, key, f"{where}.{key}", required=key != "tip", limit=limit)
            for key, limit in _STEP_LIMITS.items()
        }
        image = None if "image" not in table else self.own_file(f"{where}.image", table["image"])
        patterns = self.patterns(f"{where}.url_pattern", table.get("url_pattern"), allowed)
        title, body = texts["title"], texts["body"]
        if title is None or body is None:
            return None
        return Step(index, title, body, texts["tip"], image, patterns)

    def patterns(
        self, field: str, value: object, allowed: frozenset[str]
    ) -> tuple[re.Pattern[str], ...]:
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            self.fail(field, "must be a pattern, or a list of patterns")
            return ()
        compiled: list[re.Pattern[str]] = []
        for index, pattern in enumerate(items):
            where = field if isinstance(value, str) else f"{field}[{index}]"
            if not isinstance(pattern, str):
                self.fail(where, "must be a text")
                continue
            try:
                regex = re.compile(pattern)
            except re.error as exc:
                self.fail(where, f"not a valid regular expression: {exc}")
                continue
            if pattern.startswith("^" + urls.OFFLINE_SCHEME):
                compiled.append(regex)
                continue
            host = urls.pattern_host(pattern)
            if host is None:
                self.fail(where, r"must start with ^https:// and the host, like ^https://a\.be/")
            elif not urls.host_allowed(host, allowed):
                self.fail(where, f"host {host!r} is not in [domains]")
            else:
                compiled.append(regex)
        return tuple(compiled)
