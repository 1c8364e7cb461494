"""The pcgs-api enrichment run against the simulator: complete, resumable after SIGKILL, shared by workers."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from pcgs_support import attach_sim_numbers
from sqlalchemy import func, select

from coinref.sim.server import run_in_thread
from coinref.sim.state import SimConfig
from coinref.store.db import make_engine, session_scope
from coinref.store.models import ApiCall, Coin, PriceObservation, QuotaLedger

SERIES = "peace-dollars"


@pytest.fixture
def sim():
    running = run_in_thread(SimConfig(latency_ms=0))
    yield running
    running.stop()


def _env(db_url, sim, **extra):
    env = {"DATABASE_URL": db_url, "PCGS_API_BASE_URL": sim.api_url, "PCGS_API_TOKEN": "test-token",
           "PCGS_PACING_MS": "0"}
    return env | {k: str(v) for k, v in extra.items()}


def _enrichment_state(engine):
    with session_scope(engine) as session:
        numbered = session.scalar(select(func.count(Coin.id)).where(Coin.pcgs_number.is_not(None)))
        enriched = session.scalar(select(func.count(Coin.id)).where(Coin.enriched_at.is_not(None)))
        prices = session.execute(select(PriceObservation.coin_id, PriceObservation.grade, PriceObservation.plus,
                                        PriceObservation.source, PriceObservation.observed_on)).all()
        calls = session.execute(select(ApiCall.params)).scalars().all()
    return numbered, enriched, prices, calls


def test_enrichment_fills_facts_and_first_prices(cli, db_url, engine, sim):
    env = _env(db_url, sim)
    assert cli("populate", "--series", SERIES, "--json", env=env).exit_code == 0
    count = len(attach_sim_numbers(engine, SERIES))
    dry = cli("populate", "--source", "pcgs-api", "--series", SERIES, "--dry-run", "--json", env=env)
    assert dry.exit_code == 0 and dry.json()["api_calls_would_spend"] == count
    assert sim.api_calls() == 0
    result = cli("populate", "--source", "pcgs-api", "--series", SERIES, "--json", env=env)
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["api_calls"] == count == sim.api_calls()
    numbered, enriched, prices, _ = _enrichment_state(engine)
    assert enriched == numbered == count
    assert report["prices"] == len(prices) > 0
    with session_scope(engine) as session:
        coin = session.scalar(select(Coin).where(Coin.pcgs_number.is_not(None), Coin.facts.is_not(None)).limit(1))
        assert coin.facts.get("pcgs_name") or coin.facts.get("pcgs_no_data_at_grade")
    again = cli("populate", "--source", "pcgs-api", "--series", SERIES, "--json", env=env)
    assert again.json()["api_calls"] == 0 and sim.api_calls() == count


def _spawn(env: dict[str, str], *args: str) -> subprocess.Popen:
    full = os.environ | env
    return subprocess.Popen([sys.executable, "-m", "coinref", "populate", "--source", "pcgs-api", "--series", SERIES,
                             "--json", *args], env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_kill_at_random_moments_and_resume(cli, db_url, engine, tmp_path):
    running = run_in_thread(SimConfig(latency_ms=40))
    try:
        env = _env(db_url, running, COINREF_LOG_DIR=tmp_path / "logs")
        cli("populate", "--series", SERIES, env=env)
        count = len(attach_sim_numbers(engine, SERIES))
        rng = random.Random(7)
        kills = 0
        for _ in range(3):
            proc = _spawn(env)
            time.sleep(rng.uniform(1.2, 2.5))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(timeout=30)
        final = _spawn(env)
        out, err = final.communicate(timeout=120)
        assert final.returncode == 0, err.decode()[-2000:]
        numbered, enriched, prices, calls = _enrichment_state(engine)
        assert enriched == numbered == count
        keys = Counter(prices)
        assert all(n == 1 for n in keys.values())
        assert len({(p[0], p[1]) for p in prices}) == len(prices)
        assert kills >= 1
        assert running.api_calls() <= count + kills
        # the call row is written with the reservation: a call in flight at a kill has its row, and a
        # kill between the reservation and the request leaves a row for a request never sent
        assert running.api_calls() <= len(calls) <= running.api_calls() + kills
        with session_scope(engine) as session:
            reserved = session.scalar(select(func.sum(QuotaLedger.used)))
        assert reserved == len(calls) >= running.api_calls()
    finally:
        running.stop()


@pytest.mark.parametrize("backend", ["postgresql"])  # workers on several machines share a run through PostgreSQL
def test_two_workers_share_one_run_within_the_quota(db_url, engine, tmp_path, backend, cli):
    running = run_in_thread(SimConfig(latency_ms=20))
    try:
        quota = 40
        env = _env(db_url, running, PCGS_DAILY_QUOTA=quota, COINREF_LOG_DIR=tmp_path / "logs")
        cli("populate", "--series", SERIES, env=env)
        count = len(attach_sim_numbers(engine, SERIES))
        assert count > quota
        workers = [_spawn(env), _spawn(env)]
        errors = [proc.communicate(timeout=120)[1].decode()[-3000:] for proc in workers]
        if not {p.returncode for p in workers} <= {0, 7}:
            pytest.fail("\n".join(errors))
        numbered, enriched, prices, calls = _enrichment_state(engine)
        assert running.api_calls() <= quota
        per_number = Counter(c["PCGSNo"] for c in calls)
        assert all(n == 1 for n in per_number.values()), "an item was fetched twice"
        assert enriched == len(per_number) == running.api_calls()
        with session_scope(make_engine(db_url)) as session:
            owners = session.execute(select(ApiCall.id)).all()
        assert len(owners) == len(calls)
    finally:
        running.stop()
