"""Downloads of one visit: a private folder, a refusal for dangerous files, and a viewer.

A visitor who saves a PDF or a picture sees it inside the kiosk (:class:`QtDownloadsPanel`),
never in an outside program. The folder is made for the visit and removed at its end
(:meth:`QtVisitDownloads.close`); a folder left by a crash is swept at the next visit when the
kiosk names a folder of its own for them (:func:`sweep_stale_folders`).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWebEngineCore import QWebEngineDownloadRequest, QWebEngineProfile
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.browser import policy
from kiosk.i18n import Texts

log = logging.getLogger("kiosk.browser")

FOLDER_PREFIX = "kiosk-visit-"
State = QWebEngineDownloadRequest.DownloadState
_TEXT_PREVIEW_BYTES = 200_000


@dataclass(frozen=True)
class SavedFile:
    """A file the visitor downloaded (the name stays inside the kiosk: never logged or sent)."""

    path: Path
    kind: str  # pdf | image | text | document

    @property
    def name(self) -> str:
        return self.path.name


def sweep_stale_folders(base: Path) -> int:
    """Remove visit folders a crash left in ``base``; how many there were."""
    removed = 0
    for folder in base.glob(FOLDER_PREFIX + "*"):
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


class QtVisitDownloads(QObject):
    """Accepts or refuses each download of one profile, into a folder of its own."""

    refused = Signal(str)
    saved = Signal(object)  # SavedFile

    def __init__(
        self, profile: QWebEngineProfile, base: Path | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        if base is not None:
            base.mkdir(parents=True, exist_ok=True)
            if sweep_stale_folders(base):
                log.warning("removed download folders left by an earlier visit")
        self.folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=base))  # mode 0700
        self.files: list[SavedFile] = []
        self._running: dict[str, QWebEngineDownloadRequest] = {}
        profile.setDownloadPath(str(self.folder))
        profile.downloadRequested.connect(self._on_requested)

    def _on_requested(self, request: QWebEngineDownloadRequest) -> None:
        decision = policy.decide_download(request.suggestedFileName(), request.mimeType())
        if decision.kind is None:
            self._refuse(request, policy.DOWNLOAD_REFUSED)
            return
        if request.totalBytes() > policy.MAX_DOWNLOAD_BYTES:
            self._refuse(request, policy.DOWNLOAD_TOO_LARGE)
            return
        taken = {path.name for path in self.folder.iterdir()} | set(self._running)
        name = policy.unique_name(decision.file_name, taken)
        request.setDownloadDirectory(str(self.folder))
        request.setDownloadFileName(name)
        self._running[name] = request
        request.receivedBytesChanged.connect(partial(self._check_size, request))
        request.isFinishedChanged.connect(partial(self._finished, request, name, decision.kind))
        request.accept()

    def _refuse(self, request: QWebEngineDownloadRequest, reason: str) -> None:
        request.cancel()
        log.info("browser refused: %s", reason)
        self.refused.emit(reason)

    def _check_size(self, request: QWebEngineDownloadRequest) -> None:
        # The announced size can be missing or false; what arrives is what counts.
        if request.receivedBytes() > policy.MAX_DOWNLOAD_BYTES and not request.isFinished():
            self._refuse(request, policy.DOWNLOAD_TOO_LARGE)

    def _finished(self, request: QWebEngineDownloadRequest, name: str, kind: str) -> None:
        if not request.isFinished() or self._running.pop(name, None) is None:
            return
        path = self.folder / name
        if request.state() == State.DownloadCompleted and path.is_file():
            saved = SavedFile(path, kind)
            self.files.append(saved)
            self.saved.emit(saved)
        elif request.state() == State.DownloadInterrupted:
            log.info("browser refused: %s", policy.DOWNLOAD_FAILED)
            self.refused.emit(policy.DOWNLOAD_FAILED)
        else:  # cancelled: by the size check, which has said why
            path.unlink(missing_ok=True)

    def close(self) -> None:
        """Stop what is still arriving and delete the folder with everything in it."""
        for request in list(self._running.values()):
            request.cancel()
        self._running.clear()
        self.files.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


def _button(object_name: str) -> QPushButton:
    button = QPushButton()
    button.setObjectName(object_name)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


class QtFileViewer(QWidget):
    """Shows one downloaded file: PDF pages, a picture, plain text, or why it cannot."""

    back_requested = Signal()
    print_requested = Signal(object)  # SavedFile (a PDF or a picture), when printing is on

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        # One text size, as the browser bar (the theme: #viewer_bar): at 200 % its buttons
        # were cut off ("our à vos télécharge…", "prim"); a long file name wraps instead.
        bar = QWidget()
        bar.setObjectName("viewer_bar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.back_button = _button("secondary")
        self.back_button.clicked.connect(self.back_requested)
        row.addWidget(self.back_button)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.title, 1)
        self.print_button = _button("primary")
        self.print_button.clicked.connect(lambda: self.print_requested.emit(self._shown))
        self.print_button.hide()
        self.printing = False
        self._shown: SavedFile | None = None
        row.addWidget(self.print_button)
        layout.addWidget(bar)
        self.document = QPdfDocument(self)
        self.pdf_view = QPdfView()
        self.pdf_view.setDocument(self.document)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        image_area = QScrollArea()
        image_area.setWidgetResizable(True)
        image_area.setWidget(self.image)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.content = QStackedWidget()
        for widget in (self.pdf_view, image_area, self.text, self.message):
            self.content.addWidget(widget)
        layout.addWidget(self.content, 1)
        self._texts = Texts("en")

    def retranslate(self, texts: Texts) -> None:
        self._texts = texts
        self.back_button.setText(texts("viewer_back"))
        self.back_button.setAccessibleName(texts("viewer_back"))
        self.print_button.setText(texts("viewer_print"))
        self.print_button.setAccessibleName(texts("viewer_print_name"))

    def show_file(self, saved: SavedFile) -> None:
        self.clear()
        self.title.setText(saved.name)
        shown = False
        if saved.kind == "pdf":
            shown = self.document.load(str(saved.path)) == QPdfDocument.Error.None_
            if shown:
                self.content.setCurrentWidget(self.pdf_view)
        elif saved.kind == "image":
            pixmap = QPixmap(str(saved.path))
            shown = not pixmap.isNull()
            if shown:
                self.image.setPixmap(pixmap)
                self.content.setCurrentIndex(1)
        elif saved.kind == "text":
            with saved.path.open("rb") as handle:
                data = handle.read(_TEXT_PREVIEW_BYTES)
            self.text.setPlainText(data.decode("utf-8", "replace"))
            self.content.setCurrentWidget(self.text)
            shown = True
        if not shown:
            self.message.setText(self._texts("viewer_cannot_show"))
            self.content.setCurrentWidget(self.message)
        self._shown = saved if shown and saved.kind in ("pdf", "image") else None
        self.print_button.setVisible(self.printing and self._shown is not None)

    def clear(self) -> None:
        self._shown = None
        self.print_button.hide()
        self.document.close()
        self.image.clear()
        self.text.clear()
        self.title.clear()


class QtDownloadsPanel(QWidget):
    """'Your downloads': one big button per file, and the viewer."""

    back_requested = Signal()
    print_requested = Signal(object)  # SavedFile

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.list_page = QWidget()
        layout = QVBoxLayout(self.list_page)
        self.title = QLabel()
        self.title.setObjectName("title")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.back_button = _button("secondary")
        self.back_button.clicked.connect(self.back_requested)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        self.file_list = QVBoxLayout()
        layout.addLayout(self.file_list)
        layout.addStretch(1)
        layout.addWidget(self.back_button)
        self.viewer = QtFileViewer()
        self.viewer.back_requested.connect(lambda: self.stack.setCurrentWidget(self.list_page))
        self.viewer.print_requested.connect(self.print_requested)
        self.stack.addWidget(self.list_page)
        self.stack.addWidget(self.viewer)
        self.file_buttons: list[QPushButton] = []
        self._files: list[SavedFile] = []
        self._texts = Texts("en")

    def retranslate(self, texts: Texts) -> None:
        self._texts = texts
        self.title.setText(texts("downloads_title"))
        self.back_button.setText(texts("downloads_back"))
        self.back_button.setAccessibleName(texts("downloads_back"))
        self.viewer.retranslate(texts)
        self.set_files(self._files)

    def set_files(self, files: Sequence[SavedFile]) -> None:
        self._files = list(files)
        for button in self.file_buttons:
            self.file_list.removeWidget(button)
            button.deleteLater()
        self.file_buttons = []
        for saved in self._files:
            button = _button("secondary")
            button.setText(saved.name)
            button.setAccessibleName(self._texts("downloads_open_name", name=saved.name))
            button.clicked.connect(partial(self.open_file, saved))
            self.file_list.addWidget(button)
            self.file_buttons.append(button)
        note = "downloads_erased" if self._files else "downloads_empty"
        self.note.setText(self._texts(note))

    def set_printing(self, on: bool) -> None:
        """A printer is configured: the viewer offers Print for a PDF or a picture."""
        self.viewer.printing = on

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_page)

    def open_file(self, saved: SavedFile) -> None:
        self.viewer.show_file(saved)
        self.stack.setCurrentWidget(self.viewer)

    def clear(self) -> None:
        """Forget every file of the visit (the viewer lets go of an open document too)."""
        self.viewer.clear()
        self.set_files([])
        self.show_list()
