"""Engines and sessions for both backends.

SQLite gets WAL journaling, foreign keys and a busy timeout on every connection, and every write
transaction begins with ``BEGIN IMMEDIATE`` (so several processes can share one file: writers wait
for each other, readers never wait); PostgreSQL goes through psycopg 3. ``session_scope`` is the
one transaction helper the rest of the code uses.

Only ``coinref init`` creates an SQLite file (``create=True``): any other command given a path
where no file is finds a NotFound naming the path, so a mistyped ``DATABASE_URL`` never leaves an
empty database behind. A file that is not an SQLite database is a ConfigError (exit 10). Read
commands open SQLite with ``read_only=True``: SQLite's ``mode=ro``, no journal-mode switch, and,
where the folder is not writable and the WAL index files are absent (a read-only install),
``immutable=1`` so SQLite does not need to create them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from coinref.errors import ConfigError, NotFound

SQLITE_MAGIC = b"SQLite format 3\x00"


def is_sqlite(url_or_engine: str | Engine) -> bool:
    url = str(url_or_engine.url) if isinstance(url_or_engine, Engine) else url_or_engine
    return url.startswith("sqlite")


def sqlite_file(url: str) -> Path | None:
    """The file an SQLite URL names (None for an in-memory database)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def check_sqlite_file(url: str, *, create: bool) -> Path | None:
    """Refuse a path with no file (unless creating), a folder, or a file that is not SQLite."""
    path = sqlite_file(url)
    if path is None:
        return None
    if not path.exists():
        if not create:
            raise NotFound(f"no database at {path} (DATABASE_URL); check the path, or run `coinref init` to "
                           "create it")
        return path
    if not path.is_file():
        raise ConfigError(f"DATABASE_URL: {path} is not a file")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ConfigError(f"DATABASE_URL: cannot read {path}: {exc.strerror or exc}") from None
    if head and head != SQLITE_MAGIC:
        raise ConfigError(f"DATABASE_URL: {path} is not an SQLite database")
    return path


def sqlite_writable(url: str) -> bool:
    """False for an SQLite file this process cannot write (a read-only file or folder)."""
    path = sqlite_file(url) if is_sqlite(url) else None
    if path is None or not path.exists():
        return True
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _read_only_url(path: Path) -> str:
    """``mode=ro``; ``immutable=1`` too where SQLite could not create the WAL index beside the file."""
    shm = path.with_name(path.name + "-shm")
    immutable = not shm.exists() and not os.access(path.parent, os.W_OK)
    options = "mode=ro" + ("&immutable=1" if immutable else "")
    return f"sqlite:///file:{quote(str(path.resolve()))}?{options}&uri=true"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - exercised by every test
    # Take over transaction control so "BEGIN IMMEDIATE" can be issued by the quota ledger.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn) -> None:  # pragma: no cover
    mode = conn.get_execution_options().get("sqlite_begin", "BEGIN")
    conn.exec_driver_sql(mode)


def _sqlite_read_begin(conn) -> None:  # pragma: no cover
    # A read-only file cannot take the write lock BEGIN IMMEDIATE asks for: always a plain BEGIN.
    conn.exec_driver_sql("BEGIN")


def _sqlite_read_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA foreign_keys=ON")
    dbapi_connection.execute("PRAGMA busy_timeout=30000")


def make_engine(url: str, *, create: bool = True, read_only: bool = False, **kwargs) -> Engine:
    """Create an engine with the backend-specific connection setup.

    SQLite: ``create=False`` refuses a missing file; ``read_only=True`` opens an existing file
    read-only (see the module docstring). Both are ignored for PostgreSQL.
    """
    if is_sqlite(url):
        path = check_sqlite_file(url, create=create and not read_only)
        if read_only and path is not None:
            engine = create_engine(_read_only_url(path), connect_args={"timeout": 30, "check_same_thread": False},
                                   **kwargs)
            event.listen(engine, "connect", _sqlite_read_pragmas)
            event.listen(engine, "begin", _sqlite_read_begin)
            return engine
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


@lru_cache(maxsize=8)
def cached_engine(url: str) -> Engine:
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


_immediate_held = threading.local()  # URLs of the SQLite databases this thread holds a write scope on


def write_bind(engine: Engine) -> Engine:
    """The engine to write through: on SQLite its transactions start with ``BEGIN IMMEDIATE``.

    Why: in WAL mode a *deferred* transaction that reads and then writes cannot wait for the
    write lock. If another process committed after the read, SQLite answers "database is locked"
    (SQLITE_BUSY_SNAPSHOT) at once, whatever ``busy_timeout`` says, because the snapshot read is
    stale. ``BEGIN IMMEDIATE`` takes the write lock first and waits for it (``busy_timeout``, 30 s),
    so writers queue instead of failing; readers are never blocked (WAL). PostgreSQL: unchanged.
    """
    return engine.execution_options(sqlite_begin="BEGIN IMMEDIATE") if is_sqlite(engine) else engine


@contextmanager
def session_scope(engine: Engine, *, immediate: bool = True, read_only: bool = False) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any exception.

    Every transaction is a write transaction unless ``read_only=True``: on SQLite it begins with
    ``BEGIN IMMEDIATE`` (see :func:`write_bind`), which makes a read-then-write atomic across
    processes and makes concurrent writers wait for each other instead of failing. Pure reads pass
    ``read_only=True`` and run in a deferred transaction that never blocks or waits. (``immediate``
    is kept for the callers that spell it out.) On PostgreSQL both are ordinary transactions.
    """
    key = str(engine.url)
    held = _immediate_held.__dict__.setdefault("urls", set())
    # a scope opened inside a write scope of the same thread and database begins deferred, as it
    # always did: BEGIN IMMEDIATE there would wait for the outer transaction's own lock
    nested = key in held
    take_lock = immediate and not read_only and not nested and is_sqlite(engine)
    bind = write_bind(engine) if take_lock else engine
    if take_lock:
        held.add(key)
    try:
        with Session(bind, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        if take_lock:
            held.discard(key)
