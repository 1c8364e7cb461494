"""Melt value: the coin's precious-metal content times the spot price of that metal.

A coin row stores its composition as text (``Coin.metal``, e.g. "90% Silver, 10% Copper") and its
precious-metal content in troy ounces (``Coin.metal_oz``). :func:`precious_metal` reads which
precious metal that content is: the precious metal with the largest percentage in the text (the
first named on a tie, so the gold/platinum bimetallic coin counts as gold), or the only precious
metal named without a percentage ("Silver Clad", "99.9% Silver"). A coin with no precious metal,
or without ``metal_oz``, has no melt value. Results are Decimal, rounded half-up to cents.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

PRECIOUS_METALS = ("silver", "gold", "platinum", "palladium")
CENT = Decimal("0.01")
_PERCENT_METAL = re.compile(r"(\d+(?:\.\d+)?)\s*%\s*(silver|gold|platinum|palladium)", re.IGNORECASE)
_NAMED_METAL = re.compile(r"\b(silver|gold|platinum|palladium)\b", re.IGNORECASE)


def precious_metal(metal_text: str | None) -> str | None:
    """The precious metal a composition text is mostly made of, or None."""
    if not metal_text:
        return None
    best: tuple[Decimal, str] | None = None
    for percent, name in _PERCENT_METAL.findall(metal_text):
        share = Decimal(percent)
        if best is None or share > best[0]:
            best = (share, name.lower())
    if best is not None:
        return best[1]
    named = _NAMED_METAL.search(metal_text)
    return named.group(1).lower() if named else None


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
