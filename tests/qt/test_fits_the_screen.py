"""Every screen at every text size fits the kiosk's 1366x768 screen: what is beyond it is lost.

The kiosk runs frameless full screen, so a window whose minimum size grows past the screen
simply loses its bottom (the action bar) and its right edge. At 200 % the guided task shows one
thing at a time: the steps over the whole width, or the website, with a big toggle between them.
"""

from __future__ import annotations

import pytest

from kiosk.i18n import Texts
from kiosk.ui.app import KioskApp
from kiosk.wire.protocol import HelpChange, utc_now
from tests.qt.test_kiosk_window import check_targets, settle

TASK = "phishing-recognise"  # works offline: its pages are shipped with the kiosk
WIDTH, HEIGHT = 1366, 768


def fit_problems(kiosk: KioskApp, screen: str) -> list[str]:
    window = kiosk.window
    window.resize(WIDTH, HEIGHT)
    for _ in range(5):  # wrapped labels take a few layout passes to settle
        settle()
    window.resize(WIDTH, HEIGHT)
    settle()
    problems = []
    hint = window.minimumSizeHint()
    if hint.width() > WIDTH or hint.height() > HEIGHT:
        problems.append(f"{screen}: needs at least {hint.width()}x{hint.height()}")
    if window.width() > WIDTH or window.height() > HEIGHT:
        problems.append(f"{screen}: laid out at {window.width()}x{window.height()}")
    warning = window.idle_warning
    if warning.isVisible():
        need = warning.minimumSizeHint()
        if need.width() > warning.width() or need.height() > warning.height():
            problems.append(f"{screen}: the idle warning needs {need.width()}x{need.height()}")
    bar = window.action_bar
    if bar.isVisible():
        shown = [b for b in (bar.call_button, bar.cancel_button, bar.done_button) if b.isVisible()]
        if shown and max(b.y() for b in shown) >= min(b.geometry().bottom() for b in shown):
            problems.append(f"{screen}: the action bar's buttons are stacked")
    return problems


@pytest.mark.parametrize("contrast", [False, True], ids=["normal", "contrast"])
@pytest.mark.parametrize("size", [100, 150, 200])
@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_every_screen_fits_1366x768(kiosk: KioskApp, lang: str, size: int, contrast: bool) -> None:
    core, window, visit = kiosk.core, kiosk.window, kiosk.visit
    core.set_language(lang)
    core.set_text_size(size)
    core.set_high_contrast(contrast)
    window.set_broker_online(True)
    problems = fit_problems(kiosk, "start")
    core.start_session()
    core.set_text_size(size)
    core.set_high_contrast(contrast)
    problems += fit_problems(kiosk, "home")
    visit.open(TASK)
    problems += fit_problems(kiosk, "task")
    if visit.activity.one_at_a_time:
        visit.activity.toggle_button.click()
        problems += fit_problems(kiosk, "task, website shown")
        visit.activity.toggle_button.click()
    core.call_buddy()
    problems += fit_problems(kiosk, "task, help waiting")
    assert core.help is not None
    core.apply_help_reply(HelpChange(core.help.request, "claimed", utc_now(), buddy="Sara"))
    problems += fit_problems(kiosk, "task, help coming")
    core.apply_help_reply(HelpChange(core.help.request, "resolved", utc_now(), buddy="Sara"))
    visit.go_home()
    visit.open("browse")
    problems += fit_problems(kiosk, "free browsing")
    activity = visit.activity
    activity.picker.site_chosen.emit(next(iter(activity.picker.buttons)))
    problems += fit_problems(kiosk, "a site")
    window.idle_warning.show_countdown(Texts(lang), 27)
    problems += fit_problems(kiosk, "idle warning")
    window.idle_warning.hide()
    core.lock()
    problems += fit_problems(kiosk, "locked")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_at_200_percent_the_task_shows_the_steps_or_the_website(kiosk: KioskApp, lang: str) -> None:
    core, window, visit = kiosk.core, kiosk.window, kiosk.visit
    core.set_language(lang)
    core.start_session()
    core.set_text_size(200)
    window.resize(WIDTH, HEIGHT)
    visit.open(TASK)
    core.go_to_step(1)
    activity = visit.activity
    player, toggle, texts = activity.player, activity.toggle_button, Texts(lang)
    assert fit_problems(kiosk, "task") == []
    browser = activity.browser
    assert browser is not None
    # The steps over the whole width; the website waits behind the toggle.
    assert player.isVisible() and not browser.isVisible()
    assert player.width() >= activity.width() - 2
    assert toggle.isVisible() and toggle.accessibleName() == texts("show_website")
    assert toggle.height() >= 60
    check_targets(window)
    # Every step reads whole, without scrolling, but the longest (a three-line tip at 200 %:
    # it scrolls, nothing is cut off).
    task = visit.catalog.get(TASK)  # type: ignore[union-attr]
    assert task is not None
    for index in (0, 1, 2, 4):
        core.go_to_step(index)
        for _ in range(5):
            settle()
        where = f"step {index + 1}"
        assert player.step_title.text() == task.steps[index].title(lang)
        assert player.step_scroll.verticalScrollBar().maximum() == 0, f"{where} needs scrolling"
        assert player.body.height() >= player.body.heightForWidth(player.body.width()), where
        assert player.step_title.height() >= player.step_title.heightForWidth(
            player.step_title.width()
        ), where
    core.go_to_step(1)
    settle()
    # The website over the whole width; the steps wait behind the toggle.
    toggle.click()
    settle()
    assert browser.isVisible() and not player.isVisible()
    assert browser.width() >= activity.width() - 2
    assert toggle.accessibleName() == texts("back_to_steps")
    assert fit_problems(kiosk, "website") == []
    check_targets(window)
    # A step reached on the site (auto-advance) leaves the website shown: the visitor is busy.
    core.go_to_step(2)
    settle()
    assert browser.isVisible() and not player.isVisible()
    toggle.click()
    settle()
    assert player.isVisible() and not browser.isVisible()
    assert player.counter.text() == texts("step_of", n=3, total=5)
    # Next from the steps shows the next step (the visitor reads it, then goes to the site).
    player.next_button.click()
    settle()
    assert player.isVisible() and player.counter.text() == texts("step_of", n=4, total=5)
    # A new task starts with its steps.
    toggle.click()
    visit.go_home()
    visit.open(TASK)
    settle()
    assert player.isVisible() and not browser.isVisible()


def test_at_100_percent_the_task_stays_beside_the_website(kiosk: KioskApp) -> None:
    kiosk.core.start_session()
    kiosk.window.resize(WIDTH, HEIGHT)
    kiosk.visit.open(TASK)
    settle()
    activity = kiosk.visit.activity
    assert not activity.one_at_a_time
    assert not activity.toggle_button.isVisible()
    assert activity.player.isVisible() and activity.browser is not None
    assert activity.browser.isVisible()
