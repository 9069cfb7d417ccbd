"""Reports tab: the funders' report for a period and sites, previewed, saved as CSV or PDF.

Besides the filter bar's dates, "Whole period" picks the last whole month, quarter or year (a
report a coordinator sends as it is); a period that is not over yet is said above the preview
and in the report itself."""

from __future__ import annotations

import errno
import io
import logging
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from admin_console.read import periods
from admin_console.read.reports import (
    DEFAULT_MIN_COUNT,
    LOWEST_MIN_COUNT,
    Report,
    build_report,
    report_html,
    write_csv,
)
from admin_console.read.usage import UsageFilter
from admin_console.ui.filters import QtFilterBar
from admin_console.ui.language import N_, tr
from admin_console.ui.pdf import write_pdf
from admin_console.ui.worker import QtDatabase

log = logging.getLogger("admin_console.gui")

WHOLE_PERIODS = (
    N_("QtReportsTab", "Whole period…"),
    N_("QtReportsTab", "Last month"),
    N_("QtReportsTab", "This month so far"),
    N_("QtReportsTab", "Last quarter"),
    N_("QtReportsTab", "This quarter so far"),
    N_("QtReportsTab", "Last year"),
    N_("QtReportsTab", "This year so far"),
)


def whole_period(index: int, today: date) -> periods.ReportPeriod | None:
    """The ``WHOLE_PERIODS[index]`` around ``today``; None for the first (no choice)."""
    quarter = (today.month - 1) // 3 + 1
    if index == 1:
        last = today.replace(day=1) - timedelta(days=1)
        return periods.month(last.year, last.month)
    if index == 2:
        return periods.month(today.year, today.month)
    if index == 3:
        year, number = (today.year - 1, 4) if quarter == 1 else (today.year, quarter - 1)
        return periods.quarter(year, number)
    if index == 4:
        return periods.quarter(today.year, quarter)
    if index == 5:
        return periods.year(today.year - 1)
    if index == 6:
        return periods.year(today.year)
    return None


def save_error(err: OSError) -> str:
    """Why a file could not be written, in the console's language (``strerror`` is the
    system's English)."""
    if isinstance(err, PermissionError) or err.errno in (errno.EACCES, errno.EPERM):
        return tr("QtReportsTab", "no permission to write there")
    if isinstance(err, FileNotFoundError):
        return tr("QtReportsTab", "the folder does not exist")
    if isinstance(err, IsADirectoryError):
        return tr("QtReportsTab", "that is a folder")
    if err.errno == errno.ENOSPC:
        return tr("QtReportsTab", "the disk is full")
    if err.errno == errno.EROFS:
        return tr("QtReportsTab", "the disk is read-only")
    return tr("QtReportsTab", "the system refused to write the file")


class QtReportsTab(QWidget):
    saved = Signal(str)  # the path written

    def __init__(
        self,
        db: QtDatabase,
        today: Callable[[], date],
        min_count: int = DEFAULT_MIN_COUNT,
        parent: QWidget | None = None,
        *,
        lang: str = "en",
    ) -> None:
        super().__init__(parent)
        self.db = db
        self._today = today
        self.lang = lang  # the report's words (its figures are the same in every language)
        self.report: Report | None = None
        layout = QVBoxLayout(self)
        self.filters = QtFilterBar(today)
        self.filters.changed.connect(self.make)
        layout.addWidget(self.filters)
        bar = QHBoxLayout()
        self.whole = QComboBox()
        self.whole.addItems([tr("QtReportsTab", name) for name in WHOLE_PERIODS])
        self.whole.activated.connect(self._whole_chosen)
        bar.addWidget(self.whole)
        bar.addWidget(QLabel(tr("QtReportsTab", "Hide counts below")))
        self.min_count = QSpinBox()
        self.min_count.setRange(LOWEST_MIN_COUNT, 100)  # never below 3: the privacy floor
        self.min_count.setValue(max(LOWEST_MIN_COUNT, min_count))
        self.min_count.valueChanged.connect(lambda _v: self.filters.apply())
        bar.addWidget(self.min_count)
        self.csv_button = QPushButton(tr("QtReportsTab", "Save CSV…"))
        self.csv_button.clicked.connect(lambda: self._ask_and_save("csv"))
        self.pdf_button = QPushButton(tr("QtReportsTab", "Save PDF…"))
        self.pdf_button.clicked.connect(lambda: self._ask_and_save("pdf"))
        bar.addWidget(self.csv_button)
        bar.addWidget(self.pdf_button)
        self.status = QLabel()
        bar.addWidget(self.status, 1)
        layout.addLayout(bar)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(
            "background: #fff3c4; border: 1px solid #c9a400; padding: 4px; font-weight: bold"
        )
        self.warning.hide()
        layout.addWidget(self.warning)
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        layout.addWidget(self.preview, 1)
        self._set_ready(False)

    def refresh(self) -> None:
        self.filters.apply()

    def _whole_chosen(self, index: int) -> None:
        chosen = whole_period(index, self._today())
        self.whole.setCurrentIndex(0)
        if chosen is not None:
            self.filters.set_period(chosen.period)
            self.filters.apply()

    def make(self, usage: UsageFilter) -> None:
        minimum = self.min_count.value()
        self.status.setText(tr("QtReportsTab", "Counting…"))
        self.db.submit(
            lambda engine: build_report(engine, usage.period, usage.sites, minimum),
            self._made,
            lambda message: self.status.setText(message),
        )

    def _made(self, report: Report) -> None:
        self.report = report
        self.preview.setHtml(report_html(report, lang=self.lang))
        self._set_ready(not report.empty)
        self.warning.setVisible(report.not_over)
        if report.not_over:
            self.warning.setText(
                tr(
                    "QtReportsTab",
                    "This period is not over yet: its figures will still change. The report "
                    "says so on its first page.",
                )
            )
        self.status.setText(
            tr("QtReportsTab", "No data for this period.")
            if report.empty
            else tr("QtReportsTab", "Ready to save.")
        )

    def _set_ready(self, ready: bool) -> None:
        self.csv_button.setEnabled(ready)
        self.pdf_button.setEnabled(ready)

    def _ask_and_save(self, kind: str) -> None:
        if self.report is None:
            return
        default = f"usage-{self.report.period.start}-{self.report.period.end}.{kind}"
        path, _ = QFileDialog.getSaveFileName(
            self, tr("QtReportsTab", "Save the report"), default, f"{kind.upper()} (*.{kind})"
        )
        if path:
            self.save(Path(path), kind)

    def save(self, path: Path, kind: str) -> None:
        """Write the report shown (CSV text, or PDF through Qt) and say where."""
        if self.report is None:
            return
        try:
            if kind == "csv":
                buffer = io.StringIO()
                write_csv(self.report, buffer, self.lang)
                path.write_text(buffer.getvalue(), encoding="utf-8")
            else:
                write_pdf(report_html(self.report, lang=self.lang), path)
        except OSError as err:
            log.warning("could not save %s: %s", path, err)
            self.status.setText(
                tr("QtReportsTab", "Could not save {path}: {why}", path=path, why=save_error(err))
            )
            return
        self.status.setText(tr("QtReportsTab", "Saved {path}").format(path=path))
        self.saved.emit(str(path))
