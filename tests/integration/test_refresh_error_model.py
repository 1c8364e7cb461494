"""The error model against the simulator: calls go where prices move (both backends).

Two coins at equal demand, one price point each, one call a day for 14 simulated days: a 1950-D
Jefferson nickel whose simulated guide value does not change in those days, and a 2011-S specimen
silver eagle whose price follows the silver spot every day. The shipped planner buys the moving
one more often; the freshness planner (the one before the error model) alternates between them.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from refresh_support import Clock, make_env, make_settings, sim_app
from sqlalchemy import select, update

from coinref.pipeline.refresh import RefreshOptions, run_refresh
from coinref.pipeline.refresh.planner import DEFAULT_POLICY, FRESHNESS_POLICY
from coinref.pipeline.refresh.tracked import TrackedGrades
from coinref.sim import SimUniverse
from coinref.sim.sample import SAMPLE_CATALOG
from coinref.store.coins import upsert_catalog_coins
from coinref.store.db import session_scope
from coinref.store.models import Coin, PriceObservation, Series

NICKEL = ("jefferson-nickels", 1950, "D", "MS", "", "")
EAGLE = ("silver-eagles", 2011, "S", "SP", "", "")
DAYS = 14
ONE_GRADE = '[[rule]]\nname = "one grade"\ngrades = [{grade}]\n'


def priced_grade(universe, day) -> int:
    """A grade both coins are priced at on every day of the window (availability follows the number)."""
    for grade in (65, 66, 64, 67, 63, 68, 62):
        if all(universe.point(universe.number_of(key), grade, False, day + timedelta(days=i)) is not None
               and universe.point(universe.number_of(key), grade, False, day + timedelta(days=i)).price is not None
               for key in (NICKEL, EAGLE) for i in range(DAYS)):
            return grade
    raise AssertionError("no grade is priced for both coins")


def two_coins():
    return [c for c in SAMPLE_CATALOG if c.natural_key in (NICKEL, EAGLE)]


def load(engine, universe) -> dict[int, tuple]:
    upsert_catalog_coins(engine, two_coins())
    with session_scope(engine) as session:
        rows = session.execute(
            select(Coin.id, Series.slug, Coin.year, Coin.mint_mark, Coin.strike, Coin.variety, Coin.designation)
            .join(Series, Series.id == Coin.series_id)
        ).all()
        keys = {}
        for coin_id, *key in rows:
            keys[coin_id] = tuple(key)
            session.execute(update(Coin).where(Coin.id == coin_id)
                            .values(pcgs_number=universe.number_of(tuple(key)), lookup_count=1000))
    return keys


def bought_over_14_days(engine, db_url, tmp_path, policy) -> Counter:
    clock = Clock()
    coins = two_coins()
    universe = SimUniverse(coins)
    keys = load(engine, universe)
    grade = priced_grade(universe, clock.day)
    for key, moves in ((NICKEL, False), (EAGLE, True)):  # the premise, from the sim's truth
        number = universe.number_of(key)
        prices = [universe.point(number, grade, False, clock.day + timedelta(days=i)).price for i in range(DAYS)]
        assert None not in prices
        assert (len(set(prices)) >= DAYS - 2) if moves else (len(set(prices)) == 1)
    rules = tmp_path / "tracked.toml"
    rules.write_text(ONE_GRADE.format(grade=grade), encoding="utf-8")
    app = sim_app(clock, catalog=coins, quota=1)
    settings = make_settings(db_url, tmp_path, pcgs_daily_quota=1, refresh_reserve_pct=0)
    env = make_env(settings, engine, app, clock, tracked=TrackedGrades.from_file(rules), policy=policy)
    start = clock.day
    for i in range(DAYS):
        clock.day = start + timedelta(days=i)
        run_refresh(env, RefreshOptions())
    with session_scope(engine) as session:
        rows = session.scalars(select(PriceObservation.coin_id)).all()
    assert len(rows) == DAYS  # one call a day, every one answered with a price
    return Counter(keys[coin_id] for coin_id in rows)


def test_the_moving_price_is_bought_more_often_than_the_still_one(engine, db_url, tmp_path):
    assert DEFAULT_POLICY.model == "error"  # what refresh-prices ships
    bought = bought_over_14_days(engine, db_url, tmp_path, DEFAULT_POLICY)
    assert bought[EAGLE] > bought[NICKEL] >= 1


def test_the_freshness_planner_alternates_between_them(engine, db_url, tmp_path):
    bought = bought_over_14_days(engine, db_url, tmp_path, FRESHNESS_POLICY)
    assert bought[EAGLE] == bought[NICKEL] == DAYS // 2
