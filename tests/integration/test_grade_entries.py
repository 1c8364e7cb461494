"""Issue 12.9: a grade's strike prefix and designation are never dropped.

``PR70DCAM`` on a business-strike Morgan, ``MS65RD`` on a silver dollar: exit 2 / quarantined.
``MS65PL`` on the 1881-S base coin: the 1881-S PL entry (its own PCGS number, its own prices).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pcgs_support import attach_sim_numbers
from sqlalchemy import select

from coinref.catalog.grades import parse_grade
from coinref.errors import InvalidInput
from coinref.sim.server import run_in_thread
from coinref.sim.state import SimConfig
from coinref.store.db import session_scope
from coinref.store.models import Coin, PriceObservation, Series

SERIES = "morgan-dollars"


@pytest.mark.parametrize("text", ["-1", "-65", "٦٥", "MS٦٥", "６５", "MS-", "+65"])
def test_signs_and_non_ascii_digits_are_not_grades(text):
    with pytest.raises(InvalidInput):
        parse_grade(text)


def test_dash_after_a_prefix_still_reads():
    assert parse_grade("MS-65").number == 65 and parse_grade("PR-70 DCAM").designation == "DCAM"


def _entries(engine) -> dict[str, Coin]:
    with session_scope(engine, read_only=True) as session:
        rows = session.scalars(select(Coin).join(Series).where(
            Series.slug == SERIES, Coin.year == 1881, Coin.mint_mark == "S", Coin.strike == "MS",
            Coin.variety == "")).all()
    return {coin.designation: coin for coin in rows}


@pytest.fixture
def morgans(cli, db_url, engine):
    env = {"DATABASE_URL": db_url}
    assert cli("populate", "--series", SERIES, env=env).exit_code == 0
    attach_sim_numbers(engine, SERIES)
    entries = _entries(engine)
    assert {"", "PL"} <= set(entries) and "RD" not in entries
    return env, entries


def test_lookup_selects_the_designation_entry_or_refuses(cli, morgans):
    env, entries = morgans
    running = run_in_thread(SimConfig(latency_ms=0))
    try:
        env = env | {"PCGS_API_BASE_URL": running.api_url, "PCGS_API_TOKEN": "t", "PCGS_PACING_MS": "0"}
        base = str(entries[""].pcgs_number)
        pl = cli("lookup", base, "--grade", "MS65PL", "--json", env=env)
        assert pl.exit_code == 0, pl.stderr
        assert pl.json()["pcgs_number"] == entries["PL"].pcgs_number and pl.json()["coin_id"] == entries["PL"].id
        for grade, words in (("PR70DCAM", "grade prefix PR"), ("MS65RD", "has no RD entry")):
            refused = cli("lookup", base, "--grade", grade, env=env)
            assert refused.exit_code == 2 and words in refused.stderr, refused.stderr
        plain = cli("lookup", base, "--grade", "MS65", "--json", env=env)
        assert plain.exit_code == 0 and plain.json()["coin_id"] == entries[""].id
        assert running.api_calls() == 2  # the refused grades cost nothing
    finally:
        running.stop()


def test_import_puts_a_designation_price_on_its_entry(cli, engine, morgans, tmp_path):
    env, entries = morgans
    base = entries[""].pcgs_number
    today = date.today().isoformat()
    csv = tmp_path / "p.csv"
    csv.write_text("pcgs_number,grade,price,date\n"
                   f"{base},MS65,300.00,{today}\n"
                   f"{base},MS65PL,900.00,{today}\n"
                   f"{base},MS65RD,500.00,{today}\n"
                   f"{base},PR65,500.00,{today}\n", encoding="utf-8")
    result = cli("import", "prices", str(csv), "--source", "dealer", "--json", env=env)
    assert result.exit_code == 0, result.stderr
    assert (result.json()["written"], result.json()["quarantined"]) == (2, 2), result.json()["problems"]
    with session_scope(engine, read_only=True) as session:
        stored = {(coin_id, price) for coin_id, price in session.execute(
            select(PriceObservation.coin_id, PriceObservation.price).where(PriceObservation.grade == 65))}
    assert stored == {(entries[""].id, Decimal("300.00")), (entries["PL"].id, Decimal("900.00"))}
