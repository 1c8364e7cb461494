"""The web page: server-rendered Jinja2 templates plus a small script per page.

* ``/`` search, and below it the series by tier with their coverage, each linking to its series
  page. With ``?q=`` (and ``&offset=``) the results are rendered on the server (so the page works
  without JavaScript and links can be shared); ``static/search.js`` then updates them as you
  type, debounced, through ``/api/coins/search``: the same function the CLI's search calls, and
  "More results" appends the next page of hits.
* ``/series/{slug}?page=N`` a series' coins as a table, :data:`SERIES_PAGE_SIZE` per page.
* ``/coins/{id}`` a coin's facts, its price table by grade and a price-history chart (Chart.js,
  vendored under ``static/vendor``; the data is embedded in the page as JSON).
* ``/status`` quota used today, coverage per tier and per series as bars, the last runs with their
  counts, and validation problems.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from coinref.api import queries
from coinref.api.routes import DB_ID_MAX, Ctx
from coinref.errors import CoinrefError, NotFound
from coinref.jsonout import dumps
from coinref.logs import get_logger
from coinref.pipeline.refresh.spot_source import load_spot
from coinref.search.popularity import record_lookup
from coinref.store.db import session_scope

log = get_logger("api")
TEMPLATES_DIR = FilePath(__file__).parent / "templates"
router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def money(value: Decimal | float | None) -> str:
    if value is None:
        return "—"
    return f"${Decimal(value):,.2f}"


def quantity(value: Decimal | float | None) -> str:
    """A decimal without trailing zeros or an exponent: 26.7300 -> 26.73, 10.0000 -> 10."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters["money"] = money
    templates.env.filters["qty"] = quantity
    templates.env.filters["percent"] = lambda part, whole: f"{(100 * part / whole) if whole else 0:.0f}%"
    templates.env.filters["width"] = lambda part, whole: f"{min(100.0, 100 * part / whole) if whole else 0:.1f}%"
    return templates


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def render_error(request: Request, status: int, kind: str, message: str) -> Response:
    return render(request, "error.html", status=status, status_code=status, kind=kind, message=message)


SEARCH_PAGE_SIZE = 20
SERIES_PAGE_SIZE = 50


