"""The simulator's universe: every catalog coin with a PCGS-like number, a few set numbers, and certs.

Numbers: :mod:`coinref.sim.numbering` numbers the coins the way PCGS does (blocks per series and
strike, BN/RB/RD consecutive, PL at +1, DMPL/CAM/DCAM with a 9 or 8 in front, gaps, later varieties
outside the blocks); ``seed`` (``SimConfig.numbering_seed``) draws the gaps and which varieties
are late. The numbers look like real ones but the coins behind them are the sim's: what it serves
is synthetic. The copper base entries have no number of their own (PCGS numbers the colours).
A set number answers as a valid price-guide entry that is not a coin (``Year`` 0).

Certs (deterministic, for ``GetCoinFactsByCertNo`` and friends):

* non-digits -> invalid (``IsValidRequest`` false, "Invalid CertNo");
* fewer than 7 or more than 8 digits, or a number ending in 7 -> not found (when the tens digit
  is odd the not-found body carries every key with nulls, else only the two envelope keys);
* any other 7-8 digit number -> a coin chosen by hash, at a grade point that has data.

:func:`sim_universe` is the truth tests compare against: ``universe.number_of(natural_key)``,
``universe.coin(number)``, ``universe.point(number, grade, plus, day)`` and ``universe.cert(no)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache

from coinref.catalog.model import CatalogCoin, NaturalKey
from coinref.sim import pricing
from coinref.sim.numbering import SetNumber, number_coins

NUMBER_MIN, NUMBER_MAX = 1_000, 9_999_999  # every number the sim hands out lies in here


@dataclass(frozen=True)
class GradePoint:
    """What the sim answers for one (number, grade, plus) on one day."""

    price: Decimal | None  # None: unpriced (PriceGuideValue 0)
    population: int
    pop_higher: int


@dataclass(frozen=True)
class SimCert:
    cert_number: str
    pcgs_number: int
    grade: int
    plus: bool


class SimUniverse:
    """The coins, their PCGS-like numbers and their market.

    ``market_seed`` picks the spot walks and guide steps (:mod:`coinref.sim.pricing`); ``seed`` the
    gaps and late varieties of the numbering (:mod:`coinref.sim.numbering`).
    """

    def __init__(self, coins: Iterable[CatalogCoin], market_seed: int = 0, *, seed: int = 0) -> None:
        self.catalog = list(coins)
        self.market_seed = market_seed
        self.seed = seed
        numbering = number_coins(self.catalog, seed)
        self.numbers: dict[NaturalKey, int] = numbering.numbers
        self.blocks = numbering.blocks
        self.sets: dict[int, SetNumber] = numbering.sets
        by_key = {c.natural_key: c for c in self.catalog}
        self.coins: dict[int, CatalogCoin] = {number: by_key[key] for key, number in self.numbers.items()}

    def __len__(self) -> int:
        """The catalog entries the sim knows (numbered or, for copper base entries, not)."""
        return len(self.catalog)

    @cached_property
    def sorted_numbers(self) -> list[int]:
        return sorted(self.coins)

    def number_of(self, key: NaturalKey | CatalogCoin) -> int | None:
        if isinstance(key, CatalogCoin):
            key = key.natural_key
        return self.numbers.get(tuple(key))

    def coin(self, number: int) -> CatalogCoin | None:
        return self.coins.get(number)

    def point(self, number: int, grade: int, plus: bool, day: date) -> GradePoint | None:
        """The grade point's answer on ``day``, or None for "No data found"."""
        coin = self.coins.get(number)
        if coin is None or not pricing.has_data(coin, number, grade, plus):
            return None
        here, higher = pricing.population(coin, number, grade, plus, day)
        value = self.guide_price(number, grade, plus, day) if pricing.is_priced(number, grade, plus) else None
        return GradePoint(value, here, higher)

    def guide_price(self, number: int, grade: int, plus: bool, day: date) -> Decimal:
        """The point's synthetic guide value on ``day``, availability aside (see :meth:`point`)."""
        return pricing.price(self.coins[number], number, grade, plus, day, self.market_seed)

    def spot(self, metal: str, day: date) -> float:
        """The synthetic spot price of a precious metal on ``day`` (USD per troy ounce)."""
        return pricing.spot(metal, day, self.market_seed)

    def data_points(self, number: int) -> list[tuple[int, bool]]:
        coin = self.coins[number]
        return [(g, p) for g in pricing.GRADES for p in (False, True) if pricing.has_data(coin, number, g, p)]

    def cert(self, cert_number: str) -> SimCert | None:
        """The synthetic cert behind a number, or None when it does not exist (see module doc)."""
        if not cert_number.isdigit() or not 7 <= len(cert_number) <= 8 or cert_number.endswith("7"):
            return None
        if not self.coins:
            return None
        numbers = self.sorted_numbers
        number = numbers[int(pricing.unit("cert", cert_number) * len(numbers))]
        points = self.data_points(number)
        if not points:
            return None
        grade, plus = points[int(pricing.unit("cert-grade", cert_number) * len(points))]
        return SimCert(cert_number, number, grade, plus)


@lru_cache(maxsize=4)
def _builtin_universe(seed: int = 0, market_seed: int = 0) -> SimUniverse:
    from coinref.catalog.builtin import load_catalog

    return SimUniverse(load_catalog(), market_seed, seed=seed)


def sim_universe(catalog: Iterable[CatalogCoin] | None = None, market_seed: int = 0, *,
                 seed: int = 0) -> SimUniverse:
    """The simulator's universe of the built-in catalog (cached per seed pair), or of the coins given."""
    if catalog is None:
        return _builtin_universe(seed, market_seed)
    return SimUniverse(catalog, market_seed, seed=seed)
