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
from coinref.api.caching import NOT_MODIFIED, cached_json
from coinref.api.errors import ErrorBody
from coinref.api.paging import PageRequest, page_fields, paging, reject_unknown_query
from coinref.api.schemas import (
    CoinDetail,
    GradeOut,
    HealthOut,
    PriceHistory,
    QuotaOut,
    RunsPage,
    SearchResponse,
    SeriesCoins,
    SeriesCoverage,
)
from coinref.catalog.grades import parse_grade, standard_grades
from coinref.context import AppContext
from coinref.errors import InvalidInput
from coinref.pipeline.refresh.spot_source import load_spot
from coinref.search.popularity import record_lookup
from coinref.store.db import session_scope

DB_ID_MAX = 2**31 - 1  # ids and PCGS numbers are 32-bit integer columns
SPOT_MAX = 1_000_000


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


COMMON_ERRORS = {
    400: _error("a parameter is not acceptable (unknown series, unreadable grade ...)"),
    422: _error("a parameter has the wrong type or is out of range, or is not one the route takes"),
    503: _error("the database is not reachable or not initialised"),
}
router = APIRouter(prefix="/api", responses=COMMON_ERRORS, dependencies=[Depends(reject_unknown_query)])


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


SearchPage = Annotated[PageRequest, Depends(paging(default=10, maximum=100))]
SeriesPage = Annotated[PageRequest, Depends(paging(default=50, maximum=500))]
PricesPage = Annotated[PageRequest, Depends(paging(default=500, maximum=5000))]
RunsPageRequest = Annotated[PageRequest, Depends(paging(default=20, maximum=100))]


@router.get("/coins/search", response_model=SearchResponse, tags=["coins"])
def search_coins(
    ctx: Ctx,
    q: Annotated[str, Query(min_length=1, max_length=300, description="what a collector would type, "
                                                                       "e.g. '1909-S VDB', 'morgan 1881 cc'")],
    page: SearchPage,
    series: Annotated[str | None, Query(max_length=80, description="only this series (slug)")] = None,
    year: Annotated[int | None, Query(ge=1700, le=2200, description="only this year")] = None,
) -> dict:
    """Search coins the way the CLI's ``coinref search`` does; each hit carries its latest prices.

    Paged with ``offset``/``limit``; ``total`` counts the hits ranked. An unknown ``series`` is a
    400. Searching does not count as a lookup of a coin (requesting the coin does), so typing a
    query letter by letter does not inflate popularity."""
    return queries.search_with_prices(ctx.engine, q, limit=page.limit, offset=page.offset, series=series or None,
                                      year=year)


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
NOT_FOUND = {404: _error("no coin with that number or id"), **NOT_MODIFIED}


def _coin_detail(request: Request, ctx: AppContext, spots, **key: int) -> Response:
    with session_scope(ctx.engine, read_only=True) as session:
        coin, series = queries.find_coin(session, **key)
        detail = queries.coin_detail(session, coin, series, spots, load_spot(ctx.settings, ctx.engine))
    record_lookup(ctx.engine, coin.id)
    return cached_json(request, CoinDetail, detail, exclude_unset=True)


@router.get("/coins/by-id/{coin_id}", response_model=CoinDetail, response_model_exclude_unset=True,
            responses=NOT_FOUND, tags=["coins"])
def coin_by_id(request: Request, ctx: Ctx, coin_id: CoinId, spots: Spots) -> Response:
    """A coin by database id: facts, latest price per tracked grade, melt value at the given spot prices."""
    return _coin_detail(request, ctx, spots, coin_id=coin_id)


@router.get("/coins/{pcgs_number}", response_model=CoinDetail, response_model_exclude_unset=True,
            responses=NOT_FOUND, tags=["coins"])
def coin_by_pcgs_number(request: Request, ctx: Ctx, pcgs_number: CoinNumber, spots: Spots) -> Response:
    """A coin by PCGS number: facts, latest price per tracked grade, melt value at the given spot prices."""
    return _coin_detail(request, ctx, spots, pcgs_number=pcgs_number)


GradeQuery = Annotated[str | None, Query(max_length=20, description="e.g. 65, MS65, 64+, PR69")]
SinceQuery = Annotated[date | None, Query(description="first day to include (YYYY-MM-DD)")]


