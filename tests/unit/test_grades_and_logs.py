"""Grade parsing, the secret-redacting log filter, and the record validator's rules."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from coinref.catalog.grades import parse_grade
from coinref.errors import InvalidInput
from coinref.logs import RedactSecrets
from coinref.pipeline.records import CoinRecord
from coinref.pipeline.validation import CoinValidator


@pytest.mark.parametrize(
    ("text", "number", "plus", "prefix", "designation"),
    [
        ("65", 65, False, "", ""),
        ("MS65", 65, False, "MS", ""),
        ("64+", 64, True, "", ""),
        ("MS64+", 64, True, "MS", ""),
        ("PR70DCAM", 70, False, "PR", "DCAM"),
        ("PF69 UCAM", 69, False, "PR", "DCAM"),
        ("G04", 4, False, "G", ""),
        ("ms 65 rd", 65, False, "MS", "RD"),
        ("XF45+", 45, True, "XF", ""),
    ],
)
def test_parse_grade(text, number, plus, prefix, designation):
    parsed = parse_grade(text)
    assert (parsed.number, parsed.plus, parsed.prefix, parsed.designation) == (number, plus, prefix, designation)


@pytest.mark.parametrize("text", ["", "MS71", "66.5", "MS44+", "PR70XYZ", "69+", "abc", "MS5"])
def test_parse_grade_rejects(text):
    with pytest.raises(InvalidInput):
        parse_grade(text)


def test_redaction_hides_configured_secrets_and_bearer_tokens():
    record = logging.LogRecord("coinref", logging.INFO, __file__, 1,
                               "calling with Authorization: bearer %s and token=abc12345 secret s3cr3t-value",
                               ("tok-XYZ-123456",), None)
    RedactSecrets(["tok-XYZ-123456", "s3cr3t-value"]).filter(record)
    text = record.getMessage()
    assert "tok-XYZ-123456" not in text and "abc12345" not in text and "s3cr3t-value" not in text
    assert "***" in text


def _record(**changes) -> CoinRecord:
    base = dict(source="builtin", series="morgan-dollars", year=1881, mint_mark="S", strike="MS", variety="",
                designation="", denomination="$1", full_name="1881-S Morgan Dollar", metal="90% Silver, 10% Copper",
                weight_g=Decimal("26.73"), fineness=Decimal("0.9"), metal_oz=Decimal("0.77345"))
    return CoinRecord(**(base | changes))


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({}, None),
        ({"year": 1877}, "outside the series"),  # before 1878 (Morgans run on from 2021, so 1922 is in range)
        ({"year": 1791}, "outside 1792"),
        ({"mint_mark": "CC", "year": 1900}, "Carson City"),
        ({"mint_mark": "W"}, "West Point"),
        ({"mint_mark": "X"}, "unknown mint mark"),
        ({"denomination": "50C"}, "not one of the series"),
        ({"denomination": "$7"}, "unknown denomination"),
        ({"pcgs_number": 0}, "PCGS number"),
        ({"pcgs_number": 12_000_000}, "PCGS number"),
        ({"full_name": ""}, "full_name"),
        ({"metal_oz": Decimal("2.0")}, "does not match"),
        ({"metal": "Copper-Nickel"}, "not precious"),
        ({"source": "pcgs-api"}, "missing PCGS number"),
        ({"series": "nope"}, "unknown series"),
    ],
)
def test_validator_rules(changes, fragment):
    reasons = CoinValidator(next_year=2027).validate(_record(**changes))
    if fragment is None:
        assert reasons == []
    else:
        assert any(fragment in r for r in reasons), reasons


def test_reference_grades_setting(monkeypatch):
    from coinref.catalog.reference_grades import overrides, reference_grade
    from coinref.config import load_settings
    from coinref.errors import ConfigError

    monkeypatch.setenv("COINREF_REFERENCE_GRADES", '{"morgan-dollars": "MS63"}')
    custom = overrides(load_settings())
    assert reference_grade("morgan-dollars", "MS", 1881, custom) == 63
    assert reference_grade("peace-dollars", "MS", 1921, custom) == 65
    assert reference_grade("large-cents", "MS", 1850, custom) == 40
    assert reference_grade("silver-eagles", "PR", 1986, custom) == 69
    monkeypatch.setenv("COINREF_REFERENCE_GRADES", '{"nope": "MS63"}')
    with pytest.raises(ConfigError, match="COINREF_REFERENCE_GRADES"):
        load_settings()
