"""From "Print" to the job CUPS accepted: the web page or a downloaded file made into a PDF,
shown on the print screen, then printed through the kiosk's :class:`PrintDesk`.

A web page becomes a PDF with ``QWebEnginePage.printToPdf`` and a picture with ``QPdfWriter``,
in the desk's temporary folder of the visit (removed when the visit ends); a downloaded PDF is
printed from the visit's download folder as it is. Nothing here names a file in a log.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QMarginsF, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtWebEngineCore import QWebEnginePage

from kiosk.i18n import Texts
from kiosk.printing.desk import Offer, PrintDesk, PrintResult
from kiosk.printing.words import MAX_COPIES, describe, left_text, problem_text, refusal_text
from kiosk.printing.words import sent_text as _sent_text
from kiosk.ui.print_screen import QtPrintScreen

log = logging.getLogger("kiosk.printing")

A4 = QPageLayout(
    QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, QMarginsF(10, 10, 10, 10)
)


def image_to_pdf(image_path: Path, pdf_path: Path) -> bool:
    """A picture on one A4 page, as large as fits; False when it cannot be read."""
    image = QImage(str(image_path))
    if image.isNull():
        return False
    writer = QPdfWriter(str(pdf_path))
    writer.setPageLayout(A4)
    writer.setResolution(150)
    painter = QPainter(writer)
    try:
        area = QRectF(painter.viewport())
        size = image.size().toSizeF().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRectF(area.topLeft(), size)
        target.moveCenter(area.center())
        painter.drawImage(target, image)
    finally:
        painter.end()
    return True


class QtPrinting(QObject):
    """The print screen's behaviour: one document at a time, for the visit on screen."""

    result = Signal(object)  # PrintResult: after every press of Print (tests, benchmarks)
    pdf_ready = Signal(int)  # the document is on screen, with this many pages (0: it failed)

    def __init__(self, desk: PrintDesk, screen: QtPrintScreen, lang: str = "nl") -> None:
        super().__init__(screen)
        self.desk = desk
        self.screen = screen
        self._texts = Texts(lang)
        self._path: Path | None = None
        self._pages = 0
        self._copies = 1
        self._color = False
        self._offer: Offer | None = None
        self._generation = 0  # a PDF made for a document the visitor left is not shown
        self.pressed_at: float | None = None  # perf_counter of the last press (benchmark)
        screen.copies_changed.connect(self._copies_by)
        screen.color_chosen.connect(self._choose_color)
        screen.print_requested.connect(self.print_now)
        screen.retranslate(self._texts)

    def set_language(self, lang: str) -> None:
        self._texts = Texts(lang)
        self.screen.retranslate(self._texts)
        if self._path is not None and self._offer is not None:
            self._show()

    # --- what is printed ------------------------------------------------------------------------

    def print_page(self, page: QWebEnginePage) -> None:
        """The page on screen, as a PDF (Chromium makes it in the background)."""
        self._start()
        self.screen.show_waiting(self._texts("print_making"))
        path = self.desk.files.new_path(".pdf")
        generation = self._generation

        def finished(file_path: str, success: bool) -> None:
            if file_path != str(path):
                return
            page.pdfPrintingFinished.disconnect(finished)
            if generation != self._generation:  # the visitor left, or the visit ended
                path.unlink(missing_ok=True)
                return
            self._open(path if success else None)

        page.pdfPrintingFinished.connect(finished)
        page.printToPdf(str(path), A4)

    def print_file(self, path: Path, kind: str) -> None:
        """A downloaded PDF as it is, or a picture on an A4 page."""
        self._start()
        if kind == "image":
            pdf = self.desk.files.new_path(".pdf")
            self._open(pdf if image_to_pdf(path, pdf) else None)
        else:
            self._open(path if kind == "pdf" else None)

    def clear(self) -> None:
        """The visitor went back, or the visit ended: forget the document."""
        self._generation += 1
        self._path = None
        self._offer = None
        self.screen.clear()

    def _start(self) -> None:
        self.clear()
        self._copies, self._color = 1, False

    def _open(self, path: Path | None) -> None:
        pages = self.screen.load(path) if path is not None else 0
        if pages < 1:
            self._path = None
            self.screen.show_waiting(self._texts("print_make_failed"))
            self.pdf_ready.emit(0)
            return
        self._path, self._pages = path, pages
        self._offer = self.desk.offer()
        self._show()
        self.pdf_ready.emit(pages)

    # --- the choice and the print ---------------------------------------------------------------

    def _show(self) -> None:
        offer = self._offer
        assert offer is not None
        shown = describe(self._texts, offer, self._pages, self._copies)
        self.screen.show_choice(shown, self._copies, self._color if offer.color else None)

    def _copies_by(self, delta: int) -> None:
        if self._offer is None:
            return
        self._copies = max(1, min(MAX_COPIES, self._copies + delta))
        self._show()

    def _choose_color(self, color: bool) -> None:
        self._color = color
        if self._offer is not None:
            self._show()

    def print_now(self) -> PrintResult | None:
        """Print as chosen; what the screen says follows from CUPS's answer."""
        if self._path is None or self._offer is None:
            return None
        self.pressed_at = time.perf_counter()
        color = self._color and self._offer.color
        result = self.desk.print_file(self._path, self._pages, self._copies, color)
        texts = self._texts
        if result.ok:
            left = left_text(texts, self.desk.left())
            self.screen.show_sent(_sent_text(texts, result.pages), left)
        else:
            self._offer = self.desk.offer()
            self._show()
            if result.refusal is not None:
                self.screen.show_refusal(refusal_text(texts, result.refusal))
            elif result.problem is not None:
                self.screen.show_refusal(problem_text(texts, result.problem))
        self.result.emit(result)
        return result
