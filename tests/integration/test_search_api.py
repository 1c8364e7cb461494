"""``search_coins`` on the whole catalog: result shape, filters, PCGS numbers, the lookup counter."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from coinref.errors import InvalidInput
from coinref.search import flush_lookups, search_coins
from coinref.search.popularity import pending_lookups
from coinref.store.coins import EXPORT_FIELDS
from coinref.store.db import session_scope
from coinref.store.models import Coin, Watch


def _coin_id(engine, full_name: str) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(Coin.id).where(Coin.full_name == full_name))


def test_results_carry_the_export_fields_id_and_score(catalog_ro_engine):
    result = search_coins(catalog_ro_engine, "1881-S morgan MS65", limit=3, record=False)
    assert result.query == "1881-S morgan MS65"
    assert result.intent.year == 1881 and result.intent.mint == "S" and result.intent.grade.text == "MS65"
    assert len(result.results) == 3
    first = result.results[0]
    assert set(first) == set(EXPORT_FIELDS) | {"id", "score"}
    assert (first["series"], first["year"], first["mint_mark"], first["strike"], first["designation"]) == (
        "morgan-dollars", 1881, "S", "MS", "")
    assert first["full_name"] == "1881-S Morgan Dollar"
    scores = [c["score"] for c in result.results]
    assert scores == sorted(scores, reverse=True)
    assert result.as_dict()["intent"]["grade"]["number"] == 65


def test_limit_series_and_year_filters(catalog_ro_engine):
    assert len(search_coins(catalog_ro_engine, "morgan", limit=25, record=False).results) == 25
    assert search_coins(catalog_ro_engine, "morgan", limit=0, record=False).results == []
    only = search_coins(catalog_ro_engine, "1921", series="peace-dollars", record=False).results
    assert only and {c["series"] for c in only} == {"peace-dollars"}
    by_year = search_coins(catalog_ro_engine, "walker", year=1938, record=False).results
    assert by_year and {c["year"] for c in by_year} == {1938}
    assert by_year[0]["mint_mark"] == "P"


def test_unknown_series_is_invalid_input(catalog_ro_engine):
    with pytest.raises(InvalidInput, match="no-such-series"):
        search_coins(catalog_ro_engine, "1881", series="no-such-series")


def test_words_alone_that_match_nothing_give_an_empty_list(catalog_ro_engine):
    assert search_coins(catalog_ro_engine, "xyzzy frobnicate", record=False).results == []
    assert search_coins(catalog_ro_engine, "", record=False).results == []


def test_pcgs_numbers_find_their_coin(catalog_engine):
    target = _coin_id(catalog_engine, "1881-S Morgan Dollar")
    other = _coin_id(catalog_engine, "1921 Peace Dollar")
    with session_scope(catalog_engine) as session:
        session.get(Coin, target).pcgs_number = 7170
        session.get(Coin, other).pcgs_number = 9123456
    for query in ("PCGS 7170", "7170", "pcgs #7170", "7170.65/12345678"):
        assert search_coins(catalog_engine, query, record=False).results[0]["id"] == target, query
    assert search_coins(catalog_engine, "9123456", record=False).results[0]["id"] == other
    assert search_coins(catalog_engine, "PCGS 4444", record=False).results == []


def test_lookups_are_counted_for_the_top_hit_in_batches(catalog_engine):
    target = _coin_id(catalog_engine, "1893-S Morgan Dollar")
    flush_lookups(catalog_engine)
    for _ in range(3):
        assert search_coins(catalog_engine, "1893-S morgan").results[0]["id"] == target
    search_coins(catalog_engine, "1893-S morgan", record=False)
    assert pending_lookups(catalog_engine) == {target: 3}  # nothing written per search
    with session_scope(catalog_engine) as session:
        assert session.get(Coin, target).lookup_count == 0
    assert flush_lookups(catalog_engine) == 1
    with session_scope(catalog_engine) as session:
        assert session.get(Coin, target).lookup_count == 3
    assert pending_lookups(catalog_engine) == {}


def test_lookups_and_the_watchlist_break_ties(catalog_engine):
    # 1921 Morgan and 1921 Peace dollars tie on "1921 silver dollar"
    morgan = _coin_id(catalog_engine, "1921 Morgan Dollar")
    peace = _coin_id(catalog_engine, "1921 Peace Dollar")
    first = search_coins(catalog_engine, "1921 silver dollar", record=False).results
    assert {first[0]["id"], first[1]["id"]} == {morgan, peace}
    assert first[0]["score"] == first[1]["score"]
    runner_up = first[1]["id"]
    with catalog_engine.begin() as conn:
        conn.execute(text("UPDATE coins SET lookup_count = 40 WHERE id = :id"), {"id": runner_up})
    assert search_coins(catalog_engine, "1921 silver dollar", record=False).results[0]["id"] == runner_up
    leader = runner_up
    trailer = morgan if leader == peace else peace
    with catalog_engine.begin() as conn:
        conn.execute(text("UPDATE coins SET lookup_count = 40 WHERE id = :id"), {"id": trailer})
    with session_scope(catalog_engine) as session:
        session.add(Watch(coin_id=trailer, note="in my album"))
    assert search_coins(catalog_engine, "1921 silver dollar", record=False).results[0]["id"] == trailer
