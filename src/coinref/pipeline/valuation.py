"""What a collection is worth on a day, from the observations known on that day.

For each holding (a coin at a grade, times its quantity) on the as-of day ``D``:

* **guide value**: the latest price observation of the coin at that grade observed on or before
  ``D`` (any source; several on that day: the one stored last). When the grade itself has
  none, it is interpolated between the nearest priced grades below and above of the same coin,
  geometrically (prices grow roughly exponentially with the grade) with a plus grade half a step
  above its grade, and flagged ``interpolated``; it is never extrapolated beyond the priced grades.
* **auction median**: the median price of the coin's sales at that grade in the 365 days up to
  ``D`` (``auction_sales``).
* **melt**: precious-metal ounces x the spot of that metal (``api/melt.py``), the spot being a
  given figure or the latest spot observation on or before ``D`` (``store/spot.py``).
* **value used**: the guide value, else the auction median, never below melt (melt alone when
  neither exists); a holding with none of the three has no value and is counted as unvalued.
* **as-of day** of the value used (the observation's day, the older of two when interpolated,
  the newest sale's day, or the spot's day) and a **confidence** ``high|medium|low`` from its age
  and the number of sales: an exact guide value is high within 30 days, medium within 180,
  low after; an interpolated one at most medium; an auction median is high with 5 or more sales
  the newest within 90 days, medium with 2 or more, low with one; melt alone is low.

Holdings bought after ``D`` (``purchased_on``) are left out; holdings without a purchase day count
on every day. Nothing observed after ``D`` is read, so the value of a past day can be recomputed
any time. The totals are sums of per-holding values (each rounded to cents) times quantities.
Queries are few and set-based, whatever the number of holdings: one statement over the distinct
held points whose correlated subqueries seek the latest price at the point and at the nearest
priced grades below and above it along the price index (so a long price history costs nothing
extra), one for the held points' sales in the window, four spot lookups.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from sqlalchemy import Engine, String, case, cast, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session

from coinref.api.melt import melt_value, precious_metal
from coinref.pipeline.holdings import point_text
from coinref.store.db import session_scope
from coinref.store.models import AuctionSale, Coin, Holding, PriceObservation
from coinref.store.repo import ensure_ready
from coinref.store.spot import METALS, spots_on
from coinref.timeutil import utcnow

CENT = Decimal("0.01")
SALES_WINDOW_DAYS = 365
RULE = "guide value, else the 12-month auction median, never below melt"


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def median(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return _cents(ordered[middle])
    return _cents((ordered[middle - 1] + ordered[middle]) / 2)


def _position(grade: int, plus: bool) -> float:
    return grade + (0.5 if plus else 0.0)


def guide_at(points: dict[tuple[int, bool], tuple[Decimal, date]], grade: int, plus: bool
             ) -> tuple[Decimal, date, bool] | None:
    """(value, day, interpolated) at the grade from a coin's latest price per grade, or None."""
    if (grade, plus) in points:
        price, day = points[(grade, plus)]
        return price, day, False
    target = _position(grade, plus)
    below = [(p, k) for k in points if (p := _position(*k)) < target]
    above = [(p, k) for k in points if (p := _position(*k)) > target]
    if not below or not above:
        return None
    low_pos, low_key = max(below)
    high_pos, high_key = min(above)
    (low, low_day), (high, high_day) = points[low_key], points[high_key]
    share = (target - low_pos) / (high_pos - low_pos)
    value = math.exp(math.log(float(low)) + share * (math.log(float(high)) - math.log(float(low))))
    return _cents(Decimal(str(value))), min(low_day, high_day), True


def _confidence(basis: str, age_days: int | None, sales: int) -> str:
    if basis == "guide":
        return "high" if age_days <= 30 else "medium" if age_days <= 180 else "low"
    if basis == "guide interpolated":
        return "medium" if age_days <= 180 else "low"
    if basis == "auction median":
        return "high" if sales >= 5 and age_days <= 90 else "medium" if sales >= 2 else "low"
    return "low"


def _held(as_of: date):
    return or_(Holding.purchased_on.is_(None), Holding.purchased_on <= as_of)


def _packed_latest(as_of: date, coin_id, grade, plus):
    """``'YYYY-MM-DD|price'`` of the latest observation at the point up to ``as_of`` (one index seek)."""
    o = PriceObservation
    return (select(cast(o.observed_on, String) + "|" + cast(o.price, String))
            .where(o.coin_id == coin_id, o.grade == grade, o.plus == plus, o.observed_on <= as_of)
            .order_by(o.observed_on.desc(), o.id.desc()).limit(1).scalar_subquery())


def _sql_position(grade, plus):
    """A point's place in grade order as one integer, ``grade * 2 + plus`` (SQL expression)."""
    return grade * 2 + case((plus, 1), else_=0)


