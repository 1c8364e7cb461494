"""The one interface every source implements, and the registry the runner looks sources up in.

A source plans work items (one per series, coin or page) and, for one item, returns the coin
records and price observations it found and how many remote calls it spent. It never touches the
database itself beyond reading what it was asked to plan; the pipeline validates and writes.
New sources (the website scraper, the spec search) register a factory with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING

from coinref.errors import InvalidInput
from coinref.pipeline.records import CoinRecord, PriceRecord
from coinref.pipeline.workqueue import WorkSpec

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from coinref.catalog.series import SeriesInfo
    from coinref.context import AppContext
    from coinref.store.models import WorkItem


@dataclass
class ItemResult:
    coins: list[CoinRecord] = field(default_factory=list)
    prices: list[PriceRecord] = field(default_factory=list)
    calls: int = 0
    stats: dict[str, int] = field(default_factory=dict)  # e.g. which selector matched


class Source:
    """Base class of sources.

    ``remote`` sources send requests: a dry run counts the requests they would send instead of
    fetching. ``spends_quota`` sources also spend the PCGS API quota.
    """

    name = "source"
    remote = False
    spends_quota = False
    # True: a run after a completed pass starts a new pass over every item (cheap, local sources);
    # False: completed items stay done and only newly planned items run (remote enrichment).
    repeatable_passes = False

    def plan(self, engine: Engine, series: list[SeriesInfo]) -> list[WorkSpec]:
        raise NotImplementedError

    def calls_for(self, spec: WorkSpec) -> int:
        """Remote calls one item costs at most (for dry-run forecasts)."""
        return 0

    async def fetch(self, item: WorkItem) -> ItemResult:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


SourceFactory = Callable[["AppContext", "int | None"], Source]
_REGISTRY: dict[str, str | SourceFactory] = {
    "builtin": "coinref.sources.builtin:BuiltinSource",
    "pcgs-api": "coinref.sources.pcgs_enrich:PcgsApiSource",
    "coinfacts": "coinref.sources.website:CoinFactsSource",
    "specsearch": "coinref.sources.specsearch:SpecSearchSource",
    "pcgs-discover": "coinref.pipeline.discover:DiscoverSource",
}


def register(name: str, factory: str | SourceFactory) -> None:
    _REGISTRY[name] = factory


def source_names() -> list[str]:
    return list(_REGISTRY)


def make_source(name: str, ctx: AppContext, run_id: int | None = None) -> Source:
    if name not in _REGISTRY:
        raise InvalidInput(f"unknown source {name!r}; one of {', '.join(_REGISTRY)}")
    factory = _REGISTRY[name]
    if isinstance(factory, str):
        module, attr = factory.split(":")
        try:
            factory = getattr(import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise InvalidInput(f"source {name!r} is not available in this build: {exc}") from None
    return factory(ctx, run_id)
