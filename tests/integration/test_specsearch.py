"""Spec-search discovery of PCGS numbers against the simulator, checked against its truth."""

from __future__ import annotations

import httpx
import pytest
from numbers_support import forget_shipped_numbers
from sqlalchemy import func, select

from coinref.sim.server import run_in_thread
from coinref.sim.state import SimConfig
from coinref.sim.universe import sim_universe
from coinref.store.db import session_scope
from coinref.store.models import ApiCall, Coin, Quarantine, QuotaLedger, Series, WorkItem


@pytest.fixture
def sim():
    running = run_in_thread(SimConfig())
    yield running
    running.stop()


def env_for(db_url, sim) -> dict[str, str]:
    return {"DATABASE_URL": db_url, "PCGS_SPECSEARCH_URL": sim.base_url + "/SpecSearch/Search/PCGS",
            "PCGS_WEBSITE_URL": sim.base_url, "WEBSITE_PACING_MS": "0"}


def searches(sim) -> int:
    return sim.calls()["by_area"].get("specsearch", 0)


def attachments(engine, series: str) -> list[tuple[tuple, int | None]]:
    with session_scope(engine) as session:
        rows = session.execute(select(Coin, Series.slug).join(Series).where(Series.slug == series)).all()
        return [((slug, c.year, c.mint_mark, c.strike, c.variety, c.designation), c.pcgs_number) for c, slug in rows]


# silver eagles: product words ("Silver Eagle") and "PF" prefixes in the answers;
# peace dollars: 1921 and 1922 share descriptions with Morgan dollars (the category tells them apart)
@pytest.mark.parametrize("series", ["silver-eagles", "peace-dollars"])
def test_discovery_attaches_at_least_95_percent_and_nothing_wrong(cli, db_url, engine, sim, series):
    env = env_for(db_url, sim)
    assert cli("populate", "--series", series, env=env).exit_code == 0
    forget_shipped_numbers(engine)  # every coin to be found by the spec search
    result = cli("populate", "--source", "specsearch", "--series", series, "--json", env=env)
    assert result.exit_code == 0, result.stderr
    report = result.json()
    universe = sim_universe()
    rows = attachments(engine, series)
    attached = [(key, number) for key, number in rows if number is not None]
    wrong = [(key, number) for key, number in attached if number != universe.number_of(key)]
    assert wrong == []
    assert len(attached) >= 0.95 * len(rows)
    assert searches(sim) == len(rows) == report["api_calls"]  # one query per coin
    stats = report["selector_stats"]
    assert stats["specsearch:accepted"] == len(attached) == report["updated"]
    review = len(rows) - len(attached)
    assert stats.get("specsearch:review", 0) == review
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(QuotaLedger.day))) == 0  # no API quota spent
        assert session.scalar(select(func.count(ApiCall.id)).where(ApiCall.provider == "pcgs")) == 0
        entries = session.scalars(select(Quarantine).where(Quarantine.source == "specsearch")).all()
    assert sim.api_calls() == 0
    assert len(entries) == review
    for entry in entries:  # the rest is reported for review, with the query, the candidates and why
        assert entry.record["review"] and entry.record["query"] and entry.reasons[0].startswith("spec search:")
        best = entry.record["candidates"][0]
        assert best["disagrees_on"] and best["score"] < 0.9 and best["disagrees_on"][0] in entry.reasons[0]
    listed = cli("quarantine", "--source", "specsearch", "--json", env=env).json()
    assert len(listed) == review
    # the report counts what was written: the coins left for review are the run's quarantined records
    assert report["quarantined"] == review == sum(row["quarantined"] for row in report["series"])
    assert report["records"] == report["created"] + report["updated"] + report["unchanged"] + report["quarantined"]
    # re-running the quarantine never attaches a number on its own
    cli("quarantine", "--rerun", "--source", "specsearch", env=env)
    assert [n for _, n in attachments(engine, series) if n is not None] == [n for _, n in attached]


def test_a_refusing_spec_search_is_blocked(cli, db_url, engine, sim):
    env = env_for(db_url, sim)
    cli("populate", "--series", "peace-dollars", env=env)
    forget_shipped_numbers(engine)
    httpx.post(sim.base_url + "/__sim/website", json={"specsearch_block": True}, timeout=5)
    result = cli("populate", "--source", "specsearch", "--series", "peace-dollars", "--json", env=env)
    assert result.exit_code == 7 and result.json()["stopped"] == "blocked"
    assert searches(sim) == 2  # the request, and once more on a fresh session
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(Coin.id)).where(Coin.pcgs_number.is_not(None))) == 0
        statuses = session.scalars(select(WorkItem.status).where(WorkItem.queue == "populate:specsearch")).all()
    assert statuses and set(statuses) == {"pending"}


def test_the_sim_wants_browser_like_headers(sim):
    url = sim.base_url + "/SpecSearch/Search/PCGS"
    assert httpx.get(url, params={"term": "1921 $1"}, timeout=5).status_code == 403
    answer = httpx.get(url, params={"term": "1921 $1"}, timeout=5,
                       headers={"User-Agent": "Mozilla/5.0 (test)", "Accept-Language": "en"})
    assert answer.status_code == 200
    assert {"specno", "description", "year", "mintmark", "denomination", "prefix", "category"} <= set(answer.json()[0])
