"""Fact checks for the P1 series of the built-in catalog (20th-century and modern circulating coins).

Each test states something a collector knows: key dates and proof-only coins that must be there,
coins that never existed (a mint that skipped a year, a year with no coinage), composition changes
(wartime silver nickels, 1965 clad, 40% silver) and the size of each series. A wrong fact file
fails here even when it loads.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from coinref.catalog.builtin import load_catalog

P1 = [
    "jefferson-nickels", "buffalo-nickels", "roosevelt-dimes", "washington-quarters",
    "standing-liberty-quarters", "franklin-half-dollars", "kennedy-half-dollars", "eisenhower-dollars",
    "susan-b-anthony-dollars", "sacagawea-dollars", "presidential-dollars", "state-quarters",
    "america-beautiful-quarters",
]


@pytest.fixture(scope="module")
def coins():
    return [c for c in load_catalog(P1) if not c.designation]


@pytest.fixture(scope="module")
def keys(coins):
    """(series, year, mint, strike, variety) of every base coin."""
    return {(c.series, c.year, c.mint_mark, c.strike, c.variety) for c in coins}


@pytest.fixture(scope="module")
def dates(coins):
    """(series, year, mint, strike) of every base coin, whatever the variety."""
    return {(c.series, c.year, c.mint_mark, c.strike) for c in coins}


def find(coins, series, year, mint, strike="MS", variety=""):
    found = [c for c in coins if (c.series, c.year, c.mint_mark, c.strike, c.variety)
             == (series, year, mint, strike, variety)]
    assert found, f"missing {year}-{mint} {strike} {variety!r} in {series}"
    return found[0]


MUST_EXIST = [
    ("jefferson-nickels", 1950, "D", "MS", ""),
    ("jefferson-nickels", 1939, "P", "MS", "Reverse of 1938"),
    ("jefferson-nickels", 1942, "P", "MS", "Type 1"),
    ("jefferson-nickels", 1942, "P", "MS", "Type 2"),
    ("jefferson-nickels", 1942, "P", "PR", "Type 2"),
    ("jefferson-nickels", 1943, "P", "MS", "43/2"),
    ("jefferson-nickels", 1965, "P", "SP", "SMS"),
    ("jefferson-nickels", 1971, "S", "PR", "No S"),
    ("jefferson-nickels", 2004, "P", "MS", "Peace Medal"),
    ("jefferson-nickels", 2005, "D", "MS", "Speared Bison"),
    ("jefferson-nickels", 2025, "S", "PR", ""),
    ("buffalo-nickels", 1913, "S", "MS", "Type 2"),
    ("buffalo-nickels", 1913, "P", "PR", "Type 1"),
    ("buffalo-nickels", 1918, "D", "MS", "18/7"),
    ("buffalo-nickels", 1931, "S", "MS", ""),
    ("buffalo-nickels", 1936, "P", "PR", "Satin Finish"),
    ("buffalo-nickels", 1936, "P", "PR", "Brilliant Finish"),
    ("buffalo-nickels", 1937, "D", "MS", "3 Legs"),
    ("roosevelt-dimes", 1949, "S", "MS", ""),
    ("roosevelt-dimes", 1982, "P", "MS", "No P"),
    ("roosevelt-dimes", 1996, "W", "MS", ""),
    ("roosevelt-dimes", 1975, "S", "PR", "No S"),
    ("roosevelt-dimes", 2015, "W", "PR", "Silver"),
    ("roosevelt-dimes", 2024, "S", "PR", "Silver"),
    ("washington-quarters", 1932, "D", "MS", ""),
    ("washington-quarters", 1932, "S", "MS", ""),
    ("washington-quarters", 1976, "S", "MS", "Bicentennial Silver"),
    ("washington-quarters", 1998, "S", "PR", "Silver"),
    ("standing-liberty-quarters", 1916, "P", "MS", ""),
    ("standing-liberty-quarters", 1917, "D", "MS", "Type 1"),
    ("standing-liberty-quarters", 1918, "S", "MS", "18/7"),
    ("standing-liberty-quarters", 1923, "S", "MS", ""),
    ("franklin-half-dollars", 1955, "P", "MS", "Bugs Bunny"),
    ("franklin-half-dollars", 1949, "S", "MS", ""),
    ("franklin-half-dollars", 1950, "P", "PR", ""),
    ("kennedy-half-dollars", 1964, "P", "PR", "Accented Hair"),
    ("kennedy-half-dollars", 1970, "D", "MS", ""),
    ("kennedy-half-dollars", 1998, "S", "SP", "Silver Matte Finish"),
    ("kennedy-half-dollars", 2014, "W", "PR", "Silver Reverse Proof"),
    ("eisenhower-dollars", 1972, "P", "MS", "Type 2"),
    ("eisenhower-dollars", 1976, "D", "MS", "Type 1"),
    ("eisenhower-dollars", 1971, "S", "PR", "Silver"),
    ("eisenhower-dollars", 1973, "P", "MS", ""),
    ("susan-b-anthony-dollars", 1979, "P", "MS", "Wide Rim"),
    ("susan-b-anthony-dollars", 1979, "P", "MS", "Narrow Rim"),
    ("susan-b-anthony-dollars", 1981, "S", "PR", "Type 2"),
    ("susan-b-anthony-dollars", 1999, "P", "PR", ""),
    ("sacagawea-dollars", 2000, "P", "MS", "Cheerios"),
    ("sacagawea-dollars", 2009, "D", "MS", "Three Sisters Agriculture"),
    ("sacagawea-dollars", 2015, "W", "SP", "Mohawk Ironworkers Enhanced Uncirculated"),
    ("presidential-dollars", 2007, "P", "MS", "George Washington"),
    ("presidential-dollars", 2012, "S", "PR", "Grover Cleveland Second Term"),
    ("presidential-dollars", 2020, "D", "MS", "George H.W. Bush"),
    ("state-quarters", 1999, "P", "MS", "Delaware"),
    ("state-quarters", 1999, "S", "PR", "Delaware Silver"),
    ("state-quarters", 2004, "D", "MS", "Wisconsin Extra Leaf Low"),
    ("state-quarters", 2009, "S", "PR", "Northern Mariana Islands Silver"),
    ("america-beautiful-quarters", 2010, "P", "MS", "Hot Springs"),
    ("america-beautiful-quarters", 2012, "S", "MS", "El Yunque"),
    ("america-beautiful-quarters", 2019, "W", "MS", "Lowell"),
    ("america-beautiful-quarters", 2020, "W", "MS", "Weir Farm V75 Privy"),
    ("america-beautiful-quarters", 2021, "P", "MS", "Crossing the Delaware"),
]


@pytest.mark.parametrize("key", MUST_EXIST, ids=lambda k: f"{k[0]}:{k[1]}-{k[2]}-{k[3]}-{k[4]}")
def test_known_coin_exists(keys, key):
    assert key in keys


# (series, year, mint, strike): dates no mint ever struck, whatever the variety.
NEVER_STRUCK = [
    ("jefferson-nickels", 1950, "S", "MS"),  # San Francisco skipped 1950
    ("jefferson-nickels", 1955, "S", "MS"),  # and stopped after 1954
    ("jefferson-nickels", 1969, "P", "MS"),  # no Philadelphia nickels 1968-1970
    ("jefferson-nickels", 1966, "D", "MS"),  # no mint marks 1965-1967
    ("jefferson-nickels", 1945, "P", "PR"),  # no proofs 1943-1949
    ("jefferson-nickels", 1966, "P", "PR"),  # SMS instead of proofs
    ("buffalo-nickels", 1922, "P", "MS"),
    ("buffalo-nickels", 1921, "D", "MS"),
    ("buffalo-nickels", 1931, "P", "MS"),
    ("buffalo-nickels", 1932, "S", "MS"),
    ("buffalo-nickels", 1934, "S", "MS"),
    ("buffalo-nickels", 1938, "P", "MS"),
    ("roosevelt-dimes", 1956, "S", "MS"),
    ("roosevelt-dimes", 1946, "P", "PR"),
    ("washington-quarters", 1933, "P", "MS"),
    ("washington-quarters", 1934, "S", "MS"),
    ("washington-quarters", 1938, "D", "MS"),
    ("washington-quarters", 1949, "S", "MS"),
    ("washington-quarters", 1975, "P", "MS"),  # dual-dated 1776-1976 instead
    ("washington-quarters", 1975, "S", "PR"),
    ("standing-liberty-quarters", 1916, "D", "MS"),
    ("standing-liberty-quarters", 1922, "P", "MS"),
    ("standing-liberty-quarters", 1923, "D", "MS"),
    ("standing-liberty-quarters", 1925, "S", "MS"),
    ("franklin-half-dollars", 1948, "S", "MS"),
    ("franklin-half-dollars", 1955, "D", "MS"),
    ("franklin-half-dollars", 1956, "D", "MS"),
    ("franklin-half-dollars", 1949, "P", "PR"),
    ("kennedy-half-dollars", 1968, "P", "MS"),
    ("kennedy-half-dollars", 1975, "D", "MS"),
    ("kennedy-half-dollars", 1965, "P", "PR"),
    ("eisenhower-dollars", 1975, "P", "MS"),
    ("eisenhower-dollars", 1977, "S", "MS"),
    ("eisenhower-dollars", 1972, "S", "PR"),  # only silver proofs in 1972: must carry "Silver"
    ("susan-b-anthony-dollars", 1999, "S", "MS"),
    ("susan-b-anthony-dollars", 1999, "S", "PR"),
    ("sacagawea-dollars", 2000, "W", "MS"),  # the gold 2000-W is not a regular coin
    ("state-quarters", 1999, "W", "MS"),
    ("america-beautiful-quarters", 2011, "S", "MS"),  # S business strikes began in 2012
    ("america-beautiful-quarters", 2021, "W", "MS"),
]


@pytest.mark.parametrize("key", NEVER_STRUCK, ids=lambda k: f"{k[0]}:{k[1]}-{k[2]}-{k[3]}")
def test_coin_that_never_existed_is_absent(dates, keys, key):
    series, year, mint, strike = key
    if key == ("eisenhower-dollars", 1972, "S", "PR"):
        assert (series, year, mint, strike, "") not in keys
        return
    assert key not in dates


def test_no_plain_coin_where_only_types_exist(keys):
    for key in [("buffalo-nickels", 1913, "P", "MS"), ("standing-liberty-quarters", 1917, "S", "MS"),
                ("eisenhower-dollars", 1972, "P", "MS"), ("susan-b-anthony-dollars", 1979, "P", "MS"),
                ("jefferson-nickels", 1942, "P", "MS"), ("jefferson-nickels", 1942, "P", "PR")]:
        assert (*key, "") not in keys, key


def test_1942_d_nickel_is_copper_nickel_and_1942_s_silver(coins):
    assert find(coins, "jefferson-nickels", 1942, "D").precious_metal is None
    silver = find(coins, "jefferson-nickels", 1942, "S")
    assert silver.fineness == Decimal("0.35") and silver.metal_oz == Decimal("0.05626")
    assert find(coins, "jefferson-nickels", 1946, "P").precious_metal is None


def test_wartime_nickel_shows_p_mark_but_type_1_does_not(coins):
    assert find(coins, "jefferson-nickels", 1943, "P").full_name == "1943-P Jefferson Nickel"
    assert find(coins, "jefferson-nickels", 1942, "P", variety="Type 1").full_name == "1942 Type 1 Jefferson Nickel"
    assert find(coins, "jefferson-nickels", 1979, "P").full_name == "1979 Jefferson Nickel"
    assert find(coins, "jefferson-nickels", 1980, "P").full_name == "1980-P Jefferson Nickel"


def test_1964_silver_1965_clad(coins):
    dime64 = find(coins, "roosevelt-dimes", 1964, "D")
    assert dime64.precious_metal == "silver" and dime64.fineness == Decimal("0.9")
    assert find(coins, "roosevelt-dimes", 1965, "P").precious_metal is None
    assert find(coins, "washington-quarters", 1964, "D").weight_g == Decimal("6.25")
    assert find(coins, "washington-quarters", 1965, "P").weight_g == Decimal("5.67")


def test_kennedy_silver_periods(coins):
    assert find(coins, "kennedy-half-dollars", 1964, "P").fineness == Decimal("0.9")
    for year, mint in [(1965, "P"), (1969, "D"), (1970, "D")]:
        assert find(coins, "kennedy-half-dollars", year, mint).fineness == Decimal("0.4")
    assert find(coins, "kennedy-half-dollars", 1970, "S", "PR").fineness == Decimal("0.4")
    assert find(coins, "kennedy-half-dollars", 1971, "P").precious_metal is None
    assert find(coins, "kennedy-half-dollars", 1976, "S", variety="Bicentennial Silver").fineness == Decimal("0.4")
    assert find(coins, "kennedy-half-dollars", 1976, "S", "PR", "Bicentennial").precious_metal is None
    assert find(coins, "kennedy-half-dollars", 2020, "S", "PR", "Silver").fineness == Decimal("0.999")
    assert find(coins, "kennedy-half-dollars", 2020, "S", "PR").precious_metal is None


def test_eisenhower_silver_only_from_san_francisco(coins):
    ikes = [c for c in coins if c.series == "eisenhower-dollars"]
    for coin in ikes:
        is_silver = coin.precious_metal == "silver"
        assert is_silver == (coin.variety == "Silver"), coin.full_name
        if is_silver:
            assert coin.mint_mark == "S" and coin.metal_oz == Decimal("0.31623")
    clad_proof_years = {c.year for c in ikes if c.strike == "PR" and not c.precious_metal}
    assert clad_proof_years == {1973, 1974, 1976, 1977, 1978}


def test_silver_proofs_are_silver_and_clad_proofs_are_not(coins):
    for coin in coins:
        if coin.series in ("state-quarters", "america-beautiful-quarters") and coin.strike == "PR":
            assert (coin.precious_metal == "silver") == coin.variety.endswith("Silver"), coin.full_name


def test_program_series_cover_every_subject(coins):
    def subjects(series, strike="MS", mint="P"):
        return {c.variety for c in coins if c.series == series and c.strike == strike and c.mint_mark == mint}

    assert len(subjects("state-quarters")) == 56
    assert len(subjects("state-quarters", "PR", "S")) == 112
    assert len(subjects("america-beautiful-quarters")) == 56
    assert len(subjects("presidential-dollars")) == 40
    proofs = subjects("presidential-dollars", "PR", "S")
    assert len({v for v in proofs if not v.endswith("Reverse Proof")}) == 40
    assert proofs - subjects("presidential-dollars") == {"Ronald Reagan Reverse Proof"}
    natives = {c.variety for c in coins if c.series == "sacagawea-dollars" and c.year >= 2009 and c.strike == "MS"}
    assert len(natives) == 17


def test_designations(coins):
    entries = load_catalog(["jefferson-nickels", "franklin-half-dollars", "standing-liberty-quarters",
                            "roosevelt-dimes", "buffalo-nickels"])
    by_key = {}
    for c in entries:
        by_key.setdefault((c.series, c.year, c.mint_mark, c.strike, c.variety), set()).add(c.designation)
    assert by_key[("jefferson-nickels", 1950, "D", "MS", "")] == {"", "FS"}
    assert by_key[("jefferson-nickels", 1950, "P", "PR", "")] == {"", "CAM", "DCAM"}
    assert by_key[("franklin-half-dollars", 1955, "P", "MS", "Bugs Bunny")] == {"", "FBL"}
    assert by_key[("standing-liberty-quarters", 1916, "P", "MS", "")] == {"", "FH"}
    assert by_key[("roosevelt-dimes", 1946, "S", "MS", "")] == {"", "FB"}
    assert by_key[("buffalo-nickels", 1937, "D", "MS", "3 Legs")] == {""}


def test_names(coins):
    assert find(coins, "buffalo-nickels", 1937, "D", variety="3 Legs").full_name == "1937-D 3 Legs Buffalo Nickel"
    assert find(coins, "state-quarters", 1999, "S", "PR", "Delaware Silver").full_name == \
        "1999-S Delaware Silver Statehood Quarter Proof"
    assert find(coins, "sacagawea-dollars", 2000, "P", variety="Cheerios").short_name == "2000-P $1 Cheerios"
    assert find(coins, "susan-b-anthony-dollars", 1979, "P", variety="Wide Rim").full_name == \
        "1979-P Wide Rim Susan B. Anthony Dollar"


def test_key_mintages(coins):
    assert find(coins, "washington-quarters", 1932, "D").mintage == 436800
    assert find(coins, "standing-liberty-quarters", 1916, "P").mintage == 52000
    assert find(coins, "jefferson-nickels", 1950, "D").mintage == 2630030
    assert find(coins, "buffalo-nickels", 1931, "S").mintage == 1200000


# Base-coin counts, with a band around our own totals: a lost or doubled rule moves them out.
COUNTS = {
    "jefferson-nickels": 294, "buffalo-nickels": 79, "roosevelt-dimes": 289, "washington-quarters": 220,
    "standing-liberty-quarters": 38, "franklin-half-dollars": 52, "kennedy-half-dollars": 224,
    "eisenhower-dollars": 34, "susan-b-anthony-dollars": 18, "sacagawea-dollars": 85,
    "presidential-dollars": 125, "state-quarters": 226, "america-beautiful-quarters": 285,
}


@pytest.mark.parametrize("series", sorted(COUNTS))
def test_series_count_within_band(coins, series):
    count = sum(1 for c in coins if c.series == series)
    expected = COUNTS[series]
    assert abs(count - expected) <= max(2, expected // 20), f"{series}: {count} base coins, expected ~{expected}"
