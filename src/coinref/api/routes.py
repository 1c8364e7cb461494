"""The JSON API under ``/api``: thin handlers over :mod:`coinref.api.queries` and the library.

Every route is a read (public). The only routes that write or spend quota are the cron routes of
:mod:`coinref.api.cron`, which check the cron secret themselves. Handlers are plain ``def``
functions: FastAPI runs them in its thread pool, where the blocking database calls belong.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import WithJsonSchema

from coinref.api import queries
from coinref.api.errors import ErrorBody
from coinref.api.schemas import (
    CoinDetail,
    GradeOut,
    HealthOut,
    PriceHistory,
    QuotaOut,
    RunOut,
    SearchResponse,
    SeriesCoverage,
)
from coinref.catalog.grades import parse_grade, standard_grades
from coinref.context import AppContext
from coinref.errors import InvalidInput
from coinref.search.popularity import record_lookup
from coinref.store.db import session_scope

DB_ID_MAX = 2**31 - 1  # ids and PCGS numbers are 32-bit integer columns
SPOT_MAX = 1_000_000


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


COMMON_ERRORS = {
    400: _error("a parameter is not acceptable (unknown series, unreadable grade ...)"),
    422: _error("a parameter has the wrong type or is out of range"),
    503: _error("the database is not reachable or not initialised"),
}
router = APIRouter(prefix="/api", responses=COMMON_ERRORS)


async def get_ctx(request: Request) -> AppContext:
    # async: a plain def dependency would cost a thread-pool hop on every request
    return request.app.state.ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]
CoinNumber = Annotated[int, Path(ge=1, le=DB_ID_MAX, description="the coin's PCGS number")]
CoinId = Annotated[int, Path(ge=1, le=DB_ID_MAX, description="the coin's database id")]


def no_nul(value: str | None, name: str) -> str | None:
    if value is not None and "\x00" in value:
        raise InvalidInput(f"{name} must not contain a NUL character")
    return value


# -- coins ------------------------------------------------------------------------------------


@router.get("/coins/search", response_model=SearchResponse, tags=["coins"])
def search_coins(
    ctx: Ctx,
    q: Annotated[str, Query(min_length=1, max_length=300, description="what a collector would type, "
                                                                       "e.g. '1909-S VDB', 'morgan 1881 cc'")],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    series: Annotated[str | None, Query(max_length=80, description="only this series (slug)")] = None,
    year: Annotated[int | None, Query(ge=1700, le=2200, description="only this year")] = None,
) -> dict:
    """Search coins the way the CLI's ``coinref search`` does; each hit carries its latest prices.

    An unknown ``series`` is a 400. Searching does not count as a lookup of a coin (requesting the
    coin does), so typing a query letter by letter does not inflate popularity."""
    return queries.search_with_prices(ctx.engine, q, limit=limit, series=series or None, year=year)


# the schema says what is accepted: a number from 0 to SPOT_MAX (pydantic's Decimal would also
# advertise any string, which is then refused)
SpotQuery = Annotated[Decimal | None, WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0, "maximum": SPOT_MAX},
                                                                {"type": "null"}]}),
                      Query(ge=0, le=SPOT_MAX, description="USD per troy ounce")]


async def spot_prices(
    spot_silver: SpotQuery = None,
    spot_gold: SpotQuery = None,
    spot_platinum: SpotQuery = None,
    spot_palladium: SpotQuery = None,
) -> dict[str, Decimal | None] | None:
    spots = {"silver": spot_silver, "gold": spot_gold, "platinum": spot_platinum, "palladium": spot_palladium}
    return spots if any(v is not None for v in spots.values()) else None


Spots = Annotated[dict[str, Decimal | None] | None, Depends(spot_prices)]
NOT_FOUND = {404: _error("no coin with that number or id")}


def _coin_detail(ctx: AppContext, spots, **key: int) -> dict:
    with session_scope(ctx.engine, read_only=True) as session:
        coin, series = queries.find_coin(session, **key)
        detail = queries.coin_detail(session, coin, series, spots)
    record_lookup(ctx.engine, coin.id)
    return detail


@router.get("/coins/by-id/{coin_id}", response_model=CoinDetail, response_model_exclude_unset=True,
            responses=NOT_FOUND, tags=["coins"])
def coin_by_id(ctx: Ctx, coin_id: CoinId, spots: Spots) -> dict:
    """A coin by database id: facts, latest price per tracked grade, melt value at the given spot prices."""
    return _coin_detail(ctx, spots, coin_id=coin_id)


@router.get("/coins/{pcgs_number}", response_model=CoinDetail, response_model_exclude_unset=True,
            responses=NOT_FOUND, tags=["coins"])
def coin_by_pcgs_number(ctx: Ctx, pcgs_number: CoinNumber, spots: Spots) -> dict:
    """A coin by PCGS number: facts, latest price per tracked grade, melt value at the given spot prices."""
    return _coin_detail(ctx, spots, pcgs_number=pcgs_number)


@router.get("/coins/{pcgs_number}/prices", response_model=PriceHistory, responses=NOT_FOUND, tags=["coins"])
def coin_prices(
    ctx: Ctx,
    pcgs_number: CoinNumber,
    grade: Annotated[str | None, Query(max_length=20, description="e.g. 65, MS65, 64+, PR69")] = None,
    since: Annotated[date | None, Query(description="first day to include (YYYY-MM-DD)")] = None,
) -> dict:
    """The price history of a coin: every observation, optionally of one grade and from a day on."""
    parsed = parse_grade(no_nul(grade, "grade")) if grade else None
    with session_scope(ctx.engine, read_only=True) as session:
        coin, series = queries.find_coin(session, pcgs_number=pcgs_number)
        observations = queries.price_history(session, coin, parsed, since)
        summary = queries.coin_summary(coin, series.slug)
    grade_text = queries.point_label(parsed.number, parsed.plus, coin.strike) if parsed else None
    return {"coin": summary, "grade": grade_text, "since": since, "count": len(observations),
            "observations": observations}


# -- reference and operations -----------------------------------------------------------------


@router.get("/series", response_model=list[SeriesCoverage], tags=["reference"])
def list_series(ctx: Ctx) -> list[dict]:
    """The 67 series in processing order, with how many of their coins are stored, numbered and priced."""
    return queries.series_coverage(ctx.engine)


@router.get("/grades", response_model=list[GradeOut], tags=["reference"])
def list_grades() -> list[dict]:
    """The PCGS Sheldon grades with their prefixes and the plus rule."""
    return [g.as_dict() for g in standard_grades()]


@router.get("/quota", response_model=QuotaOut, tags=["operations"])
def quota(ctx: Ctx) -> dict:
    """Today's PCGS API quota: limit, used, remaining, and when it resets."""
    return queries.quota_status(ctx.engine, ctx.settings)


@router.get("/runs", response_model=list[RunOut], tags=["operations"])
def runs(
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    kind: Annotated[str | None, Query(max_length=30, description="populate, refresh ...")] = None,
    reports: Annotated[bool, Query(description="include each run's full report")] = True,
) -> list[dict]:
    """Recent runs, newest first, with their counts and reports."""
    return queries.recent_runs(ctx.engine, limit=limit, kind=no_nul(kind, "kind"), with_reports=reports)


@router.get("/health", response_model=HealthOut, tags=["operations"],
            responses={503: {"model": HealthOut, "description": "the database is not reachable"}})
def health(ctx: Ctx, response: Response) -> dict:
    """Database reachable, migrations at head, quota state. 503 when the database cannot be reached."""
    result = queries.health(ctx.engine, ctx.settings)
    if result["status"] == "unavailable":
        response.status_code = 503
    return result
