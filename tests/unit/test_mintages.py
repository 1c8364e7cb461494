"""Mintages in the fact files: well-known figures across the tiers, ``unknown``, sources, coverage.

The figures below are the Mint's as printed in A Guide Book of United States Coins (the Red Book)
and checked against a second reference (see each file's ``mintage_sources``); they are typed here
by hand, independently of the fact files, so a wrong key or figure in a file fails the test.
"""

from __future__ import annotations

from collections import Counter

import pytest

from coinref.catalog.builtin import CatalogError, expand, load_all_facts, load_catalog, parse_facts
from coinref.catalog.series import all_series

CATALOG = load_catalog()
BASE = {(c.series, c.year, c.mint_mark, c.strike, c.variety): c for c in CATALOG if not c.designation}

# (series, year, mint, strike, variety, mintage)
WELL_KNOWN = [
    # P0
    ("morgan-dollars", 1878, "P", "MS", "8TF", 749_500),
    ("morgan-dollars", 1878, "CC", "MS", "", 2_212_000),
    ("morgan-dollars", 1889, "CC", "MS", "", 350_000),
    ("morgan-dollars", 1893, "S", "MS", "", 100_000),
    ("morgan-dollars", 1894, "P", "MS", "", 110_000),
    ("morgan-dollars", 1895, "P", "PR", "", 880),
    ("morgan-dollars", 1903, "O", "MS", "", 4_450_000),
    ("morgan-dollars", 1921, "D", "MS", "", 20_345_000),
    ("peace-dollars", 1921, "P", "MS", "", 1_006_473),
    ("peace-dollars", 1928, "P", "MS", "", 360_649),
    ("peace-dollars", 1934, "S", "MS", "", 1_011_000),
    ("peace-dollars", 1922, "P", "MS", "High Relief", 35_401),
    ("lincoln-cents-wheat-reverse", 1909, "S", "MS", "VDB", 484_000),
    ("lincoln-cents-wheat-reverse", 1909, "S", "MS", "", 1_825_000),
    ("lincoln-cents-wheat-reverse", 1914, "D", "MS", "", 1_193_000),
    ("lincoln-cents-wheat-reverse", 1931, "S", "MS", "", 866_000),
    ("lincoln-cents-wheat-reverse", 1943, "P", "MS", "", 684_628_670),
    ("lincoln-cents-wheat-reverse", 1955, "S", "MS", "", 44_610_000),
    ("lincoln-cents-wheat-reverse", 1950, "P", "PR", "", 51_386),
    ("mercury-dimes", 1916, "D", "MS", "", 264_000),
    ("mercury-dimes", 1921, "P", "MS", "", 1_230_000),
    ("mercury-dimes", 1921, "D", "MS", "", 1_080_000),
    ("mercury-dimes", 1942, "P", "PR", "", 22_329),
    ("walking-liberty-half-dollars", 1916, "P", "MS", "", 608_000),
    ("walking-liberty-half-dollars", 1921, "D", "MS", "", 208_000),
    ("walking-liberty-half-dollars", 1938, "D", "MS", "", 491_600),
    ("walking-liberty-half-dollars", 1917, "S", "MS", "Obverse", 952_000),
    ("silver-eagles", 1986, "P", "MS", "", 5_393_005),
    ("silver-eagles", 1994, "P", "MS", "", 4_227_319),
    ("silver-eagles", 1994, "P", "PR", "", 372_168),
    ("silver-eagles", 1995, "W", "PR", "", 30_125),
    ("gold-eagles", 1999, "P", "MS", "1 oz", 1_505_026),
    ("gold-eagles", 2007, "P", "MS", "1/4 oz", 34_004),
    ("platinum-eagles", 1998, "P", "MS", "1 oz", 133_002),
    ("platinum-eagles", 2005, "P", "MS", "1/10 oz", 14_013),
    # P1
    ("buffalo-nickels", 1913, "P", "MS", "Type 1", 30_992_000),
    ("buffalo-nickels", 1926, "S", "MS", "", 970_000),
    ("buffalo-nickels", 1931, "S", "MS", "", 1_200_000),
    ("buffalo-nickels", 1938, "D", "MS", "", 7_020_000),
    ("standing-liberty-quarters", 1916, "P", "MS", "", 52_000),
    ("standing-liberty-quarters", 1927, "S", "MS", "", 396_000),
    ("washington-quarters", 1932, "D", "MS", "", 436_800),
    ("washington-quarters", 1932, "S", "MS", "", 408_000),
    ("washington-quarters", 1965, "P", "MS", "", 1_819_717_540),
    ("washington-quarters", 1983, "P", "MS", "", 673_535_000),
    ("washington-quarters", 1965, "P", "SP", "SMS", 2_360_000),
    ("jefferson-nickels", 1950, "D", "MS", "", 2_630_030),
    ("jefferson-nickels", 1939, "D", "MS", "", 3_514_000),
    ("jefferson-nickels", 1942, "P", "MS", "Type 2", 57_873_000),
    ("roosevelt-dimes", 1949, "S", "MS", "", 13_510_000),
    ("roosevelt-dimes", 1955, "P", "MS", "", 12_450_181),
    ("franklin-half-dollars", 1948, "P", "MS", "", 3_006_814),
    ("franklin-half-dollars", 1955, "P", "MS", "", 2_498_181),
    ("kennedy-half-dollars", 1970, "D", "MS", "", 2_150_000),
    ("kennedy-half-dollars", 1964, "P", "PR", "", 3_950_762),
    ("kennedy-half-dollars", 1995, "D", "MS", "", 26_288_000),
    ("kennedy-half-dollars", 2008, "P", "MS", "", 1_700_000),
    ("eisenhower-dollars", 1973, "P", "MS", "", 2_000_056),
    ("eisenhower-dollars", 1971, "S", "PR", "Silver", 4_265_234),
    ("susan-b-anthony-dollars", 1981, "P", "MS", "", 3_000_000),
    ("state-quarters", 2000, "P", "MS", "Virginia", 943_000_000),
    ("state-quarters", 2008, "D", "MS", "Oklahoma", 194_600_000),
    ("america-beautiful-quarters", 2011, "P", "MS", "Chickasaw", 73_800_000),
    ("america-beautiful-quarters", 2012, "S", "MS", "El Yunque", 1_680_140),
    ("america-beautiful-quarters", 2019, "W", "MS", "Lowell", 2_000_000),
    ("sacagawea-dollars", 2000, "P", "MS", "", 767_140_000),
    ("presidential-dollars", 2007, "P", "MS", "George Washington", 176_680_000),
    ("presidential-dollars", 2010, "P", "MS", "Abraham Lincoln", 49_000_000),
    ("presidential-dollars", 2009, "D", "MS", "Zachary Taylor", 36_680_000),
    # P2
    ("barber-dimes", 1894, "S", "MS", "", 24),
    ("barber-quarters", 1901, "S", "MS", "", 72_664),
    ("barber-quarters", 1913, "S", "MS", "", 40_000),
    ("barber-half-dollars", 1892, "O", "MS", "", 390_000),
    ("indian-head-cents", 1877, "P", "MS", "", 852_500),
    ("indian-head-cents", 1909, "S", "MS", "", 309_000),
    ("liberty-nickels", 1885, "P", "MS", "", 1_472_700),
    ("liberty-nickels", 1912, "S", "MS", "", 238_000),
    ("trade-dollars", 1878, "CC", "MS", "", 97_000),
    ("seated-liberty-dollars", 1870, "CC", "MS", "", 11_758),
    ("seated-liberty-quarters", 1873, "CC", "MS", "No Arrows", 4_000),
    ("lincoln-cents-memorial", 1969, "S", "MS", "", 544_375_000),
    # P3
    ("three-cent-silver", 1855, "P", "MS", "", 139_000),
    ("two-cent-pieces", 1872, "P", "MS", "", 65_000),
    ("twenty-cent-pieces", 1876, "CC", "MS", "", 10_000),
    ("quarter-eagles-indian", 1911, "D", "MS", "", 55_680),
    ("half-eagles-indian", 1909, "O", "MS", "", 34_200),
    ("eagles-indian", 1933, "P", "MS", "", 312_500),
    ("double-eagles-saint-gaudens", 1927, "D", "MS", "", 180_000),
    ("double-eagles-saint-gaudens", 1907, "P", "MS", "", 361_667),
    ("double-eagles-liberty", 1882, "P", "MS", "", 571),
    ("gold-dollars", 1875, "P", "MS", "", 400),
    ("three-dollar-gold", 1854, "D", "MS", "", 1_120),
    ("large-cents", 1804, "P", "MS", "", 96_500),
    ("large-cents", 1793, "P", "MS", "Liberty Cap", 11_056),
    ("bust-quarters", 1796, "P", "MS", "", 6_146),
    ("bust-dollars", 1794, "P", "MS", "", 1_758),
    ("classic-commemoratives", 1893, "P", "MS", "Isabella", 24_214),
    ("classic-commemoratives", 1915, "S", "MS", "Panama-Pacific Round", 483),
    ("classic-commemoratives", 1928, "P", "MS", "Hawaiian", 9_958),
    ("modern-commemoratives-silver", 1983, "P", "MS", "Los Angeles Olympics", 294_543),
    ("modern-commemoratives-silver", 1982, "S", "PR", "Washington 250th Anniversary", 4_894_044),
    ("modern-commemoratives-gold", 1984, "W", "MS", "Los Angeles Olympics", 75_886),
]

