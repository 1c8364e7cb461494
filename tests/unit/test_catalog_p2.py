"""Fact checks for the group-p2 series of the built-in catalog (Barber, Indian and Flying Eagle cents,
Lincoln Memorial and Shield cents, Liberty and Shield nickels, Seated Liberty silver, Trade dollars,
American Women quarters, American Innovation dollars, Palladium Eagles).

Each test states a numismatic fact (a key date that must exist, a coin that never existed, a weight
or metal) so that a wrong edit of a fact file fails here.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from coinref.catalog.builtin import load_catalog
from coinref.catalog.rules import mint_problem

P2_SERIES = {
    # slug: (lowest, highest) number of base coins accepted; the files give the figure in the middle
    "barber-dimes": (95, 110),
    "barber-quarters": (92, 105),
    "barber-half-dollars": (92, 105),
    "indian-head-cents": (105, 125),
    "flying-eagle-cents": (8, 11),
    "lincoln-cents-memorial": (170, 205),
    "lincoln-cents-shield": (68, 80),  # with the 20 Lincoln Bicentennial cents of 2009
    "liberty-nickels": (60, 70),
    "shield-nickels": (36, 45),
    "seated-liberty-dimes": (160, 190),
    "seated-liberty-quarters": (150, 180),
    "seated-liberty-half-dollars": (160, 190),
    "seated-liberty-dollars": (72, 88),
    "trade-dollars": (28, 34),
    "american-women-quarters": (80, 80),
    "american-innovation-dollars": (100, 120),
    "palladium-eagles": (8, 12),
}


@pytest.fixture(scope="module")
def coins():
    return load_catalog(list(P2_SERIES))


@pytest.fixture(scope="module")
def keys(coins):
    return {(c.series, c.year, c.mint_mark, c.strike, c.variety) for c in coins if not c.designation}


def find(coins, series, year, mint, strike="MS", variety="", designation=""):
    for coin in coins:
        if (coin.series, coin.year, coin.mint_mark, coin.strike, coin.variety, coin.designation) == (
            series, year, mint, strike, variety, designation
        ):
            return coin
    raise AssertionError(f"missing {series} {year}-{mint} {strike} {variety!r} {designation!r}")


@pytest.mark.parametrize("slug", sorted(P2_SERIES))
def test_every_series_is_present_with_a_plausible_count(coins, slug):
    base = [c for c in coins if c.series == slug and not c.designation]
    low, high = P2_SERIES[slug]
    assert low <= len(base) <= high, f"{slug}: {len(base)} base coins, expected {low}-{high}"


def test_every_mint_mark_is_possible_for_its_year(coins):
    for coin in coins:
        assert mint_problem(coin.mint_mark, coin.year, coin.denomination) is None, coin.full_name


MUST_EXIST = [
    # Barber
    ("barber-dimes", 1894, "S", "MS", ""),
    ("barber-dimes", 1895, "O", "MS", ""),
    ("barber-dimes", 1893, "P", "MS", "93/2"),
    ("barber-dimes", 1905, "O", "MS", "Micro O"),
    ("barber-dimes", 1915, "P", "PR", ""),
    ("barber-quarters", 1896, "S", "MS", ""),
    ("barber-quarters", 1901, "S", "MS", ""),
    ("barber-quarters", 1913, "S", "MS", ""),
    ("barber-quarters", 1909, "O", "MS", ""),
    ("barber-half-dollars", 1892, "O", "MS", "Micro O"),
    ("barber-half-dollars", 1915, "D", "MS", ""),
    ("barber-half-dollars", 1913, "D", "MS", ""),
    # Indian and Flying Eagle cents
    ("indian-head-cents", 1859, "P", "PR", ""),
    ("indian-head-cents", 1864, "P", "MS", "Copper-Nickel"),
    ("indian-head-cents", 1864, "P", "MS", "No L"),
    ("indian-head-cents", 1864, "P", "PR", "L on Ribbon"),
    ("indian-head-cents", 1873, "P", "MS", "Closed 3"),
    ("indian-head-cents", 1873, "P", "MS", "Open 3"),
    ("indian-head-cents", 1877, "P", "MS", ""),
    ("indian-head-cents", 1886, "P", "PR", "Type 2"),
    ("indian-head-cents", 1888, "P", "MS", "88/7"),
    ("indian-head-cents", 1908, "S", "MS", ""),
    ("indian-head-cents", 1909, "S", "MS", ""),
    ("flying-eagle-cents", 1856, "P", "MS", ""),
    ("flying-eagle-cents", 1856, "P", "PR", ""),
    ("flying-eagle-cents", 1858, "P", "MS", "58/7"),
    ("flying-eagle-cents", 1858, "P", "PR", "Small Letters"),
    # Lincoln cents
    ("lincoln-cents-memorial", 1960, "D", "MS", "Small Date"),
    ("lincoln-cents-memorial", 1960, "P", "PR", "Small Date"),
    ("lincoln-cents-memorial", 1965, "P", "SP", ""),
    ("lincoln-cents-memorial", 1969, "S", "MS", "Doubled Die Obverse"),
    ("lincoln-cents-memorial", 1970, "S", "MS", "Small Date"),
    ("lincoln-cents-memorial", 1972, "P", "MS", "Doubled Die Obverse"),
    ("lincoln-cents-memorial", 1974, "S", "MS", ""),
    ("lincoln-cents-memorial", 1982, "P", "MS", "Copper Small Date"),
    ("lincoln-cents-memorial", 1982, "P", "MS", "Zinc Small Date"),
    ("lincoln-cents-memorial", 1982, "D", "MS", "Copper Large Date"),
    ("lincoln-cents-memorial", 1982, "D", "MS", "Zinc Small Date"),
    ("lincoln-cents-memorial", 1983, "P", "MS", "Doubled Die Reverse"),
    ("lincoln-cents-memorial", 1984, "P", "MS", "Doubled Die Obverse"),
    ("lincoln-cents-memorial", 1990, "P", "PR", "No S"),
    ("lincoln-cents-memorial", 1995, "P", "MS", "Doubled Die Obverse"),
    ("lincoln-cents-memorial", 2008, "S", "PR", ""),
    ("lincoln-cents-shield", 2019, "W", "MS", ""),
    ("lincoln-cents-shield", 2019, "W", "PR", ""),
    ("lincoln-cents-shield", 2019, "W", "PR", "Reverse Proof"),
    ("lincoln-cents-shield", 2025, "D", "MS", ""),
    # nickels
    ("liberty-nickels", 1883, "P", "MS", "No Cents"),
    ("liberty-nickels", 1883, "P", "PR", "With Cents"),
    ("liberty-nickels", 1912, "S", "MS", ""),
    ("liberty-nickels", 1913, "P", "PR", ""),
    ("shield-nickels", 1867, "P", "MS", "With Rays"),
    ("shield-nickels", 1867, "P", "PR", "No Rays"),
    ("shield-nickels", 1877, "P", "PR", ""),
    ("shield-nickels", 1878, "P", "PR", ""),
    ("shield-nickels", 1879, "P", "PR", "79/8"),
    # Seated Liberty
    ("seated-liberty-dimes", 1837, "P", "MS", "No Stars"),
    ("seated-liberty-dimes", 1838, "O", "MS", "No Stars"),
    ("seated-liberty-dimes", 1849, "P", "PR", ""),
    ("seated-liberty-dimes", 1860, "O", "MS", ""),
    ("seated-liberty-dimes", 1873, "CC", "MS", "No Arrows"),
    ("seated-liberty-dimes", 1874, "CC", "MS", "With Arrows"),
    ("seated-liberty-dimes", 1885, "S", "MS", ""),
    ("seated-liberty-quarters", 1842, "P", "PR", "Small Date"),
    ("seated-liberty-quarters", 1853, "P", "MS", "With Arrows and Rays"),
    ("seated-liberty-quarters", 1853, "P", "MS", "No Arrows"),
    ("seated-liberty-quarters", 1870, "CC", "MS", ""),
    ("seated-liberty-quarters", 1873, "P", "MS", "No Arrows Open 3"),
    ("seated-liberty-half-dollars", 1853, "O", "MS", "No Arrows"),
    ("seated-liberty-half-dollars", 1866, "S", "MS", "No Motto"),
    ("seated-liberty-half-dollars", 1878, "S", "MS", ""),
    ("seated-liberty-half-dollars", 1874, "CC", "MS", "With Arrows"),
    ("seated-liberty-dollars", 1858, "P", "PR", ""),
    ("seated-liberty-dollars", 1870, "S", "MS", ""),
    ("seated-liberty-dollars", 1873, "CC", "MS", ""),
    ("seated-liberty-dollars", 1851, "P", "PR", "Restrike"),
    # Trade dollars
    ("trade-dollars", 1878, "P", "PR", ""),
    ("trade-dollars", 1878, "CC", "MS", ""),
    ("trade-dollars", 1884, "P", "PR", ""),
    ("trade-dollars", 1885, "P", "PR", ""),
    # programs and bullion
    ("american-women-quarters", 2022, "P", "MS", "Maya Angelou"),
    ("american-women-quarters", 2022, "S", "PR", "Maya Angelou Silver"),
    ("american-women-quarters", 2025, "D", "MS", "Althea Gibson"),
    ("american-innovation-dollars", 2018, "S", "PR", "Introductory"),
    ("american-innovation-dollars", 2019, "D", "MS", "Delaware"),
    ("american-innovation-dollars", 2019, "S", "PR", "Georgia Reverse Proof"),
    ("american-innovation-dollars", 2025, "P", "MS", "Texas"),
    ("palladium-eagles", 2017, "P", "MS", ""),
    ("palladium-eagles", 2018, "W", "PR", ""),
    ("palladium-eagles", 2019, "W", "PR", "Reverse Proof"),
    ("palladium-eagles", 2023, "W", "MS", ""),
]


@pytest.mark.parametrize("key", MUST_EXIST, ids=lambda k: f"{k[0]}-{k[1]}-{k[2]}-{k[3]}-{k[4]}")
def test_known_coin_exists(keys, key):
    assert key in keys


MUST_NOT_EXIST = [
    ("barber-dimes", 1904, "O", "MS", ""),  # no New Orleans dimes dated 1904
    ("barber-dimes", 1913, "D", "MS", ""),
    ("barber-dimes", 1916, "D", "MS", ""),  # the 1916-D is a Mercury dime
    ("barber-dimes", 1916, "P", "PR", ""),  # no silver proofs dated 1916
    ("barber-quarters", 1904, "S", "MS", ""),
    ("barber-quarters", 1912, "D", "MS", ""),
    ("barber-quarters", 1916, "S", "MS", ""),
    ("barber-half-dollars", 1909, "D", "MS", ""),
    ("barber-half-dollars", 1914, "D", "MS", ""),
    ("indian-head-cents", 1864, "P", "MS", ""),  # only as CN, No L or L
    ("indian-head-cents", 1873, "P", "MS", ""),  # only as Closed 3 or Open 3
    ("indian-head-cents", 1907, "S", "MS", ""),
    ("indian-head-cents", 1873, "P", "PR", "Open 3"),
    ("flying-eagle-cents", 1858, "P", "MS", ""),
    ("lincoln-cents-memorial", 1982, "P", "MS", ""),
    ("lincoln-cents-memorial", 1982, "D", "MS", "Copper Small Date"),
    ("lincoln-cents-memorial", 1982, "S", "PR", "Zinc Large Date"),
    ("lincoln-cents-memorial", 1966, "P", "PR", ""),  # Special Mint Sets, no proofs 1965-1967
    ("lincoln-cents-memorial", 1975, "S", "MS", ""),  # S business cents show the mark only 1968-1974
    ("lincoln-cents-memorial", 1967, "S", "PR", ""),
    ("lincoln-cents-shield", 2020, "W", "MS", ""),
    ("lincoln-cents-shield", 2010, "P", "PR", ""),
    ("liberty-nickels", 1913, "P", "MS", ""),
    ("liberty-nickels", 1911, "D", "MS", ""),
    ("shield-nickels", 1877, "P", "MS", ""),  # proof-only dates
    ("shield-nickels", 1878, "P", "MS", ""),
    ("seated-liberty-dimes", 1851, "P", "PR", ""),  # no proof dimes are known for 1851
    ("seated-liberty-dimes", 1855, "O", "MS", "With Arrows"),
    ("seated-liberty-dimes", 1857, "S", "MS", ""),
    ("seated-liberty-dimes", 1878, "S", "MS", ""),
    ("seated-liberty-quarters", 1874, "CC", "MS", "With Arrows"),
    ("seated-liberty-quarters", 1870, "S", "MS", ""),
    ("seated-liberty-quarters", 1845, "O", "MS", ""),
    ("seated-liberty-half-dollars", 1873, "S", "MS", "No Arrows"),  # 5,000 struck, none known
    ("seated-liberty-half-dollars", 1839, "O", "MS", ""),  # the 1839-O half is a Capped Bust coin
    ("seated-liberty-half-dollars", 1862, "O", "MS", ""),
    ("seated-liberty-dollars", 1858, "P", "MS", ""),  # proof-only date
    ("seated-liberty-dollars", 1873, "S", "MS", ""),  # 700 struck, none known
    ("seated-liberty-dollars", 1874, "P", "MS", ""),  # out of range: the series ends in 1873
    ("trade-dollars", 1878, "P", "MS", ""),  # proofs only at Philadelphia
    ("trade-dollars", 1879, "S", "MS", ""),
    ("trade-dollars", 1884, "P", "MS", ""),
    ("american-women-quarters", 2022, "W", "MS", "Maya Angelou"),
    ("american-innovation-dollars", 2018, "P", "MS", ""),
    ("palladium-eagles", 2019, "W", "PR", ""),  # 2019 was reverse proof only
    ("palladium-eagles", 2023, "P", "MS", ""),  # no bullion in 2023
]


@pytest.mark.parametrize("key", MUST_NOT_EXIST, ids=lambda k: f"{k[0]}-{k[1]}-{k[2]}-{k[3]}-{k[4]}")
def test_coin_that_never_existed_is_absent(keys, key):
    assert key not in keys


def test_2009_bicentennial_cents_are_in_the_shield_series_only(coins):
    assert not [c for c in coins if c.series == "lincoln-cents-memorial" and c.year == 2009]
    base = [c for c in coins if c.series == "lincoln-cents-shield" and c.year == 2009 and not c.designation]
    assert not [c for c in base if not c.variety]  # no plain 2009 cent: every one has its reverse
    designs = ("Birth and Early Childhood", "Formative Years", "Professional Life", "Presidency")
    got = {(c.mint_mark, c.strike, c.variety) for c in base}
    want = {(m, "MS", d + extra) for m in "PD" for d in designs for extra in ("", " Satin Finish")}
    want |= {("S", "PR", d) for d in designs}
    assert got == want


def test_no_branch_mint_proofs_in_the_classic_series(coins):
    classic = {"barber-dimes", "barber-quarters", "barber-half-dollars", "indian-head-cents",
               "liberty-nickels", "shield-nickels", "seated-liberty-dimes", "seated-liberty-quarters",
               "seated-liberty-half-dollars", "seated-liberty-dollars", "trade-dollars"}
    branch = [c.full_name for c in coins if c.series in classic and c.strike == "PR" and c.mint_mark != "P"]
    assert branch == []


def test_copper_nickel_and_bronze_indian_cents(coins):
    cn = find(coins, "indian-head-cents", 1864, "P", variety="Copper-Nickel")
    bronze = find(coins, "indian-head-cents", 1864, "P", variety="L on Ribbon")
    assert cn.weight_g == Decimal("4.67") and "Nickel" in cn.metal
    assert bronze.weight_g == Decimal("3.11") and "Tin" in bronze.metal
    assert find(coins, "indian-head-cents", 1859, "P").weight_g == Decimal("4.67")


def test_1982_cents_split_copper_and_zinc(coins):
    copper = find(coins, "lincoln-cents-memorial", 1982, "P", variety="Copper Large Date")
    zinc = find(coins, "lincoln-cents-memorial", 1982, "D", variety="Zinc Small Date")
    assert copper.weight_g == Decimal("3.11") and zinc.weight_g == Decimal("2.5")
    assert "Zinc" in zinc.metal
    assert find(coins, "lincoln-cents-memorial", 1982, "S", "PR").weight_g == Decimal("3.11")
    assert find(coins, "lincoln-cents-memorial", 1983, "P").weight_g == Decimal("2.5")


def test_seated_weight_standards_follow_the_arrows(coins):
    assert find(coins, "seated-liberty-dimes", 1853, "P", variety="No Arrows").weight_g == Decimal("2.67")
    assert find(coins, "seated-liberty-dimes", 1853, "P", variety="With Arrows").weight_g == Decimal("2.49")
    assert find(coins, "seated-liberty-quarters", 1873, "CC", variety="No Arrows").weight_g == Decimal("6.22")
    assert find(coins, "seated-liberty-quarters", 1873, "CC", variety="With Arrows").weight_g == Decimal("6.25")
    assert find(coins, "seated-liberty-half-dollars", 1853, "O", variety="No Arrows").weight_g == Decimal("13.36")
    assert find(coins, "seated-liberty-half-dollars", 1891, "P").weight_g == Decimal("12.5")


def test_silver_content(coins):
    dollar = find(coins, "seated-liberty-dollars", 1871, "CC")
    assert dollar.precious_metal == "silver" and dollar.fineness == Decimal("0.9")
    assert abs(dollar.metal_oz - Decimal("0.7734")) < Decimal("0.0002")
    trade = find(coins, "trade-dollars", 1875, "S")
    assert trade.metal_oz == Decimal("0.7874") and trade.weight_g == Decimal("27.22")
    barber = find(coins, "barber-half-dollars", 1892, "O", variety="Micro O")
    assert barber.fineness == Decimal("0.9") and barber.weight_g == Decimal("12.5")


def test_women_quarter_silver_proofs_are_999_and_clad_ones_are_base_metal(coins):
    silver = find(coins, "american-women-quarters", 2023, "S", "PR", "Bessie Coleman Silver")
    clad = find(coins, "american-women-quarters", 2023, "S", "PR", "Bessie Coleman")
    assert silver.fineness == Decimal("0.999") and silver.precious_metal == "silver"
    assert clad.precious_metal is None and clad.metal_oz is None


def test_palladium_eagle_is_one_ounce_of_palladium(coins):
    coin = find(coins, "palladium-eagles", 2021, "W", "PR")
    assert coin.precious_metal == "palladium" and coin.metal_oz == Decimal("1.0")
    assert coin.fineness == Decimal("0.9995") and coin.denomination == "$25"


def test_colour_designations_only_on_bronze_and_zinc_cents(coins):
    desigs = {(c.series, c.year, c.mint_mark, c.strike, c.variety, c.designation) for c in coins if c.designation}
    assert ("indian-head-cents", 1909, "S", "MS", "", "RD") in desigs
    assert ("indian-head-cents", 1864, "P", "MS", "L on Ribbon", "RB") in desigs
    assert ("indian-head-cents", 1864, "P", "MS", "Copper-Nickel", "RD") not in desigs
    assert ("indian-head-cents", 1862, "P", "PR", "", "CAM") in desigs
    assert ("flying-eagle-cents", 1857, "P", "MS", "", "BN") not in desigs
    assert ("lincoln-cents-memorial", 1972, "P", "MS", "Doubled Die Obverse", "RD") in desigs
    assert ("lincoln-cents-memorial", 1990, "P", "PR", "No S", "DCAM") in desigs
    assert not [d for d in desigs if d[0] in ("liberty-nickels", "seated-liberty-dimes") and d[5] in ("BN", "RB", "RD")]
    assert ("barber-dimes", 1900, "P", "PR", "", "CAM") in desigs
    assert not [d for d in desigs if d[0] == "barber-dimes" and d[3] == "MS"]


def test_names_follow_collector_usage(coins):
    assert find(coins, "lincoln-cents-shield", 2017, "P").full_name == "2017-P Lincoln Cent"
    assert find(coins, "lincoln-cents-shield", 2016, "P").full_name == "2016 Lincoln Cent"
    assert find(coins, "liberty-nickels", 1883, "P", variety="No Cents").full_name == "1883 No Cents Liberty Nickel"
    assert find(coins, "barber-dimes", 1894, "S").full_name == "1894-S Barber Dime"
    assert find(coins, "trade-dollars", 1885, "P", "PR").full_name == "1885 Trade Dollar Proof"
    assert find(coins, "indian-head-cents", 1909, "S", designation="RD").short_name == "1909-S 1C, RD"
    assert find(coins, "american-innovation-dollars", 2019, "P", variety="Delaware").full_name == (
        "2019-P Delaware American Innovation Dollar"
    )


def test_confident_mintages(coins):
    assert find(coins, "barber-dimes", 1894, "S").mintage == 24
    assert find(coins, "barber-quarters", 1913, "S").mintage == 40000
    assert find(coins, "indian-head-cents", 1909, "S").mintage == 309000
    assert find(coins, "liberty-nickels", 1912, "S").mintage == 238000
    assert find(coins, "trade-dollars", 1885, "P", "PR").mintage == 5
    assert find(coins, "liberty-nickels", 1913, "P", "PR").mintage is None  # never officially struck
