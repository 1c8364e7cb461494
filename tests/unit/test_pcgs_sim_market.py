"""The simulator's market: spot random walks, melt-tracked coins, numismatic guide steps, seeds."""

from __future__ import annotations

import math
import statistics
from datetime import date, timedelta

from coinref.sim import SimUniverse, pricing
from coinref.sim.sample import SAMPLE_CATALOG

DAY = date(2026, 6, 1)


def days(n: int, start: date = DAY) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def test_spot_walks_have_about_the_configured_daily_volatility_and_follow_the_seed():
    for metal, vol in pricing.SPOT_DAILY_VOL.items():
        path = [pricing.spot(metal, d, seed=3) for d in days(2000, date(2025, 1, 1))]
        returns = [math.log(b / a) for a, b in zip(path, path[1:], strict=False)]
        assert 0.9 * vol < statistics.pstdev(returns) < 1.1 * vol
        assert 0.4 * pricing.SPOT_USD[metal] < min(path) and max(path) < 2.5 * pricing.SPOT_USD[metal]
    assert pricing.spot("gold", DAY, seed=3) == pricing.spot("gold", DAY, seed=3)
    assert pricing.spot("gold", DAY, seed=3) != pricing.spot("gold", DAY, seed=4)
    assert math.isclose(pricing.spot("gold", pricing.SPOT_ANCHOR), pricing.SPOT_USD["gold"])


def coin(series, year, mint, strike="MS", variety="", designation=""):
    return next(c for c in SAMPLE_CATALOG if c.natural_key == (series, year, mint, strike, variety, designation))


def test_bullion_follows_the_metal_every_day_and_numismatic_guides_change_in_steps():
    universe = SimUniverse(SAMPLE_CATALOG)
    eagle = coin("gold-eagles", 1986, "W", "PR", "1 oz", "DCAM")
    assert pricing.melt_tracked(eagle)
    number = universe.number_of(eagle)
    month = [universe.guide_price(number, 69, False, d) for d in days(30)]
    assert sum(a != b for a, b in zip(month, month[1:], strict=False)) >= 27  # a new price nearly every day
    nickel = coin("jefferson-nickels", 1950, "D")
    assert not pricing.melt_tracked(nickel)
    number = universe.number_of(nickel)
    year = [universe.guide_price(number, 65, False, d) for d in days(730)]
    changes = sum(a != b for a, b in zip(year, year[1:], strict=False))
    rate = pricing.step_rate(nickel, number)
    assert changes <= 10  # flat for months: a slow coin steps once in 1 to 3 years
    assert 1 / (365 * 3) <= rate <= 1 / 30


def test_active_coins_step_about_monthly_and_more_of_the_well_traded_coins_are_active():
    from coinref.catalog.builtin import load_catalog

    catalog = [c for c in load_catalog() if not (c.metal_oz and c.precious_metal)][:3000]
    universe = SimUniverse(catalog)
    by_trade = {True: [], False: []}
    for c in catalog:
        number = universe.number_of(c)
        graded = sum(pricing.populations(c, number).values())
        by_trade[graded >= 2000].append(pricing.step_rate(c, number) == 1 / 30)
    assert by_trade[True] and by_trade[False]
    share = {k: sum(v) / len(v) for k, v in by_trade.items()}
    assert 0.02 < share[False] < share[True] < 0.6
    active = next(c for c in catalog if pricing.step_rate(c, universe.number_of(c)) == 1 / 30)
    number = universe.number_of(active)
    values = [pricing.guide_level(active, number, d) for d in days(720, date(2025, 1, 1))]
    steps = sum(a != b for a, b in zip(values, values[1:], strict=False))
    assert 12 <= steps <= 40  # about 24 in two years


def test_prices_are_deterministic_per_market_seed():
    one, same, other = SimUniverse(SAMPLE_CATALOG, 1), SimUniverse(SAMPLE_CATALOG, 1), SimUniverse(SAMPLE_CATALOG, 2)
    number = one.number_of(coin("silver-eagles", 2011, "S", "SP"))
    week = days(7)
    assert [one.guide_price(number, 69, False, d) for d in week] == [same.guide_price(number, 69, False, d)
                                                                     for d in week]
    assert [one.guide_price(number, 69, False, d) for d in week] != [other.guide_price(number, 69, False, d)
                                                                     for d in week]
