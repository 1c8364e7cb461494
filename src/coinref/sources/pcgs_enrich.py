"""The ``pcgs-api`` population source: facts and a first price for every coin with a PCGS number.

One work item per coin that has a PCGS number and has not been enriched yet; one
``GetCoinFactsByGrade`` call at the series' reference grade (catalog/reference_grades.py) per item.
The answer becomes a coin record (facts: designer, edge, diameter, PCGS's name, series and
category; mintage and metal facts fill only what the catalog left empty, and PCGS's mintage is
also kept as the fact ``pcgs_mintage`` for ``coinref validate`` to compare) and, when PCGS has a
price, a price observation with population and pop-higher. "No data found" is remembered as a
miss and the item is done (never retried); quota exhaustion, blocking and an open breaker
propagate so the runner stops resumably. The first answer for a number that is not verified yet
is checked against the coin first (``sources/pcgs_numbers.py``): a number PCGS gives to another
coin is detached and quarantined, and nothing from the answer is stored.
"""

from __future__ import annotations

from sqlalchemy import select

from coinref.catalog.reference_grades import overrides, reference_grade
from coinref.errors import NotFound
from coinref.pipeline.records import CoinRecord, PriceRecord
from coinref.pipeline.sources import ItemResult, Source, series_coin_count
from coinref.pipeline.workqueue import WorkSpec
from coinref.sources.pcgs_identity import identity_of
from coinref.sources.pcgs_numbers import check_answer
from coinref.store.db import session_scope
from coinref.store.models import Coin, Series
from coinref.timeutil import quota_day

PRICE_SOURCE = "pcgs-api"
FACT_FIELDS = ("designer", "edge", "diameter", "mint_location", "metal_content", "series_name", "category",
               "coin_facts_link", "major_variety", "minor_variety", "die_variety", "country")


class PcgsApiSource(Source):
    name = "pcgs-api"
    remote = True
    spends_quota = True

    def __init__(self, ctx, run_id=None, *, client=None) -> None:
        self.ctx = ctx
        self.run_id = run_id
        self._client = client
        self._custom = overrides(ctx.settings)

    @property
    def client(self):
        if self._client is None:
            from coinref.sources.pcgs_api import PcgsClient

            self._client = PcgsClient(self.ctx.settings, self.ctx.engine, run_id=self.run_id)
        return self._client

    def plan(self, engine, series) -> list[WorkSpec]:
        order = {info.slug: index for index, info in enumerate(series)}
        with session_scope(engine) as session:
            rows = session.execute(
                select(Coin.id, Coin.pcgs_number, Coin.strike, Coin.year, Series.slug).join(Series)
                .where(Coin.pcgs_number.is_not(None), Coin.enriched_at.is_(None), Series.slug.in_(list(order)))
                .order_by(Coin.id)
            ).all()
        return [
            WorkSpec(key=f"coin:{coin_id}", priority=order[slug], series_slug=slug, coin_id=coin_id,
                     payload={"pcgs_number": number, "grade": reference_grade(slug, strike, year, self._custom)})
            for coin_id, number, strike, year, slug in rows
        ]

    def empty_plan_hint(self, engine, series) -> str | None:
        from coinref.pipeline.report import ATTACH_NUMBERS

        hint = super().empty_plan_hint(engine, series)
        if hint:
            return hint
        numbered = series_coin_count(engine, series, numbered=True)
        if not numbered:
            return f"nothing to enrich: no coin of the chosen series has a PCGS number; {ATTACH_NUMBERS}"
        return (f"nothing to enrich: all {numbered} coins of the chosen series with a PCGS number are enriched "
                "already; keep their prices fresh: coinref refresh-prices")

    def calls_for(self, spec: WorkSpec) -> int:
        return 1

    async def fetch(self, item) -> ItemResult:
        number, grade = item.payload["pcgs_number"], item.payload["grade"]
        try:
            facts = await self.client.get_coin_facts_by_grade(number, grade, False)
        except NotFound:
            self._record_miss(item.coin_id, grade, "not_found")
            record = CoinRecord(source=self.name, coin_id=item.coin_id, facts={"pcgs_no_data_at_grade": grade})
            return ItemResult(coins=[record], calls=1, stats={"pcgs-api:not_found": 1})
        if not self._verified(item.coin_id, number, facts):
            return ItemResult(calls=1, stats={"pcgs-api:rejected": 1})
        dumped = facts.model_dump(mode="json")
        details = {name: dumped[name] for name in FACT_FIELDS if dumped.get(name) not in (None, "")}
        if facts.name:
            details["pcgs_name"] = facts.name
        if facts.mintage:  # kept even when the catalog has its own figure: `validate` compares the two
            details["pcgs_mintage"] = facts.mintage
        record = CoinRecord(source=self.name, coin_id=item.coin_id, facts=details, mintage=facts.mintage or None,
                            weight_g=facts.weight or None, raw=facts.model_dump(mode="json", by_alias=True))
        result = ItemResult(coins=[record], calls=1, stats={"pcgs-api:found": 1})
        if facts.priced:
            result.prices.append(PriceRecord(
                source=PRICE_SOURCE, coin_id=item.coin_id, grade=grade, plus=False, price=facts.price_guide_value,
                observed_on=quota_day(None, self.ctx.settings.quota_tz), population=facts.population,
                pop_higher=facts.pop_higher,
            ))
        else:
            self._record_miss(item.coin_id, grade, "unpriced", facts)
            result.stats["pcgs-api:unpriced"] = 1
        return result

    def _verified(self, coin_id: int, number: int, facts) -> bool:
        """Check the answer against the coin first: a number PCGS gives to another coin is detached."""
        with session_scope(self.ctx.engine) as session:
            coin = session.get(Coin, coin_id)
            if coin is None:
                return False
            return check_answer(session, coin, number, identity_of(facts, number),
                                quota_day(None, self.ctx.settings.quota_tz), self.run_id)

    def _record_miss(self, coin_id: int, grade: int, reason: str, facts=None) -> None:
        from coinref.store.prices import record_miss

        with session_scope(self.ctx.engine) as session:
            record_miss(session, coin_id=coin_id, grade=grade, plus=False, source=PRICE_SOURCE, reason=reason,
                        observed_on=quota_day(None, self.ctx.settings.quota_tz) if facts else None,
                        population=facts.population if facts else None,
                        pop_higher=facts.pop_higher if facts else None)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
