"""``populate --source pcgs-discover`` against the simulator: numbers found through the API alone.

The simulator numbers its coins by its own rules (coinref.sim.numbering); the discovery only sees
its answers, the catalog and the shipped blocks, so these tests cannot pass by sharing a table.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from coinref.sim.server import run_in_thread
from coinref.sim.state import SimConfig
from coinref.sim.universe import sim_universe
from coinref.store.db import session_scope
from coinref.store.models import ApiCall, Coin, PcgsProbe, PriceObservation, Series

DISCOVERED = ("morgan-dollars", "peace-dollars", "mercury-dimes")


@pytest.fixture
def sim():
    running = run_in_thread(SimConfig(quota=100_000))
    yield running
    running.stop()


def _env(db_url, sim, **extra):
    env = {"DATABASE_URL": db_url, "PCGS_API_BASE_URL": sim.api_url, "PCGS_API_TOKEN": "test-token",
           "PCGS_PACING_MS": "0", "PCGS_DAILY_QUOTA": "100000"}
    return env | {k: str(v) for k, v in extra.items()}


def _series_args(series) -> list[str]:
    return [arg for slug in series for arg in ("--series", slug)]


def _coins(engine, series):
    with session_scope(engine) as session:
        return session.execute(select(Coin, Series.slug).join(Series).where(Series.slug.in_(series))).all()


def numbering_outcome(engine, series) -> dict[str, dict[str, int]]:
    """Per series: the variety-free coins the sim numbers, how many carry the sim's number, how many a wrong one."""
    universe = sim_universe()
    out: dict[str, dict[str, int]] = {slug: Counter() for slug in series}
    for coin, slug in _coins(engine, series):
        truth = universe.number_of((slug, coin.year, coin.mint_mark, coin.strike, coin.variety, coin.designation))
        if coin.pcgs_number is not None and coin.pcgs_number != truth:
            out[slug]["wrong"] += 1
        if truth is None or coin.variety:
            continue
        out[slug]["plain"] += 1
        if coin.pcgs_number == truth:
            out[slug]["right"] += 1
            out[slug]["verified"] += coin.pcgs_state == "verified"
    return out


def test_discovery_numbers_morgan_peace_and_mercury(cli, db_url, engine, sim):
    env = _env(db_url, sim)
    args = _series_args(DISCOVERED)
    assert cli("populate", *args, env=env).exit_code == 0
    dry = cli("populate", "--source", "pcgs-discover", *args, "--dry-run", "--json", env=env)
    assert dry.exit_code == 0, dry.stderr
    estimate = dry.json()["api_calls_would_spend"]
    per_series = {k.split(":", 1)[1]: v for k, v in dry.json()["selector_stats"].items() if k.startswith("would_call:")}
    assert set(per_series) == set(DISCOVERED) and sum(per_series.values()) == estimate
    assert sim.api_calls() == 0

    result = cli("populate", "--source", "pcgs-discover", *args, "--json", env=env)
    assert result.exit_code == 0, result.stderr
    report = result.json()
    calls = sim.api_calls()
    found = report["selector_stats"]["pcgs-discover:found"]
    assert report["calls_per_number_found"] == round(calls / found, 3)
    assert calls <= 1.6 * found
    assert 0.5 * calls <= estimate <= 2 * calls
    outcome = numbering_outcome(engine, DISCOVERED)
    for slug, counts in outcome.items():
        assert counts["wrong"] == 0, (slug, counts)
        assert counts["right"] >= 0.95 * counts["plain"], (slug, counts)
        assert counts["verified"] == counts["right"]
    with session_scope(engine) as session:
        states = Counter(session.execute(select(Coin.pcgs_provenance, Coin.pcgs_state).where(
            Coin.pcgs_number.is_not(None))).all())
        assert session.scalar(select(func.count(PriceObservation.id))) == 0  # discovery stores no price
    assert set(states) <= {("api", "verified"), ("catalog", "verified")}

    again = cli("populate", "--source", "pcgs-discover", *args, "--json", env=env)
    assert again.exit_code == 0 and sim.api_calls() == calls  # nothing left to ask: no call


