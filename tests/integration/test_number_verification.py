"""Every PCGS number is a claim until PCGS answers for it: the first answer is checked against the coin."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coinref.catalog.builtin import load_catalog
from coinref.catalog.pcgs_numbers import fits_block, shipped_numbers, sources
from coinref.sim.server import run_in_thread
from coinref.sim.state import SimConfig
from coinref.sim.universe import sim_universe
from coinref.store.db import session_scope
from coinref.store.models import Coin, PriceObservation, Quarantine, Series

SERIES = "peace-dollars"


@pytest.fixture
def sim():
    running = run_in_thread(SimConfig(quota=10_000))
    yield running
    running.stop()


def _env(db_url, sim):
    return {"DATABASE_URL": db_url, "PCGS_API_BASE_URL": sim.api_url, "PCGS_API_TOKEN": "test-token",
            "PCGS_PACING_MS": "0"}


def _coin(session, year: int, mint: str = "P", designation: str = "") -> Coin:
    return session.scalar(select(Coin).join(Series).where(
        Series.slug == SERIES, Coin.year == year, Coin.mint_mark == mint, Coin.strike == "MS", Coin.variety == "",
        Coin.designation == designation))


def test_an_imported_number_pcgs_gives_to_another_coin_is_detached_and_quarantined(cli, db_url, engine, sim,
                                                                                    tmp_path):
    env = _env(db_url, sim)
    assert cli("populate", "--series", SERIES, env=env).exit_code == 0
    universe = sim_universe()
    number = universe.number_of((SERIES, 1922, "P", "MS", "", ""))  # PCGS (the sim) says: the 1922 dollar
    csv_file = tmp_path / "numbers.csv"
    csv_file.write_text(f"pcgs_number,year,mint_mark,denomination,series\n{number},1923,P,$1,{SERIES}\n")
    assert cli("import", "pcgs-numbers", str(csv_file), "--json", env=env).exit_code == 0
    with session_scope(engine) as session:
        claimed = _coin(session, 1923)
        assert (claimed.pcgs_number, claimed.pcgs_provenance, claimed.pcgs_state) == (number, "import", "claimed")
        wrong_id, right_id = claimed.id, _coin(session, 1922).id
    exported = {(r["year"], r["mint_mark"], r["designation"]): r for r in
                cli("export", "coins", "--series", SERIES, env=env).json()}
    assert exported[(1923, "P", "")]["pcgs_provenance"] == "import"

    result = cli("populate", "--source", "pcgs-api", "--series", SERIES, "--json", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.json()["selector_stats"]["pcgs-api:rejected"] == 1
    with session_scope(engine) as session:
        wrong, right = session.get(Coin, wrong_id), session.get(Coin, right_id)
        assert wrong.pcgs_number is None and wrong.pcgs_state == "rejected"
        assert f"#{number}" in wrong.pcgs_note and "year 1922, not 1923" in wrong.pcgs_note
        assert wrong.enriched_at is None and not (wrong.facts or {}).get("pcgs_name")
        # the answer went to the matcher: it is the 1922's number, verified
        assert (right.pcgs_number, right.pcgs_provenance, right.pcgs_state) == (number, "api", "verified")
        assert session.scalar(select(func.count(PriceObservation.id)).where(
            PriceObservation.coin_id == wrong_id)) == 0
        [row] = session.scalars(select(Quarantine).where(Quarantine.source == "pcgs-verify")).all()
        assert row.record["raw"]["coin"]["year"] == 1923 and row.record["raw"]["pcgs"]["year"] == 1922
        assert row.record["pcgs_number"] == number
    page = cli("export", "coins", "--series", SERIES, env=env).json()
    assert {(r["year"], r["pcgs_state"]) for r in page if r["mint_mark"] == "P" and r["designation"] == ""} >= {
        (1923, "rejected"), (1922, "verified")}
    report = cli("validate", "--series", SERIES, "--json", env=env).json()
    [cov] = report["coverage"]
    assert cov["rejected"] == 1 and cov["verified"] >= 1 and cov["claimed"] == cov["with_pcgs"] - cov["verified"]
    assert {row["check"]: row["count"] for row in report["summary"]}["pcgs_number_rejected"] == 1
    # a later catalog pass never puts a rejected claim back
    assert cli("populate", "--series", SERIES, env=env).exit_code == 0
    with session_scope(engine) as session:
        assert session.get(Coin, wrong_id).pcgs_number is None


def test_a_lookup_through_a_wrong_claim_stores_no_price_on_the_coin(cli, db_url, engine, sim, tmp_path):
    env = _env(db_url, sim)
    cli("populate", "--series", SERIES, env=env)
    number = sim_universe().number_of((SERIES, 1922, "D", "MS", "", ""))
    csv_file = tmp_path / "numbers.csv"
    csv_file.write_text(f"pcgs_number,year,mint_mark,denomination,series\n{number},1926,S,$1,{SERIES}\n")
    cli("import", "pcgs-numbers", str(csv_file), env=env)
    result = cli("lookup", str(number), "--grade", "65", "--json", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.json()["year"] == 1922 and result.json()["mint_mark"] == "D"
    with session_scope(engine) as session:
        wrong = _coin(session, 1926, "S")
        assert wrong.pcgs_number is None and wrong.pcgs_state == "rejected"
        assert session.scalar(select(func.count(PriceObservation.id)).where(
            PriceObservation.coin_id == wrong.id)) == 0
        assert _coin(session, 1922, "D").pcgs_number == number


def test_shipped_numbers_are_unique_fit_their_blocks_and_name_their_sources():
    shipped = shipped_numbers()
    assert shipped, "the fact files ship some numbers"
    assert len(set(shipped.values())) == len(shipped)
    keys = {coin.natural_key for coin in load_catalog()}
    for key, number in shipped.items():
        assert key in keys
        assert fits_block(key, number), (key, number)
        assert sources(key[0]), key[0]


def test_shipped_numbers_are_claims_from_the_catalog(cli, db_url, engine):
    assert cli("populate", "--series", "morgan-dollars", "--series", "lincoln-cents-wheat-reverse",
               env={"DATABASE_URL": db_url}).exit_code == 0
    with session_scope(engine) as session:
        rows = session.execute(select(Coin.pcgs_number, Coin.pcgs_provenance, Coin.pcgs_state).where(
            Coin.pcgs_number.is_not(None))).all()
    numbers = {n for n, _, _ in rows}
    assert {7072, 7073, 97073, 2426, 2427, 2428} <= numbers
    assert {(p, s) for _, p, s in rows} == {("catalog", "claimed")}
