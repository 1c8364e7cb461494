"""The refresh planner: which price points to buy today with the quota that is left.

Every tracked point gets a score, ``demand x urgency``, and the day's batch is the highest scores
up to the budget (remaining quota minus the reserve). The whole policy is :class:`ScoringPolicy`;
docs/refresh.md explains it with examples.

**Demand** estimates the share of users' interest that falls on one point:

* a coin's share of all lookups and searches (``coins.lookup_count``), smoothed towards its tier's
  share (P0 40%, P1 30%, P2 20%, P3 10%, spread over the tier's coins) with
  ``prior_lookups_per_coin`` pseudo-lookups per coin; on a new install the tier decides, and
  the more people look coins up the more their lookups decide;
* plus a fixed share for the watchlist (``watch_share``, split over the watched coins): coins a
  user holds stay fresh even if nobody searches for them;
* in the freshness model only, times a price-level factor (up to +``price_weight`` for expensive
  coins, on a log scale) and a volatility factor per point (up to +``volatility_weight`` for
  prices that moved between observations);
* divided by the number of points tracked for the coin (a coin's interest spreads over its grades).

**Urgency, error model** (``model = "error"``, the default): the price error a call removes, the
expected relative error of the price shown now: ``never_priced_error`` times the learned chance of
a price for a never-priced point, else the point's learned drift rate times its age (see
:mod:`.drift`, which also uses spot observations to discount what a spot estimate predicts).
Points observed today score 0 and are never bought twice in a quota day.

**Urgency, freshness model** (``FRESHNESS_POLICY``, the planner before the error model, kept as a
baseline) comes from staleness, in days since the point's latest observation. A point is fresh
for ``fresh_days`` (7) days after the day it was observed; refreshing it earlier buys little, so
fresh points score almost nothing (``fresh_urgency``, rising with age: surplus quota still
refreshes the oldest of them). Stale points score 1, a little more the older they are; never-priced
points score highest (``never_priced``). Points observed today score 0 and are never bought twice
in a quota day. Points the API recently answered "no data" or "no price" for are skipped until
their retry period (``miss_retry_days``) has passed.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from coinref.pipeline.refresh.drift import answer_rates, drift_rates, expected_error
from coinref.pipeline.refresh.points import PointSet, PointState
from coinref.pipeline.refresh.spot_source import SpotSeries


@dataclass(frozen=True)
class ScoringPolicy:
    fresh_days: int = 7
    tier_share: MappingProxyType = field(
        default_factory=lambda: MappingProxyType({"P0": 0.4, "P1": 0.3, "P2": 0.2, "P3": 0.1})
    )
    prior_lookups_per_coin: float = 1.0
    watch_share: float = 0.25
    price_weight: float = 0.2
    price_floor_usd: float = 10.0  # at or below: no price bonus
    price_ceiling_usd: float = 100_000.0  # at or above: the full bonus
    volatility_weight: float = 0.2
    volatility_full: float = 0.10  # a 10% average move between observations earns the full bonus
    never_priced: float = 1.15
    stale_bonus: float = 0.1  # stale points gain up to +10% ...
    stale_bonus_days: int = 30  # ... over their first 30 stale days
    fresh_urgency: float = 0.01
    miss_retry_days: MappingProxyType = field(
        default_factory=lambda: MappingProxyType({"not_found": 60, "unpriced": 14, "invalid": 90})
    )
    # "error" (default): urgency is the expected price error a call removes (see .drift);
    # "freshness": urgency from staleness (the urgency() table above), the planner before #18
    model: str = "error"
    never_priced_error: float = 1.0  # showing no price counts as a 100% error ...
    answer_prior: float = 0.9  # ... times the chance PCGS has a price for the point (learned, see .drift)
    answer_prior_points: float = 5.0
    prior_drift_per_day: float = 0.001  # expected error per day of age before any history
    drift_prior_days: float = 14.0  # how many days of moves a level needs to outweigh its parent
    max_expected_error: float = 0.5

    def urgency(self, age_days: int | None) -> float:
        if age_days is None:
            return self.never_priced
        if age_days <= 0:
            return 0.0
        if age_days <= self.fresh_days:
            return self.fresh_urgency * (age_days / (self.fresh_days + 1)) ** 2
        stale_for = age_days - self.fresh_days - 1
        return 1.0 + self.stale_bonus * min(stale_for / self.stale_bonus_days, 1.0)

    def price_factor(self, price) -> float:
        if price is None or price <= 0 or self.model == "error":  # the error model weighs errors by demand only
            return 1.0
        span = math.log10(self.price_ceiling_usd / self.price_floor_usd)
        level = math.log10(max(float(price), self.price_floor_usd) / self.price_floor_usd) / span
        return 1.0 + self.price_weight * min(level, 1.0)

    def volatility_factor(self, vol: float | None) -> float:
        if vol is None or self.model == "error":  # the error model learns movement itself (.drift)
            return 1.0
        return 1.0 + self.volatility_weight * min(vol / self.volatility_full, 1.0)


DEFAULT_POLICY = ScoringPolicy()
FRESHNESS_POLICY = ScoringPolicy(model="freshness")


@dataclass(slots=True)
class ScoredPoint:
    point: PointState
    demand: float  # relative to the average point (1.0 = average)
    urgency: float
    score: float

    def as_dict(self, today) -> dict[str, object]:
        p = self.point
        return {
            "coin_id": p.coin.id,
            "pcgs_number": p.coin.pcgs_number,
            "name": p.coin.name,
            "tier": p.coin.tier,
            "grade": p.grade,
            "plus": p.plus,
            "age_days": p.age_days(today),
            "demand": round(self.demand, 4),
            "urgency": round(self.urgency, 4),
            "score": round(self.score, 6),
        }


@dataclass
class Plan:
    today: object
    batch: list[ScoredPoint]
    tracked_points: int
    eligible: int  # points with a positive score (not bought today, not waiting after a miss)
    observed_today: int
    waiting_after_miss: int
    budget: int

    @property
    def deferred(self) -> int:
        return self.eligible - len(self.batch)

    def summary(self) -> dict[str, object]:
        return {
            "tracked_points": self.tracked_points,
            "eligible": self.eligible,
            "observed_today": self.observed_today,
            "waiting_after_miss": self.waiting_after_miss,
            "budget": self.budget,
            "planned": len(self.batch),
            "deferred": self.deferred,
        }


def coin_shares(points: PointSet, policy: ScoringPolicy = DEFAULT_POLICY) -> dict[int, float]:
    """Each coin's estimated share of demand (lookups smoothed by tier, plus the watchlist share)."""
    n_coins = sum(points.coins_per_tier.values())
    if not n_coins:
        return {}
    tiers_present = {t: policy.tier_share.get(t, 0.0) for t in points.coins_per_tier}
    tier_total = sum(tiers_present.values()) or 1.0
    pseudo = policy.prior_lookups_per_coin * n_coins
    denominator = points.total_lookups + pseudo
    shares = {}
    for coin in points.coins:
        prior = tiers_present.get(coin.tier, 0.0) / tier_total / points.coins_per_tier[coin.tier]
        share = (coin.lookups + pseudo * prior) / denominator
        if coin.watched and points.watched:
            share += policy.watch_share / points.watched
        shares[coin.id] = share
    return shares


