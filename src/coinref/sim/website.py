"""The simulator's website: PCGS-like pages and the Collectors Universe spec search, all synthetic.

Pages (every one in two layouts: ``classic``, the structures public scrapers documented about
2020, and ``modern``, a newer markup), built from the sim's universe (its synthetic PCGS numbers
and prices, see :mod:`coinref.sim.universe`):

* ``GET /prices/detail/{slug}/{id}/grades-{lo}-{hi}``: the price guide of a series, one section
  per strike (MS, then proofs, then specimens). classic: ``table.table-main``, a
  ``tr.text-uppercase`` header row per section naming the grades ("PR65", "64+"), rows
  ``tr.bg-pale``/``tr.bg-light`` of PCGS number, description, designation and one price cell per
  grade. modern: ``table.price-grid``, rows ``tr[data-pcgs]``, price cells ``td[data-grade]``.
* ``GET /lookup/{slug}``: the PCGS number lookup table. classic: cells ``td[data-title=...]``;
  modern: ``div.lookup-row`` with labelled spans.
* ``GET /coinfacts/category/{slug}/{id}``: the CoinFacts series list. classic: ``tbody tr`` of PCGS
  number, description, mintage; modern: ``ul.coin-list li[data-pcgs-no]``.
* ``GET /coinfacts/coin/detail/{number}[/{grade}]``: a coin page: title, PCGS number,
  denomination, variety, mintage, a synthetic NGC number (:func:`sim_ngc_number`) and a price
  table by grade. classic: ``div.coin-detail-page``; modern: ``main.cf-coin``.
* ``GET /SpecSearch/Search/PCGS?term=...``: a JSON list of candidates (``specno``, ``description``,
  ``year``, ``mintmark``, ``denomination``, ``prefix``, ``category``), best first. It answers 403
  unless the request looks like a browser's (a ``Mozilla/5.0`` user agent and an
  ``Accept-Language`` header). A few coins (about 1%) are missing from its index, bullion names
  carry PCGS's product words ("1986-S $1 Silver Eagle, DCAM"), some varieties come before the
  denomination ("1878 8TF $1") and some proof prefixes are written "PF", as a real index would.

Descriptions are the catalog's PCGS-form short names; series lists, lookup tables and coin pages
add "(Proof)" / "(Specimen)" to non-business strikes, while the price guide leaves the strike to
its section headers.

Modes, read and set with ``GET``/``POST /__sim/website`` (JSON): ``layout`` (``classic``,
``modern``, or ``mixed``: each series or coin picks one by hash); ``challenge`` (every page and
search answers Cloudflare's "Just a moment..." page with ``challenge_status``, 403 or 503);
``challenge_after`` (serve that many pages, then challenge); ``specsearch_block`` (the search
answers 403 whatever the headers); ``latency_ms``. ``?layout=`` on a page overrides the mode for
that request. Requests are counted under the areas ``website`` and ``specsearch`` in
``/__sim/calls``.
"""

from __future__ import annotations

import asyncio
import html
import threading
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from coinref.catalog.grades import GRADE_NUMBERS, PLUS_MAX, PLUS_MIN, grade_label
from coinref.catalog.model import CatalogCoin
from coinref.catalog.series import series_by_slug
from coinref.sim.pricing import unit
from coinref.sim.universe import SimUniverse

LAYOUTS = ("classic", "modern")
PRICE_RANGES = {"grades-1-20": (1, 20), "grades-25-60": (25, 60), "grades-61-70": (61, 70)}
STRIKE_ORDER = {"MS": 0, "PR": 1, "SP": 2}
STRIKE_MARK = {"MS": "", "PR": " (Proof)", "SP": " (Specimen)"}
SECTION_TITLE = {"MS": "Mint State", "PR": "Proof", "SP": "Specimen"}
PRODUCT_WORDS = {"silver-eagles": "Silver Eagle", "gold-eagles": "Gold Eagle", "platinum-eagles": "Platinum Eagle",
                 "palladium-eagles": "Palladium Eagle", "gold-buffalo": "Gold Buffalo"}
