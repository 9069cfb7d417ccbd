"""What the browser refuses and says, without Qt: downloads, bursts, failures, texts."""

from __future__ import annotations

import pytest

from kiosk.browser import policy
from kiosk.i18n import KIOSK, Texts


@pytest.mark.parametrize(
    ("name", "mime", "kind"),
    [
        ("Aanslagbiljet 2026.pdf", "application/pdf", "pdf"),
        ("SCAN.JPG", "image/jpeg", "image"),
        ("formulier.docx", "", "document"),
        ("notes.txt", "text/plain", "text"),
        ("setup.exe", "application/octet-stream", None),
        ("installer.msi", "", None),
        ("run.bat", "", None),
        ("run.cmd", "", None),
        ("screen.scr", "", None),
        ("script.js", "", None),
        ("macro.vbs", "", None),
        ("power.ps1", "", None),
        ("archive.zip", "", None),
        ("app.apk", "", None),
        ("invoice.pdf.exe", "", None),  # the last extension counts
        ("invoice.pdf", "application/x-msdownload", None),  # so does the announced type
        ("invoice.pdf", "application/x-msdownload; charset=binary", None),
        ("no-extension", "application/pdf", None),
    ],
)
def test_download_decisions(name: str, mime: str, kind: str | None) -> None:
    assert policy.decide_download(name, mime).kind == kind


@pytest.mark.parametrize(
    ("suggested", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Windows\\evil.pdf", "evil.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ('a<b>:"c|?*.pdf', "a_b_c_.pdf"),
        ("line\nbreak.pdf", "line_break.pdf"),
        ("", "download"),
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
    ],
)
def test_file_names_are_made_safe(suggested: str, safe: str) -> None:
    assert policy.safe_file_name(suggested) == safe


def test_unique_names() -> None:
    assert policy.unique_name("a.pdf", set()) == "a.pdf"
    assert policy.unique_name("a.pdf", {"a.pdf"}) == "a (2).pdf"
    assert policy.unique_name("a.pdf", {"a.pdf", "a (2).pdf"}) == "a (3).pdf"


def test_budget_refuses_a_burst_and_recovers() -> None:
    now = [0.0]
    budget = policy.Budget(3, 10.0, clock=lambda: now[0])
    assert [budget.take() for _ in range(5)] == [True, True, True, False, False]
    assert budget.refused_in_row == 2
    now[0] = 9.9
    assert not budget.take()
    now[0] = 10.0
    assert budget.take() and budget.refused_in_row == 0


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (0, None),
        (-3, None),  # aborted: refused by the kiosk itself, or the visitor went on
        (-10, policy.SITE_NOT_ALLOWED),
        (-20, policy.SITE_NOT_ALLOWED),
        (-310, policy.REDIRECT_LOOP),
        (-105, policy.LOAD_FAILED),  # name not resolved (offline)
        (-202, policy.LOAD_FAILED),  # bad certificate: never clicked through
    ],
)
def test_load_errors(code: int, reason: str | None) -> None:
    assert policy.reason_for_load_error(code) == reason


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_every_reason_has_its_words_in_every_language(lang: str) -> None:
    texts = KIOSK.catalog(lang)
    keys = {key for pair in policy.PAGE_TEXT.values() for key in pair}
    keys |= set(policy.NOTICE_TEXT.values())
    keys |= {"browser_blocked_back", "browser_blocked_help"}
    missing = sorted(key for key in keys if not texts.has(key))
    assert not missing, missing


def test_blocked_page_is_plain_escaped_and_in_the_visitors_language() -> None:
    page = policy.blocked_page_html(Texts("fr"), policy.SITE_NOT_ALLOWED)
    assert '<html lang="fr">' in page
    assert Texts("fr")("browser_blocked_title") in page.replace("&#x27;", "'")
    assert "Appeler un bénévole" in page  # the button's words (issue 17: not "buddy")
    assert "<script" not in page and "default-src 'none'" in page
    assert 'data-reason="site_not_allowed"' in page
    failed = policy.blocked_page_html(Texts("nl"), policy.REDIRECT_LOOP)
    assert "kringetje" in failed


def test_accept_language_follows_the_visitor() -> None:
    assert policy.accept_language("fr").startswith("fr-BE,fr")
    assert policy.accept_language("ar").startswith("ar,")
