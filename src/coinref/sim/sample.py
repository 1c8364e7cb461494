"""A small, fixed catalog for tests and examples: ``SimConfig(catalog=SAMPLE_CATALOG)``.

It spans what the simulator's pricing reacts to: copper, nickel, silver and gold; a key date
next to a common date; MS, PR and SP strikes; plain and designation entries. The built-in catalog
keeps changing as its data files grow; tests that need fixed coins use this list instead.
"""

from __future__ import annotations

from decimal import Decimal

from coinref.catalog.model import CatalogCoin

_COPPER = {"metal": "95% Copper, 5% Tin and Zinc", "weight_g": Decimal("3.11")}
_SILVER_DOLLAR = {"metal": "90% Silver, 10% Copper", "weight_g": Decimal("26.73"), "fineness": Decimal("0.9"),
                  "metal_oz": Decimal("0.77344"), "precious_metal": "silver"}
_SILVER_DIME = {"metal": "90% Silver, 10% Copper", "weight_g": Decimal("2.5"), "fineness": Decimal("0.9"),
                "metal_oz": Decimal("0.07234"), "precious_metal": "silver"}
_SILVER_QUARTER = {"metal": "90% Silver, 10% Copper", "weight_g": Decimal("6.25"), "fineness": Decimal("0.9"),
                   "metal_oz": Decimal("0.18084"), "precious_metal": "silver"}
_EAGLE_SILVER = {"metal": "99.9% Silver", "weight_g": Decimal("31.103"), "fineness": Decimal("0.999"),
                 "metal_oz": Decimal("1.0"), "precious_metal": "silver"}
_EAGLE_GOLD = {"metal": "91.67% Gold, 3% Silver, 5.33% Copper", "weight_g": Decimal("33.931"),
               "fineness": Decimal("0.9167"), "metal_oz": Decimal("1.0"), "precious_metal": "gold"}


def _coin(series, year, mint, strike, variety, designation, denomination, full_name, short_name, mintage, **metal):
    return CatalogCoin(series, year, mint, strike, variety, designation, denomination, full_name, short_name,
                       mintage=mintage, **metal)


SAMPLE_CATALOG: tuple[CatalogCoin, ...] = (
    _coin("lincoln-cents-wheat-reverse", 1909, "S", "MS", "VDB", "BN", "1C", "1909-S VDB Lincoln Cent",
          "1909-S 1C VDB, BN", 484_000, **_COPPER),
    _coin("lincoln-cents-wheat-reverse", 1909, "S", "MS", "VDB", "RD", "1C", "1909-S VDB Lincoln Cent",
          "1909-S 1C VDB, RD", 484_000, **_COPPER),
    _coin("lincoln-cents-wheat-reverse", 1944, "P", "MS", "", "RD", "1C", "1944 Lincoln Cent", "1944 1C, RD",
          1_435_400_000, metal="95% Copper, 5% Zinc", weight_g=Decimal("3.11")),
    _coin("morgan-dollars", 1881, "S", "MS", "", "", "$1", "1881-S Morgan Dollar", "1881-S $1", 12_760_000,
          **_SILVER_DOLLAR),
    _coin("morgan-dollars", 1881, "S", "MS", "", "DMPL", "$1", "1881-S Morgan Dollar", "1881-S $1, DMPL",
          12_760_000, **_SILVER_DOLLAR),
    _coin("morgan-dollars", 1893, "S", "MS", "", "", "$1", "1893-S Morgan Dollar", "1893-S $1", 100_000,
          **_SILVER_DOLLAR),
    _coin("mercury-dimes", 1916, "D", "MS", "", "", "10C", "1916-D Mercury Dime", "1916-D 10C", 264_000,
          **_SILVER_DIME),
    _coin("mercury-dimes", 1916, "D", "MS", "", "FB", "10C", "1916-D Mercury Dime", "1916-D 10C, FB", 264_000,
          **_SILVER_DIME),
    _coin("washington-quarters", 1932, "D", "MS", "", "", "25C", "1932-D Washington Quarter", "1932-D 25C",
          436_800, **_SILVER_QUARTER),
    _coin("jefferson-nickels", 1950, "D", "MS", "", "", "5C", "1950-D Jefferson Nickel", "1950-D 5C", 2_630_030,
          metal="75% Copper, 25% Nickel", weight_g=Decimal("5.0")),
    _coin("silver-eagles", 1986, "P", "MS", "", "", "$1", "1986 Silver Eagle", "1986 $1", 5_393_005,
          **_EAGLE_SILVER),
    _coin("silver-eagles", 2011, "S", "SP", "", "", "$1", "2011-S Silver Eagle Specimen", "2011-S $1", 99_882,
          **_EAGLE_SILVER),
    _coin("gold-eagles", 1986, "W", "PR", "1 oz", "DCAM", "$50", "1986-W 1 oz Gold Eagle Proof",
          "1986-W $50 1 oz, DCAM", 446_290, **_EAGLE_GOLD),
)
