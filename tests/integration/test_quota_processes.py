"""Four processes sharing one database can never spend more than the daily quota between them.

Each process runs ``coinref lookup`` (in a loop inside one Python process) for five distinct
points; all four start together. With ``PCGS_DAILY_QUOTA=10`` the simulator, on a real loopback
socket, must receive at most 10 requests in total; the other lookups exit 7.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime

from pcgs_support import MORGAN_1881_S, MORGAN_1893_S, TOKEN, VDB_RD
from sqlalchemy import func, select

from coinref.remote.quota import QuotaLedger
from coinref.sim import SimConfig, run_in_thread
from coinref.sim.sample import SAMPLE_CATALOG
from coinref.store.db import make_engine, session_scope
from coinref.store.models import ApiCall

WORKER = r"""
import json, os, sys, time
from coinref.cli import main

points, go = json.loads(sys.argv[1]), sys.argv[2]
while not os.path.exists(go):
    time.sleep(0.005)
codes = []
for number, grade in points:
    try:
        main(["lookup", str(number), "--grade", str(grade), "--json"])
        codes.append(0)
    except SystemExit as exc:
        codes.append(exc.code or 0)
print("CODES=" + json.dumps(codes))
"""


def test_four_processes_never_exceed_the_daily_quota(db_url, tmp_path):
    points = [(number, grade) for number in (MORGAN_1881_S, MORGAN_1893_S) for grade in range(60, 70)]
    points = (points + [(VDB_RD, g) for g in (63, 64)])[:20]
    assert len(set(points)) == 20
    sim = run_in_thread(SimConfig(catalog=SAMPLE_CATALOG, token=TOKEN, quota=1000))
    go = tmp_path / "go"
    env = dict(os.environ, DATABASE_URL=db_url, PCGS_API_BASE_URL=sim.api_url, PCGS_API_TOKEN=TOKEN,
               PCGS_DAILY_QUOTA="10", PCGS_PACING_MS="0", PCGS_MAX_RETRIES="0")
    try:
        workers = [
            subprocess.Popen([sys.executable, "-c", WORKER, json.dumps(points[i::4]), str(go)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for i in range(4)
        ]
        time.sleep(0.5)  # let them import; the go file releases all four at once
        go.touch()
        codes = []
        for worker in workers:
            out, err = worker.communicate(timeout=120)
            assert worker.returncode == 0, err
            codes += json.loads(out.strip().splitlines()[-1].removeprefix("CODES="))
        received = sim.api_calls()
    finally:
        sim.stop()

    assert len(codes) == 20
    assert received <= 10
    assert received == 10  # and the quota was used, not wasted
    assert sum(code == 7 for code in codes) == 10  # quota exhausted
    assert sum(code in (0, 3) for code in codes) == 10  # answered (priced, unpriced or no data)
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            assert session.scalar(select(func.count(ApiCall.id))) == 10
        ledger = QuotaLedger(engine, "pcgs", limit=10, clock=lambda: datetime.now(UTC))
        assert ledger.status()["used"] == 10
    finally:
        engine.dispose()
