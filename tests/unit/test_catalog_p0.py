"""Fact checks for the P0 series of the built-in catalog (bullion eagles, buffalo, Morgan, Peace,
wheat cents, Mercury dimes, Walking Liberty halves).

Each test states a numismatic fact (a key date that must exist, a coin that never existed, a
composition, a strike type, a designation) and checks it against the expanded catalog, so a wrong
edit of a fact file fails here.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from coinref.catalog.builtin import load_catalog

P0 = [
    "silver-eagles", "gold-eagles", "platinum-eagles", "gold-buffalo", "morgan-dollars", "peace-dollars",
    "lincoln-cents-wheat-reverse", "mercury-dimes", "walking-liberty-half-dollars",
]


@pytest.fixture(scope="module")
def coins():
    return load_catalog(P0)


@pytest.fixture(scope="module")
def keys(coins):
    return {c.natural_key for c in coins}


def base(coins, series, year, mint, strike="MS", variety=""):
    found = [c for c in coins if c.base_key == (series, year, mint, strike, variety, "")
             and not c.designation]
    return found[0] if found else None


def has(coins, series, year, mint, strike="MS", variety=""):
    return base(coins, series, year, mint, strike, variety) is not None


def has_any(coins, series, year, mint, strike="MS"):
    """Whether any coin (any variety) exists at the (series, year, mint, strike) level."""
    return any(c.series == series and c.year == year and c.mint_mark == mint and c.strike == strike
               for c in coins)


# --- coins that must exist -----------------------------------------------------------------

MUST_EXIST = [
    ("morgan-dollars", 1893, "S", "MS", ""),
    ("morgan-dollars", 1889, "CC", "MS", ""),
    ("morgan-dollars", 1895, "P", "PR", ""),
    ("morgan-dollars", 1921, "D", "MS", ""),
    ("morgan-dollars", 1878, "P", "MS", "8TF"),
    ("morgan-dollars", 1878, "P", "PR", "7TF Reverse of 1879"),
    ("morgan-dollars", 1888, "O", "MS", "Doubled Die Obverse"),
    ("morgan-dollars", 1901, "P", "MS", "Doubled Die Reverse"),
    ("morgan-dollars", 1921, "P", "PR", "Zerbe"),
    ("morgan-dollars", 1921, "P", "PR", "Chapman"),
    ("peace-dollars", 1921, "P", "MS", ""),
    ("peace-dollars", 1928, "P", "MS", ""),
    ("peace-dollars", 1934, "S", "MS", ""),
    ("peace-dollars", 1922, "P", "PR", "High Relief"),
    ("lincoln-cents-wheat-reverse", 1909, "S", "MS", "VDB"),
    ("lincoln-cents-wheat-reverse", 1909, "P", "MS", "VDB"),
    ("lincoln-cents-wheat-reverse", 1909, "P", "PR", "VDB"),
    ("lincoln-cents-wheat-reverse", 1914, "D", "MS", ""),
    ("lincoln-cents-wheat-reverse", 1922, "D", "MS", ""),
    ("lincoln-cents-wheat-reverse", 1922, "P", "MS", "No D Strong Reverse"),
    ("lincoln-cents-wheat-reverse", 1931, "S", "MS", ""),
    ("lincoln-cents-wheat-reverse", 1955, "P", "MS", "Doubled Die Obverse"),
    ("lincoln-cents-wheat-reverse", 1955, "S", "MS", ""),
    ("lincoln-cents-wheat-reverse", 1916, "P", "PR", ""),
    ("lincoln-cents-wheat-reverse", 1958, "P", "PR", ""),
    ("mercury-dimes", 1916, "D", "MS", ""),
    ("mercury-dimes", 1921, "D", "MS", ""),
    ("mercury-dimes", 1942, "P", "MS", "42/1"),
    ("mercury-dimes", 1942, "D", "MS", "42/1"),
    ("mercury-dimes", 1945, "S", "MS", "Micro S"),
    ("mercury-dimes", 1936, "P", "PR", ""),
    ("walking-liberty-half-dollars", 1916, "D", "MS", ""),
    ("walking-liberty-half-dollars", 1917, "D", "MS", "Obverse"),
    ("walking-liberty-half-dollars", 1917, "S", "MS", "Reverse"),
    ("walking-liberty-half-dollars", 1921, "D", "MS", ""),
    ("walking-liberty-half-dollars", 1923, "S", "MS", ""),
    ("walking-liberty-half-dollars", 1938, "D", "MS", ""),
    ("walking-liberty-half-dollars", 1942, "P", "PR", ""),
    ("silver-eagles", 1986, "P", "MS", ""),
    ("silver-eagles", 1986, "S", "PR", ""),
    ("silver-eagles", 1995, "W", "PR", ""),
    ("silver-eagles", 1993, "P", "PR", ""),
    ("silver-eagles", 2006, "P", "PR", "Reverse Proof"),
    ("silver-eagles", 2006, "W", "SP", ""),
    ("silver-eagles", 2008, "W", "SP", "Reverse of 2007"),
    ("silver-eagles", 2011, "S", "SP", ""),
    ("silver-eagles", 2019, "S", "PR", "Enhanced Reverse Proof"),
    ("silver-eagles", 2021, "P", "MS", "Type 1"),
    ("silver-eagles", 2021, "W", "PR", "Type 2"),
    ("silver-eagles", 2025, "S", "PR", ""),
    ("gold-eagles", 1986, "W", "PR", "1 oz"),
    ("gold-eagles", 1987, "P", "PR", "1/2 oz"),
    ("gold-eagles", 1988, "P", "PR", "1/10 oz"),
    ("gold-eagles", 1994, "W", "PR", "1/4 oz"),
    ("gold-eagles", 1991, "P", "MS", "1/2 oz"),
    ("gold-eagles", 1999, "W", "MS", "1/10 oz Unfinished Proof Dies"),
    ("gold-eagles", 2006, "W", "PR", "1 oz Reverse Proof"),
    ("gold-eagles", 2008, "W", "SP", "1/4 oz"),
    ("gold-eagles", 2021, "P", "MS", "1 oz Type 2"),
    ("platinum-eagles", 1997, "P", "MS", "1/10 oz"),
    ("platinum-eagles", 2008, "W", "PR", "1/2 oz"),
    ("platinum-eagles", 2007, "W", "PR", "1/2 oz Reverse Proof"),
    ("platinum-eagles", 2009, "W", "PR", "1 oz"),
    ("platinum-eagles", 2014, "P", "MS", "1 oz"),
    ("gold-buffalo", 2006, "P", "MS", ""),
    ("gold-buffalo", 2006, "W", "PR", ""),
    ("gold-buffalo", 2008, "W", "SP", ""),
    ("gold-buffalo", 2008, "W", "PR", "1/10 oz"),
    ("gold-buffalo", 2013, "W", "PR", "Reverse Proof"),
]


@pytest.mark.parametrize(("series", "year", "mint", "strike", "variety"), MUST_EXIST)
def test_key_coin_exists(coins, series, year, mint, strike, variety):
    assert has(coins, series, year, mint, strike, variety), (series, year, mint, strike, variety)


# --- coins that never existed --------------------------------------------------------------

NEVER_EXISTED = [
    ("morgan-dollars", 1895, "O", "PR"),  # no branch-mint proofs in the regular series
    ("morgan-dollars", 1895, "P", "MS"),  # 1895 Philadelphia: proofs only
    ("morgan-dollars", 1910, "P", "MS"),  # no dollars 1905-1920
    ("morgan-dollars", 1887, "CC", "MS"),  # Carson City closed 1886-1888
    ("morgan-dollars", 1921, "O", "MS"),
    ("peace-dollars", 1935, "D", "MS"),
    ("peace-dollars", 1921, "S", "MS"),
    ("peace-dollars", 1928, "D", "MS"),
    ("peace-dollars", 1930, "P", "MS"),
    ("walking-liberty-half-dollars", 1922, "D", "MS"),
    ("walking-liberty-half-dollars", 1922, "P", "MS"),
    ("walking-liberty-half-dollars", 1938, "S", "MS"),
    ("walking-liberty-half-dollars", 1940, "D", "MS"),
    ("walking-liberty-half-dollars", 1947, "S", "MS"),
    ("walking-liberty-half-dollars", 1928, "P", "MS"),
    ("walking-liberty-half-dollars", 1943, "P", "PR"),
    ("mercury-dimes", 1921, "S", "MS"),
    ("mercury-dimes", 1922, "P", "MS"),
    ("mercury-dimes", 1923, "D", "MS"),
    ("mercury-dimes", 1930, "D", "MS"),
    ("mercury-dimes", 1933, "P", "MS"),
    ("mercury-dimes", 1934, "S", "MS"),
    ("mercury-dimes", 1935, "P", "PR"),
    ("lincoln-cents-wheat-reverse", 1909, "D", "MS"),
    ("lincoln-cents-wheat-reverse", 1910, "D", "MS"),
    ("lincoln-cents-wheat-reverse", 1921, "D", "MS"),
    ("lincoln-cents-wheat-reverse", 1922, "S", "MS"),
    ("lincoln-cents-wheat-reverse", 1923, "D", "MS"),
    ("lincoln-cents-wheat-reverse", 1933, "S", "MS"),
    ("lincoln-cents-wheat-reverse", 1956, "S", "MS"),
    ("lincoln-cents-wheat-reverse", 1943, "P", "PR"),
    ("lincoln-cents-wheat-reverse", 1920, "P", "PR"),
    ("silver-eagles", 2009, "W", "PR"),  # no proof silver eagles in 2009
    ("silver-eagles", 2009, "W", "SP"),
    ("silver-eagles", 2010, "W", "SP"),
    ("silver-eagles", 2005, "W", "SP"),  # burnished coins began in 2006
    ("silver-eagles", 2016, "S", "PR"),
    ("gold-eagles", 2009, "W", "PR"),
    ("gold-eagles", 1986, "P", "PR"),
    ("gold-eagles", 1994, "P", "PR"),
    ("gold-eagles", 2010, "W", "SP"),
    ("platinum-eagles", 2010, "P", "MS"),  # bullion suspended 2009-2013
    ("platinum-eagles", 1996, "P", "MS"),
    ("gold-buffalo", 2005, "P", "MS"),
    ("gold-buffalo", 2009, "W", "SP"),
]


@pytest.mark.parametrize(("series", "year", "mint", "strike"), NEVER_EXISTED)
def test_nonexistent_coin_absent(coins, series, year, mint, strike):
    assert not has_any(coins, series, year, mint, strike), (series, year, mint, strike)


def test_fractional_platinum_ended_in_2008(coins):
    fractional = [c for c in coins if c.series == "platinum-eagles" and c.variety.startswith(("1/10", "1/4", "1/2"))]
    assert fractional
    assert max(c.year for c in fractional) == 2008


def test_fractional_buffalo_only_2008_collector_coins(coins):
    fractional = [c for c in coins if c.series == "gold-buffalo" and c.variety.startswith(("1/10", "1/4", "1/2"))]
    assert {c.year for c in fractional} == {2008}
    assert {c.strike for c in fractional} == {"PR", "SP"}  # no fractional bullion
    assert {c.mint_mark for c in fractional} == {"W"}


def test_replaced_plain_coins_are_gone(coins):
    # PCGS numbers only the types/kinds: the plain coin would be a coin that does not exist.
    assert not has(coins, "silver-eagles", 2021, "P", "MS")
    assert not has(coins, "gold-eagles", 2021, "P", "MS", "1 oz")
    assert not has(coins, "walking-liberty-half-dollars", 1917, "D", "MS")
    assert not has(coins, "lincoln-cents-wheat-reverse", 1936, "P", "PR")
    assert not has(coins, "morgan-dollars", 1878, "P", "MS")
    assert not has(coins, "morgan-dollars", 1921, "P", "PR")
    assert not has(coins, "peace-dollars", 1922, "P", "PR")
    # 1922 cents: Denver only, the "No D" coins are varieties, not a plain Philadelphia cent.
    assert not has(coins, "lincoln-cents-wheat-reverse", 1922, "P", "MS")


def test_classic_proofs_are_philadelphia_only(coins):
    classic = {"morgan-dollars", "peace-dollars", "lincoln-cents-wheat-reverse", "mercury-dimes",
               "walking-liberty-half-dollars"}
    mints = {c.mint_mark for c in coins if c.series in classic and c.strike == "PR" and c.year < 2021}
    assert mints == {"P"}
    # the anniversary Morgan and Peace proofs (2023 on) are San Francisco's
    assert {c.mint_mark for c in coins if c.series in classic and c.strike == "PR" and c.year >= 2021} == {"S"}


def test_bullion_collector_coins_are_west_point_or_special_sets(coins):
    sp = {(c.series, c.mint_mark) for c in coins if c.strike == "SP"}
    assert {m for _, m in sp} <= {"W", "S"}
    assert ("silver-eagles", "S") in sp  # 2011-S burnished


# --- composition --------------------------------------------------------------------------

def test_wheat_cent_compositions(coins):
    steel = base(coins, "lincoln-cents-wheat-reverse", 1943, "D")
    assert "Steel" in steel.metal and steel.weight_g == Decimal("2.70")
    shell = base(coins, "lincoln-cents-wheat-reverse", 1944, "P")
    assert shell.metal == "95% Copper, 5% Zinc"
    bronze = base(coins, "lincoln-cents-wheat-reverse", 1942, "P")
    assert "Tin" in bronze.metal and bronze.weight_g == Decimal("3.11")
    assert base(coins, "lincoln-cents-wheat-reverse", 1947, "S").metal == bronze.metal
    assert steel.metal_oz is None and bronze.precious_metal is None


@pytest.mark.parametrize(("series", "year", "mint", "oz"), [
    ("morgan-dollars", 1881, "S", Decimal("0.77345")),
    ("peace-dollars", 1922, "P", Decimal("0.77345")),
    ("mercury-dimes", 1916, "D", Decimal("0.07234")),
    ("walking-liberty-half-dollars", 1921, "P", Decimal("0.36170")),
])
def test_classic_silver_content(coins, series, year, mint, oz):
    coin = base(coins, series, year, mint)
    assert coin.precious_metal == "silver"
    assert coin.fineness == Decimal("0.9")
    assert coin.metal_oz == oz


def test_bullion_metal_content(coins):
    ase = base(coins, "silver-eagles", 2000, "P")
    assert (ase.precious_metal, ase.fineness, ase.metal_oz, ase.weight_g) == (
        "silver", Decimal("0.999"), Decimal("1.0"), Decimal("31.103"))
    tenth = base(coins, "gold-eagles", 2000, "P", variety="1/10 oz")
    assert (tenth.precious_metal, tenth.fineness, tenth.metal_oz, tenth.denomination) == (
        "gold", Decimal("0.9167"), Decimal("0.1"), "$5")
    ounce = base(coins, "gold-eagles", 2000, "P", variety="1 oz")
    assert ounce.metal_oz == Decimal("1.0") and ounce.denomination == "$50"
    half = base(coins, "gold-eagles", 2021, "W", "PR", "1/2 oz Type 2")
    assert half.metal_oz == Decimal("0.5") and half.denomination == "$25"
    unfinished = base(coins, "gold-eagles", 1999, "W", variety="1/4 oz Unfinished Proof Dies")
    assert unfinished.metal_oz == Decimal("0.25") and unfinished.denomination == "$10"
    buffalo = base(coins, "gold-buffalo", 2010, "P")
    assert (buffalo.fineness, buffalo.metal_oz) == (Decimal("0.9999"), Decimal("1.0"))
    assert base(coins, "gold-buffalo", 2008, "W", "PR", "1/4 oz").metal_oz == Decimal("0.25")
    platinum = base(coins, "platinum-eagles", 2000, "W", "PR", "1/2 oz")
    assert (platinum.precious_metal, platinum.fineness, platinum.metal_oz, platinum.denomination) == (
        "platinum", Decimal("0.9995"), Decimal("0.5"), "$50")


# --- designations -------------------------------------------------------------------------

def designations(coins, series, year, mint, strike="MS", variety=""):
    return {c.designation for c in coins
            if c.base_key == (series, year, mint, strike, variety, "") and c.designation}


def test_designations(coins):
    assert designations(coins, "morgan-dollars", 1881, "S") == {"PL", "DMPL"}
    assert designations(coins, "peace-dollars", 1934, "S") == {"PL", "DMPL"}
    assert designations(coins, "mercury-dimes", 1942, "D", variety="42/1") == {"FB"}
    assert designations(coins, "mercury-dimes", 1940, "P", "PR") == {"CAM", "DCAM"}
    assert designations(coins, "lincoln-cents-wheat-reverse", 1909, "S", variety="VDB") == {"BN", "RB", "RD"}
    assert designations(coins, "lincoln-cents-wheat-reverse", 1943, "P") == set()  # steel: no color
    assert designations(coins, "lincoln-cents-wheat-reverse", 1912, "P", "PR") == {"BN", "RB", "RD"}
    assert designations(coins, "lincoln-cents-wheat-reverse", 1955, "P", "PR") == {"BN", "RB", "RD", "CAM", "DCAM"}
    assert designations(coins, "walking-liberty-half-dollars", 1941, "P") == set()
    assert designations(coins, "silver-eagles", 1986, "S", "PR") == {"DCAM"}
    assert designations(coins, "silver-eagles", 2006, "P", "PR", "Reverse Proof") == set()
    assert designations(coins, "silver-eagles", 2011, "W", "SP") == set()
    assert designations(coins, "gold-eagles", 1990, "W", "PR", "1 oz") == {"DCAM"}
    assert designations(coins, "gold-buffalo", 2013, "W", "PR", "Reverse Proof") == set()


# --- names and mintages -------------------------------------------------------------------

def test_names(coins):
    vdb = [c for c in coins if c.base_key == ("lincoln-cents-wheat-reverse", 1909, "S", "MS", "VDB", "")]
    assert {c.full_name for c in vdb} == {"1909-S VDB Lincoln Cent", "1909-S VDB Lincoln Cent RD",
                                          "1909-S VDB Lincoln Cent RB", "1909-S VDB Lincoln Cent BN"}
    assert {c.short_name for c in vdb} >= {"1909-S 1C VDB", "1909-S 1C VDB, RD"}
    assert base(coins, "silver-eagles", 1986, "S", "PR").full_name == "1986-S Silver Eagle Proof"
    assert base(coins, "silver-eagles", 1986, "P").full_name == "1986 Silver Eagle"
    assert base(coins, "morgan-dollars", 1881, "P").full_name == "1881 Morgan Dollar"
    assert base(coins, "silver-eagles", 2011, "W", "SP").full_name == "2011-W Silver Eagle Specimen"
    assert base(coins, "gold-eagles", 1986, "P", variety="1/10 oz").short_name == "1986 $5 1/10 oz"


def test_mintages(coins):
    assert base(coins, "lincoln-cents-wheat-reverse", 1909, "S", variety="VDB").mintage == 484000
    assert base(coins, "mercury-dimes", 1916, "D").mintage == 264000
    assert base(coins, "peace-dollars", 1928, "P").mintage == 360649
    assert base(coins, "morgan-dollars", 1893, "S").mintage == 100000
    assert base(coins, "walking-liberty-half-dollars", 1921, "D").mintage == 208000
    assert base(coins, "silver-eagles", 1995, "W", "PR").mintage == 30125
    assert base(coins, "lincoln-cents-wheat-reverse", 1922, "P", variety="No D Weak Reverse").mintage is None


# --- counts --------------------------------------------------------------------------------

@pytest.mark.parametrize(("series", "low", "high"), [
    ("silver-eagles", 115, 135),
    ("gold-eagles", 335, 370),
    ("platinum-eagles", 130, 150),
    ("gold-buffalo", 44, 55),
    ("morgan-dollars", 142, 162),  # 12 anniversary coins 2021-2025
    ("peace-dollars", 34, 40),  # 8 anniversary coins 2021-2025
    ("lincoln-cents-wheat-reverse", 165, 190),
    ("mercury-dimes", 82, 92),
    ("walking-liberty-half-dollars", 68, 78),
])
def test_base_count_per_series(coins, series, low, high):
    count = sum(1 for c in coins if c.series == series and not c.designation)
    assert low <= count <= high, count


def test_years_within_series_range(coins):
    ranges = {"morgan-dollars": (1878, 2025), "peace-dollars": (1921, 2025),
              "lincoln-cents-wheat-reverse": (1909, 1958), "mercury-dimes": (1916, 1945),
              "walking-liberty-half-dollars": (1916, 1947), "silver-eagles": (1986, 2025),
              "gold-eagles": (1986, 2025), "platinum-eagles": (1997, 2025), "gold-buffalo": (2006, 2025)}
    for coin in coins:
        low, high = ranges[coin.series]
        assert low <= coin.year <= high, coin.full_name
    assert not any(c.series == "morgan-dollars" and 1905 <= c.year <= 1920 for c in coins)
    assert not any(c.series == "peace-dollars" and 1929 <= c.year <= 1933 for c in coins)
    # the anniversary coins start in 2021, and none were struck in 2022
    assert not any(c.series in ("morgan-dollars", "peace-dollars") and 1936 <= c.year <= 2020 and
                   not (c.series == "morgan-dollars" and c.year <= 1921) for c in coins)
    assert not any(c.series in ("morgan-dollars", "peace-dollars") and c.year == 2022 for c in coins)


def test_every_year_of_continuous_series_present(coins):
    for year in range(1986, 2026):
        assert has_any(coins, "silver-eagles", year, "P", "MS"), year
        assert has_any(coins, "gold-eagles", year, "P", "MS"), year
    for year in range(1909, 1959):
        assert any(c.series == "lincoln-cents-wheat-reverse" and c.year == year for c in coins), year
