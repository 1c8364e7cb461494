"""Auction sales: one row per lot, whoever reported it and however often.

:func:`write_sale` is the one place a sale is written: ``INSERT ... ON CONFLICT DO NOTHING`` on
(auction house, sale name, lot), so asking the same source again, or another source reporting
the same lot, never stores a sale twice; it says whether the row is new. :func:`sales_for_coin`
reads a coin's sales for the CLI, the API and the chart.

All functions take an open session; the caller owns the transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from coinref.store.models import AuctionSale
from coinref.timeutil import utcnow

CENT = Decimal("0.01")


def write_sale(
    session: Session,
    *,
    coin_id: int,
    pcgs_number: int | None,
    grade: int,
    plus: bool,
    designation: str,
    sold_on: date,
    date_text: str,
    auction_house: str,
    sale_name: str,
    lot: str,
    cert_number: str | None,
    price: Decimal,
    grading_service: str,
    is_cac: bool | None,
    source: str,
) -> bool:
    """Store one sale unless its (house, sale, lot) is already stored; True when it is new."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    statement = insert(AuctionSale).values(
        coin_id=coin_id, pcgs_number=pcgs_number, grade=grade, plus=plus, designation=designation[:8],
        sold_on=sold_on, date_text=date_text[:30], auction_house=auction_house.strip()[:100],
        sale_name=sale_name.strip()[:200], lot=lot.strip()[:40], cert_number=(cert_number or None),
        price=Decimal(price).quantize(CENT), grading_service=grading_service[:10], is_cac=is_cac,
        source=source, fetched_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["auction_house", "sale_name", "lot"]).returning(AuctionSale.id)
    return session.execute(statement).first() is not None  # RETURNING yields no row on a conflict


def sales_for_coin(
    session: Session, coin_id: int, *, grade: int | None = None, plus: bool | None = None, since: date | None = None
) -> list[AuctionSale]:
    """A coin's sales by grade, then oldest first."""
    query = select(AuctionSale).where(AuctionSale.coin_id == coin_id)
    if grade is not None:
        query = query.where(AuctionSale.grade == grade)
    if plus is not None:
        query = query.where(AuctionSale.plus == plus)
    if since is not None:
        query = query.where(AuctionSale.sold_on >= since)
    return list(session.scalars(query.order_by(AuctionSale.grade, AuctionSale.plus, AuctionSale.sold_on,
                                               AuctionSale.id)))


def sale_dict(sale: AuctionSale) -> dict[str, object]:
    """The fields the CLI and the API show of a sale."""
    return {
        "grade": sale.grade, "plus": sale.plus, "designation": sale.designation, "sold_on": sale.sold_on,
        "date_text": sale.date_text, "auction_house": sale.auction_house, "sale_name": sale.sale_name,
        "lot": sale.lot, "cert_number": sale.cert_number, "price": sale.price,
        "grading_service": sale.grading_service, "is_cac": sale.is_cac, "source": sale.source,
    }
