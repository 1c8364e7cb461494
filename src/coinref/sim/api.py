"""The simulator's ``/publicapi`` routes and the gate every API request passes.

:class:`SimMiddleware` wraps the whole app. It marks every answer ``X-Coinref-Sim: synthetic data``
and, for ``/publicapi`` requests, lower-cases the path (the real routes are case-insensitive; the
routes below are declared in lower case) and runs :func:`gate`: count the request, add latency,
check the bearer token (401 with ASP.NET's message), spend the quota (429 "API calls quota
exceeded!"), then apply the next scripted fault. Only then does the route answer.

Query parameter names are matched case-insensitively, as ASP.NET binds them. A missing required
parameter answers 204 with no body; a value that does not bind (``GradeNo=abc``) answers 400.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coinref.catalog.grades import GRADE_NUMBERS
from coinref.sim import bodies
from coinref.sim.faults import Fault
from coinref.sim.state import SimState

API_PREFIX = "/publicapi"
SIM_HEADER = ("X-Coinref-Sim", "synthetic data")
AUTH_DENIED = {"Message": "Authorization has been denied for this request."}
QUOTA_BODY = '<string xmlns="http://schemas.microsoft.com/2003/10/Serialization/">API calls quota exceeded!</string>'
INVALID_REQUEST = {"Message": "The request is invalid."}

router = APIRouter(prefix=API_PREFIX.lower())


# -- the gate ---------------------------------------------------------------------------------


class SimMiddleware:
    """Synthetic-data header on every answer; the gate and case-insensitive paths for the API."""

    def __init__(self, app: ASGIApp, state: SimState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = scope["path"].lower().startswith(API_PREFIX)

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                name, value = SIM_HEADER
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (name.lower().encode(), value.encode())]
                if is_api:
                    self.state.record_status("api", message["status"])
            await send(message)

        if is_api:
            lowered = scope["path"].lower()
            scope = dict(scope, path=lowered, raw_path=lowered.encode())
            refusal = await gate(Request(scope, receive), self.state)
            if refusal is not None:
                await refusal(scope, receive, marked)
                return
        await self.app(scope, receive, marked)


def _authorized(request: Request, token: str | None) -> bool:
    scheme, _, given = request.headers.get("authorization", "").strip().partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer" or not given:
        return False
    return token is None or given == token


async def gate(request: Request, state: SimState) -> Response | None:
    state.record("api", request.url.path)
    if state.config.latency_ms:
        await asyncio.sleep(state.config.latency_ms / 1000)
    if not _authorized(request, state.config.token):
        return JSONResponse(AUTH_DENIED, 401, headers={"WWW-Authenticate": "Bearer"})
    if not state.take_quota():
        return Response(QUOTA_BODY, 429, media_type="application/xml")
    fault = state.next_fault()
    if fault is None or fault.name == "ok":
        return None
    return await fault_response(fault, request, state)


async def fault_response(fault: Fault, request: Request, state: SimState) -> Response:
    headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
    if fault.name == "timeout":
        deadline = time.monotonic() + state.config.hang_s
        while time.monotonic() < deadline and not await request.is_disconnected():
            await asyncio.sleep(0.05)
        return JSONResponse({"Message": "An error has occurred."}, 504)
    if fault.name == "malformed":
        return Response('{"PCGSNo": "9', 200, media_type="application/json")
    if fault.name == "empty":
        return Response(status_code=204)
    if fault.name == "quota":
        state.exhaust_today()
        return Response(QUOTA_BODY, 429, media_type="application/xml", headers=headers)
    if fault.name == "servererror":
        return JSONResponse(bodies.envelope("A server error occurred"), 200)
    if fault.name == "auth500":
        return JSONResponse(AUTH_DENIED, 500)
    status = fault.status or 500
    if status == 401:
        return JSONResponse(AUTH_DENIED, 401, headers={"WWW-Authenticate": "Bearer"})
    if status == 429:
        return JSONResponse({"Message": "Too many requests."}, 429, headers=headers)
    if status == 204:
        return Response(status_code=204)
    return JSONResponse({"Message": "An error has occurred."}, status, headers=headers)


# -- parameters ---------------------------------------------------------------------------------


class _Unbound(Exception):
    """A parameter value ASP.NET could not bind: 400."""


class _Missing(Exception):
    """A required parameter is absent: 204."""


def _param(request: Request, name: str, required: bool = True) -> str | None:
    wanted = name.lower()
    for key, value in request.query_params.multi_items():
        if key.lower() == wanted:
            return value
    if required:
        raise _Missing(name)
    return None


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise _Unbound(text) from None


def _bool(text: str | None) -> bool | None:
    if text is None:
        return None
    value = {"true": True, "false": False}.get(text.strip().lower())
    if value is None:
        raise _Unbound(text)
    return value


def _date(text: str | None) -> date | None:
    if not text:
        return None
    for fmt in ("%m-%d-%Y", "%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _respond(handler, request: Request, *args: str) -> Response:
    """Run a handler; a missing parameter answers 204 and an unbindable one 400, as ASP.NET does."""
    try:
        return JSONResponse(handler(request, request.app.state.sim, *args))
    except _Missing:
        return Response(status_code=204)
    except _Unbound:
        return JSONResponse(INVALID_REQUEST, 400)


# -- routes -------------------------------------------------------------------------------------


def _number(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def coin_facts_by_grade(request: Request, state: SimState) -> dict:
    number = _number(_param(request, "PCGSNo"))
    grade = _int(_param(request, "GradeNo"))
    plus = _bool(_param(request, "PlusGrade"))
    if number in state.universe.sets and grade in GRADE_NUMBERS and grade >= 60:
        return bodies.set_facts(state.universe.sets[number], grade, plus)
    point = state.universe.point(number, grade, plus, state.today()) if number else None
    if point is None:
        return bodies.not_found(bodies.NO_DATA_GRADE, every_key=bool(number and number % 2))
    coin = state.universe.coin(number)
    return bodies.coin_facts(number, coin, grade, plus, point)


def coin_facts_by_cert(request: Request, state: SimState, cert_no: str) -> dict:
    all_data = _bool(_param(request, "retrieveAllData", required=False))
    if not cert_no.isdigit():
        return bodies.envelope(bodies.INVALID_CERT, False)
    cert = state.universe.cert(cert_no)
    if cert is None:
        return bodies.not_found(bodies.NO_DATA, every_key=len(cert_no) > 1 and int(cert_no[-2]) % 2 == 1)
    return bodies.cert_facts(state.universe, cert, state.today(), all_data is not False, state.config.seed)


def coin_facts_by_barcode(request: Request, state: SimState) -> dict:
    barcode = _param(request, "barcode").strip()
    service = _param(request, "gradingService").strip().upper()
    if service != "PCGS" or not barcode.isdigit():
        return bodies.not_found(bodies.NO_DATA)
    cert = state.universe.cert(barcode)
    if cert is None:
        return bodies.not_found(bodies.NO_DATA)
    return bodies.cert_facts(state.universe, cert, state.today(), seed=state.config.seed)


def apr_by_grade(request: Request, state: SimState) -> dict:
    number = _number(_param(request, "PCGSNo"))
    grade = _int(_param(request, "GradeNo"))
    plus = _bool(_param(request, "PlusGrade"))
    try:
        start = _date(_param(request, "StartDate", required=False))
        end = _date(_param(request, "EndDate", required=False))
        count = _param(request, "NumberOfRecords", required=False)
        limit = int(count) if count is not None else 100
    except ValueError:
        return bodies.apr_invalid()
    if limit <= 0 or number is None:
        return bodies.apr_invalid()
    day = state.today()
    if state.universe.point(number, grade, plus, day) is None:
        return bodies.not_found(bodies.NO_DATA)
    sales = bodies.auctions(state.universe, number, grade, plus, day, state.config.seed)
    sales = [s for s in sales if _in_range(str(s["Date"]), start, end)][:limit]
    return bodies.apr_body(state.universe, number, sales)


def _in_range(date_text: str, start: date | None, end: date | None) -> bool:
    parts = date_text.split("-")  # mm-yyyy or mm-dd-yyyy
    sold = date(int(parts[-1]), int(parts[0]), int(parts[1]) if len(parts) == 3 else 1)
    return (start is None or sold >= start.replace(day=1)) and (end is None or sold <= end)


def apr_by_cert(request: Request, state: SimState, cert_no: str) -> dict:
    if not cert_no.isdigit():
        return bodies.envelope(bodies.INVALID_CERT, False)
    cert = state.universe.cert(cert_no)
    if cert is None:
        return bodies.not_found(bodies.NO_DATA)
    day = state.today()
    coin = state.universe.coin(cert.pcgs_number)
    sales = bodies.auctions(state.universe, cert.pcgs_number, cert.grade, cert.plus, day, state.config.seed)[:2]
    return bodies.apr_body(state.universe, cert.pcgs_number, sales, cert,
                           bodies.grade_string(cert.grade, cert.plus, coin))


def images_by_cert(request: Request, state: SimState) -> dict:
    return bodies.images_body(state.universe, _param(request, "certNo").strip())


@router.get("/coindetail/getcoinfactsbygrade")
async def get_coin_facts_by_grade(request: Request) -> Response:
    return _respond(coin_facts_by_grade, request)


@router.get("/coindetail/getcoinfactsbycertno/{cert_no}")
async def get_coin_facts_by_cert(request: Request, cert_no: str) -> Response:
    return _respond(coin_facts_by_cert, request, cert_no)


@router.get("/coindetail/getcoinfactsbybarcode")
async def get_coin_facts_by_barcode(request: Request) -> Response:
    return _respond(coin_facts_by_barcode, request)


@router.get("/coindetail/getaprbygrade")
async def get_apr_by_grade(request: Request) -> Response:
    return _respond(apr_by_grade, request)


@router.get("/coindetail/getaprbycertno/{cert_no}")
async def get_apr_by_cert(request: Request, cert_no: str) -> Response:
    return _respond(apr_by_cert, request, cert_no)


@router.get("/coindetail/getimagesbycertno")
async def get_images_by_cert(request: Request) -> Response:
    return _respond(images_by_cert, request)
