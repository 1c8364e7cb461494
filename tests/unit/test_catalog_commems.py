"""Fact checks for the commemorative series of the built-in catalog: classic commemoratives
(1892-1954), modern commemoratives in silver, gold and clad (1982 on) and the First Spouse gold coins.

Each test states a numismatic fact (an issue and the mints that struck it, a proof-only coin, a
year without commemoratives, a composition, a count) and checks it against the expanded catalog,
so a wrong edit of one of these fact files fails here.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from coinref.catalog.builtin import load_catalog

CLASSIC = "classic-commemoratives"
SILVER = "modern-commemoratives-silver"
GOLD = "modern-commemoratives-gold"
CLAD = "modern-commemoratives-clad"
SPOUSE = "first-spouse-gold"
SERIES = [CLASSIC, SILVER, GOLD, CLAD, SPOUSE]


@pytest.fixture(scope="module")
def coins():
    return load_catalog(SERIES)


@pytest.fixture(scope="module")
def bases(coins):
    return {c.base_key[:5]: c for c in coins if not c.designation}


def find(bases, series, year, mint, strike, variety):
    return bases.get((series, year, mint, strike, variety))


def levels(coins, series):
    """The (year, mint, strike) combinations a series has, whatever the variety."""
    return {(c.year, c.mint_mark, c.strike) for c in coins if c.series == series}


# --- coins that must exist -----------------------------------------------------------------

MUST_EXIST = [
    # classic: the first issues, the gold, the key dates and the multi-mint sets
    (CLASSIC, 1892, "P", "MS", "Columbian Expo"),
    (CLASSIC, 1893, "P", "PR", "Isabella"),
    (CLASSIC, 1900, "P", "MS", "Lafayette"),
    (CLASSIC, 1903, "P", "PR", "Louisiana Purchase McKinley"),
    (CLASSIC, 1915, "S", "MS", "Panama-Pacific Round"),
    (CLASSIC, 1915, "S", "MS", "Panama-Pacific Octagonal"),
    (CLASSIC, 1915, "S", "MS", "Panama-Pacific Quarter Eagle"),
    (CLASSIC, 1921, "P", "MS", "Alabama 2X2"),
    (CLASSIC, 1921, "P", "MS", "Missouri 2★4"),
    (CLASSIC, 1922, "P", "MS", "Grant With Star Gold Dollar"),
    (CLASSIC, 1923, "S", "MS", "Monroe Doctrine"),
    (CLASSIC, 1926, "P", "MS", "Sesquicentennial Quarter Eagle"),
    (CLASSIC, 1928, "P", "PR", "Hawaiian"),
    (CLASSIC, 1933, "D", "MS", "Oregon Trail"),
    (CLASSIC, 1935, "D", "MS", "Boone Small 1934"),
    (CLASSIC, 1935, "S", "MS", "San Diego"),
    (CLASSIC, 1936, "D", "MS", "San Diego"),
    (CLASSIC, 1936, "S", "MS", "Bay Bridge"),
    (CLASSIC, 1939, "S", "MS", "Arkansas"),
    (CLASSIC, 1946, "P", "MS", "Iowa"),
    (CLASSIC, 1951, "S", "MS", "Booker T. Washington"),
    (CLASSIC, 1954, "D", "MS", "Carver/Washington"),
    # modern silver
    (SILVER, 1982, "D", "MS", "Washington 250th Anniversary"),
    (SILVER, 1982, "S", "PR", "Washington 250th Anniversary"),
    (SILVER, 1983, "S", "MS", "Los Angeles Olympics"),
    (SILVER, 1990, "W", "MS", "Eisenhower Centennial"),
    (SILVER, 1993, "S", "PR", "Bill of Rights Half Dollar"),
    (SILVER, 1993, "S", "PR", "Bill of Rights Dollar"),
    (SILVER, 1993, "P", "MS", "Thomas Jefferson"),
    (SILVER, 2001, "D", "MS", "American Buffalo"),
    (SILVER, 2015, "W", "PR", "March of Dimes"),
    (SILVER, 2019, "P", "PR", "Apollo 11 5 oz"),
    (SILVER, 2022, "P", "PR", "Purple Heart Hall of Honor Colorized"),
    (SILVER, 2024, "P", "MS", "Harriet Tubman"),
    (SILVER, 2025, "P", "PR", "Marine Corps 250th Anniversary"),
    # modern gold: the 1984 $10 proofs at four mints, the exceptions to West Point
    (GOLD, 1984, "W", "MS", "Los Angeles Olympics"),
    (GOLD, 1984, "P", "PR", "Los Angeles Olympics"),
    (GOLD, 1984, "D", "PR", "Los Angeles Olympics"),
    (GOLD, 1984, "S", "PR", "Los Angeles Olympics"),
    (GOLD, 1984, "W", "PR", "Los Angeles Olympics"),
    (GOLD, 1997, "W", "MS", "Jackie Robinson"),
    (GOLD, 2000, "W", "MS", "Library of Congress"),
    (GOLD, 2006, "S", "PR", "San Francisco Old Mint"),
    (GOLD, 2011, "P", "PR", "Medal of Honor"),
    (GOLD, 2013, "P", "MS", "Five-Star Generals"),
    # modern clad
    (CLAD, 1986, "D", "MS", "Statue of Liberty"),
    (CLAD, 1994, "P", "PR", "World Cup"),
    (CLAD, 1995, "S", "MS", "Olympic Baseball"),
    (CLAD, 2020, "S", "PR", "Basketball Hall of Fame Colorized"),
    # first spouse gold
    (SPOUSE, 2007, "W", "MS", "Martha Washington"),
    (SPOUSE, 2007, "W", "PR", "Thomas Jefferson's Liberty"),
    (SPOUSE, 2010, "W", "MS", "James Buchanan's Liberty"),
    (SPOUSE, 2012, "W", "PR", "Alice Paul"),
    (SPOUSE, 2012, "W", "MS", "Frances Cleveland Variety 2"),
    (SPOUSE, 2020, "W", "PR", "Barbara Bush"),
]


@pytest.mark.parametrize("key", MUST_EXIST, ids=lambda k: f"{k[0]}-{k[1]}-{k[2]}-{k[3]}-{k[4]}")
def test_coin_exists(bases, key):
    assert find(bases, *key) is not None, f"missing {key}"


# --- coins that never existed --------------------------------------------------------------

MUST_NOT_EXIST = [
    (CLASSIC, 1934, "D", "MS", "Boone"),  # the 1934 Boone is Philadelphia only
    (CLASSIC, 1934, "D", "MS", "Texas"),
    (CLASSIC, 1935, "P", "MS", "Oregon Trail"),  # no Oregon Trail 1929-1932 or 1935
    (CLASSIC, 1937, "P", "MS", "Oregon Trail"),  # 1937 is Denver only
    (CLASSIC, 1900, "P", "PR", "Lafayette"),
    (CLASSIC, 1952, "P", "MS", "Booker T. Washington"),  # replaced by Carver/Washington in 1951
    (CLASSIC, 1950, "P", "MS", "Carver/Washington"),
    (SILVER, 1983, "P", "PR", "Los Angeles Olympics"),  # Olympic dollar proofs are San Francisco
    (SILVER, 1984, "W", "MS", "Los Angeles Olympics"),
    (SILVER, 1993, "S", "PR", "Bill of Rights"),  # the subject alone would be ambiguous
    (GOLD, 1984, "P", "MS", "Los Angeles Olympics"),  # uncirculated $10 only at West Point
    (GOLD, 1986, "S", "PR", "Statue of Liberty"),
    (CLAD, 1986, "P", "MS", "Statue of Liberty"),
    (SPOUSE, 2007, "P", "PR", "Martha Washington"),
]


@pytest.mark.parametrize("key", MUST_NOT_EXIST, ids=lambda k: f"{k[0]}-{k[1]}-{k[2]}-{k[3]}-{k[4]}")
def test_coin_never_existed(bases, key):
    assert find(bases, *key) is None, f"{key} never existed"


def test_years_without_classic_commemoratives(coins):
    years = {y for y, _m, _s in levels(coins, CLASSIC)}
    # No commemoratives 1894-1899, 1901-1902, 1906-1914, 1919, 1929-1932, 1940-1945.
    quiet = set(range(1894, 1900)) | {1901, 1902} | set(range(1906, 1915)) | {1919}
    quiet |= set(range(1929, 1933)) | set(range(1940, 1946))
    assert not years & quiet
    assert min(years) == 1892 and max(years) == 1954


def test_classic_proofs_are_only_the_documented_ones(coins):
    proofs = {(y, m) for y, m, s in levels(coins, CLASSIC) if s == "PR"}
    assert proofs == {(1892, "P"), (1893, "P"), (1903, "P"), (1928, "P")}


def test_first_spouse_years_and_mint(coins):
    spouse = [c for c in coins if c.series == SPOUSE and not c.designation]
    assert {c.mint_mark for c in spouse} == {"W"}
    assert {c.year for c in spouse} == set(range(2007, 2017)) | {2020}
    per_year = {y: sum(1 for c in spouse if c.year == y and c.strike == "MS") for y in range(2007, 2021)}
    assert per_year[2009] == 5 and per_year[2013] == 5 and per_year[2016] == 3 and per_year[2020] == 1
    assert per_year[2017] == per_year[2018] == per_year[2019] == 0


def test_modern_mints_by_strike(coins):
    # No modern silver dollar was ever struck for uncirculated sale at West Point in 1983-1984, and no
    # modern gold commemorative came from Denver except the 1984 $10 proof.
    gold_denver = {(y, s) for y, m, s in levels(coins, GOLD) if m == "D"}
    assert gold_denver == {(1984, "PR")}
    clad_years = {y for y, _m, _s in levels(coins, CLAD)}
    assert min(clad_years) == 1986
    assert not clad_years & {1987, 1988, 1990, 1997, 1998, 1999, 2000, 2002, 2012}


def test_no_modern_commemoratives_in_1985_or_2023(coins):
    # 1985 fell between the Los Angeles Olympics and the Statue of Liberty programs; Congress
    # authorized nothing for 2023 (the Harriet Tubman coins are dated 2024).
    for series in (SILVER, GOLD, CLAD):
        years = {y for y, _m, _s in levels(coins, series)}
        assert 1985 not in years and 2023 not in years, series
        assert 2024 in years and 2025 in years, series


# --- compositions --------------------------------------------------------------------------

def test_classic_compositions(bases):
    isabella = find(bases, CLASSIC, 1893, "P", "MS", "Isabella")
    assert isabella.denomination == "25C" and isabella.weight_g == Decimal("6.25")
    assert isabella.fineness == Decimal("0.9") and isabella.precious_metal == "silver"
    fifty = find(bases, CLASSIC, 1915, "S", "MS", "Panama-Pacific Octagonal")
    assert fifty.denomination == "$50" and fifty.weight_g == Decimal("83.59") and fifty.precious_metal == "gold"
    assert Decimal("2.41") < fifty.metal_oz < Decimal("2.43")
    gold_dollar = find(bases, CLASSIC, 1903, "P", "MS", "Louisiana Purchase Jefferson")
    assert gold_dollar.denomination == "G$1" and gold_dollar.weight_g == Decimal("1.672")
    half = find(bases, CLASSIC, 1936, "P", "MS", "York")
    assert half.weight_g == Decimal("12.5") and Decimal("0.361") < half.metal_oz < Decimal("0.362")


def test_modern_silver_went_999_in_2019(bases):
    old = find(bases, SILVER, 2018, "P", "MS", "World War I Centennial")
    new = find(bases, SILVER, 2019, "P", "MS", "Apollo 11")
    assert old.fineness == Decimal("0.9") and new.fineness == Decimal("0.999")
    assert old.weight_g == new.weight_g == Decimal("26.73")
    big = find(bases, SILVER, 2019, "P", "PR", "Apollo 11 5 oz")
    assert big.metal_oz == Decimal("5.0") and big.denomination == "$1"
    half = find(bases, SILVER, 1982, "S", "PR", "Washington 250th Anniversary")
    assert half.denomination == "50C" and half.weight_g == Decimal("12.5")


def test_modern_gold_compositions(bases):
    five = find(bases, GOLD, 1986, "W", "MS", "Statue of Liberty")
    assert five.denomination == "$5" and five.weight_g == Decimal("8.359") and five.fineness == Decimal("0.9")
    ten = find(bases, GOLD, 1984, "W", "PR", "Los Angeles Olympics")
    assert ten.denomination == "$10" and ten.weight_g == Decimal("16.718")
    pink = find(bases, GOLD, 2018, "W", "PR", "Breast Cancer Awareness")
    assert pink.fineness == Decimal("0.85")
    library = find(bases, GOLD, 2000, "W", "PR", "Library of Congress")
    assert library.denomination == "$10" and "platinum" in library.metal.lower()


def test_clad_and_first_spouse_compositions(bases):
    clad = find(bases, CLAD, 2014, "D", "MS", "Baseball Hall of Fame")
    assert clad.precious_metal is None and clad.metal_oz is None and clad.weight_g == Decimal("11.34")
    spouse = find(bases, SPOUSE, 2007, "W", "MS", "Martha Washington")
    assert spouse.denomination == "$10" and spouse.metal_oz == Decimal("0.5")
    assert spouse.fineness == Decimal("0.9999") and spouse.weight_g == Decimal("15.552")


# --- designations, names, mintages ---------------------------------------------------------

def test_modern_proofs_have_dcam_and_business_strikes_none(coins):
    for series in (SILVER, GOLD, CLAD, SPOUSE):
        entries = [c for c in coins if c.series == series and c.designation]
        assert entries and {c.designation for c in entries} == {"DCAM"}
        assert {c.strike for c in entries} == {"PR"}
        proofs = sum(1 for c in coins if c.series == series and c.strike == "PR" and not c.designation)
        assert len(entries) == proofs


def test_names(bases):
    coin = find(bases, CLASSIC, 1921, "P", "MS", "Alabama 2X2")
    assert coin.full_name == "1921 Alabama 2X2 Commemorative Half Dollar"
    assert coin.short_name == "1921 50C Alabama 2X2"
    proof = find(bases, SILVER, 1986, "S", "PR", "Statue of Liberty")
    assert proof.full_name == "1986-S Statue of Liberty Commemorative Silver Dollar Proof"
    unc = find(bases, SILVER, 1986, "P", "MS", "Statue of Liberty")
    assert unc.full_name.startswith("1986-P ")  # modern commemoratives show the P mint mark
    assert find(bases, CLASSIC, 1925, "P", "MS", "Fort Vancouver").full_name.startswith("1925 Fort")


def test_mintages(bases):
    assert find(bases, GOLD, 1997, "W", "MS", "Jackie Robinson").mintage == 5174
    assert find(bases, CLASSIC, 1915, "S", "MS", "Panama-Pacific Round").mintage == 483
    assert find(bases, CLASSIC, 1915, "S", "MS", "Panama-Pacific Octagonal").mintage == 645
    assert find(bases, CLASSIC, 1893, "P", "MS", "Isabella").mintage == 24214
    assert find(bases, CLASSIC, 1903, "P", "PR", "Louisiana Purchase Jefferson").mintage == 100


# --- counts --------------------------------------------------------------------------------

@pytest.mark.parametrize(("series", "low", "high"), [
    (CLASSIC, 155, 175),  # 157 business strikes + 6 proofs
    (SILVER, 180, 200),  # 92 issues x 2 + 4 proof-only coins
    (GOLD, 90, 105),  # 46 issues x 2 + 3 extra 1984 proofs + 2 Mayflower proofs
    (CLAD, 58, 70),  # 31 issues x 2 + 1 colorized proof
    (SPOUSE, 84, 84),  # 42 first spouses x (MS, PR)
])
def test_counts(coins, series, low, high):
    count = sum(1 for c in coins if c.series == series and not c.designation)
    assert low <= count <= high, f"{series}: {count} base coins"


def test_classic_silver_set_is_the_144_piece_set(coins):
    silver = [c for c in coins if c.series == CLASSIC and c.strike == "MS" and c.precious_metal == "silver"
              and not c.designation]
    assert len(silver) == 144
