"""``coinref refresh-prices``, ``prices`` and ``watch`` end to end: the CLI against the simulator on a
loopback socket, configured only through the environment (``PCGS_DAILY_QUOTA=15``), on both backends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from refresh_support import TOKEN, UNIVERSE, load_sample
from sqlalchemy import func, select

from coinref.sim.sample import SAMPLE_CATALOG
from coinref.sim.server import run_in_thread
from coinref.sim.state import SimConfig
from coinref.store.db import session_scope
from coinref.store.models import Coin, PriceObservation


@pytest.fixture(scope="module")
def running_sim():
    running = run_in_thread(SimConfig(catalog=SAMPLE_CATALOG, token=TOKEN))
    yield running
    running.stop()


@pytest.fixture
def env_vars(running_sim, db_url):
    running_sim.reset()
    return {
        "DATABASE_URL": db_url,
        "PCGS_API_TOKEN": TOKEN,
        "PCGS_API_BASE_URL": running_sim.api_url,
        "PCGS_DAILY_QUOTA": "15",
        "PCGS_PACING_MS": "0",
    }


@pytest.fixture
def numbers(engine):
    return load_sample(engine)


def stored(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count(PriceObservation.id))) or 0


def test_refresh_prices_with_a_quota_of_15(cli, env_vars, running_sim, engine, numbers, tmp_path):
    dry = cli("refresh-prices", "--dry-run", "--json", env=env_vars)
    assert dry.exit_code == 0, dry.stderr
    assert running_sim.api_calls() == 0
    assert len(dry.json()["batch"]) == 15 and dry.json()["status"] == "dry-run"
    table = cli("refresh-prices", "--dry-run", env=env_vars)
    assert "| 1 |" in table.stdout and running_sim.api_calls() == 0

    first = cli("refresh-prices", "--json", env=env_vars)
    assert first.exit_code == 0, first.stderr
    report = first.json()
    assert running_sim.api_calls() == 15 == report["counts"]["requests"]
    assert stored(engine) == report["counts"]["stored"]
    assert report["counts"]["stored"] + report["counts"]["not_found"] + report["counts"]["unpriced"] == 15
    assert TOKEN not in first.stdout + first.stderr

    second = cli("refresh-prices", env=env_vars)
    assert second.exit_code == 7
    assert running_sim.api_calls() == 15
    assert "used up" in second.stdout

    status = cli("refresh-prices", "--status", "--json", env=env_vars)
    assert status.exit_code == 0
    assert status.json()["points"]["fresh"] == stored(engine)
    assert status.json()["quota"]["remaining"] == 0
    text = cli("refresh-prices", "--status", env=env_vars)
    assert "used 15 of 15" in text.stdout

    report_out = cli("refresh-prices", "--report", "--json", env=env_vars)
    assert report_out.exit_code == 0
    assert report_out.json()["activity"][-1]["prices_stored"] == stored(engine)
    assert "| day | runs |" in cli("refresh-prices", "--report", env=env_vars).stdout
    assert running_sim.api_calls() == 15
    assert (tmp_path / "logs" / "price_refresh_latest.md").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--status", "--report"), "separate views"),
        (("--status", "--dry-run"), "take no run options"),
        (("--priority", "P9"), "unknown priority"),
    ],
)
def test_refresh_prices_refuses_bad_options(cli, env_vars, running_sim, numbers, args, message):
    result = cli("refresh-prices", *args, env=env_vars)
    assert result.exit_code == 2 and message in result.stderr
    assert running_sim.api_calls() == 0


def test_prices_shows_the_history_of_a_coin(cli, env_vars, engine, numbers):
    assert cli("refresh-prices", "--limit", "5", env=env_vars).exit_code == 0
    with session_scope(engine) as session:
        row = session.scalars(select(PriceObservation).order_by(PriceObservation.id)).first()
        number = session.scalar(select(Coin.pcgs_number).where(Coin.id == row.coin_id))

    result = cli("prices", str(number), "--json", env=env_vars)
    assert result.exit_code == 0, result.stderr
    history = result.json()
    assert history["coin"]["pcgs_number"] == number
    assert {(o["grade"], o["price"]) for o in history["observations"]} >= {(row.grade, float(row.price))}

    one_grade = cli("prices", f"#{number}", "--grade", str(row.grade), "--json", env=env_vars).json()
    assert {o["grade"] for o in one_grade["observations"]} == {row.grade}
    future = (date.today() + timedelta(days=30)).isoformat()
    assert cli("prices", str(number), "--since", future, "--json", env=env_vars).json()["count"] == 0
    table = cli("prices", str(number), env=env_vars)
    assert table.exit_code == 0 and str(number) in table.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("abc",), 2, "not a PCGS number"),
        (("1234567",), 3, "no coin has PCGS number 1234567"),
        (("{number}", "--since", "March"), 2, "is not a date"),
        (("{number}", "--grade", "MS99"), 2, "not a standard PCGS grade"),
    ],
)
def test_prices_rejects_bad_input(cli, env_vars, numbers, args, code, message):
    number = next(iter(numbers))
    result = cli("prices", *[a.format(number=number) for a in args], env=env_vars)
    assert result.exit_code == code and message in result.stderr


def test_watch_add_list_remove(cli, env_vars, engine, numbers):
    number = UNIVERSE.number_of(("mercury-dimes", 1916, "D", "MS", "", ""))
    added = cli("watch", "add", str(number), "--note", "in the safe", "--json", env=env_vars)
    assert added.exit_code == 0, added.stderr
    assert added.json()["added"] is True
    assert cli("watch", "add", str(number), "--json", env=env_vars).json()["added"] is False

    by_name = cli("watch", "add", "1881-S Morgan Dollar", env=env_vars)
    assert by_name.exit_code == 2 and "matches 2 coins" in by_name.stderr  # MS and its DMPL entry
    by_name = cli("watch", "add", "1986 Silver Eagle", "--json", env=env_vars)
    assert by_name.exit_code == 0, by_name.stderr

    listed = cli("watch", "list", "--json", env=env_vars).json()
    assert [row["pcgs_number"] for row in listed][0] == number and listed[0]["note"] == "in the safe"
    assert len(listed) == 2
    assert "watchlist (2 coins)" in cli("watch", "list", env=env_vars).stdout

    removed = cli("watch", "remove", str(number), "--json", env=env_vars)
    assert removed.json()["removed"] is True
    assert cli("watch", "remove", str(number), "--json", env=env_vars).json()["removed"] is False
    assert len(cli("watch", "list", "--json", env=env_vars).json()) == 1

    unknown = cli("watch", "add", "qqqq zzzz", env=env_vars)
    assert unknown.exit_code == 3 and "no coin matches" in unknown.stderr
    vague = cli("watch", "add", "morgan", env=env_vars)
    assert vague.exit_code == 2 and "name one by its PCGS number" in vague.stderr


def test_watch_resolves_a_collector_query_through_the_search(cli, env_vars, numbers):
    result = cli("watch", "add", "1950-D jefferson nickel", "--json", env=env_vars)
    assert result.exit_code == 0, result.stderr
    assert result.json()["coin"]["name"] == "1950-D Jefferson Nickel"
