"""The refresh planner's scoring and batch choice, on hand-made point sets (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coinref.pipeline.refresh.planner import (
    DEFAULT_POLICY,
    FRESHNESS_POLICY,
    coin_shares,
    plan_batch,
    refresh_budget,
    reserve_calls,
    score_points,
)
from coinref.pipeline.refresh.points import CoinDemand, PointSet, PointState, volatility

TODAY = date(2027, 3, 10)
NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


def coin(coin_id: int, tier: str = "P1", lookups: int = 0, watched: bool = False, price=None, n_points: int = 1):
    return CoinDemand(coin_id, 9_000_000 + coin_id, f"coin {coin_id}", "series", tier, "MS", 1950, lookups, watched,
                      price, n_points)


def point(c: CoinDemand, grade: int = 65, age: int | None = None, vol: float | None = None, miss=None):
    last = None if age is None else TODAY - timedelta(days=age)
    reason, seen = (miss if miss else (None, None))
    return PointState(c, grade, False, last, None, vol, reason, seen)


def point_set(points, coins_per_tier=None, lookups=None, watched=None) -> PointSet:
    coins = list({p.coin.id: p.coin for p in points}.values())
    per_tier = coins_per_tier or {}
    if not per_tier:
        for c in coins:
            per_tier[c.tier] = per_tier.get(c.tier, 0) + 1
    return PointSet(
        today=TODAY,
        coins=coins,
        points=list(points),
        total_lookups=sum(c.lookups for c in coins) if lookups is None else lookups,
        watched=sum(c.watched for c in coins) if watched is None else watched,
        coins_per_tier=per_tier,
    )


def chosen(plan) -> list[tuple[int, int]]:
    return [(s.point.coin.id, s.point.grade) for s in plan.batch]


def test_urgency_orders_never_priced_then_stale_then_fresh_and_never_today():
    u = DEFAULT_POLICY.urgency
    assert u(None) > u(90) > u(20) > u(8) >= 1.0
    assert 0 < u(1) < u(4) < u(7) < 0.05
    assert u(0) == 0.0


def test_never_priced_first_at_equal_demand():
    c1, c2, c3 = coin(1), coin(2), coin(3)
    plan = plan_batch(point_set([point(c1, age=30), point(c2, age=None), point(c3, age=3)]), budget=2, now=NOW)
    assert chosen(plan) == [(2, 65), (1, 65)]
    assert plan.deferred == 1


def test_points_observed_today_are_never_planned_even_with_quota_to_spare():
    c1 = coin(1, lookups=1000)
    plan = plan_batch(point_set([point(c1, 63, age=0), point(c1, 64, age=0), point(c1, 65, age=2)]), 10, now=NOW)
    assert chosen(plan) == [(1, 65)]
    assert plan.observed_today == 2


def test_surplus_quota_refreshes_fresh_points_oldest_first():
    c1 = coin(1)
    plan = plan_batch(point_set([point(c1, 63, age=1), point(c1, 64, age=6), point(c1, 65, age=3)]), 10, now=NOW)
    assert chosen(plan) == [(1, 64), (1, 65), (1, 63)]


def test_lookups_decide_over_the_tier_when_there_are_many():
    popular = coin(1, tier="P3", lookups=900)
    plain = coin(2, tier="P0", lookups=0)
    points = point_set([point(popular), point(plain)], coins_per_tier={"P0": 50, "P3": 50})
    assert chosen(plan_batch(points, 1, now=NOW)) == [(1, 65)]


def test_the_tier_decides_on_a_new_install():
    p0, p3 = coin(1, tier="P0"), coin(2, tier="P3")
    points = point_set([point(p3), point(p0)], coins_per_tier={"P0": 10, "P3": 10})
    assert chosen(plan_batch(points, 1, now=NOW)) == [(1, 65)]
    shares = coin_shares(points)
    assert shares[1] == pytest.approx(4 * shares[2])


def test_a_watched_coin_beats_coins_with_many_lookups():
    watched = coin(1, tier="P3", lookups=0, watched=True)
    popular = [coin(i, tier="P0", lookups=100) for i in range(2, 12)]
    points = point_set([point(watched)] + [point(c) for c in popular], coins_per_tier={"P0": 10, "P3": 1})
    assert chosen(plan_batch(points, 1, now=NOW)) == [(1, 65)]


def test_a_coins_demand_spreads_over_its_grades():
    wide = coin(1, lookups=100, n_points=9)
    narrow = coin(2, lookups=60, n_points=4)
    points = point_set([point(wide, g) for g in range(58, 67)] + [point(narrow, g) for g in range(63, 67)])
    plan = plan_batch(points, 4, now=NOW)
    assert {c for c, _g in chosen(plan)} == {2}


def test_price_level_and_volatility_raise_demand_a_little_in_the_freshness_model():
    cheap, dear = coin(1, price=Decimal("5")), coin(2, price=Decimal("25000"))
    calm, moving = point(cheap, vol=None), point(dear, vol=0.2)
    scored, _ = score_points(point_set([calm, moving]), FRESHNESS_POLICY, now=NOW)
    by_coin = {s.point.coin.id: s.demand for s in scored}
    policy = FRESHNESS_POLICY
    assert 1.0 < by_coin[2] / by_coin[1] <= (1 + policy.price_weight) * (1 + policy.volatility_weight)
    assert FRESHNESS_POLICY.price_factor(Decimal("10")) == 1.0
    assert FRESHNESS_POLICY.price_factor(Decimal("1000000")) == pytest.approx(1 + FRESHNESS_POLICY.price_weight)
    assert FRESHNESS_POLICY.volatility_factor(0.05) == pytest.approx(1 + FRESHNESS_POLICY.volatility_weight / 2)


def test_volatility_is_the_mean_absolute_log_change():
    assert volatility([Decimal("100")]) is None
    assert volatility([Decimal("100"), Decimal("100")]) == 0.0
    assert volatility([Decimal("100"), Decimal("110"), Decimal("100")]) == pytest.approx(0.0953, abs=1e-4)


def test_recent_misses_wait_for_their_retry_period():
    c1 = coin(1)
    recent = point(c1, 63, miss=("not_found", NOW - timedelta(days=10)))
    expired = point(c1, 64, miss=("unpriced", NOW - timedelta(days=15)))
    waiting_unpriced = point(c1, 65, miss=("unpriced", NOW - timedelta(days=13)))
    plan = plan_batch(point_set([recent, expired, waiting_unpriced]), 10, now=NOW)
    assert chosen(plan) == [(1, 64)]
    assert plan.waiting_after_miss == 2


def test_budget_from_quota_keeps_the_reserve():
    status = {"limit": 1000, "remaining": 1000}
    assert reserve_calls(1000, 5.0) == 50
    assert reserve_calls(15, 5.0) == 0
    assert refresh_budget(status, 5.0) == (950, 50)
    assert refresh_budget({"limit": 1000, "remaining": 30}, 5.0) == (0, 50)
    assert refresh_budget(status, 5.0, limit=10) == (10, 50)
    assert refresh_budget({"limit": 15, "remaining": 15}, 5.0) == (15, 0)


@settings(max_examples=60, deadline=None)
@given(
    ages=st.lists(st.one_of(st.none(), st.integers(0, 60)), min_size=1, max_size=40),
    lookups=st.lists(st.integers(0, 500), min_size=1, max_size=40),
    budget=st.integers(0, 50),
)
def test_any_plan_respects_the_budget_and_is_best_first(ages, lookups, budget):
    points = []
    for index, age in enumerate(ages):
        c = coin(index + 1, tier=("P0", "P1", "P2", "P3")[index % 4], lookups=lookups[index % len(lookups)])
        points.append(point(c, age=age))
    plan = plan_batch(point_set(points), budget, now=NOW)
    assert len(plan.batch) == min(budget, plan.eligible)
    assert all(s.point.age_days(TODAY) != 0 for s in plan.batch)
    scores = [s.score for s in plan.batch]
    assert scores == sorted(scores, reverse=True)
    left_out = {id(p) for p in points} - {id(s.point) for s in plan.batch}
    best_left = max((s.score for s in score_points(point_set(points), now=NOW)[0] if id(s.point) in left_out),
                    default=0.0)
    assert all(score >= best_left for score in scores)
