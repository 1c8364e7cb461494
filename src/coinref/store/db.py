"""Engines and sessions for both backends.

SQLite gets WAL journaling, foreign keys and a busy timeout on every connection (so several
processes can share one file); PostgreSQL goes through psycopg 3. ``session_scope`` is the one
transaction helper the rest of the code uses.
"""

from __future__ import annotations

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


@contextmanager
def session_scope(engine: Engine, *, immediate: bool = False) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any exception.

    ``immediate=True`` takes SQLite's write lock at BEGIN (``BEGIN IMMEDIATE``), which makes a
    read-then-write atomic across processes; on PostgreSQL it changes nothing.
    """
    bind = engine.execution_options(sqlite_begin="BEGIN IMMEDIATE") if immediate and is_sqlite(engine) else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
