"""The console's database, used from a small thread pool so that the window never waits on it.

``submit(job, on_done)`` runs ``job(engine)`` on a worker thread and hands the result to
``on_done`` in the GUI thread. The engine is opened (and its schema brought up to date) on the
first job; while the database cannot be reached every job fails with a one-line reason,
``state_changed`` tells the window, and the next job tries again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from admin_console.store.database import DatabaseError, migrate, open_database
from admin_console.ui.language import tr

log = logging.getLogger("admin_console.gui")

Job = Callable[[Engine], Any]


def database_error_text(err: DatabaseError) -> str:
    """Why the database cannot be used, in the console's language (the message of ``err`` is
    English, for the log); ``err.kind`` names the case."""
    where = err.where
    texts = {
        "bad_url": tr(
            "QtDatabase",
            "{url} is not a database URL (sqlite:///path or postgresql+psycopg://…)",
            url=where,
        ),
        "missing": tr(
            "QtDatabase",
            "there is no database at {url} (start admin-console serve first)",
            url=where,
        ),
        "folder": tr("QtDatabase", "cannot create the folder for {url}", url=where),
        "unusable": tr("QtDatabase", "cannot use {url} (the log says why)", url=where),
        "no_tables": tr(
            "QtDatabase",
            "{url} holds no aggregator tables (start admin-console serve first)",
            url=where,
        ),
        "cannot_open": tr("QtDatabase", "cannot open {url} (the log says why)", url=where),
        "schema": tr("QtDatabase", "cannot update the schema (the log says why)"),
    }
    return texts.get(err.kind) or tr("QtDatabase", "the database cannot be used (the log says why)")


class _Signals(QObject):
    done = Signal(int, object)
    failed = Signal(int, str, bool)  # ticket, message, the database itself is unreachable


class _Run(QRunnable):
    def __init__(self, owner: QtDatabase, ticket: int, job: Job) -> None:
        super().__init__()
        self._owner = owner
        self._ticket = ticket
        self._job = job

    def run(self) -> None:
        signals = self._owner.signals
        try:
            result = self._job(self._owner.engine())
        except DatabaseError as err:
            log.warning("database: %s", err)
            signals.failed.emit(self._ticket, database_error_text(err), True)
        except OperationalError as err:
            log.warning("the database stopped answering: %s", err.orig)
            signals.failed.emit(
                self._ticket, tr("QtDatabase", "the database stopped answering"), True
            )
        except SQLAlchemyError:
            log.exception("a database query failed")
            signals.failed.emit(
                self._ticket, tr("QtDatabase", "a query failed (the log says why)"), False
            )
        except Exception as err:  # a bug must not leave the console waiting forever
            log.exception("a background job failed")
            signals.failed.emit(
                self._ticket,
                tr(
                    "QtDatabase",
                    "an error in the console: {kind} (the log says more)",
                    kind=type(err).__name__,
                ),
                False,
            )
        else:
            signals.done.emit(self._ticket, result)


class QtDatabase(QObject):
    state_changed = Signal(bool, str)  # reachable, why not

    def __init__(self, url: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.url = url
        self.signals = _Signals(self)
        self.signals.done.connect(self._done)
        self.signals.failed.connect(self._failed)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.reachable: bool | None = None
        self.last_error = ""
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._ticket = 0
        self._waiting: dict[int, tuple[Callable[[Any], None], Callable[[str], None] | None]] = {}

    def engine(self) -> Engine:
        """Open on first use (worker thread); DatabaseError says why it cannot be opened."""
        with self._lock:
            if self._engine is None:
                engine = open_database(self.url, create=False)
                try:
                    migrate(engine)  # the audit log's table (0002) on an older database
                except SQLAlchemyError as err:
                    engine.dispose()
                    raise DatabaseError(f"cannot update the schema: {err}", "schema") from None
                self._engine = engine
            return self._engine

    def submit(
        self,
        job: Job,
        on_done: Callable[[Any], None],
        on_error: Callable[[str], None] | None = None,
    ) -> int:
        self._ticket += 1
        self._waiting[self._ticket] = (on_done, on_error)
        self.pool.start(_Run(self, self._ticket, job))
        return self._ticket

    def busy(self) -> bool:
        return bool(self._waiting)

    def _done(self, ticket: int, result: object) -> None:
        on_done, _ = self._waiting.pop(ticket, (None, None))
        if self.reachable is not True:
            self.reachable = True
            self.last_error = ""
            self.state_changed.emit(True, "")
        if on_done is not None:
            on_done(result)

    def _failed(self, ticket: int, message: str, unreachable: bool) -> None:
        _, on_error = self._waiting.pop(ticket, (None, None))
        if unreachable and (self.reachable is not False or message != self.last_error):
            self.reachable = False
            self.last_error = message
            self.state_changed.emit(False, message)
        if on_error is not None:
            on_error(message)

    def close(self) -> None:
        self.pool.waitForDone(10_000)
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
