"""Fixtures for search and validation: databases holding the whole built-in catalog, per backend.

Loading the catalog takes seconds, so it is done once per session and backend into a template
(a SQLite file, a PostgreSQL database) that each test clones, like the empty-schema templates of
``tests/conftest.py``. ``catalog_ro_engine`` is one more clone shared by read-only tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine

from coinref.catalog.builtin import load_catalog
from coinref.store.coins import upsert_catalog_coins
from coinref.store.db import make_engine

PG_ADMIN_DSN = os.environ.get("COINREF_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=root dbname=postgres")
PG_URL_BASE = os.environ.get("COINREF_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432")


def _pg_exec(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql)


def _load_catalog(url: str) -> None:
    engine = make_engine(url)
    try:
        upsert_catalog_coins(engine, load_catalog())
        if url.startswith("sqlite"):
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def catalog_sqlite_template(sqlite_template, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("catalog") / "catalog.db"
    shutil.copy(sqlite_template, path)
    _load_catalog(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def catalog_pg_template(pg_template) -> Iterator[str]:
    name = f"coinref_cat_{os.environ.get('PYTEST_XDIST_WORKER', 'gw')}_{uuid.uuid4().hex[:8]}"
    _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    _load_catalog(f"{PG_URL_BASE}/{name}")
    yield name
    _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _clone(backend: str, request, directory) -> tuple[str, str | None]:
    """A copy of the catalog template: (url, PostgreSQL database name to drop or None)."""
    if backend == "sqlite":
        path = directory / f"catalog-{uuid.uuid4().hex[:6]}.db"
        shutil.copy(request.getfixturevalue("catalog_sqlite_template"), path)
        return f"sqlite:///{path}", None
    template = request.getfixturevalue("catalog_pg_template")
    name = f"coinref_c_{uuid.uuid4().hex[:12]}"
    _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return f"{PG_URL_BASE}/{name}", name


@pytest.fixture
def catalog_db_url(backend, request, tmp_path) -> Iterator[str]:
    """URL of a fresh database holding the whole built-in catalog, on the test's backend."""
    url, name = _clone(backend, request, tmp_path)
    yield url
    if name:
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def catalog_engine(catalog_db_url) -> Iterator[Engine]:
    engine = make_engine(catalog_db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def catalog_ro_engine(request, tmp_path_factory) -> Iterator[Engine]:
    """A catalog database shared by tests that only read (search with ``record=False``)."""
    url, name = _clone(request.param, request, tmp_path_factory.mktemp("catalog-ro"))
    engine = make_engine(url)
    yield engine
    engine.dispose()
    if name:
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
