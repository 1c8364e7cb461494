"""The built-in catalog: expand the fact files in ``catalog/data`` into coin entries.

Each series file (see docs/catalog-format.md) states rules rather than rows: which mints struck
which strike in which years, program issues, parts of multi-denomination series, varieties that
add coins or replace the plain coin, exclusions, the designations PCGS numbers separately, the
composition periods and the mintages we are sure of. :func:`expand` applies them in that order:

1. base coins from ``strikes`` (variety ""), ``parts`` (the part's variety) and ``issues``;
2. ``varieties`` add coins, or with ``replace_base`` take the place of their base coin;
3. ``exclude`` removes coins a rule made that never existed;
4. each remaining coin gets its designation entries (``designations`` rules, or an override);
5. names, composition (first matching period), specs (first matching design period: diameter,
   edge, designers), key date and mintage are attached: an issue's own figure,
   else the ``[mintage]`` entry for (year, mint, variety, strike). A designation entry carries its
   base coin's mintage. ``"unknown"`` (no figure was ever published) becomes ``mintage=None`` with
   ``mintage_unknown=True``, so it stays distinct from a coin nobody researched.

The mint rules of :mod:`coinref.catalog.rules` and the uniqueness of natural keys are enforced
here, so a fact file that breaks them does not load (``CatalogError``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources

from pydantic import ValidationError

from coinref.catalog.facts_schema import Composition, SeriesFacts, Specs, parse_mints, parse_years
from coinref.catalog.model import STRIKE_WORDS, CatalogCoin
from coinref.catalog.rules import mint_problem
from coinref.catalog.series import all_series, series_by_slug
from coinref.errors import CoinrefError

TROY_OZ_G = Decimal("31.1034768")
_MINTAGE_KEY = re.compile(r"^(\d{4})(?:-([A-Z]{1,2}))?(?: (.+?))?$")


class CatalogError(CoinrefError):
    """A fact file of the built-in catalog is invalid."""

    kind = "catalog"


@dataclass
class _Base:
    year: int
    mint: str
    strike: str
    variety: str
    denomination: str
    name: str
    composition: str = ""
    designations: list[str] | None = None
    mintage: int | str | None = None  # a figure, "unknown" (none was published) or None (not researched)
    group: str = ""  # the part or issue variety the coin belongs to ("" for the plain series)


def data_files() -> dict[str, str]:
    """slug -> TOML text of every fact file shipped with the package."""
    folder = resources.files("coinref.catalog").joinpath("data")
    return {
        entry.name.removesuffix(".toml"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


def parse_facts(slug: str, text: str) -> SeriesFacts:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"catalog/data/{slug}.toml: {exc}") from None
    try:
        facts = SeriesFacts.model_validate(data)
    except ValidationError as exc:
        raise CatalogError(f"catalog/data/{slug}.toml: {exc}") from None
    if facts.slug != slug:
        raise CatalogError(f"catalog/data/{slug}.toml declares slug {facts.slug!r}")
    if slug not in series_by_slug():
        raise CatalogError(f"catalog/data/{slug}.toml: {slug!r} is not a series of series.csv")
    return facts


def _grid(strikes: dict[str, dict[str, str]]) -> list[tuple[int, str, str]]:
    out = []
    for strike, mints in strikes.items():
        for mint, years in mints.items():
            out.extend((year, mint, strike) for year in parse_years(years))
    return out


def _base_coins(facts: SeriesFacts) -> dict[tuple[int, str, str, str], _Base]:
    bases: dict[tuple[int, str, str, str], _Base] = {}

    def add(base: _Base) -> None:
        key = (base.year, base.mint, base.strike, base.variety)
        if key in bases:
            raise CatalogError(f"{facts.slug}: {key} is listed twice")
        bases[key] = base

    for year, mint, strike in _grid(facts.strikes):
        add(_Base(year, mint, strike, "", facts.denomination, facts.name))
    for part in facts.parts:
        for year, mint, strike in _grid(part.strikes):
            add(_Base(year, mint, strike, part.variety, part.denomination, part.name or facts.name,
                      part.composition, part.designations, group=part.variety))
    for issue in facts.issues:
        for strike, mints in issue.strikes.items():
            for mint in parse_mints(mints):
                mintage = issue.mintage.get(f"{mint} {strike}")
                add(_Base(issue.year, mint, strike, issue.variety, issue.denomination or facts.denomination,
                          issue.name or facts.name, issue.composition, issue.designations, mintage,
                          group=issue.variety))
    for var in facts.varieties:
        for year in parse_years(var.years):
            for mint in parse_mints(var.mints):
                base_key = (year, mint, var.strike, var.base)
                base = bases.get(base_key)
                template = base or _Base(year, mint, var.strike, var.base, facts.denomination, facts.name,
                                         group=var.base)
                if var.replace_base:
                    if base is None:
                        raise CatalogError(f"{facts.slug}: variety {var.names} replaces {base_key}, "
                                           "which no rule makes")
                    del bases[base_key]
                for name in var.names:
                    add(_Base(year, mint, var.strike, name, var.denomination or template.denomination,
                              var.name or template.name, var.composition or template.composition,
                              var.designations if var.designations is not None else template.designations,
                              group=template.group))
    for rule in facts.exclude:
        years = set(parse_years(rule.years))
        mints = set(parse_mints(rule.mints)) if rule.mints else None
        doomed = [
            key for key in bases
            if key[0] in years and (mints is None or key[1] in mints)
            and (not rule.strike or key[2] == rule.strike)
            and (rule.variety is None or key[3] == rule.variety)
        ]
        if not doomed:
            raise CatalogError(f"{facts.slug}: exclusion {rule.model_dump()} matches no coin")
        for key in doomed:
            del bases[key]
    return bases


def _designations(facts: SeriesFacts, base: _Base) -> list[str]:
    if base.designations is not None:
        return list(base.designations)
    found: list[str] = []
    for rule in facts.designations:
        if rule.strike != base.strike:
            continue
        if rule.years and base.year not in parse_years(rule.years):
            continue
        if rule.mints and base.mint not in parse_mints(rule.mints):
            continue
        found.extend(d for d in rule.values if d not in found)
    return found


def _composition(facts: SeriesFacts, base: _Base):
    if base.composition:
        return next(c for c in facts.composition if c.id == base.composition)
    for comp in facts.composition:
        if comp.years and base.year not in parse_years(comp.years):
            continue
        if comp.strikes and base.strike not in comp.strikes:
            continue
        if comp.mints and base.mint not in parse_mints(comp.mints):
            continue
        return comp
    raise CatalogError(f"{facts.slug}: no composition covers {base.year}-{base.mint} {base.strike}")


def _specs(facts: SeriesFacts, base: _Base, comp: Composition) -> Specs:
    for spec in facts.specs:
        if spec.composition and spec.composition != comp.id:
            continue
        if spec.years and base.year not in parse_years(spec.years):
            continue
        if spec.strikes and base.strike not in spec.strikes:
            continue
        if spec.mints and base.mint not in parse_mints(spec.mints):
            continue
        if spec.varieties and base.group not in spec.varieties and base.variety not in spec.varieties:
            continue
        return spec
    raise CatalogError(f"{facts.slug}: no specs period covers {base.year}-{base.mint} {base.strike} {base.variety}")


def designer_text(spec: Specs) -> str:
    """``"Adolph A. Weinman"`` when one artist made both sides, else ``"obverse X; reverse Y"``."""
    if spec.obverse_designer == spec.reverse_designer:
        return spec.obverse_designer
    return f"obverse {spec.obverse_designer}; reverse {spec.reverse_designer}"


def composition_text(comp: Composition) -> str:
    """The alloy as parts, largest first: ``"90% silver / 10% copper"``, with the construction after."""
    parts = " / ".join(f"{_percent(share)}% {metal}" for metal, share in
                       sorted(comp.alloy.items(), key=lambda item: (-item[1], item[0])))
    if parts and comp.construction:
        return f"{parts} ({comp.construction})"
    return parts or comp.construction


def _percent(share: Decimal) -> str:
    return format(share.normalize(), "f")  # 90 -> "90", 91.67 -> "91.67"


def date_text(year: int, mint: str, p_mark_years: set[int]) -> str:
    """How the date is written: ``1881-S``; ``1881`` for Philadelphia unless the coin shows a P."""
    return f"{year}-{mint}" if mint != "P" or year in p_mark_years else str(year)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def expand(facts: SeriesFacts) -> list[CatalogCoin]:
    """All coin entries of one series, base entries first, then their designation entries."""
    p_marks = set(parse_years(facts.p_mark_years)) if facts.p_mark_years else set()
    p_marks_by_strike = {strike: p_marks | set(parse_years(years)) for strike, years in facts.p_mark_by_strike.items()}
    mintages = _mintage_index(facts)
    key_dates = _key_date_index(facts)
    used_key_dates: set[str] = set()
    used_mintage_keys: set[str] = set()
    coins: list[CatalogCoin] = []
    bases = _base_coins(facts)
    for key in sorted(bases, key=lambda k: (k[0], _mint_order(k[1]), k[2], k[3])):
        base = bases[key]
        problem = mint_problem(base.mint, base.year, base.denomination)
        if problem:
            raise CatalogError(f"{facts.slug}: {base.year}-{base.mint}: {problem}")
        comp = _composition(facts, base)
        spec = _specs(facts, base, comp)
        oz = comp.metal_oz
        if oz is None and comp.precious and comp.fineness is not None:
            oz = (comp.weight_g * comp.fineness / TROY_OZ_G).quantize(Decimal("0.00001"), ROUND_HALF_UP)
        date = date_text(base.year, base.mint, p_marks_by_strike.get(base.strike, p_marks))
        full = _squash(facts.name_template.format(date=date, variety=base.variety, name=base.name,
                                                  denomination=base.denomination))
        word = STRIKE_WORDS[base.strike]
        if word and word.lower() not in base.variety.lower():  # "Reverse Proof" needs no second "Proof"
            full += f" {word}"
        short = _squash(f"{date} {base.denomination} {base.variety}")
        mintage = base.mintage
        if mintage is None:
            for candidate in _mintage_keys(base):
                if candidate in mintages:
                    mintage = mintages[candidate]
                    used_mintage_keys.add(candidate)
                    break
        unknown = mintage == "unknown"
        common = dict(series=facts.slug, year=base.year, mint_mark=base.mint, strike=base.strike,
                      variety=base.variety, denomination=base.denomination, metal=comp.metal,
                      weight_g=comp.weight_g, fineness=comp.fineness if comp.precious else None,
                      metal_oz=oz if comp.precious else None, precious_metal=comp.precious,
                      mintage=None if unknown else mintage, mintage_unknown=unknown,
                      **_spec_fields(spec, comp), key_date=_key_date(key_dates, base, used_key_dates))
        coins.append(CatalogCoin(designation="", full_name=full, short_name=short, **common))
        for desig in _designations(facts, base):
            coins.append(CatalogCoin(designation=desig, full_name=f"{full} {desig}",
                                     short_name=f"{short}, {desig}", **common))
    unused = set(mintages) - used_mintage_keys
    if unused:
        raise CatalogError(f"{facts.slug}: mintage keys match no coin: {sorted(unused)}")
    unused = set(key_dates) - used_key_dates
    if unused:
        raise CatalogError(f"{facts.slug}: key_dates keys match no coin: {sorted(unused)}")
    return coins


def _spec_fields(spec: Specs, comp: Composition) -> dict[str, object]:
    return {"diameter_mm": spec.diameter_mm, "edge": spec.edge, "designer": designer_text(spec),
            "composition": composition_text(comp)}


def _key_date_index(facts: SeriesFacts) -> dict[str, str]:
    """``[key_dates]`` under the normalized coin keys of ``[mintage]`` (``1916-D``, ``1895 PR``, ``1909-S VDB``)."""
    index = {}
    for key, kind in facts.key_dates.items():
        strike = key.rsplit(" ", 1)[-1] if key.endswith((" PR", " SP", " MS")) else None
        match = _MINTAGE_KEY.match(key[:-3] if strike else key)
        if not match:
            raise CatalogError(f"{facts.slug}: bad key_dates key {key!r} (e.g. '1916-D', '1895 PR', '1909-S VDB')")
        year, mint, variety = match.groups()
        index[f"{year}-{mint or 'P'}|{variety or ''}|{strike or 'MS'}"] = kind
    return index


def _key_date(index: dict[str, str], base: _Base, used: set[str]) -> str | None:
    for candidate in _mintage_keys(base):
        if candidate in index:
            used.add(candidate)
            return index[candidate]
    return None


_MINT_ORDER = ("P", "C", "CC", "D", "O", "S", "W")


def _mint_order(mint: str) -> int:
    return _MINT_ORDER.index(mint) if mint in _MINT_ORDER else 99


def _mintage_index(facts: SeriesFacts) -> dict[str, int | str]:
    index = {}
    for key, value in facts.mintage.items():
        strike = key.rsplit(" ", 1)[-1] if key.endswith((" PR", " SP", " MS")) else None
        match = _MINTAGE_KEY.match(key[:-3] if strike else key)
        if not match:
            raise CatalogError(f"{facts.slug}: bad mintage key {key!r} (e.g. '1881-S', '1895 PR', '1909-S VDB')")
        year, mint, variety = match.groups()
        norm = f"{year}-{mint or 'P'}|{variety or ''}|{strike or 'MS'}"
        if norm in index:
            raise CatalogError(f"{facts.slug}: mintage for {key!r} given twice")
        if value != "unknown" and value <= 0:
            raise CatalogError(f"{facts.slug}: mintage for {key!r} must be positive or \"unknown\"")
        index[norm] = value
    return index


def _mintage_keys(base: _Base) -> list[str]:
    return [f"{base.year}-{base.mint}|{base.variety}|{base.strike}"]


@lru_cache(maxsize=1)
def load_all_facts() -> dict[str, SeriesFacts]:
    return {slug: parse_facts(slug, text) for slug, text in sorted(data_files().items())}


@lru_cache(maxsize=1)
def _catalog() -> tuple[CatalogCoin, ...]:
    facts = load_all_facts()
    coins: list[CatalogCoin] = []
    for info in all_series():
        if info.slug in facts:
            coins.extend(expand(facts[info.slug]))
    seen: set = set()
    for coin in coins:
        if coin.natural_key in seen:
            raise CatalogError(f"duplicate natural key {coin.natural_key}")
        seen.add(coin.natural_key)
    return tuple(coins)


def load_catalog(slugs: list[str] | None = None) -> list[CatalogCoin]:
    """Every entry of the built-in catalog (optionally of some series), in series order."""
    coins = _catalog()
    if slugs is None:
        return list(coins)
    wanted = set(slugs)
    return [c for c in coins if c.series in wanted]
