"""Mintages end to end, both backends: ``unknown`` is stored and exported apart from a missing
figure; a PCGS mintage fills only an empty figure, and ``validate`` reports one that is more than
1% away from the catalog's (against the simulator serving a changed copy of the catalog).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import warnings

import pytest
from pcgs_support import attach_sim_numbers
from sqlalchemy import select

from coinref.api.app import create_app
from coinref.catalog.builtin import load_catalog
from coinref.config import load_settings
from coinref.pipeline.validate import mintage_disagreement
from coinref.sim.server import run_in_thread
from coinref.sim.state import SimConfig
from coinref.store.db import session_scope
from coinref.store.models import Coin, Series

with warnings.catch_warnings():  # starlette's notice about httpx2 is not ours to act on
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SERIES = "peace-dollars"
OFF = (1921, "P", "MS", "")  # PCGS will say 1,100,000 against the catalog's 1,006,473 (+9.3%)
NEAR = (1923, "S", "MS", "")  # 0.5% off: within tolerance
EMPTY = (1922, "P", "MS", "High Relief")  # its figure is blanked in the database: PCGS fills it
UNKNOWN = (1921, "P", "PR", "")  # the catalog says no figure was published


def _key(coin) -> tuple:
    return (coin.year, coin.mint_mark, coin.strike, coin.variety)


def _pcgs_catalog():
    """The built-in catalog with PCGS's (hand-written, for this test) mintages on four Peace dollars."""
    changed = []
    for coin in load_catalog():
        if coin.series == SERIES and _key(coin) == OFF:
            coin = dataclasses.replace(coin, mintage=1_100_000)
        elif coin.series == SERIES and _key(coin) == NEAR:
            coin = dataclasses.replace(coin, mintage=round(coin.mintage * 1.005))
        elif coin.series == SERIES and _key(coin) in (EMPTY, UNKNOWN):  # the 1922 High Relief's figure
            coin = dataclasses.replace(coin, mintage=35_401, mintage_unknown=False)
        changed.append(coin)
    return changed


@pytest.fixture
def pcgs_sim():
    running = run_in_thread(SimConfig(latency_ms=0, catalog=_pcgs_catalog()))
    yield running
    running.stop()


def _blank_mintage(engine, key: tuple) -> None:
    """Stand in for a coin the catalog has no figure for (every Peace dollar has one, or "unknown")."""
    with session_scope(engine) as session:
        session.get(Coin, _coin(engine, key).id).mintage = None


def _coin(engine, key: tuple) -> Coin:
    year, mint, strike, variety = key
    with session_scope(engine) as session:
        coin = session.scalar(select(Coin).join(Series).where(
            Series.slug == SERIES, Coin.year == year, Coin.mint_mark == mint, Coin.strike == strike,
            Coin.variety == variety, Coin.designation == ""))
        session.expunge(coin)
        return coin


def test_unknown_is_exported_apart_from_a_missing_figure(cli, db_url, engine):
    env = {"DATABASE_URL": db_url}
    assert cli("populate", "--series", SERIES, "--json", env=env).exit_code == 0
    _blank_mintage(engine, EMPTY)
    rows = cli("export", "coins", "--series", SERIES, "--format", "json", env=env).json()
    by_key = {(r["year"], r["mint_mark"], r["strike"], r["variety"], r["designation"]): r["mintage"] for r in rows}
    assert by_key[(1921, "P", "PR", "", "")] == "unknown"
    assert by_key[(1922, "P", "MS", "High Relief", "")] is None
    assert by_key[(1921, "P", "MS", "", "")] == 1_006_473
    assert by_key[(1921, "P", "MS", "", "PL")] == 1_006_473  # a designation entry has its base coin's figure
    text = cli("export", "coins", "--series", SERIES, "--format", "csv", env=env).stdout
    csv_rows = {(r["year"], r["strike"], r["variety"], r["designation"]): r["mintage"]
                for r in csv.DictReader(io.StringIO(text))}
    assert csv_rows[("1921", "PR", "", "")] == "unknown"
    assert csv_rows[("1922", "MS", "High Relief", "")] == ""
    with TestClient(create_app(load_settings(database_url=db_url))) as client:
        proof = _coin(engine, UNKNOWN).id
        detail = client.get(f"/api/coins/by-id/{proof}").json()
        assert detail["full_name"] == "1921 Peace Dollar Proof" and detail["mintage"] == "unknown"
        assert "<dt>Mintage</dt><dd>unknown</dd>" in client.get(f"/coins/{proof}").text
        hits = client.get("/api/coins/search", params={"q": "1921 peace dollar proof"}).json()["results"]
        assert {h["full_name"]: h["mintage"] for h in hits}["1921 Peace Dollar Proof"] == "unknown"
        client.app.state.ctx.close()


