"""Parsing every variant of PCGS answers the reference lists into the models."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from coinref.sources.pcgs_models import AuctionPrices, CertImages, CoinFacts, parse_auction_date

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pcgs"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_by_grade_answer_with_string_pcgs_number():
    facts = CoinFacts.model_validate(load("by_grade_2986_ms65rd.json"))
    assert facts.pcgs_no == 2986
    assert facts.cert_no == ""
    assert facts.name == "1977 1C, RD"
    assert facts.year == 1977
    assert facts.mintage == 4_469_930_000
    assert facts.price_guide_value == Decimal("18.00") and isinstance(facts.price_guide_value, Decimal)
    assert facts.priced
    assert (facts.population, facts.pop_higher) == (353, 648)
    assert facts.coin_facts_url == "https://www.pcgs.com/coinfacts/coin/detail/2986/65"
    assert facts.weight == Decimal("3.11")
    grade = facts.parsed_grade()
    assert (grade.number, grade.plus, grade.prefix, grade.designation) == (65, False, "MS", "RD")
    assert facts.images == [] and facts.auction_list == []
    assert facts.has_true_view_image is None  # absent on by-grade answers


def test_mintage_with_commas_and_price_zero_is_unpriced():
    facts = CoinFacts.model_validate(load("by_grade_commas_unpriced.json"))
    assert facts.mintage == 436_800
    assert facts.price_guide_value is None
    assert not facts.priced
    assert facts.auction_list == []  # null list
    grade = facts.parsed_grade()
    assert (grade.number, grade.plus) == (64, True)


def test_zero_padded_low_grade_and_unknown_year():
    facts = CoinFacts.model_validate(load("by_grade_low_grade.json"))
    assert facts.year is None  # 0 means unknown
    assert facts.mintage is None  # ""
    assert facts.price_guide_value == Decimal("425.00")
    grade = facts.parsed_grade()
    assert (grade.number, grade.designation) == (4, "BN")


def test_cert_answer_none_series_images_and_auction_dates():
    facts = CoinFacts.model_validate(load("by_cert_sp66_none_series.json"))
    assert facts.series_name is None  # "(None)"
    assert facts.cert_no == "38109793"
    assert facts.mintage == 2_261_583
    assert len(facts.images) == 2  # the empty stub is dropped
    assert all(i.fullsize.startswith("https://") for i in facts.images)
    assert [a.sold_on for a in facts.auction_list] == [date(2024, 8, 1), date(2023, 3, 15), date(2019, 11, 2)]
    assert facts.auction_list[0].price == Decimal("145.00")
    assert facts.auction_list[1].cert_no is None and facts.auction_list[1].is_cac is True
    assert facts.has_true_view_image is True and facts.is_nfc_secure is False
    assert facts.parsed_grade().prefix == "SP"


@pytest.mark.parametrize("name", ["not_found_two_keys.json", "not_found_every_key.json", "not_found_grade.json"])
def test_not_found_bodies_parse_to_an_empty_model(name):
    facts = CoinFacts.model_validate(load(name))
    assert facts.is_valid_request is True
    assert "No data found" in facts.server_message
    assert facts.pcgs_no is None and facts.price_guide_value is None
    assert facts.images == [] and facts.auction_list == []


def test_apr_year_as_string_and_invalid_apr():
    prices = AuctionPrices.model_validate(load("apr_by_grade.json"))
    assert prices.pcgs_no == 3972 and prices.year == 1934
    assert [a.sold_on for a in prices.auctions] == [date(2025, 3, 1), date(2024, 8, 1)]
    invalid = AuctionPrices.model_validate(load("apr_invalid.json"))
    assert invalid.is_valid_request is False and invalid.server_message is None
    assert invalid.auctions == [] and invalid.pcgs_no is None


def test_images_empty_list():
    images = CertImages.model_validate(load("images_empty.json"))
    assert images.images == [] and images.cert_no == "25252728" and images.is_valid_request is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08-2024", date(2024, 8, 1)),
        ("08-15-2024", date(2024, 8, 15)),
        ("2024-08-15", date(2024, 8, 15)),
        ("2024-08-15T10:11:12", date(2024, 8, 15)),
        ("2024-08-15T10:11:12Z", date(2024, 8, 15)),
        ("", None),
        (None, None),
        ("last spring", None),
    ],
)
def test_auction_dates_in_three_formats(text, expected):
    assert parse_auction_date(text) == expected
