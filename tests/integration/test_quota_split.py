"""One quota day, two jobs: the price refresh and the discovery share the PCGS quota (remote/split.py)."""

from __future__ import annotations

import pytest

from coinref.config import load_settings
from coinref.remote.split import DISCOVERY_QUEUE, quota_split
from coinref.sim.server import run_in_thread
from coinref.sim.state import SimConfig
from coinref.store.db import session_scope
from coinref.store.models import Run, WorkItem


def _settings(db_url, **extra):
    return load_settings(database_url=db_url, pcgs_daily_quota=100, **extra)


def _refresh_wanted(engine, eligible: int) -> None:
    with session_scope(engine) as session:
        session.add(Run(kind="refresh", source="pcgs-api", status="completed", counts={"planned": eligible},
                        report={"plan": {"eligible": eligible}}))


def _discovery_pending(engine) -> None:
    with session_scope(engine) as session:
        session.add(WorkItem(queue=DISCOVERY_QUEUE, key="series:peace-dollars", series_slug="peace-dollars",
                             payload={}, status="pending", attempts=0))


def test_discovery_gets_what_the_refresh_does_not_need(db_url, engine):
    settings = _settings(db_url)
    _refresh_wanted(engine, 70)
    assert quota_split(engine, settings).discovery_pending is False
    assert quota_split(engine, settings).refresh_budget == 95  # no discovery work: nothing held for it
    _discovery_pending(engine)
    split = quota_split(engine, settings)
    assert (split.reserve, split.refresh_need, split.discovery_share) == (5, 70, 25)
    assert split.refresh_budget == 70 and split.discovery_left == 25


@pytest.mark.parametrize(("need", "share_setting", "discovery", "refresh"), [
    (500, None, 10, 85),   # the refresh wants everything: discovery keeps its floor (10%)
    (0, None, 95, 0),      # the refresh needs nothing today
    (40, 90, 85, 10),      # a fixed share never takes the refresh's floor
    (40, 15, 15, 80),
])
def test_neither_job_starves_the_other(db_url, engine, need, share_setting, discovery, refresh):
    settings = _settings(db_url, discover_quota_share=share_setting)
    if need:
        _refresh_wanted(engine, need)
    _discovery_pending(engine)
    split = quota_split(engine, settings)
    assert (split.discovery_share, split.refresh_budget) == (discovery, refresh)


def test_discovery_stops_at_its_share_and_quota_shows_the_split(cli, db_url, engine):
    running = run_in_thread(SimConfig(quota=1000))
    try:
        env = {"DATABASE_URL": db_url, "PCGS_API_BASE_URL": running.api_url, "PCGS_API_TOKEN": "t",
               "PCGS_PACING_MS": "0", "PCGS_DAILY_QUOTA": "1000", "DISCOVER_QUOTA_SHARE": "30"}
        cli("populate", "--series", "peace-dollars", env=env)
        result = cli("populate", "--source", "pcgs-discover", "--series", "peace-dollars", "--json", env=env)
        assert result.exit_code == 7 and result.json()["stopped"] == "quota_share"
        assert running.api_calls() == 30
        shown = cli("quota", "--json", env=env).json()
        assert shown["used"] == 30 and shown["split"]["discovery_used"] == 30
        assert shown["split"]["discovery_left"] == 0 and shown["split"]["refresh_budget"] == 1000 - 50 - 30
        text = " ".join(cli("quota", env=env).stdout.split())
        assert "discovery 30 of its 30 used" in text and "price refresh 0 used, 920 left" in text
    finally:
        running.stop()
