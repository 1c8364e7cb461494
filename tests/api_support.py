"""A small priced catalog for the HTTP API and browser tests (not a test module).

:func:`load_sample` writes part of the built-in catalog (a few years of Morgan dollars, wheat
cents and silver eagles), gives some coins PCGS numbers and writes a price history for them with
``upsert_price``, and hand-written auction sales of the 1909-S VDB with ``write_sale``, the same
functions the pipeline uses. Everything is deterministic; none of it is real market data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine, select

from coinref.catalog.builtin import load_catalog
from coinref.store.coins import upsert_catalog_coins
from coinref.store.db import session_scope
from coinref.store.models import Coin, Series
from coinref.store.prices import upsert_price
from coinref.store.sales import write_sale

SAMPLE_YEARS = {"morgan-dollars": range(1878, 1886), "lincoln-cents-wheat-reverse": range(1909, 1912),
                "silver-eagles": range(2020, 2022)}
LAST_DAY = date(2025, 3, 31)
HISTORY_DAYS = (LAST_DAY - timedelta(days=60), LAST_DAY - timedelta(days=30), LAST_DAY)


@dataclass(frozen=True, eq=False)
class SampleCoin:
    series: str
    year: int
    mint_mark: str
    strike: str
    variety: str
    designation: str
    pcgs_number: int
    # grade -> price on the last day; earlier days are 10% and 5% cheaper
    prices: dict[tuple[int, bool], Decimal]


MORGAN_1881_S = SampleCoin("morgan-dollars", 1881, "S", "MS", "", "", 7126, {
    (63, False): Decimal("95.00"), (64, False): Decimal("120.00"), (64, True): Decimal("150.00"),
    (65, False): Decimal("210.00"),
})
VDB_1909_S = SampleCoin("lincoln-cents-wheat-reverse", 1909, "S", "MS", "VDB", "", 2426, {
    (12, False): Decimal("1100.00"), (40, False): Decimal("1500.00"), (63, False): Decimal("2600.50"),
})
EAGLE_2021_T2 = SampleCoin("silver-eagles", 2021, "P", "MS", "Type 2", "", 519763, {
    (69, False): Decimal("48.00"), (70, False): Decimal("125.00"),
})
MORGAN_1884_CC = SampleCoin("morgan-dollars", 1884, "CC", "MS", "", "", 7152, {})  # numbered, never priced
SAMPLE_COINS = (MORGAN_1881_S, VDB_1909_S, EAGLE_2021_T2, MORGAN_1884_CC)
# hand-written sales of the 1909-S VDB: (grade, day, price, house, lot)
VDB_SALES = (
    (63, date(2024, 11, 14), Decimal("2450.00"), "Sample House", "101"),
    (63, date(2025, 1, 9), Decimal("2700.00"), "Sample House", "202"),
    (63, date(2025, 3, 6), Decimal("2550.00"), "Other House", "7"),
    (40, date(2025, 2, 20), Decimal("1380.00"), "Other House", "55"),
)


def sample_catalog():
    return [c for c in load_catalog(list(SAMPLE_YEARS)) if c.year in SAMPLE_YEARS[c.series]]


def coin_id(engine: Engine, sample: SampleCoin) -> int:
    with session_scope(engine) as session:
        return session.scalar(
            select(Coin.id).join(Series).where(
                Series.slug == sample.series, Coin.year == sample.year, Coin.mint_mark == sample.mint_mark,
                Coin.strike == sample.strike, Coin.variety == sample.variety, Coin.designation == sample.designation,
            )
        )


def load_sample(engine: Engine) -> dict[SampleCoin, int]:
    """Write the sample catalog and prices; return the database id of each sample coin."""
    upsert_catalog_coins(engine, sample_catalog())
    ids = {sample: coin_id(engine, sample) for sample in SAMPLE_COINS}
    with session_scope(engine) as session:
        for sample, cid in ids.items():
            session.get(Coin, cid).pcgs_number = sample.pcgs_number
            for (grade, plus), last_price in sample.prices.items():
                for day, factor in zip(HISTORY_DAYS, (Decimal("0.90"), Decimal("0.95"), Decimal("1")), strict=True):
                    upsert_price(session, coin_id=cid, grade=grade, plus=plus, source="pcgs-api",
                                 price=(last_price * factor).quantize(Decimal("0.01")), observed_on=day,
                                 population=grade * 10)
        for grade, day, price, house, lot in VDB_SALES:
            write_sale(session, coin_id=ids[VDB_1909_S], pcgs_number=VDB_1909_S.pcgs_number, grade=grade,
                       plus=False, designation="", sold_on=day, date_text=day.strftime("%m-%d-%Y"),
                       auction_house=house, sale_name=f"{house} {day:%B %Y} sale", lot=lot, cert_number=None,
                       price=price, grading_service="PCGS", is_cac=None, source="pcgs-apr")
    return ids


# hand-written holdings: (sample coin, grade, plus, quantity, cost)
SAMPLE_HOLDINGS = (
    (MORGAN_1881_S, 65, False, 2, Decimal("380.00")),
    (VDB_1909_S, 20, False, 1, Decimal("1200.00")),  # between the priced F12 and XF40: interpolated
    (VDB_1909_S, 63, False, 1, None),
    (EAGLE_2021_T2, 69, False, 10, Decimal("450.00")),
    (MORGAN_1884_CC, 64, False, 1, None),  # no price, no sale: melt at most
)
SAMPLE_SPOTS = ((date(2025, 1, 15), Decimal("24.50")), (date(2025, 3, 1), Decimal("31.20")))


def load_holdings(engine: Engine, ids: dict[SampleCoin, int]) -> None:
    """Write the hand-written holdings and silver spot prices (after :func:`load_sample`)."""
    from coinref.pipeline.holdings import write_holding
    from coinref.store.spot import set_spot

    with session_scope(engine) as session:
        for sample, grade, plus, quantity, cost in SAMPLE_HOLDINGS:
            write_holding(session, {"coin_id": ids[sample], "grade": grade, "plus": plus, "quantity": quantity,
                                    "cost": cost, "purchased_on": None, "cert_number": None, "note": ""})
        for day, price in SAMPLE_SPOTS:
            set_spot(session, "silver", day, price)
