"""Whatever is typed, search answers with coins or an empty list, never an error (both backends)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coinref.search import search_coins

FRAGMENTS = [
    '"', "'", "*", "-", "^", ":", "(", ")", "NEAR", "NEAR(", "AND", "OR", "NOT", "full_name:", "series_name:",
    "{full_name}", "+", "/", "\\", "%", "_", "$", "#", ";", "--", "/*", "*/", "DROP TABLE coins", "' OR 1=1 --",
    "<->", "&", "|", "!", ":*", "1909-S", "VDB", "morgan", "84-CC", "MS65", "PCGS", "7082", "9123456", "1/2", "$2.5",
    "\x00", "\ufffd", "é", "🪙", "١٨٨١", "\u202e", "\u0301", " ", "\t", "\n",
]

queries = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(" ".join),
    st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join),
)


def _check(engine, query: str) -> None:
    result = search_coins(engine, query, limit=5, record=False)
    assert isinstance(result.results, list)
    assert len(result.results) <= 5
    for coin in result.results:
        assert isinstance(coin["id"], int) and isinstance(coin["score"], float)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=queries)
def test_any_text_gives_results_or_nothing(catalog_ro_engine, query):
    _check(catalog_ro_engine, query)


@pytest.mark.parametrize("query", [
    "", " ", "x" * 10_000, "1909-S VDB " * 1000, "\x00" * 100, '"unterminated', "NEAR(morgan dollar, 2)",
    "morgan*", "-morgan", "morgan -dollar", "morgan AND OR NOT dollar", "(((1881", "full_name:morgan",
    "coins_fts MATCH 'x'", "'; DROP TABLE coins; --", "1881' OR '1'='1", "%_%", "1881:* & morgan",
    "𝟏𝟖𝟖𝟏-𝐒 𝐦𝐨𝐫𝐠𝐚𝐧", "１８８１-Ｓ morgan", "Mörgän dollär 1881-s", "🪙🪙🪙",
])
def test_hostile_and_odd_queries(catalog_ro_engine, query):
    _check(catalog_ro_engine, query)


def test_unicode_lookalikes_still_find_the_coin(catalog_ro_engine):
    for query in ("１８８１-Ｓ morgan", "Mörgän dollär 1881-s"):
        top = search_coins(catalog_ro_engine, query, record=False).results[0]
        assert (top["series"], top["year"], top["mint_mark"]) == ("morgan-dollars", 1881, "S"), query
