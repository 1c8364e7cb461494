"""The one classification of PCGS answers (pcgs-api.md section 5) and the input checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from coinref.errors import (
    AuthenticationError,
    InvalidInput,
    NotFound,
    QuotaExhausted,
    RateLimited,
    TransientError,
    UpstreamError,
    WrongEndpoint,
)
from coinref.sources.pcgs_api import check_grade_point, classify, normalize_cert, parse_retry_after

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pcgs"
REQUEST = httpx.Request("GET", "https://api.example/publicapi/coindetail/GetCoinFactsByGrade")


def answer(status: int, body: str | bytes | dict | None = None, headers: dict | None = None) -> httpx.Response:
    if isinstance(body, dict):
        body = json.dumps(body)
    return httpx.Response(status, content=body or b"", headers=headers, request=REQUEST)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


@pytest.mark.parametrize(
    ("response", "kind", "error"),
    [
        (answer(200, fixture("by_grade_2986_ms65rd.json")), "success", None),
        (answer(200, fixture("not_found_two_keys.json")), "not_found", NotFound),
        (answer(200, fixture("not_found_every_key.json")), "not_found", NotFound),
        (answer(200, fixture("not_found_grade.json")), "not_found", NotFound),
        (answer(200, fixture("invalid_cert.json")), "invalid", InvalidInput),
        (answer(200, fixture("apr_invalid.json")), "invalid", InvalidInput),
        (answer(200, fixture("images_empty.json")), "success", None),
        (answer(200, fixture("server_error.json")), "transient", TransientError),
        (answer(200, '{"PCGSNo": "29'), "transient", TransientError),
        (answer(200, "<html>maintenance</html>"), "transient", TransientError),
        (answer(200, {"Unexpected": 1}), "transient", TransientError),
        (answer(200, {"IsValidRequest": "True", "ServerMessage": "Request successful"}), "success", None),
        (answer(204), "invalid", InvalidInput),
        (answer(400, {"Message": "The request is invalid."}), "invalid", InvalidInput),
        (answer(401, fixture("auth_denied.json")), "auth", AuthenticationError),
        (answer(401), "auth", AuthenticationError),
        (answer(500, fixture("auth_denied.json")), "auth", AuthenticationError),
        (answer(500, {"Message": "An error has occurred."}), "transient", TransientError),
        (answer(502), "transient", TransientError),
        (answer(503, "Service Unavailable"), "transient", TransientError),
        (answer(429, fixture("quota_exceeded.xml")), "quota_exhausted", QuotaExhausted),
        (answer(429, '"API calls quota exceeded!"'), "quota_exhausted", QuotaExhausted),
        (answer(429, "Too many requests", {"Retry-After": "1"}), "rate_limited", RateLimited),
        (answer(404), "upstream", WrongEndpoint),
        (answer(302), "upstream", UpstreamError),
    ],
)
def test_classification(response, kind, error):
    outcome = classify(response, None)
    assert outcome.kind == kind
    if error is None:
        assert outcome.error is None
    else:
        assert type(outcome.error) is error


def test_success_keeps_the_body_and_not_found_is_not_retryable():
    found = classify(answer(200, fixture("by_grade_2986_ms65rd.json")), None)
    assert found.body["PCGSNo"] == "2986"
    missing = classify(answer(200, fixture("not_found_grade.json")), None)
    assert not missing.error.retryable


def test_transport_failures_are_transient():
    timeout = classify(None, httpx.ReadTimeout("slow", request=REQUEST))
    assert timeout.kind == "transient" and "timed out" in timeout.error.message
    refused = classify(None, httpx.ConnectError("refused", request=REQUEST))
    assert refused.kind == "transient" and refused.error.retryable
    assert classify(None, TimeoutError()).kind == "transient"


def test_rate_limit_and_503_carry_retry_after():
    limited = classify(answer(429, "slow down", {"Retry-After": "7"}), None)
    assert limited.error.retry_after == 7.0 and limited.error.retryable
    unavailable = classify(answer(503, "", {"Retry-After": "2"}), None)
    assert unavailable.error.details["retry_after"] == 2.0


def test_retry_after_as_http_date():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


@pytest.mark.parametrize(("text", "cert"), [("12345678", "12345678"), ("7130.67/51225377", "51225377"),
                                             (" 1234567 ", "1234567")])
def test_cert_and_slab_forms(text, cert):
    assert normalize_cert(text) == cert


@pytest.mark.parametrize("text", ["abc", "1234-5678", "", "7130.67/", "12345678901234", "7130.67/12a"])
def test_non_numeric_certs_are_refused(text):
    with pytest.raises(InvalidInput):
        normalize_cert(text)


@pytest.mark.parametrize(("number", "grade", "plus"), [(0, 65, False), (2986, 71, False), (2986, 5, False),
                                                        (2986, 69, True), (2986, 40, True)])
def test_grade_points_checked_before_sending(number, grade, plus):
    with pytest.raises(InvalidInput):
        check_grade_point(number, grade, plus)


def test_valid_grade_points_pass():
    check_grade_point(2986, 65, False)
    check_grade_point(2986, 45, True)
    check_grade_point(2986, 68, True)
