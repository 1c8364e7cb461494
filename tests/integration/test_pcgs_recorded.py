"""The client against recorded PCGS bodies (tests/fixtures/pcgs) through httpx.MockTransport.

These pin the wire protocol from the reference, independently of the simulator: exact parameter
names and casing, headers, paths, and how each documented body is classified.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
import pytest
from pcgs_support import TOKEN, FakeSleep, client_for, fixture_text, settings_for

from coinref.errors import AuthenticationError, InvalidInput, NotFound, QuotaExhausted
from coinref.remote.calllog import list_calls
from coinref.remote.quota import QuotaLedger

pytestmark = pytest.mark.anyio


class Recorded:
    """A MockTransport answering from a script of (status, fixture or text, headers)."""

    def __init__(self, *answers: tuple) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body, *rest = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        content = fixture_text(body) if body.endswith((".json", ".xml")) else body
        kind = "application/xml" if body.endswith(".xml") else "application/json; charset=utf-8"
        headers = {"Content-Type": kind, **(rest[0] if rest else {})}
        return httpx.Response(status, content=content.encode(), headers=headers)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def client(engine, db_url, recorded: Recorded, **kwargs):
    settings = settings_for(db_url, pcgs_api_base_url="https://api.pcgs.example/publicapi")
    return client_for(settings, engine, transport=recorded.transport(), **kwargs)


async def test_by_grade_request_uses_the_exact_wire_names(engine, db_url):
    recorded = Recorded((200, "by_grade_2986_ms65rd.json"))
    async with client(engine, db_url, recorded) as pcgs:
        facts = await pcgs.get_coin_facts_by_grade(2986, 65, False)
    [request] = recorded.requests
    assert request.method == "GET"
    assert request.url.path == "/publicapi/coindetail/GetCoinFactsByGrade"
    assert request.url.query.decode() == "PCGSNo=2986&GradeNo=65&PlusGrade=false"
    assert request.headers["Authorization"] == f"bearer {TOKEN}"
    assert request.headers["Accept"] == "application/json"
    assert facts.pcgs_no == 2986 and facts.price_guide_value == Decimal("18.00")
    assert (facts.population, facts.pop_higher) == (353, 648)
    [row] = list_calls(engine)
    assert row["outcome"] == "success" and TOKEN not in str(row)


async def test_plus_grade_and_unpriced_answer(engine, db_url):
    recorded = Recorded((200, "by_grade_commas_unpriced.json"))
    async with client(engine, db_url, recorded) as pcgs:
        facts = await pcgs.get_coin_facts_by_grade(5791, 64, True)
    assert "PlusGrade=true" in recorded.requests[0].url.query.decode()
    assert facts.mintage == 436_800 and facts.price_guide_value is None


async def test_cert_path_carries_only_the_digits(engine, db_url):
    recorded = Recorded((200, "by_cert_sp66_none_series.json"))
    async with client(engine, db_url, recorded) as pcgs:
        facts = await pcgs.get_coin_facts_by_cert("5998.66/38109793")
        trimmed = await pcgs.get_coin_facts_by_cert("38109793", retrieve_all_data=False)
    assert recorded.requests[0].url.path == "/publicapi/coindetail/GetCoinFactsByCertNo/38109793"
    assert recorded.requests[0].url.query == b""
    assert recorded.requests[1].url.query == b"retrieveAllData=false"
    assert facts.series_name is None and len(facts.images) == 2
    assert [a.sold_on for a in facts.auction_list] == [date(2024, 8, 1), date(2023, 3, 15), date(2019, 11, 2)]
    assert trimmed.cert_no == "38109793"


@pytest.mark.parametrize("body", ["not_found_two_keys.json", "not_found_every_key.json"])
async def test_cert_not_found_bodies(engine, db_url, body):
    recorded = Recorded((200, body))
    async with client(engine, db_url, recorded, sleep=FakeSleep()) as pcgs:
        with pytest.raises(NotFound):
            await pcgs.get_coin_facts_by_cert("25252728")
    assert len(recorded.requests) == 1


async def test_grade_not_found_and_invalid_cert_are_not_retried(engine, db_url):
    recorded = Recorded((200, "not_found_grade.json"), (200, "invalid_cert.json"), (200, "apr_invalid.json"))
    async with client(engine, db_url, recorded) as pcgs:
        with pytest.raises(NotFound):
            await pcgs.get_coin_facts_by_grade(98836, 66, False)
        with pytest.raises(InvalidInput, match="Invalid CertNo"):
            await pcgs.get_coin_facts_by_cert("00000000")
        with pytest.raises(InvalidInput):
            await pcgs.get_apr_by_grade(98836, 66, False, start_date=date(2024, 1, 31))
    assert len(recorded.requests) == 3
    assert "StartDate=01-31-2024" in recorded.requests[2].url.query.decode()
    assert [r["outcome"] for r in reversed(list_calls(engine))] == ["not_found", "invalid", "invalid"]


async def test_apr_and_images(engine, db_url):
    recorded = Recorded((200, "apr_by_grade.json"), (200, "images_empty.json"))
    async with client(engine, db_url, recorded) as pcgs:
        apr = await pcgs.get_apr_by_grade(3972, 65, False, number_of_records=2)
        images = await pcgs.get_images_by_cert("25252728")
    assert "NumberOfRecords=2" in recorded.requests[0].url.query.decode()
    assert recorded.requests[1].url.path == "/publicapi/coindetail/GetImagesByCertNo"
    assert recorded.requests[1].url.query == b"certNo=25252728"
    assert apr.year == 1934 and [a.price for a in apr.auctions] == [Decimal("105.00"), Decimal("145.00")]
    assert images.images == []


async def test_server_error_envelope_is_retried(engine, db_url):
    recorded = Recorded((200, "server_error.json"), (200, "by_grade_2986_ms65rd.json"))
    sleep = FakeSleep()
    async with client(engine, db_url, recorded, sleep=sleep) as pcgs:
        facts = await pcgs.get_coin_facts_by_grade(2986, 65, False)
    assert facts.pcgs_no == 2986 and len(recorded.requests) == 2 and len(sleep.waits) == 1


@pytest.mark.parametrize("status", [401, 500])
async def test_authorization_denied_bodies(engine, db_url, status):
    recorded = Recorded((status, "auth_denied.json"))
    async with client(engine, db_url, recorded) as pcgs:
        with pytest.raises(AuthenticationError):
            await pcgs.get_coin_facts_by_grade(2986, 65, False)
    assert len(recorded.requests) == 1


async def test_quota_exceeded_body_marks_the_day(engine, db_url):
    recorded = Recorded((429, "quota_exceeded.xml"))
    async with client(engine, db_url, recorded) as pcgs:
        with pytest.raises(QuotaExhausted):
            await pcgs.get_coin_facts_by_grade(2986, 65, False)
        with pytest.raises(QuotaExhausted):
            await pcgs.get_coin_facts_by_grade(2986, 66, False)
    assert len(recorded.requests) == 1
    assert QuotaLedger(engine).status()["exhausted"] is True
    assert list_calls(engine)[0]["outcome"] == "quota_exhausted"