SPEC_RESULTS = 20
CHALLENGE_PAGE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow">
</head><body><div class="main-wrapper" role="main"><div class="main-content">
<h1 class="zone-name-title h1">www.pcgs.com</h1>
<h2 class="h2" id="challenge-running">Checking if the site connection is secure</h2>
<noscript><div class="h2">Enable JavaScript and cookies to continue</div></noscript>
<form id="challenge-form" action="/?__cf_chl_f_tk=synthetic" method="POST"></form>
</div></div><script src="/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=synthetic"></script>
</body></html>"""

router = APIRouter()


# -- modes -------------------------------------------------------------------------------------


@dataclass
class WebsiteMode:
    layout: str = "classic"
    challenge: bool = False
    challenge_status: int = 403
    challenge_after: int | None = None
    specsearch_block: bool = False
    latency_ms: int = 0
    pages_served: int = 0

    def update(self, changes: dict) -> None:
        for key, value in changes.items():
            if key not in ("layout", "challenge", "challenge_status", "challenge_after", "specsearch_block",
                           "latency_ms"):
                raise ValueError(f"unknown website mode {key!r}")
            setattr(self, key, value)
        if self.layout not in (*LAYOUTS, "mixed"):
            raise ValueError(f"layout must be classic, modern or mixed, not {self.layout!r}")
        if self.challenge_status not in (403, 503):
            raise ValueError("challenge_status must be 403 or 503")


_mode_lock = threading.Lock()


def website_mode(request: Request) -> WebsiteMode:
    app_state = request.app.state
    with _mode_lock:
        if not hasattr(app_state, "sim_website"):
            app_state.sim_website = WebsiteMode()
        return app_state.sim_website


@router.get("/__sim/website")
async def get_mode(request: Request) -> JSONResponse:
    return JSONResponse(asdict(website_mode(request)))


@router.post("/__sim/website")
async def set_mode(request: Request) -> JSONResponse:
    try:
        changes = await request.json()
    except ValueError:
        changes = None
    if not isinstance(changes, dict):
        return JSONResponse({"error": "send a JSON object, e.g. {\"challenge\": true}"}, 400)
    mode = website_mode(request)
    try:
        with _mode_lock:
            mode.update(changes)
            if changes.get("reset_count", True):
                mode.pages_served = 0
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, 400)
    return JSONResponse(asdict(mode))


# -- the universe, by series -------------------------------------------------------------------


def _coin_order(item: tuple[int, CatalogCoin]):
    number, coin = item
    return (STRIKE_ORDER.get(coin.strike, 9), coin.year, coin.mint_mark, coin.variety, coin.designation, number)


@lru_cache(maxsize=8)
def _by_series(universe: SimUniverse) -> dict[str, list[tuple[int, CatalogCoin]]]:
    groups: dict[str, list[tuple[int, CatalogCoin]]] = defaultdict(list)
    for number, coin in universe.coins.items():
        groups[coin.series].append((number, coin))
    return {slug: sorted(items, key=_coin_order) for slug, items in groups.items()}


def sim_ngc_number(number: int) -> str | None:
    """The synthetic NGC number the sim's coin page shows for a PCGS number (None for about 10%)."""
    if unit("ngc-none", number) < 0.10:
        return None
    return str(1_000_000 + int(unit("ngc", number) * 8_000_000))


def sim_description(coin: CatalogCoin, *, strike_mark: bool = True) -> str:
    return coin.short_name + (STRIKE_MARK.get(coin.strike, "") if strike_mark else "")


def _layout(request: Request, key: object) -> str:
    asked = request.query_params.get("layout")
    if asked in LAYOUTS:
        return asked
    mode = website_mode(request).layout
    if mode == "mixed":
        return LAYOUTS[int(unit("layout", key) * 2)]
    return mode


def _grades(lo: int, hi: int) -> list[tuple[int, bool]]:
    points = []
    for grade in sorted(GRADE_NUMBERS):
        if lo <= grade <= hi:
            points.append((grade, False))
            if PLUS_MIN <= grade <= PLUS_MAX:
                points.append((grade, True))
    return points


def _label(grade: int, plus: bool, strike: str) -> str:
    return f"{grade_label(grade, strike)}{grade}{'+' if plus else ''}"


def _price_text(universe: SimUniverse, number: int, grade: int, plus: bool, day: date) -> str:
    point = universe.point(number, grade, plus, day)
    if point is None or point.price is None:
        return "—"
    value = point.price
    return f"${value:,.2f}" if value != value.to_integral_value() else f"${int(value):,}"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_esc(title)} | PCGS (simulated)'
            f'</title></head><body><p class="sim-note">Synthetic data from the coinref simulator.</p>{body}'
            "</body></html>")


# -- gate: counting, latency, challenges -------------------------------------------------------


