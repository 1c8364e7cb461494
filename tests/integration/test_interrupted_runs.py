"""Issue 12.6: a run whose process is gone is marked ``interrupted``, not ``running`` forever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from pcgs_support import attach_sim_numbers
from sqlalchemy import select, update
from test_enrichment import SERIES

from coinref.api.queries import recent_runs
from coinref.sim.server import run_in_thread
from coinref.sim.state import SimConfig
from coinref.store.db import session_scope
from coinref.store.models import Run
from coinref.timeutil import utcnow


def _status(engine, run_id: int) -> str:
    with session_scope(engine, read_only=True) as session:
        return session.get(Run, run_id).status


def test_a_killed_populate_is_shown_interrupted_and_the_next_run_starts_clean(cli, db_url, engine, tmp_path):
    running = run_in_thread(SimConfig(latency_ms=400))
    try:
        env = {"DATABASE_URL": db_url, "PCGS_API_BASE_URL": running.api_url, "PCGS_API_TOKEN": "t",
               "PCGS_PACING_MS": "0", "COINREF_LOG_DIR": str(tmp_path / "logs")}
        assert cli("populate", "--series", SERIES, env=env).exit_code == 0
        attach_sim_numbers(engine, SERIES)
        proc = subprocess.Popen([sys.executable, "-m", "coinref", "populate", "--source", "pcgs-api", "--series",
                                 SERIES], env=os.environ | env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while running.api_calls() < 2 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.1)
            assert running.api_calls() >= 2
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        with session_scope(engine, read_only=True) as session:
            killed = session.scalar(select(Run.id).where(Run.source == "pcgs-api"))
        assert _status(engine, killed) == "running"  # what the kill left behind
        shown = {r["id"]: r["status"] for r in recent_runs(engine, limit=10, kind=None, with_reports=False)[1]}
        assert shown[killed] == "interrupted"
        result = cli("populate", "--source", "pcgs-api", "--series", SERIES, "--json", env=env)
        assert result.exit_code == 0, result.stderr[-2000:]
        with session_scope(engine, read_only=True) as session:
            statuses = session.scalars(select(Run.status).where(Run.source == "pcgs-api").order_by(Run.id)).all()
        assert statuses == ["interrupted", "completed"]
    finally:
        running.stop()


def test_runs_of_other_hosts_are_interrupted_when_their_lease_expires(engine):
    from coinref.store.runs import mark_interrupted_runs

    now = utcnow()
    with session_scope(engine) as session:
        rows = [
            Run(kind="refresh", status="running", owner="far-away:77", lease_expires_at=now - timedelta(seconds=1)),
            Run(kind="refresh", status="running", owner="far-away:78", lease_expires_at=now + timedelta(minutes=5)),
            Run(kind="populate", status="running", started_at=now - timedelta(days=2)),
            Run(kind="populate", status="running"),  # this process: alive
        ]
        session.add_all(rows)
        session.flush()
        ids = [r.id for r in rows]
        session.execute(update(Run).where(Run.id == ids[2]).values(owner=None, lease_expires_at=None))  # pre-0003
    assert mark_interrupted_runs(engine) == 2
    assert [_status(engine, i) for i in ids] == ["interrupted", "running", "interrupted", "running"]
