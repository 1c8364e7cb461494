"""The PCGS client against the in-process simulator, on both backends.

Every test counts what the simulator received, so "at most N requests" is asserted end to end.
"""

from __future__ import annotations

import contextlib
from datetime import date

import httpx
import pytest
from pcgs_support import (
    MORGAN_1881_S,
    TOKEN,
    UNIVERSE,
    FakeMonotonic,
    FakeSleep,
    api_requests,
    client_for,
    priced_grade,
    settings_for,
    sim_app,
)
from sqlalchemy import func, select

from coinref.errors import (
    AuthenticationError,
    CircuitOpen,
    InvalidInput,
    NotFound,
    QuotaExhausted,
    RateLimited,
    TransientError,
)
from coinref.remote.breaker import BreakerRegistry
from coinref.remote.calllog import list_calls
from coinref.remote.quota import QuotaLedger
from coinref.sources.pcgs_api import GatewayToken
from coinref.store.db import session_scope
from coinref.store.models import ApiCall

pytestmark = pytest.mark.anyio
TODAY = date(2025, 6, 1)


def sim(**config):
    config.setdefault("today", lambda: TODAY)
    return sim_app(**config)


def calls_logged(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count(ApiCall.id)))


async def test_coin_facts_by_grade_match_the_simulator(engine, db_url):
    app = sim()
    grade = priced_grade(MORGAN_1881_S, TODAY)
    async with client_for(settings_for(db_url), engine, app) as pcgs:
        facts = await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, grade, False)
    truth = UNIVERSE.point(MORGAN_1881_S, grade, False, TODAY)
    assert facts.pcgs_no == MORGAN_1881_S
    assert facts.name == "1881-S $1" and facts.year == 1881 and facts.mint_mark == "S"
    assert facts.price_guide_value == truth.price
    assert (facts.population, facts.pop_higher) == (truth.population, truth.pop_higher)
    assert facts.parsed_grade().number == grade
    assert "synthetic" in facts.coin_facts_notes.lower()
    assert api_requests(app) == 1 and calls_logged(engine) == 1
    [row] = list_calls(engine)
    assert row["outcome"] == "success" and row["status_code"] == 200
    assert row["params"] == {"PCGSNo": str(MORGAN_1881_S), "GradeNo": str(grade), "PlusGrade": "false"}
    assert QuotaLedger(engine, limit=1000).status()["used"] == 1


async def test_not_found_and_invalid_are_answers_never_retried(engine, db_url):
    app = sim()
    sleep = FakeSleep()
    async with client_for(settings_for(db_url), engine, app, sleep=sleep) as pcgs:
        with pytest.raises(NotFound, match="no data for PCGS #123"):
            await pcgs.get_coin_facts_by_grade(123, 65, False)
        with pytest.raises(NotFound, match="no cert 12345677"):
            await pcgs.get_coin_facts_by_cert("12345677")
        with pytest.raises(InvalidInput):
            await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, 71, False)  # refused before sending
    assert api_requests(app) == 2 and sleep.waits == []
    assert [r["outcome"] for r in list_calls(engine)] == ["not_found", "not_found"]


async def test_cert_apr_and_images(engine, db_url):
    app = sim()
    cert = UNIVERSE.cert("12345678")
    async with client_for(settings_for(db_url), engine, app) as pcgs:
        facts = await pcgs.get_coin_facts_by_cert("7130.67/12345678")
        apr = await pcgs.get_apr_by_grade(cert.pcgs_number, cert.grade, cert.plus, number_of_records=2)
        apr_cert = await pcgs.get_apr_by_cert("12345678")
        images = await pcgs.get_images_by_cert("12345678")
        barcode = await pcgs.get_coin_facts_by_barcode("12345678", "PCGS")
    assert facts.cert_no == "12345678" and facts.pcgs_no == cert.pcgs_number
    assert facts.parsed_grade().number == cert.grade and len(facts.images) == 2
    assert len(apr.auctions) == 2 and apr.year == UNIVERSE.coin(cert.pcgs_number).year
    assert apr.auctions[0].sold_on > apr.auctions[1].sold_on  # newest first
    assert apr_cert.cert_no == "12345678" and apr_cert.auctions
    assert len(images.images) == 2 and images.images[0].url.startswith("https://")
    assert barcode.pcgs_no == cert.pcgs_number
    assert api_requests(app) == 5


