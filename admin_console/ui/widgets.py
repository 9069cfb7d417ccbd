"""Small pieces the console's tabs share: number tiles, read-only tables, banners, formats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFrame,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from admin_console.ui.language import tr

STYLE = """
    QWidget { font-size: 11pt; }
    QLabel#banner { background: #8B0000; color: white; padding: 8px; font-weight: bold; }
    QLabel#nodata { color: #5F6368; font-size: 14pt; padding: 24px; }
    QLabel#heading { font-size: 13pt; font-weight: bold; padding-top: 6px; }
    QFrame#tile { background: #F1F3F4; border-radius: 8px; }
    QLabel#tileValue { font-size: 24pt; font-weight: bold; color: #0B3D91; }
    QLabel#tileCaption { color: #3C4043; }
    QPushButton { padding: 5px 14px; }
    QTabBar::tab { padding: 8px 18px; font-size: 12pt; }
"""
ALERT = QColor("#FCE8E6")
WARN = QColor("#FEEFC3")
GOOD = QColor("#E6F4EA")
QUIET = QColor("#F1F3F4")


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes, secs = divmod(round(seconds), 60)
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def format_local(moment: datetime | None, zone: ZoneInfo, with_date: bool = True) -> str:
    """A stored (naive UTC) or aware time as local time at the sites."""
    if moment is None:
        return "–"
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(zone).strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M:%S")


def format_ago(moment: datetime, now: datetime) -> str:
    seconds = max(0.0, (now - moment).total_seconds())
    if seconds < 90:
        return tr("Time", "{n} s ago").format(n=int(seconds))
    if seconds < 5400:
        return tr("Time", "{n} min ago").format(n=int(seconds // 60))
    if seconds < 2 * 86400:
        return tr("Time", "{n} h ago").format(n=int(seconds // 3600))
    return tr("Time", "{n} days ago").format(n=int(seconds // 86400))


class QtTile(QFrame):
    """A big number with a caption under it."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tile")
        layout = QVBoxLayout(self)
        self.value = QLabel("–")
        self.value.setObjectName("tileValue")
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel(caption)
        self.caption.setObjectName("tileCaption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setWordWrap(True)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set_value(self, text: str) -> None:
        self.value.setText(text)


def banner(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("banner")
    label.setWordWrap(True)
    label.hide()
    return label


def no_data_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("nodata")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.hide()
    return label


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("heading")
    return label


def make_table(columns: Sequence[str], stretch: int | None = None) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    else:
        header.setStretchLastSection(True)
    return table


def fill_table(
    table: QTableWidget,
    rows: Sequence[Sequence[object]],
    *,
    numeric: Sequence[int] = (),
    colours: Sequence[QColor | None] = (),
) -> None:
    """Replace the table's rows; ``numeric`` columns align right; one colour per row."""
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        colour = colours[r] if r < len(colours) else None
        for c, value in enumerate(values):
            item = QTableWidgetItem("" if value is None else str(value))
            if c in numeric:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if colour is not None:
                item.setBackground(QBrush(colour))
            table.setItem(r, c, item)
