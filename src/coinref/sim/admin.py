"""The simulator's own pages: the root page and the ``/__sim`` admin endpoints (never counted).

* ``GET /__sim/calls``: requests received (total, per area, path and status) and quota use.
* ``GET /__sim/faults`` / ``POST /__sim/faults`` (JSON ``{"spec": "500,503"}`` or ``?spec=``):
  read or replace the fault script.
* ``POST /__sim/reset``: forget counts and quota use, restore the configured fault script.
* ``GET /__sim/coins?series=SLUG&q=TEXT&limit=N&offset=N``: the synthetic PCGS numbers served.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from coinref.errors import InvalidInput
from coinref.sim.faults import __doc__ as FAULT_SYNTAX
from coinref.sim.universe import NUMBER_MAX, NUMBER_MIN

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def root(request: Request) -> HTMLResponse:
    state = request.app.state.sim
    routes = "".join(
        f"<li><code>{html.escape(path)}</code></li>"
        for path in (
            "/publicapi/coindetail/GetCoinFactsByGrade?PCGSNo=&GradeNo=&PlusGrade=",
            "/publicapi/coindetail/GetCoinFactsByCertNo/{certNo}",
            "/publicapi/coindetail/GetCoinFactsByBarcode?barcode=&gradingService=",
            "/publicapi/coindetail/GetAPRByGrade?PCGSNo=&GradeNo=&PlusGrade=",
            "/publicapi/coindetail/GetAPRByCertNo/{certNo}",
            "/publicapi/coindetail/GetImagesByCertNo?certNo=",
        )
    )
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>coinref PCGS simulator: synthetic data</title></head><body>
<h1>coinref PCGS simulator</h1>
<p><strong>Everything served here is synthetic</strong>: prices, populations, certs and auctions are
generated, and the PCGS numbers ({NUMBER_MIN:,}-{NUMBER_MAX:,}) are allocated the way PCGS allocates
them (blocks per series and strike, designation rules) but are not PCGS's table. It is not PCGS data.</p>
<p>{len(state.universe):,} coins from coinref's built-in catalog. Quota {state.config.quota} requests a day.</p>
<h2>API routes</h2><ul>{routes}</ul>
<p>Send <code>Authorization: bearer &lt;token&gt;</code> and <code>Accept: application/json</code>.</p>
<h2>Admin</h2><ul><li><code>GET /__sim/calls</code></li><li><code>GET|POST /__sim/faults</code></li>
<li><code>POST /__sim/reset</code></li><li><code>GET /__sim/coins?series=&amp;q=&amp;limit=</code></li></ul>
<h2>Fault syntax</h2><pre>{html.escape(FAULT_SYNTAX or "")}</pre>
</body></html>"""
    return HTMLResponse(page)


@router.get("/__sim/calls")
async def calls(request: Request) -> JSONResponse:
    return JSONResponse(request.app.state.sim.calls())


@router.get("/__sim/faults")
async def get_faults(request: Request) -> JSONResponse:
    return JSONResponse(request.app.state.sim.faults.describe())


@router.post("/__sim/faults")
async def set_faults(request: Request) -> JSONResponse:
    spec = request.query_params.get("spec")
    if spec is None:
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        spec = payload.get("spec") if isinstance(payload, dict) else None
    if spec is None:
        return JSONResponse({"error": "give the fault spec as JSON {\"spec\": ...} or ?spec="}, 400)
    try:
        return JSONResponse(request.app.state.sim.set_faults(str(spec)))
    except InvalidInput as exc:
        return JSONResponse({"error": exc.message}, 400)


@router.post("/__sim/reset")
async def reset(request: Request) -> JSONResponse:
    state = request.app.state.sim
    state.reset()
    return JSONResponse(state.calls())


@router.get("/__sim/coins")
async def coins(request: Request, series: str = "", q: str = "", limit: int = 50, offset: int = 0) -> JSONResponse:
    universe = request.app.state.sim.universe
    needle = q.lower()
    rows = []
    for number in universe.sorted_numbers:
        coin = universe.coin(number)
        if series and coin.series != series:
            continue
        if needle and needle not in coin.full_name.lower() and needle not in coin.short_name.lower():
            continue
        rows.append({"pcgs_number": number, "name": coin.short_name, "full_name": coin.full_name,
                     "series": coin.series, "year": coin.year, "mint_mark": coin.mint_mark, "strike": coin.strike,
                     "variety": coin.variety, "designation": coin.designation})
    limit = max(1, min(limit, 1000))
    return JSONResponse({"total": len(rows), "coins": rows[offset: offset + limit], "synthetic": True})
