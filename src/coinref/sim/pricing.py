"""Synthetic, deterministic market data for the simulator. None of it is PCGS data.

Everything is a function of the catalog entry, its synthetic PCGS number, the grade point, the
day and the *market seed* (``SimConfig.market_seed``, ``coinref sim --market-seed``; 0 by
default), so any test can compute the simulator's truth (see :class:`coinref.sim.universe.
SimUniverse`). The fault seed (``SimConfig.seed``) does not change prices (it drives random faults and
which auction sales exist).

**Spot.** Each precious metal has a spot price that follows a seeded random walk in log space,
one step a day from an anchor day (``SPOT_ANCHOR``, at ``SPOT_USD``) in both directions, with a
daily volatility near the metals' usual figures (``SPOT_DAILY_VOL``: gold about 1%, silver about
1.8%) and a weak pull back towards the anchor price so the walk stays in a plausible range over
years. :func:`spot` is the metal's price on a day.

**Two kinds of coins** (:func:`melt_tracked`):

* *melt-tracked*: bullion series (silver, gold, platinum and palladium eagles, gold buffalos) and
  common-date precious-metal coins, those whose numismatic premium at MS65 is below their melt
  value. Their price is ``melt(spot that day) + premium x grade curve x premium drift``: it
  follows the metal every day, and the premium drifts slowly (a wave of 90 to 365 days per coin,
  +-10%, plus a 0.5% daily wobble).
* *numismatic*: everything else. Price is ``intrinsic + premium x grade curve x guide level``,
  where intrinsic is the melt value at the day's spot (or the face value, whichever is higher) and
  the guide level changes in occasional steps (:func:`guide_level`): a coin is "active" (a step
  about every 30 days) with a probability that rises with its graded population (how often it
  trades), else a step comes about once in 1 to 3 years; each step is -8% to +12%.

The grade curve rises with the Sheldon number, steeply above 62, and a plus grade sits between
its grade and the next; every factor that changes over time is shared by every grade of a coin on
a day, so on any day the price never falls as the grade rises.

Availability, also deterministic (and independent of the market seed):

* no data ("No data found"): non-standard grades, plus outside 45-68, proofs and specimens below
  20, MS coins from 1986 on below 58, RD/RB below 50, PL/DMPL below 55, CAM/DCAM below 60, full
  strike designations below 58, and about 3% of (number, grade) points (10% more for plus);
* unpriced (``PriceGuideValue`` 0): grades 1 and 2, about 6% of the other points and about 35%
  of plus points.

Population: a bell around a typical grade (:func:`populations`), grown slowly from 2024-01-01 at
1-6% a year per point (:func:`grown`).
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
import re
import threading
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from coinref.catalog.grades import GRADE_NUMBERS, PLUS_MAX, PLUS_MIN
from coinref.catalog.model import CatalogCoin

GRADES = tuple(sorted(GRADE_NUMBERS))
SPOT_USD = {"silver": 30.0, "gold": 2400.0, "platinum": 1000.0, "palladium": 1000.0}  # at SPOT_ANCHOR
SPOT_ANCHOR = date(2025, 1, 1)
# daily standard deviation of the log price: about the metals' usual daily moves (annual volatility
# near 15% gold, 28% silver, 24% platinum, 35% palladium, over about 252 trading days)
SPOT_DAILY_VOL = {"gold": 0.010, "silver": 0.018, "platinum": 0.015, "palladium": 0.022}
SPOT_REVERSION = 0.004  # the share of the log distance to the anchor price taken back each day
STEP_EPOCH = date(2024, 1, 1)  # numismatic guide levels start at 1.0 here
BULLION_SERIES = frozenset({"silver-eagles", "gold-eagles", "platinum-eagles", "palladium-eagles", "gold-buffalo"})
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


@lru_cache(maxsize=256)
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


_EXTEND_LOCK = threading.Lock()  # the walks and steps are drawn in order: one extender at a time


class _Walk:
    """A seeded daily random walk in log space from ``SPOT_ANCHOR``, extended lazily both ways."""

    def __init__(self, metal: str, seed: int) -> None:
        self.vol = SPOT_DAILY_VOL[metal]
        self.base = math.log(SPOT_USD[metal])
        self.forward = [self.base]  # day anchor + i
        self.backward = [self.base]  # day anchor - i
        self._rngs = (random.Random(f"spot|{seed}|{metal}|+"), random.Random(f"spot|{seed}|{metal}|-"))

    def _extend(self, path: list[float], rng: random.Random, upto: int) -> None:
        while len(path) <= upto:
            last = path[-1]
            path.append(last + SPOT_REVERSION * (self.base - last) + rng.gauss(0.0, self.vol))

    def at(self, offset: int) -> float:
        path, rng, index = (self.forward, self._rngs[0], offset) if offset >= 0 else (
            self.backward, self._rngs[1], -offset)
        if len(path) <= index:
            with _EXTEND_LOCK:  # the sim's server thread and a test's thread may both extend it
                self._extend(path, rng, index)
        return path[index]


@lru_cache(maxsize=64)
def _walk(metal: str, seed: int) -> _Walk:
    return _Walk(metal, seed)


@lru_cache(maxsize=65536)
def spot(metal: str, day: date, seed: int = 0) -> float:
    """The synthetic spot price of ``metal`` (USD per troy ounce) on ``day``."""
    return math.exp(_walk(metal, seed).at(day.toordinal() - SPOT_ANCHOR.toordinal()))


def melt(coin: CatalogCoin, day: date, seed: int = 0) -> float:
    if coin.metal_oz and coin.precious_metal in SPOT_USD:
        return float(coin.metal_oz) * spot(coin.precious_metal, day, seed)
    return 0.0


@lru_cache(maxsize=65536)
def premium(coin: CatalogCoin) -> float:
    rarity = min(max((2e7 / coin.mintage) ** 0.9, 0.5), 2000.0) if coin.mintage else 2.0
    age = 1 + max(0, 1990 - coin.year) / 35
    return (0.6 * rarity * age * STRIKE_FACTOR.get(coin.strike, 1.0)
            * DESIGNATION_FACTOR.get(coin.designation, 1.5))


@lru_cache(maxsize=65536)
def melt_tracked(coin: CatalogCoin) -> bool:
    """Bullion, or a precious-metal coin whose MS65 premium is below its melt value (at anchor spot)."""
    if not (coin.metal_oz and coin.precious_metal in SPOT_USD):
        return False
    if coin.series in BULLION_SERIES:
        return True
    return premium(coin) * grade_curve(65) < float(coin.metal_oz) * SPOT_USD[coin.precious_metal]


def premium_drift(number: int, day: date, seed: int = 0) -> float:
    """A melt-tracked coin's premium factor: a slow wave (90-365 days, +-10%) and a 0.5% daily wobble."""
    period = 90 + 275 * unit("premium-period", seed, number)
    return (1 + 0.10 * _wave(day, period, "premium", seed, number)
            + 0.005 * (2 * unit("premium", seed, number, day.toordinal()) - 1))


