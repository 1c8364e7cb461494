"""How the simulator numbers its coins: the way PCGS does (pcgs-api.md section 8a), on purpose apart
from the catalog, so that discovery tests cannot pass because both sides read one table.

Blocks. The coins of one series and strike form a block of consecutive numbers, in date order and,
within a year, mint order (Philadelphia first, then the other marks alphabetically), the plain coin
before its varieties. Blocks are laid out one after another from 1,000 up in denomination order
(smallest face value first), then the series' first year, then strike (MS, PR, SP), with a gap of
5-40 unused numbers between two blocks. A few blocks start where PCGS's do, from the public facts
in pcgs-api.md: the Morgan dollars' business strikes at 7072 (so the 1878 8TF is 7072, its PL 7073
and its DMPL 97073), the Morgan proofs at 7311, the Peace dollars' business strikes at 7356 and the
Lincoln wheat cents so that the 1909-S VDB takes 2426/2427/2428. A block with no room left before
the next anchored block is numbered after all the others, out of order, as PCGS numbered series it
added later: the order is "mostly", never guaranteed.

Inside a block each coin takes, in order: its BN/RB/RD numbers (three consecutive numbers; the
copper base entry has no number), or its base number followed by its PL number (+1) and a
full-detail number (FB, FS, FH, FBL, FT: the next number). Then:

* DMPL is the PL number with a 9 in front (7073 -> 97073);
* CAM is the proof number with an 8 in front and DCAM with a 9 (7634 -> 87634 -> 97634); for a
  copper proof, of its RD number;
* between two coins there is usually no gap, sometimes one or two unused numbers (about 12%);
* about a quarter of the varieties were "recognised later": they get six-digit numbers (100000 to
  799999) far outside the block, their designations following the same rules from there;
* about one block in four is followed by a set or type number (a valid answer that is not a coin).

Base numbers stay below 80,000, so the 8- and 9-prefixed numbers (80000-99999 and 800000-999999)
and the six-digit varieties never collide with a base number; :func:`number_coins` checks it.
Everything but the anchored starts is drawn from ``seed``: the same catalog and seed always give
the same numbers, and a block's numbers depend only on the coins of its own series and strike
(and, for an unanchored block, on the blocks laid out before it).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from coinref.catalog.model import CatalogCoin, NaturalKey

FIRST_NUMBER = 1000
BASE_LIMIT = 80_000  # base numbers stay below: 8/9-prefixed numbers start at 80000
LATE_MIN, LATE_MAX = 100_000, 799_999
COPPER = ("BN", "RB", "RD")
FULL_DETAIL = ("FB", "FS", "FH", "FBL", "FT")
PREFIXED = {"DMPL": ("PL", 9), "CAM": ("", 8), "DCAM": ("", 9)}
STRIKE_ORDER = {"MS": 0, "PR": 1, "SP": 2}
LATE_VARIETY_SHARE = 0.25
SET_SHARE = 0.25

#: (series, strike) -> (the base key, without designation, of a coin, and its first number)
ANCHORS: dict[tuple[str, str], tuple[tuple[str, int, str, str, str], int]] = {
    ("morgan-dollars", "MS"): (("morgan-dollars", 1878, "P", "MS", "8TF"), 7072),
    ("morgan-dollars", "PR"): (("morgan-dollars", 1878, "P", "PR", "8TF"), 7311),
    ("peace-dollars", "MS"): (("peace-dollars", 1921, "P", "MS", ""), 7356),
    ("lincoln-cents-wheat-reverse", "MS"): (("lincoln-cents-wheat-reverse", 1909, "S", "MS", "VDB"), 2426),
}


def unit(*parts: object) -> float:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def prefixed(number: int, digit: int) -> int:
    """``number`` with ``digit`` in front: prefixed(7073, 9) == 97073."""
    return int(f"{digit}{number}")


@dataclass(frozen=True)
class SetNumber:
    """A price-guide number that names a set or type, not a coin."""

    number: int
    name: str
    series: str
    denomination: str


@dataclass
class Numbering:
    numbers: dict[NaturalKey, int]
    sets: dict[int, SetNumber]
    blocks: dict[tuple[str, str], tuple[int, int]]  # (series, strike) -> first and last in-block number


def _mint_rank(mint: str) -> tuple[int, str]:
    return (0, "") if mint == "P" else (1, mint)


def _face(denomination: str) -> float:
    """Face value in dollars of a denomination code: 1/2C, 1C, 3CN, H10C, 25C, $1, T$1, G$1, $2.50."""
    text = denomination.upper()
    if match := re.search(r"\$(\d+(?:\.\d+)?)", text):
        return float(match.group(1))
    if text.startswith("H") and (match := re.search(r"(\d+)C", text)):
        return int(match.group(1)) / 200
    if match := re.search(r"(\d+)(?:/(\d+))?C", text):
        return int(match.group(1)) / int(match.group(2) or 1) / 100
    return 0.0


def _slots(entries: dict[str, CatalogCoin]) -> list[str]:
    """The designations a coin numbers consecutively inside its block, in order.

    A copper coin always reserves BN, RB and RD (a colour the catalog lacks leaves its number
    unused); another coin its base number, then PL when it has PL or DMPL, then its full-detail
    designations.
    """
    designations = set(entries)
    if designations & set(COPPER):
        return list(COPPER)
    slots = [""]
    if designations & {"PL", "DMPL"}:
        slots.append("PL")
    return slots + [d for d in FULL_DETAIL if d in designations]


def _number_unit(entries: dict[str, CatalogCoin], start: int, numbers: dict[NaturalKey, int]) -> int:
    """Number one coin's entries from ``start``; returns the next free in-block number."""
    slots = _slots(entries)
    given = {designation: start + offset for offset, designation in enumerate(slots)}
    copper = "RD" in given
    for designation, (root, digit) in PREFIXED.items():
        root = "RD" if copper and root == "" else root
        if designation in entries and root in given:
            given[designation] = prefixed(given[root], digit)
    for designation, coin in entries.items():
        if designation in given and not (copper and designation == ""):
            numbers[coin.natural_key] = given[designation]
    return start + len(slots)


