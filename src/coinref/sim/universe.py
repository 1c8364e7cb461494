"""The simulator's universe: every catalog coin with a synthetic PCGS number, and synthetic certs.

Numbers: each catalog entry (base and designation entries alike; PCGS numbers each designation
separately) gets a number in 9,000,000-9,999,999, a range no real PCGS coin uses. The number is
``9,000,000 + sha256(natural key) mod 1,000,000``; on a collision the entry later in natural-key
order takes the next free number. A coin's number therefore depends only on its natural key
(and, rarely, on a colliding neighbour), not on the order or size of the catalog.

Certs (deterministic, for ``GetCoinFactsByCertNo`` and friends):

* non-digits -> invalid (``IsValidRequest`` false, "Invalid CertNo");
* fewer than 7 or more than 8 digits, or a number ending in 7 -> not found (when the tens digit
  is odd the not-found body carries every key with nulls, else only the two envelope keys);
* any other 7-8 digit number -> a coin chosen by hash, at a grade point that has data.

:func:`sim_universe` is the truth tests compare against: ``universe.number_of(natural_key)``,
``universe.coin(number)``, ``universe.point(number, grade, plus, day)`` and ``universe.cert(no)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache

from coinref.catalog.model import CatalogCoin, NaturalKey
from coinref.sim import pricing

NUMBER_MIN, NUMBER_MAX = 9_000_000, 9_999_999
_SPAN = NUMBER_MAX - NUMBER_MIN + 1


def preferred_number(key: NaturalKey) -> int:
    digest = hashlib.sha256("|".join(map(str, key)).encode()).digest()
    return NUMBER_MIN + int.from_bytes(digest[:8], "big") % _SPAN


def assign_numbers(coins: Iterable[CatalogCoin]) -> dict[NaturalKey, int]:
    keys = sorted({c.natural_key for c in coins})
    taken: set[int] = set()
    numbers: dict[NaturalKey, int] = {}
    for key in keys:
        number = preferred_number(key)
        while number in taken:
            number = NUMBER_MIN + (number - NUMBER_MIN + 1) % _SPAN
        taken.add(number)
        numbers[key] = number
    return numbers


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
    """The coins, their numbers and their market; ``market_seed`` picks the spot walks and guide steps."""

    def __init__(self, coins: Iterable[CatalogCoin], market_seed: int = 0) -> None:
        coins = list(coins)
        self.market_seed = market_seed
        self.numbers: dict[NaturalKey, int] = assign_numbers(coins)
        self.coins: dict[int, CatalogCoin] = {self.numbers[c.natural_key]: c for c in coins}

    def __len__(self) -> int:
        return len(self.coins)

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


@lru_cache(maxsize=1)
def _builtin_universe() -> SimUniverse:
    from coinref.catalog.builtin import load_catalog

    return SimUniverse(load_catalog())


def sim_universe(catalog: Iterable[CatalogCoin] | None = None, market_seed: int = 0) -> SimUniverse:
    """The simulator's universe of the built-in catalog (cached), or of the coins given."""
    if catalog is None and market_seed == 0:
        return _builtin_universe()
    if catalog is None:
        from coinref.catalog.builtin import load_catalog

        catalog = load_catalog()
    return SimUniverse(catalog, market_seed)
