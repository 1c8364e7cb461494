"""Synthetic, deterministic market data for the simulator. None of it is PCGS data.

Everything is a pure function of the catalog entry, its synthetic PCGS number, the grade point
and the day, so any test can compute the simulator's truth (see :class:`coinref.sim.universe.
SimUniverse`). The sim's ``seed`` does not change prices (it drives random faults and auction sales).

Price of (coin, grade, plus) on a day::

    intrinsic = max(melt value at a synthetic spot price that drifts daily, face value)
    premium   = 0.6 * rarity * age * strike factor * designation factor
    price     = intrinsic * spot drift + premium * grade curve * market drift

* rarity rises as mintage falls (``(2e7 / mintage) ** 0.9``, clamped), age with years before 1990;
* the grade curve rises with the Sheldon number, steeply above 62; a plus grade sits between its
  grade and the next; drifts are shared by every grade of a coin on a day, so on any day the price
  never falls as the grade rises;
* drifts move by a slow wave plus a small daily wobble, so prices change from day to day.

Availability, also deterministic:

* no data ("No data found"): non-standard grades, plus outside 45-68, proofs and specimens below
  20, MS coins from 1986 on below 58, RD/RB below 50, PL/DMPL below 55, CAM/DCAM below 60, full
  strike designations below 58, and about 3% of (number, grade) points (10% more for plus);
* unpriced (``PriceGuideValue`` 0): grades 1 and 2, about 6% of the other points and about 35%
  of plus points.

Population: a bell around a typical grade (:func:`populations`), grown slowly from 2024-01-01 at
1-6% a year per point (:func:`grown`).
"""

from __future__ import annotations

import hashlib
import math
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from coinref.catalog.grades import GRADE_NUMBERS, PLUS_MAX, PLUS_MIN
from coinref.catalog.model import CatalogCoin

GRADES = tuple(sorted(GRADE_NUMBERS))
SPOT_USD = {"silver": 30.0, "gold": 2400.0, "platinum": 1000.0, "palladium": 1000.0}
STRIKE_FACTOR = {"MS": 1.0, "PR": 1.8, "SP": 5.0}
DESIGNATION_FACTOR = {
    "": 1.0, "BN": 1.0, "RB": 1.25, "RD": 1.8, "CAM": 1.3, "DCAM": 1.9, "PL": 1.6, "DMPL": 2.6,
    "FB": 1.7, "FS": 1.7, "FH": 1.9, "FBL": 1.6, "FT": 1.7,
}
_NO_DATA_BELOW = {"RD": 50, "RB": 50, "PL": 55, "DMPL": 55, "CAM": 60, "DCAM": 60,
                  "FB": 58, "FS": 58, "FH": 58, "FBL": 58, "FT": 58}


def unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts (sha256)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def face_value(denomination: str) -> float:
    text = denomination.strip().upper().lstrip("G")
    if text == "1/2C":
        return 0.005
    if text.startswith("H") and text.endswith("C"):  # H10C half dime
        text = text[1:]
        return float(text[:-1]) / 200
    if match := re.fullmatch(r"(\d+)C", text):
        return int(match.group(1)) / 100
    if match := re.fullmatch(r"\$(\d+(?:\.\d+)?)", text):
        return float(match.group(1))
    return 0.0


def grade_curve(grade: int, plus: bool = False) -> float:
    value = 1.045**grade * 1.28 ** max(0, grade - 62)
    if plus:
        above = [g for g in GRADES if g > grade]
        if above:
            value = math.sqrt(value * grade_curve(above[0]))
    return value


def _wave(day: date, period: float, *key: object) -> float:
    phase = unit("phase", *key) * 2 * math.pi
    return math.sin(2 * math.pi * day.toordinal() / period + phase)


def spot_drift(metal: str, day: date) -> float:
    return 1 + 0.06 * _wave(day, 211, metal) + 0.01 * (2 * unit("spot", metal, day.toordinal()) - 1)


def market_drift(number: int, day: date) -> float:
    return 1 + 0.04 * _wave(day, 97, number) + 0.015 * (2 * unit("market", number, day.toordinal()) - 1)