async def test_sim_answers_a_malformed_cert_as_invalid():
    app = sim()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as raw:
        answer = await raw.get("/publicapi/coindetail/GetCoinFactsByCertNo/12a",
                               headers={"Authorization": f"bearer {TOKEN}"})
    assert answer.json() == {"IsValidRequest": False, "ServerMessage": "Invalid CertNo"}


async def test_500_then_503_then_success_on_the_third_request(engine, db_url):
    app = sim(faults="500,503")
    sleep = FakeSleep()
    grade = priced_grade(MORGAN_1881_S, TODAY)
    async with client_for(settings_for(db_url), engine, app, sleep=sleep) as pcgs:
        facts = await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, grade, False)
    assert facts.price_guide_value == UNIVERSE.point(MORGAN_1881_S, grade, False, TODAY).price
    assert api_requests(app) == 3
    assert len(sleep.waits) == 2
    assert [r["outcome"] for r in reversed(list_calls(engine))] == ["transient", "transient", "success"]
    assert [r["status_code"] for r in reversed(list_calls(engine))] == [500, 503, 200]
    assert QuotaLedger(engine, limit=1000).status()["used"] == 3  # every request sent counts


async def test_429_with_retry_after_waits_and_succeeds(engine, db_url):
    app = sim(faults="429:retry-after=1")
    sleep = FakeSleep()
    grade = priced_grade(MORGAN_1881_S, TODAY)
    async with client_for(settings_for(db_url), engine, app, sleep=sleep) as pcgs:
        await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, grade, False)
    assert sleep.waits == [1.0]
    assert api_requests(app) == 2
    assert [r["outcome"] for r in reversed(list_calls(engine))] == ["rate_limited", "success"]


async def test_rate_limited_too_long_surfaces_without_sleeping(engine, db_url):
    app = sim(faults="429:retry-after=600")
    sleep = FakeSleep()
    async with client_for(settings_for(db_url, pcgs_backoff_cap_s=60), engine, app, sleep=sleep) as pcgs:
        with pytest.raises(RateLimited) as limited:
            await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, 65, False)
    assert limited.value.retry_after == 600 and sleep.waits == [] and api_requests(app) == 1


async def test_timeouts_and_malformed_bodies_are_retried(engine, db_url):
    app = sim(faults="timeout,malformed,servererror", hang_s=5)
    sleep = FakeSleep()
    grade = priced_grade(MORGAN_1881_S, TODAY)
    async with client_for(settings_for(db_url, pcgs_timeout_s=0.2), engine, app, sleep=sleep) as pcgs:
        await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, grade, False)
    assert api_requests(app) == 4 and len(sleep.waits) == 3
    outcomes = [(r["status_code"], r["outcome"]) for r in reversed(list_calls(engine))]
    assert outcomes == [(None, "transient"), (200, "transient"), (200, "transient"), (200, "success")]


async def test_retries_give_up_after_the_maximum(engine, db_url):
    app = sim(faults="503*10")
    async with client_for(settings_for(db_url, pcgs_max_retries=2), engine, app) as pcgs:
        with pytest.raises(TransientError):
            await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, 65, False)
    assert api_requests(app) == 3


async def test_wrong_token_fails_after_one_request(engine, db_url):
    app = sim()
    settings = settings_for(db_url, pcgs_api_token="not-the-token")
    async with client_for(settings, engine, app) as pcgs:
        with pytest.raises(AuthenticationError) as denied:
            await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, 65, False)
    assert denied.value.exit_code == 4
    assert api_requests(app) == 1
    assert "not-the-token" not in denied.value.message


async def test_auth_500_variant_is_an_authentication_failure(engine, db_url):
    app = sim(faults="auth500")
    async with client_for(settings_for(db_url), engine, app) as pcgs:
        with pytest.raises(AuthenticationError):
            await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, 65, False)
    assert api_requests(app) == 1


async def test_gateway_token_reauthenticates_once(engine, db_url):
    app = sim(token=None, faults="401,401,401")
    sim_transport = httpx.ASGITransport(app=app)
    issued: list[str] = []

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        issued.append(request.content.decode())
        return httpx.Response(200, json={"access_token": f"gw-{len(issued)}", "token_type": "bearer",
                                         "expires_in": 3600})

    tokens = GatewayToken("https://gateway.example/oauth/token", "collector", "s3cret-pass",
                          transport=httpx.MockTransport(token_endpoint))
    settings = settings_for(db_url, pcgs_api_token=None)
    async with client_for(settings, engine, transport=sim_transport, tokens=tokens) as pcgs:
        with pytest.raises(AuthenticationError):
            await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, 65, False)
    assert api_requests(app) == 2  # the first try and one try after re-authenticating
    assert len(issued) == 2 and "grant_type=password" in issued[0] and "username=collector" in issued[0]