def _block_order(block: tuple[str, str], order: dict[tuple, int]):
    """Date, then mint, then the plain coin (or the anchor coin) before the varieties."""
    anchor = ANCHORS.get(block, (None, 0))[0]

    def key(item):
        base_key = item[0]
        return (base_key[1], _mint_rank(base_key[2]), base_key[:5] != anchor, base_key[4] != "", base_key[4])
    return key


def _layout(units, block, start: int, seed: int, numbers: dict[NaturalKey, int], late: list,
            limit: int | None = None) -> tuple[int, int]:
    """Number a block's coins from ``start`` into ``numbers``; late varieties go to ``late``.

    ``limit`` (an anchored block's neighbour): a coin whose numbers would reach it is numbered late
    too, as PCGS gives six-digit numbers to issues added after a block was closed (the 2021 Morgan
    dollars, for one).
    """
    cursor = start
    for base_key, entries in units:
        if base_key[4] and block not in ANCHORS and unit("late", seed, *base_key) < LATE_VARIETY_SHARE:
            late.append(entries)
            continue
        if limit is not None and cursor + len(_slots(entries)) + 2 > limit:
            late.append(entries)
            continue
        cursor = _number_unit(entries, cursor, numbers)
        gap = unit("gap", seed, *base_key)
        cursor += 2 if gap < 0.03 else 1 if gap < 0.12 else 0
    return start, cursor - 1


