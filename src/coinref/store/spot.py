"""Spot prices of the precious metals as observations: one row per (metal, day, source).

A spot price is what one troy ounce of the metal cost in US dollars on a day. Like guide prices
they are kept as history, so a value on any past day can be recomputed from what was known then:
:func:`spot_price` answers with the latest observation on or before the day asked about (from any
source; on a day with several sources, the one written last). :func:`set_spot` upserts one
observation. Used by the valuation and, through ``spot_price``, by anything else needing spot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from coinref.errors import InvalidInput
from coinref.store.models import SpotPrice
from coinref.timeutil import utcnow

METALS = ("silver", "gold", "platinum", "palladium")
CENT = Decimal("0.01")
MAX_SPOT = Decimal("1000000")


@dataclass(frozen=True)
class Spot:
    metal: str
    day: date
    price: Decimal
    source: str


def parse_metal(text: str) -> str:
    metal = (text or "").strip().lower()
    if metal not in METALS:
        raise InvalidInput(f"unknown metal {text!r}; one of {', '.join(METALS)}")
    return metal


def parse_spot(text: str | Decimal | float) -> Decimal:
    """A positive USD-per-ounce figure, rounded to cents; InvalidInput otherwise."""
    try:
        value = Decimal(str(text).strip().lstrip("$").replace(",", ""))
    except InvalidOperation:
        raise InvalidInput(f"spot price {text!r} is not a number") from None
    if not value.is_finite() or value <= 0 or value >= MAX_SPOT:
        raise InvalidInput(f"spot price {text!r} must be a positive number of US dollars per troy ounce")
    return value.quantize(CENT)


def set_spot(session: Session, metal: str, day: date, price: Decimal, source: str = "manual") -> None:
    """Insert or update the observation of (metal, day, source)."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    now = utcnow()
    statement = insert(SpotPrice).values(metal=metal, day=day, price=price, source=source[:40], fetched_at=now)
    session.execute(statement.on_conflict_do_update(
        index_elements=["metal", "day", "source"], set_={"price": price, "fetched_at": now}))


def spot_price(session: Session, metal: str, day: date) -> Spot | None:
    """The latest spot observation of ``metal`` on or before ``day``, or None."""
    row = session.scalars(
        select(SpotPrice).where(SpotPrice.metal == metal, SpotPrice.day <= day)
        .order_by(SpotPrice.day.desc(), SpotPrice.fetched_at.desc(), SpotPrice.id.desc()).limit(1)
    ).first()
    return None if row is None else Spot(row.metal, row.day, row.price, row.source)


def spots_on(session: Session, day: date) -> dict[str, Spot]:
    """Every metal's :func:`spot_price` on ``day`` (metals without one are left out)."""
    found = {metal: spot_price(session, metal, day) for metal in METALS}
    return {metal: spot for metal, spot in found.items() if spot is not None}


def spot_history(session: Session, metal: str | None = None) -> list[Spot]:
    query = select(SpotPrice).order_by(SpotPrice.metal, SpotPrice.day, SpotPrice.source)
    if metal:
        query = query.where(SpotPrice.metal == metal)
    return [Spot(r.metal, r.day, r.price, r.source) for r in session.scalars(query)]