# Coins whose figure was never published: the catalog says so rather than leaving a gap.
UNKNOWN = [
    ("peace-dollars", 1921, "P", "PR", ""),
    ("morgan-dollars", 1921, "P", "PR", "Zerbe"),
    ("washington-quarters", 1964, "P", "SP", "SMS"),
    ("flying-eagle-cents", 1856, "P", "MS", ""),
    ("three-dollar-gold", 1870, "S", "MS", ""),
    ("gold-dollars", 1861, "D", "MS", ""),
    ("large-cents", 1817, "P", "PR", ""),
]

# Varieties inside one published figure: no invented split, the figure stays on the base coin.
NO_SPLIT = [
    ("lincoln-cents-wheat-reverse", 1922, "P", "MS", "No D Weak Reverse"),
    ("buffalo-nickels", 1937, "D", "MS", "3 Legs"),
    ("mercury-dimes", 1942, "P", "MS", "42/1"),
    ("morgan-dollars", 1878, "P", "MS", "7TF Reverse of 1879"),
]


@pytest.mark.parametrize(("series", "year", "mint", "strike", "variety", "mintage"), WELL_KNOWN)
def test_well_known_mintages(series, year, mint, strike, variety, mintage):
    coin = BASE[(series, year, mint, strike, variety)]
    assert coin.mintage == mintage and not coin.mintage_unknown


