"""Helpers shared by the PCGS client, quota and simulator tests (not a test module)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from sqlalchemy import Engine, select, update

from coinref.config import Settings, load_settings
from coinref.remote.breaker import BreakerRegistry
from coinref.sim import SimConfig, create_sim_app, sim_universe
from coinref.sim.sample import SAMPLE_CATALOG
from coinref.sources.pcgs_api import PcgsClient
from coinref.store.db import session_scope
from coinref.store.models import Coin, Series

TOKEN = "tok-5f3a9c1e77d04b2a"  # distinctive, so a leak is easy to grep
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pcgs"
UNIVERSE = sim_universe(SAMPLE_CATALOG)


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_json(name: str) -> dict:
    return json.loads(fixture_text(name))


def number_of(series: str, year: int, mint: str, strike: str = "MS", variety: str = "", designation: str = "") -> int:
    number = UNIVERSE.number_of((series, year, mint, strike, variety, designation))
    assert number is not None, (series, year, mint, strike, variety, designation)
    return number


MORGAN_1881_S = number_of("morgan-dollars", 1881, "S")
MORGAN_1893_S = number_of("morgan-dollars", 1893, "S")
EAGLE_1986 = number_of("silver-eagles", 1986, "P")  # modern: no data below 58
VDB_RD = number_of("lincoln-cents-wheat-reverse", 1909, "S", variety="VDB", designation="RD")


def priced_grade(number: int, day, plus: bool = False) -> int:
    """A grade at which the sim has a price for the number on the day."""
    for grade in (65, 64, 63, 66, 62, 61, 60, 67, 58, 55):
        point = UNIVERSE.point(number, grade, plus, day)
        if point is not None and point.price is not None:
            return grade
    raise AssertionError(f"no priced grade for {number}")


def settings_for(db_url: str, base_url: str = "http://sim/publicapi", **overrides) -> Settings:
    values = {"database_url": db_url, "pcgs_api_token": TOKEN, "pcgs_api_base_url": base_url, "pcgs_pacing_ms": 0}
    return load_settings(**(values | overrides))


def sim_app(**config):
    config.setdefault("catalog", SAMPLE_CATALOG)
    config.setdefault("token", TOKEN)
    return create_sim_app(SimConfig(**config))


class FakeSleep:
    """An injected sleep: records the waits, never waits."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def client_for(settings: Settings, engine: Engine, app=None, *, transport=None, **kwargs) -> PcgsClient:
    kwargs.setdefault("sleep", FakeSleep())
    kwargs.setdefault("breakers", BreakerRegistry())
    transport = transport or httpx.ASGITransport(app=app)
    return PcgsClient(settings, engine, transport=transport, **kwargs)


def api_requests(app) -> int:
    return int(app.state.sim.calls()["api"])


def attach_coin(engine: Engine, number: int) -> int:
    """Store the sample catalog coin behind a sim number, with that PCGS number; return its id."""
    item = UNIVERSE.coin(number)
    with session_scope(engine) as session:
        series_id = session.scalar(select(Series.id).where(Series.slug == item.series))
        coin = Coin(
            series_id=series_id, year=item.year, mint_mark=item.mint_mark, strike=item.strike,
            variety=item.variety, designation=item.designation, denomination=item.denomination,
            full_name=item.full_name, short_name=item.short_name, pcgs_number=number, facts={},
        )
        session.add(coin)
        session.flush()
        return coin.id


def attach_sim_numbers(engine: Engine, series: str, catalog=None) -> list[tuple[int, str, str, int]]:
    """Give the series' coins the simulator's PCGS numbers (its truth, of the built-in catalog or of
    ``catalog``); returns (number, slug, strike, year) per coin.

    The simulator numbers in its own way, so the catalog's shipped claims are cleared first (else
    a shipped number may already sit on another coin).
    """
    universe = sim_universe(catalog)
    out = []
    with session_scope(engine) as session:
        session.execute(update(Coin).values(pcgs_number=None))
        session.flush()
        for coin, slug in session.execute(select(Coin, Series.slug).join(Series).where(Series.slug == series)).all():
            coin.pcgs_number = universe.number_of(
                (slug, coin.year, coin.mint_mark, coin.strike, coin.variety, coin.designation))
            out.append((coin.pcgs_number, slug, coin.strike, coin.year))
    return out
