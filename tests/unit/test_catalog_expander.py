"""The fact-file expander and the catalog-wide checks of issue 3 (mint rules, key dates, counts)."""

from __future__ import annotations

from collections import Counter

import pytest

from coinref.catalog.builtin import CatalogError, expand, load_catalog, parse_facts
from coinref.catalog.rules import mint_active
from coinref.catalog.series import all_series

MINI = """
slug = "peace-dollars"
name = "Peace Dollar"
denomination = "$1"
first_year = 1921
last_year = 1935
specs_sources = "hand-written test file"
[[composition]]
metal = "90% Silver, 10% Copper"
weight_g = 26.73
fineness = 0.9
precious = "silver"
alloy = { silver = 90, copper = 10 }
[[specs]]
diameter_mm = 38.1
edge = "reeded"
obverse_designer = "Anthony de Francisci"
reverse_designer = "Anthony de Francisci"
[strikes.MS]
P = "1921-1928, 1934-1935"
D = "1934"
[[designations]]
strike = "MS"
values = ["PL"]
"""


def test_expander_makes_base_and_designation_entries():
    coins = expand(parse_facts("peace-dollars", MINI))
    base = [c for c in coins if not c.designation]
    assert len(base) == 11 and len(coins) == 22
    coin = next(c for c in base if c.year == 1934 and c.mint_mark == "D")
    assert coin.full_name == "1934-D Peace Dollar" and coin.short_name == "1934-D $1"
    assert str(coin.metal_oz) == "0.77345"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[strikes.PR]\nCC = "1921"', "Carson City"),
        ('[mintage]\n"1930" = 5', "match no coin"),
        ("[[exclude]]\nyears = 1930", "matches no coin"),
        ('[[varieties]]\nyears = 1940\nnames = ["X"]', "outside"),
        ("surprise = 1", "Extra inputs"),
    ],
)
def test_bad_fact_files_do_not_load(extra, message):
    with pytest.raises(CatalogError, match=message):
        expand(parse_facts("peace-dollars", MINI + "\n" + extra + "\n"))


# --- the shipped catalog -----------------------------------------------------------------------

CATALOG = load_catalog()
BASE = [c for c in CATALOG if not c.designation]
SERIES = {s.slug: s for s in all_series()}


def test_every_series_has_a_fact_file():
    assert {c.series for c in CATALOG} == set(SERIES)


def test_base_coin_total_meets_the_seed_estimate():
    assert len(BASE) >= 5830


def test_mint_marks_only_where_and_when_struck():
    problems = []
    for coin in BASE:
        info = SERIES[coin.series]
        if not mint_active(coin.mint_mark, coin.year):
            problems.append(f"{coin.full_name}: mint {coin.mint_mark} not active in {coin.year}")
        if not info.first_year <= coin.year <= min(info.last_year or 2025, 2025):
            problems.append(f"{coin.full_name}: outside {info.first_year}-{info.last_year}")
        if (coin.mint_mark == "C" or (coin.mint_mark == "D" and coin.year <= 1861)) and coin.precious_metal != "gold":
            problems.append(f"{coin.full_name}: C and D (before 1906) struck only gold")
    assert not problems, problems[:20]


def _exists(series, year, mint, strike="MS", variety=None):
    return any(c.series == series and c.year == year and c.mint_mark == mint and c.strike == strike
               and (variety is None or variety.lower() in c.variety.lower()) for c in BASE)


@pytest.mark.parametrize(
    ("series", "year", "mint", "strike"),
    [
        ("morgan-dollars", 1895, "O", "PR"),
        ("morgan-dollars", 1895, "P", "MS"),
        ("walking-liberty-half-dollars", 1922, "D", "MS"),
        ("peace-dollars", 1935, "D", "MS"),
        ("peace-dollars", 1930, "P", "MS"),
        ("mercury-dimes", 1932, "P", "MS"),
        ("buffalo-nickels", 1922, "P", "MS"),
        ("standing-liberty-quarters", 1922, "P", "MS"),
        ("washington-quarters", 1933, "P", "MS"),
        ("lincoln-cents-wheat-reverse", 1922, "P", "PR"),
        ("indian-head-cents", 1909, "D", "MS"),
    ],
)
def test_known_non_existent_coins_are_absent(series, year, mint, strike):
    assert not _exists(series, year, mint, strike)


