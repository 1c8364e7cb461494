"""One error shape for every HTTP error, and the handlers that produce it.

Every error response of the API is ``{"error": kind, "message": text, "status": n}`` (plus an
optional ``details`` object), whatever raised it:

* a :class:`~coinref.errors.CoinrefError` keeps its ``kind`` and its ``http_status`` (400 for
  invalid input, 404 for an unknown coin, 422 for validation problems, 429 quota ...);
* a request FastAPI could not parse (a non-integer ``limit``, a missing ``q``) is 422
  ``validation``, with one line per problem; the offending input is not echoed back;
* Starlette's own HTTP errors (unknown path, wrong method) keep their status;
* a database that cannot be reached (or has no tables yet) is 503 ``database_unavailable``;
* anything else is 500 ``internal``: logged here with its traceback, answered with a fixed
  message, so no stack trace, SQL or setting ever reaches a client.

Requests for pages (any path outside ``/api``, ``/static`` and the API docs, unless the client
asks for JSON and not HTML) get the same facts rendered as an HTML page by
:func:`install_error_handlers`' ``render_page`` callback, so a browser, ``curl`` or a link checker
never gets raw JSON from a page address.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from starlette.exceptions import HTTPException as StarletteHTTPException

from coinref.errors import CoinrefError
from coinref.logs import get_logger

log = get_logger("api")

_KIND_BY_STATUS = {
    400: "invalid_input",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "validation",
    429: "limited",
    503: "unavailable",
}


class DatabaseUnavailable(CoinrefError):
    """The database cannot answer: unreachable, or not initialised (no tables yet)."""

    http_status = 503
    kind = "database_unavailable"


NOT_READY = "the database is not initialised: run `coinref init`; see /api/health"
UNREACHABLE = "the database is not reachable or not initialised (run `coinref init`); see /api/health"


class ErrorBody(BaseModel):
    """The JSON body of every error response."""

    error: str = Field(description="a stable machine-readable kind, e.g. not_found, invalid_input, validation")
    message: str = Field(description="what went wrong, for people")
    status: int = Field(description="the HTTP status, repeated")
    details: dict[str, Any] | None = Field(None, description="extra facts for some kinds (e.g. validation problems)")


def error_response(status: int, kind: str, message: str, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": kind, "message": message, "status": status}
    if details:
        body["details"] = details
    return JSONResponse(body, status_code=status, headers=headers)


def describe_validation(exc: RequestValidationError) -> tuple[str, list[dict[str, str]]]:
    """A one-line summary and a list of ``{where, problem}``, without the rejected input."""
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        where = f"{loc[0]} parameter {'.'.join(loc[1:])!r}" if len(loc) > 1 else (loc[0] if loc else "request")
        problems.append({"where": where, "problem": str(err.get("msg", "invalid"))})
    summary = "; ".join(f"{p['where']}: {p['problem']}" for p in problems[:5]) or "the request is not valid"
    return summary, problems


def wants_html(request: Request) -> bool:
    """A page address, unless the client asks for JSON and not for HTML."""
    path = request.url.path
    if path.startswith(("/api", "/static", "/openapi", "/docs", "/redoc")):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "json" not in accept


PageRenderer = Callable[[Request, int, str, str], Response]


def install_error_handlers(app: FastAPI, render_page: PageRenderer | None = None) -> None:
    """Register the handlers on ``app``; ``render_page(request, status, kind, message)`` renders HTML."""

    def respond(request: Request, status: int, kind: str, message: str, details: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None) -> Response:
        if render_page is not None and wants_html(request):
            return render_page(request, status, kind, message)
        return error_response(status, kind, message, details, headers)

    @app.exception_handler(CoinrefError)
    async def _coinref_error(request: Request, exc: CoinrefError) -> Response:
        status = exc.http_status
        if status >= 500 and status != 503:
            log.error("%s on %s %s: %s", exc.kind, request.method, request.url.path, exc.message)
        details = {k: v for k, v in exc.details.items() if isinstance(v, str | int | float | bool) or v is None}
        return respond(request, status, exc.kind, exc.message, details or None)

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, exc: RequestValidationError) -> Response:
        summary, problems = describe_validation(exc)
        return respond(request, 422, "validation", summary, {"problems": problems})

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        kind = _KIND_BY_STATUS.get(status, "http_error")
        message = exc.detail if isinstance(exc.detail, str) and exc.detail else HTTPStatus(status).phrase
        return respond(request, status, kind, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(OperationalError)
    @app.exception_handler(ProgrammingError)
    async def _database_unavailable(request: Request, exc: DBAPIError) -> Response:
        log.error("database error on %s %s: %s", request.method, request.url.path, type(exc.orig).__name__)
        return respond(request, 503, "database_unavailable", UNREACHABLE)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return respond(request, 500, "internal", "internal server error; the server log has the details")