def miss_blocks(point: PointState, now: datetime, policy: ScoringPolicy) -> bool:
    if point.miss_reason is None or point.miss_seen is None:
        return False
    days = policy.miss_retry_days.get(point.miss_reason, 30)
    return now - point.miss_seen < timedelta(days=days)


def score_points(
    points: PointSet, policy: ScoringPolicy = DEFAULT_POLICY, now: datetime | None = None,
    spots: SpotSeries | None = None,
) -> tuple[list[ScoredPoint], dict[str, int]]:
    """Score every point; returns the eligible ones and counts of those left out, and why.

    ``spots``: the spot observations the error model uses for bullion (:mod:`.spot_source`).
    """
    today = points.today
    now = now or datetime.combine(today, time(23, 59), tzinfo=ZoneInfo("UTC"))
    rates = drift_rates(points, spots or SpotSeries(), policy) if policy.model == "error" else None
    answers = answer_rates(points, policy) if policy.model == "error" else None
    shares = coin_shares(points, policy)
    n_points = max(len(points.points), 1)
    price_factors = {c.id: policy.price_factor(c.max_price) for c in points.coins}
    scored: list[ScoredPoint] = []
    skipped = {"observed_today": 0, "waiting_after_miss": 0}
    for point in points.points:
        age = point.age_days(today)
        if rates is None:
            urgency = policy.urgency(age)
        else:
            urgency = expected_error(rates[point.key], age, policy) * (answers[point.key] if age is None else 1.0)
        if urgency <= 0:
            skipped["observed_today"] += 1
            continue
        if miss_blocks(point, now, policy):
            skipped["waiting_after_miss"] += 1
            continue
        coin = point.coin
        demand = (
            shares[coin.id] * price_factors[coin.id] * policy.volatility_factor(point.volatility) / coin.n_points
        ) * n_points
        scored.append(ScoredPoint(point, demand, urgency, demand * urgency))
    return scored, skipped


def plan_batch(
    points: PointSet, budget: int, policy: ScoringPolicy = DEFAULT_POLICY, now: datetime | None = None,
    spots: SpotSeries | None = None,
) -> Plan:
    """Today's batch: the ``budget`` highest-scoring eligible points, best first."""
    scored, skipped = score_points(points, policy, now, spots)
    budget = max(budget, 0)
    batch = heapq.nlargest(budget, scored, key=lambda s: (s.score, -s.point.coin.id, -s.point.grade))
    return Plan(
        today=points.today,
        batch=batch,
        tracked_points=len(points.points),
        eligible=len(scored),
        observed_today=skipped["observed_today"],
        waiting_after_miss=skipped["waiting_after_miss"],
        budget=budget,
    )


def reserve_calls(limit: int, reserve_pct: float) -> int:
    """Calls kept back from the refresh for interactive lookups (rounded down)."""
    return int(limit * reserve_pct / 100.0)


def refresh_budget(quota_status: dict, reserve_pct: float, limit: int | None = None) -> tuple[int, int]:
    """(calls the refresh may spend now, calls held in reserve) from the ledger's status."""
    reserve = reserve_calls(int(quota_status["limit"]), reserve_pct)
    budget = max(int(quota_status["remaining"]) - reserve, 0)
    if limit is not None:
        budget = min(budget, limit)
    return budget, reserve