def _neighbour(as_of: date, point, below: bool):
    """The :func:`_sql_position` of the nearest point below/above the held point priced up to ``as_of``."""
    o = PriceObservation
    here, there = tuple_(point.c.grade, point.c.plus), tuple_(o.grade, o.plus)
    order = (o.grade.desc(), o.plus.desc()) if below else (o.grade, o.plus)
    return (select(_sql_position(o.grade, o.plus)).where(o.coin_id == point.c.coin_id, o.observed_on <= as_of,
                                                      there < here if below else there > here)
            .order_by(*order).limit(1).scalar_subquery())


def _unpack(text: str | None) -> tuple[Decimal, date] | None:
    if text is None:
        return None
    day, price = text.split("|")
    return Decimal(price), date.fromisoformat(day[:10])


def _guide_points(session: Session, as_of: date) -> dict[tuple[int, int, bool], dict]:
    """Per held (coin, grade, plus): its latest price up to ``as_of`` or, when it has none, those of
    the nearest priced points below and above (a small ``{(grade, plus): (price, day)}`` map for
    :func:`guide_at`).

    One statement over the distinct held points whose correlated subqueries are index seeks along
    ``ix_prices_coin_grade``: one per point with a price, five per point without (its neighbours'
    positions, then their latest prices). The two CTEs are ``MATERIALIZED`` so each subquery runs
    once per point. The cost grows with the number of held points, not with the price history."""
    held = select(Holding.coin_id, Holding.grade, Holding.plus).where(_held(as_of)).distinct().subquery()
    exact = select(held.c.coin_id, held.c.grade, held.c.plus,
                   _packed_latest(as_of, held.c.coin_id, held.c.grade, held.c.plus).label("exact")
                   ).cte("held_exact").prefix_with("MATERIALIZED")
    bounds = select(
        exact.c.coin_id, exact.c.grade, exact.c.plus, exact.c.exact,
        case((exact.c.exact.is_(None), _neighbour(as_of, exact, True))).label("low"),
        case((exact.c.exact.is_(None), _neighbour(as_of, exact, False))).label("high"),
    ).cte("held_bounds").prefix_with("MATERIALIZED")

    def at(position):
        return case((position.is_not(None), _packed_latest(as_of, bounds.c.coin_id, position // 2,
                                                           (position % 2) == 1)))

    statement = select(bounds.c.coin_id, bounds.c.grade, bounds.c.plus, bounds.c.exact, bounds.c.low,
                       bounds.c.high, at(bounds.c.low), at(bounds.c.high))
    points: dict[tuple[int, int, bool], dict] = {}
    for coin_id, grade, plus, here, low_pos, high_pos, low, high in session.execute(statement):
        found = {}
        if here is not None:
            found[(grade, bool(plus))] = _unpack(here)
        if low is not None:
            found[(low_pos // 2, low_pos % 2 == 1)] = _unpack(low)
        if high is not None:
            found[(high_pos // 2, high_pos % 2 == 1)] = _unpack(high)
        points[(coin_id, grade, bool(plus))] = found
    return points


def _sales(session: Session, as_of: date) -> dict[tuple[int, int, bool], list[tuple[Decimal, date]]]:
    start = as_of - timedelta(days=SALES_WINDOW_DAYS)
    held_point = exists().where(Holding.coin_id == AuctionSale.coin_id, Holding.grade == AuctionSale.grade,
                                Holding.plus == AuctionSale.plus, _held(as_of))
    rows = session.execute(
        select(AuctionSale.coin_id, AuctionSale.grade, AuctionSale.plus, AuctionSale.price, AuctionSale.sold_on)
        .where(AuctionSale.sold_on > start, AuctionSale.sold_on <= as_of, held_point)
    ).all()
    sales: dict[tuple[int, int, bool], list[tuple[Decimal, date]]] = defaultdict(list)
    for coin_id, grade, plus, price, day in rows:
        sales[(coin_id, grade, plus)].append((price, day))
    return sales


@lru_cache(maxsize=4096)
def _precious_metal(metal: str | None) -> str | None:
    return precious_metal(metal)


@lru_cache(maxsize=4096)
def _melt(metal: str | None, metal_oz: Decimal | None, metal_name: str, spot: Decimal) -> Decimal | None:
    melt = melt_value(metal, metal_oz, {metal_name: spot})
    return melt["value"] if melt else None


def value_holding(*, grade: int, plus: bool, quantity: int, metal: str | None, metal_oz: Decimal | None,
                  points: dict, sales: list[tuple[Decimal, date]], spots: dict[str, tuple[Decimal, date]],
                  as_of: date) -> dict[str, object]:
    """One holding's figures by the module's rule (pure: every input is given)."""
    guide = guide_at(points, grade, plus)
    sale_median = median([price for price, _ in sales])
    metal_name = _precious_metal(metal)
    spot = spots.get(metal_name) if metal_name else None
    melt_each = _melt(metal, metal_oz, metal_name, spot[0]) if spot else None
    if guide is not None:
        used, day, basis = guide[0], guide[1], "guide interpolated" if guide[2] else "guide"
    elif sale_median is not None:
        used, day, basis = sale_median, max(d for _, d in sales), "auction median"
    else:
        used, day, basis = None, None, "none"
    if melt_each is not None and (used is None or melt_each > used):
        used, day, basis = melt_each, spot[1], "melt"
    age = (as_of - day).days if day is not None else None
    return {
        "guide_value": guide[0] if guide else None,
        "guide_day": guide[1] if guide else None,
        "interpolated": bool(guide and guide[2]),
        "auction_median": sale_median,
        "auction_sales": len(sales),
        "melt": melt_each,
        "value_each": used,
        "value": _cents(used * quantity) if used is not None else None,
        "basis": basis,
        "as_of": day,
        "age_days": age,
        "confidence": _confidence(basis, age, len(sales)) if used is not None else None,
    }


def valuation(engine: Engine, as_of: date | None = None, *, spots: dict[str, Decimal] | None = None,
              since: date | None = None) -> dict[str, object]:
    """The collection's value on ``as_of`` (default today, UTC), per holding and in total.

    ``spots`` (metal -> USD per oz) replace the stored spot of those metals on ``as_of``;
    ``since`` adds the total on that day (from stored observations only) and the change.
    """
    ensure_ready(engine)
    as_of = as_of or utcnow().date()
    with session_scope(engine) as session:
        result = _value(session, as_of, spots or {})
        if since is not None:
            before = _value(session, since, {})
            result["since"] = {"day": since, "total": before["total"], "change": result["total"] - before["total"],
                               "change_pct": (round(float((result["total"] - before["total"]) / before["total"] * 100),
                                                    2) if before["total"] else None)}
    return result


def _value(session: Session, as_of: date, given: dict[str, Decimal]) -> dict[str, object]:
    stored = spots_on(session, as_of)
    spots = {metal: (spot.price, spot.day) for metal, spot in stored.items()}
    for metal, price in given.items():
        spots[metal] = (Decimal(price), as_of)
    points = _guide_points(session, as_of)
    sales = _sales(session, as_of)
    rows = session.execute(
        select(Holding.id, Holding.coin_id, Holding.grade, Holding.plus, Holding.quantity, Holding.cost,
               Holding.cert_number, Coin.full_name, Coin.pcgs_number, Coin.strike, Coin.metal, Coin.metal_oz)
        .join(Coin, Coin.id == Holding.coin_id).where(_held(as_of)).order_by(Holding.id)
    ).all()
    holdings = []
    total = Decimal("0.00")
    unvalued = 0
    for hid, coin_id, grade, plus, quantity, cost, cert, name, number, strike, metal, metal_oz in rows:
        figures = value_holding(grade=grade, plus=plus, quantity=quantity, metal=metal, metal_oz=metal_oz,
                                points=points.get((coin_id, grade, plus), {}),
                                sales=sales.get((coin_id, grade, plus), []), spots=spots, as_of=as_of)
        if figures["value"] is None:
            unvalued += 1
        else:
            total += figures["value"]
        holdings.append({"id": hid, "coin_id": coin_id, "pcgs_number": number, "coin": name,
                         "grade": point_text(grade, plus, strike), "quantity": quantity, "cost": cost,
                         "cert": cert, **figures})
    cost = sum((h["cost"] for h in holdings if h["cost"] is not None), Decimal("0.00"))
    return {
        "as_of": as_of,
        "rule": RULE,
        "spots": {metal: {"price": spots[metal][0], "day": spots[metal][1]} for metal in METALS if metal in spots},
        "holdings": holdings,
        "count": len(holdings),
        "unvalued": unvalued,
        "total": total,
        "cost": cost,
    }


def value_series(engine: Engine, days: list[date]) -> list[dict[str, object]]:
    """The total on each day (stored observations only), for a chart of the value over time."""
    ensure_ready(engine)
    with session_scope(engine) as session:
        out = []
        for day in days:
            result = _value(session, day, {})
            out.append({"day": day, "total": result["total"], "count": result["count"],
                        "unvalued": result["unvalued"]})
        return out


def history_days(engine: Engine, as_of: date, points: int = 24) -> list[date]:
    """Evenly spaced days from the held coins' first price observation (at most two years back) to ``as_of``."""
    with session_scope(engine) as session:
        first = session.scalar(select(func.min(PriceObservation.observed_on)).where(
            PriceObservation.coin_id.in_(select(Holding.coin_id)), PriceObservation.observed_on <= as_of))
    start = max(first or as_of - timedelta(days=365), as_of - timedelta(days=730))
    span = (as_of - start).days
    count = max(1, min(points, span + 1))
    if count == 1:
        return [as_of]
    return sorted({start + timedelta(days=round(i * span / (count - 1))) for i in range(count)})
