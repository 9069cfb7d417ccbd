"""What a 75-year-old must never meet on a kiosk screen, as checks on real widgets (issue 17).

Each check walks the widgets that are shown and returns plain problems ('' lists nothing):

- a text cut off or elided (a label or a button narrower or lower than its words need);
- a control outside the screen, or one that scrolls away (only the tiles may scroll);
- a scroll bar too thin to grab;
- an English or untranslated text on a Dutch or French screen (a catalog key, or the English
  catalog's words where the language has its own).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from PySide6 import QtGui
from PySide6.QtCore import QEventLoop, QPoint, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QScrollArea,
    QScrollBar,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from kiosk.ui.home_screen import QtTile

LOCALE = Path(__file__).resolve().parents[2] / "kiosk" / "locale"
ELLIPSIS = "…"
MIN_SCROLLBAR_PX = 20
PLACEHOLDER_RE = re.compile(r"\{[a-z_]+\}")  # a task's {beside} not said in words
KEY_RE = re.compile(r"^[a-z]+(?:_[a-z0-9]+)+$")  # a catalog key shown instead of its words


def shown(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget) if w.isVisible() and w.window() is root]


def on_window(widget: QWidget, root: QWidget) -> QRect:
    return QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())


def scroll_area_of(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def name_of(widget: QWidget) -> str:
    text = getattr(widget, "text", lambda: "")()
    label = text or widget.accessibleName() or widget.objectName() or type(widget).__name__
    return repr(label.replace("\n", " ")[:60])


def clipped(root: QWidget) -> list[str]:
    """Texts that do not fit their widget, or were shortened with '…'."""
    problems = []
    for widget in shown(root):
        if isinstance(widget, QLabel) and widget.text():
            text = widget.text()
            if widget.wordWrap():
                need = widget.heightForWidth(widget.width())
                if need > widget.height() + 1:
                    problems.append(
                        f"{name_of(widget)} needs {need} px high, has {widget.height()}"
                    )
                word = longest_word(widget)
                if word and word[1] > widget.contentsRect().width() + 1:
                    # Wrapping breaks between words only: a word wider than the label is cut.
                    problems.append(
                        f"{name_of(widget)}: the word {word[0]!r} needs {word[1]} px wide, "
                        f"has {widget.contentsRect().width()}"
                    )
            else:
                need = widget.minimumSizeHint().width()
                if need > widget.width() + 1:
                    problems.append(f"{name_of(widget)} needs {need} px wide, has {widget.width()}")
            if text.rstrip().endswith(ELLIPSIS) and widget.toolTip() not in ("", text):
                problems.append(f"{name_of(widget)} is elided")
        elif isinstance(widget, QtTile):
            label = widget.title_label
            if label.heightForWidth(label.width()) > label.height() + 1:
                problems.append(f"tile {name_of(label)} is cut off")
        elif isinstance(widget, QAbstractButton) and widget.text():
            hint = widget.sizeHint()
            if hint.width() > widget.width() + 1 or hint.height() > widget.height() + 1:
                problems.append(
                    f"button {name_of(widget)} needs {hint.width()}x{hint.height()}, "
                    f"has {widget.width()}x{widget.height()}"
                )
    return problems


def longest_word(label: QLabel) -> tuple[str, int] | None:
    """The widest word of a plain-text label, and its width in the label's font."""
    text = label.text()
    if label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    ):
        return None
    metrics = label.fontMetrics()
    words = [(word, metrics.horizontalAdvance(word)) for word in text.split()]
    return max(words, key=lambda pair: pair[1]) if words else None


def focus_problems(root: QWidget, focus_colour: str) -> list[str]:
    """Each control, focused from the keyboard, shows the theme's focus ring all round
    (WCAG 2.4.7 and 2.4.13) and keeps every letter of its words inside the ring."""
    problems = []
    ring = QColor(focus_colour).rgb()
    for widget in shown(root):
        if not isinstance(widget, QAbstractButton) or not widget.isEnabled():
            continue
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        QEventLoop().processEvents()
        if not widget.hasFocus():
            continue
        image = widget.grab().toImage()
        width, height = image.width(), image.height()
        lit = sum(
            1
            for x in range(0, width, 2)
            for y in (1, 2, height - 3, height - 2)
            if 0 <= y < height and image.pixel(x, y) == ring
        )
        if lit < width // 2:  # four rows, every other pixel: a ring lights about width * 2
            problems.append(f"button {name_of(widget)} shows no focus ring ({lit} px lit)")
        if widget.text():
            hint = widget.sizeHint()
            inner = widget.style().subElementRect(
                QStyle.SubElement.SE_PushButtonContents, _option(widget), widget
            )
            need = widget.fontMetrics().horizontalAdvance(widget.text().split("\n")[0])
            if hint.width() > widget.width() + 1 or need > inner.width() + 1:
                problems.append(
                    f"button {name_of(widget)}, focused, needs {need} px inside, "
                    f"has {inner.width()} of {widget.width()}"
                )
    return problems


