"""The collection over HTTP: ``GET /api/holdings``, ``GET /api/valuation``, ``GET /api/valuation/history``
and the web page ``/collection`` (total, holdings table, a chart of the value over time).

Thin handlers over :mod:`coinref.pipeline.holdings` and :mod:`coinref.pipeline.valuation`; every
route is a read. The page embeds its chart data as JSON and draws it with the vendored Chart.js.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from coinref.api.routes import COMMON_ERRORS, Ctx, Spots
from coinref.api.schemas import Money, _Out
from coinref.errors import InvalidInput
from coinref.jsonout import dumps
from coinref.timeutil import utcnow

router = APIRouter(prefix="/api", tags=["collection"], responses=COMMON_ERRORS)
page_router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
DAY_MIN, DAY_MAX = date(1792, 1, 1), date(2200, 12, 31)
DayQuery = Annotated[date | None, Query(ge=DAY_MIN, le=DAY_MAX, description="YYYY-MM-DD")]


class HoldingOut(_Out):
    id: int
    coin_id: int
    pcgs_number: int | None
    coin: str = Field(description="the coin's full name")
    grade: str = Field(description="e.g. MS65, AU58+")
    grade_number: int
    plus: bool
    quantity: int
    cost: Money | None = Field(description="total paid for the quantity, USD")
    purchase_date: date | None
    cert: str | None
    note: str


class ValuedHolding(_Out):
    id: int
    coin_id: int
    pcgs_number: int | None
    coin: str
    grade: str
    quantity: int
    cost: Money | None
    cert: str | None
    guide_value: Money | None = Field(description="per coin: the latest guide value at the grade up to as_of")
    guide_day: date | None
    interpolated: bool = Field(description="the guide value is interpolated between the coin's priced grades")
    auction_median: Money | None = Field(description="per coin: median of the sales at the grade in 365 days")
    auction_sales: int
    melt: Money | None = Field(description="per coin: precious-metal ounces x spot")
    value_each: Money | None = Field(description="per coin, by the rule")
    value: Money | None = Field(description="value_each x quantity; null when nothing values the coin")
    basis: str = Field(description="guide, guide interpolated, auction median, melt or none")
    as_of: date | None = Field(description="the day of the observation the value comes from")
    age_days: int | None
    confidence: str | None = Field(description="high, medium or low")


class SpotOut(BaseModel):
    price: Money
    day: date


class SinceOut(BaseModel):
    day: date
    total: Money
    change: Money
    change_pct: float | None


class ValuationOut(BaseModel):
    as_of: date
    rule: str
    spots: dict[str, SpotOut]
    holdings: list[ValuedHolding]
    count: int
    unvalued: int
    total: Money
    cost: Money
    since: SinceOut | None = None


class ValuePoint(BaseModel):
    day: date
    total: Money
    count: int
    unvalued: int


@router.get("/holdings", response_model=list[HoldingOut])
def holdings(ctx: Ctx) -> list[dict]:
    """Every holding with its coin, grade, quantity, cost and cert, in the order added."""
    from coinref.pipeline.holdings import list_holdings

    return list_holdings(ctx.engine)


@router.get("/valuation", response_model=ValuationOut, response_model_exclude_none=False)
def valuation(ctx: Ctx, spots: Spots, as_of: DayQuery = None, since: DayQuery = None) -> dict:
    """What the collection is worth on ``as_of`` (default today) from what was known on that day.

    Per holding: guide value (interpolated between priced grades when needed), 12-month auction
    median, melt, and the value used: guide value, else auction median, never below melt. The
    ``spot_*`` parameters replace the stored spot of that metal on ``as_of``; ``since`` adds the
    total on that day and the change."""
    from coinref.pipeline.valuation import valuation as value

    given = {metal: Decimal(price) for metal, price in (spots or {}).items() if price is not None}
    for metal, price in given.items():
        if price <= 0:
            raise InvalidInput(f"spot_{metal} must be a positive number of US dollars per troy ounce")
    return value(ctx.engine, as_of, spots=given, since=since)


@router.get("/valuation/history", response_model=list[ValuePoint])
def valuation_history(ctx: Ctx, as_of: DayQuery = None,
                      points: Annotated[int, Query(ge=1, le=60, description="how many days")] = 24) -> list[dict]:
    """The collection's total on evenly spaced days up to ``as_of``, from stored observations."""
    from coinref.pipeline.valuation import history_days, value_series

    day = as_of or utcnow().date()
    return value_series(ctx.engine, history_days(ctx.engine, day, points))


@page_router.get("/collection")
def collection_page(request: Request, ctx: Ctx) -> Response:
    from coinref.api.pages import render
    from coinref.pipeline.valuation import history_days, value_series
    from coinref.pipeline.valuation import valuation as value

    result = value(ctx.engine)
    series = value_series(ctx.engine, history_days(ctx.engine, result["as_of"]))
    chart = json.loads(dumps([[p["day"], p["total"]] for p in series], indent=None))
    return render(request, "collection.html", active="collection", result=result, chart=chart)
