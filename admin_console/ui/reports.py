"""Reports tab: the funders' report for a period and sites, previewed, saved as CSV or PDF."""

from __future__ import annotations

import errno
import io
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

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
from admin_console.ui.language import tr
from admin_console.ui.pdf import write_pdf
from admin_console.ui.worker import QtDatabase

log = logging.getLogger("admin_console.gui")


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
        self.lang = lang  # the report's words (its figures are the same in every language)
        self.report: Report | None = None
        layout = QVBoxLayout(self)
        self.filters = QtFilterBar(today)
        self.filters.changed.connect(self.make)
        layout.addWidget(self.filters)
        bar = QHBoxLayout()
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
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        layout.addWidget(self.preview, 1)
        self._set_ready(False)

    def refresh(self) -> None:
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
                write_csv(self.report, buffer)
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
