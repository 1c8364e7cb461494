"""The query parser: dates, mint marks, varieties, denominations, strikes, grades, PCGS numbers, nicknames."""

from __future__ import annotations

import pytest

from coinref.catalog.series import series_by_slug
from coinref.search import parse_query
from coinref.search.vocabulary import load_data


@pytest.mark.parametrize(("query", "year", "mint"), [
    ("1909-S VDB", 1909, "S"),
    ("1909 s vdb", 1909, "S"),
    ("1909s", 1909, "S"),
    ("1884CC morgan", 1884, "CC"),
    ("1884 cc morgan", 1884, "CC"),
    ("morgan 1881 O", 1881, "O"),
    ("1921 peace", 1921, None),
    ("1964 d kennedy", 1964, "D"),
    ("1883 o morgan", 1883, "O"),
    ("morgan cc 1884", 1884, "CC"),
    ("1881 carson city morgan", 1881, "CC"),
])
def test_years_and_mint_marks_attached_or_separate(query, year, mint):
    intent = parse_query(query)
    assert intent.year == year
    assert intent.mint == mint


@pytest.mark.parametrize(("query", "years"), [
    ("84-CC morgan", (1884,)),
    ("84cc", (1884,)),
    ("89-CC $1", (1889,)),
    ("21-D morgan", (1921, 2021)),  # Denver struck Morgans in 1921 and, for the anniversary, in 2021
    ("64-D kennedy", (1964,)),  # the Denver mint struck nothing in 1864
    ("'84 O", (1884,)),
    ("42/1 merc", (1942,)),
])
def test_two_digit_years_take_the_century_the_mint_and_series_struck_in(query, years):
    assert parse_query(query).years == years


def test_an_ambiguous_two_digit_year_keeps_every_possible_century():
    assert set(parse_query("21-D").years) == {1921, 2021}


@pytest.mark.parametrize(("query", "year", "variety_words"), [
    ("1942/1 mercury dime", 1942, {"42", "1"}),
    ("1918/7-D buffalo", 1918, {"18", "7"}),
    ("1880/79 morgan", 1880, {"8", "7"}),
])
def test_overdates_give_the_year_and_a_variety_with_the_usual_spellings(query, year, variety_words):
    intent = parse_query(query)
    assert intent.year == year
    (term,) = intent.terms
    assert any(set(alternative) == variety_words for alternative in term.alternatives)


def test_over_mint_marks_are_a_variety():
    intent = parse_query("1900-O/CC morgan")
    assert (intent.year, intent.mint) == (1900, "O")
    assert intent.variety == ("O/CC",)


@pytest.mark.parametrize(("query", "variety"), [
    ("1909-S V.D.B.", "vdb"),
    ("1955 doubled die", "doubled die obverse"),
    ("1955 DDO", "doubled die obverse"),
    ("1937-D three legged buffalo", "3 leg"),
    ("1937-D 3-legs", "3 leg"),
    ("ike 1972 type II", "type 2"),
    ("1873-CC dime no arrows", "no arrow"),
    ("1883 no cents nickel", "no cent"),
    ("1922 plain lincoln", "no d"),
])
def test_variety_synonyms_collapse_to_one_term(query, variety):
    assert variety in parse_query(query).variety


@pytest.mark.parametrize(("query", "designation", "strike"), [
    ("1881-S morgan PL", "PL", "MS"),
    ("1881-S morgan DMPL", "DMPL", "MS"),
    ("1881-S morgan deep mirror prooflike", "DMPL", "MS"),
    ("1909-S VDB RD", "RD", None),
    ("1916-D merc full bands", "FB", "MS"),
    ("1986-S silver eagle dcam", "DCAM", "PR"),
    ("1964 kennedy cameo", "CAM", "PR"),
])
def test_designations_and_the_strike_they_imply(query, designation, strike):
    intent = parse_query(query)
    assert intent.designation == designation
    assert intent.strike == strike


