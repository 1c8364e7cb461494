"""What the refresh knows about every tracked price point, read in a handful of batch queries.

A *point* is one (coin, grade, plus) of a coin with a PCGS number, for each grade the tracked
grades table gives the coin. :func:`load_points` reads, in five queries whatever the catalog size:

1. the coins with PCGS numbers, their series and tier, and ``coins.lookup_count``;
2. the catalog's size and lookups per tier, and the watchlist;
3. the latest observation day of every point (``max(observed_on)`` for the API price source);
4. the recent history (``HISTORY_DAYS``) of every point, for price level, volatility and drift;
5. the recorded misses (points the API had no data or no price for).

The result is plain data that the planner scores and the status report counts; nothing here
decides what to buy.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from coinref.catalog.metals import precious_metal
from coinref.pipeline.refresh.tracked import TrackedGrades, default_tracked_grades
from coinref.store.db import session_scope
from coinref.store.models import Coin, PriceObservation, PricePointMiss, Series, Watch

PRICE_SOURCE = "pcgs-api"  # the price_observations.source the refresh writes (same as sources.pcgs_api)
HISTORY_DAYS = 180  # how far back price level and volatility look
VOLATILITY_OBSERVATIONS = 6  # the last N observations of a point feed its volatility


@dataclass(slots=True)
class CoinDemand:
    """One coin with a PCGS number and the demand signals coinref has for it."""

    id: int
    pcgs_number: int
    name: str
    series: str
    tier: str
    strike: str
    year: int
    lookups: int
    watched: bool
    max_price: Decimal | None = None  # highest recent price of any of its points
    n_points: int = 0
    designation: str = ""
    precious_metal: str | None = None  # silver | gold | platinum | palladium (from Coin.metal)
    metal_oz: Decimal | None = None  # precious-metal content in troy ounces


@dataclass(slots=True)
class PointState:
    coin: CoinDemand
    grade: int
    plus: bool
    last_observed: date | None  # latest observation day (any time), None when never priced
    last_price: Decimal | None  # latest price within the history window
    volatility: float | None  # mean absolute log change between recent observations
    miss_reason: str | None = None
    miss_seen: datetime | None = None
    history: tuple[tuple[date, Decimal], ...] = ()  # (day, price) within the history window, oldest first

    @property
    def key(self) -> tuple[int, int, bool]:
        return (self.coin.id, self.grade, self.plus)

    def age_days(self, today: date) -> int | None:
        return None if self.last_observed is None else (today - self.last_observed).days

    @property
    def label(self) -> str:
        return f"{self.grade}{'+' if self.plus else ''}"


@dataclass
class PointSet:
    today: date
    coins: list[CoinDemand] = field(default_factory=list)
    points: list[PointState] = field(default_factory=list)
    total_lookups: int = 0  # over every coin of the catalog
    watched: int = 0  # watchlist entries
    coins_per_tier: dict[str, int] = field(default_factory=dict)  # every coin of the catalog, numbered or not


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes for aware columns; coinref writes them in UTC
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=ZoneInfo("UTC"))


def volatility(prices: list[Decimal]) -> float | None:
    """Mean absolute log change between consecutive prices (None below two prices)."""
    usable = [float(p) for p in prices if p and p > 0]
    if len(usable) < 2:
        return None
    changes = [abs(math.log(b / a)) for a, b in zip(usable, usable[1:], strict=False)]
    return sum(changes) / len(changes)


def load_points(
    engine: Engine,
    today: date,
    *,
    priority: str | None = None,
    tracked: TrackedGrades | None = None,
    source: str = PRICE_SOURCE,
) -> PointSet:
    """Every tracked point of every coin with a PCGS number (of one tier when ``priority``).

    Demand totals (lookups, coins per tier, watchlist size) are computed over every coin of the
    catalog, whatever ``priority`` says, so a point scores the same in a tier-limited run and a
    tier's share of interest is spread over all its coins, not only those numbered so far.
    """
    tracked = tracked or default_tracked_grades()
    wanted_tier = priority.upper() if priority and priority.lower() != "all" else None
    since = today - timedelta(days=HISTORY_DAYS)
    with session_scope(engine, read_only=True) as session:
        coin_rows = session.execute(
            select(
                Coin.id, Coin.pcgs_number, Coin.full_name, Series.slug, Series.tier, Coin.strike, Coin.year,
                Coin.lookup_count, Coin.metal, Coin.metal_oz, Coin.designation,
            )
            .join(Series, Series.id == Coin.series_id)
            .where(Coin.pcgs_number.is_not(None))
            .order_by(Coin.id)
        ).all()
        catalog = session.execute(
            select(Series.tier, func.count(Coin.id), func.coalesce(func.sum(Coin.lookup_count), 0))
            .join(Series, Series.id == Coin.series_id)
            .group_by(Series.tier)
        ).all()
        watched_ids = set(session.scalars(select(Watch.coin_id)))
        latest = session.execute(
            select(PriceObservation.coin_id, PriceObservation.grade, PriceObservation.plus,
                   func.max(PriceObservation.observed_on))
            .where(PriceObservation.source == source)
            .group_by(PriceObservation.coin_id, PriceObservation.grade, PriceObservation.plus)
        ).all()
        recent = session.execute(
            select(PriceObservation.coin_id, PriceObservation.grade, PriceObservation.plus, PriceObservation.price,
                   PriceObservation.observed_on)
            .where(PriceObservation.source == source, PriceObservation.observed_on >= since)
            .order_by(PriceObservation.coin_id, PriceObservation.grade, PriceObservation.plus,
                      PriceObservation.observed_on)
        ).all()
        misses = session.execute(
            select(PricePointMiss.coin_id, PricePointMiss.grade, PricePointMiss.plus, PricePointMiss.reason,
                   PricePointMiss.seen_at)
            .where(PricePointMiss.source == source)
        ).all()

    last_day = {(c, g, bool(p)): d for c, g, p, d in latest}
    history: dict[tuple[int, int, bool], list[tuple[date, Decimal]]] = defaultdict(list)
    for coin_id, grade, plus, price, day in recent:
        history[(coin_id, grade, bool(plus))].append((day, price))
    missed = {(c, g, bool(p)): (reason, _aware(seen)) for c, g, p, reason, seen in misses}

    result = PointSet(
        today=today,
        total_lookups=sum(int(total) for _tier, _count, total in catalog),
        watched=len(watched_ids),
        coins_per_tier={tier: count for tier, count, _total in catalog},
    )
    for coin_id, number, name, slug, tier, strike, year, lookups, metal, metal_oz, designation in coin_rows:
        watched = coin_id in watched_ids
        if wanted_tier and tier != wanted_tier:
            continue
        coin = CoinDemand(coin_id, number, name, slug, tier, strike, year, lookups or 0, watched,
                          designation=designation or "", precious_metal=precious_metal(metal), metal_oz=metal_oz)
        points = tracked.points_for(slug, strike, year)
        coin.n_points = len(points)
        prices_seen: list[Decimal] = []
        for grade, plus in points:
            key = (coin_id, grade, plus)
            dated = history.get(key, [])
            series_prices = [price for _day, price in dated]
            reason, seen = missed.get(key, (None, None))
            result.points.append(
                PointState(
                    coin=coin,
                    grade=grade,
                    plus=plus,
                    last_observed=last_day.get(key),
                    last_price=series_prices[-1] if series_prices else None,
                    volatility=volatility(series_prices[-VOLATILITY_OBSERVATIONS:]),
                    miss_reason=reason,
                    miss_seen=seen,
                    history=tuple(dated),
                )
            )
            if series_prices:
                prices_seen.append(series_prices[-1])
        coin.max_price = max(prices_seen) if prices_seen else None
        result.coins.append(coin)
    return result
