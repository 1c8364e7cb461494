"""Prices estimated from spot: shown in the API and on the coin page as estimates with their basis,
never stored as observations and never in the price history (``coinref prices``, the history API).

Hand-written data: the API sample's 2021 silver eagle MS69 observed at $48.00 on 2025-03-31, and a
spot CSV with silver at $30.00 that day and $32.50 ten days later, so the estimate is
48.00 + 1 oz x 2.50 = $50.50. Its MS70 ($125.00, melt well under half) gets no estimate.
"""

from __future__ import annotations

import warnings
from decimal import Decimal

import pytest
from api_support import EAGLE_2021_T2, MORGAN_1881_S, load_sample
from sqlalchemy import func, select

from coinref.api.app import create_app
from coinref.config import load_settings
from coinref.errors import ConfigError
from coinref.pipeline.refresh.spot_source import read_spot_csv
from coinref.store.db import session_scope
from coinref.store.models import PriceObservation

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

BASIS = "estimated from spot, last observed 2025-03-31"


@pytest.fixture
def spot_csv(tmp_path):
    path = tmp_path / "spot.csv"
    path.write_text("day,metal,usd_per_oz\n2025-03-31,silver,30.00\n2025-04-10,silver,32.50\n"
                    "2025-04-10,gold,3000\n", encoding="utf-8")
    return path


@pytest.fixture
def sample(engine):
    return load_sample(engine)


def observation_count(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count(PriceObservation.id)))


def test_estimates_are_shown_with_their_basis_and_never_stored(db_url, engine, sample, spot_csv, cli):
    stored = observation_count(engine)
    client = TestClient(create_app(load_settings(database_url=db_url, coinref_spot_csv=spot_csv)))
    with client:
        body = client.get(f"/api/coins/{EAGLE_2021_T2.pcgs_number}").json()
        points = {(p["grade"], p["plus"]): p for p in body["latest_prices"]}
        ms69, ms70 = points[(69, False)], points[(70, False)]
        assert ms69["price"] == 48.0 and ms69["observed_on"] == "2025-03-31" and ms69["source"] == "pcgs-api"
        assert ms69["estimate"]["price"] == 50.5
        assert ms69["estimate"]["basis"] == BASIS
        assert ms69["estimate"]["spot_from"] == {"day": "2025-03-31", "usd_per_oz": 30.0}
        assert ms69["estimate"]["spot_to"] == {"day": "2025-04-10", "usd_per_oz": 32.5}
        assert ms70["price"] == 125.0 and ms70["estimate"] is None  # melt is far less than half the price
        morgan = client.get(f"/api/coins/{MORGAN_1881_S.pcgs_number}").json()
        assert all(p["estimate"] is None for p in morgan["latest_prices"])

        page = client.get(f"/coins/{sample[EAGLE_2021_T2]}")
        assert page.status_code == 200
        assert "$50.50 est." in page.text and BASIS in page.text and "$48.00" in page.text

        history = client.get(f"/api/coins/{EAGLE_2021_T2.pcgs_number}/prices").json()
        assert {o["price"] for o in history["observations"] if o["grade"] == 69} == {43.2, 45.6, 48.0}
    client.app.state.ctx.close()
    assert observation_count(engine) == stored  # nothing written

    result = cli("prices", str(EAGLE_2021_T2.pcgs_number), "--json",
                 env={"DATABASE_URL": db_url, "COINREF_SPOT_CSV": str(spot_csv)})
    assert result.exit_code == 0, result.stderr
    history = result.json()
    assert Decimal("50.5") not in {Decimal(str(o["price"])) for o in history["observations"]}
    assert {o["source"] for o in history["observations"]} == {"pcgs-api"}
    assert "estimate" not in result.stdout


def test_without_spot_observations_there_is_no_estimate(db_url, sample):
    with TestClient(create_app(load_settings(database_url=db_url))) as client:
        body = client.get(f"/api/coins/{EAGLE_2021_T2.pcgs_number}").json()
        assert all("estimate" not in p for p in body["latest_prices"])
    client.app.state.ctx.close()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,metal,price\n", "the header must be day,metal,usd_per_oz"),
        ("day,metal,usd_per_oz\n2025-13-01,silver,30\n", "line 2: not a day"),
        ("day,metal,usd_per_oz\n2025-03-01,copper,3\n", "line 2: unknown metal 'copper'"),
        ("day,metal,usd_per_oz\n2025-03-01,gold,-5\n", "line 2: the price must be a positive number"),
        ("day,metal,usd_per_oz\n2025-03-01,gold\n", "line 2: expected 3 columns"),
    ],
)
def test_a_bad_spot_csv_is_a_configuration_error_naming_the_line(tmp_path, text, message):
    path = tmp_path / "spot.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        read_spot_csv(path)
    with pytest.raises(ConfigError, match="cannot be read"):
        read_spot_csv(tmp_path / "missing.csv")
