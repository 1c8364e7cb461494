"""Auction sales from the pcgs-apr source against the simulator: each sale stored once, shown beside prices."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pcgs_support import attach_sim_numbers
from sqlalchemy import func, select

from coinref.pipeline.refresh.tracked import default_tracked_grades
from coinref.sim import bodies
from coinref.sim.server import run_in_thread
from coinref.sim.state import SimConfig
from coinref.sim.universe import sim_universe
from coinref.store.db import session_scope
from coinref.store.models import AuctionSale, Coin, Quarantine

SERIES = "twenty-cent-pieces"
START = date(2025, 3, 10)


def sim_sale_keys(coins, day: date, seed: int = 0) -> set[tuple[str, str, str]]:
    """The (house, sale, lot) of every sale the sim answers for the tracked points on ``day``."""
    universe, tracked = sim_universe(), default_tracked_grades()
    keys = set()
    for number, slug, strike, year in coins:
        for grade, plus in tracked.points_for(slug, strike, year):
            if universe.point(number, grade, plus, day) is None:
                continue
            for sale in bodies.auctions(universe, number, grade, plus, day, seed)[:100]:
                keys.add((sale["Auctioneer"], sale["SaleName"], sale["LotNumV2"]))
    return keys


@pytest.fixture
def sim_day():
    today = [START]
    running = run_in_thread(SimConfig(latency_ms=0, seed=3, today=lambda: today[0]))
    yield running, today
    running.stop()


def stored_keys(engine) -> list[tuple[str, str, str]]:
    with session_scope(engine) as session:
        return [tuple(r) for r in session.execute(
            select(AuctionSale.auction_house, AuctionSale.sale_name, AuctionSale.lot)).all()]


def test_an_apr_pass_stores_each_sale_once_however_often_it_runs(cli, db_url, engine, sim_day):
    sim, today = sim_day
    env = {"DATABASE_URL": db_url, "PCGS_API_BASE_URL": sim.api_url, "PCGS_API_TOKEN": "test-token",
           "PCGS_PACING_MS": "0"}
    assert cli("populate", "--series", SERIES, "--json", env=env).exit_code == 0
    coins = attach_sim_numbers(engine, SERIES)
    first = cli("populate", "--source", "pcgs-apr", "--series", SERIES, "--json", env=env)
    assert first.exit_code == 0, first.stderr
    truth = sim_sale_keys(coins, START, seed=3)
    assert len(truth) > 100
    keys = stored_keys(engine)
    assert len(keys) == len(set(keys)) == len(truth) == first.json()["sales"]
    assert set(keys) == truth

    again = cli("populate", "--source", "pcgs-apr", "--series", SERIES, "--json", env=env)
    assert again.exit_code == 0, again.stderr
    assert again.json()["sales"] == 0 and again.json()["sales_known"] == len(truth)
    assert len(stored_keys(engine)) == len(truth)

    today[0] = START + timedelta(days=120)  # four months on: new sales, the old ones still answered
    later = cli("populate", "--source", "pcgs-apr", "--series", SERIES, "--json", env=env)
    assert later.exit_code == 0, later.stderr
    union = truth | sim_sale_keys(coins, today[0], seed=3)
    keys = stored_keys(engine)
    assert len(keys) == len(set(keys)) == len(union) > len(truth)
    assert later.json()["sales"] == len(union) - len(truth)

    with session_scope(engine) as session:  # linked through the PCGS number asked about, never quarantined
        bad = session.scalar(select(func.count()).select_from(AuctionSale).join(Coin).where(
            Coin.pcgs_number != AuctionSale.pcgs_number))
        assert bad == 0
        assert session.scalar(select(func.count(Quarantine.id))) == 0


def test_sales_without_a_lot_are_quarantined_not_dropped(engine):
    from coinref.pipeline.records import SaleRecord
    from coinref.pipeline.validation import validate_batch

    record = SaleRecord(source="pcgs-apr", coin_id=1, grade=65, sold_on=START, auction_house="Heritage Auctions",
                        sale_name="", lot="", sale_price=None)
    valid, invalid = validate_batch([record])
    assert valid == [] and invalid[0][1] == ["sale has no price", "sale cannot be de-duplicated: no sale_name, lot"]


def test_prices_show_sales_beside_guide_values_in_the_cli_and_the_api(cli, db_url, engine):
    from api_support import VDB_1909_S, load_sample
    from fastapi.testclient import TestClient

    from coinref.api.app import create_app
    from coinref.config import load_settings

    load_sample(engine)
    shown = cli("prices", str(VDB_1909_S.pcgs_number), "--json", env={"DATABASE_URL": db_url})
    assert shown.exit_code == 0, shown.stderr
    body = shown.json()
    assert body["count"] == 9 and body["sales_count"] == 4
    assert [(s["grade_label"], s["price"], s["lot"]) for s in body["sales"]] == [
        ("XF40", 1380.0, "55"), ("MS63", 2450.0, "101"), ("MS63", 2700.0, "202"), ("MS63", 2550.0, "7")]
    table = cli("prices", str(VDB_1909_S.pcgs_number), "--grade", "63", env={"DATABASE_URL": db_url})
    assert "3 auction sales" in table.stdout and "Sample" in table.stdout and "$2,700.00" in table.stdout

    with TestClient(create_app(load_settings(database_url=db_url))) as client:
        answer = client.get(f"/api/coins/{VDB_1909_S.pcgs_number}/prices", params={"grade": "MS63"})
        client.app.state.ctx.close()
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["count"] == 3 and data["sales_count"] == 3
    assert data["sales"][0] == {
        "grade": 63, "plus": False, "label": "MS63", "sold_on": "2024-11-14", "date_text": "11-14-2024",
        "auction_house": "Sample House", "sale_name": "Sample House November 2024 sale", "lot": "101",
        "cert_number": None, "price": 2450.0, "grading_service": "PCGS", "is_cac": None, "source": "pcgs-apr"}
