"""The catalog's unit: one coin entry as the built-in catalog (and every source) describes it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

NaturalKey = tuple[str, int, str, str, str, str]  # series slug, year, mint, strike, variety, designation

STRIKES = ("MS", "PR", "SP")
STRIKE_WORDS = {"MS": "", "PR": "Proof", "SP": "Specimen"}


@dataclass(frozen=True)
class CatalogCoin:
    series: str  # slug
    year: int
    mint_mark: str  # "P" for Philadelphia, whether or not the coin shows it
    strike: str  # MS, PR or SP
    variety: str  # "" for the plain coin
    designation: str  # "" for the base entry, else BN/RB/RD/PL/DMPL/FB/FS/FH/FBL/CAM/DCAM
    denomination: str  # PCGS denomination code: 1C, 5C, 10C, 25C, 50C, $1, $2.50, $5 ...
    full_name: str  # collectors' usage: "1909-S VDB Lincoln Cent"
    short_name: str  # PCGS form: "1909-S 1C VDB, RD"
    metal: str | None = None  # composition text, e.g. "90% Silver, 10% Copper"
    weight_g: Decimal | None = None
    fineness: Decimal | None = None  # of the precious metal, 0..1
    metal_oz: Decimal | None = None  # precious-metal content in troy ounces
    precious_metal: str | None = None  # silver | gold | platinum | palladium
    mintage: int | None = None
    mintage_unknown: bool = False  # no figure was ever published (mintage is then None)
    diameter_mm: Decimal | None = None
    edge: str | None = None  # reeded, plain, lettered ...
    designer: str | None = None  # "Adolph A. Weinman", or "obverse X; reverse Y"
    composition: str | None = None  # the alloy as parts: "90% silver / 10% copper"
    key_date: str | None = None  # "key" or "semi-key" (collectors' recognised key dates)

    @property
    def natural_key(self) -> NaturalKey:
        return (self.series, self.year, self.mint_mark, self.strike, self.variety, self.designation)

    @property
    def base_key(self) -> NaturalKey:
        return (self.series, self.year, self.mint_mark, self.strike, self.variety, "")

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
