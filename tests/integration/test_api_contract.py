"""Issue 12.10: the HTTP API keeps its contract: aware UTC timestamps, the cron route's 401 and
bearer scheme in OpenAPI, ``OPTIONS`` listing the route's methods, the decimals the schema allows."""

from __future__ import annotations

import warnings
from datetime import datetime

import pytest
from api_support import MORGAN_1881_S, coin_id, load_sample

from coinref.api.app import create_app
from coinref.config import load_settings
from coinref.store.db import session_scope
from coinref.store.models import Run

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def client(db_url, engine):
    load_sample(engine)
    with TestClient(create_app(load_settings(database_url=db_url, cron_secret="s3cret-value"))) as test_client:
        yield test_client
    test_client.app.state.ctx.close()


def test_run_timestamps_are_utc_with_an_offset(client, engine):
    with session_scope(engine) as session:
        session.add(Run(kind="refresh", status="completed", finished_at=datetime(2026, 1, 2, 3, 4, 5)))
    runs = client.get("/api/runs").json()["results"]
    assert runs
    for run in runs:
        for key in ("started_at", "finished_at"):
            if run[key] is not None:
                assert datetime.fromisoformat(run[key]).utcoffset() is not None, run[key]
                assert run[key].endswith(("Z", "+00:00"))


def test_cron_route_documents_401_and_its_bearer_scheme(client):
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert any(s == {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer $CRON_SECRET"}
               for s in schemes.values())
    for method in ("get", "post"):
        operation = spec["paths"]["/api/cron/refresh-prices"][method]
        assert "401" in operation["responses"] and "503" in operation["responses"]
        assert operation["security"] == [{name: []} for name in schemes]
    wrong = client.get("/api/cron/refresh-prices", headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    assert "s3cret" not in wrong.text


@pytest.mark.parametrize(("path", "allowed"), [
    ("/api/cron/refresh-prices", "GET, HEAD, POST, OPTIONS"),
    ("/api/runs", "GET, HEAD, OPTIONS"),
    ("/api/coins/7126", "GET, HEAD, OPTIONS"),
])
def test_options_lists_the_methods_of_the_route(client, path, allowed):
    answer = client.options(path)
    assert answer.status_code == 204 and answer.headers["allow"] == allowed
    refused = client.delete(path)
    assert refused.status_code == 405 and refused.headers["allow"] == allowed


def test_spot_schema_says_number_and_every_number_in_range_is_accepted(client, engine):
    spec = client.get("/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/api/coins/by-id/{coin_id}"]["get"]["parameters"]}
    assert params["spot_silver"]["schema"]["anyOf"] == [{"type": "number", "minimum": 0, "maximum": 1_000_000},
                                                        {"type": "null"}]
    coin = coin_id(engine, MORGAN_1881_S)
    for value in ("25.5", "25.123456789", "1e2", "1E%2B3", "0", "0.000001", "1e-400", "999999.999999999999"):
        answer = client.get(f"/api/coins/by-id/{coin}?spot_silver={value}")
        assert answer.status_code == 200, (value, answer.text)
    for value in ("abc", "-1", "1000000.01", "NaN"):
        assert client.get(f"/api/coins/by-id/{coin}?spot_silver={value}").status_code == 422, value
