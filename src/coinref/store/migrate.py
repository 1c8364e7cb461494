"""Run Alembic migrations programmatically (``coinref init`` and the tests use this)."""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def at_head(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


#: the PostgreSQL advisory lock key ``coinref init`` holds while it migrates and seeds
INIT_LOCK_KEY = zlib.crc32(b"coinref init")


@contextmanager
def init_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's init lock: concurrent ``coinref init`` runs take turns.

    PostgreSQL: a session advisory lock (``pg_advisory_lock``) on a connection of its own, so two
    processes never run ``CREATE TABLE`` / ``CREATE EXTENSION`` or the seed at the same time (the
    loser failed with a unique violation on ``pg_type``). SQLite: an exclusive ``flock`` on a
    ``<database>-init.lock`` file beside the database (migrations run on their own connection, which
    a ``BEGIN IMMEDIATE`` held elsewhere in the same process would block). The next holder finds
    the schema at head and the seed in place, and changes nothing.
    """
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            yield
            return
        with open(f"{database}-init.lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": INIT_LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": INIT_LOCK_KEY})
            conn.commit()


def init_database(engine: Engine, seed: Callable[[Engine], dict]) -> dict:
    """Migrate to head and seed, under :func:`init_lock`; returns what ``seed`` changed."""
    with init_lock(engine):
        upgrade(engine)
        return seed(engine)
