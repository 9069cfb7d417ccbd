"""Turns a report's HTML into an A4 PDF with Qt (QTextDocument + QPdfWriter): no extra library.

The PDF is made in memory and then written with Python's own file calls, so that a folder that
does not exist, a missing permission or a full disk raise ``OSError`` (QPdfWriter on a path
only warns on the console and leaves no file). A table's ``<thead>`` row is repeated at the top
of every page the table runs onto (Qt's ``headerRowCount``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSizeF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument


def ensure_gui_application() -> QGuiApplication:
    """Fonts and text layout need a (Gui) application; on a server there is no display."""
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        return app
    argv = sys.argv[:1] or ["admin-console"]
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and not os.environ.get("QT_QPA_PLATFORM"):
        argv = [*argv, "-platform", "offscreen"]
    # A QApplication, not only a QGuiApplication: a window made later in the same process
    # (the console after a report, or a test after another) needs one, and Qt allows one
    # application object per process (a QWidget without it aborts the process).
    from PySide6.QtWidgets import QApplication

    return QApplication(argv)


def write_pdf(html: str, path: Path, title: str = "Usage report") -> None:
    """Write ``html`` to ``path`` as a PDF on A4 with 15 mm margins; ``OSError`` when the file
    cannot be written (nothing is left behind then)."""
    path.write_bytes(pdf_bytes(html, title))


def pdf_bytes(html: str, title: str = "Usage report") -> bytes:
    """``html`` as the bytes of a PDF on A4 with 15 mm margins."""
    ensure_gui_application()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator("kiosk-suite admin-console")
    writer.setResolution(300)
    layout = QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        QMarginsF(15, 15, 15, 15),
        QPageLayout.Unit.Millimeter,
    )
    writer.setPageLayout(layout)
    document = QTextDocument()
    # Measure fonts at the writer's resolution, not the screen's: otherwise 10 pt comes out tiny.
    document.documentLayout().setPaintDevice(writer)
    document.setHtml(html)
    # Lay the text out on the printable area at the writer's resolution, then print page by page.
    area = writer.pageLayout().paintRectPixels(writer.resolution())
    document.setPageSize(QSizeF(area.width(), area.height()))
    document.print_(writer)
    del writer  # ends the PDF (its trailer) in the buffer
    buffer.close()
    return bytes(data.data())