def test_the_list_spans_the_tiers():
    tiers = {info.slug: info.tier for info in all_series()}
    assert len(WELL_KNOWN) >= 60
    assert {tiers[row[0]] for row in WELL_KNOWN} == {"P0", "P1", "P2", "P3"}


@pytest.mark.parametrize("key", UNKNOWN)
def test_unknown_mintages(key):
    coin = BASE[key]
    assert coin.mintage is None and coin.mintage_unknown


@pytest.mark.parametrize("key", NO_SPLIT)
def test_varieties_get_no_invented_split(key):
    assert BASE[key].mintage is None and not BASE[key].mintage_unknown


def test_designation_entries_carry_their_base_coins_mintage():
    for coin in CATALOG:
        if coin.designation:
            base = BASE[coin.base_key[:5]]
            assert (coin.mintage, coin.mintage_unknown) == (base.mintage, base.mintage_unknown), coin.full_name


def test_every_file_with_mintages_names_its_sources():
    for slug, facts in load_all_facts().items():
        has_figures = facts.mintage or any(issue.mintage for issue in facts.issues)
        if has_figures:
            assert len(facts.mintage_sources.strip()) > 40, f"{slug}: no mintage_sources"


# --- catalog fixes found while keying mintages --------------------------------------------------

# Coins the mint-year tables missed: struck, with a published figure.
ADDED = [
    ("washington-quarters", 1938, "S", "MS", "", 2_832_000),
    ("seated-liberty-quarters", 1888, "S", "MS", "", 1_216_000),
]

# Coins the mint-year tables listed that were never struck.
NEVER_STRUCK = [
    ("quarter-eagles-indian", 1925, "P", "MS", ""),  # Denver struck the year's only quarter eagles
    ("gold-dollars", 1860, "C", "MS", ""),  # Charlotte's last gold dollar is the 1859-C
]