def premium(coin: CatalogCoin) -> float:
    rarity = min(max((2e7 / coin.mintage) ** 0.9, 0.5), 2000.0) if coin.mintage else 2.0
    age = 1 + max(0, 1990 - coin.year) / 35
    return (0.6 * rarity * age * STRIKE_FACTOR.get(coin.strike, 1.0)
            * DESIGNATION_FACTOR.get(coin.designation, 1.5))


def intrinsic(coin: CatalogCoin, day: date) -> float:
    melt = 0.0
    if coin.metal_oz and coin.precious_metal in SPOT_USD:
        melt = float(coin.metal_oz) * SPOT_USD[coin.precious_metal] * spot_drift(coin.precious_metal, day)
    return max(melt, face_value(coin.denomination))


def _money(value: float) -> Decimal:
    step = Decimal("0.01") if value < 20 else Decimal("1")
    return Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP)


def price(coin: CatalogCoin, number: int, grade: int, plus: bool, day: date) -> Decimal:
    """The synthetic price guide value (ignores availability: see :func:`is_priced`)."""
    value = intrinsic(coin, day) + premium(coin) * grade_curve(grade, plus) * market_drift(number, day)
    return _money(max(value, 0.01))


def has_data(coin: CatalogCoin, number: int, grade: int, plus: bool) -> bool:
    if grade not in GRADE_NUMBERS or (plus and not PLUS_MIN <= grade <= PLUS_MAX):
        return False
    if coin.strike in ("PR", "SP") and grade < 20:
        return False
    if coin.strike == "MS" and coin.year >= 1986 and grade < 58:
        return False
    if grade < _NO_DATA_BELOW.get(coin.designation, 0):
        return False
    if unit("nodata", number, grade) < 0.03:
        return False
    return not (plus and unit("nodata+", number, grade) < 0.10)


def is_priced(number: int, grade: int, plus: bool) -> bool:
    if grade <= 2:
        return False
    if plus:
        return unit("unpriced+", number, grade) >= 0.35
    return unit("unpriced", number, grade) >= 0.06


@lru_cache(maxsize=4096)
def populations(coin: CatalogCoin, number: int) -> dict[tuple[int, bool], int]:
    """Graded population per (grade, plus) point that has data; a bell around a typical grade."""
    total = min(max(int(2 * math.sqrt(coin.mintage or 200_000)), 5), 60_000)
    if coin.strike in ("PR", "SP"):
        center, spread = 66.0, 3.0
    elif coin.year >= 1986:
        center, spread = 68.0, 2.5
    elif coin.year >= 1934:
        center, spread = 64.0, 6.0
    else:
        center, spread = 40.0 + 20 * unit("center", number), 14.0
    points = [(g, p) for g in GRADES for p in (False, True) if has_data(coin, number, g, p)]
    weights = {pt: math.exp(-(((pt[0] - center) / spread) ** 2)) * (0.2 if pt[1] else 1.0) for pt in points}
    scale = sum(weights.values()) or 1.0
    return {pt: int(round(total * w / scale)) for pt, w in weights.items()}


POPULATION_BASE_DAY = date(2024, 1, 1)


def grown(base: int, number: int, grade: int, plus: bool, day: date | None) -> int:
    """A point's population on ``day``: the base figure (on 2024-01-01) grown 1-6% a year, never below 0.

    Each point has its own rate, so the population changes slowly and differently per grade.
    """
    if day is None:
        return base
    rate = 0.01 + 0.05 * unit("pop-growth", number, grade, plus)
    years = (day - POPULATION_BASE_DAY).days / 365.25
    return max(0, int(base * (1 + rate * years)))


def population(coin: CatalogCoin, number: int, grade: int, plus: bool, day: date | None = None) -> tuple[int, int]:
    """(population at the point, population graded higher) on ``day``: plus counts above its plain grade."""
    pops = {pt: grown(n, number, pt[0], pt[1], day) for pt, n in populations(coin, number).items()}
    here = pops.get((grade, plus), 0)
    higher = sum(n for (g, p), n in pops.items() if (g, p) > (grade, plus))
    return here, higher
