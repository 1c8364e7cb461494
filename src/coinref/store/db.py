"""Engines and sessions for both backends.

SQLite gets WAL journaling, foreign keys and a busy timeout on every connection, and every write
transaction begins with ``BEGIN IMMEDIATE`` (so several processes can share one file: writers wait
for each other, readers never wait); PostgreSQL goes through psycopg 3. ``session_scope`` is the
one transaction helper the rest of the code uses.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def is_sqlite(url_or_engine: str | Engine) -> bool:
    url = str(url_or_engine.url) if isinstance(url_or_engine, Engine) else url_or_engine
    return url.startswith("sqlite")


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


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine with the backend-specific connection setup."""
    if is_sqlite(url):
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
