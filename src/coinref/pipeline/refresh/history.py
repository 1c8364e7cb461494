"""A coin's price history: every observation kept, from every source, oldest first per grade.

The history is the ``price_observations`` table itself (one row per coin, grade, plus, source and
day), with the coin's auction sales beside it (``auction_sales``, one row per lot);
:func:`price_history` only selects and shapes them. The CLI's ``coinref prices`` prints it and
the HTTP API charts it from the same function.
"""

from __future__ import annotations

from datetime import UTC, date

from sqlalchemy import Engine, select

from coinref.catalog.grades import grade_label
from coinref.errors import InvalidInput, NotFound
from coinref.store.db import session_scope
from coinref.store.models import Coin, PriceObservation
from coinref.store.repo import ensure_ready
from coinref.store.sales import sale_dict, sales_for_coin


def parse_pcgs_number(text: str | int) -> int:
    """``2986``, ``"2986"`` or ``"#2986"`` -> 2986; InvalidInput otherwise."""
    raw = str(text).strip().lstrip("#").strip()
    if not raw.isdigit() or int(raw) <= 0:
        raise InvalidInput(f"not a PCGS number: {text!r} (expected a positive whole number such as 2986)")
    return int(raw)


def price_history(
    engine: Engine,
    pcgs_number: int,
    *,
    grade: int | None = None,
    plus: bool | None = None,
    since: date | None = None,
    source: str | None = None,
) -> dict[str, object]:
    """The coin with PCGS number ``pcgs_number`` and its observations (NotFound when no coin has it).

    ``grade``/``plus`` keep one grade (``plus=None`` keeps both the plain and the plus grade),
    ``since`` keeps observations from that day on, ``source`` one price source.
    """
    ensure_ready(engine)
    with session_scope(engine, read_only=True) as session:
        coin = session.scalars(select(Coin).where(Coin.pcgs_number == pcgs_number)).first()
        if coin is None:
            raise NotFound(f"no coin has PCGS number {pcgs_number}", pcgs_number=pcgs_number)
        query = select(PriceObservation).where(PriceObservation.coin_id == coin.id)
        if grade is not None:
            query = query.where(PriceObservation.grade == grade)
        if plus is not None:
            query = query.where(PriceObservation.plus == plus)
        if since is not None:
            query = query.where(PriceObservation.observed_on >= since)
        if source:
            query = query.where(PriceObservation.source == source)
        query = query.order_by(PriceObservation.grade, PriceObservation.plus, PriceObservation.observed_on,
                               PriceObservation.source)
        rows = session.scalars(query).all()
        sales = [] if source and source != "pcgs-apr" else [
            sale_dict(sale) for sale in sales_for_coin(session, coin.id, grade=grade, plus=plus, since=since)]
        coin_view = {
            "coin_id": coin.id,
            "pcgs_number": coin.pcgs_number,
            "name": coin.full_name,
            "short_name": coin.short_name,
            "strike": coin.strike,
        }
    observations = [
        {
            "grade": row.grade,
            "plus": row.plus,
            "grade_label": f"{grade_label(row.grade, coin_view['strike'])}{row.grade}{'+' if row.plus else ''}",
            "observed_on": row.observed_on,
            "price": row.price,
            "currency": row.currency,
            "source": row.source,
            "population": row.population,
            "pop_higher": row.pop_higher,
        }
        for row in rows
    ]
    for sale in sales:
        plus_mark = "+" if sale["plus"] else ""
        sale["grade_label"] = f"{grade_label(sale['grade'], coin_view['strike'])}{sale['grade']}{plus_mark}"
    return {
        "coin": coin_view,
        "filters": {"grade": grade, "plus": plus, "since": since, "source": source},
        "count": len(observations),
        "observations": observations,
        "sales_count": len(sales),
        "sales": sales,
    }


def todays_misses(engine: Engine, coin_id: int, tz) -> list[dict[str, object]]:
    """The PCGS API points of a coin that answered "no data" or "no price" this quota day: a
    lookup of one of them answers from that stored miss and sends no call until the next day."""
    from coinref.sources.pcgs_enrich import PRICE_SOURCE
    from coinref.store.models import PricePointMiss
    from coinref.timeutil import quota_day

    today = quota_day(None, tz)
    with session_scope(engine) as session:
        rows = session.scalars(select(PricePointMiss).where(PricePointMiss.coin_id == coin_id,
                                                            PricePointMiss.source == PRICE_SOURCE)).all()
        return [{"grade": row.grade, "plus": row.plus, "reason": row.reason} for row in rows
                if quota_day(row.seen_at if row.seen_at.tzinfo else row.seen_at.replace(tzinfo=UTC), tz) == today]
