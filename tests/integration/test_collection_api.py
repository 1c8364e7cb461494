"""``GET /api/holdings``, ``GET /api/valuation`` and ``/collection`` on both backends (hand-written sample)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from api_support import EAGLE_2021_T2, MORGAN_1881_S, SAMPLE_HOLDINGS, VDB_1909_S, load_holdings, load_sample
from fastapi.testclient import TestClient

from coinref.api.app import create_app
from coinref.config import load_settings


@pytest.fixture
def client(db_url, engine):
    ids = load_sample(engine)
    load_holdings(engine, ids)
    with TestClient(create_app(load_settings(database_url=db_url))) as test_client:
        yield test_client
    test_client.app.state.ctx.close()


def test_holdings_endpoint_lists_every_holding(client):
    answer = client.get("/api/holdings")
    assert answer.status_code == 200, answer.text
    rows = answer.json()
    assert [(r["pcgs_number"], r["grade"], r["quantity"]) for r in rows] == [
        (h[0].pcgs_number, ("MS65", "VF20", "MS63", "MS69", "MS64")[i], h[3]) for i, h in enumerate(SAMPLE_HOLDINGS)]
    assert rows[0]["cost"] == 380.0 and rows[2]["cost"] is None


def test_valuation_endpoint_applies_the_rule_as_of_a_day(client):
    answer = client.get("/api/valuation", params={"as_of": "2025-03-31"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    by_coin = {(h["pcgs_number"], h["grade"]): h for h in body["holdings"]}
    morgan = by_coin[(MORGAN_1881_S.pcgs_number, "MS65")]
    assert morgan["basis"] == "guide" and morgan["value"] == 420.0 and morgan["confidence"] == "high"
    vf20 = by_coin[(VDB_1909_S.pcgs_number, "VF20")]
    # geometric between F12 $1,100 and XF40 $1,500, 8/28 of the way
    expected = (Decimal(1100) * (Decimal(1500) / Decimal(1100)) ** (Decimal(8) / Decimal(28))).quantize(Decimal("0.01"))
    assert vf20["interpolated"] and vf20["basis"] == "guide interpolated" and Decimal(str(vf20["value"])) == expected
    ms63 = by_coin[(VDB_1909_S.pcgs_number, "MS63")]
    assert ms63["auction_sales"] == 3 and ms63["auction_median"] == 2550.0 and ms63["basis"] == "guide"
    eagle = by_coin[(EAGLE_2021_T2.pcgs_number, "MS69")]
    assert eagle["melt"] == 31.2 and eagle["value"] == 480.0
    assert body["spots"] == {"silver": {"price": 31.2, "day": "2025-03-01"}}
    assert Decimal(str(body["total"])) == sum(Decimal(str(h["value"])) for h in body["holdings"] if h["value"])

    past = client.get("/api/valuation", params={"as_of": "2025-02-01", "since": "2025-01-01"}).json()
    assert past["spots"]["silver"]["price"] == 24.5
    # on 2025-01-01 only the sale of 2024-11-14 was known: the MS63 VDB at its auction median, nothing else
    assert past["since"]["total"] == 2450.0
    assert Decimal(str(past["since"]["change"])) == Decimal(str(past["total"])) - Decimal("2450.00")
    melt = client.get("/api/valuation", params={"as_of": "2025-03-31", "spot_silver": "100"}).json()
    assert {h["basis"] for h in melt["holdings"] if h["pcgs_number"] == EAGLE_2021_T2.pcgs_number} == {"melt"}
    assert client.get("/api/valuation", params={"spot_silver": "0"}).status_code == 400
    assert client.get("/api/valuation", params={"as_of": "yesterday"}).status_code == 422


def test_valuation_history_and_the_collection_page(client):
    history = client.get("/api/valuation/history", params={"as_of": "2025-03-31", "points": 5}).json()
    assert [p["day"] for p in history][0] == "2025-01-30" and history[-1]["day"] == "2025-03-31"
    assert len(history) == 5 and history[-1]["total"] > history[0]["total"]
    assert client.get("/api/valuation/history", params={"points": 0}).status_code == 422
    page = client.get("/collection")
    assert page.status_code == 200 and 'id="value-chart"' in page.text and "2021 Type 2 Silver Eagle" in page.text
