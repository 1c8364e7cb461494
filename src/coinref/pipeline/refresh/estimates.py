"""Prices estimated between calls: a bullion coin's last PCGS price moved with the metal since.

When most of a price is metal (melt value at the spot of its observation day at least
``MELT_SHARE_MIN`` of the price) and a newer spot observation exists, the price shown today is::

    estimate = observed price + metal_oz x (spot now - spot on the observation day)

that is, the premium over melt is assumed unchanged and the melt part follows the metal. Spot "on
a day" is the newest observation on or before it (:mod:`.spot_source`). An estimate is never a
PCGS observation: nothing here writes, the API and the coin page show it beside the observation
with its basis (``estimated from spot, last observed 2026-11-20``), ``coinref prices`` never shows
it, and the refresh planner uses it to skip calls whose answer it can predict (:mod:`.drift`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from coinref.pipeline.refresh.spot_source import SpotSeries

MELT_SHARE_MIN = 0.5  # melt at least half the observed price: the price follows the metal
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Estimate:
    price: Decimal
    observed_on: date  # the PCGS observation it starts from
    observed_price: Decimal
    spot_from: tuple[date, Decimal]  # the spot observation of the observation day
    spot_to: tuple[date, Decimal]  # the newest spot observation
    metal: str

    @property
    def basis(self) -> str:
        return f"estimated from spot, last observed {self.observed_on.isoformat()}"

    def as_dict(self) -> dict[str, object]:
        return {
            "price": self.price,
            "basis": self.basis,
            "observed_on": self.observed_on,
            "observed_price": self.observed_price,
            "metal": self.metal,
            "spot_from": {"day": self.spot_from[0], "usd_per_oz": self.spot_from[1]},
            "spot_to": {"day": self.spot_to[0], "usd_per_oz": self.spot_to[1]},
        }


def estimable(price: Decimal | float | None, metal: str | None, metal_oz: Decimal | float | None,
              spot_usd: Decimal | float | None) -> bool:
    """Whether a price at that spot is mostly metal (melt at least ``MELT_SHARE_MIN`` of it)."""
    if not price or not metal or not metal_oz or not spot_usd or float(price) <= 0:
        return False
    return float(metal_oz) * float(spot_usd) >= MELT_SHARE_MIN * float(price)


def spot_estimate(price: Decimal | None, observed_on: date | None, metal: str | None,
                  metal_oz: Decimal | None, spots: SpotSeries, today: date) -> Estimate | None:
    """Today's estimate of an observed price, or None (not mostly metal, no newer spot, no spot)."""
    if price is None or observed_on is None or not metal or not metal_oz or not spots:
        return None
    start = spots.on_or_before(metal, observed_on)
    end = spots.on_or_before(metal, today)
    if start is None or end is None or end[0] <= observed_on or not estimable(price, metal, metal_oz, start[1]):
        return None
    value = Decimal(price) + Decimal(metal_oz) * (end[1] - start[1])
    if value <= 0:
        return None
    return Estimate(value.quantize(CENT, rounding=ROUND_HALF_UP), observed_on, Decimal(price), start, end, metal)
