"""Fact checks for the group-p3early series of the built-in catalog: early copper (large and half
cents), Bust silver, the odd denominations of the 1850s-1870s (three cents, two cents, twenty
cents), half dimes, and the gold series from the 1795 half eagle to the last Saint-Gaudens.

Each test states a numismatic fact (a key date or proof-only date that must exist, a mint/year
that never struck the coin, a weight or fineness) so that a wrong edit of a fact file fails here.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from coinref.catalog.builtin import load_catalog
from coinref.catalog.rules import mint_problem

P3_EARLY_SERIES = {
    # slug: (lowest, highest) number of base coins accepted around the files' current totals
    "large-cents": (140, 165),
    "half-cents": (80, 95),
    "bust-dimes": (60, 72),
    "bust-quarters": (43, 52),
    "bust-half-dollars": (100, 120),
    "bust-dollars": (20, 26),
    "three-cent-nickels": (46, 52),
    "three-cent-silver": (42, 48),
    "two-cent-pieces": (22, 26),
    "twenty-cent-pieces": (9, 9),
    "half-dimes-seated": (105, 120),
    "half-dimes-early": (38, 44),
    "gold-dollars": (110, 125),
    "quarter-eagles-liberty": (190, 215),
    "quarter-eagles-indian": (23, 23),  # 15 dates and mints (no 1925 Philadelphia) plus 8 proofs
    "three-dollar-gold": (74, 80),
    "half-eagles-liberty": (255, 280),
    "half-eagles-indian": (32, 32),
    "eagles-liberty": (232, 256),
    "eagles-indian": (38, 42),
    "double-eagles-liberty": (190, 210),
    "double-eagles-saint-gaudens": (60, 66),
    "early-gold": (100, 118),
}


@pytest.fixture(scope="module")
def coins():
    return load_catalog(list(P3_EARLY_SERIES))


@pytest.fixture(scope="module")
def base_keys(coins):
    return {(c.series, c.year, c.mint_mark, c.strike, c.variety) for c in coins if not c.designation}


@pytest.fixture(scope="module")
def struck(coins):
    """(series, year, mint, strike) of every base coin: the level a reference list checks."""
    return {(c.series, c.year, c.mint_mark, c.strike) for c in coins if not c.designation}


def find(coins, series, year, mint, strike="MS", variety="", designation=""):
    for coin in coins:
        if (coin.series, coin.year, coin.mint_mark, coin.strike, coin.variety, coin.designation) == (
            series, year, mint, strike, variety, designation
        ):
            return coin
    raise AssertionError(f"missing {series} {year}-{mint} {strike} {variety!r} {designation!r}")


@pytest.mark.parametrize("slug", sorted(P3_EARLY_SERIES))
def test_every_series_is_present_with_a_plausible_count(coins, slug):
    base = [c for c in coins if c.series == slug and not c.designation]
    low, high = P3_EARLY_SERIES[slug]
    assert low <= len(base) <= high, f"{slug}: {len(base)} base coins, expected {low}-{high}"


def test_every_mint_mark_is_possible_for_its_year(coins):
    for coin in coins:
        assert mint_problem(coin.mint_mark, coin.year, coin.denomination) is None, coin.full_name


MUST_EXIST = [
    # early copper
    ("large-cents", 1793, "P", "MS", "Chain AMERI."),
    ("large-cents", 1793, "P", "MS", "Wreath Vine and Bars"),
    ("large-cents", 1793, "P", "MS", "Liberty Cap"),
    ("large-cents", 1795, "P", "MS", "Plain Edge"),
    ("large-cents", 1795, "P", "MS", "Lettered Edge"),
    ("large-cents", 1796, "P", "MS", "Draped Bust"),
    ("large-cents", 1799, "P", "MS", "99/8"),
    ("large-cents", 1804, "P", "MS", ""),
    ("large-cents", 1817, "P", "MS", "15 Stars"),
    ("large-cents", 1839, "P", "MS", "Booby Head"),
    ("large-cents", 1857, "P", "PR", ""),
    ("half-cents", 1793, "P", "MS", ""),
    ("half-cents", 1796, "P", "MS", "With Pole"),
    ("half-cents", 1836, "P", "PR", "Original"),
    ("half-cents", 1849, "P", "MS", "Large Date"),
    ("half-cents", 1852, "P", "PR", "Restrike"),
    # Bust silver
    ("bust-dimes", 1796, "P", "MS", ""),
    ("bust-dimes", 1798, "P", "MS", "98/97 13 Stars Reverse"),
    ("bust-dimes", 1822, "P", "MS", ""),
    ("bust-dimes", 1828, "P", "PR", "Small Date"),
    ("bust-quarters", 1796, "P", "MS", ""),
    ("bust-quarters", 1823, "P", "MS", "23/2"),
    ("bust-quarters", 1827, "P", "PR", "27/3 Original"),
    ("bust-quarters", 1827, "P", "PR", "27/3 Restrike"),
    ("bust-half-dollars", 1794, "P", "MS", ""),
    ("bust-half-dollars", 1796, "P", "MS", "16 Stars"),
    ("bust-half-dollars", 1807, "P", "MS", ""),
    ("bust-half-dollars", 1807, "P", "MS", "50/20C"),
    ("bust-half-dollars", 1815, "P", "MS", "15/2"),
    ("bust-half-dollars", 1836, "P", "MS", "Reeded Edge"),
    ("bust-half-dollars", 1838, "O", "PR", ""),
    ("bust-half-dollars", 1839, "O", "MS", ""),
    ("bust-dollars", 1794, "P", "MS", ""),
    ("bust-dollars", 1794, "P", "SP", "Silver Plug"),
    ("bust-dollars", 1795, "P", "MS", "Flowing Hair"),
    ("bust-dollars", 1795, "P", "MS", "Draped Bust"),
    ("bust-dollars", 1798, "P", "MS", "Small Eagle"),
    ("bust-dollars", 1804, "P", "PR", "Class I"),
    ("bust-dollars", 1804, "P", "PR", "Class III"),
    # three, two and twenty cents, half dimes
    ("three-cent-nickels", 1877, "P", "PR", ""),
    ("three-cent-nickels", 1886, "P", "PR", ""),
    ("three-cent-nickels", 1887, "P", "PR", "87/6"),
    ("three-cent-nickels", 1873, "P", "MS", "Open 3"),
    ("three-cent-silver", 1851, "O", "MS", ""),
    ("three-cent-silver", 1873, "P", "PR", "Closed 3"),
    ("two-cent-pieces", 1864, "P", "MS", "Small Motto"),
    ("two-cent-pieces", 1864, "P", "MS", "Large Motto"),
    ("two-cent-pieces", 1873, "P", "PR", "Open 3"),
    ("twenty-cent-pieces", 1876, "CC", "MS", ""),
    ("twenty-cent-pieces", 1875, "S", "MS", ""),
    ("twenty-cent-pieces", 1878, "P", "PR", ""),
    ("half-dimes-seated", 1838, "O", "MS", "No Stars"),
    ("half-dimes-seated", 1853, "O", "MS", "No Arrows"),
    ("half-dimes-seated", 1870, "S", "MS", ""),
    ("half-dimes-seated", 1872, "S", "MS", "S Below Bow"),
    ("half-dimes-early", 1792, "P", "MS", ""),
    ("half-dimes-early", 1802, "P", "MS", ""),
    ("half-dimes-early", 1829, "P", "PR", ""),
    # gold
    ("gold-dollars", 1849, "C", "MS", "Open Wreath"),
    ("gold-dollars", 1854, "P", "MS", "Type 2"),
    ("gold-dollars", 1856, "S", "MS", ""),
    ("gold-dollars", 1861, "D", "MS", ""),
    ("gold-dollars", 1870, "S", "MS", ""),
    ("quarter-eagles-liberty", 1841, "P", "PR", ""),
    ("quarter-eagles-liberty", 1848, "P", "MS", "CAL."),
    ("quarter-eagles-liberty", 1854, "S", "MS", ""),
    ("quarter-eagles-liberty", 1863, "P", "PR", ""),
    ("quarter-eagles-indian", 1911, "D", "MS", ""),
    ("three-dollar-gold", 1854, "D", "MS", ""),
    ("three-dollar-gold", 1854, "O", "MS", ""),
    ("three-dollar-gold", 1870, "S", "MS", ""),
    ("three-dollar-gold", 1873, "P", "PR", "Open 3"),
    ("three-dollar-gold", 1875, "P", "PR", ""),
    ("half-eagles-liberty", 1854, "S", "MS", ""),
    ("half-eagles-liberty", 1866, "S", "MS", "No Motto"),
    ("half-eagles-liberty", 1887, "P", "PR", ""),
    ("half-eagles-liberty", 1892, "O", "MS", ""),
    ("half-eagles-liberty", 1908, "P", "MS", ""),
    ("half-eagles-indian", 1909, "O", "MS", ""),
    ("half-eagles-indian", 1929, "P", "MS", ""),
    ("eagles-liberty", 1838, "P", "MS", ""),
    ("eagles-liberty", 1875, "P", "MS", ""),
    ("eagles-liberty", 1870, "CC", "MS", ""),
    ("eagles-indian", 1907, "P", "MS", "Wire Rim"),
    ("eagles-indian", 1908, "D", "MS", "No Motto"),
    ("eagles-indian", 1920, "S", "MS", ""),
    ("eagles-indian", 1933, "P", "MS", ""),
    ("double-eagles-liberty", 1861, "S", "MS", "Paquet Reverse"),
    ("double-eagles-liberty", 1870, "CC", "MS", ""),
    ("double-eagles-liberty", 1883, "P", "PR", ""),
    ("double-eagles-liberty", 1856, "O", "MS", ""),
    ("double-eagles-saint-gaudens", 1907, "P", "MS", "High Relief Wire Rim"),
    ("double-eagles-saint-gaudens", 1908, "D", "MS", "No Motto"),
    ("double-eagles-saint-gaudens", 1927, "D", "MS", ""),
    ("double-eagles-saint-gaudens", 1933, "P", "MS", ""),
    ("early-gold", 1796, "P", "MS", "Draped Bust Quarter Eagle, No Stars"),
    ("early-gold", 1795, "P", "MS", "Draped Bust Half Eagle, Small Eagle"),
    ("early-gold", 1795, "P", "MS", "Draped Bust Half Eagle, Heraldic Eagle"),
    ("early-gold", 1808, "P", "MS", "Capped Bust Quarter Eagle"),
    ("early-gold", 1822, "P", "MS", "Capped Head Half Eagle"),
    ("early-gold", 1797, "P", "MS", "Draped Bust Eagle, Small Eagle"),
    ("early-gold", 1804, "P", "PR", "Draped Bust Eagle, Heraldic Eagle, Plain 4"),
]


@pytest.mark.parametrize("key", MUST_EXIST, ids=lambda k: f"{k[0]}-{k[1]}-{k[2]}-{k[3]}-{k[4]}")
def test_key_dates_and_major_varieties_exist(base_keys, key):
    assert key in base_keys


MUST_NOT_EXIST = [
    # (series, year, mint, strike): no coin of any variety
    ("large-cents", 1815, "P", "MS"),  # no copper from England during the war
    ("large-cents", 1816, "P", "PR"),
    ("large-cents", 1839, "P", "PR"),  # no proofs of the new type's first year
    ("large-cents", 1853, "P", "PR"),
    ("half-cents", 1798, "P", "MS"),
    ("half-cents", 1836, "P", "MS"),  # proof only
    ("half-cents", 1845, "P", "MS"),  # proof only
    ("half-cents", 1852, "P", "MS"),  # proof only
    ("half-cents", 1853, "P", "PR"),
    ("bust-dimes", 1799, "P", "MS"),
    ("bust-dimes", 1806, "P", "MS"),
    ("bust-dimes", 1826, "P", "MS"),
    ("bust-dimes", 1823, "P", "PR"),
    ("bust-quarters", 1816, "P", "MS"),
    ("bust-quarters", 1827, "P", "MS"),  # the 1827 is known as proofs
    ("bust-quarters", 1830, "P", "MS"),
    ("bust-half-dollars", 1804, "P", "MS"),
    ("bust-half-dollars", 1816, "P", "MS"),
    ("bust-half-dollars", 1838, "O", "MS"),  # 1838-O: proofs only
    ("bust-dollars", 1804, "P", "MS"),
    ("three-cent-nickels", 1877, "P", "MS"),
    ("three-cent-nickels", 1878, "P", "MS"),
    ("three-cent-nickels", 1886, "P", "MS"),
    ("three-cent-silver", 1873, "P", "MS"),
    ("three-cent-silver", 1852, "O", "MS"),
    ("two-cent-pieces", 1873, "P", "MS"),
    ("twenty-cent-pieces", 1877, "P", "MS"),
    ("twenty-cent-pieces", 1876, "S", "MS"),
    ("half-dimes-seated", 1861, "O", "MS"),
    ("half-dimes-seated", 1862, "S", "MS"),
    ("half-dimes-seated", 1843, "O", "MS"),
    ("half-dimes-early", 1804, "P", "MS"),
    ("half-dimes-early", 1798, "P", "MS"),
    ("gold-dollars", 1854, "C", "MS"),
    ("gold-dollars", 1862, "D", "MS"),
    ("gold-dollars", 1856, "O", "MS"),
    ("quarter-eagles-liberty", 1841, "P", "MS"),  # proof only
    ("quarter-eagles-liberty", 1863, "P", "MS"),  # proof only
    ("quarter-eagles-liberty", 1874, "S", "MS"),
    ("quarter-eagles-indian", 1920, "P", "MS"),
    ("quarter-eagles-indian", 1912, "D", "MS"),
    ("three-dollar-gold", 1875, "P", "MS"),
    ("three-dollar-gold", 1876, "P", "MS"),
    ("three-dollar-gold", 1873, "P", "MS"),
    ("half-eagles-liberty", 1887, "P", "MS"),  # proof only
    ("half-eagles-liberty", 1845, "C", "MS"),
    ("half-eagles-liberty", 1841, "O", "MS"),  # none known
    ("half-eagles-liberty", 1907, "S", "MS"),
    ("half-eagles-indian", 1910, "O", "MS"),
    ("half-eagles-indian", 1920, "P", "MS"),
    ("eagles-liberty", 1875, "S", "MS"),
    ("eagles-liberty", 1904, "S", "MS"),
    ("eagles-indian", 1907, "D", "MS"),
    ("eagles-indian", 1921, "S", "MS"),
    ("double-eagles-liberty", 1849, "P", "PR"),  # unique, Smithsonian
    ("double-eagles-liberty", 1883, "P", "MS"),
    ("double-eagles-liberty", 1884, "P", "MS"),
    ("double-eagles-liberty", 1887, "P", "MS"),
    ("double-eagles-liberty", 1886, "S", "MS"),
    ("double-eagles-saint-gaudens", 1907, "D", "MS"),
    ("double-eagles-saint-gaudens", 1922, "D", "MS"),
    ("double-eagles-saint-gaudens", 1930, "P", "MS"),
    ("early-gold", 1816, "P", "MS"),
    ("early-gold", 1817, "P", "MS"),
]


@pytest.mark.parametrize("key", MUST_NOT_EXIST, ids=lambda k: f"{k[0]}-{k[1]}-{k[2]}-{k[3]}")
def test_coins_that_never_existed_are_absent(struck, key):
    assert key not in struck


def test_no_ten_dollar_gold_in_1802_or_after_1804(coins):
    eagles = [c for c in coins if c.series == "early-gold" and c.denomination == "$10"]
    assert {c.year for c in eagles} == {1795, 1796, 1797, 1798, 1799, 1800, 1801, 1803, 1804}


def test_no_quarter_eagles_between_1808_and_1821(coins):
    years = {c.year for c in coins if c.series == "early-gold" and c.denomination == "$2.50"}
    assert not years & set(range(1809, 1821))
    assert 1808 in years and 1821 in years


def test_charlotte_and_dahlonega_struck_only_gold_until_1861(coins):
    for coin in coins:
        if coin.mint_mark == "C" or (coin.mint_mark == "D" and coin.year <= 1861):
            assert coin.precious_metal == "gold" and coin.year <= 1861, coin.full_name


def test_copper_weights(coins):
    assert find(coins, "large-cents", 1794, "P", variety="Head of 1794").weight_g == Decimal("13.48")
    assert find(coins, "large-cents", 1795, "P", variety="Plain Edge").weight_g == Decimal("10.89")
    assert find(coins, "large-cents", 1850, "P").weight_g == Decimal("10.89")
    assert find(coins, "half-cents", 1795, "P", variety="Lettered Edge, Pole").weight_g == Decimal("6.74")
    assert find(coins, "half-cents", 1857, "P").weight_g == Decimal("5.44")
    assert find(coins, "large-cents", 1850, "P").precious_metal is None
    assert find(coins, "three-cent-nickels", 1880, "P").metal == "75% Copper, 25% Nickel"


def test_silver_standards(coins):
    lettered = find(coins, "bust-half-dollars", 1836, "P", variety="Lettered Edge")
    reeded = find(coins, "bust-half-dollars", 1836, "P", variety="Reeded Edge")
    assert (lettered.weight_g, lettered.fineness) == (Decimal("13.48"), Decimal("0.8924"))
    assert (reeded.weight_g, reeded.fineness) == (Decimal("13.36"), Decimal("0.9"))
    assert find(coins, "three-cent-silver", 1852, "P").fineness == Decimal("0.75")
    assert find(coins, "three-cent-silver", 1860, "P").fineness == Decimal("0.9")
    before = find(coins, "half-dimes-seated", 1853, "P", variety="No Arrows")
    after = find(coins, "half-dimes-seated", 1853, "P", variety="Arrows")
    assert before.weight_g > after.weight_g
    assert find(coins, "bust-dimes", 1837, "P").fineness == Decimal("0.9")
    assert find(coins, "bust-dimes", 1836, "P").fineness == Decimal("0.8924")


def test_gold_content(coins):
    double = find(coins, "double-eagles-liberty", 1904, "P")
    assert double.precious_metal == "gold" and double.fineness == Decimal("0.9")
    assert Decimal("0.967") <= double.metal_oz <= Decimal("0.968")
    early = find(coins, "early-gold", 1799, "P", variety="Draped Bust Eagle, Heraldic Eagle, Small Obverse Stars")
    assert early.fineness == Decimal("0.9167") and early.denomination == "$10"
    assert find(coins, "gold-dollars", 1880, "P").weight_g == Decimal("1.672")


def test_proof_only_dates_have_no_business_strikes(struck):
    for series, year in [("three-cent-nickels", 1877), ("quarter-eagles-liberty", 1863),
                         ("double-eagles-liberty", 1884), ("twenty-cent-pieces", 1878)]:
        assert (series, year, "P", "PR") in struck
        assert (series, year, "P", "MS") not in struck


def test_designations(coins):
    cent = {c.designation for c in coins if c.series == "large-cents" and c.year == 1850 and c.strike == "MS"}
    assert cent == {"", "BN", "RB", "RD"}
    proof = {c.designation for c in coins if c.series == "three-dollar-gold" and c.year == 1880 and c.strike == "PR"}
    assert proof == {"", "CAM", "DCAM"}
    assert not [c for c in coins if c.series == "half-eagles-liberty" and c.designation in ("BN", "RB", "RD")]


def test_names_and_mintages(coins):
    assert find(coins, "bust-half-dollars", 1838, "O", "PR").full_name == "1838-O Capped Bust Half Dollar Proof"
    assert find(coins, "large-cents", 1793, "P", variety="Chain AMERI.").full_name == "1793 Chain AMERI. Large Cent"
    assert find(coins, "half-eagles-liberty", 1854, "S").mintage == 268
    assert find(coins, "quarter-eagles-indian", 1911, "D").mintage == 55680
    saint = find(coins, "double-eagles-saint-gaudens", 1907, "P", variety="High Relief Wire Rim")
    assert "High Relief" in saint.full_name
    early = find(coins, "early-gold", 1797, "P", variety="Draped Bust Eagle, Small Eagle")
    assert early.short_name == "1797 $10 Draped Bust Eagle, Small Eagle"
