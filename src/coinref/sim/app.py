"""The simulator app factory.

``create_sim_app(SimConfig(...))`` returns an ASGI app serving the PCGS API routes (``sim.api``)
and the admin pages (``sim.admin``). More areas (the website pages, the spec search) mount through
:data:`EXTRA_ROUTERS` or the ``routers`` argument: each is a FastAPI ``APIRouter`` whose handlers
reach the shared state as ``request.app.state.sim`` (a :class:`~coinref.sim.state.SimState`:
``universe``, ``config``, ``today()``, ``record(area, path)``, ``next_fault()``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from fastapi import APIRouter, FastAPI

from coinref.sim import admin, api
from coinref.sim.state import SimConfig, SimState


def _website_router() -> APIRouter:
    from coinref.sim.website import router

    return router


#: factories of further routers mounted on every sim app (website pages, spec search ...)
EXTRA_ROUTERS: list[Callable[[], APIRouter]] = [_website_router]


def create_sim_app(config: SimConfig | None = None, *, routers: Iterable[APIRouter] = ()) -> FastAPI:
    """A fresh simulator app with its own state (counts, quota, faults)."""
    state = SimState(config or SimConfig())
    app = FastAPI(title="coinref PCGS simulator (synthetic data)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sim = state
    app.include_router(api.router)
    app.include_router(admin.router)
    for factory in EXTRA_ROUTERS:
        app.include_router(factory())
    for extra in routers:
        app.include_router(extra)
    app.add_middleware(api.SimMiddleware, state=state)
    return app
