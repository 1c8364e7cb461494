"""The cron endpoint: ``GET`` or ``POST /api/cron/refresh-prices`` runs one time-bounded refresh batch.

For schedulers that call URLs (Vercel Cron sends ``GET`` with ``Authorization: Bearer
$CRON_SECRET``). Mount :data:`router` on the HTTP app.

* No ``CRON_SECRET`` configured: 503 (the endpoint is off; nothing runs).
* A missing or wrong ``Authorization: Bearer ...`` header: 401. The secret is compared with
  :func:`hmac.compare_digest` (constant time) and never logged or echoed.
* Otherwise one refresh run bounded by ``CRON_TIME_BUDGET_S`` (default 50 s, under the usual
  60 s limit of such schedulers): 200 with JSON counts, also when the run stopped because the quota
  is used up or the service is blocking us (the next call resumes; retrying now would not help);
  502 when PCGS rejected the token or failed in a way retrying will not fix.

The handler is a plain ``def``: FastAPI runs it in its thread pool, so the refresh (which runs its
own event loop for the PCGS client) never blocks the server's event loop. The app supplies the
settings and engine by overriding the :func:`refresh_env` dependency, or through
``app.state.ctx`` (an :class:`~coinref.context.AppContext`); without either the process settings
are used.
"""

from __future__ import annotations

import hmac
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer

from coinref.api.errors import ErrorBody, error_response
from coinref.config import Settings
from coinref.errors import EXIT_LIMITED, EXIT_OK, CoinrefError
from coinref.jsonout import dumps
from coinref.logs import get_logger
from coinref.pipeline.refresh.runner import RefreshEnv, RefreshOptions, run_refresh

router = APIRouter(tags=["cron"])
log = get_logger("api.cron")
PATH = "/api/cron/refresh-prices"


def refresh_env(request: Request) -> RefreshEnv:
    """Settings and engine for the run (override this dependency to inject them)."""
    ctx = getattr(request.app.state, "ctx", None)
    if ctx is None:
        from coinref.context import AppContext

        ctx = AppContext()
        request.app.state.ctx = ctx
    return RefreshEnv(settings=ctx.settings, engine=ctx.engine)


def authorized(settings: Settings, header: str | None) -> bool | None:
    """None when no secret is configured; else whether ``header`` carries it (constant-time)."""
    if settings.cron_secret is None or not settings.cron_secret.get_secret_value():
        return None
    scheme, _, given = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        given = ""
    expected = settings.cron_secret.get_secret_value().encode()
    return hmac.compare_digest(given.strip().encode(), expected)


def summary(report: dict) -> dict[str, object]:
    """The JSON counts the endpoint answers with."""
    quota = report["quota_after"]
    return {
        "run_id": report["run_id"],
        "status": report["status"],
        "stopped": report["stopped"],
        "message": report["stop_message"],
        "day": report["day"],
        "elapsed_s": report["elapsed_s"],
        "plan": report["plan"],
        "counts": report["counts"],
        "quota": {"limit": quota["limit"], "used": quota["used"], "remaining": quota["remaining"]},
    }


#: documents the bearer scheme in OpenAPI; the secret itself is checked by :func:`authorized`
#: (constant-time, and 503 rather than 401 when no secret is configured)
bearer = HTTPBearer(auto_error=False, scheme_name="cronSecret", description="Authorization: Bearer $CRON_SECRET")
RESPONSES = {
    401: {"model": ErrorBody, "description": "no or a wrong 'Authorization: Bearer <CRON_SECRET>' header"},
    502: {"model": ErrorBody, "description": "the refresh failed upstream (authentication, PCGS errors)"},
    503: {"model": ErrorBody, "description": "the cron endpoint is off (no CRON_SECRET) or the database is down"},
}


@router.get(PATH, summary="Run one time-bounded price refresh batch (GET, as Vercel Cron calls it)",
            responses=RESPONSES, dependencies=[Security(bearer)])
@router.post(PATH, summary="Run one time-bounded price refresh batch", responses=RESPONSES,
             dependencies=[Security(bearer)])
def cron_refresh_prices(request: Request, env: Annotated[RefreshEnv, Depends(refresh_env)]) -> JSONResponse:
    allowed = authorized(env.settings, request.headers.get("authorization"))
    if allowed is None:
        return error_response(503, "unavailable", "the cron endpoint is off: set CRON_SECRET to enable it")
    if not allowed:
        return error_response(401, "unauthorized", "a valid 'Authorization: Bearer <CRON_SECRET>' header is required",
                              headers={"WWW-Authenticate": "Bearer"})
    options = RefreshOptions(time_budget_s=env.settings.cron_time_budget_s, trigger="cron")
    try:
        report = run_refresh(env, options)
    except CoinrefError as exc:
        log.warning("cron refresh failed: %s", exc.message)
        return error_response(exc.http_status, exc.kind, exc.message)
    body = summary(report)
    status = 200 if report["exit_code"] in (EXIT_OK, EXIT_LIMITED) else 502
    return JSONResponse(content=_plain(body), status_code=status)


def _plain(value: dict) -> dict:
    return json.loads(dumps(value, indent=None))
