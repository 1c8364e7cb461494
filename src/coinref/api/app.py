"""The FastAPI application: the JSON API, the cron routes, the web page and its static files.

:func:`create_app` builds one app around an :class:`~coinref.context.AppContext` (settings and a
database engine). ``app.state`` holds what handlers share: ``ctx`` and ``templates``. Coin page
views and single-coin requests count as lookups through the search's buffered counter
(:mod:`coinref.search.popularity`), flushed when the app shuts down. :func:`app_from_env` is the
factory ``coinref serve`` hands to uvicorn, so every worker process builds its own app (and its
own connection pool) from the environment.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from coinref.api import pages, routes
from coinref.api.errors import install_error_handlers
from coinref.api.methods import install_method_answers
from coinref.config import Settings, load_settings
from coinref.context import AppContext
from coinref.logs import get_logger
from coinref.search import flush_lookups

log = get_logger("api")
STATIC_DIR = Path(__file__).parent / "static"

DESCRIPTION = """\
coinref's reference database over HTTP: coins, PCGS numbers, prices and their history.

* Errors are JSON `{"error": kind, "message": text, "status": n}` (400 bad parameters, 404 unknown
  coin, 422 invalid request, 503 database unavailable).
* Money is a JSON number in US dollars with at most two decimals (exact; read it as a decimal).
* Read endpoints are public; `/api/cron/*` needs the cron secret (`Authorization: Bearer ...`).
"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("coinref")
    except PackageNotFoundError:
        return "0"


def _cron_router():
    """The price refresh's cron routes, when that module is installed."""
    try:
        from coinref.api.cron import router
    except ModuleNotFoundError as exc:
        if exc.name != "coinref.api.cron":
            raise
        log.warning("coinref.api.cron is missing: /api/cron/refresh-prices is not served")
        return None
    return router


def create_app(ctx_or_settings: AppContext | Settings | None = None) -> FastAPI:
    """Build the app around a context, or settings (a context is made), or the environment's settings."""
    if isinstance(ctx_or_settings, AppContext):
        ctx = ctx_or_settings
    else:
        ctx = AppContext(ctx_or_settings if ctx_or_settings is not None else load_settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        flush_lookups(ctx.engine)

    app = FastAPI(title="coinref", version=_version(), description=DESCRIPTION, lifespan=lifespan)
    app.state.ctx = ctx
    app.state.templates = pages.make_templates()
    install_error_handlers(app, render_page=pages.render_error)
    install_method_answers(app)
    if ctx.settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=ctx.settings.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.include_router(routes.router)
    cron = _cron_router()
    if cron is not None:
        app.include_router(cron)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def app_from_env() -> FastAPI:
    """The uvicorn factory of ``coinref serve``: settings from the environment."""
    from coinref.logs import setup_logging

    settings = load_settings()
    setup_logging(settings)
    return create_app(settings)
