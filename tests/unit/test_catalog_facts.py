"""Issue 16: specifications per design period, the alloy as parts, key dates (hand-checked values)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from coinref.catalog.builtin import CatalogError, expand, load_catalog, parse_facts

CATALOG = load_catalog()
BASE = {(c.series, c.year, c.mint_mark, c.strike, c.variety): c for c in CATALOG if not c.designation}

BRONZE_1909 = "95% copper / 3% zinc / 2% tin (bronze, the alloy of 1909)"

# (series, year, mint, strike, variety) -> diameter, edge, designer, composition (None: not checked)
KNOWN = [
    # cents: bronze, steel, shell-case brass, copper-plated zinc, the 2009 reverses
    (("lincoln-cents-wheat-reverse", 1909, "S", "MS", "VDB"), "19.0", "plain", "Victor David Brenner",
     "95% copper / 5% tin and zinc (bronze)"),
    (("lincoln-cents-wheat-reverse", 1943, "P", "MS", ""), "19.0", "plain", "Victor David Brenner",
     "zinc-coated steel"),
    (("lincoln-cents-wheat-reverse", 1944, "D", "MS", ""), "19.0", "plain", None, "95% copper / 5% zinc (brass)"),
    (("lincoln-cents-memorial", 1959, "D", "MS", ""), "19.05", "plain",
     "obverse Victor David Brenner; reverse Frank Gasparro", "95% copper / 5% tin and zinc (bronze)"),
    (("lincoln-cents-memorial", 1982, "P", "MS", "Zinc Large Date"), "19.05", "plain", None,
     "97.5% zinc / 2.5% copper (copper-plated zinc: a core of 99.2% zinc / 0.8% copper plated with pure copper)"),
    (("lincoln-cents-memorial", 1975, "D", "MS", ""), None, None, None, "95% copper / 5% zinc (brass)"),
    (("lincoln-cents-shield", 2009, "P", "MS", "Formative Years"), "19.05", "plain",
     "obverse Victor David Brenner; reverse Charles Vickers", "97.5% zinc / 2.5% copper (copper-plated zinc: a core "
     "of 99.2% zinc / 0.8% copper plated with pure copper)"),
    (("lincoln-cents-shield", 2009, "S", "PR", "Presidency"), None, None,
     "obverse Victor David Brenner; reverse Susan Gamble", BRONZE_1909),
    (("lincoln-cents-shield", 2009, "D", "MS", "Birth and Early Childhood Satin Finish"), None, None,
     "obverse Victor David Brenner; reverse Richard Masters", BRONZE_1909),
    (("lincoln-cents-shield", 2015, "P", "MS", ""), None, None, "obverse Victor David Brenner; reverse Lyndall Bass",
     None),
    (("indian-head-cents", 1862, "P", "MS", ""), "19.0", "plain", "James B. Longacre", "88% copper / 12% nickel"),
    (("indian-head-cents", 1877, "P", "MS", ""), None, None, None, "95% copper / 5% tin and zinc (bronze)"),
    (("large-cents", 1793, "P", "MS", "Chain AMERICA"), "26.5", "vine and bars", "Henry Voigt", "100% copper"),
    (("large-cents", 1795, "P", "MS", "Lettered Edge"), "29.0", "lettered ONE HUNDRED FOR A DOLLAR", "Robert Scot",
     None),
    (("half-cents", 1793, "P", "MS", ""), "22.0", "lettered TWO HUNDRED FOR A DOLLAR", None, "100% copper"),
    # nickels: the wartime silver nickels of 1942-1945, cupronickel otherwise
    (("jefferson-nickels", 1942, "P", "MS", "Type 2"), "21.21", "plain", "Felix Schlag",
     "56% copper / 35% silver / 9% manganese"),
    (("jefferson-nickels", 1942, "S", "MS", ""), None, None, None, "56% copper / 35% silver / 9% manganese"),
    (("jefferson-nickels", 1945, "D", "MS", ""), None, None, None, "56% copper / 35% silver / 9% manganese"),
    (("jefferson-nickels", 1942, "P", "MS", "Type 1"), None, None, None, "75% copper / 25% nickel"),
    (("jefferson-nickels", 2005, "P", "MS", "Bison"), None, None, "obverse Joe Fitzgerald; reverse Jamie Franki", None),
    (("jefferson-nickels", 2010, "D", "MS", ""), None, None, "obverse Jamie Franki; reverse Felix Schlag", None),
    (("buffalo-nickels", 1937, "D", "MS", "3 Legs"), "21.2", "plain", "James Earle Fraser", "75% copper / 25% nickel"),
    (("liberty-nickels", 1883, "P", "MS", "No Cents"), "21.2", "plain", "Charles E. Barber", None),
    # dimes, quarters, halves: 90% silver to 1964, clad from 1965, 40% silver clad halves 1965-1970
    (("mercury-dimes", 1916, "D", "MS", ""), "17.9", "reeded", "Adolph A. Weinman", "90% silver / 10% copper"),
    (("roosevelt-dimes", 1964, "D", "MS", ""), "17.91", "reeded", "John R. Sinnock", "90% silver / 10% copper"),
    (("roosevelt-dimes", 1965, "P", "MS", ""), "17.91", "reeded", "John R. Sinnock",
     "91.67% copper / 8.33% nickel (clad: outer layers of 75% copper / 25% nickel on a pure copper core)"),
    (("washington-quarters", 1932, "D", "MS", ""), "24.26", "reeded", "John Flanagan", "90% silver / 10% copper"),
    (("washington-quarters", 1976, "D", "MS", "Bicentennial"), None, None, "obverse John Flanagan; reverse Jack L. Ahr",
     None),
    (("standing-liberty-quarters", 1916, "P", "MS", ""), "24.3", "reeded", "Hermon A. MacNeil", None),
    (("walking-liberty-half-dollars", 1921, "S", "MS", ""), "30.6", "reeded", "Adolph A. Weinman",
     "90% silver / 10% copper"),
    (("kennedy-half-dollars", 1965, "P", "SP", "SMS"), "30.61", "reeded",
     "obverse Gilroy Roberts; reverse Frank Gasparro", "60% copper / 40% silver (clad: outer layers of 80% silver / "
     "20% copper on a core of about 21% silver / 79% copper)"),
    (("kennedy-half-dollars", 1971, "D", "MS", ""), None, None, None,
     "91.67% copper / 8.33% nickel (clad: outer layers of 75% copper / 25% nickel on a pure copper core)"),
    (("bust-half-dollars", 1836, "P", "MS", "Reeded Edge"), "30.0", "reeded", "John Reich", "90% silver / 10% copper"),
    (("bust-half-dollars", 1806, "P", "MS", "Pointed 6, Stem"), "32.5", "lettered FIFTY CENTS OR HALF A DOLLAR",
     "Robert Scot", "89.24% silver / 10.76% copper"),
    (("three-cent-silver", 1851, "O", "MS", ""), "14.0", "plain", "James B. Longacre", "75% silver / 25% copper"),
    # dollars
    (("morgan-dollars", 1881, "S", "MS", ""), "38.1", "reeded", "George T. Morgan", "90% silver / 10% copper"),
    (("morgan-dollars", 2021, "P", "MS", "CC Privy"), "38.1", "reeded", "George T. Morgan", "99.9% silver"),
    (("peace-dollars", 2021, "P", "MS", ""), "38.1", "reeded", "Anthony de Francisci", "99.9% silver"),
    (("eisenhower-dollars", 1976, "S", "PR", "Type 2"), "38.1", "reeded",
     "obverse Frank Gasparro; reverse Dennis R. Williams", None),
    (("susan-b-anthony-dollars", 1980, "D", "MS", ""), "26.5", "reeded", "Frank Gasparro",
     "91.67% copper / 8.33% nickel (clad: outer layers of 75% copper / 25% nickel on a pure copper core)"),
    (("sacagawea-dollars", 2000, "P", "MS", ""), "26.5", "plain",
     "obverse Glenna Goodacre; reverse Thomas D. Rogers Sr.",
     "88.5% copper / 6% zinc / 3.5% manganese / 2% nickel (clad: manganese-brass outer layers (77% copper, 12% zinc, "
     "7% manganese, 4% nickel) on a pure copper core)"),
    (("presidential-dollars", 2007, "P", "MS", "George Washington"), "26.5",
     "lettered: date, mint mark, E PLURIBUS UNUM, IN GOD WE TRUST", "obverse varies by issue; reverse Don Everhart",
     None),
    # gold: classic .900, early .9167, the Saint-Gaudens double eagle
    (("double-eagles-saint-gaudens", 1927, "D", "MS", ""), "34.0", "lettered E PLURIBUS UNUM with stars",
     "Augustus Saint-Gaudens", "90% gold / 10% copper"),
    (("double-eagles-liberty", 1861, "S", "MS", ""), "34.0", "reeded", "James B. Longacre", "90% gold / 10% copper"),
    (("eagles-indian", 1910, "D", "MS", ""), "27.0", "46 raised stars", "Augustus Saint-Gaudens", None),
    (("eagles-indian", 1932, "P", "MS", ""), "27.0", "48 raised stars", None, None),
    (("quarter-eagles-indian", 1911, "D", "MS", ""), "18.0", "reeded", "Bela Lyon Pratt", "90% gold / 10% copper"),
    (("gold-dollars", 1849, "P", "MS", "Open Wreath"), "13.0", "reeded", "James B. Longacre", None),
    (("gold-dollars", 1854, "P", "MS", "Type 2"), "15.0", None, None, None),
    # bullion: finenesses
    (("silver-eagles", 1986, "P", "MS", ""), "40.6", "reeded", "obverse Adolph A. Weinman; reverse John Mercanti",
     "99.9% silver"),
    (("silver-eagles", 2023, "W", "PR", ""), None, None, "obverse Adolph A. Weinman; reverse Emily Damstra", None),
    (("gold-eagles", 1986, "P", "MS", "1 oz"), "32.7", "reeded",
     "obverse Augustus Saint-Gaudens; reverse Miley Busiek", "91.67% gold / 5.33% copper / 3% silver"),
    (("gold-eagles", 2021, "P", "MS", "1/10 oz Type 2"), "16.5", None,
     "obverse Augustus Saint-Gaudens; reverse Jennie Norris", None),
    (("gold-buffalo", 2008, "W", "PR", "1/4 oz"), "22.0", "reeded", "James Earle Fraser", "99.99% gold"),
    (("platinum-eagles", 1997, "P", "MS", "1 oz"), "32.7", "reeded",
     "obverse John Mercanti; reverse Thomas D. Rogers Sr.", "99.95% platinum"),
    (("palladium-eagles", 2017, "P", "MS", ""), "32.7", "reeded", "Adolph A. Weinman", "99.95% palladium"),
]


@pytest.mark.parametrize(("key", "diameter", "edge", "designer", "composition"), KNOWN, ids=lambda v: str(v))
def test_known_specifications(key, diameter, edge, designer, composition):
    coin = BASE[key]
    if diameter is not None:
        assert coin.diameter_mm == Decimal(diameter)
    if edge is not None:
        assert coin.edge == edge
    if designer is not None:
        assert coin.designer == designer
    if composition is not None:
        assert coin.composition == composition


def test_at_least_forty_coins_across_the_composition_periods():
    assert len(KNOWN) >= 40
    compositions = {row[4] for row in KNOWN if row[4]}
    assert len(compositions) >= 15


@pytest.mark.parametrize(("key", "oz"), [
    (("silver-eagles", 2000, "P", "MS", ""), "1"),
    (("gold-eagles", 2000, "P", "MS", "1/10 oz"), "0.1"),
    (("gold-buffalo", 2006, "W", "PR", ""), "1"),
    (("platinum-eagles", 2000, "W", "PR", "1/2 oz"), "0.5"),
    (("palladium-eagles", 2018, "W", "PR", ""), "1"),
    (("morgan-dollars", 2021, "D", "MS", ""), "0.85853"),
    (("jefferson-nickels", 1943, "P", "MS", ""), "0.05626"),
])
def test_fine_metal_content(key, oz):
    assert BASE[key].metal_oz == Decimal(oz)


def test_every_base_coin_has_edge_designer_and_composition_and_nearly_all_a_diameter():
    base = list(BASE.values())
    for field in ("edge", "designer", "composition"):
        assert not [c.full_name for c in base if not getattr(c, field)], field
    # left empty, not guessed: the 1792 half disme, the 1915 $50s, the 2020 Mayflower $10s, the 2016 gold quarter
    missing = sorted(c.full_name for c in base if c.diameter_mm is None)
    assert len(missing) <= 6, missing


def test_designation_entries_share_their_base_coins_facts():
    for coin in CATALOG:
        if coin.designation:
            base = BASE[(coin.series, coin.year, coin.mint_mark, coin.strike, coin.variety)]
            assert (coin.diameter_mm, coin.edge, coin.designer, coin.composition, coin.key_date) == (
                base.diameter_mm, base.edge, base.designer, base.composition, base.key_date)


@pytest.mark.parametrize(("key", "kind"), [
    (("morgan-dollars", 1893, "S", "MS", ""), "key"),
    (("morgan-dollars", 1895, "P", "PR", ""), "key"),
    (("morgan-dollars", 1881, "S", "MS", ""), None),
    (("lincoln-cents-wheat-reverse", 1909, "S", "MS", "VDB"), "key"),
    (("lincoln-cents-wheat-reverse", 1909, "S", "MS", ""), "semi-key"),
    (("mercury-dimes", 1916, "D", "MS", ""), "key"),
    (("double-eagles-saint-gaudens", 1927, "D", "MS", ""), "key"),
    (("walking-liberty-half-dollars", 1938, "D", "MS", ""), "semi-key"),
])
def test_key_dates(key, kind):
    assert BASE[key].key_date == kind


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
P = "1921-1928, 1934-1935"
"""