def _price_history(request: Request, ctx: AppContext, grade: str | None, since: date | None, page: PageRequest,
                   **key: int) -> Response:
    parsed = parse_grade(no_nul(grade, "grade")) if grade else None
    with session_scope(ctx.engine, read_only=True) as session:
        coin, series = queries.find_coin(session, **key)
        total, observations = queries.price_history(session, coin, parsed, since, offset=page.offset,
                                                    limit=page.limit)
        sales = queries.sale_history(session, coin, parsed, since)
        summary = queries.coin_summary(coin, series.slug)
    grade_text = queries.point_label(parsed.number, parsed.plus, coin.strike) if parsed else None
    return cached_json(request, PriceHistory, {
        "coin": summary, "grade": grade_text, "since": since, **page_fields(page, total, len(observations)),
        "observations": observations, "sales_count": len(sales), "sales": sales})


@router.get("/coins/by-id/{coin_id}/prices", response_model=PriceHistory, responses=NOT_FOUND, tags=["coins"])
def coin_prices_by_id(request: Request, ctx: Ctx, coin_id: CoinId, page: PricesPage, grade: GradeQuery = None,
                      since: SinceQuery = None) -> Response:
    """The price history of a coin by database id (coins without a PCGS number too), paged."""
    return _price_history(request, ctx, grade, since, page, coin_id=coin_id)


@router.get("/coins/{pcgs_number}/prices", response_model=PriceHistory, responses=NOT_FOUND, tags=["coins"])
def coin_prices(request: Request, ctx: Ctx, pcgs_number: CoinNumber, page: PricesPage, grade: GradeQuery = None,
                since: SinceQuery = None) -> Response:
    """The price history of a coin (paged) and its auction sales, optionally of one grade and from a day on."""
    return _price_history(request, ctx, grade, since, page, pcgs_number=pcgs_number)


# -- reference and operations -----------------------------------------------------------------


@router.get("/series", response_model=list[SeriesCoverage], responses=NOT_MODIFIED, tags=["reference"])
def list_series(request: Request, ctx: Ctx) -> Response:
    """The 67 series in processing order, with how many of their coins are stored, numbered and priced.

    A complete reference list, not paged (like ``/api/grades``)."""
    return cached_json(request, list[SeriesCoverage], queries.series_coverage(ctx.engine))


SeriesSlug = Annotated[str, Path(min_length=1, max_length=80, description="series slug, see /api/series")]


@router.get("/series/{slug}/coins", response_model=SeriesCoins,
            responses={404: _error("no series with that slug"), **NOT_MODIFIED}, tags=["reference"])
def series_coins(request: Request, ctx: Ctx, slug: SeriesSlug, page: SeriesPage) -> Response:
    """Every coin of a series (every designation), paged, with the latest price of each priced grade."""
    queries.require_initialised(ctx.engine)
    ref, total, results = queries.series_coins(ctx.engine, no_nul(slug, "slug"), offset=page.offset,
                                               limit=page.limit)
    return cached_json(request, SeriesCoins, {"series": ref, **page_fields(page, total, len(results)),
                                              "results": results})


@router.get("/grades", response_model=list[GradeOut], tags=["reference"])
def list_grades() -> list[dict]:
    """The PCGS Sheldon grades with their prefixes and the plus rule."""
    return [g.as_dict() for g in standard_grades()]


@router.get("/quota", response_model=QuotaOut, tags=["operations"])
def quota(ctx: Ctx) -> dict:
    """Today's PCGS API quota: limit, used, remaining, and when it resets."""
    return queries.quota_status(ctx.engine, ctx.settings)


@router.get("/runs", response_model=RunsPage, tags=["operations"])
def runs(
    ctx: Ctx,
    page: RunsPageRequest,
    kind: Annotated[str | None, Query(max_length=30, description="populate, refresh ...")] = None,
    reports: Annotated[bool, Query(description="include each run's full report")] = True,
) -> dict:
    """Runs, newest first, with their counts and reports, paged. Local file paths are cut to file names."""
    total, found = queries.recent_runs(ctx.engine, limit=page.limit, offset=page.offset, kind=no_nul(kind, "kind"),
                                       with_reports=reports)
    return {**page_fields(page, total, len(found)), "results": found}


@router.get("/health", response_model=HealthOut, tags=["operations"],
            responses={503: {"model": HealthOut, "description": "the database is not reachable"}})
def health(ctx: Ctx, response: Response) -> dict:
    """Database reachable, migrations at head, quota state. 503 when the database cannot be reached."""
    result = queries.health(ctx.engine, ctx.settings)
    if result["status"] == "unavailable":
        response.status_code = 503
    return result
