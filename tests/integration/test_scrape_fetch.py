"""The website fetcher: sessions, browser-like headers, challenge detection, refresh-once, breaker, retries.

httpx.MockTransport stands in for the site; the call log needs a database (SQLite is enough: the
fetcher's SQL is the call log's, tested on both backends elsewhere). No real sleeps: the retry
policy and the jitter get a recording sleep.
"""

from __future__ import annotations

import random

import httpx
import pytest
from sqlalchemy import select

from coinref.config import load_settings
from coinref.errors import Blocked, CircuitOpen, NotFound, RateLimited, TransientError
from coinref.remote.breaker import BreakerRegistry
from coinref.sources.website_fetch import Challenged, WebsiteFetcher
from coinref.store.db import session_scope
from coinref.store.models import ApiCall

CHALLENGE = "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>cf</body></html>"
PAGE = "<html><body><table class='table-main'></table></body></html>"
URL = "https://www.pcgs.test/prices/detail/morgan-dollars/1/grades-61-70"

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("backend", ["sqlite"])]


class Site:
    """A scripted site: answers in order (the last one repeats), records what it was sent."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def html(status: int, body: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, text=body, headers={"content-type": "text/html; charset=utf-8", **headers})


@pytest.fixture
def slept():
    return []


@pytest.fixture
def make(engine, slept):
    created = []

    def build(site: Site, **settings) -> WebsiteFetcher:
        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        values = {"website_pacing_ms": 0, "pcgs_max_retries": 3, "breaker_fail_max": 5} | settings
        fetcher = WebsiteFetcher(load_settings(**values), engine, transport=httpx.MockTransport(site), sleep=sleep,
                                 rng=random.Random(1), registry=BreakerRegistry())
        created.append(fetcher)
        return fetcher

    return build


def outcomes(engine) -> list[tuple[str, int | None]]:
    with session_scope(engine) as session:
        return [(r.outcome, r.status_code) for r in session.scalars(select(ApiCall).order_by(ApiCall.id))]


async def test_a_page_is_fetched_with_browser_like_headers(make, engine):
    site = Site(html(200, PAGE))
    fetcher = make(site)
    page = await fetcher.get(URL)
    assert page.body == PAGE and page.status == 200
    sent = site.requests[0].headers
    assert sent["user-agent"].startswith("Mozilla/5.0") and "coinref" in sent["user-agent"]
    assert sent["accept-language"] and "text/html" in sent["accept"]
    assert outcomes(engine) == [("success", 200)]
    await fetcher.aclose()


async def test_a_403_challenge_refreshes_the_session_once_then_blocks_and_opens_the_circuit(make, engine):
    site = Site(html(200, PAGE, **{"set-cookie": "visit=1; Path=/"}), html(403, CHALLENGE))
    fetcher = make(site)
    await fetcher.get(URL)  # a first page sets a cookie
    with pytest.raises(Challenged) as caught:
        await fetcher.get(URL)
    assert isinstance(caught.value, Blocked) and caught.value.exit_code == 7
    assert len(site.requests) == 3
    assert "visit=1" in site.requests[1].headers.get("cookie", "")  # the old session...
    assert "cookie" not in site.requests[2].headers  # ...and the fresh one
    assert fetcher.circuit_state(URL) == "open"
    with pytest.raises(CircuitOpen):
        await fetcher.get(URL)
    assert len(site.requests) == 3  # refused without being sent
    assert outcomes(engine) == [("success", 200), ("blocked", 403), ("blocked", 403)]


@pytest.mark.parametrize("answer", [html(503, "<html><body>busy</body></html>"), html(200, CHALLENGE),
                                    html(429, CHALLENGE), html(200, PAGE, **{"cf-mitigated": "challenge"})])
async def test_challenges_on_other_statuses_block_at_once(make, answer):
    site = Site(answer)
    fetcher = make(site)
    with pytest.raises(Challenged):
        await fetcher.get(URL)
    assert len(site.requests) == 1 and fetcher.circuit_state(URL) == "open"


async def test_a_plain_403_that_a_fresh_session_cures(make):
    site = Site(httpx.Response(403, text="denied"), html(200, PAGE))
    fetcher = make(site)
    assert (await fetcher.get(URL)).body == PAGE
    assert len(site.requests) == 2 and fetcher.circuit_state(URL) == "closed"


async def test_server_errors_are_retried_on_the_injected_clock(make, slept):
    site = Site(httpx.Response(500, text="oops"), httpx.Response(502, text="bad gateway"), html(200, PAGE))
    fetcher = make(site)
    assert (await fetcher.get(URL)).body == PAGE
    assert len(site.requests) == 3 and len(slept) == 2 and all(s >= 0 for s in slept)


async def test_five_failures_open_the_circuit(make):
    site = Site(httpx.ConnectError("refused"))
    fetcher = make(site, pcgs_max_retries=10)
    with pytest.raises(CircuitOpen):
        await fetcher.get(URL)
    assert len(site.requests) == 5


async def test_not_found_and_rate_limited(make):
    fetcher = make(Site(httpx.Response(404, text="no")))
    with pytest.raises(NotFound, match="grades-61-70"):
        await fetcher.get(URL)
    limited = make(Site(httpx.Response(429, text="slow down", headers={"Retry-After": "3600"})))
    with pytest.raises(RateLimited):
        await limited.get(URL)


async def test_json_answers(make):
    site = Site(httpx.Response(200, json=[{"specno": 1}]))
    fetcher = make(site)
    answer = await fetcher.get("https://cu.test/SpecSearch/Search/PCGS", params={"term": "1881 $1"}, want_json=True)
    assert answer.body == [{"specno": 1}]
    sent = site.requests[0]  # asked like a browser's XHR
    assert sent.url.params["term"] == "1881 $1" and sent.headers["x-requested-with"] == "XMLHttpRequest"
    assert "application/json" in sent.headers["accept"]
    broken = make(Site(httpx.Response(200, text="<html>not json</html>")), pcgs_max_retries=0)
    with pytest.raises(TransientError, match="not JSON"):
        await broken.get("https://cu.test/x", want_json=True)


async def test_pacing_adds_jitter_through_the_injected_sleep(make, slept):
    fetcher = make(Site(html(200, PAGE)), website_pacing_ms=1000)
    await fetcher.get(URL)  # the first request is not held back by the interval; the jitter still applies
    assert len(slept) == 1 and 0 <= slept[0] <= 0.5