def number_coins(coins: Iterable[CatalogCoin], seed: int = 0) -> Numbering:
    """Number every entry of ``coins`` as described in the module doc."""
    order: dict[tuple, int] = {}
    blocks: dict[tuple[str, str], dict[tuple, dict[str, CatalogCoin]]] = defaultdict(lambda: defaultdict(dict))
    first_year: dict[str, int] = {}
    face: dict[str, float] = {}
    for index, coin in enumerate(coins):
        order.setdefault(coin.base_key, index)
        blocks[(coin.series, coin.strike)][coin.base_key][coin.designation] = coin
        first_year[coin.series] = min(first_year.get(coin.series, coin.year), coin.year)
        face[coin.series] = min(face.get(coin.series, math.inf), _face(coin.denomination))
    units = {block: sorted(content.items(), key=_block_order(block, order)) for block, content in blocks.items()}

    numbers: dict[NaturalKey, int] = {}
    late: list[dict[str, CatalogCoin]] = []
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    sets: dict[int, SetNumber] = {}

    def trial(block) -> tuple[int, int]:
        """(length, offset of the anchor coin's first number) of a block numbered from 0."""
        scratch: dict[NaturalKey, int] = {}
        first, last = _layout(units[block], block, 0, seed, scratch, [])
        anchor = ANCHORS.get(block)
        offsets = [n for k, n in scratch.items() if anchor and k[:5] == anchor[0] and n < BASE_LIMIT]
        return last - first + 1, min(offsets, default=0)

    ordered = sorted(blocks, key=lambda b: (face[b[0]], first_year[b[0]], b[0], STRIKE_ORDER.get(b[1], 9)))
    anchored_at = {block: trial(block) for block in ordered if block in ANCHORS}
    starts = {block: ANCHORS[block][1] - offset for block, (_, offset) in anchored_at.items()}
    later: list[tuple[str, str]] = []
    cursor = FIRST_NUMBER

    def place(block, start):
        nonlocal cursor
        limit = min((s for b, s in starts.items() if s > start), default=None) if block in starts else None
        spans[block] = _layout(units[block], block, start, seed, numbers, late, limit)
        cursor = spans[block][1] + 1
        if unit("set", seed, *block) < SET_SHARE:
            cursor += 1
            coin = next(iter(units[block][0][1].values()))
            sets[cursor] = SetNumber(cursor, f"{_series_title(block[0])} Type Set", block[0], coin.denomination)

    for index, block in enumerate(ordered):
        if block in starts:
            place(block, starts[block])
            continue
        length, _ = trial(block)
        start = cursor + 5 + int(unit("block-gap", seed, *block) * 36)
        ahead = [starts[b] for b in ordered[index + 1:] if b in starts]
        if ahead and start + length + 5 >= min(ahead) or any(start <= s <= start + length + 5 for s in starts.values()):
            later.append(block)  # no room before the next anchored block: numbered later, out of order
            continue
        place(block, start)
    cursor = max(cursor, max((spans[b][1] for b in spans), default=FIRST_NUMBER)) + 1
    for block in later:
        place(block, cursor + 5 + int(unit("block-gap", seed, *block) * 36))
    if cursor >= BASE_LIMIT:
        raise ValueError(f"the simulator's blocks reach {cursor}, past {BASE_LIMIT}")

    used = set(numbers.values()) | set(sets)
    for entries in late:
        base_key = next(iter(entries.values())).base_key
        start = LATE_MIN + int(unit("late-number", seed, *base_key) * (LATE_MAX - LATE_MIN - 10))
        while any(start + i in used for i in range(4)):
            start += 5
        scratch: dict[NaturalKey, int] = {}
        _number_unit(entries, start, scratch)
        numbers.update(scratch)
        used |= set(scratch.values())
    values = list(numbers.values()) + list(sets)
    if len(values) != len(set(values)):
        raise ValueError("the simulator's numbering gave one number twice")
    return Numbering(numbers, sets, spans)


def _series_title(slug: str) -> str:
    return " ".join(word.capitalize() for word in slug.split("-"))
