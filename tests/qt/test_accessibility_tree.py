"""Issue 17, point 3: the kiosk as a screen reader or voice control reads it (the accessibility
tree of real widgets): roles that match the controls, names that start with the visible words,
each tile read once, and the call's state and the warnings announced (status, alert)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QAbstractButton, QWidget

from kiosk.i18n import Texts
from kiosk.ui import widgets
from kiosk.ui.app import KioskApp
from kiosk.ui.home_screen import QtTile
from kiosk.wire.protocol import HelpChange, utc_now
from tests.qt.test_kiosk_window import settle

Role = QAccessible.Role
Text = QAccessible.Text


@dataclass
class Node:
    role: QAccessible.Role
    name: str
    description: str
    widget: QWidget | None


def walk(interface: QAccessibleInterface) -> Iterator[Node]:
    for index in range(interface.childCount()):
        child = interface.child(index)
        if child is None or not child.isValid():
            continue
        if child.state().invisible:
            continue
        obj = child.object()
        widget = obj if isinstance(obj, QWidget) else None
        yield Node(child.role(), child.text(Text.Name), child.text(Text.Description), widget)
        yield from walk(child)


def tree(kiosk: KioskApp) -> list[Node]:
    settle()
    root = QAccessible.queryAccessibleInterface(kiosk.window)
    assert root is not None
    return list(walk(root))


def words(text: str) -> str:
    return " ".join(text.split())


def problems_of(nodes: list[Node], screen: str) -> list[str]:
    found = []
    for node in nodes:
        widget = node.widget
        if isinstance(widget, QtTile):
            title = words(widget.title_label.text())
            if words(node.name) != title:
                found.append(f"{screen}: tile {title!r} is named {node.name!r}")
            if node.description and node.description in node.name:
                found.append(f"{screen}: tile {title!r} says its summary twice")
        elif isinstance(widget, QAbstractButton) and widget.text():
            visible = words(widget.text())
            if not words(node.name).startswith(visible):
                found.append(f"{screen}: {visible!r} is named {node.name!r} (2.5.3)")
            # Only a real on/off toggle (high contrast) may be a check box.
            if node.role == Role.CheckBox and not widget.isCheckable():
                found.append(f"{screen}: {visible!r} is announced as a check box")
            if node.role == Role.CheckBox and widget.objectName() == "language":
                found.append(f"{screen}: the language {visible!r} is announced as a check box")
    return found


def roles_of(nodes: list[Node], cls: str) -> list[QAccessible.Role]:
    return [n.role for n in nodes if n.widget is not None and type(n.widget).__name__ == cls]


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_every_screen_reads_right(kiosk: KioskApp, lang: str) -> None:
    core, window, visit = kiosk.core, kiosk.window, kiosk.visit
    texts = Texts(lang)
    core.set_language(lang)
    window.set_broker_online(True)
    problems = problems_of(tree(kiosk), "start")
    start = tree(kiosk)
    languages = [n for n in start if n.widget in window.start_screen.language_buttons.values()]
    assert languages and all(n.role == Role.Button for n in languages)
    chosen = window.start_screen.language_buttons[lang]
    assert chosen.accessibleDescription() == texts("chosen")
    call = next(n for n in start if n.widget is window.action_bar.call_button)
    assert call.name == texts("call_buddy")  # the buddy is within reach on the start screen
    core.start_session()
    home = tree(kiosk)
    problems += problems_of(home, "home")
    sizes = [n for n in home if n.widget in window.home_screen.accessibility.size_buttons.values()]
    assert len(sizes) == 3 and all(n.role == Role.Button for n in sizes)
    done = next(n for n in home if n.widget is window.action_bar.done_button)
    assert done.name == texts("done_button") and done.description == texts("done_button_name")
    del widgets.announced[:]
    core.call_buddy()
    waiting = tree(kiosk)
    status = [n for n in waiting if n.widget is window.action_bar.help_status]
    assert status and status[0].role == Role.StatusBar
    assert status[0].name == texts("help_waiting")
    assert widgets.announced[-1] == texts("help_waiting")  # said, not only shown
    assert core.help is not None
    core.apply_help_reply(HelpChange(core.help.request, "claimed", utc_now(), buddy="Sara"))
    assert widgets.announced[-1] == texts("help_coming", name="Sara")
    core.apply_help_reply(HelpChange(core.help.request, "resolved", utc_now(), buddy="Sara"))
    visit.open("browse")
    problems += problems_of(tree(kiosk), "free browsing")
    window.idle_warning.show_countdown(texts, 27)
    # Qt gives the alert role to a QMessageBox only (kiosk/ui/widgets.py): the warning is named
    # and announced assertively, at once.
    warning = [n for n in tree(kiosk) if n.widget is window.idle_warning]
    assert warning and warning[0].name == texts("still_here_title")
    assert widgets.announced[-1].startswith(texts("still_here_title"))
    window.idle_warning.hide()
    window.action_bar.done_button.click()
    asking = tree(kiosk)
    question = [n for n in asking if n.widget is window.goodbye_screen]
    assert question and question[0].name == texts("goodbye_ask_title")
    assert widgets.announced[-1] == texts("goodbye_ask_title")
    problems += problems_of(asking, "the question")
    window.goodbye_screen.confirm_button.click()
    assert widgets.announced[-1] == texts("goodbye_done")
    assert not problems, "\n".join(problems)


def test_i_am_done_asks_and_no_keeps_the_visit(kiosk: KioskApp) -> None:
    """Issue 17, point 2: a visitor who pressed it by mistake keeps the visit."""
    core, window = kiosk.core, kiosk.window
    core.start_session()
    session = core.session
    window.action_bar.done_button.click()
    goodbye = window.goodbye_screen
    assert goodbye.isVisible() and goodbye.keep_button.hasFocus()  # the safe answer first
    assert core.session == session
    goodbye.keep_button.click()
    assert not goodbye.isVisible() and core.session == session
    window.action_bar.done_button.click()
    goodbye.confirm_button.click()
    assert core.session is None
    assert goodbye.isVisible() and goodbye.title.text() == Texts("nl")("goodbye_done")
    goodbye.dismissed.emit()
    assert not goodbye.isVisible()
    assert window.stack.currentWidget() is window.start_screen


def test_after_calling_the_focus_does_not_land_on_i_am_done(kiosk: KioskApp) -> None:
    core, window = kiosk.core, kiosk.window
    window.set_broker_online(True)
    core.start_session()
    bar = window.action_bar
    bar.call_button.setFocus()
    bar.call_button.click()
    settle()
    assert bar.cancel_button.hasFocus()
    assert core.help is not None
    core.apply_help_reply(HelpChange(core.help.request, "claimed", utc_now(), buddy="Sara"))
    settle()
    assert not bar.done_button.hasFocus()


def test_the_start_screen_can_call_a_buddy(kiosk: KioskApp) -> None:
    core, window = kiosk.core, kiosk.window
    assert core.session is None and window.action_bar.call_button.isVisible()
    window.action_bar.call_button.click()
    assert core.session is not None and core.help is not None
