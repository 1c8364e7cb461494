"""Response models of the HTTP API (they make /openapi.json describe what is really sent).

Money and other decimal quantities are ``Decimal`` inside coinref and JSON **numbers** on the
wire (``Money``/``Quantity`` below), like the CLI's ``--json`` output: prices have at most two
decimal places and at most 14 significant digits, so a JSON number carries them exactly (parse
them as decimals, e.g. ``json.loads(text, parse_float=Decimal)``, to keep them exact). Prices are
US dollars. Dates are ISO 8601 (``YYYY-MM-DD``), times ISO 8601 with an offset.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

Money = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
Quantity = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SpotPoint(_Out):
    day: date
    usd_per_oz: Money


class PriceEstimate(_Out):
    """Today's price estimated from spot: never a PCGS observation (not stored, not in the history)."""

    price: Money = Field(description="USD: the observed price plus metal content x the spot change since")
    basis: str = Field(description="e.g. 'estimated from spot, last observed 2026-11-20'")
    observed_on: date = Field(description="the day of the PCGS observation it starts from")
    observed_price: Money
    metal: str
    spot_from: SpotPoint = Field(description="the spot observation of the observation day")
    spot_to: SpotPoint = Field(description="the newest spot observation")


class PricePoint(_Out):
    """The latest price of one grade of a coin."""

    grade: int = Field(description="Sheldon grade number, 1..70")
    plus: bool
    label: str = Field(description="the grade as PCGS prints it for this coin, e.g. MS65+, PR69, VF30")
    tracked: bool = Field(description="whether the price refresh keeps this grade priced")
    price: Money | None = Field(description="USD; null when this tracked grade has no price yet")
    observed_on: date | None
    source: str | None
    population: int | None
    estimate: PriceEstimate | None = Field(
        None, description="present when spot observations are configured: today's estimate from spot, or null")


class CoinSummary(_Out):
    """A coin's identity and physical facts (the export fields)."""

    id: int
    series: str = Field(description="series slug, see /api/series")
    year: int
    mint_mark: str = Field(description="P for Philadelphia")
    strike: str = Field(description="MS, PR or SP")
    variety: str
    designation: str
    denomination: str
    full_name: str
    pcgs_number: int | None
    ngc_number: str | None
    metal: str | None
    weight_g: Quantity | None
    fineness: Quantity | None
    metal_oz: Quantity | None = Field(description="precious-metal content, troy ounces")
    mintage: int | Literal["unknown"] | None = Field(
        description='the figure; "unknown" when none was ever published; null when not researched')
    diameter_mm: Quantity | None
    edge: str | None = Field(description="reeded, plain, lettered (with the lettering) ...")
    designer: str | None = Field(description="one artist, or 'obverse X; reverse Y'")
    composition: str | None = Field(description="the alloy as parts, e.g. '90% silver / 10% copper'")
    key_date: Literal["key", "semi-key"] | None = Field(description="a recognised key or semi-key date")


class PageInfo(BaseModel):
    """The paging fields of every list answer (see :mod:`coinref.api.paging`)."""

    total: int = Field(description="items matching the request, over all pages")
    offset: int = Field(description="items skipped before this page")
    limit: int = Field(description="the page size asked for")
    count: int = Field(description="items in this page")
    next_offset: int | None = Field(description="the offset of the next page; null on the last page")


class ListedCoin(CoinSummary):
    latest_prices: list[PricePoint] = Field(description="the latest price of each priced grade, tracked grades first")


class SearchHit(ListedCoin):
    score: float


class SearchResponse(PageInfo):
    query: str
    intent: dict[str, Any] = Field(description="how the query was read (years, mint, series, grade ...)")
    results: list[SearchHit] = Field(description="best first; total counts the hits the search ranked (at most "
                                                 "about 100 per query: list a whole series with "
                                                 "/api/series/{slug}/coins)")


class SeriesRef(BaseModel):
    tier: str
    slug: str
    name: str
    denomination: str
    first_year: int
    last_year: int | None