@pytest.mark.parametrize(("series", "year", "mint", "strike", "variety", "mintage"), ADDED)
def test_coins_the_tables_missed_are_listed(series, year, mint, strike, variety, mintage):
    assert BASE[(series, year, mint, strike, variety)].mintage == mintage


@pytest.mark.parametrize("key", NEVER_STRUCK)
def test_coins_never_struck_are_not_listed(key):
    assert key not in BASE
    assert not [c for c in CATALOG if (c.series, c.year, c.mint_mark) == key[:3]]


def test_the_neighbours_of_the_fixes_are_still_listed():
    assert ("quarter-eagles-indian", 1925, "D", "MS", "") in BASE
    assert ("quarter-eagles-indian", 1926, "P", "MS", "") in BASE
    assert ("gold-dollars", 1859, "C", "MS", "") in BASE
    assert ("gold-dollars", 1860, "D", "MS", "") in BASE


# --- the loader's "unknown" --------------------------------------------------------------------

MINI = """
slug = "peace-dollars"
name = "Peace Dollar"
denomination = "$1"
first_year = 1921
last_year = 1935
specs_sources = "hand-written test file"
[[composition]]
metal = "90% Silver, 10% Copper"
alloy = { silver = 90, copper = 10 }
weight_g = 26.73
fineness = 0.9
precious = "silver"
[[specs]]
diameter_mm = 38.1
edge = "reeded"
obverse_designer = "Anthony de Francisci"
reverse_designer = "Anthony de Francisci"
[strikes.MS]
P = "1921-1922"
[strikes.PR]
P = "1921"
[[designations]]
strike = "MS"
values = ["PL"]
"""


def _coins(mintage_table: str):
    return {(c.year, c.strike, c.designation): c for c in expand(parse_facts("peace-dollars", MINI + mintage_table))}


def test_unknown_is_a_value_apart_from_a_missing_figure():
    coins = _coins('[mintage]\n"1921" = 1006473\n"1921 PR" = "unknown"\n')
    proof, plain, missing = coins[(1921, "PR", "")], coins[(1921, "MS", "")], coins[(1922, "MS", "")]
    assert proof.mintage is None and proof.mintage_unknown
    assert plain.mintage == 1_006_473 and not plain.mintage_unknown
    assert missing.mintage is None and not missing.mintage_unknown
    assert coins[(1921, "MS", "PL")].mintage == 1_006_473


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('"1921 PR" = "unk"', "unknown"),
        ('"1921 PR" = 0', "greater than 0"),
        ('"1923 PR" = "unknown"', "match no coin"),
        ('"1921 XX Proof" = 5', "match no coin"),
    ],
)
def test_bad_mintage_entries_do_not_load(table, message):
    with pytest.raises(CatalogError, match=message):
        _coins("[mintage]\n" + table + "\n")


# --- coverage ----------------------------------------------------------------------------------

# Measured share of base entries (designations not counted) with a figure or "unknown", per tier;
# the floors keep it from slipping. docs/catalog-format.md#mintages gives the figures.
# (P0 is 0.46 and P2 0.56 since the 2021-2025 Morgan and Peace dollars, the 2009 cents and the 2016-W
# gold centennials joined the catalog without figures yet.)
FLOORS = {"P0": 0.46, "P1": 0.45, "P2": 0.56, "P3": 0.43}


def coverage(plain_only: bool = False) -> dict[str, tuple[int, int]]:
    """tier -> (base entries with a figure or "unknown", base entries); ``plain_only``: no variety."""
    tiers = {info.slug: info.tier for info in all_series()}
    total: Counter = Counter()
    known: Counter = Counter()
    for coin in BASE.values():
        if plain_only and coin.variety:
            continue
        tier = tiers[coin.series]
        total[tier] += 1
        known[tier] += coin.mintage is not None or coin.mintage_unknown
    return {tier: (known[tier], total[tier]) for tier in total}


def test_coverage_per_tier():
    found = coverage()
    for tier, floor in FLOORS.items():
        known, total = found[tier]
        assert known / total >= floor, f"{tier}: {known} of {total}"
