"""The HTTP API and the server-rendered pages through an ASGI client, on SQLite and PostgreSQL.

The database holds a slice of the built-in catalog with prices (``tests/api_support.py``); the
app is built by :func:`coinref.api.app.create_app` exactly as ``coinref serve`` builds it.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from api_support import EAGLE_2021_T2, MORGAN_1881_S, MORGAN_1884_CC, VDB_1909_S, load_sample, sample_catalog
from sqlalchemy import select

from coinref.api.app import create_app
from coinref.api.melt import melt_value, precious_metal
from coinref.config import load_settings
from coinref.remote.quota import QuotaLedger
from coinref.store.db import session_scope
from coinref.store.models import Coin, Quarantine, Run

with warnings.catch_warnings():  # starlette's notice about httpx2 is not ours to act on
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def sample(engine):
    return load_sample(engine)


def make_client(db_url: str, **settings) -> TestClient:
    return TestClient(create_app(load_settings(database_url=db_url, **settings)))


@pytest.fixture
def client(db_url, sample):
    with make_client(db_url) as test_client:
        yield test_client
    test_client.app.state.ctx.close()


def assert_error(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == kind and body["status"] == status and body["message"]
    assert set(body) <= {"error", "message", "status", "details"}
    return body


# -- search -----------------------------------------------------------------------------------


def test_search_finds_the_coin_first_with_its_latest_prices(client):
    response = client.get("/api/coins/search", params={"q": "1881-S morgan", "limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "1881-S morgan"
    assert body["intent"]["year"] == 1881 and body["intent"]["mint"] == "S"
    assert body["count"] == len(body["results"]) <= 5
    first = body["results"][0]
    assert (first["full_name"], first["pcgs_number"], first["series"]) == ("1881-S Morgan Dollar", 7126,
                                                                           "morgan-dollars")
    prices = {p["label"]: p["price"] for p in first["latest_prices"]}
    assert prices == {"MS63": 95.0, "MS64": 120.0, "MS65": 210.0, "MS64+": 150.0}
    assert all(p["observed_on"] == "2025-03-31" for p in first["latest_prices"])
    assert isinstance(first["metal_oz"], float) and first["metal_oz"] == 0.77345
    assert all(not hit["latest_prices"] for hit in body["results"][1:])  # PL/DMPL: no prices


def test_search_filters_and_limits(client):
    body = client.get("/api/coins/search", params={"q": "morgan", "year": 1884, "limit": 2}).json()
    assert body["count"] == 2 and all(hit["year"] == 1884 for hit in body["results"])
    body = client.get("/api/coins/search", params={"q": "1909", "series": "lincoln-cents-wheat-reverse"}).json()
    assert body["results"] and all(hit["series"] == "lincoln-cents-wheat-reverse" for hit in body["results"])
    assert client.get("/api/coins/search", params={"q": "7126"}).json()["results"][0]["pcgs_number"] == 7126
    assert client.get("/api/coins/search", params={"q": "zzqx"}).json() == {
        "query": "zzqx", "intent": client.get("/api/coins/search", params={"q": "zzqx"}).json()["intent"],
        "total": 0, "offset": 0, "limit": 10, "count": 0, "next_offset": None, "results": []}


@pytest.mark.parametrize("params,status,kind", [
    ({"q": "x", "series": "no-such-series"}, 400, "invalid_input"),
    ({}, 422, "validation"),
    ({"q": ""}, 422, "validation"),
    ({"q": "morgan", "limit": "ten"}, 422, "validation"),
    ({"q": "morgan", "limit": 0}, 422, "validation"),
    ({"q": "morgan", "limit": 101}, 422, "validation"),
    ({"q": "morgan", "year": 99999}, 422, "validation"),
])
def test_search_rejects_bad_parameters(client, params, status, kind):
    body = assert_error(client.get("/api/coins/search", params=params), status, kind)
    if status == 422:
        assert body["details"]["problems"] and all("where" in p for p in body["details"]["problems"])
        assert "ten" not in body["message"]  # the rejected input is not echoed


def test_hostile_search_text_is_answered_not_crashed(client):
    for query in ["\x00", "'; DROP TABLE coins; --", 'NEAR("a" "b")', "*", "😀" * 50, "a" * 300]:
        response = client.get("/api/coins/search", params={"q": query})
        assert response.status_code == 200, (query, response.text)


# -- one coin ---------------------------------------------------------------------------------


def test_coin_by_pcgs_number_has_facts_and_tracked_prices(client, sample):
    response = client.get("/api/coins/7126")
    assert response.status_code == 200
    coin = response.json()
    assert coin["id"] == sample[MORGAN_1881_S]
    assert (coin["full_name"], coin["series_name"], coin["mint_mark"], coin["strike"]) == (
        "1881-S Morgan Dollar", "Morgan Dollars", "S", "MS")
    assert coin["precious_metal"] == "silver" and coin["weight_g"] == 26.73 and coin["mintage"] == 12760000
    assert coin["melt"] is None  # no spot price given: one rule, melt is always there and null without a value
    points = {p["label"]: p for p in coin["latest_prices"]}
    assert points["MS65"] == {"grade": 65, "plus": False, "label": "MS65", "tracked": True, "price": 210.0,
                              "observed_on": "2025-03-31", "source": "pcgs-api", "population": 650}
    assert points["F12"]["tracked"] is True and points["F12"]["price"] is None  # tracked, not priced yet
    assert points["MS64+"]["tracked"] is False and points["MS64+"]["price"] == 150.0
    labels = [p["label"] for p in coin["latest_prices"]]
    assert labels.index("MS65") < labels.index("MS64+")  # tracked grades first


def test_coin_detail_has_the_specifications(client):
    coin = client.get("/api/coins/7126").json()
    assert (coin["diameter_mm"], coin["edge"], coin["designer"], coin["composition"], coin["key_date"]) == (
        38.1, "reeded", "George T. Morgan", "90% silver / 10% copper", None)
    vdb = client.get("/api/coins/2426").json()
    assert vdb["key_date"] == "key" and vdb["designer"] == "Victor David Brenner"


def test_coin_by_id_is_the_same_coin(client, sample):
    by_id = client.get(f"/api/coins/by-id/{sample[VDB_1909_S]}").json()
    by_number = client.get("/api/coins/2426").json()
    assert by_id == by_number
    assert by_id["variety"] == "VDB" and by_id["precious_metal"] is None


def test_melt_value_at_given_spot_prices(client, sample):
    morgan = client.get("/api/coins/7126", params={"spot_silver": "30"}).json()
    # 0.77345 oz x $30 = $23.2035 -> $23.20
    assert morgan["melt"] == {"metal": "silver", "metal_oz": 0.77345, "spot_usd_per_oz": 30.0, "value": 23.2}
    eagle = client.get("/api/coins/519763", params={"spot_silver": "31.255", "spot_gold": "2400"}).json()
    assert eagle["melt"]["value"] == 31.26 and eagle["melt"]["metal"] == "silver"
    assert client.get("/api/coins/7126", params={"spot_gold": "2400"}).json()["melt"] is None  # silver coin
    assert client.get("/api/coins/2426", params={"spot_silver": "30"}).json()["melt"] is None  # bronze cent
    assert_error(client.get("/api/coins/7126", params={"spot_silver": "-1"}), 422, "validation")
    assert_error(client.get("/api/coins/7126", params={"spot_silver": "NaN"}), 422, "validation")


@pytest.mark.parametrize("text,metal", [
    ("90% Silver, 10% Copper", "silver"),
    ("Silver Clad: 40% Silver, 60% Copper", "silver"),
    ("91.67% Gold, 3% Silver, 5.33% Copper", "gold"),
    ("Bimetallic: gold ring (.900) and platinum core (.9995); 48% Gold, 48% Platinum, 4% Alloy", "gold"),
    ("99.95% Palladium", "palladium"),
    ("56% Copper, 35% Silver, 9% Manganese", "silver"),
    ("Copper-Nickel Clad Copper", None),
    ("97.5% Zinc, 2.5% Copper (copper-plated zinc)", None),
    (None, None),
])
def test_precious_metal_is_read_from_the_composition(text, metal):
    assert precious_metal(text) == metal


def test_melt_rounds_half_up_to_cents():
    assert melt_value("99.9% Silver", Decimal("1"), {"silver": Decimal("24.005")})["value"] == Decimal("24.01")
    assert melt_value("99.9% Silver", None, {"silver": Decimal("24")}) is None


@pytest.mark.parametrize("path", ["/api/coins/999999", "/api/coins/by-id/999999", "/api/coins/999999/prices"])
def test_unknown_coin_is_404(client, path):
    assert_error(client.get(path), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/coins/0", "/api/coins/abc", "/api/coins/99999999999999999999",
                                  "/api/coins/by-id/-4", "/api/coins/7126/prices?since=yesterday"])
def test_malformed_coin_requests_are_422(client, path):
    assert_error(client.get(path), 422, "validation")


def test_coin_lookups_count_as_popularity_but_searches_do_not(db_url, sample, engine):
    with make_client(db_url) as test_client:
        for _ in range(3):
            test_client.get("/api/coins/search", params={"q": "1884-CC morgan"})
        test_client.get("/api/coins/7152")
        test_client.get(f"/api/coins/by-id/{sample[MORGAN_1884_CC]}")
        test_client.get(f"/coins/{sample[MORGAN_1884_CC]}")
    test_client.app.state.ctx.close()
    with session_scope(engine) as session:  # flushed when the app shut down
        assert session.get(Coin, sample[MORGAN_1884_CC]).lookup_count == 3
        assert session.get(Coin, sample[MORGAN_1881_S]).lookup_count == 0


# -- price history ----------------------------------------------------------------------------


def test_price_history_of_every_grade_or_one(client):
    body = client.get("/api/coins/7126/prices").json()
    assert body["coin"]["pcgs_number"] == 7126 and body["grade"] is None and body["since"] is None
    assert body["count"] == 12 == len(body["observations"])
    keys = [(o["grade"], o["plus"], o["observed_on"]) for o in body["observations"]]
    assert keys == sorted(keys)
    one = client.get("/api/coins/7126/prices", params={"grade": "MS64+"}).json()
    assert one["grade"] == "MS64+" and [o["price"] for o in one["observations"]] == [135.0, 142.5, 150.0]
    recent = client.get("/api/coins/7126/prices", params={"grade": "65", "since": "2025-03-02"}).json()
    assert [(o["observed_on"], o["price"]) for o in recent["observations"]] == [("2025-03-31", 210.0)]
    assert client.get("/api/coins/7152/prices").json()["observations"] == []


@pytest.mark.parametrize("grade", ["zz", "71", "MS70+", "65\x00"])
def test_price_history_rejects_a_bad_grade_with_400(client, grade):
    body = assert_error(client.get("/api/coins/7126/prices", params={"grade": grade}), 400, "invalid_input")
    assert "grade" in body["message"] or "plus" in body["message"]


# -- reference and operations -----------------------------------------------------------------


def test_series_have_coverage_counts(client):
    rows = {row["slug"]: row for row in client.get("/api/series").json()}
    assert len(rows) == 67
    catalog = sample_catalog()
    morgan = rows["morgan-dollars"]
    assert morgan["coins"] == sum(1 for c in catalog if c.series == "morgan-dollars")
    assert morgan["catalog_coins"] > morgan["coins"]  # only some years are loaded
    assert (morgan["with_pcgs_number"], morgan["with_prices"]) == (2, 1)
    assert rows["gold-eagles"]["coins"] == 0 and rows["gold-eagles"]["with_prices"] == 0


def test_grades_list(client):
    grades = {g["number"]: g for g in client.get("/api/grades").json()}
    assert grades[70]["labels"] == ["MS70", "PR70", "SP70"] and grades[64]["plus_allowed"] is True


def test_quota_reports_todays_use(client, engine, db_url):
    QuotaLedger.for_pcgs(engine, load_settings(database_url=db_url)).reserve()
    quota = client.get("/api/quota").json()
    assert (quota["limit"], quota["used"], quota["remaining"], quota["exhausted"]) == (1000, 1, 999, False)
    assert quota["resets_at"].endswith(("Z", "+00:00"))


def test_runs_list_recent_runs_with_reports(client, engine):
    with session_scope(engine) as session:
        session.add(Run(kind="populate", source="builtin", status="completed", counts={"created": 5},
                        report={"created": 5, "series": [{"slug": "morgan-dollars"}]},
                        started_at=datetime(2025, 1, 1, tzinfo=UTC),
                        finished_at=datetime(2025, 1, 1, 0, 5, tzinfo=UTC)))
        session.add(Run(kind="refresh", source="pcgs-api", status="running",
                        started_at=datetime(2025, 1, 2, tzinfo=UTC)))
    runs = client.get("/api/runs").json()["results"]
    assert [r["kind"] for r in runs] == ["refresh", "populate"]
    assert runs[1]["report"]["series"] == [{"slug": "morgan-dollars"}] and runs[1]["counts"] == {"created": 5}
    assert [r["kind"] for r in client.get("/api/runs", params={"kind": "populate"}).json()["results"]] == ["populate"]
    assert all(r["report"] is None for r in client.get("/api/runs", params={"reports": "false"}).json()["results"])
    assert len(client.get("/api/runs", params={"limit": 1}).json()["results"]) == 1


def test_health_is_ok_on_a_migrated_database(client):
    health = client.get("/api/health").json()
    assert health["status"] == "ok"
    assert health["database"]["reachable"] and health["database"]["at_head"]
    assert health["database"]["revision"] == health["database"]["head"]
    assert health["quota"]["limit"] == 1000


def test_health_is_degraded_before_init(empty_db_url):
    with make_client(empty_db_url) as test_client:
        response = test_client.get("/api/health")
        assert response.status_code == 200
        assert response.json()["status"] == "degraded" and response.json()["quota"] is None
        # any data endpoint answers 503 with the advice, not a stack trace
        assert_error(test_client.get("/api/coins/7126"), 503, "database_unavailable")
    test_client.app.state.ctx.close()


def test_health_is_503_when_the_database_is_unreachable(tmp_path):
    url = f"sqlite:///{tmp_path}/no/such/dir/coinref.db"
    with make_client(url) as test_client:
        response = test_client.get("/api/health")
        assert response.status_code == 503
        assert response.json()["status"] == "unavailable" and response.json()["database"]["reachable"] is False
        assert_error(test_client.get("/api/grades/nope"), 404, "not_found")


# -- errors, CORS, cron ----------------------------------------------------------------------


def test_unexpected_errors_are_500_without_a_stack_trace(db_url, sample):
    test_client = make_client(db_url)

    @test_client.app.get("/api/boom")
    def boom():
        raise RuntimeError("password=hunter2 in a traceback")

    with TestClient(test_client.app, raise_server_exceptions=False) as raw:
        response = raw.get("/api/boom")
    body = assert_error(response, 500, "internal")
    assert "hunter2" not in response.text and "Traceback" not in response.text and "RuntimeError" not in response.text
    assert body["message"] == "internal server error; the server log has the details"
    test_client.app.state.ctx.close()


def test_unknown_paths_and_methods_keep_the_error_shape(client):
    assert_error(client.get("/api/nothing-here"), 404, "not_found")
    assert_error(client.post("/api/grades"), 405, "method_not_allowed")


def test_cors_is_off_by_default_and_configurable(db_url, sample, client):
    preflight = {"Origin": "https://tracker.example", "Access-Control-Request-Method": "GET"}
    assert "access-control-allow-origin" not in client.options("/api/grades", headers=preflight).headers
    with make_client(db_url, coinref_cors_origins="https://tracker.example, https://other.example") as cors:
        response = cors.options("/api/grades", headers=preflight)
        assert response.headers["access-control-allow-origin"] == "https://tracker.example"
        assert cors.get("/api/grades", headers={"Origin": "https://evil.example"}).headers.get(
            "access-control-allow-origin") is None
    cors.app.state.ctx.close()


def test_the_cron_route_is_mounted_and_needs_the_secret(db_url, sample):
    with make_client(db_url) as off:
        assert_error(off.post("/api/cron/refresh-prices"), 503, "unavailable")
    off.app.state.ctx.close()
    with make_client(db_url, cron_secret="s3cret-value-123") as on:
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            response = on.get("/api/cron/refresh-prices", headers=headers)
            assert_error(response, 401, "unauthorized")
            assert "s3cret-value-123" not in response.text
    on.app.state.ctx.close()


def test_openapi_lists_the_endpoints_with_typed_money(client):
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) >= {
        "/api/coins/search", "/api/coins/{pcgs_number}", "/api/coins/by-id/{coin_id}",
        "/api/coins/{pcgs_number}/prices", "/api/series", "/api/grades", "/api/quota", "/api/runs", "/api/health",
        "/api/cron/refresh-prices",
    }
    assert not {"/", "/status", "/coins/{coin_id}"} & set(spec["paths"])  # pages are not API
    schemas = spec["components"]["schemas"]
    price = schemas["PricePoint"]["properties"]["price"]
    assert {"type": "number"} in price["anyOf"]
    search_422 = spec["paths"]["/api/coins/search"]["get"]["responses"]["422"]
    assert search_422["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert client.get("/docs").status_code == 200


# -- pages ------------------------------------------------------------------------------------


def test_search_page_renders_results_on_the_server(client):
    response = client.get("/", params={"q": "1909-S VDB"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert html.index("1909-S VDB Lincoln Cent") < html.index("1909-S VDB Lincoln Cent BN")
    assert "PCGS #2426" in html and "$2,600.50" in html and "/static/search.js" in html
    assert 'id="results"' in client.get("/").text


def test_coin_page_has_facts_price_table_and_chart_data(client, sample):
    html = client.get(f"/coins/{sample[MORGAN_1881_S]}").text
    assert "1881-S Morgan Dollar" in html and "PCGS #7126" in html and "0.77345 troy oz" in html
    assert 'id="price-table"' in html and "$210.00" in html and "MS64+" in html
    assert 'id="chart-data"' in html and "vendor/chart.umd.min.js" in html
    no_prices = client.get(f"/coins/{sample[MORGAN_1884_CC]}").text
    assert 'id="no-history"' in no_prices and "chart.umd.min.js" not in no_prices


def test_coin_page_shows_descriptive_facts_escaped_with_links(client, engine, sample):
    with session_scope(engine) as session:
        session.get(Coin, sample[MORGAN_1881_S]).facts = {
            "coin_facts_link": "www.pcgs.com/coinfacts/coin/7126", "pcgs_name": "1881-S $1 internal",
            "diameter": "38.1", "metal_content": "90% Silver, 10% Copper", "designer": "<script>alert(1)</script>",
            "links": ["not", "a", "scalar"],
        }
    html = client.get(f"/coins/{sample[MORGAN_1881_S]}").text
    assert '<a href="https://www.pcgs.com/coinfacts/coin/7126"' in html and "Diameter (mm)" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "1881-S $1 internal" not in html and "Metal (PCGS)" not in html and "scalar" not in html


def test_unknown_coin_page_is_a_404_page(client):
    response = client.get("/coins/999999", headers={"Accept": "text/html"})
    assert response.status_code == 404 and "text/html" in response.headers["content-type"]
    assert "no coin with id 999999" in response.text
    assert_error(client.get("/coins/999999", headers={"Accept": "application/json"}), 404, "not_found")


def test_status_page_shows_quota_coverage_runs_and_problems(client, engine):
    with session_scope(engine) as session:
        session.add(Run(kind="populate", source="builtin", status="completed", counts={"created": 7}))
        session.add(Quarantine(source="csv", record={"full_name": "1881-X Morgan Dollar"},
                               reasons=["mint X never struck Morgan dollars"]))
    html = client.get("/status").text
    assert "0 of 1000 calls used" in html
    assert 'data-series="morgan-dollars"' in html and "Morgan Dollars" in html
    assert "created 7" in html
    assert "mint X never struck Morgan dollars" in html
    assert "coinref validate" in html  # the validation report's summary is shown


def test_static_files_are_served(client):
    assert client.get("/static/vendor/chart.umd.min.js").status_code == 200
    assert client.get("/static/app.css").headers["content-type"].startswith("text/css")
    with session_scope(client.app.state.ctx.engine) as session:
        assert session.scalar(select(Coin.id).where(Coin.pcgs_number == EAGLE_2021_T2.pcgs_number))
