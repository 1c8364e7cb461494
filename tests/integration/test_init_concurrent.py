"""Issue 12.5: ``coinref init`` run several times at once on an empty database: every run succeeds."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import func, select

from coinref.store.db import make_engine, session_scope
from coinref.store.migrate import current_revision, head_revision
from coinref.store.models import Grade, Series


def test_concurrent_inits_all_succeed_and_seed_once(empty_db_url, tmp_path):
    env = os.environ | {"DATABASE_URL": empty_db_url, "COINREF_LOG_DIR": str(tmp_path / "logs")}
    procs = [subprocess.Popen([sys.executable, "-m", "coinref", "init", "--json"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(3)]
    outcomes = [(p.wait(timeout=300), p.stderr.read().decode()[-1500:]) for p in procs]
    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    engine = make_engine(empty_db_url)
    try:
        assert current_revision(engine) == head_revision()
        with session_scope(engine, read_only=True) as session:
            assert session.scalar(select(func.count(Series.id))) == 67
            assert session.scalar(select(func.count(Grade.number))) == 30
    finally:
        engine.dispose()
