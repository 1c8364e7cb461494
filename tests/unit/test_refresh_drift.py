"""The error model's parts on hand-made point sets: drift rates, the chance of a price, spot estimates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from coinref.pipeline.refresh.drift import answer_rates, drift_rates, expected_error
from coinref.pipeline.refresh.estimates import spot_estimate
from coinref.pipeline.refresh.planner import DEFAULT_POLICY, plan_batch
from coinref.pipeline.refresh.points import CoinDemand, PointSet, PointState
from coinref.pipeline.refresh.spot_source import SpotSeries, from_rows

TODAY = date(2027, 3, 10)
NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
D = Decimal


def coin(coin_id, series="series", metal=None, oz=None, designation=""):
    return CoinDemand(coin_id, 9_000_000 + coin_id, f"coin {coin_id}", series, "P1", "MS", 1950, 100, False,
                      None, 1, designation, metal, oz)


def point(c, history=(), grade=65, miss=None):
    last = history[-1][0] if history else None
    reason, seen = miss or (None, None)
    return PointState(c, grade, False, last, history[-1][1] if history else None, None, reason, seen,
                      tuple(history))


def point_set(points):
    coins = list({p.coin.id: p.coin for p in points}.values())
    return PointSet(TODAY, coins, list(points), sum(c.lookups for c in coins), 0, {"P1": len(coins)})


def days_ago(n):
    return TODAY - timedelta(days=n)


def test_a_point_that_never_moved_drifts_slower_than_one_that_moves():
    still = point(coin(1), [(days_ago(30), D("100")), (days_ago(20), D("100")), (days_ago(10), D("100"))])
    moving = point(coin(2, series="other"), [(days_ago(30), D("100")), (days_ago(20), D("110")),
                                             (days_ago(10), D("100"))])
    rates = drift_rates(point_set([still, moving]), SpotSeries(), DEFAULT_POLICY)
    assert rates[still.key] < DEFAULT_POLICY.prior_drift_per_day < rates[moving.key]
    plan = plan_batch(point_set([still, moving]), 1, now=NOW)
    assert [s.point.coin.id for s in plan.batch] == [2]


def test_a_coin_learns_from_its_other_grades_and_a_series_from_its_coins():
    moved = [(days_ago(20), D("100")), (days_ago(10), D("120"))]
    c = coin(1)
    seen, unseen = point(c, moved, grade=64), point(c, [(days_ago(10), D("50"))], grade=65)
    neighbour = point(coin(2), [(days_ago(10), D("70"))])
    stranger = point(coin(3, series="calm"), [(days_ago(10), D("70"))])
    rates = drift_rates(point_set([seen, unseen, neighbour, stranger]), SpotSeries(), DEFAULT_POLICY)
    assert rates[seen.key] > rates[unseen.key] > rates[neighbour.key] > rates[stranger.key]


def test_with_spot_a_bullion_price_that_followed_the_metal_is_not_bought_again():
    spots = from_rows([(days_ago(20), "silver", D("30")), (days_ago(10), "silver", D("33")),
                       (TODAY, "silver", D("34"))])
    # silver coin: +3.00 exactly the metal's move; numismatic coin: +10% of its own
    bullion = point(coin(1, metal="silver", oz=D("1")), [(days_ago(20), D("40")), (days_ago(10), D("43"))])
    other = point(coin(2, series="other"), [(days_ago(20), D("40")), (days_ago(10), D("44"))])
    with_spot = drift_rates(point_set([bullion, other]), spots, DEFAULT_POLICY)
    without = drift_rates(point_set([bullion, other]), SpotSeries(), DEFAULT_POLICY)
    assert with_spot[bullion.key] < DEFAULT_POLICY.prior_drift_per_day < with_spot[other.key]
    assert without[bullion.key] > DEFAULT_POLICY.prior_drift_per_day  # without spot it looks like a mover
    plan = plan_batch(point_set([bullion, other]), 1, now=NOW, spots=spots)
    assert [s.point.coin.id for s in plan.batch] == [2]


def test_expected_error_grows_with_age_and_is_capped():
    policy = DEFAULT_POLICY
    assert expected_error(0.01, None, policy) == policy.never_priced_error
    assert expected_error(0.01, 0, policy) == 0.0
    assert expected_error(0.01, 5, policy) == pytest.approx(0.05)
    assert expected_error(0.01, 500, policy) == policy.max_expected_error


def test_points_of_a_row_pcgs_leaves_empty_lose_their_chance_of_a_price():
    missed = [point(coin(i, series="cents", designation="RD"), grade=12, miss=("not_found", NOW))
              for i in range(1, 11)]
    priced = [point(coin(i, series="cents", designation="RD"), [(days_ago(3), D("5"))], grade=12)
              for i in range(11, 13)]
    fresh_row = point(coin(20, series="cents", designation="RD"), grade=12)
    other_row = point(coin(21, series="cents", designation="RD"), grade=65)
    rates = answer_rates(point_set([*missed, *priced, fresh_row, other_row]), DEFAULT_POLICY)
    assert rates[fresh_row.key] < 0.5 < rates[other_row.key] == DEFAULT_POLICY.answer_prior


def test_spot_estimate_adds_the_metal_move_to_mostly_metal_prices_only():
    spots = from_rows([(date(2026, 11, 20), "gold", D("2600")), (date(2026, 11, 25), "gold", D("2650.50"))])
    estimate = spot_estimate(D("2800"), date(2026, 11, 20), "gold", D("0.9675"), spots, date(2026, 12, 1))
    assert estimate.price == D("2848.86")  # 2800 + 0.9675 x 50.50, to the cent
    assert estimate.basis == "estimated from spot, last observed 2026-11-20"
    assert estimate.spot_to == (date(2026, 11, 25), D("2650.50"))
    assert spot_estimate(D("9000"), date(2026, 11, 20), "gold", D("0.9675"), spots, date(2026, 12, 1)) is None
    assert spot_estimate(D("2800"), date(2026, 11, 25), "gold", D("0.9675"), spots, date(2026, 12, 1)) is None
    assert spot_estimate(D("2800"), date(2026, 11, 20), "silver", D("0.9675"), spots, date(2026, 12, 1)) is None
    assert spot_estimate(D("2800"), date(2026, 11, 20), "gold", D("0.9675"), SpotSeries(), date(2026, 12, 1)) is None
