"""The ``builtin`` source: the catalog shipped with coinref, one work item per series, no network.

Records carry the PCGS numbers the fact files ship (catalog/pcgs_numbers.py): written as claims.
"""

from __future__ import annotations

from coinref.catalog.builtin import load_catalog
from coinref.catalog.pcgs_numbers import shipped_numbers
from coinref.pipeline.records import CoinRecord
from coinref.pipeline.sources import ItemResult, Source
from coinref.pipeline.workqueue import WorkSpec


class BuiltinSource(Source):
    name = "builtin"
    repeatable_passes = True

    def __init__(self, ctx=None, run_id=None) -> None:
        self.ctx = ctx

    def plan(self, engine, series) -> list[WorkSpec]:
        return [WorkSpec(key=f"series:{info.slug}", priority=index, series_slug=info.slug)
                for index, info in enumerate(series)]

    async def fetch(self, item) -> ItemResult:
        shipped = shipped_numbers()
        coins = [CoinRecord.from_catalog(c).model_copy(update={"pcgs_number": shipped.get(c.natural_key)})
                 for c in load_catalog([item.series_slug])]
        return ItemResult(coins=coins)
