"""The schema of the catalog's fact files (``catalog/data/*.toml``), as pydantic models.

One file per series. See docs/catalog-format.md for the format with examples. The models check
shapes and cross-field rules at load time (a mint letter that is not a US mint, a year range that
runs backwards, a designation PCGS does not use); :mod:`coinref.catalog.builtin` expands them.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

MINTS = ("P", "C", "CC", "D", "O", "S", "W")
DESIGNATIONS = ("BN", "RB", "RD", "PL", "DMPL", "FB", "FS", "FH", "FBL", "FT", "CAM", "DCAM")
PRECIOUS = ("silver", "gold", "platinum", "palladium")
Strike = Literal["MS", "PR", "SP"]
_RANGE = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$")


def parse_years(text: str | int) -> list[int]:
    """``"1878-1904, 1921"`` -> [1878, ..., 1904, 1921]. Raises ValueError on bad syntax."""
    if isinstance(text, int):
        return [text]
    years: list[int] = []
    for part in str(text).split(","):
        if not part.strip():
            continue
        match = _RANGE.match(part)
        if not match:
            raise ValueError(f"bad year range {part!r} in {text!r}")
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if end < start:
            raise ValueError(f"year range runs backwards: {part!r}")
        years.extend(range(start, end + 1))
    return years


def parse_mints(text: str | list[str]) -> list[str]:
    """``"P D S"`` or ``["P", "D"]`` -> list of mint letters, checked."""
    items = text.split() if isinstance(text, str) else list(text)
    for mint in items:
        if mint not in MINTS:
            raise ValueError(f"unknown mint {mint!r} (one of {', '.join(MINTS)})")
    return items


def _years_text(value: str | int) -> str | int:
    if value != "":
        parse_years(value)
    return value


def _mints_text(value: str) -> str:
    if value:
        parse_mints(value)
    return value


def _strike_table(value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    for mints in value.values():
        for mint, years in mints.items():
            parse_mints([mint])
            parse_years(years)
    return value


def _years_by_strike(value: dict[str, str]) -> dict[str, str]:
    for years in value.values():
        parse_years(years)
    return value


# A mintage figure, or "unknown": no figure was ever published (many early proofs). "unknown" is a
# statement about the coin and differs from a missing entry (not researched yet).
MintageValue = Annotated[int, Field(gt=0)] | Literal["unknown"]

YearsText = Annotated[str, AfterValidator(_years_text)]  # "1878-1904, 1921"; "" for every year
YearsOrYear = Annotated[str | int, AfterValidator(_years_text)]
MintsText = Annotated[str, AfterValidator(_mints_text)]  # "P D S"; "" for every mint
YearsByStrike = Annotated[dict[Strike, str], AfterValidator(_years_by_strike)]
StrikeTable = Annotated[dict[Strike, dict[str, str]], AfterValidator(_strike_table)]  # strike -> mint -> years


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Composition(_Strict):
    """A composition period. A coin takes the first period that matches it (years, strikes, id)."""

    id: str = ""  # referenced by issues/varieties with `composition = "id"`
    years: YearsText = ""  # empty: every year
    strikes: list[Strike] = Field(default_factory=list)  # empty: every strike
    mints: MintsText = ""  # empty: every mint
    metal: str  # composition text, e.g. "90% Silver, 10% Copper"
    weight_g: Decimal
    fineness: Decimal | None = None  # fineness of the precious metal, 0..1
    precious: Literal["silver", "gold", "platinum", "palladium"] | None = None
    metal_oz: Decimal | None = None  # stated content in troy oz (bullion); else computed
    alloy: dict[str, Decimal] = Field(default_factory=dict)  # metal -> percent of the whole coin, sums to 100
    construction: str = ""  # how the metals are put together: "clad: ... core", "copper-plated zinc"



    @model_validator(mode="after")
    def _precious(self) -> Composition:
        if self.precious and self.fineness is None and self.metal_oz is None:
            raise ValueError("a precious-metal composition needs fineness or metal_oz")
        if self.fineness is not None and not (0 < self.fineness <= 1):
            raise ValueError("fineness is a fraction between 0 and 1")
        if self.weight_g <= 0:
            raise ValueError("weight_g must be positive")
        if not self.alloy and not self.construction:
            raise ValueError("a composition needs its alloy as parts (alloy = { silver = 90, copper = 10 }) "
                             "or a construction text")
        if self.alloy:
            if any(p <= 0 for p in self.alloy.values()):
                raise ValueError("alloy parts must be positive percentages")
            total = sum(self.alloy.values())
            fine = len(self.alloy) == 1 and Decimal("99.9") <= total <= 100  # "99.9% silver": the rest is trace
            if not fine and abs(total - 100) > Decimal("0.05"):
                raise ValueError(f"alloy parts add up to {total}%, not 100%")
        return self


class Specs(_Strict):
    """Physical and design facts of a design period: the first period that matches a coin wins.

    Filters as for compositions (years, strikes, mints) plus ``varieties``: the part or issue
    varieties the period is for (bullion sizes, one commemorative issue). Designers are the
    sculptors of the obverse and reverse as the Mint credits them; ``"varies by issue"`` where a
    program series has a different design per issue not recorded here.
    """

    years: YearsText = ""
    strikes: list[Strike] = Field(default_factory=list)
    mints: MintsText = ""
    varieties: list[str] = Field(default_factory=list)  # empty: every variety
    composition: str = ""  # composition id the coin takes (a denomination of a program series); "" any
    diameter_mm: Decimal | None = None  # omitted where no reference we trust gives it (never guessed)
    edge: str  # reeded, plain, lettered (with the lettering), ...
    obverse_designer: str
    reverse_designer: str

    @model_validator(mode="after")
    def _sizes(self) -> Specs:
        if self.diameter_mm is not None and not Decimal(5) <= self.diameter_mm <= Decimal(80):
            raise ValueError(f"diameter_mm {self.diameter_mm} is not a US coin's (5-80 mm)")
        if not self.edge.strip() or not self.obverse_designer.strip() or not self.reverse_designer.strip():
            raise ValueError("edge, obverse_designer and reverse_designer must not be empty")
        return self


class Part(_Strict):
    """A sub-series of a multi-denomination series (bullion sizes, early gold types).

    Every coin of the part has the part's ``variety`` (for example ``1/10 oz``), so the natural key
    stays unique; the denomination and coin name are the part's.
    """

    variety: str
    denomination: str
    name: str = ""
    composition: str = ""
    strikes: StrikeTable
    designations: list[str] | None = None



class Variety(_Strict):
    """Extra coins for (years x mints x strike), or with replace_base, coins that replace the base.

    ``base`` is the variety of the coin the rule applies to ("" for the plain coin, or a part's or
    issue's variety); ``names`` are the full varieties of the coins it makes.
    """

    years: YearsOrYear
    mints: MintsText = "P"
    strike: Strike = "MS"
    names: list[str]
    base: str = ""
    replace_base: bool = False  # the plain coin does not exist: each name is its own coin instead
    composition: str = ""  # composition id, when the variety differs in metal
    designations: list[str] | None = None  # override the designations that apply; [] for none
    denomination: str = ""  # override (multi-denomination series)
    name: str = ""  # override the series' coin name




class Issue(_Strict):
    """One issue of a program series (commemoratives, statehood, parks...): the subject is the variety."""

    variety: str
    year: int
    strikes: dict[Strike, str]  # strike -> mints, e.g. {MS = "P D", PR = "S"}
    denomination: str = ""  # override the series' denomination ("50C", "$1", "$5")
    name: str = ""  # override the coin name ("Commemorative Half Dollar")
    composition: str = ""  # composition id
    designations: list[str] | None = None
    mintage: dict[str, MintageValue] = Field(default_factory=dict)  # "P MS" / "S PR" -> mintage or "unknown"

    @field_validator("strikes")
    @classmethod
    def _strikes(cls, v: dict[str, str]) -> dict[str, str]:
        for mints in v.values():
            parse_mints(mints)
        return v


class Exclude(_Strict):
    """Coins a rule would generate that never existed."""

    years: YearsOrYear
    mints: MintsText = ""  # empty: every mint
    strike: Strike | Literal[""] = ""  # empty: every strike
    variety: str | None = None  # None: the plain coin and every variety
    reason: str = ""


class DesignationRule(_Strict):
    strike: Strike
    values: list[str]
    years: YearsText = ""  # empty: every year
    mints: MintsText = ""  # empty: every mint

    @field_validator("values")
    @classmethod
    def _values(cls, v: list[str]) -> list[str]:
        for d in v:
            if d not in DESIGNATIONS:
                raise ValueError(f"unknown designation {d!r}")
        return v


class PcgsBlock(_Strict):
    """Numbers known to lie in one strike's block: ``first`` to ``last`` (None: the end is not known).

    The discovery walks them and grows outward from both ends while PCGS keeps naming the series.
    """

    strike: Literal["MS", "PR", "SP"] = "MS"
    first: int = Field(gt=0)
    last: int | None = Field(None, gt=0)


class PcgsNumber(_Strict):
    """One shipped PCGS number: ``coin`` is the date and variety ("1878 8TF", "1909-S VDB")."""

    coin: str
    strike: Literal["MS", "PR", "SP"] = "MS"
    designation: str = ""
    number: int = Field(gt=0)


class PcgsFacts(_Strict):
    """PCGS numbers a series' fact file ships, with the public sources they were checked against."""

    sources: list[str] = Field(min_length=1)
    blocks: list[PcgsBlock] = Field(default_factory=list)
    numbers: list[PcgsNumber] = Field(default_factory=list)


class SeriesFacts(_Strict):
    slug: str
    name: str  # the coin's collector name, singular: "Morgan Dollar"
    denomination: str  # PCGS code for short names: "$1", "1C", "$2.50"
    first_year: int
    last_year: int
    p_mark_years: YearsText = ""  # years in which Philadelphia coins show a P mint mark
    p_mark_by_strike: YearsByStrike = Field(default_factory=dict)  # more years, for one strike only
    name_template: str = "{date} {variety} {name}"  # full_name; {strike} appended for PR/SP
    notes: str = ""  # why the count differs from the estimate, sources of doubt...
    composition: list[Composition]
    specs: list[Specs]  # design periods: diameter, edge, designers
    key_dates: dict[str, Literal["key", "semi-key"]] = Field(default_factory=dict)  # mintage-style key -> kind
    specs_sources: str  # where the specs, designers and key dates come from, as text
    review_notes: str = ""  # the second look at the file's judgement calls: what was checked, what changed
    strikes: StrikeTable = Field(default_factory=dict)  # strike -> mint -> years
    parts: list[Part] = Field(default_factory=list)
    issues: list[Issue] = Field(default_factory=list)
    varieties: list[Variety] = Field(default_factory=list)
    exclude: list[Exclude] = Field(default_factory=list)
    designations: list[DesignationRule] = Field(default_factory=list)
    mintage: dict[str, MintageValue] = Field(default_factory=dict)  # "1881-S", "1895 PR", "1909-S VDB" -> n
    mintage_sources: str = ""  # where the [mintage] figures come from, and where sources disagree
    pcgs: PcgsFacts | None = None  # shipped PCGS numbers and blocks (catalog/pcgs_numbers.py)




    @model_validator(mode="after")
    def _years_in_range(self) -> SeriesFacts:
        if self.last_year < self.first_year:
            raise ValueError("last_year before first_year")
        years: list[int] = []
        for mints in self.strikes.values():
            for text in mints.values():
                years.extend(parse_years(text))
        for part in self.parts:
            for text in [t for mints in part.strikes.values() for t in mints.values()]:
                years.extend(parse_years(text))
        years.extend(i.year for i in self.issues)
        for var in self.varieties:
            years.extend(parse_years(var.years))
        bad = sorted({y for y in years if not self.first_year <= y <= self.last_year})
        if bad:
            raise ValueError(f"years outside {self.first_year}-{self.last_year}: {bad}")
        ids = {c.id for c in self.composition if c.id}
        refs = [i.composition for i in self.issues] + [v.composition for v in self.varieties]
        for ref in refs + [p.composition for p in self.parts]:
            if ref and ref not in ids:
                raise ValueError(f"unknown composition id {ref!r}")
        return self