async def _gate(request: Request, area: str) -> Response | None:
    state = request.app.state.sim
    state.record(area, request.url.path)
    mode = website_mode(request)
    if mode.latency_ms:
        await asyncio.sleep(mode.latency_ms / 1000)
    with _mode_lock:
        mode.pages_served += 1
        challenged = mode.challenge or (mode.challenge_after is not None and mode.pages_served > mode.challenge_after)
    if challenged:
        state.record_status(area, mode.challenge_status)
        return HTMLResponse(CHALLENGE_PAGE, mode.challenge_status,
                            headers={"cf-mitigated": "challenge", "server": "cloudflare", "cache-control": "no-store"})
    return None


def _answer(request: Request, area: str, page: str, status: int = 200) -> HTMLResponse:
    request.app.state.sim.record_status(area, status)
    response = HTMLResponse(page, status)
    if "sim_visit" not in request.cookies:
        response.set_cookie("sim_visit", "1", httponly=True)
    return response


def _not_found(request: Request, what: str) -> HTMLResponse:
    return _answer(request, "website", _page("Not found", f"<h1>Page not found</h1><p>{_esc(what)}</p>"), 404)


# -- price guide -------------------------------------------------------------------------------


def _price_guide_classic(name: str, sections, universe, day, points) -> str:
    rows = []
    for strike, coins in sections:
        labels = "".join(f"<th>{_label(g, p, strike)}</th>" for g, p in points)
        rows.append(f'<tr class="text-uppercase"><th>PCGS #</th><th>Description</th><th>Desig</th>{labels}</tr>')
        for index, (number, coin) in enumerate(coins):
            cells = "".join(f"<td>{_price_text(universe, number, g, p, day)}</td>" for g, p in points)
            link = f"/coinfacts/coin/detail/{number}"
            rows.append(f'<tr class="{"bg-pale" if index % 2 == 0 else "bg-light"}"><td><a href="{link}">{number}</a>'
                        f'</td><td><a href="{link}">{_esc(sim_description(coin, strike_mark=False))}</a></td>'
                        f"<td>{_esc(coin.designation)}</td>{cells}</tr>")
    return (f'<h1 class="series-title">{_esc(name)}</h1><div class="table-responsive">'
            f'<table class="table table-main">{"".join(rows)}</table></div>')


def _price_guide_modern(name: str, sections, universe, day, points) -> str:
    head = "".join(f"<th>{g}{'+' if p else ''}</th>" for g, p in points)
    bodies = []
    for strike, coins in sections:
        rows = []
        for number, coin in coins:
            cells = "".join(f'<td data-grade="{_label(g, p, strike)}">{_price_text(universe, number, g, p, day)}</td>'
                            for g, p in points)
            rows.append(f'<tr data-pcgs="{number}"><td class="pcgs-no">{number}</td><td class="desc"><a href='
                        f'"/coinfacts/coin/detail/{number}">{_esc(sim_description(coin, strike_mark=False))}</a></td>'
                        f'<td class="desig">{_esc(coin.designation)}</td>{cells}</tr>')
        bodies.append(f'<tbody data-strike="{strike}"><tr class="section"><th colspan="99">{SECTION_TITLE[strike]}'
                      f'</th></tr>{"".join(rows)}</tbody>')
    return (f'<section class="pg"><h1 class="series-title">{_esc(name)}</h1><table class="price-grid"><thead><tr>'
            f'<th>PCGS #</th><th>Coin</th><th>Desig</th>{head}</tr></thead>{"".join(bodies)}</table></section>')


@router.get("/prices/detail/{slug}/{page_id}/{grade_range}", response_class=HTMLResponse)
async def price_guide(request: Request, slug: str, page_id: str, grade_range: str) -> Response:
    refusal = await _gate(request, "website")
    if refusal is not None:
        return refusal
    state = request.app.state.sim
    info, coins = _series_coins(request, slug)
    if coins is None or grade_range not in PRICE_RANGES:
        return _not_found(request, f"no price guide {slug}/{grade_range}")
    sections = []
    for strike in STRIKE_ORDER:
        part = [(n, c) for n, c in coins if c.strike == strike]
        if part:
            sections.append((strike, part))
    points = _grades(*PRICE_RANGES[grade_range])
    build = _price_guide_classic if _layout(request, slug) == "classic" else _price_guide_modern
    body = build(info.name, sections, state.universe, state.today(), points)
    return _answer(request, "website", _page(f"{info.name} Price Guide", body))


def _series_coins(request: Request, slug: str):
    """(series info, [(number, coin)]) of a series the sim serves, or (None, None)."""
    coins = _by_series(request.app.state.sim.universe).get(slug)
    info = series_by_slug().get(slug)
    return (info, coins) if coins is not None and info is not None else (None, None)


