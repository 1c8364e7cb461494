"""Issue 12.1: a rejected token or a wrong base URL stops a population run at the first request.

Before the fix every work item was tried (one paid request each), each was marked ``failed`` and a
later run with a good token had nothing left to do.
"""

from __future__ import annotations

import pytest
from pcgs_support import attach_sim_numbers
from sqlalchemy import func, select
from test_enrichment import SERIES

from coinref.sim.server import run_in_thread
from coinref.sim.state import SimConfig
from coinref.store.db import session_scope
from coinref.store.models import Coin, Run, WorkItem


@pytest.fixture
def sim():
    running = run_in_thread(SimConfig(latency_ms=0, token="the-good-token"))
    yield running
    running.stop()


def _items(engine) -> dict[str, int]:
    with session_scope(engine) as session:
        rows = session.execute(select(WorkItem.status, func.count()).where(WorkItem.queue == "populate:pcgs-api")
                               .group_by(WorkItem.status)).all()
    return dict(rows)


@pytest.mark.parametrize(
    ("case", "expected_exit"),
    [("bad-token", 4), ("wrong-base-url", 5)],
)
def test_fatal_answer_stops_the_run_and_leaves_items_pending(cli, db_url, engine, sim, case, expected_exit):
    good = {"DATABASE_URL": db_url, "PCGS_API_BASE_URL": sim.api_url, "PCGS_API_TOKEN": "the-good-token",
            "PCGS_PACING_MS": "0", "PCGS_MAX_RETRIES": "0"}
    assert cli("populate", "--series", SERIES, env=good).exit_code == 0
    count = len(attach_sim_numbers(engine, SERIES))
    bad = dict(good)
    if case == "bad-token":
        bad["PCGS_API_TOKEN"] = "a-revoked-token"
    else:
        bad["PCGS_API_BASE_URL"] = sim.base_url + "/wrong/publicapi"
    for extra in ((), ("--limit", "3")):
        before = sim.api_calls()
        result = cli("populate", "--source", "pcgs-api", "--series", SERIES, "--json", *extra, env=bad)
        assert result.exit_code == expected_exit, result.stdout[-2000:] + result.stderr[-2000:]
        report = result.json()
        assert report["status"] == "stopped" and report["api_calls"] == 1
        assert _items(engine) == {"pending": count}
        if case == "bad-token":  # one request reached the server, not one per item
            assert sim.api_calls() == before + 1
    assert "a-revoked-token" not in result.stdout + result.stderr
    with session_scope(engine) as session:
        statuses = session.scalars(select(Run.status).where(Run.source == "pcgs-api")).all()
    assert statuses == ["stopped", "stopped"]
    fixed = cli("populate", "--source", "pcgs-api", "--series", SERIES, "--json", env=good)
    assert fixed.exit_code == 0, fixed.stderr[-2000:]
    assert _items(engine) == {"done": count}
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(Coin.id)).where(Coin.enriched_at.is_not(None))) == count
