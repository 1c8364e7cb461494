"""``coinref lookup / cert / quota / calls`` against the simulator on a real loopback socket."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from pcgs_support import EAGLE_1986, MORGAN_1881_S, TOKEN, UNIVERSE, VDB_RD, attach_coin
from sqlalchemy import select

from coinref.logs import close_run_log, open_run_log
from coinref.remote.breaker import breakers
from coinref.sim import SimConfig, run_in_thread
from coinref.sim.sample import SAMPLE_CATALOG
from coinref.sim.universe import GradePoint
from coinref.store.db import make_engine, session_scope
from coinref.store.models import ApiCall, Cert, Coin, PriceObservation, PricePointMiss

LOOKUP_KEYS = {"pcgs_number", "name", "year", "mint_mark", "denomination", "grade", "grade_number", "plus",
               "designation", "price", "population", "pop_higher"}


@pytest.fixture(scope="module")
def running_sim():
    running = run_in_thread(SimConfig(catalog=SAMPLE_CATALOG, token=TOKEN))
    yield running
    running.stop()


@pytest.fixture
def sim(running_sim):
    running_sim.reset()
    running_sim.set_faults("")
    breakers.clear()
    yield running_sim
    breakers.clear()


@pytest.fixture
def env(sim, db_url):
    return {"DATABASE_URL": db_url, "PCGS_API_BASE_URL": sim.api_url, "PCGS_API_TOKEN": TOKEN,
            "PCGS_PACING_MS": "0", "PCGS_MAX_RETRIES": "2"}


@pytest.fixture
def db(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def today():
    return datetime.now(UTC).date()


def point_with(number: int, want_price: bool, plus: bool = False) -> tuple[int, GradePoint]:
    for grade in (65, 64, 63, 66, 62, 61, 67, 60, 58, 55, 53, 50, 45, 2):
        point = UNIVERSE.point(number, grade, plus, today())
        if point is not None and (point.price is not None) == want_price:
            return grade, point
    raise AssertionError("no such point")


def test_lookup_answers_and_the_same_point_is_not_bought_twice(cli, env, sim, db):
    coin_id = attach_coin(db, MORGAN_1881_S)
    grade, truth = point_with(MORGAN_1881_S, want_price=True)
    first = cli("lookup", str(MORGAN_1881_S), "--grade", f"MS{grade}", "--json", env=env)
    assert first.exit_code == 0, first.stderr
    answer = first.json()
    assert set(answer) >= LOOKUP_KEYS
    assert answer["pcgs_number"] == MORGAN_1881_S and answer["name"] == "1881-S $1"
    assert (answer["year"], answer["mint_mark"], answer["denomination"]) == (1881, "S", "$1")
    assert (answer["grade"], answer["grade_number"], answer["plus"], answer["designation"]) == \
           (f"MS{grade}", grade, False, "")
    assert answer["price"] == float(truth.price)
    assert (answer["population"], answer["pop_higher"]) == (truth.population, truth.pop_higher)
    assert answer["from_cache"] is False and sim.api_calls() == 1

    again = cli("lookup", str(MORGAN_1881_S), "--grade", str(grade), "--json", env=env)
    assert again.exit_code == 0
    assert again.json() | {"from_cache": False} == answer
    assert again.json()["from_cache"] is True
    assert sim.api_calls() == 1

    table = cli("lookup", str(MORGAN_1881_S), "--grade", str(grade), env=env)
    assert table.exit_code == 0 and "1881-S $1" in table.stdout and "no call" in table.stdout
    with session_scope(db) as session:
        coin = session.get(Coin, coin_id)
        assert coin.lookup_count == 3 and coin.enriched_at is not None
        [observation] = session.scalars(select(PriceObservation)).all()
        assert (observation.coin_id, observation.grade, observation.price) == (coin_id, grade, truth.price)
        assert observation.observed_on == today() and observation.source == "pcgs-api"


def test_a_number_on_no_coin_is_answered_again_from_the_call_log(cli, env, sim):
    grade, truth = point_with(VDB_RD, want_price=True)
    first = cli("lookup", str(VDB_RD), "--grade", f"{grade}RD", "--json", env=env)
    second = cli("lookup", str(VDB_RD), "--grade", str(grade), "--json", env=env)
    assert first.exit_code == second.exit_code == 0
    assert first.json()["designation"] == "RD" and second.json()["coin_id"] is None
    assert second.json()["price"] == float(truth.price) and second.json()["from_cache"] is True
    assert sim.api_calls() == 1


def test_unpriced_point_gives_null_price_and_a_miss(cli, env, sim, db):
    attach_coin(db, MORGAN_1881_S)
    grade, _ = point_with(MORGAN_1881_S, want_price=False)
    result = cli("lookup", str(MORGAN_1881_S), "--grade", str(grade), "--json", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.json()["price"] is None
    with session_scope(db) as session:
        [miss] = session.scalars(select(PricePointMiss)).all()
        assert (miss.grade, miss.reason) == (grade, "unpriced")
        assert session.scalars(select(PriceObservation)).all() == []


def test_not_found_exits_3_and_is_remembered(cli, env, sim, db):
    attach_coin(db, EAGLE_1986)
    assert UNIVERSE.point(EAGLE_1986, 45, False, today()) is None
    for _ in range(2):
        result = cli("lookup", str(EAGLE_1986), "--grade", "45", env=env)
        assert result.exit_code == 3
        assert f"no data for PCGS #{EAGLE_1986} in grade 45" in result.stderr
    assert sim.api_calls() == 1
    with session_scope(db) as session:
        assert [m.reason for m in session.scalars(select(PricePointMiss))] == ["not_found"]
    unknown = cli("lookup", "9999999", "--grade", "65", env=env)
    assert unknown.exit_code == 3


@pytest.mark.parametrize(("number", "grade"), [("abc", "65"), ("2986", "MS71"), ("2986", "40+"), ("0", "65")])
def test_bad_input_exits_2_without_a_call(cli, env, sim, number, grade):
    result = cli("lookup", number, "--grade", grade, env=env)
    assert result.exit_code == 2
    assert sim.api_calls() == 0


def test_cert_lookup_stores_the_cert_and_is_not_bought_twice(cli, env, sim, db):
    cert = UNIVERSE.cert("12345678")
    attach_coin(db, cert.pcgs_number)
    first = cli("cert", "7130.67/12345678", "--json", env=env)
    assert first.exit_code == 0, first.stderr
    answer = first.json()
    assert answer["cert_number"] == "12345678" and answer["pcgs_number"] == cert.pcgs_number
    assert (answer["grade_number"], answer["plus"]) == (cert.grade, cert.plus)
    assert len(answer["images"]) == 2
    second = cli("cert", "12345678", "--json", env=env)
    assert second.exit_code == 0 and second.json()["from_cache"] is True
    assert second.json()["price"] == answer["price"]
    assert sim.api_calls() == 1
    with session_scope(db) as session:
        [row] = session.scalars(select(Cert)).all()
        assert (row.cert_number, row.pcgs_number, row.grade) == ("12345678", cert.pcgs_number, cert.grade)
        observations = session.scalars(select(PriceObservation)).all()
        assert len(observations) == (1 if answer["price"] is not None else 0)


def test_cert_rejects_non_numeric_before_any_call(cli, env, sim):
    for bad in ("abc123", "7130.67/12A45678"):
        result = cli("cert", bad, env=env)
        assert result.exit_code == 2 and "not a cert number" in result.stderr
    missing = cli("cert", "12345677", env=env)
    assert missing.exit_code == 3 and "no cert 12345677" in missing.stderr
    assert sim.api_calls() == 1


def test_quota_and_calls_report_without_calling(cli, env, sim):
    grade, _ = point_with(MORGAN_1881_S, want_price=True)
    cli("lookup", str(MORGAN_1881_S), "--grade", str(grade), env=env)
    cli("lookup", "9999999", "--grade", "65", env=env)
    quota = cli("quota", "--json", env=env | {"PCGS_DAILY_QUOTA": "50"})
    assert quota.exit_code == 0
    status = quota.json()
    assert (status["limit"], status["used"], status["remaining"], status["exhausted"]) == (50, 2, 48, False)
    assert status["resets_at"].startswith(str(today().fromordinal(today().toordinal() + 1)))
    text = cli("quota", env=env)
    assert "2 of 50 used" in text.stdout and "resets at" in text.stdout  # the env set above stays
    calls = cli("calls", "--json", env=env).json()
    assert [c["outcome"] for c in calls] == ["not_found", "success"]
    assert cli("calls", "--failed", "--json", env=env).json() == []
    assert len(cli("calls", "--since", str(today()), "--json", env=env).json()) == 2
    assert cli("calls", "--since", "yesterday", env=env).exit_code == 2
    assert "GetCoinFactsByGrade" in cli("calls", env=env).stdout
    assert sim.api_calls() == 2


def test_quota_text_exits_7_and_nothing_more_is_sent_that_day(cli, env, sim):
    sim.set_faults("quota")
    first = cli("lookup", str(MORGAN_1881_S), "--grade", "65", env=env)
    assert first.exit_code == 7 and "resets at" in first.stderr
    second = cli("lookup", str(VDB_RD), "--grade", "64", env=env)
    assert second.exit_code == 7 and "resets at" in second.stderr
    assert cli("cert", "12345678", env=env).exit_code == 7
    assert sim.api_calls() == 1
    assert cli("quota", "--json", env=env).json()["exhausted"] is True
    assert [c["outcome"] for c in cli("calls", "--failed", "--json", env=env).json()] == ["quota_exhausted"]


def test_wrong_token_exits_4_after_at_most_two_requests(cli, env, sim):
    result = cli("lookup", str(MORGAN_1881_S), "--grade", "65", env=env | {"PCGS_API_TOKEN": "wrong-token-123"})
    assert result.exit_code == 4
    assert "PCGS_API_TOKEN" in result.stderr and "wrong-token-123" not in result.stderr
    assert sim.api_calls() <= 2


def test_missing_token_exits_10_with_advice_and_no_request(cli, env, sim):
    result = cli("lookup", str(MORGAN_1881_S), "--grade", "65", env=env | {"PCGS_API_TOKEN": ""})
    assert result.exit_code == 10
    assert "PCGS_API_TOKEN" in result.stderr and "Generate Token" in result.stderr
    assert sim.api_calls() == 0


def test_secrets_never_reach_logs_output_or_the_call_log(cli, env, sim, db, tmp_path):
    from coinref.config import load_settings

    secret = TOKEN
    wrong = "wrong-9d8c7b6a5f4e"
    handler, log_path = open_run_log(load_settings(pcgs_api_token=secret), "pcgs-test.log")
    try:
        outputs = []
        for args, extra in (
            (("-v", "lookup", str(MORGAN_1881_S), "--grade", "65", "--json"), {}),
            (("-v", "lookup", str(MORGAN_1881_S), "--grade", "64"), {"PCGS_API_TOKEN": wrong}),
            (("-v", "cert", "12345678"), {}),
            (("-v", "calls", "--json"), {}),
            (("-v", "quota"), {}),
        ):
            result = cli(*args, env=env | extra)
            outputs.append(result.stdout + result.stderr)
        logging.getLogger("coinref.remote").debug("probe: bearer %s and token=%s", secret, wrong)
    finally:
        close_run_log(handler)
    text = log_path.read_text() + "\n".join(outputs)
    assert "coindetail/GetCoinFactsByGrade" in text  # the log did record the calls
    assert secret not in text and wrong not in text
    with session_scope(db) as session:
        rows = session.scalars(select(ApiCall)).all()
        assert rows and all(secret not in str(r.params) + str(r.error) + str(r.result) for r in rows)
