"""The simulator's truth: synthetic numbers, prices, availability, certs, and fault scripts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coinref.catalog.grades import GRADE_NUMBERS
from coinref.errors import InvalidInput
from coinref.sim import NUMBER_MAX, NUMBER_MIN, FaultScript, SimUniverse, sim_universe
from coinref.sim.faults import Fault
from coinref.sim.sample import SAMPLE_CATALOG

DAY = date(2025, 6, 1)
UNIVERSE = SimUniverse(SAMPLE_CATALOG)


def number(series, year, mint, strike="MS", variety="", designation=""):
    return UNIVERSE.number_of((series, year, mint, strike, variety, designation))


def test_every_entry_gets_a_unique_number_in_the_synthetic_range():
    numbers = [UNIVERSE.number_of(c) for c in SAMPLE_CATALOG]
    assert len(set(numbers)) == len(SAMPLE_CATALOG)
    assert all(NUMBER_MIN <= n <= NUMBER_MAX for n in numbers)
    assert all(UNIVERSE.coin(n) == c for n, c in zip(numbers, SAMPLE_CATALOG, strict=True))


def test_numbers_are_stable_whatever_else_is_in_the_catalog():
    alone = SimUniverse(SAMPLE_CATALOG[:3])
    reversed_order = SimUniverse(tuple(reversed(SAMPLE_CATALOG)))
    for coin in SAMPLE_CATALOG[:3]:
        assert alone.number_of(coin) == UNIVERSE.number_of(coin) == reversed_order.number_of(coin)


def test_builtin_universe_has_the_whole_catalog():
    from coinref.catalog.builtin import load_catalog

    catalog = load_catalog()
    universe = sim_universe()
    assert len(universe) == len(catalog)
    designated = next(c for c in catalog if c.designation)
    assert universe.number_of(designated) != universe.number_of(designated.base_key)


def _priced(num, plus=False, day=DAY):
    points = {}
    for grade in sorted(GRADE_NUMBERS):
        point = UNIVERSE.point(num, grade, plus, day)
        if point is not None and point.price is not None:
            points[grade] = point.price
    return points


@pytest.mark.parametrize("coin", SAMPLE_CATALOG, ids=lambda c: c.short_name)
def test_prices_never_fall_as_the_grade_rises(coin):
    num = UNIVERSE.number_of(coin)
    prices = _priced(num)
    assert len(prices) >= 5
    values = [prices[g] for g in sorted(prices)]
    assert values == sorted(values)
    assert values[-1] > values[0]


def test_plus_grades_sit_between_their_grade_and_the_next():
    num = number("morgan-dollars", 1881, "S")
    for day_offset in range(30):
        day = DAY + timedelta(days=day_offset)
        for grade, nxt in ((63, 64), (64, 65), (65, 66)):
            plus = UNIVERSE.point(num, grade, True, day)
            low, high = UNIVERSE.point(num, grade, False, day), UNIVERSE.point(num, nxt, False, day)
            if plus and plus.price and low and low.price and high and high.price:
                assert low.price <= plus.price <= high.price


def test_prices_move_from_day_to_day_and_are_deterministic():
    num = number("silver-eagles", 1986, "P")  # bullion follows spot daily; guide values move in steps
    grade = max(_priced(num))
    week = [UNIVERSE.point(num, grade, False, DAY + timedelta(days=i)).price for i in range(7)]
    assert None not in week and len(set(week)) > 1
    assert SimUniverse(SAMPLE_CATALOG).point(num, grade, False, DAY).price == week[0]


def test_rarity_and_metal_raise_prices():
    key_date = _priced(number("morgan-dollars", 1893, "S"))
    common = _priced(number("morgan-dollars", 1881, "S"))
    shared = sorted(set(key_date) & set(common))
    assert shared and all(key_date[g] > common[g] for g in shared)
    gold = _priced(number("gold-eagles", 1986, "W", "PR", "1 oz", "DCAM"))
    silver = _priced(number("silver-eagles", 2011, "S", "SP"))
    nickel = _priced(number("jefferson-nickels", 1950, "D"))
    assert min(gold.values()) > 2000  # about an ounce of gold
    assert all(gold[g] > nickel[g] for g in set(gold) & set(nickel))
    assert min(silver.values()) >= 25  # never below the silver melt value


def test_some_points_are_unpriced_and_some_have_no_data():
    unpriced = no_data = 0
    for num in UNIVERSE.coins:
        for grade in sorted(GRADE_NUMBERS):
            point = UNIVERSE.point(num, grade, False, DAY)
            if point is None:
                no_data += 1
            elif point.price is None:
                unpriced += 1
    assert unpriced > 0 and no_data > 0
    assert UNIVERSE.point(number("morgan-dollars", 1881, "S"), 71, False, DAY) is None
    assert UNIVERSE.point(number("morgan-dollars", 1881, "S"), 69, True, DAY) is None
    assert UNIVERSE.point(123, 65, False, DAY) is None


def test_population_higher_counts_every_better_point():
    num = number("morgan-dollars", 1881, "S")
    points = UNIVERSE.data_points(num)
    pops = {pt: UNIVERSE.point(num, pt[0], pt[1], DAY).population for pt in points}
    for grade, plus in points:
        point = UNIVERSE.point(num, grade, plus, DAY)
        assert point.pop_higher == sum(n for pt, n in pops.items() if pt > (grade, plus))


def test_certs_are_deterministic():
    cert = UNIVERSE.cert("12345678")
    assert cert is not None and cert == UNIVERSE.cert("12345678")
    assert UNIVERSE.point(cert.pcgs_number, cert.grade, cert.plus, DAY) is not None
    assert UNIVERSE.cert("12345677") is None  # ends in 7
    assert UNIVERSE.cert("123456") is None  # too short
    assert UNIVERSE.cert("abc") is None


def test_fault_sequences_repeats_and_shares():
    script = FaultScript.parse("500, 503:retry-after=2, ok*2, timeout*2, rate=1:malformed", seed=3)
    seen = [script.next() for _ in range(7)]
    assert [str(f) for f in seen] == ["500", "503:retry-after=2", "ok", "ok", "timeout", "timeout", "malformed"]
    assert seen[1] == Fault("status", 503, "2")
    assert FaultScript.parse("").next() is None
    shares = FaultScript.parse("rate=0.5:500", seed=1)
    hits = sum(shares.next() is not None for _ in range(1000))
    assert 400 < hits < 600
    assert [FaultScript.parse("rate=0.3:503", seed=9).next() for _ in range(20)] == \
           [FaultScript.parse("rate=0.3:503", seed=9).next() for _ in range(20)]


@pytest.mark.parametrize("spec", ["boom", "rate=2:500", "rate=x:500", "rate=0.1", "429:wait=1", "700", "500*x"])
def test_bad_fault_specs_name_the_problem(spec):
    with pytest.raises(InvalidInput):
        FaultScript.parse(spec)
