"""Search quality on the whole built-in catalog, on both backends: hit@1 and MRR@10.

``search-queries.tsv`` is the shared development set; ``search-queries-extra.tsv`` holds more
queries of the same kinds (nicknames, two-digit years, overdates, designations, typos, grades)
written for this test. Both must put the expected coin first for at least 95% of the queries.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coinref.search import search_coins
from coinref.search.quality import evaluate, load_expectations

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize("name", ["search-queries.tsv", "search-queries-extra.tsv"])
def test_query_set_finds_the_expected_coin_first(catalog_ro_engine, name):
    expectations = load_expectations(FIXTURES / name)
    assert len(expectations) >= 40
    quality = evaluate(lambda q: search_coins(catalog_ro_engine, q, record=False).results, expectations)
    detail = "\n".join(f"  {query!r} -> {top}" for query, top in quality.misses)
    print(f"{name} on {catalog_ro_engine.dialect.name}: hit@1 {quality.hit_at_1:.3f}, MRR@10 {quality.mrr_at_10:.3f}")
    assert quality.hit_at_1 >= 0.95, f"hit@1 {quality.hit_at_1:.3f}, MRR@10 {quality.mrr_at_10:.3f}; misses:\n{detail}"
    assert quality.mrr_at_10 >= quality.hit_at_1

