"""Which precious metal a composition text is mostly made of.

A coin row stores its composition as text (``Coin.metal``, e.g. "90% Silver, 10% Copper"). The
precious metal is the one with the largest percentage in the text (the first named on a tie, so
the gold/platinum bimetallic coin counts as gold), or the only precious metal named without a
percentage ("Silver Clad", "99.9% Silver"). The API's melt value and the price refresh's spot
estimates both read it here.
"""

from __future__ import annotations

import re
from decimal import Decimal

PRECIOUS_METALS = ("silver", "gold", "platinum", "palladium")
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