# -- lookup tables -----------------------------------------------------------------------------


@router.get("/lookup/{slug}", response_class=HTMLResponse)
async def lookup(request: Request, slug: str) -> Response:
    refusal = await _gate(request, "website")
    if refusal is not None:
        return refusal
    info, coins = _series_coins(request, slug)
    if coins is None:
        return _not_found(request, f"no lookup table for {slug}")
    if _layout(request, slug) == "classic":
        rows = "".join(f'<tr><td data-title="PCGS #">{n}</td><td data-title="Description">{_esc(sim_description(c))}'
                       f'</td><td data-title="Designation">{_esc(c.designation)}</td></tr>' for n, c in coins)
        body = (f'<h1 class="series-title">{_esc(info.name)}</h1><table class="lookup"><tr><th>PCGS #</th>'
                f"<th>Description</th><th>Designation</th></tr>{rows}</table>")
    else:
        rows = "".join(f'<div class="lookup-row"><span class="pcgs-no">#{n}</span><span class="description">'
                       f'{_esc(sim_description(c))}</span><span class="designation">{_esc(c.designation)}</span></div>'
                       for n, c in coins)
        body = f'<h1 class="series-title">{_esc(info.name)}</h1><div class="lookup-results">{rows}</div>'
    return _answer(request, "website", _page(f"{info.name} PCGS Numbers", body))


# -- CoinFacts series lists and coin pages -----------------------------------------------------


def _mintage(coin: CatalogCoin) -> str:
    return f"{coin.mintage:,}" if coin.mintage else "Unknown"


@router.get("/coinfacts/category/{slug}/{page_id}", response_class=HTMLResponse)
async def series_list(request: Request, slug: str, page_id: str) -> Response:
    refusal = await _gate(request, "website")
    if refusal is not None:
        return refusal
    info, coins = _series_coins(request, slug)
    if coins is None:
        return _not_found(request, f"no CoinFacts category {slug}")
    if _layout(request, slug) == "classic":
        rows = "".join(f'<tr><td>{n}</td><td><a href="/coinfacts/coin/detail/{n}">{_esc(sim_description(c))}</a></td>'
                       f"<td>{_mintage(c)}</td></tr>" for n, c in coins)
        body = (f'<h1 class="series-title">{_esc(info.name)}</h1><table class="rarity"><thead><tr><th>PCGS #</th>'
                f"<th>Description</th><th>Mintage</th></tr></thead><tbody>{rows}</tbody></table>")
    else:
        rows = "".join(f'<li data-pcgs-no="{n}"><a class="coin-name" href="/coinfacts/coin/detail/{n}">'
                       f'{_esc(sim_description(c))}</a><span class="mintage">{_mintage(c)}</span></li>'
                       for n, c in coins)
        body = (f'<div class="cf-series"><h1 class="series-title">{_esc(info.name)}</h1>'
                f'<ul class="coin-list">{rows}</ul></div>')
    return _answer(request, "website", _page(f"{info.name} CoinFacts", body))


def _coin_points(universe: SimUniverse, number: int, coin: CatalogCoin, day: date) -> list[tuple[str, str]]:
    out = []
    for grade, plus in universe.data_points(number):
        text = _price_text(universe, number, grade, plus, day)
        if text != "—":
            out.append((f"{_label(grade, plus, coin.strike)}{coin.designation}", text))
    return out


