"""Parsing hand-written pages in each documented layout through the selector fallback chains."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from coinref.sources.website_parse import (
    ParseFailure,
    chains_from_data,
    load_chains,
    parse_count,
    parse_page,
    parse_price,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "website"


def page(name: str, kind: str | None = None):
    path = FIXTURES / name
    return parse_page(path.read_text(encoding="utf-8"), str(path), kind)


def prices(row) -> dict[str, Decimal]:
    return {p.label: p.price for p in row.prices}


def test_documented_price_guide_rows_header_sections_and_prices():
    parsed = page("price_guide_table_main.html")
    assert (parsed.kind, parsed.layout, parsed.series_title) == ("price_guide", "table-main", "Morgan Dollars")
    rows = {r.pcgs_number: r for r in parsed.rows}
    assert list(rows) == [7178, 7179, 7180, 7313, 87313]
    assert rows[7178].description == "1881-S $1" and rows[7178].designation == "" and rows[7178].strike == "MS"
    assert prices(rows[7178]) == {"MS60": 62, "MS62": 70, "MS63": 80, "MS63+": 88, "MS64": 95, "MS65": 175}
    assert rows[7179].designation == "PL"
    assert "MS62" not in prices(rows[7179]) and "MS63+" not in prices(rows[7179])  # dash and blank: no price
    assert prices(rows[7180])["MS65"] == Decimal("2350.50")
    # the second header row names proof grades: the rows below it are proofs
    assert rows[7313].strike == "PR" and prices(rows[7313])["PR65"] == 4750
    assert rows[87313].designation == "CAM" and "PR63+" not in prices(rows[87313])  # 0 means no price
    plus = [p for p in rows[7178].prices if p.label == "MS63+"][0]
    assert (plus.grade, plus.plus) == (63, True)


def test_newer_price_guide_with_self_labelled_cells():
    parsed = page("price_guide_grid.html")
    assert (parsed.kind, parsed.layout) == ("price_guide", "price-grid")
    rows = {r.pcgs_number: r for r in parsed.rows}
    assert rows[2428].description == "1909-S 1C VDB, RD" and rows[2428].designation == "RD"
    assert prices(rows[2428]) == {"MS63": 2100, "MS64": 2600, "MS64+": 3050, "MS65": 4200}
    assert rows[3305].strike == "PR" and prices(rows[3305]) == {"PR63": 3800, "PR64": 5500, "PR65": 9900}


def test_lookup_tables_in_both_layouts():
    documented = page("lookup_data_title.html")
    assert (documented.kind, documented.layout) == ("lookup", "data-title")
    assert [(r.pcgs_number, r.description) for r in documented.rows] == [
        (7356, "1922 $1 High Relief"), (7357, "1922 $1"), (7376, "1928 $1")]
    assert prices(documented.rows[0]) == {"MS64": 700, "MS65": 1900}
    newer = page("lookup_list.html")
    assert (newer.kind, newer.layout) == ("lookup", "lookup-list")
    assert [r.pcgs_number for r in newer.rows] == [4905, 4906, 5058]
    assert newer.rows[1].designation == "FB" and prices(newer.rows[1]) == {"MS65FB": 29500}


def test_series_lists_in_both_layouts():
    documented = page("series_list_tbody.html")
    assert (documented.kind, documented.layout) == ("series_list", "tbody-tr")
    assert [(r.pcgs_number, r.description, r.mintage) for r in documented.rows] == [
        (6566, "1916 50C", 608_000), (6567, "1916-D 50C", 1_014_400), (6568, "1916-S 50C", 508_000),
        (6637, "1936 50C (Proof)", 3_901)]
    newer = page("series_list_cards.html")
    assert (newer.kind, newer.layout, newer.series_title) == ("series_list", "coin-list", "Buffalo Nickels")
    assert [(r.pcgs_number, r.mintage) for r in newer.rows] == [(3980, 30_992_000), (3981, 5_337_000), (3982, None)]


def test_coin_pages_in_both_layouts():
    classic = page("coin_classic.html")
    (row,) = classic.rows
    assert (classic.kind, classic.layout) == ("coin", "coin-details")
    assert (row.pcgs_number, row.description, row.denomination, row.variety, row.mintage, row.ngc_number) == (
        2428, "1909-S 1C VDB, RD", "1C", "VDB", 484_000, "2143")
    assert prices(row) == {"MS63RD": 2100, "MS64RD": 2600, "MS64+RD": 3050, "MS65RD": 4200}
    modern = page("coin_modern.html")
    (row,) = modern.rows
    assert (modern.kind, modern.layout) == ("coin", "cf-coin")
    assert (row.pcgs_number, row.ngc_number, row.mintage, row.strike) == (9803, "148331", 1_446_778, "PR")
    assert prices(row) == {"PR68DCAM": 85, "PR69DCAM": 110, "PR70DCAM": 1500}


def test_which_selector_matched_is_counted_per_field():
    stats = page("price_guide_table_main.html").stats()
    assert stats["coinfacts:price_guide.rows=table-main"] == 1
    assert stats["coinfacts:price_guide.pcgs_number=cell-1"] == 1
    assert stats["coinfacts:price_guide.prices=header-columns"] == 1
    assert stats["coinfacts:pages"] == 1
    grid = page("price_guide_grid.html").stats()
    assert grid["coinfacts:price_guide.pcgs_number=data-pcgs"] == 1 and grid["coinfacts:price_guide.prices=data-grade"]


@pytest.mark.parametrize("name", ["unknown_layout.html", "challenge.html"])
def test_a_page_nothing_matched_is_a_parse_failure_naming_the_url(name):
    with pytest.raises(ParseFailure) as caught:
        page(name)
    assert name in caught.value.message and caught.value.exit_code == 5


def test_the_expected_kind_is_the_only_one_tried():
    with pytest.raises(ParseFailure, match="price_guide"):
        page("series_list_tbody.html", kind="price_guide")


def test_rows_without_a_number_are_a_parse_failure_not_an_empty_page():
    html = "<table><tbody><tr><td>no number</td><td>nothing</td></tr></tbody></table>"
    with pytest.raises(ParseFailure, match="found 1 rows but no PCGS number"):
        parse_page(html, "https://example.test/p", "series_list")


def test_the_chain_falls_back_to_the_next_entry():
    """When the first selector of a chain stops matching, the next one takes over (and is counted)."""
    data = tomllib.loads(resources.files("coinref.sources").joinpath("selectors.toml").read_text())
    data["price_guide"]["fields"]["pcgs_number"].insert(0, {"name": "gone", "css": "td.no-such-cell"})
    chains = chains_from_data(data)
    parsed = parse_page((FIXTURES / "price_guide_table_main.html").read_text(), "x", "price_guide", chains)
    assert len(parsed.rows) == 5
    assert parsed.matched["price_guide.pcgs_number=cell-1"] == 1
    assert not any("gone" in key for key in parsed.matched)


def test_the_packaged_chains_describe_every_kind():
    described = load_chains().describe()
    assert set(described) == {"coin", "price_guide", "lookup", "series_list"}
    assert described["price_guide"]["rows"][0] == "table-main"


@pytest.mark.parametrize(
    ("text", "value"),
    [("$1,250", Decimal(1250)), ("95", Decimal(95)), ("$2,350.50", Decimal("2350.50")), ("—", None), ("", None),
     ("N/A", None), ("0", None), ("$0", None), ("call", None)],
)
def test_price_cells(text, value):
    assert parse_price(text) == value


def test_mintage_cells():
    assert parse_count("1,014,400") == 1_014_400
    assert parse_count("(Unknown)") is None and parse_count("") is None and parse_count("Included above") is None


def test_challenge_pages_are_recognised():
    from coinref.sources.website_fetch import looks_like_challenge

    challenge = (FIXTURES / "challenge.html").read_text()
    page_html = (FIXTURES / "price_guide_table_main.html").read_text()
    assert looks_like_challenge(200, {}, challenge)
    assert looks_like_challenge(403, {"content-type": "text/html"}, "<html>denied</html>")
    assert looks_like_challenge(503, {}, "<!DOCTYPE html><html><body>busy</body></html>")
    assert looks_like_challenge(200, {"cf-mitigated": "challenge"}, "")
    assert not looks_like_challenge(200, {"content-type": "text/html"}, page_html)
    assert not looks_like_challenge(503, {"content-type": "application/json"}, '{"error": 1}')
