"""How fast the price coinref shows for a point drifts away from the price PCGS would give today.

The refresh planner's error model (``ScoringPolicy.model == "error"``) scores a call by the error
it removes: ``demand x expected error now``. The expected error of a point observed ``age`` days
ago is ``min(rate x age, max_expected_error)``; a never-priced point's is ``never_priced_error``
(showing nothing is as bad as a price 100% off); a point observed today's is 0.

**The rate is learned from the history.** Every two consecutive observations of a point make one
*move*: the absolute log change from what coinref would have shown on the later day (the earlier
price, or its spot estimate when there is one, see :mod:`.estimates`) to the price PCGS gave,
over the days between them. Moves are pooled up a chain, each level shrunk towards the next with
``drift_prior_days`` pseudo-days of its rate::

    rate(level) = (sum of moves at the level + prior_days x rate(parent)) / (days at the level + prior_days)

    point -> coin (all its grades) -> series -> metal group -> prior_drift_per_day

A never-priced point's expected error is also multiplied by the chance that PCGS has a price for
it, learned the same way from the answers so far (a price, or "no data"/"no price"), pooled
point -> (series, designation, grade) -> (designation, grade) -> ``answer_prior``, each level with
``answer_prior_points`` pseudo-points: whole rows of the price guide that PCGS leaves empty (red
copper in low grades, full-band dimes below AU) stop costing calls once a few of them have.

The metal group is the coin's precious metal (or none) and whether its price is estimated from
spot, so bullion whose spot is known learns the small drift of its premium, bullion without spot
the metal's daily moves, and a Barber dime whose guide value has not changed in months a rate near
zero. A point with a long flat history is bought rarely; a point that moved at every observation
is bought as often as its demand justifies; a point whose series moves and that was never
re-bought borrows its series' rate.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coinref.pipeline.refresh.estimates import estimable, spot_estimate
from coinref.pipeline.refresh.points import PointSet, PointState
from coinref.pipeline.refresh.spot_source import SpotSeries

if TYPE_CHECKING:
    from coinref.pipeline.refresh.planner import ScoringPolicy


@dataclass(slots=True)
class _Moves:
    moves: float = 0.0
    days: float = 0.0

    def shrunk(self, prior_rate: float, prior_days: float) -> float:
        return (self.moves + prior_days * prior_rate) / (self.days + prior_days)


def metal_group(point: PointState, spots: SpotSeries) -> tuple[str, bool]:
    """(precious metal or "none", whether its latest price is estimated from spot)."""
    coin = point.coin
    metal = coin.precious_metal if coin.metal_oz else None
    if metal is None:
        return ("none", False)
    spot = spots.on_or_before(metal, point.last_observed) if spots and point.last_observed else None
    return (metal, estimable(point.last_price, metal, coin.metal_oz, spot[1] if spot else None))


def point_moves(point: PointState, spots: SpotSeries) -> _Moves:
    """The point's moves: what coinref would have shown against what PCGS then answered."""
    found = _Moves()
    coin = point.coin
    for (day0, price0), (day1, price1) in zip(point.history, point.history[1:], strict=False):
        if not price0 or not price1 or price0 <= 0 or price1 <= 0 or day1 <= day0:
            continue
        shown = spot_estimate(price0, day0, coin.precious_metal, coin.metal_oz, spots, day1)
        base = shown.price if shown is not None else price0
        found.moves += abs(math.log(float(price1) / float(base)))
        found.days += (day1 - day0).days
    return found


def drift_rates(points: PointSet, spots: SpotSeries, policy: ScoringPolicy) -> dict[tuple[int, int, bool], float]:
    """Each point's expected relative error per day of age (see the module doc)."""
    own: dict[tuple[int, int, bool], _Moves] = {}
    by_coin: dict[int, _Moves] = defaultdict(_Moves)
    by_series: dict[tuple[str, tuple[str, bool]], _Moves] = defaultdict(_Moves)
    by_group: dict[tuple[str, bool], _Moves] = defaultdict(_Moves)
    groups = {}
    for point in points.points:
        group = groups[point.key] = metal_group(point, spots)
        if len(point.history) < 2:
            continue
        moves = own[point.key] = point_moves(point, spots)
        for level in (by_coin[point.coin.id], by_series[(point.coin.series, group)], by_group[group]):
            level.moves += moves.moves
            level.days += moves.days
    prior, days = policy.prior_drift_per_day, policy.drift_prior_days
    empty = _Moves()
    rates = {}
    for point in points.points:
        group = groups[point.key]
        rate = by_group.get(group, empty).shrunk(prior, days)
        rate = by_series.get((point.coin.series, group), empty).shrunk(rate, days)
        rate = by_coin.get(point.coin.id, empty).shrunk(rate, days)
        rates[point.key] = own.get(point.key, empty).shrunk(rate, days)
    return rates


def expected_error(rate: float, age_days: int | None, policy: ScoringPolicy) -> float:
    """The expected relative error of the price shown for a point observed ``age_days`` ago."""
    if age_days is None:
        return policy.never_priced_error
    if age_days <= 0:
        return 0.0
    return min(rate * age_days, policy.max_expected_error)


def answer_rates(points: PointSet, policy: ScoringPolicy) -> dict[tuple[int, int, bool], float]:
    """Each point's chance that a call returns a price (see the module doc)."""
    tried: dict[object, list[int]] = defaultdict(lambda: [0, 0])  # level -> [priced, tried]

    def levels(point: PointState) -> tuple[object, object]:
        return ((point.coin.series, point.coin.designation, point.grade, point.plus),
                (point.coin.designation, point.grade, point.plus))

    for point in points.points:
        if point.last_observed is None and point.miss_reason is None:
            continue
        priced = int(point.miss_reason is None)
        for level in levels(point):
            tried[level][0] += priced
            tried[level][1] += 1
    k = policy.answer_prior_points
    rates = {}
    for point in points.points:
        series_level, grade_level = levels(point)
        rate = policy.answer_prior
        for level in (grade_level, series_level):
            priced, total = tried.get(level, (0, 0))
            rate = (priced + k * rate) / (total + k)
        own = 0 if point.miss_reason is None else 1  # its own miss (the retry period is over)
        rates[point.key] = (k * rate) / (own + k) if own else rate
    return rates
