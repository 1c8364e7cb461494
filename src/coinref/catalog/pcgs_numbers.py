"""PCGS numbers the catalog ships: blocks per series and strike, and single numbers, from the fact files.

A fact file may carry a ``[pcgs]`` table (docs/catalog-format.md): the public ``sources`` its
numbers were checked against, ``blocks`` (strike, first, last; last may be unknown) and
``numbers`` (coin as date and variety, strike, designation, number). Only numbers established from
checkable public sources are shipped; a coin without one stays empty. Every shipped number is a
claim (provenance ``catalog``, state ``claimed``) until PCGS answers for it.

:func:`shipped_numbers` maps natural keys to numbers; :func:`shipped_blocks` gives the blocks;
:func:`fits_block` says whether a number lies in one of its series' blocks, directly or, for the
designations PCGS numbers with a prefix (DMPL, CAM, DCAM), as an 8 or 9 in front of a block number.
"""

from __future__ import annotations

import re
from functools import lru_cache

from coinref.catalog.builtin import CatalogError, load_all_facts, load_catalog
from coinref.catalog.model import NaturalKey

PREFIXED = {"DMPL": "9", "CAM": "8", "DCAM": "9"}
_COIN = re.compile(r"^(\d{4})(?:-([A-Z]{1,2}))?(?:\s+(.*))?$")


def _key(slug: str, coin: str, strike: str, designation: str) -> NaturalKey:
    match = _COIN.match(coin.strip())
    if not match:
        raise CatalogError(f"{slug}: PCGS number for {coin!r}: write the coin as YEAR[-MINT] [VARIETY]")
    year, mint, variety = match.groups()
    return (slug, int(year), mint or "P", strike, (variety or "").strip(), designation)


@lru_cache(maxsize=1)
def shipped_numbers() -> dict[NaturalKey, int]:
    """Every shipped number by natural key; a number for a coin the catalog lacks is an error."""
    keys = {coin.natural_key for coin in load_catalog()}
    numbers: dict[NaturalKey, int] = {}
    for slug, facts in load_all_facts().items():
        if facts.pcgs is None:
            continue
        for entry in facts.pcgs.numbers:
            key = _key(slug, entry.coin, entry.strike, entry.designation)
            if key not in keys:
                raise CatalogError(f"{slug}: PCGS number {entry.number} names {key}, which the catalog lacks")
            numbers[key] = entry.number
    return numbers


@lru_cache(maxsize=1)
def shipped_blocks() -> dict[tuple[str, str], list[tuple[int, int | None]]]:
    """(series, strike) -> the blocks the fact files give, as (first, last or None)."""
    blocks: dict[tuple[str, str], list[tuple[int, int | None]]] = {}
    for slug, facts in load_all_facts().items():
        for block in facts.pcgs.blocks if facts.pcgs else []:
            blocks.setdefault((slug, block.strike), []).append((block.first, block.last))
    return blocks


def sources(slug: str) -> list[str]:
    facts = load_all_facts().get(slug)
    return list(facts.pcgs.sources) if facts and facts.pcgs else []


def fits_block(key: NaturalKey, number: int) -> bool:
    """True when ``number`` lies in a block of the coin's series and strike (prefix form for DMPL/CAM/DCAM)."""
    slug, _, _, strike, _, designation = key
    candidates = [number]
    text = str(number)
    if designation in PREFIXED and text.startswith(PREFIXED[designation]) and len(text) > 1:
        candidates = [int(text[1:])]
    for first, last in shipped_blocks().get((slug, strike), []):
        if any(first <= n <= (last if last is not None else first + 999) for n in candidates):
            return True
    return False