@router.get("/coinfacts/coin/detail/{number}", response_class=HTMLResponse)
@router.get("/coinfacts/coin/detail/{number}/{grade}", response_class=HTMLResponse)
async def coin_page(request: Request, number: str, grade: str = "") -> Response:
    refusal = await _gate(request, "website")
    if refusal is not None:
        return refusal
    state = request.app.state.sim
    coin = state.universe.coin(int(number)) if number.isdigit() else None
    if coin is None:
        return _not_found(request, f"no coin {number}")
    number_i = int(number)
    ngc = sim_ngc_number(number_i)
    points = _coin_points(state.universe, number_i, coin, state.today())
    title = sim_description(coin)
    if _layout(request, number_i) == "classic":
        specs = [("pcgs-number", "PCGS #", number_i), ("denomination", "Denomination", coin.denomination)]
        if coin.variety:
            specs.append(("variety", "Variety", coin.variety))
        specs.append(("mintage", "Mintage", _mintage(coin)))
        if ngc:
            specs.append(("ngc-number", "NGC #", ngc))
        items = "".join(f'<li class="{cls}"><strong>{label}</strong> <span>{_esc(value)}</span></li>'
                        for cls, label, value in specs)
        prices = "".join(f"<tr><td>{label}</td><td>{price}</td></tr>" for label, price in points)
        body = (f'<div class="coin-detail-page"><h1 class="coin-title">{_esc(title)}</h1><div class="coin-details"><ul>'
                f'{items}</ul></div><table class="price-table"><tr><th>Grade</th><th>Price</th></tr>{prices}</table>'
                "</div>")
    else:
        specs = [("pcgs", "PCGS #", number_i), ("denomination", "Denomination", coin.denomination)]
        if coin.variety:
            specs.append(("variety", "Variety", coin.variety))
        specs.append(("mintage", "Mintage", _mintage(coin)))
        if ngc:
            specs.append(("ngc", "NGC #", ngc))
        items = "".join(f'<div data-spec="{key}"><dt>{label}</dt><dd>{_esc(value)}</dd></div>'
                        for key, label, value in specs)
        prices = "".join(f'<tr data-grade="{label}"><th>{label}</th><td class="cf-price">{price}</td></tr>'
                         for label, price in points)
        body = (f'<main class="cf-coin"><header class="cf-header"><h1 data-testid="coin-name">{_esc(title)}</h1>'
                f'<span class="cf-pcgs-no">PCGS #{number_i}</span></header><dl class="cf-specs">{items}</dl>'
                f'<table class="cf-prices"><tbody>{prices}</tbody></table></main>')
    return _answer(request, "website", _page(title, body))


# -- spec search -------------------------------------------------------------------------------


def spec_description(number: int, coin: CatalogCoin) -> str:
    """How the sim's spec search writes a coin (product words, sometimes the variety first)."""
    head, designation = coin.short_name, ""
    if coin.designation and head.endswith(f", {coin.designation}"):
        head, designation = head[: -len(coin.designation) - 2], coin.designation
    date_part, _, rest = head.partition(" ")
    denomination, _, variety = rest.partition(" ")
    words = [date_part]
    if variety and unit("spec-order", number) < 0.3:
        words += [variety, denomination]
    else:
        words += [denomination, variety] if variety else [denomination]
    if coin.series in PRODUCT_WORDS:
        words.append(PRODUCT_WORDS[coin.series])
    text = " ".join(words)
    return f"{text}, {designation}" if designation else text


def _tokens(text: str) -> set[str]:
    return {t for t in text.lower().replace(",", " ").split() if t}


@lru_cache(maxsize=8)
def _spec_index(universe: SimUniverse) -> dict[str, list[tuple[int, frozenset[str], dict]]]:
    names = {slug: info.name for slug, info in series_by_slug().items()}
    index: dict[str, list[tuple[int, frozenset[str], dict]]] = defaultdict(list)
    for number in universe.sorted_numbers:
        if unit("spec-missing", number) < 0.01:
            continue  # not in the search index
        coin = universe.coins[number]
        description = spec_description(number, coin)
        prefix = coin.strike if coin.strike != "PR" or unit("spec-pf", number) >= 0.2 else "PF"
        entry = {"specno": number, "description": description, "year": coin.year, "mintmark": coin.mint_mark,
                 "denomination": coin.denomination, "prefix": prefix, "category": names.get(coin.series, "")}
        tokens = frozenset(_tokens(description))
        index[description.split()[0].lower()].append((number, tokens, entry))
    return index


def _browser_like(request: Request) -> bool:
    agent = request.headers.get("user-agent", "")
    return agent.startswith("Mozilla/5.0") and bool(request.headers.get("accept-language"))


@router.get("/SpecSearch/Search/PCGS")
async def spec_search(request: Request, term: str = "") -> Response:
    refusal = await _gate(request, "specsearch")
    if refusal is not None:
        return refusal
    state = request.app.state.sim
    if website_mode(request).specsearch_block or not _browser_like(request):
        state.record_status("specsearch", 403)
        return Response("Forbidden", 403, media_type="text/plain")
    wanted = _tokens(term)
    first = term.split()[0].lower().rstrip(",") if term.split() else ""
    entries = _spec_index(state.universe).get(first, [])
    scored = sorted(((len(wanted & tokens), number, entry) for number, tokens, entry in entries),
                    key=lambda item: (-item[0], item[1]))
    state.record_status("specsearch", 200)
    return JSONResponse([entry for score, _, entry in scored[:SPEC_RESULTS] if score > 0])
