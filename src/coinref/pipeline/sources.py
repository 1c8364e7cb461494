"""The one interface every source implements, and the registry the runner looks sources up in.

A source plans work items (one per series, coin, grade point or page) and, for one item, returns
the coin records, price observations and auction sales it found and how many remote calls it spent. It never touches the
database itself beyond reading what it was asked to plan; the pipeline validates and writes.
New sources (the website scraper, the spec search) register a factory with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING

from coinref.errors import InvalidInput
from coinref.pipeline.records import CoinRecord, PriceRecord, SaleRecord
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
    sales: list[SaleRecord] = field(default_factory=list)
    calls: int = 0
    stats: dict[str, int] = field(default_factory=dict)  # e.g. which selector matched
    # records the source quarantined itself (the spec search's coins for review): counted in the
    # report as records and as quarantined, like the pipeline's own
    quarantined: int = 0


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

    def empty_plan_hint(self, engine: Engine, series: list[SeriesInfo]) -> str | None:
        """Why the plan for these series is empty and what to do next (None: nothing to say).

        The base answer covers every source that works on stored coins: the series hold none yet.
        """
        if series_coin_count(engine, series):
            return None
        return "nothing to do: the chosen series hold no coins yet; load the catalog first: coinref populate"

    def check_config(self) -> None:
        """Raise ConfigError (exit 10) when a setting the source needs is missing; before any work.

        A source that spends the PCGS API quota needs a token (``PCGS_API_TOKEN``).
        """
        if self.spends_quota:
            from coinref.sources.pcgs_api import token_provider

            token_provider(self.ctx.settings)  # ConfigError with how to get a token when none is set

    def calls_for(self, spec: WorkSpec) -> int:
        """Remote calls one item costs at most (for dry-run forecasts)."""
        return 0

    async def fetch(self, item: WorkItem) -> ItemResult:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


def series_coin_count(engine: Engine, series: list[SeriesInfo], *, numbered: bool = False) -> int:
    """Coins stored in these series (only those with a PCGS number when ``numbered``)."""
    from sqlalchemy import func, select

    from coinref.store.db import session_scope
    from coinref.store.models import Coin, Series

    query = select(func.count(Coin.id)).join(Series).where(Series.slug.in_([s.slug for s in series]))
    if numbered:
        query = query.where(Coin.pcgs_number.is_not(None))
    with session_scope(engine) as session:
        return session.scalar(query) or 0


SourceFactory = Callable[["AppContext", "int | None"], Source]
_REGISTRY: dict[str, str | SourceFactory] = {
    "builtin": "coinref.sources.builtin:BuiltinSource",
    "pcgs-api": "coinref.sources.pcgs_enrich:PcgsApiSource",
    "coinfacts": "coinref.sources.website:CoinFactsSource",
    "specsearch": "coinref.sources.specsearch:SpecSearchSource",
    "pcgs-apr": "coinref.sources.pcgs_apr:PcgsAprSource",
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
