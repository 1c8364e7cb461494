"""Writing validated records inside the run's transaction; the one place outcomes are decided.

A coin record becomes ``created``, ``updated`` or ``unchanged``; a record that cannot be placed
(no single matching coin, a PCGS number already on another coin) raises :class:`Rejected` with the
reason, and the runner quarantines it. A remote source fills only fields the coin lacks (a mintage
the catalog states as unknown is not lacking). Prices are upserted per (coin, grade, plus, source, day);
sales are stored once per (auction house, sale, lot): ``new`` or ``known``.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from coinref.pipeline.matching import MatchProblem, match_coin
from coinref.pipeline.records import CoinRecord, PriceRecord, SaleRecord
from coinref.sources.pcgs_numbers import attach, provenance_of
from coinref.store.coins import upsert_catalog_coin
from coinref.store.models import Coin
from coinref.timeutil import utcnow

FILL_IF_EMPTY = ("ngc_number", "mintage", "weight_g", "fineness", "metal_oz", "metal")


class Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RecordWriter:
    def __init__(self, session: Session, series_ids: dict[str, int], existing: dict | None = None) -> None:
        self.session = session
        self.series_ids = series_ids
        self.existing = existing

    def write_coin(self, record: CoinRecord) -> str:
        if record.source == "builtin":
            return upsert_catalog_coin(self.session, self.series_ids, record.to_catalog(), self.existing,
                                       pcgs_number=record.pcgs_number)
        coin = self._locate(record)
        return self._merge(coin, record)

    def _locate(self, record: CoinRecord) -> Coin:
        if record.coin_id is not None:
            coin = self.session.get(Coin, record.coin_id)
            if coin is None:
                raise Rejected(f"coin {record.coin_id} no longer exists")
            return coin
        if record.year is None and record.pcgs_number is not None:  # a bare number: the coin holding it
            coin = self.session.scalar(select(Coin).where(Coin.pcgs_number == record.pcgs_number))
            if coin is not None:
                return coin
        try:
            return match_coin(self.session, record)
        except MatchProblem as exc:
            raise Rejected(exc.reason) from None

    def _merge(self, coin: Coin, record: CoinRecord) -> str:
        changed = False
        if record.pcgs_number is not None and coin.pcgs_number != record.pcgs_number:
            if coin.pcgs_number is not None:
                raise Rejected(f"{coin.full_name} already has PCGS number {coin.pcgs_number}, "
                               f"not {record.pcgs_number}")
            holder = self.session.scalar(select(Coin.full_name).where(Coin.pcgs_number == record.pcgs_number))
            if holder is not None:
                raise Rejected(f"PCGS number {record.pcgs_number} is already attached to {holder}")
            if coin.pcgs_state == "rejected" and f"#{record.pcgs_number} " in (coin.pcgs_note or ""):
                raise Rejected(f"PCGS number {record.pcgs_number} was rejected for {coin.full_name}: "
                               f"{coin.pcgs_note}")
            verified = utcnow().date() if provenance_of(record.source) == "api" else None
            attach(coin, record.pcgs_number, provenance_of(record.source), verified)
            changed = True
        for field in FILL_IF_EMPTY:
            value = getattr(record, field)
            if field == "mintage" and coin.mintage_unknown:  # the catalog's "none published" is not a gap
                continue
            if value is not None and getattr(coin, field) is None:
                setattr(coin, field, value)
                changed = True
        if record.facts:
            merged = {**(coin.facts or {}), **{k: v for k, v in record.facts.items() if v not in (None, "")}}
            if merged != (coin.facts or {}):
                coin.facts = merged
                changed = True
            if record.source.startswith("pcgs") and coin.enriched_at is None:
                coin.enriched_at = utcnow()
                changed = True
        self.session.flush()
        return "updated" if changed else "unchanged"

    def write_price(self, record: PriceRecord) -> str:
        coin_id = record.coin_id
        if coin_id is None:
            coin_id = self.session.scalar(select(Coin.id).where(Coin.pcgs_number == record.pcgs_number))
            if coin_id is None:
                raise Rejected(f"no coin has PCGS number {record.pcgs_number}")
        from coinref.store.prices import observation_day_problem, price_problem, upsert_price

        coin_year = self.session.scalar(select(Coin.year).where(Coin.id == coin_id))
        problem = price_problem(record.price) or observation_day_problem(record.observed_on, coin_year=coin_year)
        if problem:
            raise Rejected(problem)
        upsert_price(self.session, coin_id=coin_id, grade=record.grade, plus=record.plus,
                            source=record.source, price=Decimal(record.price), observed_on=record.observed_on,
                     population=record.population, pop_higher=record.pop_higher)
        return "written"

    def write_sale(self, record: SaleRecord) -> str:
        """Store a validated sale through its coin (by id, else by PCGS number): ``new`` or ``known``."""
        coin_id = record.coin_id
        if coin_id is None:
            coin_id = self.session.scalar(select(Coin.id).where(Coin.pcgs_number == record.pcgs_number))
            if coin_id is None:
                raise Rejected(f"no coin has PCGS number {record.pcgs_number}")
        from coinref.store.sales import write_sale

        assert record.sold_on is not None and record.sale_price is not None  # validated
        new = write_sale(
            self.session, coin_id=coin_id, pcgs_number=record.pcgs_number, grade=record.grade, plus=record.plus,
            designation=record.designation, sold_on=record.sold_on, date_text=record.date_text,
            auction_house=record.auction_house, sale_name=record.sale_name, lot=record.lot,
            cert_number=record.cert_number, price=record.sale_price, grading_service=record.grading_service,
            is_cac=record.is_cac, source=record.source,
        )
        return "new" if new else "known"
