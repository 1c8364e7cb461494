"""Issue 12.7: a database created by the first released schema upgrades to head with its data.

``tests/fixtures/migrations/0001_released.py`` is migration 0001 as released (commit 044f012 of
this repository). 0001 was edited after that release (``api_calls.result``, a wider
``coins.metal``), so databases made by the release reported "at head" without them; those changes
now live in 0003.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest
from alembic import command
from alembic.migration import MigrationContext
from alembic.operations import Operations
from pcgs_support import MORGAN_1881_S, TOKEN, attach_coin
from sqlalchemy import inspect, text

from coinref.sim import SimConfig, run_in_thread
from coinref.sim.sample import SAMPLE_CATALOG
from coinref.store.db import is_sqlite, make_engine
from coinref.store.migrate import MIGRATIONS_DIR, alembic_config, current_revision, head_revision, upgrade
from coinref.store.seed import seed_reference_data

RELEASED = Path(__file__).resolve().parents[1] / "fixtures" / "migrations" / "0001_released.py"
CURRENT = MIGRATIONS_DIR / "versions" / "0001_initial.py"


def _create_released_schema(engine) -> None:
    spec = importlib.util.spec_from_file_location("released_0001", RELEASED)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with engine.begin() as conn:
        context = MigrationContext.configure(conn, opts={"render_as_batch": is_sqlite(engine)})
        with Operations.context(context):
            module.upgrade()
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.stamp(cfg, "0001")
        conn.commit()


def test_released_migration_text_is_never_edited():
    assert hashlib.sha256(CURRENT.read_bytes()).hexdigest() == hashlib.sha256(RELEASED.read_bytes()).hexdigest()


@pytest.fixture
def released_db(empty_db_url):
    engine = make_engine(empty_db_url)
    _create_released_schema(engine)
    assert "result" not in {c["name"] for c in inspect(engine).get_columns("api_calls")}
    seed_reference_data(engine)
    with engine.begin() as conn:
        series_id = conn.execute(text("SELECT id FROM series WHERE slug = 'peace-dollars'")).scalar_one()
        conn.execute(text(
            "INSERT INTO coins (series_id, year, mint_mark, strike, variety, designation, denomination, full_name,"
            " short_name, metal, facts, source, lookup_count, created_at, updated_at) VALUES (:s, 1922, '', 'MS', '',"
            " '', '$1', '1922 Peace Dollar', '1922 $1', 'silver', '{}', 'builtin', 0, CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP)"),
            {"s": series_id})
        conn.execute(text(
            "INSERT INTO api_calls (provider, endpoint, params, outcome, quota_day, created_at) VALUES"
            " ('pcgs', 'coindetail/GetCoinFactsByGrade', '{}', 'success', '2026-01-02', CURRENT_TIMESTAMP)"))
    yield engine, empty_db_url
    engine.dispose()


def test_a_released_database_upgrades_to_head_and_works(released_db, cli):
    engine, url = released_db
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    columns = {c["name"]: c for c in inspect(engine).get_columns("coins")}
    assert "result" in {c["name"] for c in inspect(engine).get_columns("api_calls")}
    if not is_sqlite(engine):  # SQLite does not enforce VARCHAR lengths
        assert columns["metal"]["type"].length == 200
    with engine.begin() as conn:
        assert conn.execute(text("SELECT full_name FROM coins")).scalars().all() == ["1922 Peace Dollar"]
        assert conn.execute(text("SELECT count(*) FROM api_calls")).scalar_one() == 1
        conn.execute(text("UPDATE coins SET metal = :m"), {"m": "90% silver, 10% copper " * 8})
    assert cli("init", env={"DATABASE_URL": url}).exit_code == 0
    attach_coin(engine, MORGAN_1881_S)
    running = run_in_thread(SimConfig(catalog=SAMPLE_CATALOG, token=TOKEN))
    try:
        env = {"DATABASE_URL": url, "PCGS_API_BASE_URL": running.api_url, "PCGS_API_TOKEN": TOKEN,
               "PCGS_PACING_MS": "0"}
        first = cli("lookup", str(MORGAN_1881_S), "--grade", "MS64", "--json", env=env)
        assert first.exit_code == 0, first.stderr
        again = cli("lookup", str(MORGAN_1881_S), "--grade", "MS64", "--json", env=env)
        assert again.exit_code == 0 and again.json()["from_cache"] is True  # answered from api_calls.result
        assert running.api_calls() == 1
    finally:
        running.stop()