def _option(button: QAbstractButton) -> QStyleOptionButton:
    option = QStyleOptionButton()
    option.initFrom(button)
    option.text = button.text()
    return option


def out_of_reach(root: QWidget) -> list[str]:
    """Controls beyond the screen's edge, controls that scroll away, thin scroll bars."""
    problems = []
    screen = root.rect()
    for widget in shown(root):
        if isinstance(widget, QScrollBar):
            thin = min(widget.width(), widget.height())
            if widget.maximum() > 0 and thin < MIN_SCROLLBAR_PX:
                problems.append(f"a scroll bar {thin} px thick")
            continue
        if not isinstance(widget, QAbstractButton):
            continue
        area = scroll_area_of(widget)
        place = on_window(widget, root)
        if area is None:
            if not screen.contains(place):
                problems.append(f"{name_of(widget)} is off the screen at {place.getRect()}")
        elif not isinstance(widget, QtTile) and widget.objectName() != "tile":
            bars = (area.verticalScrollBar(), area.horizontalScrollBar())
            if any(bar.maximum() > 0 for bar in bars):
                problems.append(f"{name_of(widget)} scrolls away with the page")
    return problems


@cache
def _catalog(lang: str) -> dict[str, str]:
    with (LOCALE / lang / "LC_MESSAGES" / "kiosk.po").open("rb") as handle:
        catalog = read_po(handle)
    found: dict[str, str] = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for index, string in enumerate(strings):
            found[f"{key}#{index}"] = string
    return found


@cache
def _english_patterns(lang: str) -> tuple[re.Pattern[str], ...]:
    """The English words of every text this language says differently."""
    english, own = _catalog("en"), _catalog(lang)
    patterns = []
    for key, words in english.items():
        if key.startswith("language_name#") or not words or own.get(key) == words:
            continue  # a language's own name is said in that language on every screen
        parts = re.split(r"\{[a-z_]+\}", words)
        if sum(c.isalpha() for c in "".join(parts)) < 4:
            continue  # "{site}: {text}" says nothing of its language
        patterns.append(re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$"))
    return tuple(patterns)


def visible_texts(root: QWidget) -> list[str]:
    texts = []
    for widget in shown(root):
        text = ""
        if isinstance(widget, QLabel | QAbstractButton):
            text = widget.text()
        for part in (text, widget.accessibleName(), widget.accessibleDescription()):
            texts.extend(line.strip() for line in part.split("\n") if line.strip())
    return texts


def untranslated(root: QWidget, lang: str) -> list[str]:
    """Keys shown instead of words; English words on a screen in another language."""
    problems = []
    patterns = _english_patterns(lang) if lang != "en" else ()
    for text in set(visible_texts(root)):
        if KEY_RE.match(text):
            problems.append(f"the key {text!r} is shown")
        elif PLACEHOLDER_RE.search(text):
            problems.append(f"a placeholder is shown: {text!r}")
        elif any(p.match(text) for p in patterns):
            problems.append(f"English on a {lang} screen: {text!r}")
    return problems


def uneven_tiles(root: QWidget) -> list[str]:
    """The tiles of one grid share one height: a ragged grid reads as a mistake."""
    grids: dict[int, set[int]] = {}
    for widget in shown(root):
        if isinstance(widget, QtTile):
            grids.setdefault(id(widget.parentWidget()), set()).add(widget.height())
    return [f"tiles of uneven heights {sorted(h)}" for h in grids.values() if len(h) > 1]


MIN_TARGET_PX = 44  # WCAG 2.2 2.5.5 Target Size (Enhanced, AAA): 44 by 44 CSS pixels


def small_targets(root: QWidget) -> list[str]:
    """Controls smaller than 44 x 44 px: hard to hit with a shaking hand (WCAG 2.5.5, AAA)."""
    return [
        f"{name_of(w)} is {w.width()}x{w.height()} px, under {MIN_TARGET_PX}"
        for w in shown(root)
        if isinstance(w, QAbstractButton)
        and w.isEnabled()
        and min(w.width(), w.height()) < MIN_TARGET_PX
    ]


def all_problems(root: QWidget, lang: str, screen: str) -> list[str]:
    found = clipped(root) + out_of_reach(root) + untranslated(root, lang) + uneven_tiles(root)
    found += small_targets(root)
    return [f"{screen}: {problem}" for problem in found]
