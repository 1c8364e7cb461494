"""The registry of the 67 collectible series (``series.csv``, shipped with the package).

Tier order (P0 first) then file order is the order every run processes series in.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

TIERS = ("P0", "P1", "P2", "P3")


@dataclass(frozen=True)
class SeriesInfo:
    tier: str
    slug: str
    name: str
    denomination: str
    first_year: int
    last_year: int | None
    est_coins: int
    sort_order: int

    def as_dict(self) -> dict[str, object]:
        return {
            "tier": self.tier,
            "slug": self.slug,
            "name": self.name,
            "denomination": self.denomination,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "est_coins": self.est_coins,
        }


@lru_cache(maxsize=1)
def all_series() -> tuple[SeriesInfo, ...]:
    text = resources.files("coinref.catalog").joinpath("series.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    items = [
        SeriesInfo(
            tier=row["tier"],
            slug=row["slug"],
            name=row["name"],
            denomination=row["denomination"],
            first_year=int(row["first_year"]),
            last_year=int(row["last_year"]) if row["last_year"] else None,
            est_coins=int(row["est_coins"]),
            sort_order=index,
        )
        for index, row in enumerate(rows)
    ]
    return tuple(sorted(items, key=lambda s: (TIERS.index(s.tier), s.sort_order)))


def series_by_slug() -> dict[str, SeriesInfo]:
    return {s.slug: s for s in all_series()}


def select_series(priority: str | None = None, slugs: list[str] | None = None) -> list[SeriesInfo]:
    """Series for a tier (``P0``..``P3`` or ``all``) and/or explicit slugs, in processing order."""
    from coinref.errors import InvalidInput

    known = series_by_slug()
    for slug in slugs or []:
        if slug not in known:
            raise InvalidInput(f"unknown series {slug!r}; see `coinref series`")
    if priority and priority.lower() != "all" and priority.upper() not in TIERS:
        raise InvalidInput(f"unknown priority {priority!r}; use P0, P1, P2, P3 or all")
    chosen = []
    for info in all_series():
        if slugs and info.slug not in slugs:
            continue
        if priority and priority.lower() != "all" and info.tier != priority.upper():
            continue
        chosen.append(info)
    return chosen