def test_validate_reports_pcgs_mintages_that_disagree(cli, db_url, engine, pcgs_sim):
    env = {"DATABASE_URL": db_url, "PCGS_API_BASE_URL": pcgs_sim.api_url, "PCGS_API_TOKEN": "test-token",
           "PCGS_PACING_MS": "0"}
    assert cli("populate", "--series", SERIES, "--json", env=env).exit_code == 0
    attach_sim_numbers(engine, SERIES, _pcgs_catalog())
    _blank_mintage(engine, EMPTY)
    before = cli("validate", "--report", "--json", env={"DATABASE_URL": db_url}).json()
    assert not [p for p in before["problems"] if p["check"] == "mintage_disagrees"]
    result = cli("populate", "--source", "pcgs-api", "--series", SERIES, "--json", env=env)
    assert result.exit_code == 0, result.stderr

    assert _coin(engine, OFF).mintage == 1_006_473  # the catalog's figure stays
    assert _coin(engine, OFF).facts["pcgs_mintage"] == 1_100_000
    assert _coin(engine, EMPTY).mintage == 35_401  # PCGS fills what the catalog left empty
    unknown = _coin(engine, UNKNOWN)
    assert unknown.mintage is None and unknown.mintage_unknown  # "none published" is not a gap to fill

    report = cli("validate", "--report", "--json", env={"DATABASE_URL": db_url})
    assert report.exit_code == 0  # a warning, not an error
    data = report.json()
    found = {p["coin"]: p["message"] for p in data["problems"] if p["check"] == "mintage_disagrees"}
    assert found["1921 Peace Dollar"] == "PCGS gives a mintage of 1,100,000, the catalog 1,006,473 (+9.3%)"
    assert found["1921 Peace Dollar PL"] == found["1921 Peace Dollar"]
    assert found["1921 Peace Dollar Proof"] == "PCGS gives a mintage of 35,401; the catalog says none was published"
    assert not any(name.startswith(("1923-S", "1922 High Relief")) for name in found)
    assert len(found) == 4  # 1921 and its PL and DMPL entries, the 1921 proof
    counts = {row["check"]: row["count"] for row in data["summary"]}
    assert counts["mintage_disagrees"] == 4 and data["errors"] == 0
    text = cli("validate", "--report", env={"DATABASE_URL": db_url}).stdout
    assert "PCGS mintages that disagree with the catalog's (warning, 4)" in text


def test_the_one_percent_rule():
    coin = next(c for c in load_catalog([SERIES]) if _key(c) == OFF and not c.designation)
    assert mintage_disagreement(coin, 1_006_473) is None
    assert mintage_disagreement(coin, 1_016_000) is None  # +0.95%
    assert mintage_disagreement(coin, 996_500) is None  # -0.99%
    assert "(+1.1%)" in mintage_disagreement(coin, 1_017_600)
    assert "(-1.1%)" in mintage_disagreement(coin, 995_400)
    missing = dataclasses.replace(coin, mintage=None)
    assert mintage_disagreement(missing, 5) is None  # nothing to compare with