async def test_gateway_token_recovers_after_a_401(engine, db_url):
    app = sim(token=None, faults="401")
    grade = priced_grade(MORGAN_1881_S, TODAY)
    tokens = GatewayToken(
        "https://gateway.example/oauth/token", "collector", "s3cret-pass",
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"access_token": "gw", "expires_in": 60})),
    )
    async with client_for(settings_for(db_url), engine, app, tokens=tokens) as pcgs:
        facts = await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, grade, False)
    assert facts.pcgs_no == MORGAN_1881_S and api_requests(app) == 2


async def test_quota_text_closes_the_day_for_every_client(engine, db_url):
    app = sim(faults="quota")
    settings = settings_for(db_url)
    async with client_for(settings, engine, app) as pcgs:
        with pytest.raises(QuotaExhausted) as exhausted:
            await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, 65, False)
        assert "resets at" in exhausted.value.message
        with pytest.raises(QuotaExhausted):
            await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, 64, False)
    async with client_for(settings, engine, app) as another:  # another process, same database
        with pytest.raises(QuotaExhausted):
            await another.get_coin_facts_by_cert("12345678")
    assert api_requests(app) == 1
    status = QuotaLedger(engine, limit=settings.pcgs_daily_quota).status()
    assert status["exhausted"] is True and status["used"] == 1


async def test_the_daily_quota_is_never_overspent(engine, db_url):
    app = sim()
    settings = settings_for(db_url, pcgs_daily_quota=3)
    async with client_for(settings, engine, app) as pcgs:
        for grade in (60, 61, 62):
            with contextlib.suppress(NotFound):
                await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, grade, False)
        with pytest.raises(QuotaExhausted):
            await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, 63, False)
    assert api_requests(app) == 3


async def test_breaker_opens_after_five_failures_and_half_opens_after_the_timeout(engine, db_url):
    app = sim(faults="500*5")
    clock = FakeMonotonic()
    registry = BreakerRegistry()
    settings = settings_for(db_url, pcgs_max_retries=0)
    grade = priced_grade(MORGAN_1881_S, TODAY)
    async with client_for(settings, engine, app, monotonic=clock, breakers=registry) as pcgs:
        for _ in range(5):
            with pytest.raises(TransientError):
                await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, grade, False)
        assert pcgs.breaker.state == "open"
        with pytest.raises(CircuitOpen):
            await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, grade, False)
        assert api_requests(app) == 5  # refused without sending
        assert QuotaLedger(engine, limit=1000).status()["used"] == 5  # and without paying
        clock.advance(60)
        await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, grade, False)
        assert pcgs.breaker.state == "half-open"
        await pcgs.get_coin_facts_by_grade(MORGAN_1881_S, grade, False)
        assert pcgs.breaker.state == "closed"
    assert api_requests(app) == 7


async def test_routes_and_parameters_are_case_insensitive(engine, db_url):
    app = sim()
    grade = priced_grade(MORGAN_1881_S, TODAY)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as raw:
        answer = await raw.get("/PUBLICAPI/coindetail/getcoinfactsbygrade",
                               params={"pcgsno": MORGAN_1881_S, "gradeno": grade, "plusgrade": "False"},
                               headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"})
        missing = await raw.get("/publicapi/coindetail/GetCoinFactsByGrade", params={"PCGSNo": MORGAN_1881_S},
                                headers={"Authorization": f"bearer {TOKEN}"})
        unbound = await raw.get("/publicapi/coindetail/GetCoinFactsByGrade",
                                params={"PCGSNo": MORGAN_1881_S, "GradeNo": "sixty", "PlusGrade": "false"},
                                headers={"Authorization": f"bearer {TOKEN}"})
        slash = await raw.get("/publicapi/coindetail/GetCoinFactsByCertNo/7130.67/12345678",
                              headers={"Authorization": f"bearer {TOKEN}"})
        root = await raw.get("/")
    assert answer.status_code == 200 and answer.json()["PCGSNo"] == str(MORGAN_1881_S)
    assert answer.headers["X-Coinref-Sim"] == "synthetic data"
    assert missing.status_code == 204 and missing.content == b""
    assert unbound.status_code == 400
    assert slash.status_code == 404
    assert "synthetic" in root.text.lower() and root.headers["X-Coinref-Sim"] == "synthetic data"
