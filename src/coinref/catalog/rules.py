"""Facts about US mints that every coin must respect: which mint struck coins in which years.

This is the one place these rules live; the catalog expander enforces them on the shipped data,
and the population validator applies them to records from every source.
"""

from __future__ import annotations

# mint -> (first year, last year or None) of coinage, gold/silver/copper alike
MINT_YEARS: dict[str, tuple[int, int | None]] = {
    "P": (1792, None),
    "C": (1838, 1861),  # Charlotte: gold only
    "D": (1838, None),  # Dahlonega gold 1838-1861; Denver from 1906
    "O": (1838, 1909),  # New Orleans (closed 1861-1878)
    "CC": (1870, 1893),  # Carson City
    "S": (1854, None),  # San Francisco
    "W": (1984, None),  # West Point (mint mark from 1984)
}
MINT_NAMES = {
    "P": "Philadelphia",
    "C": "Charlotte",
    "D": "Denver",
    "O": "New Orleans",
    "CC": "Carson City",
    "S": "San Francisco",
    "W": "West Point",
}


def mint_active(mint: str, year: int) -> bool:
    """Whether the mint could have struck a coin dated ``year``."""
    if mint not in MINT_YEARS:
        return False
    first, last = MINT_YEARS[mint]
    if year < first or (last is not None and year > last):
        return False
    if mint == "D" and 1861 < year < 1906:  # Dahlonega closed 1861; Denver coins from 1906
        return False
    return not (mint == "O" and 1861 < year < 1879)


def mint_problem(mint: str, year: int, denomination: str | None = None) -> str | None:
    """A reason the mint mark is impossible for the year (and metal, for C and D gold), or None."""
    if mint not in MINT_YEARS:
        return f"unknown mint mark {mint!r}"
    if not mint_active(mint, year):
        return f"the {MINT_NAMES[mint]} mint ({mint}) struck no coins dated {year}"
    gold = denomination is not None and (denomination.startswith(("$", "G$")) and denomination not in ("$1", "T$1"))
    gold = gold or denomination == "G$1"
    if mint == "C" and denomination is not None and not gold:
        return "the Charlotte mint struck only gold coins"
    if mint == "D" and year <= 1861 and denomination is not None and not gold:
        return "the Dahlonega mint struck only gold coins"
    return None