class SeriesCoins(PageInfo):
    series: SeriesRef
    results: list[ListedCoin] = Field(description="by year, mint (Philadelphia first), strike, variety, designation")


class Melt(BaseModel):
    metal: Literal["silver", "gold", "platinum", "palladium"]
    metal_oz: Quantity
    spot_usd_per_oz: Money
    value: Money = Field(description="metal_oz x spot, USD, rounded to cents")


class CoinDetail(CoinSummary):
    series_name: str
    short_name: str
    precious_metal: str | None = Field(description="silver, gold, platinum, palladium or null")
    facts: dict[str, Any] = Field(description="descriptive facts: designer, edge, diameter, notes ...")
    lookup_count: int
    pcgs_provenance: str | None = Field(
        None, description="where the PCGS number came from: catalog, import, website, specsearch or api")
    pcgs_state: str | None = Field(
        None, description="claimed (PCGS has not answered for it yet), verified or rejected")
    pcgs_verified_on: date | None = Field(None, description="the day PCGS answered for the number")
    pcgs_note: str | None = Field(None, description="why a number was rejected")
    latest_prices: list[PricePoint] = Field(
        description="one entry per tracked grade (price null when none yet), then other grades with a price")
    melt: Melt | None = Field(
        description="always present: null unless the coin has precious-metal content and the spot_* price of "
                    "that metal was given")


class PriceObservationOut(_Out):
    grade: int
    plus: bool
    label: str
    price: Money
    source: str
    observed_on: date
    population: int | None
    pop_higher: int | None


class SaleOut(_Out):
    grade: int
    plus: bool
    label: str
    sold_on: date = Field(description="the sale day; the first of the month when the source gave only mm-yyyy")
    date_text: str = Field(description="the sale date as the source wrote it")
    auction_house: str
    sale_name: str
    lot: str
    cert_number: str | None
    price: Money
    grading_service: str
    is_cac: bool | None
    source: str


class PriceHistory(PageInfo):
    coin: CoinSummary
    grade: str | None = Field(description="the grade filter as read, e.g. MS65+")
    since: date | None
    observations: list[PriceObservationOut] = Field(description="ordered by grade, plus, then day")
    sales_count: int
    sales: list[SaleOut] = Field(description="auction sales (one per lot), ordered by grade, plus, then day")


class SeriesCoverage(BaseModel):
    tier: str
    slug: str
    name: str
    denomination: str
    first_year: int
    last_year: int | None
    est_coins: int = Field(description="estimated number of PCGS-numbered coins in the series")
    catalog_coins: int = Field(description="entries of the built-in catalog (every designation)")
    coins: int = Field(description="coins in the database (every designation)")
    base_coins: int = Field(description="coins without a designation")
    with_pcgs_number: int
    with_prices: int = Field(description="coins with at least one price observation")


class GradeOut(BaseModel):
    number: int
    label: str
    name: str
    prefixes: list[str]
    labels: list[str]
    plus_allowed: bool


class QuotaOut(BaseModel):
    provider: str
    day: date = Field(description="the current quota day (in the reset time zone)")
    limit: int
    used: int
    remaining: int
    exhausted: bool
    resets_at: datetime
    time_zone: str


class RunOut(_Out):
    id: int
    kind: str
    source: str
    status: str
    args: dict[str, Any]
    counts: dict[str, Any]
    report: dict[str, Any] | None = Field(description="the run's full report (omitted with reports=false)")
    started_at: datetime
    finished_at: datetime | None


class RunsPage(PageInfo):
    results: list[RunOut] = Field(description="newest first")


class DatabaseHealth(BaseModel):
    reachable: bool
    backend: str
    revision: str | None
    head: str
    at_head: bool


class HealthOut(BaseModel):
    status: Literal["ok", "degraded", "unavailable"] = Field(
        description="ok; degraded when migrations are not at head; unavailable (503) when the database is unreachable")
    database: DatabaseHealth
    quota: QuotaOut | None
