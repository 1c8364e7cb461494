"""What an app needs to build on the API (issue 13, items 8 and 10), on SQLite and PostgreSQL.

Paging with a total on every list route, a series' coins, price history by coin id, unknown
query parameters rejected, ETag/Cache-Control/304 on coin and series answers, one rule for
``melt``, no local file paths in ``/api/runs`` and HTML error pages for page addresses on a
database that is not initialised. The database holds the small priced catalog of
``tests/api_support.py``.
"""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from api_support import MORGAN_1881_S, load_sample
from sqlalchemy import func, select

from coinref.api.app import create_app
from coinref.config import load_settings
from coinref.store.db import session_scope
from coinref.store.models import Coin, Quarantine, Run, Series
from coinref.store.prices import upsert_price

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def sample(engine):
    return load_sample(engine)


@pytest.fixture
def client(db_url, sample):
    with TestClient(create_app(load_settings(database_url=db_url))) as test_client:
        yield test_client
    test_client.app.state.ctx.close()


def assert_error(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == kind and body["status"] == status and body["message"]
    return body


def pages(client, path: str, **params) -> tuple[list[dict], list[dict]]:
    """Every page of a paged route, following next_offset: (answers, items)."""
    answers, items, offset = [], [], 0
    while offset is not None:
        body = client.get(path, params={**params, "offset": offset}).json()
        answers.append(body)
        items.extend(body.get("results", body.get("observations", [])))
        offset = body["next_offset"]
        assert len(answers) < 100
    return answers, items


# -- item 8: paging -----------------------------------------------------------------------------


def test_search_pages_carry_a_total_and_never_overlap(client):
    first = client.get("/api/coins/search", params={"q": "morgan 1880", "limit": 4}).json()
    assert first["count"] == 4 and first["offset"] == 0 and first["limit"] == 4
    assert first["total"] > 4 and first["next_offset"] == 4
    answers, hits = pages(client, "/api/coins/search", q="morgan 1880", limit=4)
    ids = [hit["id"] for hit in hits]
    assert len(ids) == len(set(ids)) == first["total"]
    assert all(a["total"] == first["total"] for a in answers) and answers[-1]["next_offset"] is None
    whole = client.get("/api/coins/search", params={"q": "morgan 1880", "limit": 100}).json()
    assert [hit["id"] for hit in whole["results"]] == ids  # the pages are the one ranking, cut
    beyond = client.get("/api/coins/search", params={"q": "morgan 1880", "offset": first["total"]}).json()
    assert beyond["results"] == [] and beyond["count"] == 0 and beyond["next_offset"] is None


def test_a_series_lists_every_coin_in_pages(client, engine):
    with session_scope(engine) as session:
        stored = session.scalar(select(func.count(Coin.id)).join(Series).where(Series.slug == "morgan-dollars"))
    first = client.get("/api/series/morgan-dollars/coins", params={"limit": 7}).json()
    assert first["series"]["slug"] == "morgan-dollars" and first["series"]["name"] == "Morgan Dollars"
    assert first["total"] == stored > 7 and first["count"] == 7 and first["next_offset"] == 7
    assert (first["results"][0]["year"], first["results"][0]["mint_mark"]) == (1878, "P")  # Philadelphia first
    _answers, coins = pages(client, "/api/series/morgan-dollars/coins", limit=7)
    assert len(coins) == len({c["id"] for c in coins}) == stored
    assert [c["year"] for c in coins] == sorted(c["year"] for c in coins)
    s_1881 = next(c for c in coins if c["pcgs_number"] == MORGAN_1881_S.pcgs_number)
    assert {p["label"]: p["price"] for p in s_1881["latest_prices"]}["MS65"] == 210.0
    default = client.get("/api/series/morgan-dollars/coins").json()
    assert default["limit"] == 50 and default["count"] == min(50, stored)
    assert_error(client.get("/api/series/no-such-series/coins"), 404, "not_found")
    assert_error(client.get("/api/series/morgan-dollars/coins", params={"limit": 501}), 422, "validation")


def test_price_history_by_coin_id_for_a_coin_without_a_pcgs_number(client, engine):
    with session_scope(engine) as session:
        coin = session.scalars(select(Coin).join(Series).where(
            Series.slug == "morgan-dollars", Coin.year == 1880, Coin.pcgs_number.is_(None))).first()
        for day in (1, 2, 3):
            upsert_price(session, coin_id=coin.id, grade=63, plus=False, source="dealer", price=Decimal(50 + day),
                         observed_on=date(2025, 1, day))
        coin_id = coin.id
    body = client.get(f"/api/coins/by-id/{coin_id}/prices", params={"limit": 2}).json()
    assert body["coin"]["id"] == coin_id and body["coin"]["pcgs_number"] is None
    assert body["total"] == 3 and body["count"] == 2 and body["next_offset"] == 2
    assert [o["price"] for o in body["observations"]] == [51.0, 52.0]
    _answers, observations = pages(client, f"/api/coins/by-id/{coin_id}/prices", limit=2)
    assert [o["observed_on"] for o in observations] == ["2025-01-01", "2025-01-02", "2025-01-03"]
    assert client.get(f"/api/coins/by-id/{coin_id}/prices", params={"grade": "MS64"}).json()["total"] == 0
    assert_error(client.get("/api/coins/by-id/999999/prices"), 404, "not_found")
    by_number = client.get("/api/coins/7126/prices").json()
    assert by_number["total"] == by_number["count"] == 12 and by_number["next_offset"] is None


def test_runs_are_paged_newest_first(client, engine):
    with session_scope(engine) as session:
        for day in range(1, 6):
            session.add(Run(kind="populate", source="builtin", status="completed",
                            started_at=datetime(2025, 1, day, tzinfo=UTC)))
    first = client.get("/api/runs", params={"limit": 2}).json()
    assert first["total"] == 5 and first["count"] == 2 and first["next_offset"] == 2
    _answers, runs = pages(client, "/api/runs", limit=2)
    assert [r["started_at"][:10] for r in runs] == [f"2025-01-0{d}" for d in (5, 4, 3, 2, 1)]


@pytest.mark.parametrize("path,params", [
    ("/api/coins/search", {"q": "morgan", "page": "2"}),
    ("/api/coins/7126", {"spot": "30"}),
    ("/api/coins/by-id/1", {"pcgs": "1"}),
    ("/api/coins/7126/prices", {"grades": "MS65"}),
    ("/api/coins/by-id/1/prices", {"page": "2"}),
    ("/api/series", {"offset": "10"}),
    ("/api/series/morgan-dollars/coins", {"page": "2"}),
    ("/api/grades", {"q": "x"}),
    ("/api/quota", {"x": "1"}),
    ("/api/runs", {"page": "2"}),
    ("/api/health", {"verbose": "1"}),
])
def test_unknown_query_parameters_are_rejected_everywhere(client, path, params):
    body = assert_error(client.get(path, params=params), 422, "validation")
    name = list(params)[-1]  # the unknown one
    assert f"query parameter {name!r}" in body["message"] and "unknown parameter" in body["message"]
    assert body["details"]["problems"][0]["where"] == f"query parameter {name!r}"


# -- item 10: caching, melt, runs, HTML errors ----------------------------------------------------


@pytest.mark.parametrize("path", ["/api/coins/7126", "/api/coins/7126/prices", "/api/series",
                                  "/api/series/morgan-dollars/coins"])
def test_coin_and_series_answers_have_an_etag_and_answer_304(client, path):
    response = client.get(path)
    assert response.status_code == 200
    tag = response.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"') and response.headers["cache-control"] == "public, max-age=60"
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert client.get(path, headers={"If-None-Match": f'"other", W/{tag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_the_etag_changes_with_the_data(client, engine, sample):
    tag = client.get("/api/coins/7126").headers["etag"]
    assert client.get("/api/coins/7126", params={"spot_silver": "30"}).headers["etag"] != tag
    with session_scope(engine) as session:
        upsert_price(session, coin_id=sample[MORGAN_1881_S], grade=66, plus=False, source="pcgs-api",
                     price=Decimal("400"), observed_on=date(2025, 4, 1))
    fresh = client.get("/api/coins/7126", headers={"If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != tag


def test_melt_is_always_present_and_null_without_a_value(client):
    for params in ({}, {"spot_gold": "2400"}, {"spot_platinum": "900"}):
        assert client.get("/api/coins/7126", params=params).json()["melt"] is None, params
    assert client.get("/api/coins/7126", params={"spot_silver": "30"}).json()["melt"]["value"] == 23.2
    assert client.get("/api/coins/2426").json()["melt"] is None  # a bronze cent


def test_runs_never_show_local_file_paths(client, engine, tmp_path):
    log_dir = tmp_path / "private" / "logs"
    with session_scope(engine) as session:
        session.add(Run(kind="import-pcgs-numbers", source="csv", status="completed",
                        args={"file": "mydata/holdings.csv"},
                        report={"file": str(tmp_path / "holdings.csv"), "log_file": str(log_dir / "population.log"),
                                "report_files": {"markdown": str(log_dir / "population.md")},
                                "errors": [f"could not read {log_dir}/x.html: gone"],
                                "source_url": "https://www.pcgs.com/prices/detail/morgan-dollars/744"},
                        started_at=datetime(2025, 1, 1, tzinfo=UTC)))
    response = client.get("/api/runs")
    assert str(tmp_path) not in response.text and "private" not in response.text and "mydata" not in response.text
    run = response.json()["results"][0]
    assert run["args"]["file"] == "holdings.csv" and run["report"]["log_file"] == "population.log"
    assert run["report"]["report_files"]["markdown"] == "population.md"
    assert run["report"]["errors"] == ["could not read x.html: gone"]
    assert run["report"]["source_url"] == "https://www.pcgs.com/prices/detail/morgan-dollars/744"


def test_the_status_page_shows_no_local_file_paths_either(client, engine, tmp_path):
    with session_scope(engine) as session:
        session.add(Quarantine(source="pcgs-website", record={"full_name": "1881-S Morgan Dollar"},
                               reasons=[f"no price table in {tmp_path}/saved/page.html"]))
    page = client.get("/status")
    assert page.status_code == 200 and "no price table in page.html" in page.text
    assert str(tmp_path) not in page.text


@pytest.mark.parametrize("path,status", [("/", 503), ("/?q=morgan", 503), ("/status", 503),
                                         ("/coins/1", 503), ("/series/morgan-dollars", 503), ("/nowhere", 404)])
def test_pages_on_an_uninitialised_database_answer_html(empty_db_url, path, status):
    with TestClient(create_app(load_settings(database_url=empty_db_url)), raise_server_exceptions=False) as client:
        for accept in (None, "*/*", "text/html,application/xhtml+xml,*/*;q=0.8"):
            response = client.get(path, headers={"Accept": accept} if accept else {})
            assert response.status_code == status, (path, accept, response.text[:200])
            assert response.headers["content-type"].startswith("text/html"), (path, accept)
            if status == 503:
                assert "coinref init" in response.text
        api = client.get("/api/series")
        assert api.status_code == 503 and api.json()["error"] == "database_unavailable"
        assert "coinref init" in api.json()["message"]
    client.app.state.ctx.close()


# -- item 9: the API docs need no network -------------------------------------------------------


def test_the_docs_page_loads_swagger_ui_from_the_package(client):
    import re

    page = client.get("/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(assets) == 3 and all(a.startswith("/static/vendor/swagger-ui/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    assert client.get("/redoc").status_code == 404  # ReDoc only loads from a CDN: not served


def test_the_cron_route_rejects_unknown_query_parameters_too(client):
    body = assert_error(client.post("/api/cron/refresh-prices", params={"limit": "5"}), 422, "validation")
    assert "query parameter 'limit'" in body["message"]
