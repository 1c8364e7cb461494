"""The ``pcgs-apr`` source: PCGS auction prices realized, stored as sales.

One work item per (coin with a PCGS number, tracked grade point) of the chosen series; the grade
points are the price refresh's (``pipeline/refresh/tracked_grades.toml``). Each item is one
``GetAPRByGrade`` call (up to 100 sales, newest first). Every sale becomes a :class:`SaleRecord`
linked to the coin through the PCGS number it was asked about; the pipeline validates it and
stores it once per (auction house, sale, lot), so running the source again stores only sales it
had not seen. The source's passes repeat: a run after a finished pass asks every point again,
which is how new sales arrive. "No data found" finishes the item with no sales; quota,
blocking and an open breaker propagate so the runner stops resumably.
"""

from __future__ import annotations

from sqlalchemy import select

from coinref.errors import NotFound
from coinref.pipeline.records import SaleRecord
from coinref.pipeline.refresh.tracked import default_tracked_grades
from coinref.pipeline.sources import ItemResult, Source
from coinref.pipeline.workqueue import WorkSpec
from coinref.store.db import session_scope
from coinref.store.models import Coin, Series

SALE_SOURCE = "pcgs-apr"


class PcgsAprSource(Source):
    name = "pcgs-apr"
    remote = True
    spends_quota = True
    repeatable_passes = True

    def __init__(self, ctx, run_id=None, *, client=None) -> None:
        self.ctx = ctx
        self.run_id = run_id
        self._client = client

    @property
    def client(self):
        if self._client is None:
            from coinref.sources.pcgs_api import PcgsClient

            self._client = PcgsClient(self.ctx.settings, self.ctx.engine, run_id=self.run_id)
        return self._client

    def plan(self, engine, series) -> list[WorkSpec]:
        order = {info.slug: index for index, info in enumerate(series)}
        tracked = default_tracked_grades()
        with session_scope(engine) as session:
            rows = session.execute(
                select(Coin.id, Coin.pcgs_number, Coin.strike, Coin.year, Coin.designation, Series.slug).join(Series)
                .where(Coin.pcgs_number.is_not(None), Series.slug.in_(list(order)))
                .order_by(Coin.id)
            ).all()
        specs = []
        for coin_id, number, strike, year, designation, slug in rows:
            for grade, plus in tracked.points_for(slug, strike, year):
                specs.append(WorkSpec(
                    key=f"apr:{coin_id}:{grade}{'+' if plus else ''}", priority=order[slug], series_slug=slug,
                    coin_id=coin_id,
                    payload={"pcgs_number": number, "grade": grade, "plus": plus, "designation": designation},
                ))
        return specs

    def calls_for(self, spec: WorkSpec) -> int:
        return 1

    async def fetch(self, item) -> ItemResult:
        payload = item.payload
        number, grade, plus = payload["pcgs_number"], payload["grade"], payload["plus"]
        try:
            answer = await self.client.get_apr_by_grade(number, grade, plus)
        except NotFound:
            return ItemResult(calls=1, stats={"pcgs-apr:not_found": 1})
        sales = [
            SaleRecord(
                source=SALE_SOURCE, coin_id=item.coin_id, pcgs_number=number, grade=grade, plus=plus,
                designation=payload.get("designation") or "", sold_on=sale.sold_on, date_text=sale.date_text or "",
                auction_house=sale.auctioneer or "", sale_name=sale.sale_name or "",
                lot=sale.lot_num_v2 or ("" if sale.lot_no is None else str(sale.lot_no)),
                cert_number=sale.cert_no or None, sale_price=sale.price, grading_service=sale.service or "",
                is_cac=sale.is_cac, raw=sale.model_dump(mode="json", by_alias=True),
            )
            for sale in answer.auctions
        ]
        return ItemResult(sales=sales, calls=1, stats={"pcgs-apr:found": 1, "pcgs-apr:sales_seen": len(sales)})

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        return None
