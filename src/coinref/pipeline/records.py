"""What sources yield: coin records and price observations, as pydantic models.

A source knows nothing of the database. A record either names its coin (``coin_id``, for
enrichment of a coin the pipeline handed the source), or carries the attributes the pipeline
matches to a catalog coin (series, year, mint, strike, variety, designation, denomination, name).
``raw`` keeps what the source saw, so a rejected record can be quarantined as it arrived.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from coinref.catalog.model import CatalogCoin


class CoinRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    coin_id: int | None = None
    series: str | None = None
    year: int | None = None
    mint_mark: str | None = None
    strike: str | None = None
    variety: str | None = None
    designation: str | None = None
    denomination: str | None = None
    full_name: str | None = None
    short_name: str | None = None
    pcgs_number: int | None = None
    ngc_number: str | None = None
    metal: str | None = None
    weight_g: Decimal | None = None
    fineness: Decimal | None = None
    metal_oz: Decimal | None = None
    mintage: int | None = None
    mintage_unknown: bool = False  # the catalog's "no figure was published"
    diameter_mm: Decimal | None = None
    edge: str | None = None
    designer: str | None = None
    composition: str | None = None
    key_date: str | None = None
    facts: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def from_catalog(cls, coin: CatalogCoin, source: str = "builtin") -> CoinRecord:
        data = coin.as_dict()
        data.pop("precious_metal", None)
        return cls(source=source, **data)

    def to_catalog(self) -> CatalogCoin:
        return CatalogCoin(
            series=self.series or "", year=self.year or 0, mint_mark=self.mint_mark or "P",
            strike=self.strike or "MS", variety=self.variety or "", designation=self.designation or "",
            denomination=self.denomination or "", full_name=self.full_name or "", short_name=self.short_name or "",
            metal=self.metal, weight_g=self.weight_g, fineness=self.fineness, metal_oz=self.metal_oz,
            mintage=self.mintage, mintage_unknown=self.mintage_unknown, diameter_mm=self.diameter_mm, edge=self.edge,
            designer=self.designer,
            composition=self.composition, key_date=self.key_date,
        )

    def label(self) -> str:
        if self.full_name:
            return self.full_name
        parts = [str(self.year or "?"), self.mint_mark or "", self.series or "", self.variety or ""]
        return " ".join(p for p in parts if p) or f"PCGS {self.pcgs_number}"


class PriceRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    coin_id: int | None = None
    pcgs_number: int | None = None
    grade: int
    plus: bool = False
    price: Decimal
    currency: str = "USD"
    observed_on: date
    population: int | None = None
    pop_higher: int | None = None
    raw: dict[str, Any] = Field(default_factory=dict)


class SaleRecord(BaseModel):
    """One auction sale of a coin at a grade, as a source reported it (see ``store/sales.py``)."""

    model_config = ConfigDict(extra="forbid")

    source: str
    coin_id: int | None = None
    pcgs_number: int | None = None
    grade: int
    plus: bool = False
    designation: str = ""
    sold_on: date | None = None
    date_text: str = ""
    auction_house: str = ""
    sale_name: str = ""
    lot: str = ""
    cert_number: str | None = None
    sale_price: Decimal | None = None
    grading_service: str = ""
    is_cac: bool | None = None
    raw: dict[str, Any] = Field(default_factory=dict)

    def label(self) -> str:
        return f"sale {self.auction_house} / {self.sale_name} / lot {self.lot or '?'}"
