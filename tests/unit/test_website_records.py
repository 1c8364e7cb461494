"""Scraped rows become coin records and price observations; spec-search candidates are scored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from coinref.errors import TransientError
from coinref.sources.specsearch import ACCEPT_AT, Wanted, candidates_from, decide, score_candidate
from coinref.sources.website import canonical_variety, page_records, series_from_title
from coinref.sources.website_parse import parse_page

FIXTURES = Path(__file__).parents[1] / "fixtures" / "website"
DAY = date(2026, 5, 1)


def test_page_titles_name_their_series():
    assert series_from_title("Morgan Dollars") == "morgan-dollars"
    assert series_from_title("Lincoln Cents (Wheat Reverse)") == "lincoln-cents-wheat-reverse"
    assert series_from_title("Walking Liberty Half Dollars | PCGS CoinFacts") == "walking-liberty-half-dollars"
    assert series_from_title("Price Guide | PCGS") is None
    assert series_from_title(None) is None


def test_varieties_take_the_catalogs_spelling():
    assert canonical_variety("peace-dollars", "high relief") == "High Relief"
    assert canonical_variety("half-cents", "Lettered Edge Pole") == "Lettered Edge, Pole"
    assert canonical_variety("morgan-dollars", "Morgan") == ""  # the series' own name is no variety
    assert canonical_variety("morgan-dollars", "Some New Die") == "Some New Die"


def test_price_guide_rows_become_coin_and_price_records():
    page = parse_page((FIXTURES / "price_guide_table_main.html").read_text(), "https://pcgs.test/prices/x")
    coins, prices = page_records(page, None, DAY)
    by_number = {c.pcgs_number: c for c in coins}
    dmpl = by_number[7180]
    assert (dmpl.series, dmpl.year, dmpl.mint_mark, dmpl.strike, dmpl.designation, dmpl.denomination) == (
        "morgan-dollars", 1881, "S", "MS", "DMPL", "$1")
    assert dmpl.source == "coinfacts" and dmpl.raw["url"] == "https://pcgs.test/prices/x"
    proof = by_number[7313]
    assert (proof.strike, proof.mint_mark, proof.designation) == ("PR", None, None)
    flat = [p for row in prices for p in row]
    assert all(p.source == "pcgs-website" and p.observed_on == DAY for p in flat)
    assert {(p.pcgs_number, p.grade, p.plus, p.price) for p in prices[0]} >= {(7178, 63, True, Decimal(88))}


def test_coin_page_records_carry_ngc_number_mintage_and_variety():
    page = parse_page((FIXTURES / "coin_classic.html").read_text(), "file://coin")
    (coin,), (prices,) = page_records(page, None, DAY)
    assert (coin.pcgs_number, coin.ngc_number, coin.mintage, coin.variety, coin.designation) == (
        2428, "2143", 484_000, "VDB", "RD")
    assert coin.series == "lincoln-cents-wheat-reverse"  # the one series whose catalog has a 1909-S VDB RD
    assert len(prices) == 4


WANTED = Wanted("lincoln-cents-wheat-reverse", 1909, "S", "MS", "VDB", "RD", "1C", "1909-S 1C VDB, RD")


LINCOLN = "Lincoln Cents (Wheat Reverse)"


def cand(number, description, *, year=1909, mint="S", denom="1C", prefix="MS", category=LINCOLN):
    return {"specno": number, "description": description, "year": year, "mintmark": mint, "denomination": denom,
            "prefix": prefix, "category": category}


def test_the_matching_candidate_is_accepted():
    decision = decide(WANTED, [cand(1, "1909-S 1C VDB, BN"), cand(2, "1909-S 1C VDB, RD"), cand(3, "1909-S 1C, RD")])
    assert decision.accepted.specno == 2 and decision.accepted.score == pytest.approx(1.0)
    assert [s.specno for s in decision.ranked][:1] == [2]


@pytest.mark.parametrize(
    ("candidate", "disagreement"),
    [
        (cand(5, "1909-S 1C VDB, RD", prefix="PR"), "strike"),
        (cand(5, "1909 1C VDB, RD", mint="P"), "mint"),
        (cand(5, "1910-S 1C, RD", year=1910), "year"),
        (cand(5, "1909-S 1C, RD"), "variety"),
        (cand(5, "1909-S 1C VDB, RB"), "designation"),
        (cand(5, "1909-S 5C VDB, RD", denom="5C"), "denomination"),
    ],
)
def test_one_identity_field_off_is_below_the_threshold(candidate, disagreement):
    scored = score_candidate(WANTED, candidate)
    assert scored.score < ACCEPT_AT and disagreement in scored.disagreements()
    decision = decide(WANTED, [candidate])
    assert decision.accepted is None and disagreement in decision.reason


def test_equally_good_candidates_go_to_review():
    twins = [cand(7, "1909-S 1C VDB, RD", category="Half-Cents and Cents"),
             cand(8, "1909-S 1C VDB, RD", category="Half-Cents and Cents")]
    decision = decide(WANTED, twins)
    assert decision.accepted is None and "cannot tell them apart" in decision.reason


def test_the_category_breaks_a_tie_between_series():
    indian = Wanted("indian-head-cents", 1909, "P", "MS", "", "", "1C", "1909 1C")
    decision = decide(indian, [cand(10, "1909 1C", mint="P", category="Lincoln Cents (Wheat Reverse)"),
                               cand(11, "1909 1C", mint="P", category="Indian Head Cents")])
    assert decision.accepted.specno == 11


def test_product_words_and_pf_prefixes_are_understood():
    eagle = Wanted("silver-eagles", 1986, "S", "PR", "", "DCAM", "$1", "1986-S $1, DCAM")
    decision = decide(eagle, [cand(20, "1986-S $1 Silver Eagle, DCAM", year=1986, denom="$1", prefix="PF",
                                   category="American Silver Eagles")])
    assert decision.accepted.specno == 20


def test_no_candidates_and_bad_answers():
    assert decide(WANTED, []).reason == "the spec search found no candidate"
    assert decide(WANTED, [{"specno": "x", "description": "1909-S 1C VDB, RD"}]).accepted is None
    assert candidates_from({"results": [{"specno": 1}, "junk"]}) == [{"specno": 1}]
    with pytest.raises(TransientError):
        candidates_from("<html>")


def test_the_query_is_the_pcgs_form_description():
    assert WANTED.query() == "1909-S 1C VDB, RD"
    assert Wanted("morgan-dollars", 1881, "P", "MS", "", "DMPL", "$1").query() == "1881 $1, DMPL"
