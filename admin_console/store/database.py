"""Opening the aggregator's database: SQLite by default (WAL), PostgreSQL by URL, same code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import platformdirs
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import URL, Dialect, Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from admin_console.store.orm import Base

MIGRATIONS = Path(__file__).with_name("migrations")
WAL_CHECKPOINT_PAGES = 10_000


class DatabaseError(RuntimeError):
    """The database cannot be opened or written; the message names it and says why (English,
    for logs and the command line). ``kind`` names the case for screens that say it in their
    language (``bad_url``, ``missing``, ``folder``, ``unusable``, ``no_tables``, ``cannot_open``,
    ``schema``) and ``where`` is the database as shown (without its password)."""

    def __init__(self, message: str, kind: str = "", where: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.where = where


def default_database_url() -> str:
    folder = Path(platformdirs.user_data_dir("kiosk-suite"))
    return f"sqlite:///{folder / 'aggregator.db'}"


def _json_text(value: Any) -> str:
    """JSON columns' text: orjson (C, ~10× faster than ``json.dumps``, compact); ``json`` for
    what orjson cannot write (integers over 64 bits, keys that are not strings). orjson writes
    NaN and infinities (which the wire contract keeps out) as null, not as non-JSON ``NaN``."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        return json.dumps(value)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL, not NORMAL: in WAL mode NORMAL does not sync at each commit, so a power cut could
    # take back a transaction whose messages the aggregator had already acknowledged to the
    # broker — events lost for good. FULL syncs the WAL at each commit (one per batch).
    cursor.execute("PRAGMA synchronous=FULL")
    # Copy the WAL into the database every ~40 MB (10,000 pages) instead of every 4 MB: a
    # transaction of 500 one-event messages writes 0.4 MB of WAL into an empty database, over
    # 1 MB after 6,000 events and more as the table grows (random-UUID keys dirty index pages
    # all over), so the default checkpointed every few commits, copying the same hot pages
    # again each time (storer: −10 to −25 % wall time per message; BENCHMARKS.md).
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _create_engine(url: URL) -> Engine:
    return create_engine(url, pool_pre_ping=True, json_serializer=_json_text)


def dialect_of(url: str) -> Dialect:
    """The dialect of :func:`open_database`'s engine for ``url`` (its JSON writer included),
    without connecting: what the aggregator's receiver prepares rows with."""
    return _create_engine(make_url(url)).dialect


def open_database(url: str, *, create: bool = True) -> Engine:
    """An engine with the schema in place; DatabaseError with a one-line reason otherwise."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            f"{url!r} is not a database URL (sqlite:///path or postgresql+psycopg://…)",
            "bad_url",
            url,
        ) from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        file = Path(parsed.database or "").expanduser().resolve()
        folder = file.parent
        if not create and not file.exists():
            raise DatabaseError(
                f"there is no database at {shown} (start admin-console serve first)",
                "missing",
                shown,
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise DatabaseError(
                f"cannot create the folder for {shown}: {err.strerror}", "folder", shown
            ) from None
    try:
        engine = _create_engine(parsed)
    except (ArgumentError, ImportError) as err:
        raise DatabaseError(f"cannot use {shown}: {err}", "unusable", shown) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        if create:
            migrate(engine)
        elif not inspect(engine).has_table("events"):
            raise DatabaseError(
                f"{shown} holds no aggregator tables (start admin-console serve first)",
                "no_tables",
                shown,
            )
    except OperationalError as err:
        raise DatabaseError(f"cannot open {shown}: {err.orig}", "cannot_open", shown) from None
    except SQLAlchemyError as err:
        raise DatabaseError(f"cannot open {shown}: {err}", "cannot_open", shown) from None
    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (Alembic); a new database gets every table."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


__all__ = [
    "Base",
    "DatabaseError",
    "default_database_url",
    "dialect_of",
    "migrate",
    "open_database",
]