@pytest.mark.parametrize(
    ("series", "year", "mint", "strike", "variety"),
    [
        ("lincoln-cents-wheat-reverse", 1909, "S", "MS", "VDB"),
        ("lincoln-cents-wheat-reverse", 1914, "D", "MS", None),
        ("lincoln-cents-wheat-reverse", 1955, "P", "MS", "Doubled"),
        ("morgan-dollars", 1893, "S", "MS", None),
        ("morgan-dollars", 1895, "P", "PR", None),
        ("morgan-dollars", 1889, "CC", "MS", None),
        ("morgan-dollars", 1878, "P", "MS", "8TF"),
        ("mercury-dimes", 1916, "D", "MS", None),
        ("mercury-dimes", 1942, "P", "MS", "42/1"),
        ("buffalo-nickels", 1937, "D", "MS", "3 Legs"),
        ("buffalo-nickels", 1913, "S", "MS", "Type 2"),
        ("walking-liberty-half-dollars", 1921, "S", "MS", None),
        ("peace-dollars", 1928, "P", "MS", None),
        ("silver-eagles", 1986, "S", "PR", None),
        ("standing-liberty-quarters", 1916, "P", "MS", None),
        ("franklin-half-dollars", 1955, "P", "MS", "Bugs"),
        ("susan-b-anthony-dollars", 1979, "P", "MS", "Wide Rim"),
        ("sacagawea-dollars", 2000, "P", "MS", "Cheerios"),
        ("double-eagles-saint-gaudens", 1907, "P", "MS", "High Relief"),
        ("state-quarters", 1999, "P", "MS", "Delaware"),
        ("america-beautiful-quarters", 2010, "P", "MS", "Hot Springs"),
        ("classic-commemoratives", 1893, "P", "MS", "Isabella"),
        ("first-spouse-gold", 2007, "W", "MS", "Martha Washington"),
        ("american-women-quarters", 2022, "P", "MS", "Maya Angelou"),
        ("twenty-cent-pieces", 1876, "CC", "MS", None),
        ("trade-dollars", 1878, "CC", "MS", None),
        ("three-dollar-gold", 1854, "D", "MS", None),
        ("half-eagles-indian", 1909, "O", "MS", None),
        ("barber-dimes", 1894, "S", "MS", None),
    ],
)
def test_key_dates_and_major_varieties_present(series, year, mint, strike, variety):
    assert _exists(series, year, mint, strike, variety)


def test_counts_per_series_are_within_reason_of_the_estimate():
    counts = Counter(c.series for c in BASE)
    far = {slug: (counts[slug], info.est_coins) for slug, info in SERIES.items()
           if not 0.4 * info.est_coins <= counts[slug] <= 3.5 * info.est_coins + 10}
    assert not far, f"series far from the estimate (count, estimate): {far}"


def test_composition_periods():
    def coin(series, year, mint="P", variety=""):
        return next(c for c in BASE if c.series == series and c.year == year and c.mint_mark == mint
                    and c.strike == "MS" and (not variety or variety in c.variety))

    assert "steel" in coin("lincoln-cents-wheat-reverse", 1943).metal.lower()
    assert coin("roosevelt-dimes", 1964).precious_metal == "silver"
    assert coin("roosevelt-dimes", 1965).precious_metal is None
    assert coin("jefferson-nickels", 1943).precious_metal == "silver"
    assert "35%" in coin("jefferson-nickels", 1943).metal
    assert float(coin("kennedy-half-dollars", 1967).fineness) == pytest.approx(0.4)
    assert float(coin("gold-eagles", 1986, variety="1 oz").metal_oz) == pytest.approx(1.0, abs=0.001)
    assert float(coin("silver-eagles", 2000).metal_oz) == pytest.approx(1.0, abs=0.002)


def test_designations_follow_pcgs_practice():
    desig = {(c.series, c.designation) for c in CATALOG if c.designation}
    assert ("lincoln-cents-wheat-reverse", "RD") in desig and ("morgan-dollars", "DMPL") in desig
    assert ("mercury-dimes", "FB") in desig and ("standing-liberty-quarters", "FH") in desig
    assert ("franklin-half-dollars", "FBL") in desig and ("jefferson-nickels", "FS") in desig
    assert ("silver-eagles", "DCAM") in desig
    assert not any(s == "morgan-dollars" and d in ("RD", "FB") for s, d in desig)


def test_natural_keys_unique_and_names_filled():
    keys = [c.natural_key for c in CATALOG]
    assert len(keys) == len(set(keys))
    assert all(c.full_name and c.short_name and c.metal and c.weight_g for c in CATALOG)


def test_p_mark_by_strike_and_strike_word():
    facts = MINI.replace('last_year = 1935', 'last_year = 1935\np_mark_by_strike = { PR = "1922" }') + """
[strikes.PR]
P = "1922"
[[varieties]]
years = 1922
strike = "PR"
names = ["Reverse Proof"]
"""
    coins = {(c.year, c.strike, c.variety): c.full_name for c in expand(parse_facts("peace-dollars", facts))
             if not c.designation}
    assert coins[(1922, "PR", "")] == "1922-P Peace Dollar Proof"
    assert coins[(1922, "PR", "Reverse Proof")] == "1922-P Reverse Proof Peace Dollar"
    assert coins[(1922, "MS", "")] == "1922 Peace Dollar"
