"""What a visit does between the home tiles, the guided tasks and the browser; and its wipe.

The model (``KioskCore``) records; this controller opens the right pages, follows the browser
for auto-advance, and wipes the browser, windows and clipboard when the visit ends.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from kiosk.browser.allowlist import Allowlist
from kiosk.i18n import Texts
from kiosk.model.core import KioskCore
from kiosk.model.skills import Offers, load_offers
from kiosk.model.tiles import BROWSE, Tile
from kiosk.ui.activity import QtActivity
from kiosk.ui.window import QtKioskWindow

if TYPE_CHECKING:  # the browser and the task catalog load after the start screen shows
    from kiosk.printing.desk import PrintDesk
    from kiosk.tasks import Catalog, Task
    from kiosk.ui.browser import QtSafeBrowser

log = logging.getLogger("kiosk.visit")


class QtVisitController:
    def __init__(
        self,
        core: KioskCore,
        window: QtKioskWindow,
        catalog: Catalog | None,
        allowlist: Allowlist,
        downloads: Path,
        printing: PrintDesk | None = None,
    ) -> None:
        self._core = core
        self.printing = printing  # None: no printer in [printing]
        self._window = window
        self.catalog = catalog
        self._allowlist = allowlist
        self._downloads = downloads
        self._session = core.session
        self._shown_step: tuple[str, int] | None = None
        self.wipes_ms: list[float] = []
        self.activity = QtActivity(allowlist, window.reader.available, self._make_browser)
        player = self.activity.player
        player.back_requested.connect(lambda: self._step_by(-1))
        player.next_requested.connect(lambda: self._step_by(+1))
        player.finish_requested.connect(self._finish)
        player.stop_requested.connect(self.go_home)
        player.read_requested.connect(window.read_aloud)
        self.activity.picker.site_chosen.connect(self._open_site)
        self.activity.picker.home_requested.connect(self.go_home)
        window.set_tiles_for(self.tiles)
        window.enable_skills(self.skills_tasks, self.skills_offers, printing)
        window.open_requested.connect(self.open)
        core.subscribe(self._follow)

    def _make_browser(self) -> QtSafeBrowser:
        from kiosk.ui.browser import QtSafeBrowser  # ~400 MB with its first page: not before

        browser = QtSafeBrowser(
            self._allowlist, lang=self._core.lang, download_base=self._downloads
        )
        browser.site_opened.connect(self._core.site_opened)
        browser.address_changed.connect(self.address_changed)
        browser.close_requested.connect(self.go_home)
        if self.printing is not None:
            from kiosk.ui.print_flow import QtPrinting
            from kiosk.ui.print_screen import QtPrintScreen

            screen = QtPrintScreen(self._window.reader.available)
            reader = self._window.reader
            screen.read_requested.connect(lambda: reader.say(screen.spoken_text(), self._core.lang))
            browser.enable_printing(QtPrinting(self.printing, screen, self._core.lang))
        return browser

    # --- home tiles -----------------------------------------------------------------------------

    def set_catalog(self, catalog: Catalog) -> None:
        self.catalog = catalog
        for problem in catalog.problems:
            log.warning("task left out: %s", problem)
        self._window.refresh()

    def content_problems(self) -> int:
        """Task files left out because they are broken (for the status heartbeat)."""
        return 0 if self.catalog is None else len({p.file for p in self.catalog.problems})

    def tiles(self, texts: Texts) -> list[Tile]:
        lang = texts.lang
        catalog = self.catalog.tasks() if self.catalog is not None else ()
        tasks = [Tile(t.id, t.title(lang), t.summary(lang), t.icon) for t in catalog]
        return [*tasks, Tile(BROWSE, texts("tile_browse"))]

    def skills_tasks(self, lang: str) -> list[tuple[str, str, str, Path | None]]:
        """The skills check's choice of guided tasks: (id, category, title in ``lang``, icon)."""
        catalog = self.catalog.tasks() if self.catalog is not None else ()
        return [(t.id, t.category.value, t.title(lang), t.icon) for t in catalog]

    def skills_offers(self) -> Offers:
        """The site's local offers: ``offers.toml`` in its own tasks folder (the last one)."""
        folders = self.catalog.folders if self.catalog is not None else ()
        return load_offers(folders[-1] if folders else None)

    def reload(self) -> None:
        """The ``reload_content`` command: site tasks added or changed take effect now."""
        if self.catalog is not None:
            self.set_catalog(self.catalog.reload())

    # --- opening things -------------------------------------------------------------------------

    def open(self, tile: str) -> None:
        if tile == BROWSE:
            self.activity.picker.retranslate(Texts(self._core.lang))
            self.activity.show_picker()
            self._window.show_activity(self.activity)
            return
        task = self.catalog.get(tile) if self.catalog is not None else None
        if task is None:
            log.warning("no task %r in the catalog", tile)
            return
        self._core.start_task(task.id, len(task.steps))
        self.activity.retranslate(Texts(self._core.lang))
        self.activity.set_text_size(self._core.text_size)
        browser = self.activity.show_browser(with_player=True)
        browser.allowlist = self._allowlist.with_extra(
            {d.key: d.hosts for d in task.domains}, task.offline_folders()
        )
        browser.set_language(self._core.lang)
        self._window.show_activity(self.activity)
        self._show_step(task)
        browser.open_url(task.start_url(self._core.lang))

    def _open_site(self, key: str) -> None:
        browser = self.activity.show_browser(with_player=False)
        browser.allowlist = self._allowlist
        browser.set_language(self._core.lang)
        browser.open_site(key)

    def go_home(self) -> None:
        self._core.abandon_task()
        self._window.show_home()

    # --- a running task -------------------------------------------------------------------------

    def _task(self) -> Task | None:
        progress = self._core.task
        if progress is None or self.catalog is None:
            return None
        return self.catalog.get(progress.task)

    def _step_by(self, delta: int) -> None:
        if self._core.task is not None:
            self._core.go_to_step(self._core.task.step + delta)

    def _finish(self) -> None:
        task = self._task()
        self._core.complete_task()
        self._core.abandon_task()  # clears the finished task (nothing is counted twice)
        self._window.show_home()
        if task is not None:  # "Is het gelukt?": three faces, skippable (issue 20)
            self._window.ask_task_feedback(task.id, task.title(self._core.lang))

    def address_changed(self, url: str) -> None:
        """Auto-advance: the browser reached the page of a later step."""
        task, progress = self._task(), self._core.task
        if task is None or progress is None:
            return
        step = task.next_step_for_url(url, progress.step)
        if step is not None:
            self._core.go_to_step(step)

    def _show_step(self, task: Task) -> None:
        progress = self._core.task
        if progress is None:
            return
        self.activity.player.show_step(task, progress, Texts(self._core.lang))
        self._shown_step = (progress.task, progress.step)

    # --- following the model --------------------------------------------------------------------

    def _follow(self) -> None:
        core = self._core
        if self._session is not None and core.session != self._session:
            self._wipe()
        self._session = core.session
        self.activity.set_text_size(core.text_size)
        task = self._task()
        progress = core.task
        if task is not None and progress is not None:
            if self._shown_step != (progress.task, progress.step):
                self._show_step(task)
        elif self._shown_step is not None:
            self.activity.hide_player()
            self._shown_step = None

    def _wipe(self) -> None:
        from kiosk.ui.session_wiper import wipe_session

        keep: list[QWidget] = [self._window]
        others = [self.printing] if self.printing is not None else []
        report = wipe_session(keep, self.activity.browser, others)
        self.wipes_ms.append(report.duration_ms)
        self.activity.show_picker()
        self._shown_step = None
