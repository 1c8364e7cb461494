"""Melt value: the coin's precious-metal content times the spot price of that metal.

A coin row stores its composition as text (``Coin.metal``, e.g. "90% Silver, 10% Copper") and its
precious-metal content in troy ounces (``Coin.metal_oz``). ``precious_metal`` (in
:mod:`coinref.catalog.metals`, shared with the price refresh) reads which precious metal that
content is: the precious metal with the largest percentage in the text (the first named on a tie,
so the gold/platinum bimetallic coin counts as gold), or the only precious metal named without a
percentage ("Silver Clad", "99.9% Silver"). A coin with no precious metal,
or without ``metal_oz``, has no melt value. Results are Decimal, rounded half-up to cents.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from coinref.catalog.metals import PRECIOUS_METALS, precious_metal

__all__ = ["CENT", "PRECIOUS_METALS", "melt_value", "precious_metal"]

CENT = Decimal("0.01")


def melt_value(metal_text: str | None, metal_oz: Decimal | None,
               spots: dict[str, Decimal | None]) -> dict[str, object] | None:
    """``{metal, metal_oz, spot_usd_per_oz, value}`` or None when it cannot be computed.

    ``spots`` maps a precious metal name to its spot price in USD per troy ounce (None: not given).
    """
    metal = precious_metal(metal_text)
    if metal is None or metal_oz is None:
        return None
    spot = spots.get(metal)
    if spot is None:
        return None
    value = (Decimal(metal_oz) * Decimal(spot)).quantize(CENT, rounding=ROUND_HALF_UP)
    return {"metal": metal, "metal_oz": Decimal(metal_oz), "spot_usd_per_oz": Decimal(spot), "value": value}