@pytest.mark.parametrize(("query", "codes"), [
    ("1909 1c", {"1C"}),
    ("1932-D 25c", {"25C"}),
    ("1889-CC $1", {"$1", "T$1", "G$1"}),
    ("1911-D $2.5", {"$2.50"}),
    ("1911-D $2.50", {"$2.50"}),
    ("1911-D $2 1/2", {"$2.50"}),
    ("1854 $3", {"$3"}),
    ("1921-S half dollar", {"50C"}),
    ("1924 double eagle", {"$20"}),
    ("1932 eagle", {"$10"}),
    ("1911-D half eagle", {"$5"}),
    ("1800 1/2c", {"1/2C"}),
    ("1865 3cn", {"3CN"}),
    ("1875 twenty cent piece", {"20C"}),
    ("1851 t$1", {"T$1"}),
])
def test_denominations(query, codes):
    assert set(parse_query(query).denominations) == codes


@pytest.mark.parametrize(("query", "strike"), [
    ("1986-S proof silver eagle", "PR"),
    ("1895 PR morgan", "PR"),
    ("1895 pf morgan", "PR"),
    ("1965 SMS kennedy", "SP"),
    ("2006-W burnished silver eagle", "SP"),
    ("1881-S morgan BU", "MS"),
    ("2019-S reverse proof silver eagle", "PR"),
    ("1881-S morgan", None),
])
def test_strikes(query, strike):
    assert parse_query(query).strike == strike


@pytest.mark.parametrize(("query", "grade", "strike", "designation"), [
    ("1881-S morgan MS65", "MS65", "MS", None),
    ("1881-S morgan ms-65+", "MS65+", "MS", None),
    ("1909-S VDB MS64RD", "MS64", "MS", "RD"),
    ("PR69DCAM 1986-S silver eagle", "PR69", "PR", "DCAM"),
    ("PF70 UC 2021-W eagle", "PR70", "PR", "DCAM"),
    ("1916-D merc VF20", "VF20", None, None),
    ("1916-D merc g4", "G4", None, None),
])
def test_grades_are_returned_as_intent_and_imply_strike_and_designation(query, grade, strike, designation):
    intent = parse_query(query)
    assert intent.grade is not None and intent.grade.text == grade
    assert intent.strike == strike
    assert intent.designation == designation
    assert intent.as_dict()["grade"]["text"] == grade


def test_a_grade_is_not_matched_as_words():
    intent = parse_query("1881-S morgan MS65")
    assert intent.terms == ()
    assert intent.years == (1881,)


@pytest.mark.parametrize(("query", "number"), [
    ("PCGS 7082", 7082),
    ("pcgs #7082", 7082),
    ("PCGS no. 7082", 7082),
    ("#7082", 7082),
    ("7082", 7082),
    ("1000", 1000),
    ("123456", 123456),
    ("9123456", 9123456),
    ("PCGS 1881", 1881),  # explicit: a number, even if it looks like a year
    ("7130.67/51225377", 7130),  # a slab label: PCGS number . grade / cert
])
def test_pcgs_numbers(query, number):
    assert parse_query(query).pcgs_number == number


@pytest.mark.parametrize("query", ["1881", "2021", "8123456", "12", "1234567"])
def test_years_and_other_numbers_are_not_pcgs_numbers(query):
    assert parse_query(query).pcgs_number is None


def test_slab_label_grade():
    assert parse_query("7130.67/51225377").grade.number == 67


