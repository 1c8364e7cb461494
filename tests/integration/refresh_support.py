"""Helpers for the price refresh tests (not a test module).

The sample catalog of the simulator (``coinref.sim.sample``) is written to the test database and
each coin gets the simulator's synthetic PCGS number, so the simulator's universe is the truth
the tests compare stored prices with.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
from sqlalchemy import Engine, select, update

from coinref.config import Settings, load_settings
from coinref.pipeline.refresh import RefreshEnv
from coinref.remote.breaker import BreakerRegistry
from coinref.sim import SimConfig, create_sim_app, sim_universe
from coinref.sim.sample import SAMPLE_CATALOG
from coinref.sources.pcgs_api import PcgsClient
from coinref.store.coins import upsert_catalog_coins
from coinref.store.db import session_scope
from coinref.store.models import Coin, Series

TOKEN = "tok-refresh-8c41d2e9b7"  # distinctive, so a leak is easy to grep
UNIVERSE = sim_universe(SAMPLE_CATALOG)
DAY = date(2027, 3, 10)


class Clock:
    """A settable UTC clock (the quota day, the sim's day and every timestamp follow it)."""

    def __init__(self, day: date = DAY) -> None:
        self.day = day

    def now(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, 9, 0, tzinfo=UTC)

    def today(self) -> date:
        return self.day


class FakeMonotonic:
    def __init__(self, step: float = 0.0) -> None:
        self.now = 1000.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


async def no_sleep(_seconds: float) -> None:
    return None


def load_sample(engine: Engine) -> dict[int, int]:
    """Write the sample catalog with the sim's PCGS numbers; returns {pcgs_number: coin_id}."""
    upsert_catalog_coins(engine, SAMPLE_CATALOG)
    with session_scope(engine) as session:
        rows = session.execute(
            select(Coin.id, Series.slug, Coin.year, Coin.mint_mark, Coin.strike, Coin.variety, Coin.designation)
            .join(Series, Series.id == Coin.series_id)
        ).all()
        numbers = {}
        for coin_id, *key in rows:
            number = UNIVERSE.number_of(tuple(key))
            session.execute(update(Coin).where(Coin.id == coin_id).values(pcgs_number=number))
            numbers[number] = coin_id
    return numbers


def make_settings(db_url: str, tmp_path, **overrides) -> Settings:
    values = {
        "database_url": db_url,
        "pcgs_api_token": TOKEN,
        "pcgs_api_base_url": "http://sim.invalid/publicapi",
        "pcgs_pacing_ms": 0,
        "pcgs_daily_quota": 15,
        "coinref_log_dir": str(tmp_path / "logs"),
    }
    return load_settings(**(values | overrides))


def sim_app(clock: Clock, **config):
    config.setdefault("catalog", SAMPLE_CATALOG)
    config.setdefault("token", TOKEN)
    return create_sim_app(SimConfig(today=clock.today, **config))


def sim_requests(app) -> int:
    """API requests the simulator received (counted at the sim, not by coinref)."""
    return int(app.state.sim.calls()["api"])


def make_env(settings: Settings, engine: Engine, app, clock: Clock, **kwargs) -> RefreshEnv:
    """A refresh environment whose PCGS client talks to ``app`` in-process, on ``clock``."""
    breakers = BreakerRegistry()
    transport = httpx.ASGITransport(app=app)
    monotonic = kwargs.pop("monotonic", None)

    def factory(run_id):
        extra = {"monotonic": monotonic} if monotonic is not None else {}
        return PcgsClient(settings, engine, transport=transport, sleep=no_sleep, clock=clock.now,
                          breakers=breakers, run_id=run_id, **extra)

    if monotonic is not None:
        kwargs["monotonic"] = monotonic
    return RefreshEnv(settings=settings, engine=engine, client_factory=factory, clock=clock.now, **kwargs)
