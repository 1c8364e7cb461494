"""JSON bodies in the real PCGS shapes (pcgs-api.md sections 4 and 5), filled with synthetic data.

Variants the client must accept are produced on purpose: ``PCGSNo`` is a string; ``Mintage``
carries commas for odd numbers; ``SeriesName`` is ``(None)`` for specimen strikes; not-found bodies
come with two keys or with every key null; cert answers sometimes carry an empty image stub.
Every CoinFacts body says in ``CoinFactsNotes`` that it is synthetic.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from coinref.catalog.grades import grade_label
from coinref.catalog.model import CatalogCoin
from coinref.catalog.series import series_by_slug
from coinref.sim import pricing
from coinref.sim.numbering import SetNumber
from coinref.sim.universe import GradePoint, SimCert, SimUniverse

SYNTHETIC_NOTE = "<p>Synthetic data from the coinref PCGS simulator: not PCGS data, not a real price.</p>"
OK = "Request successful"
NO_DATA = "No data found"
NO_DATA_GRADE = "No data found, PCGS No Or Grade No might be invalid!"
INVALID_CERT = "Invalid CertNo"

MINT_LOCATIONS = {
    "P": "Philadelphia", "D": "Denver", "S": "San Francisco", "O": "New Orleans", "CC": "Carson City",
    "W": "West Point", "C": "Charlotte",
}
CATEGORIES = {
    "1/2C": "Half-Cents and Cents", "1C": "Half-Cents and Cents", "2C": "Two and Three Cent Pieces",
    "3C": "Two and Three Cent Pieces", "5C": "Nickels", "H10C": "Half Dimes", "10C": "Dimes",
    "20C": "Twenty Cents and Quarters", "25C": "Twenty Cents and Quarters", "50C": "Half Dollars",
    "$1": "Dollars",
}
DIAMETERS_MM = {"1C": 19.0, "5C": 21.2, "10C": 17.9, "25C": 24.3, "50C": 30.6, "$1": 38.1}
COIN_FACTS_KEYS = (
    "PCGSNo", "CertNo", "Name", "Year", "Denomination", "Mintage", "MintMark", "MintLocation", "MetalContent",
    "Diameter", "Edge", "Weight", "Country", "Grade", "Designation", "PriceGuideValue", "Population", "PopHigher",
    "CoinFactsLink", "Designer", "Images", "CoinFactsNotes", "MajorVariety", "MinorVariety", "DieVariety",
    "AuctionList", "SeriesName", "Category",
)


def envelope(message: str | None, valid: bool | None = True) -> dict[str, object]:
    return {"IsValidRequest": valid, "ServerMessage": message}


def not_found(message: str = NO_DATA, every_key: bool = False) -> dict[str, object]:
    """A not-found body: the two envelope keys only, or every CoinFacts key null as well."""
    body: dict[str, object] = {key: None for key in COIN_FACTS_KEYS} if every_key else {}
    return body | envelope(message)


def grade_string(grade: int, plus: bool, coin: CatalogCoin) -> str:
    digits = f"{grade:02d}" if grade < 10 else str(grade)
    return f"{grade_label(grade, coin.strike)}{digits}{'+' if plus else ''}{coin.designation}"


def _money(value: Decimal | None) -> float:
    return float(value) if value is not None else 0


def coin_facts(
    number: int, coin: CatalogCoin, grade: int, plus: bool, point: GradePoint, *, cert: str = ""
) -> dict[str, object]:
    series = series_by_slug().get(coin.series)
    mintage = ""
    if coin.mintage:
        mintage = f"{coin.mintage:,}" if number % 2 else str(coin.mintage)
    return {
        "PCGSNo": str(number),
        "CertNo": cert,
        "Name": coin.short_name or coin.full_name,
        "Year": coin.year,
        "Denomination": coin.denomination,
        "Mintage": mintage,
        "MintMark": coin.mint_mark,
        "MintLocation": MINT_LOCATIONS.get(coin.mint_mark, ""),
        "MetalContent": coin.metal or "",
        "Diameter": DIAMETERS_MM.get(coin.denomination, 0.0),
        "Edge": "Plain" if coin.denomination in ("1C", "5C") else "Reeded",
        "Weight": float(coin.weight_g) if coin.weight_g else 0.0,
        "Country": "The United States of America",
        "Grade": grade_string(grade, plus, coin),
        "Designation": coin.designation,
        "PriceGuideValue": _money(point.price),
        "Population": point.population,
        "PopHigher": point.pop_higher,
        "CoinFactsLink": f"www.pcgs.com/coinfacts/coin/detail/{number}/{grade}",
        "Designer": "",
        "Images": [],
        "CoinFactsNotes": SYNTHETIC_NOTE,
        "MajorVariety": coin.variety,
        "MinorVariety": "",
        "DieVariety": "",
        "AuctionList": [],
        "SeriesName": "(None)" if coin.strike == "SP" or series is None else series.name,
        "Category": CATEGORIES.get(coin.denomination, "Gold" if coin.precious_metal == "gold" else "Other"),
    } | envelope(OK)


def set_facts(entry: SetNumber, grade: int, plus: bool) -> dict[str, object]:
    """A set or type number: a valid, unpriced answer that names no single coin (``Year`` 0)."""
    body: dict[str, object] = {key: None for key in COIN_FACTS_KEYS}
    return body | {
        "PCGSNo": str(entry.number), "CertNo": "", "Name": entry.name, "Year": 0, "Denomination": entry.denomination,
        "Mintage": "", "MintMark": "", "Grade": f"MS{grade}{'+' if plus else ''}", "Designation": "",
        "PriceGuideValue": 0, "Population": 0, "PopHigher": 0, "Images": [], "AuctionList": [],
        "CoinFactsNotes": SYNTHETIC_NOTE, "SeriesName": entry.name, "Category": "Sets",
    } | envelope(OK)


_AUCTIONEERS = ("Heritage Auctions", "Stack's Bowers", "GreatCollections", "Legend Rare Coin Auctions")
APR_HISTORY_MONTHS = 60


def auctions(universe: SimUniverse, number: int, grade: int, plus: bool, day: date, seed: int = 0
             ) -> list[dict[str, object]]:
    """Synthetic auction sales of a grade point up to ``day``, newest first.

    Sales are fixed events, not redrawn per request: each calendar month of the last
    :data:`APR_HISTORY_MONTHS` holds at most one sale of the point, with a chance set per point
    (15-65%, so some points trade often and others rarely), on a day, at a house, lot and price
    factor that are hashes of (seed, number, grade, plus, month). Asking again, or on a later day,
    returns the same sales plus the newer ones. The price is the universe's guide value
    (:meth:`SimUniverse.guide_price`) on the sale day times 0.8-1.2. Dates are ``mm-yyyy`` for
    three sales in four, else ``mm-dd-yyyy``. Lots encode the point, so no two sales share
    (house, sale, lot).
    """
    coin = universe.coin(number)
    if coin is None:
        return []
    rate = 0.15 + 0.5 * pricing.unit("apr-rate", seed, number, grade, plus)
    current = day.year * 12 + day.month - 1
    sales = []
    for index in range(current, current - APR_HISTORY_MONTHS, -1):
        if pricing.unit("apr-sale", seed, number, grade, plus, index) >= rate:
            continue
        year, month = divmod(index, 12)
        month += 1
        sold = date(year, month, 1 + int(pricing.unit("apr-day", seed, number, grade, plus, index) * 28))
        if sold > day:
            continue
        house = _AUCTIONEERS[int(pricing.unit("apr-a", seed, number, grade, plus, index) * len(_AUCTIONEERS))]
        lot = number * 1000 + grade * 10 + (5 if plus else 0)
        factor = Decimal(str(round(0.8 + 0.4 * pricing.unit("apr-p", seed, number, grade, plus, index), 3)))
        exact = pricing.unit("apr-fmt", seed, number, grade, plus, index) < 0.25
        sales.append({
            "Service": "PCGS" if pricing.unit("apr-s", seed, number, grade, index) < 0.8 else "NGC",
            "Date": sold.strftime("%m-%d-%Y") if exact else sold.strftime("%m-%Y"),
            "Auctioneer": house,
            "LotNo": lot,
            "LotNumV2": str(lot),
            "SaleName": f"{house} {year}-{month:02d} Synthetic Coin Auction (coinref sim)",
            "CertNo": str(10_000_000 + int(pricing.unit("apr-c", seed, number, grade, index) * 89_999_999)),
            "Price": float((universe.guide_price(number, grade, plus, sold) * factor).quantize(Decimal("1"))),
            "IsCAC": pricing.unit("apr-cac", seed, number, grade, index) < 0.1,
            "AuctionLotUrl": f"https://auctions.invalid/coinref-sim/lot/{lot}",
        })
    return sales


def cert_images(cert: str) -> list[dict[str, str]]:
    base = f"https://images.invalid/coinref-sim/cert/{cert}"
    return [{"Thumbnail": f"{base}/small/obverse.jpg", "Fullsize": f"{base}/large/obverse.jpg"},
            {"Thumbnail": f"{base}/small/reverse.jpg", "Fullsize": f"{base}/large/reverse.jpg"}]


def cert_facts(universe: SimUniverse, cert: SimCert, day: date, all_data: bool = True, seed: int = 0
               ) -> dict[str, object]:
    coin = universe.coin(cert.pcgs_number)
    point = universe.point(cert.pcgs_number, cert.grade, cert.plus, day)
    assert coin is not None and point is not None  # a SimCert always points at a grade point with data
    if not all_data:
        point = GradePoint(None, 0, 0)
    body = coin_facts(cert.pcgs_number, coin, cert.grade, cert.plus, point, cert=cert.cert_number)
    images = cert_images(cert.cert_number) if all_data else []
    if all_data and int(cert.cert_number) % 3 == 0:
        images.append({"Thumbnail": "", "Fullsize": ""})  # the empty stubs some real answers carry
    body["Images"] = images
    body["AuctionList"] = (auctions(universe, cert.pcgs_number, cert.grade, cert.plus, day, seed)[:3]
                           if all_data else None)
    body["HasTrueViewImage"] = all_data
    body["ImageReady"] = all_data
    body["IsNFCSecure"] = int(cert.cert_number) % 2 == 0
    return body


def apr_body(universe: SimUniverse, number: int, sales: list[dict[str, object]], cert: SimCert | None = None,
             grade_text: str | None = None) -> dict[str, object]:
    coin = universe.coin(number)
    assert coin is not None
    body: dict[str, object] = {
        "PCGSNo": str(number),
        "Name": coin.short_name or coin.full_name,
        "Year": str(coin.year),
        "Denomination": coin.denomination,
        "Auctions": sales,
    }
    if cert is not None:
        body = {"PCGSNo": str(number), "CertNo": cert.cert_number, "Name": body["Name"], "Grade": grade_text,
                "Year": body["Year"], "Denomination": body["Denomination"], "Auctions": sales}
    return body | envelope(OK)


def apr_invalid() -> dict[str, object]:
    """APR by grade with unusable parameters: every field null, IsValidRequest false, no message."""
    return {"PCGSNo": None, "Name": None, "Year": None, "Denomination": None, "Auctions": None} | envelope(None, False)


def images_body(universe: SimUniverse, cert: str) -> dict[str, object]:
    """GetImagesByCertNo: success for any cert string (the real endpoint does not validate it)."""
    known = universe.cert(cert) if cert.isdigit() else None
    images = []
    if known is not None:
        base = f"https://images.invalid/coinref-sim/cert/{cert}"
        images = [{"Url": f"{base}/obverse.jpg", "Resolution": "2000x2000", "Description": "Obverse"},
                  {"Url": f"{base}/reverse.jpg", "Resolution": "2000x2000", "Description": "Reverse"}]
    return {
        "CertNo": cert,
        "Images": images,
        "HasObverseImage": bool(images),
        "HasReverseImage": bool(images),
        "HasTrueViewImage": bool(images),
        "ImageReady": bool(images),
    } | envelope(OK)
