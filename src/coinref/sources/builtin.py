"""The ``builtin`` source: the catalog shipped with coinref, one work item per series, no network."""

from __future__ import annotations

from coinref.catalog.builtin import load_catalog
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
        coins = [CoinRecord.from_catalog(c) for c in load_catalog([item.series_slug])]
        return ItemResult(coins=coins)