class _Steps:
    """A numismatic coin's guide level: steps at seeded exponential gaps from ``STEP_EPOCH``."""

    def __init__(self, rate: float, rng: random.Random) -> None:
        self.rate = rate
        self.rng = rng
        self.days = [STEP_EPOCH.toordinal()]
        self.levels = [0.0]  # log level from that day on

    def at(self, ordinal: int) -> float:
        with _EXTEND_LOCK:
            while self.days[-1] <= ordinal:
                gap = max(1, math.ceil(self.rng.expovariate(self.rate)))
                self.days.append(self.days[-1] + gap)
                self.levels.append(self.levels[-1] + math.log(1 + self.rng.uniform(-0.08, 0.12)))
            return self.levels[bisect.bisect_right(self.days, ordinal) - 1]


def step_rate(coin: CatalogCoin, number: int, seed: int = 0) -> float:
    """Guide changes per day: active coins about monthly, others once in 1 to 3 years.

    The chance to be active rises with the coin's graded population (a proxy for how often it
    trades): 5% for the thinnest, 45% for the most graded.
    """
    total = sum(populations(coin, number).values())
    trade = min(max(math.log10(max(total, 1)) / math.log10(60_000), 0.0), 1.0)
    if unit("active", seed, number) < 0.05 + 0.40 * trade:
        return 1 / 30
    return 1 / (365 * (1 + 2 * unit("slow", seed, number)))


@lru_cache(maxsize=65536)
def _steps(coin: CatalogCoin, number: int, seed: int) -> _Steps:
    return _Steps(step_rate(coin, number, seed), random.Random(f"steps|{seed}|{number}"))


def guide_level(coin: CatalogCoin, number: int, day: date, seed: int = 0) -> float:
    """A numismatic coin's guide level on ``day`` (1.0 until the first step after ``STEP_EPOCH``)."""
    if day < STEP_EPOCH:
        return 1.0
    return math.exp(_steps(coin, number, seed).at(day.toordinal()))


def intrinsic(coin: CatalogCoin, day: date, seed: int = 0) -> float:
    return max(melt(coin, day, seed), face_value(coin.denomination))


def _money(value: float) -> Decimal:
    step = Decimal("0.01") if value < 20 else Decimal("1")
    return Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP)


def price(coin: CatalogCoin, number: int, grade: int, plus: bool, day: date, seed: int = 0) -> Decimal:
    """The synthetic price guide value (ignores availability: see :func:`is_priced`)."""
    factor = premium_drift(number, day, seed) if melt_tracked(coin) else guide_level(coin, number, day, seed)
    value = intrinsic(coin, day, seed) + premium(coin) * grade_curve(grade, plus) * factor
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


@lru_cache(maxsize=16384)
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
