"""Search quality on a labelled query set: hit@1 and MRR@10.

A query file is tab-separated with a header: ``query``, ``series``, ``year``, ``mint``,
``variety`` (a case-insensitive regular expression searched in the coin's variety; empty matches
any) and ``strike``; ``*`` in a column accepts any value. A result is relevant when every column
agrees. The quality test and ``bench/search_bench.py`` both use :func:`evaluate`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Expectation:
    query: str
    series: str
    year: str
    mint: str
    variety: str
    strike: str

    def matches(self, coin: dict[str, object]) -> bool:
        def same(wanted: str, actual: object) -> bool:
            return wanted in ("*", "") or str(actual) == wanted

        if not (same(self.series, coin.get("series")) and same(self.year, coin.get("year"))
                and same(self.mint, coin.get("mint_mark")) and same(self.strike, coin.get("strike"))):
            return False
        if self.variety in ("", "*"):
            return True
        return re.search(self.variety, str(coin.get("variety") or ""), re.IGNORECASE) is not None


@dataclass
class Quality:
    hit_at_1: float
    mrr_at_10: float
    total: int
    misses: list[tuple[str, list[str]]] = field(default_factory=list)  # query, top full names


def load_expectations(path: str | Path) -> list[Expectation]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return [Expectation(**{k: (row.get(k) or "").strip() for k in
                               ("query", "series", "year", "mint", "variety", "strike")}) for row in rows
                if (row.get("query") or "").strip()]


def evaluate(search: Callable[[str], list[dict[str, object]]], expectations: Iterable[Expectation]) -> Quality:
    """Run every query through ``search`` (query -> ranked coins) and score the rankings."""
    hits = 0
    reciprocal = 0.0
    misses = []
    items = list(expectations)
    for item in items:
        results = search(item.query)[:10]
        rank = next((i for i, coin in enumerate(results, 1) if item.matches(coin)), None)
        if rank == 1:
            hits += 1
        else:
            misses.append((item.query, [str(c.get("full_name")) for c in results[:3]]))
        if rank:
            reciprocal += 1 / rank
    total = len(items) or 1
    return Quality(hits / total, reciprocal / total, len(items), misses)