@pytest.mark.parametrize(("query", "series"), [
    ("walker 1938-D", "walking-liberty-half-dollars"),
    ("merc 1916-D", "mercury-dimes"),
    ("ike 1972", "eisenhower-dollars"),
    ("SBA 1979", "susan-b-anthony-dollars"),
    ("SAE 2021", "silver-eagles"),
    ("ASE 2021", "silver-eagles"),
    ("SLQ 1927-S", "standing-liberty-quarters"),
    ("IHC 1877", "indian-head-cents"),
    ("FE 1858", "flying-eagle-cents"),
    ("buffalo nickel 1937", "buffalo-nickels"),
    ("saint 1924", "double-eagles-saint-gaudens"),
    ("$20 saint gaudens", "double-eagles-saint-gaudens"),
    ("lib $20 1904", "double-eagles-liberty"),
    ("lib nickel 1883", "liberty-nickels"),
    ("paquet", "double-eagles-liberty"),
    ("cheerios", "sacagawea-dollars"),
    ("morgan 1881", "morgan-dollars"),
    ("peace 1922", "peace-dollars"),
    ("barber dime 1894", "barber-dimes"),
    ("barber half 1892", "barber-half-dollars"),
    ("seated dollar 1872", "seated-liberty-dollars"),
    ("seated half dime 1850", "half-dimes-seated"),
    ("trade 1878", "trade-dollars"),
    ("jeff 1950", "jefferson-nickels"),
    ("rosie 1946", "roosevelt-dimes"),
    ("frank 1949", "franklin-half-dollars"),
    ("kennedy 1964", "kennedy-half-dollars"),
    ("jfk 1964", "kennedy-half-dollars"),
    ("sac 2000", "sacagawea-dollars"),
    ("sacagawea 2000", "sacagawea-dollars"),
    ("franklin 1955", "franklin-half-dollars"),
    ("indian cent 1877", "indian-head-cents"),
    ("indian head half eagle 1911", "half-eagles-indian"),
    ("indian $10 1907", "eagles-indian"),
    ("wheatie 1955", "lincoln-cents-wheat-reverse"),
    ("lincoln cent 1955", "lincoln-cents-wheat-reverse"),
    ("lincoln cent 1972", "lincoln-cents-memorial"),
    ("steelie", "lincoln-cents-wheat-reverse"),
    ("gold buffalo 2008", "gold-buffalo"),
    ("state quarter delaware", "state-quarters"),
    ("three dollar gold 1854", "three-dollar-gold"),
    ("trime 1851", "three-cent-silver"),
])
def test_nicknames(query, series):
    assert parse_query(query).series == (series,)


@pytest.mark.parametrize(("query", "series"), [
    ("morgn dolar 1881-S", "morgan-dollars"),
    ("mercurey dime 1942", "mercury-dimes"),
    ("walkng liberty 1942", "walking-liberty-half-dollars"),
    ("kenedy half 1970", "kennedy-half-dollars"),
    ("eisenhauer dollar 1972", "eisenhower-dollars"),
])
def test_typos_are_corrected_against_the_vocabulary(query, series):
    assert parse_query(query).series == (series,)


def test_real_words_the_catalog_does_not_know_are_left_alone():
    intent = parse_query("garbage")
    assert intent.variety == ("garbage",)
    assert intent.terms[0].known is False


@pytest.mark.parametrize("query", [
    "", " ", "\x00\x01\x02", "\ufffd" * 50, '"', "*", "NEAR(a b)", "-", "AND OR NOT", "((", "full_name:morgan",
    "'; DROP TABLE coins; --", "🪙 1881-S 🪙", "١٨٨١", "x" * 10_000, "$", "$$$", "#", "pcgs", "1/2/3/4",
])
def test_strange_input_parses_without_error(query):
    intent = parse_query(query)
    assert isinstance(intent.as_dict(), dict)


def test_bytes_are_decoded():
    assert parse_query(b"1881-S morgan").year == 1881


def test_vocabulary_names_only_known_series_and_codes():
    data = load_data()
    known = series_by_slug()
    for phrase, slugs in data["series"].items():
        assert slugs, phrase
        assert set(slugs) <= set(known), phrase
    assert set(data["strikes"].values()) <= {"MS", "PR", "SP"}
    assert set(data["designations"].values()) <= {"BN", "RB", "RD", "PL", "DMPL", "FB", "FS", "FH", "FBL", "CAM",
                                                  "DCAM"}
    for entry in data["varieties"]:
        assert entry["phrases"]
        assert entry.get("strike") in (None, "MS", "PR", "SP")
    for phrase in data["mints"].values():
        assert phrase in ("P", "D", "S", "O", "CC", "W", "C")
