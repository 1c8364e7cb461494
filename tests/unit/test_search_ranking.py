"""Ranking over hand-made candidate rows: structure first, the base coin first, popularity breaks ties."""

from __future__ import annotations

from coinref.search import parse_query
from coinref.search.ranking import Ranker
from coinref.search.text import edit_distance, similarity, tokens

_ids = iter(range(1, 10_000))


def coin(year=1881, mint="S", strike="MS", variety="", designation="", series="morgan-dollars", name=None,
         lookups=0, watched=False, denomination="$1", pcgs=None):
    date = f"{year}" if mint == "P" else f"{year}-{mint}"
    full = name or " ".join(p for p in (date, variety, "Morgan Dollar", "Proof" if strike == "PR" else "",
                                         designation) if p)
    return {"id": next(_ids), "series": series, "year": year, "mint_mark": mint, "strike": strike,
            "variety": variety, "designation": designation, "denomination": denomination, "full_name": full,
            "pcgs_number": pcgs, "ngc_number": None, "metal": "90% Silver", "weight_g": None, "fineness": None,
            "metal_oz": None, "mintage": None, "lookup_count": lookups, "watched": watched,
            "series_name": "Morgan Dollars"}


def top(query: str, rows: list[dict]) -> dict:
    return Ranker(parse_query(query)).rank(rows)[0][1]


def test_exact_year_and_mint_first_then_the_base_designation_and_ms():
    wanted = coin()
    rows = [coin(designation="PL"), coin(designation="DMPL"), coin(mint="P"), coin(mint="O"), coin(year=1882),
            coin(strike="PR", mint="S"), wanted]
    assert top("1881-S morgan", rows) is wanted


def test_philadelphia_when_no_mint_is_named():
    wanted = coin(mint="P")
    assert top("1881 morgan", [coin(mint="S"), coin(mint="O"), coin(mint="CC"), wanted]) is wanted


def test_philadelphia_beats_ms_of_another_mint_when_philadelphia_struck_only_proofs():
    wanted = coin(year=1895, mint="P", strike="PR")
    assert top("1895 morgan", [coin(year=1895, mint="O"), coin(year=1895, mint="S"), wanted]) is wanted


def test_proof_only_when_asked():
    ms, pr = coin(mint="P"), coin(mint="P", strike="PR")
    assert top("1881 morgan", [pr, ms]) is ms
    assert top("1881 proof morgan", [ms, pr]) is pr
    assert top("1881 morgan PR65", [ms, pr]) is pr


def test_a_named_designation_wins_over_the_base_coin():
    base, pl, dmpl = coin(), coin(designation="PL"), coin(designation="DMPL")
    assert top("1881-S morgan DMPL", [base, pl, dmpl]) is dmpl
    assert top("1881-S morgan PL", [base, dmpl, pl]) is pl


def test_base_coin_before_its_varieties_unless_a_variety_is_named():
    base, ddo = coin(year=1888, mint="O"), coin(year=1888, mint="O", variety="Doubled Die Obverse")
    assert top("1888-O morgan", [ddo, base]) is base
    assert top("1888-O morgan ddo", [base, ddo]) is ddo
    assert top("1888-O morgan doubled die", [base, ddo]) is ddo


def test_a_variety_that_replaces_the_plain_coin_is_that_dates_base_coin():
    eight = coin(year=1878, mint="P", variety="8TF")
    seven = coin(year=1878, mint="P", variety="7TF Reverse of 1878")
    branch = coin(year=1878, mint="S")
    assert top("1878 morgan", [branch, seven, eight])["mint_mark"] == "P"
    assert top("1878 morgan 7tf", [branch, eight, seven]) is seven


def test_multi_word_varieties_match_as_a_run():
    type2 = coin(year=2021, mint="P", variety="1 oz Type 2")
    half_type1 = coin(year=2021, mint="P", variety="1/2 oz Type 1")
    assert top("2021 1 oz type 2", [half_type1, type2]) is type2


def test_popularity_and_the_watchlist_only_break_ties():
    plain, looked_up, watched = coin(mint="P"), coin(mint="P", lookups=500), coin(mint="P", watched=True)
    for row in (plain, looked_up, watched):
        row["series"] = "morgan-dollars"
    looked_up["variety"], watched["variety"] = "", ""
    rows = [plain, looked_up]
    assert top("1881 morgan", rows) is looked_up
    assert top("1881 morgan", [plain, watched]) is watched
    # but never over a structural difference
    s_mint = coin(mint="S", lookups=10_000, watched=True)
    assert top("1881 morgan", [s_mint, plain]) is plain


def test_pcgs_number_match_comes_first():
    wanted = coin(year=1900, mint="O", pcgs=7250)
    assert top("PCGS 7250", [coin(pcgs=7082), wanted]) is wanted


def test_fuzzy_variety_words():
    wanted = coin(year=1999, mint="P", variety="Delaware", series="state-quarters", denomination="25C",
                  name="1999-P Delaware Statehood Quarter")
    other = coin(year=1999, mint="P", variety="Georgia", series="state-quarters", denomination="25C",
                 name="1999-P Georgia Statehood Quarter")
    assert top("1999-P delawre quarter", [other, wanted]) is wanted


def test_text_helpers():
    assert tokens("1937-D Three-Legged Buffalos, Type II") == ("1937", "d", "3", "legged", "buffalo", "type", "2")
    assert tokens("Pennies") == ("penny",)
    assert similarity("morgan", "morgan") == 1.0
    assert 0.4 < similarity("morgn", "morgan") < 1.0
    assert similarity("xyz", "morgan") == 0.0
    assert edit_distance("morgn", "morgan") == 1
    assert edit_distance("dolar", "dollar") == 1
    assert edit_distance("ab", "ba") == 1
    assert edit_distance("garbage", "barber", limit=2) == 3