@router.get("/")
def search_page(
    request: Request,
    ctx: Ctx,
    q: Annotated[str, Query(max_length=300)] = "",
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Response:
    series = queries.series_coverage(ctx.engine)
    found = None
    if q.strip():
        found = queries.search_with_prices(ctx.engine, q, limit=SEARCH_PAGE_SIZE, offset=offset, series=None,
                                           year=None)
    return render(request, "index.html", q=q, found=found, active="search", series=series,
                  series_count=len(series), tiers=queries.tier_coverage(series))


@router.get("/series/{slug}")
def series_page(
    request: Request,
    ctx: Ctx,
    slug: Annotated[str, Path(max_length=80)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    queries.require_initialised(ctx.engine)
    series, total, coins = queries.series_coins(ctx.engine, slug, offset=(page - 1) * SERIES_PAGE_SIZE,
                                                limit=SERIES_PAGE_SIZE)
    pages = max(1, -(-total // SERIES_PAGE_SIZE))
    if page > pages:
        raise NotFound(f"{series['name']} has {pages} page{'' if pages == 1 else 's'} of coins, not {page}")
    first = (page - 1) * SERIES_PAGE_SIZE + 1
    return render(request, "series.html", active="series", series=series, total=total, coins=coins, page=page,
                  pages=pages, first=first, last=first + len(coins) - 1)


FACT_LABELS = {
    "diameter": "Diameter (mm)", "diameter_mm": "Diameter (mm)", "series_name": "PCGS series",
    "pcgs_series": "PCGS series", "category": "PCGS category", "pcgs_category": "PCGS category",
    "coin_facts_link": "PCGS CoinFacts", "coinfacts_url": "PCGS CoinFacts", "coinfacts_notes": "Notes",
    "coin_facts_notes": "Notes", "metal_content": "Metal (PCGS)", "pcgs_mintage": "Mintage (PCGS)",
}
HIDDEN_FACTS = {"pcgs_name", "pcgs_no_data_at_grade"}


def fact_rows(facts: dict[str, Any], metal: str | None) -> list[dict[str, str | None]]:
    """The descriptive facts as ``{label, text, href}`` rows: scalars only, links for web addresses."""
    rows = []
    for key, value in facts.items():
        if key in HIDDEN_FACTS or value in (None, "") or not isinstance(value, str | int | float):
            continue
        text = str(value).strip()
        if key == "metal_content" and metal and text.lower() == metal.lower():
            continue
        href = None
        if text.startswith(("https://", "http://")):
            href = text
        elif text.startswith("www."):
            href = "https://" + text
        rows.append({"label": FACT_LABELS.get(key, key.replace("_", " ").capitalize()), "text": text, "href": href})
    return rows


def chart_data(observations: list[dict], sales: list[dict] = ()) -> list[dict[str, Any]]:
    """One entry per (grade, plus): ``{label, points: [[day, price], ...], sales: [[day, price, house], ...]}``.

    ``points`` are the guide values (drawn as a line), ``sales`` the auction sales (drawn as points
    in the line's colour), both in day order; grades come in grade order.
    """
    lines: dict[str, dict[str, Any]] = {}

    def line_of(row: dict) -> dict[str, Any]:
        return lines.setdefault(row["label"], {"label": row["label"], "key": (row["grade"], row["plus"]),
                                               "points": {}, "sales": []})

    for obs in observations:
        # several sources on one day: keep the last one seen (sources are ordered by name)
        line_of(obs)["points"][obs["observed_on"].isoformat()] = obs["price"]
    for sale in sales:
        line_of(sale)["sales"].append([sale["sold_on"].isoformat(), sale["price"], sale["auction_house"]])
    ordered = sorted(lines.values(), key=lambda line: line["key"])
    return [{"label": line["label"], "points": sorted(line["points"].items()), "sales": sorted(line["sales"])}
            for line in ordered]


@router.get("/coins/{coin_id}")
def coin_page(request: Request, ctx: Ctx, coin_id: int) -> Response:
    if not 1 <= coin_id <= DB_ID_MAX:
        raise NotFound(f"no coin with id {coin_id}")
    with session_scope(ctx.engine, read_only=True) as session:
        coin, series = queries.find_coin(session, coin_id=coin_id)
        detail = queries.coin_detail(session, coin, series, None, load_spot(ctx.settings, ctx.engine))
        _total, history = queries.price_history(session, coin, None, None)
        sales = queries.sale_history(session, coin, None, None)
        population = queries.population_table(session, coin)
    record_lookup(ctx.engine, coin.id)
    chart = json.loads(dumps(chart_data(history, sales), indent=None))
    return render(request, "coin.html", coin=detail, facts=fact_rows(detail["facts"], coin.metal), chart=chart,
                  history_count=len(history), sales_count=len(sales), population=population,
                  active="coin")


VALIDATION_TTL_S = 60.0  # the report reads every coin (about half a second for the full catalog)


def validation_problems(request: Request, engine) -> dict[str, Any]:
    """The data-quality report of :mod:`coinref.pipeline.validate`, cached for a minute per process."""
    cached = getattr(request.app.state, "validation", None)
    if cached is not None and time.monotonic() - cached[0] < VALIDATION_TTL_S:
        return cached[1]
    try:
        from coinref.pipeline.validate import validate_database

        report = validate_database(engine).as_dict(full=True)
    except CoinrefError as exc:
        return {"error": exc.message}
    except Exception as exc:  # the status page shows what it can
        log.warning("validation report failed: %s", type(exc).__name__, exc_info=True)
        return {"error": "the validation report could not be built; see the server log"}
    shown = [p for p in report.get("problems", []) if p.get("severity") != "info"]
    result = {
        "generated_at": report["generated_at"],
        "errors": report["errors"],
        "warnings": report["warnings"],
        "checks": [row for row in report["summary"] if row["count"]],
        "problems": shown[:VALIDATION_SHOWN],
        "more": max(0, len(shown) - VALIDATION_SHOWN),
    }
    request.app.state.validation = (time.monotonic(), result)
    return result


VALIDATION_SHOWN = 30


@router.get("/status")
def status_page(request: Request, ctx: Ctx) -> Response:
    series = queries.series_coverage(ctx.engine)
    try:
        quota = queries.quota_status(ctx.engine, ctx.settings)
    except Exception:
        log.warning("status: quota unavailable", exc_info=True)
        quota = None
    return render(
        request,
        "status.html",
        active="status",
        quota=quota,
        tiers=queries.tier_coverage(series),
        series=series,
        runs=queries.recent_runs(ctx.engine, limit=10, kind=None, with_reports=False)[1],
        quarantine=queries.open_quarantine(ctx.engine),
        validation=validation_problems(request, ctx.engine),
    )
