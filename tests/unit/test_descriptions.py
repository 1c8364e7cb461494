"""PCGS descriptions read into year, mint, denomination, variety, designation and strike."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coinref.catalog.builtin import load_catalog
from coinref.sources.descriptions import (
    normalize_denomination,
    normalize_designation,
    parse_description,
    strike_from_prefix,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1909-S 1C VDB, RD", (1909, "S", "1C", "VDB", "RD", None)),
        ("1881-S $1, DMPL", (1881, "S", "$1", "", "DMPL", "MS")),
        ("1986-S $1 Silver Eagle, DCAM", (1986, "S", "$1", "", "DCAM", "PR")),
        ("1942/1 10C", (1942, None, "10C", "42/1", "", None)),
        ("1942/1-D 10C, FB", (1942, "D", "10C", "42/1", "FB", "MS")),
        ("1800/79 1C", (1800, None, "1C", "00/79", "", None)),
        ("1938-D/S 5C", (1938, "D", "5C", "D/S", "", None)),
        ("1795 1/2C Lettered Edge, Pole", (1795, None, "1/2C", "Lettered Edge, Pole", "", None)),
        ("1878 8TF $1", (1878, None, "$1", "8TF", "", None)),
        ("1914 1C, BN (Proof)", (1914, None, "1C", "", "BN", "PR")),
        ("1965 10C SMS (Specimen)", (1965, None, "10C", "SMS", "", "SP")),
        ("2008-W $5 1/10 oz, PR DCAM", (2008, "W", "$5", "1/10 oz", "DCAM", "PR")),
        ("1883 5C, Cameo", (1883, None, "5C", "", "CAM", "PR")),
        ("1857 $2.5", (1857, None, "$2.50", "", "", None)),
        ("2021-W $1 Type 2, DCAM", (2021, "W", "$1", "Type 2", "DCAM", "PR")),
    ],
)
def test_descriptions_are_split_into_their_parts(text, expected):
    d = parse_description(text)
    assert (d.year, d.mint_mark, d.denomination, d.variety, d.designation, d.strike) == expected


def test_product_words_are_a_series_hint_not_a_variety():
    d = parse_description("2010-W $50 1 oz Gold Eagle, DCAM")
    assert d.variety == "1 oz" and d.series_hint == "Gold Eagle"


def test_the_prefix_decides_the_strike_only_when_the_text_does_not():
    assert parse_description("1936 1C", prefix="PR").strike == "PR"
    assert parse_description("1936 1C", prefix="PF65").strike == "PR"
    assert parse_description("1936 1C (Proof)", prefix="MS").strike == "PR"
    assert parse_description("1936 1C", prefix="VF").strike is None


def test_text_that_is_no_description_yields_no_year():
    d = parse_description("Morgan Dollars price guide")
    assert d.year is None and d.denomination is None


def test_every_catalog_short_name_reads_back_as_its_coin():
    """The catalog's PCGS-form names (with the sim's strike marks) parse to the coin's natural key."""
    mark = {"MS": "", "PR": " (Proof)", "SP": " (Specimen)"}
    wrong = []
    for coin in load_catalog():
        d = parse_description(coin.short_name + mark[coin.strike])
        got = (d.year, d.mint_mark or "P", d.denomination, d.variety, d.designation, d.strike or "MS")
        if got != (coin.year, coin.mint_mark, coin.denomination, coin.variety, coin.designation, coin.strike):
            wrong.append((coin.short_name, got))
    assert wrong == []


def test_codes_normalize():
    assert normalize_denomination(" $2.5 ") == "$2.50"
    assert normalize_denomination("h10c") == "H10C"
    assert normalize_denomination("1/10") is None
    assert normalize_designation("Deep Cameo") == "DCAM"
    assert normalize_designation("UCAM") == "DCAM"
    assert normalize_designation("Stems") == ""
    assert strike_from_prefix("SP67") == "SP"
    assert strike_from_prefix("") is None


@given(st.text(max_size=80))
def test_any_text_parses_without_error(text):
    d = parse_description(text)
    assert d.designation in ("", "BN", "RB", "RD", "CAM", "DCAM", "PL", "DMPL", "FB", "FS", "FH", "FBL", "FT")
    assert d.strike in (None, "MS", "PR", "SP")
