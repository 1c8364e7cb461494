"""Test fixtures: fresh databases on both backends, an isolated environment, an in-process CLI.

Every storage test takes ``engine`` (or ``db_url``) and so runs once on SQLite and once on
PostgreSQL. PostgreSQL databases are cloned from a migrated template made once per session (and
per xdist worker) and dropped after each test. When no PostgreSQL server answers, those tests skip
with the reason, unless ``COINREF_REQUIRE_POSTGRES=1``, when they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy import Engine

from coinref.config import get_settings
from coinref.store.db import make_engine
from coinref.store.migrate import upgrade
from coinref.store.seed import seed_reference_data

PG_ADMIN_DSN = os.environ.get("COINREF_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=root dbname=postgres")
PG_URL_BASE = os.environ.get("COINREF_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432")
BACKENDS = ["sqlite", "postgresql"]


def _pg_available() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return None
    except Exception as exc:  # pragma: no cover - depends on the machine
        return f"PostgreSQL not reachable at {PG_ADMIN_DSN}: {exc}"


def _require_pg() -> None:
    reason = _pg_available()
    if reason:
        if os.environ.get("COINREF_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (COINREF_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)


def _pg_exec(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated, seeded PostgreSQL database to clone; made once per session and worker."""
    _require_pg()
    name = f"coinref_tpl_{_worker()}_{uuid.uuid4().hex[:8]}"
    _pg_exec(f'CREATE DATABASE "{name}"')
    engine = make_engine(f"{PG_URL_BASE}/{name}")
    upgrade(engine)
    seed_reference_data(engine)
    engine.dispose()
    yield name
    _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed_reference_data(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return str(path)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(backend, request, tmp_path) -> Iterator[str]:
    """URL of a fresh, migrated and seeded database on the test's backend."""
    if backend == "sqlite":
        path = tmp_path / "coinref.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"coinref_t_{uuid.uuid4().hex[:12]}"
    _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield f"{PG_URL_BASE}/{name}"
    _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_db_url(backend, tmp_path) -> Iterator[str]:
    """URL of an empty database (no tables) on the test's backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    _require_pg()
    name = f"coinref_e_{uuid.uuid4().hex[:12]}"
    _pg_exec(f'CREATE DATABASE "{name}"')
    yield f"{PG_URL_BASE}/{name}"
    _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def engine(db_url) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path) -> Iterator[None]:
    """No real settings leak in: no token, logs in tmp, a loopback-only PCGS base URL."""
    for key in list(os.environ):
        if key.startswith(("PCGS_", "COINREF_", "CRON_")) and key not in (
            "COINREF_REQUIRE_POSTGRES", "COINREF_TEST_PG_DSN", "COINREF_TEST_PG_URL", "COINREF_SCREENSHOT_DIR",
        ):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("COINREF_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("PCGS_API_BASE_URL", "http://127.0.0.1:9/publicapi")
    monkeypatch.setenv("PCGS_WEBSITE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PCGS_SPECSEARCH_URL", "http://127.0.0.1:9/SpecSearch/Search/PCGS")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    from coinref.cli.common import reset_context

    reset_context()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        import json

        return json.loads(self.stdout)


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run ``coinref ARGS`` in-process; returns exit code, stdout and stderr."""
    from coinref.cli import main

    def run(*args: str, env: dict[str, str] | None = None) -> CliResult:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run