@pytest.mark.parametrize("series", ["barber-dimes"])
def test_a_series_with_no_known_number_is_found_by_the_survey(cli, db_url, engine, sim, series):
    env = _env(db_url, sim)
    assert cli("populate", "--series", series, env=env).exit_code == 0
    assert not any(coin.pcgs_number for coin, _ in _coins(engine, [series]))
    result = cli("populate", "--source", "pcgs-discover", "--series", series, "--json", env=env)
    assert result.exit_code == 0, result.stderr
    stats = result.json()["selector_stats"]
    assert stats["pcgs-discover:ask-survey"] > 0
    counts = numbering_outcome(engine, [series])[series]
    assert counts["wrong"] == 0 and counts["right"] >= 0.95 * counts["plain"]
    assert sim.api_calls() <= 1.6 * stats["pcgs-discover:found"]


def test_limit_stops_after_n_numbers_and_resumes(cli, db_url, engine, sim):
    env = _env(db_url, sim)
    cli("populate", "--series", "peace-dollars", env=env)
    first = cli("populate", "--source", "pcgs-discover", "--series", "peace-dollars", "--limit", "10", "--json",
                env=env)
    assert first.exit_code == 0 and first.json()["stopped"] == "limit"
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(Coin.id)).where(Coin.pcgs_state == "verified")) == 10
    rest = cli("populate", "--source", "pcgs-discover", "--series", "peace-dollars", "--json", env=env)
    assert rest.exit_code == 0 and rest.json()["stopped"] is None
    with session_scope(engine) as session:
        asked = Counter((p["PCGSNo"], p["GradeNo"]) for p in session.scalars(select(ApiCall.params)))
    assert all(n == 1 for n in asked.values())


def _spawn(env: dict[str, str], series) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "coinref", "populate", "--source", "pcgs-discover",
                             *_series_args(series), "--json"], env=os.environ | env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_killed_at_random_moments_resumes_without_asking_twice(cli, db_url, engine, tmp_path):
    series = ("peace-dollars", "mercury-dimes")
    running = run_in_thread(SimConfig(quota=100_000, latency_ms=15))
    try:
        env = _env(db_url, running, COINREF_LOG_DIR=tmp_path / "logs")
        cli("populate", *_series_args(series), env=env)
        rng = random.Random(11)
        kills = 0
        for _ in range(4):
            proc = _spawn(env, series)
            time.sleep(rng.uniform(1.5, 3.5))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(timeout=30)
        final = _spawn(env, series)
        _, err = final.communicate(timeout=300)
        assert final.returncode == 0, err.decode()[-2000:]
        assert kills >= 2
        outcome = numbering_outcome(engine, series)
        for slug, counts in outcome.items():
            assert counts["wrong"] == 0 and counts["right"] >= 0.95 * counts["plain"], (slug, counts)
        with session_scope(engine) as session:
            probes = {row.number: row for row in session.scalars(select(PcgsProbe))}
            logged = [(p["PCGSNo"], p["GradeNo"]) for p in session.scalars(select(ApiCall.params))]
        # every (number, grade) was asked once, but for the calls in flight when a process was killed
        repeats = sum(n - 1 for n in Counter(logged).values())
        assert repeats <= kills
        assert running.api_calls() <= len(logged) + kills
        assert len(probes) >= len(set(n for n, _ in logged)) - kills
    finally:
        running.stop()


def test_an_answer_matching_no_catalog_coin_is_a_catalog_gap(cli, db_url, engine, sim):
    env = _env(db_url, sim)
    cli("populate", "--series", "peace-dollars", env=env)
    with session_scope(engine) as session:
        gone = session.scalar(select(Coin).join(Series).where(
            Series.slug == "peace-dollars", Coin.year == 1923, Coin.mint_mark == "D", Coin.designation == "PL"))
        session.delete(gone)
    number = sim_universe().number_of(("peace-dollars", 1923, "D", "MS", "", "PL"))
    assert cli("populate", "--source", "pcgs-discover", "--series", "peace-dollars", env=env).exit_code == 0
    with session_scope(engine) as session:
        probe = session.scalar(select(PcgsProbe).where(PcgsProbe.number == number))
        assert (probe.outcome, probe.match, probe.series_slug) == ("coin", "gap", "peace-dollars")
    report = cli("validate", "--series", "peace-dollars", "--json", env=env).json()
    assert report["coverage"][0]["catalog_gaps"] == 1
    assert {row["check"]: row["count"] for row in report["summary"]}["pcgs_catalog_gap"] == 1
