"""The coinfacts source against the simulator's website, through the pipeline, on both databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from numbers_support import forget_shipped_numbers
from sqlalchemy import func, select

from coinref.remote.breaker import breakers
from coinref.sim.server import run_in_thread
from coinref.sim.state import SimConfig
from coinref.sim.universe import sim_universe
from coinref.sim.website import sim_ngc_number
from coinref.store.db import session_scope
from coinref.store.models import ApiCall, Coin, PriceObservation, QuotaLedger, Series, WorkItem

SERIES = ("twenty-cent-pieces", "palladium-eagles")  # the sim serves them in its modern and classic layouts
FIXTURES = Path(__file__).parents[1] / "fixtures" / "website"


@pytest.fixture
def sim():
    running = run_in_thread(SimConfig())
    yield running
    running.stop()


def site(sim, **mode) -> dict:
    return httpx.post(sim.base_url + "/__sim/website", json=mode, timeout=5).json()


def website_requests(sim) -> int:
    return sim.calls()["by_area"].get("website", 0)


def env_for(db_url, sim, **extra) -> dict[str, str]:
    env = {"DATABASE_URL": db_url, "PCGS_WEBSITE_URL": sim.base_url, "WEBSITE_PACING_MS": "0",
           "PCGS_SPECSEARCH_URL": sim.base_url + "/SpecSearch/Search/PCGS"}
    return env | {k: str(v) for k, v in extra.items()}


def catalog_numbers(engine, series=SERIES) -> dict[tuple, int | None]:
    with session_scope(engine) as session:
        rows = session.execute(select(Coin, Series.slug).join(Series).where(Series.slug.in_(series))).all()
        return {(slug, c.year, c.mint_mark, c.strike, c.variety, c.designation): c.pcgs_number for c, slug in rows}


def website_prices(engine) -> list[tuple]:
    with session_scope(engine) as session:
        return session.execute(
            select(Coin, Series.slug, PriceObservation.grade, PriceObservation.plus, PriceObservation.price,
                   PriceObservation.observed_on).join(Coin, PriceObservation.coin_id == Coin.id).join(Series)
            .where(PriceObservation.source == "pcgs-website")
        ).all()


def assert_matches_the_truth(engine, series=SERIES) -> int:
    """Every coin of the series has the sim's number; every website price is the sim's price."""
    universe = sim_universe()
    numbers = catalog_numbers(engine, series)
    assert numbers and all(number == universe.number_of(key) for key, number in numbers.items())
    rows = website_prices(engine)
    expected = sum(1 for key, number in numbers.items() for grade, plus in universe.data_points(number)
                   if universe.point(number, grade, plus, rows[0][5]).price is not None)
    for coin, slug, grade, plus, price, day in rows:
        number = universe.number_of((slug, coin.year, coin.mint_mark, coin.strike, coin.variety, coin.designation))
        assert price == universe.point(number, grade, plus, day).price
    keys = Counter((coin.id, grade, plus, day) for coin, _, grade, plus, _, day in rows)
    assert max(keys.values()) == 1
    assert len(rows) == expected
    return len(rows)


def test_scraping_fills_pcgs_numbers_and_prices_for_a_series(cli, db_url, engine, sim):
    env = env_for(db_url, sim)
    assert cli("populate", "--series", SERIES[0], "--series", SERIES[1], env=env).exit_code == 0
    site(sim, layout="mixed")
    result = cli("populate", "--source", "coinfacts", "--series", SERIES[0], "--series", SERIES[1], "--json", env=env)
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["status"] == "completed" and report["failed"] == 0 and report["quarantined"] == 0
    prices = assert_matches_the_truth(engine)
    assert report["prices"] == prices
    stats = report["selector_stats"]
    assert stats["coinfacts:price_guide.rows=table-main"] == 3 and stats["coinfacts:price_guide.rows=price-grid"] == 3
    assert stats["coinfacts:series_list.rows=tbody-tr"] == 1 and stats["coinfacts:series_list.rows=coin-list"] == 1
    assert website_requests(sim) == 8 == report["api_calls"]
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(QuotaLedger.day))) == 0  # no API quota touched
        assert session.scalar(select(func.count(ApiCall.id)).where(ApiCall.provider == "pcgs-website")) == 8
    # a new pass is a fresh observation: same numbers, prices upserted per day, nothing duplicated
    again = cli("scrape", "--series", SERIES[0], "--json", env=env)
    assert again.exit_code == 0 and again.json()["quarantined"] == 0
    assert assert_matches_the_truth(engine) == prices


def test_challenge_mode_is_blocked_not_empty(cli, db_url, engine, sim):
    env = env_for(db_url, sim)
    cli("populate", "--series", SERIES[0], env=env)
    site(sim, challenge=True, challenge_status=403)
    result = cli("scrape", "--series", SERIES[0], "--json", env=env)
    assert result.exit_code == 7
    report = result.json()
    assert report["stopped"] == "blocked" and report["status"] == "stopped"
    assert any("challenge" in error for error in report["errors"])
    assert report["created"] == report["updated"] == report["prices"] == 0
    assert "blocking" in " ".join(report["next"])
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(Coin.id)).where(Coin.pcgs_number.is_not(None))) == 0
        assert session.scalar(select(func.count(PriceObservation.id))) == 0
        statuses = Counter(session.scalars(select(WorkItem.status).where(WorkItem.queue == "populate:coinfacts")))
    assert statuses == Counter({"pending": 4})
    # one request, one fresh-session retry on the 403; then the circuit is open and nothing more is sent
    assert website_requests(sim) <= 5
    assert breakers.get(sim.base_url).state == "open"
    sent = website_requests(sim)
    refused = cli("scrape", "--series", SERIES[0], "--json", env=env)
    assert refused.exit_code == 7 and website_requests(sim) == sent
    status = cli("scrape", "--status", "--series", SERIES[0], "--json", env=env).json()
    assert status["circuits"]["website"]["blocked_last_time"] is True
    assert status["circuits"]["website"]["state_in_this_process"] == "open"


def test_a_503_challenge_is_blocked_at_once(cli, db_url, engine, sim):
    env = env_for(db_url, sim)
    cli("populate", "--series", SERIES[1], env=env)
    site(sim, challenge=True, challenge_status=503)
    result = cli("populate", "--source", "coinfacts", "--series", SERIES[1], "--json", env=env)
    assert result.exit_code == 7 and result.json()["stopped"] == "blocked"
    assert website_requests(sim) == 1


def test_blocked_midway_keeps_what_was_done_and_resumes(cli, db_url, engine, sim):
    env = env_for(db_url, sim)
    cli("populate", "--series", SERIES[1], env=env)
    site(sim, challenge_after=2)
    first = cli("scrape", "--series", SERIES[1], "--json", env=env)
    assert first.exit_code == 7
    with session_scope(engine) as session:
        statuses = Counter(session.scalars(select(WorkItem.status).where(WorkItem.queue == "populate:coinfacts")))
    assert statuses == Counter({"done": 2, "pending": 2})
    assert first.json()["updated"] > 0  # the two pages served before the challenge were written
    site(sim, challenge_after=None)
    breakers.clear()  # as in a new process (the breaker would half-open after its reset timeout)
    resumed = cli("scrape", "--resume", "--json", env=env)
    assert resumed.exit_code == 0, resumed.stderr
    assert assert_matches_the_truth(engine, (SERIES[1],))


def test_dry_run_forecasts_requests_and_sends_none(cli, db_url, sim):
    env = env_for(db_url, sim)
    cli("populate", "--series", SERIES[0], env=env)
    result = cli("scrape", "--series", SERIES[0], "--dry-run", "--json", env=env)
    assert result.exit_code == 0 and result.json()["api_calls_would_spend"] == 4
    assert website_requests(sim) == 0


def test_coin_pages_store_ngc_numbers(cli, db_url, engine, sim):
    env = env_for(db_url, sim)
    cli("populate", "--series", SERIES[1], env=env)
    assert cli("scrape", "--series", SERIES[1], env=env).exit_code == 0
    site(sim, layout="mixed")
    result = cli("scrape", "--series", SERIES[1], "--coin-pages", "--json", env=env)
    assert result.exit_code == 0, result.stderr
    with session_scope(engine) as session:
        coins = session.execute(select(Coin.pcgs_number, Coin.ngc_number).join(Series)
                                .where(Series.slug == SERIES[1])).all()
    assert coins and all(ngc == sim_ngc_number(number) for number, ngc in coins)
    assert any(ngc for _, ngc in coins)
    stats = result.json()["selector_stats"]
    assert stats["coinfacts:coin.rows=coin-details"] + stats["coinfacts:coin.rows=cf-coin"] == len(coins)


def test_verify_says_which_selectors_match_and_writes_nothing(cli, db_url, engine, sim):
    env = env_for(db_url, sim)
    cli("populate", "--series", SERIES[0], env=env)
    site(sim, layout="classic")
    result = cli("scrape", "--verify", "--series", SERIES[0], "--json", env=env)
    assert result.exit_code == 0
    (row,) = result.json()
    assert row["ok"] and row["layout"] == "table-main" and "price_guide.prices=header-columns" in row["selectors"]
    site(sim, layout="modern")
    (row,) = cli("scrape", "--verify", "--series", SERIES[0], "--json", env=env).json()
    assert row["layout"] == "price-grid" and "price_guide.prices=data-grade" in row["selectors"]
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(PriceObservation.id))) == 0
        assert session.scalar(select(func.count(Coin.id)).where(Coin.pcgs_number.is_not(None))) == 0


@pytest.mark.parametrize("backend", ["sqlite"])  # parsing is the point here; both databases write in the next test
@pytest.mark.parametrize(
    ("fixture", "series", "expected"),
    [
        ("price_guide_table_main.html", "morgan-dollars",
         {7178: ("1881-S $1", {"MS63+": 88, "MS65": 175}), 87313: ("1881 $1", {"PR65": 5600})}),
        ("price_guide_grid.html", "lincoln-cents-wheat-reverse",
         {2428: ("1909-S 1C VDB, RD", {"MS64+": 3050}), 3305: ("1909 1C VDB, BN", {"PR65": 9900})}),
        ("lookup_data_title.html", "peace-dollars", {7356: ("1922 $1 High Relief", {"MS65": 1900})}),
        ("lookup_list.html", "mercury-dimes", {4906: ("1916-D 10C, FB", {"MS65FB": 29500})}),
        ("series_list_tbody.html", "walking-liberty-half-dollars", {6637: ("1936 50C (Proof)", {})}),
        ("series_list_cards.html", "buffalo-nickels", {3981: ("1913-D 5C Type 1", {})}),
        ("coin_classic.html", "lincoln-cents-wheat-reverse", {2428: ("1909-S 1C VDB, RD", {"MS64RD": 2600})}),
        ("coin_modern.html", "silver-eagles", {9803: ("1986-S $1 Silver Eagle, DCAM", {"PR70DCAM": 1500})}),
    ],
)
def test_url_extracts_numbers_descriptions_and_prices_from_each_layout(cli, db_url, engine, fixture, series,
                                                                       expected, backend):
    env = {"DATABASE_URL": db_url}
    cli("populate", "--series", series, env=env)
    forget_shipped_numbers(engine)  # the hand-written pages use their own numbers
    path = FIXTURES / fixture
    result = cli("scrape", "--url", str(path), "--json", env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    report = result.json()
    (page,) = report["pages"]
    assert page["series"] == series
    rows = {row["pcgs_number"]: row for row in page["rows"]}
    for number, (description, grade_prices) in expected.items():
        assert rows[number]["description"] == description
        got = {p["label"]: p["price"] for p in rows[number]["prices"]}
        assert {label: got.get(label) for label in grade_prices} == grade_prices
    assert report["totals"]["quarantined"] == 0
    assert report["totals"]["prices"] == sum(len(row["prices"]) for row in page["rows"])
    with session_scope(engine) as session:
        attached = dict(session.execute(select(Coin.pcgs_number, Coin.full_name).where(
            Coin.pcgs_number.in_(list(rows)))).all())
    assert set(attached) == set(rows)  # every number on the page found its catalog coin


def test_url_puts_numbers_on_the_right_coins(cli, db_url, engine):
    env = {"DATABASE_URL": db_url}
    cli("populate", "--series", "morgan-dollars", env=env)
    forget_shipped_numbers(engine)
    assert cli("scrape", "--url", f"file://{FIXTURES / 'price_guide_table_main.html'}", env=env).exit_code == 0
    with session_scope(engine) as session:
        rows = session.execute(select(Coin.pcgs_number, Coin.year, Coin.mint_mark, Coin.strike, Coin.designation)
                               .where(Coin.pcgs_number.is_not(None))).all()
        prices = session.execute(select(Coin.pcgs_number, PriceObservation.grade, PriceObservation.plus,
                                        PriceObservation.price).join(Coin)).all()
    assert sorted(rows) == [(7178, 1881, "S", "MS", ""), (7179, 1881, "S", "MS", "PL"), (7180, 1881, "S", "MS", "DMPL"),
                            (7313, 1881, "P", "PR", ""), (87313, 1881, "P", "PR", "CAM")]
    assert (7178, 63, True, 88) in {(n, g, p, int(v)) for n, g, p, v in prices}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_url_on_the_sims_pages(cli, db_url, engine, sim, backend):
    env = env_for(db_url, sim)
    cli("populate", "--series", SERIES[1], env=env)
    universe = sim_universe()
    number = next(n for n in universe.sorted_numbers if universe.coin(n).series == SERIES[1] and sim_ngc_number(n))
    urls = [f"{sim.base_url}/coinfacts/coin/detail/{number}?layout=modern",
            f"{sim.base_url}/lookup/{SERIES[1]}?layout=classic"]
    result = cli("scrape", "--url", urls[0], "--url", urls[1], "--json", env=env)
    assert result.exit_code == 0, result.stdout
    coin_page, lookup = result.json()["pages"]
    assert (coin_page["kind"], coin_page["layout"], lookup["kind"], lookup["layout"]) == (
        "coin", "cf-coin", "lookup", "data-title")
    assert coin_page["series"] == lookup["series"] == SERIES[1]
    numbers = catalog_numbers(engine, (SERIES[1],))
    assert all(n == universe.number_of(key) for key, n in numbers.items())
    with session_scope(engine) as session:
        assert session.scalar(select(Coin.ngc_number).where(Coin.pcgs_number == number)) == sim_ngc_number(number)


def test_url_dry_run_writes_nothing(cli, db_url, engine):
    env = {"DATABASE_URL": db_url}
    cli("populate", "--series", "morgan-dollars", env=env)
    forget_shipped_numbers(engine)
    result = cli("scrape", "--url", str(FIXTURES / "price_guide_table_main.html"), "--dry-run", "--json", env=env)
    assert result.exit_code == 0 and result.json()["totals"]["updated"] == 5
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(Coin.id)).where(Coin.pcgs_number.is_not(None))) == 0
        assert session.scalar(select(func.count(PriceObservation.id))) == 0


def test_url_on_an_unknown_layout_or_a_challenge_page(cli, db_url):
    env = {"DATABASE_URL": db_url}
    unknown = FIXTURES / "unknown_layout.html"
    result = cli("scrape", "--url", str(unknown), "--json", env=env)
    assert result.exit_code == 5
    (failure,) = result.json()["failures"]
    assert failure["kind"] == "parse_failure" and str(unknown) in failure["error"]
    challenge = cli("scrape", "--url", str(FIXTURES / "challenge.html"), "--json", env=env)
    assert challenge.exit_code == 7 and challenge.json()["stopped"] == "blocked"


def test_a_layout_the_chains_do_not_know_fails_the_item_with_its_url(cli, db_url, engine, sim, monkeypatch):
    """A planned page that matches nothing is a failure with the URL in the report, never an empty series."""
    env = env_for(db_url, sim)
    cli("populate", "--series", SERIES[1], env=env)
    from coinref.sources import website_parse

    original = website_parse.load_chains()
    stripped = website_parse.Chains(original.kinds, {
        kind: website_parse.KindChains(kind, tuple(r for r in chains.rows if r.name != "table-main"), chains.fields,
                                       chains.prices) for kind, chains in original.by_kind.items()},
        original.page_fields, original.pages)
    monkeypatch.setattr("coinref.sources.website.load_chains", lambda: stripped)
    site(sim, layout="classic")
    result = cli("scrape", "--series", SERIES[1], "--json", env=env)
    assert result.exit_code == 5
    report = result.json()
    assert report["failed"] >= 3 and report["updated"] > 0  # the series list still parsed and was written
    assert all("/prices/detail/palladium-eagles/" in e and "parse_failure" in e for e in report["errors"])
    with session_scope(engine) as session:
        failed = session.execute(select(WorkItem.key, WorkItem.last_error).where(
            WorkItem.queue == "populate:coinfacts", WorkItem.last_error.is_not(None))).all()
    assert sorted(key for key, _ in failed) == [f"page:{SERIES[1]}:prices:{r}" for r in
                                                ("grades-1-20", "grades-25-60", "grades-61-70")]
    assert all("no known layout matched" in error for _, error in failed)


def test_usage_errors(cli, db_url):
    env = {"DATABASE_URL": db_url}
    assert cli("scrape", env=env).exit_code == 2
    assert cli("scrape", "--url", "x.html", "--series", "peace-dollars", env=env).exit_code == 2
    assert cli("scrape", "--series", "no-such-series", env=env).exit_code == 2
    missing = cli("scrape", "--url", "/no/such/page.html", env=env)
    assert missing.exit_code == 2 and "/no/such/page.html" in missing.stdout
    assert "nothing to resume" in cli("scrape", "--resume", env=env).stdout


def _spawn(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "coinref", "populate", "--source", "coinfacts", *args, "--json"],
                            env=os.environ | env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_killed_run_resumes_without_losing_or_duplicating(cli, db_url, engine, tmp_path):
    running = run_in_thread(SimConfig())
    try:
        series = [*SERIES, "flying-eagle-cents"]
        args = [part for slug in series for part in ("--series", slug)]
        env = env_for(db_url, running, COINREF_LOG_DIR=tmp_path / "logs")
        cli("populate", *args, env=env)
        site(running, latency_ms=150, layout="mixed")
        proc = _spawn(env, *args)
        deadline = time.monotonic() + 60
        done = 0
        while done < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            with session_scope(engine) as session:
                done = session.scalar(select(func.count(WorkItem.id)).where(
                    WorkItem.queue == "populate:coinfacts", WorkItem.status == "done")) or 0
        assert proc.poll() is None, "the run finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        with session_scope(engine) as session:
            statuses = Counter(session.scalars(select(WorkItem.status).where(WorkItem.queue == "populate:coinfacts")))
        assert 2 <= statuses["done"] < 12
        site(running, latency_ms=0)
        final = _spawn(env, *args)
        out, err = final.communicate(timeout=120)
        assert final.returncode == 0, err.decode()[-2000:]
        assert assert_matches_the_truth(engine, tuple(series))
        with session_scope(engine) as session:
            statuses = Counter(session.scalars(select(WorkItem.status).where(WorkItem.queue == "populate:coinfacts")))
        assert statuses == Counter({"done": 12})
    finally:
        running.stop()
