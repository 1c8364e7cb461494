"""The web page's browsing (issue 13, item 11) through an ASGI client, on SQLite and PostgreSQL.

The home page lists every series by tier with its coverage and a link to its series page; a
series page is its coins as a table, paged; the search page shows "More results" beyond one page
of hits; a server started with ``warm=True`` has loaded the search vocabulary before the first
search. (The same pages in a real browser: ``tests/browser/test_pages.py``.)
"""

from __future__ import annotations

import re
import warnings

import pytest
from api_support import load_sample
from sqlalchemy import func, select

from coinref.api.app import create_app
from coinref.api.pages import SEARCH_PAGE_SIZE, SERIES_PAGE_SIZE
from coinref.catalog.series import TIERS, all_series
from coinref.config import load_settings
from coinref.store.db import session_scope
from coinref.store.models import Coin, Series

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def client(db_url, engine):
    load_sample(engine)
    with TestClient(create_app(load_settings(database_url=db_url))) as test_client:
        yield test_client
    test_client.app.state.ctx.close()


def test_home_page_lists_every_series_by_tier_with_links(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert f"Browse the {len(all_series())} series" in html
    tiers = re.findall(r'data-tier="(P\d)"', html)
    assert tiers == list(TIERS)
    for series in all_series():
        assert f'href="/series/{series.slug}"' in html, series.slug
    # the series sit under their own tier, in order
    for tier in TIERS:
        block = html.split(f'data-tier="{tier}"')[1].split("data-tier=")[0]
        slugs = re.findall(r'data-series="([^"]+)"', block)
        assert slugs == [s.slug for s in all_series() if s.tier == tier]
    morgan = html.split('data-series="morgan-dollars"')[1].split("</li>")[0]
    assert "Morgan Dollars" in morgan and 'class="bar coins"' in morgan


def test_series_page_is_a_paged_table_of_its_coins(client, engine):
    with session_scope(engine) as session:
        stored = session.scalar(select(func.count(Coin.id)).join(Series).where(Series.slug == "morgan-dollars"))
    pages = -(-stored // SERIES_PAGE_SIZE)
    assert pages >= 2
    first = client.get("/series/morgan-dollars")
    assert first.status_code == 200
    assert f"Coins 1–{SERIES_PAGE_SIZE} of {stored}" in first.text and f"Page 1 of {pages}" in first.text
    assert first.text.count('<tr data-coin-id="') == SERIES_PAGE_SIZE
    assert 'href="/series/morgan-dollars?page=2"' in first.text and 'rel="prev"' not in first.text
    ids = set()
    for number in range(1, pages + 1):
        html = client.get("/series/morgan-dollars", params={"page": number}).text
        ids.update(re.findall(r'<tr data-coin-id="(\d+)"', html))
    assert len(ids) == stored
    last = client.get("/series/morgan-dollars", params={"page": pages}).text
    assert 'rel="next"' not in last and f'href="/series/morgan-dollars?page={pages - 1}"' in last
    beyond = client.get("/series/morgan-dollars", params={"page": pages + 1})
    assert beyond.status_code == 404 and beyond.headers["content-type"].startswith("text/html")
    assert f"has {pages} pages" in beyond.text
    unknown = client.get("/series/no-such-series")
    assert unknown.status_code == 404 and "no series" in unknown.text
    empty = client.get("/series/half-cents")
    assert empty.status_code == 200 and "No coins of this series stored yet" in empty.text


def test_search_page_offers_more_results_beyond_one_page(client):
    query = "morgan 1880"
    total = client.get("/api/coins/search", params={"q": query}).json()["total"]
    assert total > SEARCH_PAGE_SIZE
    html = client.get("/", params={"q": query}).text
    assert f"1–{SEARCH_PAGE_SIZE} of {total} results" in html
    more = re.search(r'<a id="more"[^>]*>', html).group(0)
    assert f'data-offset="{SEARCH_PAGE_SIZE}"' in more and "hidden" not in more
    second = client.get("/", params={"q": query, "offset": SEARCH_PAGE_SIZE}).text
    assert f"{SEARCH_PAGE_SIZE + 1}–" in second and f"of {total} results" in second
    few = client.get("/", params={"q": "1881-S morgan"}).text
    assert "hidden" in re.search(r'<a id="more"[^>]*>', few).group(0)


def test_a_warm_server_has_loaded_the_search_vocabulary_before_the_first_search(db_url, engine):
    from coinref.api import queries
    from coinref.search.vocabulary import vocabulary

    vocabulary.cache_clear()
    queries.catalog_counts.cache_clear()
    with TestClient(create_app(load_settings(database_url=db_url), warm=True)) as client:
        assert client.app.state.warmed.wait(timeout=120)
        loaded = vocabulary().__dict__
        assert {"catalog_tokens", "words", "_by_trigram"} <= set(loaded)
        assert queries.catalog_counts.cache_info().currsize == 1
    client.app.state.ctx.close()
    cold = create_app(load_settings(database_url=db_url))
    assert not cold.state.warmed.is_set()
    cold.state.ctx.close()
