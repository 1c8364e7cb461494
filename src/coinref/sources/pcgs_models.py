"""Pydantic models of the PCGS Public API's answers (pcgs-api.md section 4), lenient by design.

Every variant public clients have seen is accepted and normalised here, once:

* ``PCGSNo`` arrives as a string (``"2986"``) and becomes an ``int``; ``""`` becomes ``None``.
* ``Mintage`` may carry commas (``"436,800"``); ``Year`` ``0`` means unknown (``None``); APR
  responses send ``Year`` as a string.
* ``PriceGuideValue`` ``0`` means *unpriced* and becomes ``None``, never a price of zero. Money is
  ``Decimal``.
* ``SeriesName`` ``"(None)"`` becomes ``None``.
* Auction ``Date`` is read as ``mm-yyyy``, ``mm-dd-yyyy`` or ISO; the text is kept too.
* Not-found bodies with two keys or with every key null parse into the same model.
* ``Images`` entries without any URL (stubs) are dropped; a null list becomes ``[]``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from coinref.catalog.grades import ParsedGrade, parse_grade
from coinref.errors import InvalidInput


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", "null"))


def _to_int(value: Any) -> int | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    text = re.sub(r"[,\s_]", "", str(value))
    try:
        return int(Decimal(text))
    except (InvalidOperation, ValueError):
        return None


def _positive_int(value: Any) -> int | None:
    number = _to_int(value)
    return number if number else None  # 0 means "unknown" for PCGSNo, Year, Mintage


def _to_decimal(value: Any) -> Decimal | None:
    if _blank(value) or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        return None


def _price(value: Any) -> Decimal | None:
    amount = _to_decimal(value)
    if amount is None or amount <= 0:
        return None  # PCGS sends 0 for "no price"
    return amount.quantize(Decimal("0.01"))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)


def _series_name(value: Any) -> str | None:
    if _blank(value) or str(value).strip() == "(None)":
        return None
    return str(value)


_DATE_FORMATS = ("%m-%Y", "%m-%d-%Y", "%m/%d/%Y", "%m/%Y", "%Y-%m-%d", "%Y-%m")


def parse_auction_date(text: str | None) -> date | None:
    """``08-2024`` (first of the month), ``08-15-2024``, or ISO ``2024-08-15[T...]``; else None."""
    if _blank(text):
        return None
    raw = str(text).strip()
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


PcgsNumber = Annotated[int | None, BeforeValidator(_positive_int)]
Count = Annotated[int | None, BeforeValidator(_to_int)]
Money = Annotated[Decimal | None, BeforeValidator(_price)]
Measure = Annotated[Decimal | None, BeforeValidator(_to_decimal)]
Text = Annotated[str | None, BeforeValidator(_text)]


class PcgsModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    is_valid_request: bool | None = Field(None, alias="IsValidRequest")
    server_message: str | None = Field(None, alias="ServerMessage")


class CoinImage(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    thumbnail: Text = Field(None, alias="Thumbnail")
    fullsize: Text = Field(None, alias="Fullsize")


class AuctionSale(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    service: Text = Field(None, alias="Service")
    date_text: Text = Field(None, alias="Date")
    auctioneer: Text = Field(None, alias="Auctioneer")
    lot_no: Count = Field(None, alias="LotNo")
    lot_num_v2: Text = Field(None, alias="LotNumV2")
    sale_name: Text = Field(None, alias="SaleName")
    cert_no: Text = Field(None, alias="CertNo")
    price: Money = Field(None, alias="Price")
    is_cac: bool | None = Field(None, alias="IsCAC")
    auction_lot_url: Text = Field(None, alias="AuctionLotUrl")

    @property
    def sold_on(self) -> date | None:
        return parse_auction_date(self.date_text)


def _images(value: Any) -> list:
    if not isinstance(value, list):
        return []
    kept = []
    for item in value:
        if isinstance(item, dict) and any(not _blank(v) for v in item.values()):
            kept.append(item)
    return kept


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


class CoinFacts(PcgsModel):
    """One CoinFacts answer (by grade, by cert, by barcode)."""

    pcgs_no: PcgsNumber = Field(None, alias="PCGSNo")
    cert_no: Text = Field(None, alias="CertNo")
    name: Text = Field(None, alias="Name")
    year: PcgsNumber = Field(None, alias="Year")
    denomination: Text = Field(None, alias="Denomination")
    mintage: PcgsNumber = Field(None, alias="Mintage")
    mint_mark: Text = Field(None, alias="MintMark")
    mint_location: Text = Field(None, alias="MintLocation")
    metal_content: Text = Field(None, alias="MetalContent")
    weight: Measure = Field(None, alias="Weight")
    diameter: Measure = Field(None, alias="Diameter")
    edge: Text = Field(None, alias="Edge")
    country: Text = Field(None, alias="Country")
    designer: Text = Field(None, alias="Designer")
    grade: Text = Field(None, alias="Grade")
    designation: Text = Field(None, alias="Designation")
    price_guide_value: Money = Field(None, alias="PriceGuideValue")
    population: Count = Field(None, alias="Population")
    pop_higher: Count = Field(None, alias="PopHigher")
    coin_facts_link: Text = Field(None, alias="CoinFactsLink")
    coin_facts_notes: Text = Field(None, alias="CoinFactsNotes")
    major_variety: Text = Field(None, alias="MajorVariety")
    minor_variety: Text = Field(None, alias="MinorVariety")
    die_variety: Text = Field(None, alias="DieVariety")
    series_name: Annotated[str | None, BeforeValidator(_series_name)] = Field(None, alias="SeriesName")
    category: Text = Field(None, alias="Category")
    images: Annotated[list[CoinImage], BeforeValidator(_images)] = Field(default_factory=list, alias="Images")
    auction_list: Annotated[list[AuctionSale], BeforeValidator(_list)] = Field(
        default_factory=list, alias="AuctionList"
    )
    has_true_view_image: bool | None = Field(None, alias="HasTrueViewImage")
    image_ready: bool | None = Field(None, alias="ImageReady")
    is_nfc_secure: bool | None = Field(None, alias="IsNFCSecure")

    @property
    def priced(self) -> bool:
        return self.price_guide_value is not None

    @property
    def coin_facts_url(self) -> str | None:
        if not self.coin_facts_link:
            return None
        link = self.coin_facts_link
        return link if link.startswith(("http://", "https://")) else "https://" + link.lstrip("/")

    def parsed_grade(self) -> ParsedGrade | None:
        """The ``Grade`` text as number, plus, prefix and designation (None when absent or odd)."""
        if not self.grade:
            return None
        try:
            return parse_grade(self.grade)
        except InvalidInput:
            return None


class AuctionPrices(PcgsModel):
    """GetAPRByGrade / GetAPRByCertNo answers: auction prices realized, newest first."""

    pcgs_no: PcgsNumber = Field(None, alias="PCGSNo")
    cert_no: Text = Field(None, alias="CertNo")
    name: Text = Field(None, alias="Name")
    grade: Text = Field(None, alias="Grade")
    year: PcgsNumber = Field(None, alias="Year")
    denomination: Text = Field(None, alias="Denomination")
    auctions: Annotated[list[AuctionSale], BeforeValidator(_list)] = Field(default_factory=list, alias="Auctions")


class CertImage(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    url: Text = Field(None, alias="Url")
    resolution: Text = Field(None, alias="Resolution")
    description: Text = Field(None, alias="Description")


class CertImages(PcgsModel):
    """GetImagesByCertNo: image URLs of a cert (the endpoint does not validate the cert)."""

    cert_no: Text = Field(None, alias="CertNo")
    images: Annotated[list[CertImage], BeforeValidator(_images)] = Field(default_factory=list, alias="Images")
    has_obverse_image: bool | None = Field(None, alias="HasObverseImage")
    has_reverse_image: bool | None = Field(None, alias="HasReverseImage")
    has_true_view_image: bool | None = Field(None, alias="HasTrueViewImage")
    image_ready: bool | None = Field(None, alias="ImageReady")
