"""The cron endpoint, through an ASGI client, with the refresh talking to the simulator, on both backends."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from refresh_support import Clock, FakeMonotonic, load_sample, make_env, make_settings, sim_app, sim_requests
from sqlalchemy import func, select

from coinref.api.cron import PATH, refresh_env, router
from coinref.store.db import session_scope
from coinref.store.models import PriceObservation, Run

SECRET = "cron-secret-3e7f0a91"

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def setup(engine, db_url, tmp_path):
    load_sample(engine)
    clock = Clock()
    sim = sim_app(clock)

    def build(secret: str | None = SECRET, env_options: dict | None = None, **setting_overrides):
        settings = make_settings(db_url, tmp_path, cron_secret=secret, **setting_overrides)
        env = make_env(settings, engine, sim, clock, **(env_options or {}))
        api = FastAPI()
        api.include_router(router)
        api.dependency_overrides[refresh_env] = lambda: env
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://api.test")

    return build, sim


def runs(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count(Run.id))) or 0


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong-secret", f"Basic {SECRET}", f"Bearer {SECRET}x", "Bearer", SECRET],
)
async def test_without_the_right_secret_nothing_runs(setup, engine, method, header):
    build, sim = setup
    async with build() as client:
        headers = {"Authorization": header} if header is not None else {}
        response = await client.request(method, PATH, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"] == "unauthorized"
    assert SECRET not in response.text
    assert sim_requests(sim) == 0 and runs(engine) == 0


async def test_without_a_configured_secret_the_endpoint_is_off(setup, engine):
    build, sim = setup
    async with build(secret=None) as client:
        response = await client.get(PATH, headers={"Authorization": f"Bearer {SECRET}"})
    assert response.status_code == 503
    assert "CRON_SECRET" in response.json()["message"]
    assert sim_requests(sim) == 0 and runs(engine) == 0


async def test_the_right_secret_runs_one_batch_and_answers_counts(setup, engine):
    build, sim = setup
    async with build() as client:
        response = await client.get(PATH, headers={"Authorization": f"Bearer {SECRET}"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert sim_requests(sim) == 15 == body["counts"]["requests"]
        assert body["quota"] == {"limit": 15, "used": 15, "remaining": 0}
        with session_scope(engine) as session:
            assert session.scalar(select(func.count(PriceObservation.id))) == body["counts"]["stored"] > 0
            run = session.scalars(select(Run)).one()
        assert body["run_id"] == run.id and run.args["trigger"] == "cron"
        assert body["status"] == "completed" and SECRET not in response.text

        again = await client.post(PATH, headers={"authorization": f"bearer {SECRET}"})
    assert again.status_code == 200  # a day whose quota is spent is not an error for the scheduler
    assert again.json()["stopped"] == "quota_exhausted"
    assert sim_requests(sim) == 15


async def test_the_batch_is_bounded_by_the_time_budget(setup, engine):
    build, sim = setup
    monotonic = FakeMonotonic(step=1.0)
    async with build(env_options={"monotonic": monotonic}, pcgs_daily_quota=100, cron_time_budget_s=10) as client:
        response = await client.get(PATH, headers={"Authorization": f"Bearer {SECRET}"})
    body = response.json()
    assert response.status_code == 200
    assert body["stopped"] == "time_budget"
    assert 0 < sim_requests(sim) < body["plan"]["planned"]


async def test_a_rejected_pcgs_token_is_a_502(setup, engine):
    build, sim = setup
    sim.state.sim.config.token = "not-ours"
    async with build() as client:
        response = await client.get(PATH, headers={"Authorization": f"Bearer {SECRET}"})
    assert response.status_code == 502
    assert response.json()["stopped"] == "authentication"