@pytest.mark.parametrize(("change", "message"), [
    (("", '[key_dates]\n"1930" = "key"'), "key_dates keys match no coin"),
    (("", '[key_dates]\n"1928" = "rare"'), "key_dates"),
    (('alloy = { silver = 90, copper = 10 }', 'alloy = { silver = 90, copper = 9 }'), "add up to 99"),
    (('alloy = { silver = 90, copper = 10 }', ''), "alloy as parts"),
    (('edge = "reeded"', 'edge = ""'), "must not be empty"),
    (('diameter_mm = 38.1', 'diameter_mm = 381'), "not a US coin"),
])
def test_bad_fact_files_do_not_load(change, message):
    old, new = change
    text = MINI.replace(old, new) if old else MINI + new + "\n"
    with pytest.raises(CatalogError, match=message):
        expand(parse_facts("peace-dollars", text))


def test_a_coin_no_specs_period_covers_is_an_error():
    with pytest.raises(CatalogError, match="no specs period covers 1922"):
        expand(parse_facts("peace-dollars", MINI.replace("[[specs]]", '[[specs]]\nyears = "1921"')))


def test_no_coin_dated_1965_to_1967_carries_a_branch_mint():
    # no mint marks were used on coins dated 1965-1967: PCGS numbers them without a mint
    marked = [c.full_name for c in BASE.values() if 1965 <= c.year <= 1967 and c.mint_mark != "P"]
    assert marked == []


