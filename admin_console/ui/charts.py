"""Chart widgets for the Usage tab, from plain data: Qt Charts, and a painted week heatmap.

Every chart of the console is built here, so moving to Qt Graphs later (docs/admin-console.md
says why it is Qt Charts today) touches this module only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from admin_console.ui.language import N_, tr

PALETTE = ("#0B3D91", "#2E7D32", "#C62828", "#F9A825", "#6A1B9A", "#00838F", "#EF6C00", "#5D4037")
DAY_LABELS = (
    N_("QtHeatmap", "Mon"),
    N_("QtHeatmap", "Tue"),
    N_("QtHeatmap", "Wed"),
    N_("QtHeatmap", "Thu"),
    N_("QtHeatmap", "Fri"),
    N_("QtHeatmap", "Sat"),
    N_("QtHeatmap", "Sun"),
)


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont()
    font.setPointSize(11)
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _view(chart: QChart) -> QChartView:
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(280)
    view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return view


def _value_axis(top: float, title: str = "") -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(0, max(1.0, top * 1.1))
    axis.setLabelFormat("%d")
    axis.applyNiceNumbers()
    if title:
        axis.setTitleText(title)
    return axis


def _category_axis(categories: Sequence[str]) -> QBarCategoryAxis:
    axis = QBarCategoryAxis()
    axis.append(list(categories))
    axis.setTruncateLabels(False)  # "mypension-check", not "…"
    return axis


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    horizontal: bool = False,
    stacked: bool = False,
    value_title: str = "",
) -> QChartView:
    """Bars per category, one set per entry of ``series`` (legend hidden for a single set)."""
    chart = _chart(title)
    bars: QBarSeries | QHorizontalBarSeries | QHorizontalStackedBarSeries
    if horizontal and stacked:
        bars = QHorizontalStackedBarSeries()
    elif horizontal:
        bars = QHorizontalBarSeries()
    else:
        bars = QBarSeries()
    top = 0.0
    for index, (name, values) in enumerate(series.items()):
        bar_set = QBarSet(name)
        bar_set.append([float(v) for v in values])
        bar_set.setColor(QColor(PALETTE[index % len(PALETTE)]))
        bar_set.setBorderColor(QColor(PALETTE[index % len(PALETTE)]))
        bars.append(bar_set)
        top = max(top, *(float(v) for v in values)) if values else top
    if stacked:
        top = max(
            (sum(float(s[i]) for s in series.values()) for i in range(len(categories))), default=0.0
        )
    chart.addSeries(bars)
    category_axis = _category_axis(categories)
    value_axis = _value_axis(top, value_title)
    if horizontal:
        chart.addAxis(category_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom)
    else:
        chart.addAxis(category_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(value_axis, Qt.AlignmentFlag.AlignLeft)
        if len(categories) > 12:
            category_axis.setLabelsAngle(-90)
    bars.attachAxis(category_axis)
    bars.attachAxis(value_axis)
    chart.legend().setVisible(len(series) > 1)
    return _view(chart)


def bars_with_line(
    title: str,
    categories: Sequence[str],
    bars: tuple[str, Sequence[float]],
    line: tuple[str, Sequence[float | None]],
    *,
    bar_title: str,
    line_title: str,
) -> QChartView:
    """Bars on the left axis and a line (gaps where a value is missing) on the right one."""
    chart = _chart(title)
    series = QBarSeries()
    bar_set = QBarSet(bars[0])
    bar_set.append([float(v) for v in bars[1]])
    bar_set.setColor(QColor(PALETTE[0]))
    series.append(bar_set)
    chart.addSeries(series)
    category_axis = _category_axis(categories)
    if len(categories) > 12:
        category_axis.setLabelsAngle(-90)
    chart.addAxis(category_axis, Qt.AlignmentFlag.AlignBottom)
    left = _value_axis(max((float(v) for v in bars[1]), default=0.0), bar_title)
    chart.addAxis(left, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(category_axis)
    series.attachAxis(left)
    values = [v for v in line[1] if v is not None]
    right = _value_axis(max(values, default=0.0), line_title)
    right.setLabelFormat("%.1f")
    chart.addAxis(right, Qt.AlignmentFlag.AlignRight)
    segment: QLineSeries | None = None
    for index, value in enumerate(line[1]):
        if value is None:
            segment = None
            continue
        if segment is None:
            segment = QLineSeries()
            segment.setName(line[0])
            segment.setColor(QColor(PALETTE[3]))
            pen = segment.pen()
            pen.setWidth(3)
            segment.setPen(pen)
            segment.setPointsVisible(True)
            chart.addSeries(segment)
            segment.attachAxis(category_axis)
            segment.attachAxis(right)
        segment.append(QPointF(index, value))
    markers = chart.legend().markers()
    seen: set[str] = set()
    for marker in markers:  # one legend entry for the line, however many segments it has
        if marker.label() in seen:
            marker.setVisible(False)
        seen.add(marker.label())
    return _view(chart)


def pie_chart(
    title: str, parts: Mapping[str, int], keep: int = 6, other: str = "other"
) -> QChartView:
    """Shares, the biggest ``keep`` by name and the rest as ``other``."""
    chart = _chart(title)
    pie = QPieSeries()
    items = sorted(parts.items(), key=lambda kv: -kv[1])
    total = sum(parts.values()) or 1
    shown = items[:keep]
    rest = sum(n for _, n in items[keep:])
    if rest:
        shown.append((other, rest))
    for index, (name, n) in enumerate(shown):
        part = pie.append(f"{name} {100 * n / total:.0f}%", n)
        part.setColor(QColor(PALETTE[index % len(PALETTE)]))
        part.setLabelVisible(n / total >= 0.05)  # small slices: in the legend only
    pie.setPieSize(0.7)
    chart.addSeries(pie)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    return _view(chart)


class QtHeatmap(QWidget):
    """A figure by weekday (rows) and hour (columns): darker is more (sessions, or a median
    wait). A cell shows its value, or its ``labels`` text when given ("3.5 (4)")."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.values: dict[tuple[int, int], float] = {}
        self.labels: dict[tuple[int, int], str] = {}
        self.setMinimumHeight(280)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_values(
        self,
        values: Mapping[tuple[int, int], float],
        labels: Mapping[tuple[int, int], str] | None = None,
    ) -> None:
        self.values = dict(values)
        self.labels = dict(labels or {})
        self.update()

    def cell_text(self, cell: tuple[int, int]) -> str:
        """What a cell says: its label, or its value (nothing for an empty cell)."""
        if cell in self.labels:
            return self.labels[cell]
        n = self.values.get(cell, 0)
        return f"{n:g}" if n else ""

    def hours(self) -> list[int]:
        used = [hour for _, hour in self.values] or [9, 16]
        return list(range(min(used), max(used) + 1))

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        font = painter.font()
        font.setPointSize(11)
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(QRectF(0, 4, self.width(), 24), Qt.AlignmentFlag.AlignHCenter, self.title)
        font.setBold(False)
        font.setPointSize(9)
        painter.setFont(font)
        hours = self.hours()
        left, top, bottom = 44.0, 34.0, 26.0
        cell_w = (self.width() - left - 8) / len(hours)
        cell_h = (self.height() - top - bottom) / 7
        peak = max(self.values.values(), default=0) or 1
        for row in range(7):
            y = top + row * cell_h
            painter.setPen(QColor("#202124"))
            painter.drawText(
                QRectF(0, y, left - 6, cell_h),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                tr("QtHeatmap", DAY_LABELS[row]),
            )
            for column, hour in enumerate(hours):
                n = self.values.get((row, hour), 0)
                share = n / peak
                colour = QColor.fromRgbF(1 - 0.95 * share, 1 - 0.75 * share, 1 - 0.43 * share)
                rect = QRectF(left + column * cell_w + 1, y + 1, cell_w - 2, cell_h - 2)
                painter.fillRect(rect, colour)
                text = self.cell_text((row, hour))
                if text and cell_w > 30:
                    painter.setPen(QColor("white") if share > 0.55 else QColor("#202124"))
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.setPen(QColor("#202124"))
        for column, hour in enumerate(hours):
            painter.drawText(
                QRectF(left + column * cell_w, self.height() - bottom, cell_w, bottom),
                Qt.AlignmentFlag.AlignCenter,
                f"{hour}h",
            )
        painter.end()
