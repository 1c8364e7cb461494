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
    mintage: int | None


class SearchHit(CoinSummary):
    score: float
    latest_prices: list[PricePoint] = Field(description="the latest price of each priced tracked grade")


class SearchResponse(BaseModel):
    query: str
    intent: dict[str, Any] = Field(description="how the query was read (years, mint, series, grade ...)")
    count: int
    results: list[SearchHit]


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
        None, description="present only when a spot_* parameter was given; null when the coin has no precious "
                          "metal content or the spot of its metal was not given")


class PriceObservationOut(_Out):
    grade: int
    plus: bool
    label: str
    price: Money
    source: str
    observed_on: date
    population: int | None
    pop_higher: int | None


class PriceHistory(BaseModel):
    coin: CoinSummary
    grade: str | None = Field(description="the grade filter as read, e.g. MS65+")
    since: date | None
    count: int
    observations: list[PriceObservationOut] = Field(description="ordered by grade, plus, then day")


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