def test_the_anniversary_morgans_and_peace_dollars():
    morgans = {(c.year, c.mint_mark, c.strike, c.variety) for c in BASE.values()
               if c.series == "morgan-dollars" and c.year >= 2021}
    assert {(2021, "P", "MS", ""), (2021, "P", "MS", "CC Privy"), (2021, "P", "MS", "O Privy"),
            (2021, "D", "MS", ""), (2021, "S", "MS", ""), (2023, "S", "PR", "Reverse Proof")} <= morgans
    peace = {(c.year, c.mint_mark, c.strike) for c in BASE.values() if c.series == "peace-dollars" and c.year >= 2021}
    assert (2021, "P", "MS") in peace and not any(year == 2021 and mint != "P" for year, mint, _ in peace)
    assert all(BASE[("morgan-dollars", y, "P", "MS", "")].composition == "99.9% silver" for y in (2021, 2023, 2025))
    assert not [c for c in CATALOG
                if c.series == "morgan-dollars" and c.year >= 2021 and c.designation in ("PL", "DMPL")]


def test_the_2016_gold_centennials_of_the_1916_designs():
    gold = {c.variety: c for c in BASE.values() if c.series == "modern-commemoratives-gold" and c.year == 2016
            and c.variety.endswith("Centennial")}
    assert {v: (c.mint_mark, c.strike, c.denomination, c.metal_oz) for v, c in gold.items()} == {
        "Mercury Centennial": ("W", "SP", "10C", Decimal("0.1")),
        "Standing Liberty Centennial": ("W", "SP", "25C", Decimal("0.25")),
        "Walking Liberty Centennial": ("W", "SP", "50C", Decimal("0.5")),
    }
    assert gold["Mercury Centennial"].designer == "Adolph A. Weinman"
    assert gold["Mercury Centennial"].diameter_mm == Decimal("16.5")
    assert gold["Standing Liberty Centennial"].designer == "Hermon A. MacNeil"
