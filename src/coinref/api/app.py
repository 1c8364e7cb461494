"""The FastAPI application: the JSON API, the cron routes, the web page and its static files.

:func:`create_app` builds one app around an :class:`~coinref.context.AppContext` (settings and a
database engine). ``app.state`` holds what handlers share: ``ctx`` and ``templates``. Coin page
views and single-coin requests count as lookups through the search's buffered counter
(:mod:`coinref.search.popularity`), flushed when the app shuts down. :func:`app_from_env` is the
factory ``coinref serve`` hands to uvicorn, so every worker process builds its own app (and its
own connection pool) from the environment.

``/docs`` is Swagger UI served from the package (``static/vendor/swagger-ui``, see its README), so
the API documentation works with no network; ReDoc, which only loads from a CDN, is not served.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from coinref.api import collection, pages, routes
from coinref.api.errors import install_error_handlers
from coinref.api.methods import install_method_answers
from coinref.api.paging import reject_unknown_query
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
* Lists are paged: `total`, `offset`, `limit`, `count` and `next_offset` (null on the last page).
  A query parameter the route does not take is a 422, never ignored.
* Coin, price-history and series answers carry an `ETag` and `Cache-Control`; `If-None-Match` gives 304.
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


SWAGGER_UI = "/static/vendor/swagger-ui"


def _add_docs(app: FastAPI) -> None:
    """``/docs``: Swagger UI from the vendored files, never a CDN."""
    from fastapi.openapi.docs import get_swagger_ui_html

    @app.get("/docs", include_in_schema=False)
    async def docs(_request: Request) -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} API",
                                   swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
                                   swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png")


def _warm_in_background(app: FastAPI, ctx: AppContext) -> None:
    """Run :func:`coinref.api.queries.warm_up` in a thread; ``app.state.warmed`` is set when it ends."""
    from coinref.api.queries import warm_up

    def run() -> None:
        try:
            warm_up(ctx.engine)
        except Exception:  # noqa: BLE001 - a failed warm-up only leaves the first search slower
            log.warning("warm-up failed", exc_info=True)
        finally:
            app.state.warmed.set()

    threading.Thread(target=run, name="coinref-warm-up", daemon=True).start()


def create_app(ctx_or_settings: AppContext | Settings | None = None, *, warm: bool = False) -> FastAPI:
    """Build the app around a context, or settings (a context is made), or the environment's settings.

    ``warm``: at startup, load the search vocabulary and the catalog counts in a background thread
    (see :func:`coinref.api.queries.warm_up`), so the first search on a cold server is as fast as
    the next ones; requests are served meanwhile.
    """
    if isinstance(ctx_or_settings, AppContext):
        ctx = ctx_or_settings
    else:
        # the server starts on a missing SQLite file (created empty) and /api/health reports it
        ctx = AppContext(ctx_or_settings if ctx_or_settings is not None else load_settings(), create_database=True)

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        if warm:
            _warm_in_background(app_, ctx)
        yield
        flush_lookups(ctx.engine)

    app = FastAPI(title="coinref", version=_version(), description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    _add_docs(app)
    app.state.ctx = ctx
    app.state.warmed = threading.Event()
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
    app.include_router(collection.router)
    cron = _cron_router()
    if cron is not None:
        app.include_router(cron, dependencies=[Depends(reject_unknown_query)])
    app.include_router(pages.router)
    app.include_router(collection.page_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def app_from_env() -> FastAPI:
    """The uvicorn factory of ``coinref serve``: settings from the environment."""
    from coinref.logs import setup_logging

    settings = load_settings()
    setup_logging(settings)
    return create_app(settings, warm=True)
