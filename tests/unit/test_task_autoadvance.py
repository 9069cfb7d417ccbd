"""Auto-advance, proven without a browser: walking each flow moves a task through its steps.

How the *real* patterns get tested (details in tests/fixtures/mimic_sites/mimic.py):

- ``flows.toml`` lists, per task, the real addresses a visitor meets, in order
  (e.g. https://accounts.google.com/lifecycle/steps/signup/name?...).
- Every https address has a small mimic page, ``mimic_sites/TASK/HOST/PATH/index.html``, which a
  plain local HTTP server serves at ``http://127.0.0.1:PORT/TASK/HOST/PATH/``. Each page links to
  the next one of its flow.
- Before matching, ``mimic.to_real()`` rewrites the local address the server ended up at
  (after its trailing-slash redirect) into ``https://HOST/PATH/?QUERY``. Only then does
  ``Task.step_for_url`` see it, so the patterns in kiosk/tasks/builtin/*.toml are matched
  exactly as shipped. A browser test can reuse the same mapping on the address the browser
  reports.
- ``offline:`` addresses are pages shipped with the kiosk; they are resolved to the file://
  URLs a browser would load, and fed as such.
"""

from __future__ import annotations

import functools
import html
import re
import threading
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.tasks import BUILTIN_FOLDER, Task, load_catalog, resolve_offline, to_offline, urls
from tests.fixtures.mimic_sites import mimic

CATALOG = load_catalog([BUILTIN_FOLDER])
WALKS = mimic.load_walks()
BY_WALK = [pytest.param(walk, id=f"{walk.task}-{walk.lang}") for walk in WALKS]
_NEXT_RE = re.compile(r'<a id="next" href="([^"]+)"')


def task_of(walk: mimic.Walk) -> Task:
    task = CATALOG.get(walk.task)
    assert task is not None, walk.task
    return task


def browser_url(task: Task, url: str) -> str:
    """What the browser reports for a flow address: offline pages become file:// URLs."""
    return resolve_offline(url, task.offline_root)


def patterned_steps(task: Task) -> list[int]:
    return [step.index for step in task.steps if step.url_patterns]


def advance(task: Task, addresses: list[str]) -> list[int]:
    """The steps a forward-only task player shows while the browser visits ``addresses``."""
    first = task.step_for_url(addresses[0])
    assert first == 0, f"{addresses[0]} should show the first step"
    shown = [first]
    for address in addresses[1:]:
        step = task.next_step_for_url(address, shown[-1])
        if step is not None:
            shown.append(step)
    return shown


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def mimic_server() -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(mimic.ROOT))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def fetch(url: str) -> tuple[str, str]:
    """(final address after redirects, page text), never through a proxy."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5) as response:
        return response.geturl(), response.read().decode("utf-8")


def test_every_builtin_task_has_a_walk_and_its_mimic_pages() -> None:
    assert {walk.task for walk in WALKS} == {task.id for task in CATALOG.tasks()}
    expected = mimic.expected_pages()
    present = set(mimic.ROOT.rglob("index.html"))
    assert present == set(expected), "run: .venv/bin/python -m tests.fixtures.mimic_sites.mimic"
    for path, content in expected.items():
        assert path.read_text(encoding="utf-8") == content, path


@pytest.mark.parametrize("walk", BY_WALK)
def test_walking_the_flow_advances_through_every_patterned_step(walk: mimic.Walk) -> None:
    task = task_of(walk)
    assert walk.pages[0].url == task.start(walk.lang), "a walk begins at the task's start"
    addresses = [browser_url(task, page.url) for page in walk.pages]
    for address in addresses:
        assert task.step_for_url(address) is not None, f"{address} matches no step"
        assert task.allows_url(address), f"{address} is outside the allowlist"
    assert advance(task, addresses) == patterned_steps(task)


@pytest.mark.parametrize("walk", BY_WALK)
def test_the_same_walk_through_a_local_http_server(walk: mimic.Walk, mimic_server: str) -> None:
    task = task_of(walk)
    expected = [task.step_for_url(browser_url(task, page.url)) for page in walk.pages]
    https_pages = [page for page in walk.pages if page.url.startswith("https://")]
    offline_pages = walk.pages[: len(walk.pages) - len(https_pages)]
    assert walk.pages[len(offline_pages) :] == tuple(https_pages), "offline pages come first"
    reached = [task.step_for_url(browser_url(task, page.url)) for page in offline_pages]
    if https_pages:
        if offline_pages:  # the shipped page itself links to the first real site
            last_offline = browser_url(task, offline_pages[-1].url)
            shipped = urls.file_path(last_offline)
            assert shipped is not None and https_pages[0].url in shipped.read_text()
        # Ask without the final slash: the server redirects, as real sites often do.
        local = mimic.to_local(https_pages[0].url, walk.task, mimic_server).replace("/?", "?")
        local = local.removesuffix("/")
        for _ in https_pages:
            final, text = fetch(local)
            mapped_task, real = mimic.to_real(final, mimic_server)
            assert mapped_task == walk.task
            assert task.step_for_url(final) is None, "a local address alone matches nothing"
            reached.append(task.step_for_url(real))
            link = _NEXT_RE.search(text)
            if link is None:
                break
            local = mimic_server + html.unescape(link.group(1))
    assert reached == expected
    assert None not in reached


def test_patterns_look_at_the_path_not_the_query() -> None:
    gmail = CATALOG.get("gmail-account")
    assert gmail is not None
    name = "https://accounts.google.com/lifecycle/steps/signup/name"
    assert gmail.step_for_url(f"{name}?x=phone&y=terms&z=idv") == 1
    assert gmail.step_for_url(f"{name}/") == 1
    assert gmail.step_for_url("https://accounts.google.com/signin?continue=signup/password") is None
    assert gmail.step_for_url("https://mail.google.com.evil.example/") is None


def test_going_back_to_an_earlier_page_does_not_move_the_player_back() -> None:
    myminfin = CATALOG.get("myminfin-tax-document")
    assert myminfin is not None
    home = "https://eservices.minfin.fgov.be/myminfin-web/pages/home"
    assert myminfin.step_for_url(home) == 1
    assert myminfin.next_step_for_url(home, 3) is None
    assert myminfin.next_step_for_url(home.replace("home", "documents"), 3) == 4


def test_offline_addresses_round_trip_and_stay_inside_the_package() -> None:
    phishing = CATALOG.get("phishing-recognise")
    assert phishing is not None
    file_url = phishing.start_url("nl")
    assert file_url.startswith("file:///")
    assert to_offline(file_url, phishing.offline_root) == "offline:phishing/nl/index.html"
    assert phishing.step_for_url(file_url) == 0
    outside = file_url.replace("/kiosk/tasks/offline/", "/elsewhere/")
    assert phishing.step_for_url(outside) is None
    assert not phishing.allows_url(outside)
    assert not phishing.allows_url("https://www.irisbox.brussels/")
