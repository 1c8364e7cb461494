"""Population history against the simulator: kept per (coin, grade, day), priced or not, shown and reported."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from pcgs_support import MORGAN_1881_S, MORGAN_1893_S, UNIVERSE, attach_coin
from sqlalchemy import select

from coinref.api.app import create_app
from coinref.config import load_settings
from coinref.sim import pricing
from coinref.sim.sample import SAMPLE_CATALOG
from coinref.sim.server import run_in_thread
from coinref.sim.state import SimConfig
from coinref.store.db import session_scope
from coinref.store.models import Coin, PopulationObservation

START = date(2025, 5, 1)
DAYS = (START, START + timedelta(days=40), START + timedelta(days=400))


def _has_both(number: int) -> bool:
    try:
        points_of(number)
    except StopIteration:
        return False
    return True


def points_of(number: int) -> tuple[int, int]:
    """A priced grade and an unpriced grade (with data) of the number."""
    coin = UNIVERSE.coin(number)
    priced = next(g for g in (64, 63, 65, 62) if pricing.has_data(coin, number, g, False)
                  and pricing.is_priced(number, g, False))
    unpriced = next(g for g in pricing.GRADES if g > 2 and pricing.has_data(coin, number, g, False)
                    and not pricing.is_priced(number, g, False))
    return priced, unpriced


# a Morgan dollar the simulator has both a priced and an unpriced grade for (which one depends on its
# synthetic number)
MORGAN = next(n for n in (MORGAN_1881_S, MORGAN_1893_S) if _has_both(n))


@pytest.fixture
def sim_day():
    today = [START]
    running = run_in_thread(SimConfig(latency_ms=0, catalog=SAMPLE_CATALOG, today=lambda: today[0]))
    yield running, today
    running.stop()


def test_every_lookup_answer_keeps_its_population_priced_or_not(cli, db_url, engine, sim_day):
    sim, today = sim_day
    today[0] = date.today()
    attach_coin(engine, MORGAN)
    priced, unpriced = points_of(MORGAN)
    env = {"DATABASE_URL": db_url, "PCGS_API_BASE_URL": sim.api_url, "PCGS_API_TOKEN": "test-token",
           "PCGS_PACING_MS": "0"}
    for grade in (priced, unpriced):
        result = cli("lookup", str(MORGAN), "--grade", str(grade), "--json", env=env)
        assert result.exit_code == 0, result.stderr
    with session_scope(engine) as session:
        rows = session.execute(select(PopulationObservation.grade, PopulationObservation.population)).all()
    coin = UNIVERSE.coin(MORGAN)
    assert sorted(rows) == sorted((g, pricing.population(coin, MORGAN, g, False, today[0])[0])
                                  for g in (priced, unpriced))


async def _store_answers(engine, db_url, sim, day: date, grades) -> None:
    """Ask the sim through the real client on ``day`` and store the answers as the lookup does."""
    from pcgs_support import client_for, settings_for

    from coinref.store.prices import record_miss, upsert_price

    async with client_for(settings_for(db_url, sim.api_url), engine, transport=httpx.AsyncHTTPTransport()) as pcgs:
        for grade in grades:
            facts = await pcgs.get_coin_facts_by_grade(MORGAN, grade, False)
            with session_scope(engine) as session:
                coin_id = session.scalar(select(Coin.id).where(Coin.pcgs_number == MORGAN))
                point = {"coin_id": coin_id, "grade": grade, "plus": False, "source": "pcgs-api"}
                if facts.priced:
                    upsert_price(session, price=facts.price_guide_value, observed_on=day,
                                 population=facts.population, pop_higher=facts.pop_higher, **point)
                else:
                    record_miss(session, reason="unpriced", observed_on=day, population=facts.population,
                                pop_higher=facts.pop_higher, **point)


def test_population_history_grows_is_shown_and_reported(cli, db_url, engine, sim_day):
    import asyncio

    sim, today = sim_day
    coin_id = attach_coin(engine, MORGAN)
    priced, unpriced = points_of(MORGAN)
    for day in DAYS:
        today[0] = day
        asyncio.run(_store_answers(engine, db_url, sim, day, (priced, unpriced)))
    with session_scope(engine) as session:
        rows = session.execute(select(PopulationObservation.grade, PopulationObservation.observed_on,
                                      PopulationObservation.population, PopulationObservation.pop_higher)
                               .order_by(PopulationObservation.grade, PopulationObservation.observed_on)).all()
    assert {(g, d) for g, d, _, _ in rows} == {(g, d) for g in (priced, unpriced) for d in DAYS}
    coin = UNIVERSE.coin(MORGAN)
    for grade, day, population, higher in rows:  # exactly what the sim answered that day
        assert (population, higher) == pricing.population(coin, MORGAN, grade, False, day)
    series = [p for g, _, p, _ in rows if g == priced]
    assert series[0] <= series[1] < series[2]  # grows slowly

    env = {"DATABASE_URL": db_url}
    report = cli("population-changes", "--as-of", DAYS[2].isoformat(), "--json", env=env)
    assert report.exit_code == 0, report.stderr
    windows = {w["days"]: w["changes"] for w in report.json()["windows"]}
    year = {r["grade"]: r for r in windows[365]}
    assert year[priced]["since"] == DAYS[0].isoformat() and year[priced]["change"] == series[2] - series[0]
    changes = [abs(r["change"]) for r in windows[365]]
    assert changes == sorted(changes, reverse=True)
    # the 30-day change starts from the last figure known when the window opened
    assert windows[30][0]["since"] == DAYS[1].isoformat()
    assert cli("population-changes", "--days", "0", env=env).exit_code == 2

    with TestClient(create_app(load_settings(database_url=db_url))) as client:
        page = client.get(f"/coins/{coin_id}")
        client.app.state.ctx.close()
    assert page.status_code == 200 and 'id="population-table"' in page.text
    assert f"{series[2]:,}" in page.text
