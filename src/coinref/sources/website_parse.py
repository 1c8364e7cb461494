"""Reading PCGS website pages through selector fallback chains kept as data (selectors.toml).

A page has a *kind* (price guide, lookup table, CoinFacts series list, coin page). Each kind lists
the layouts it knows as row selectors, and for each field an ordered chain of extractors; the
first entry that matches wins (see the comments in selectors.toml for the format). Parsing one
page:

1. choose the layout: the first row selector that finds rows (header rows, when the layout has
   them, are read in document order so each row knows the header above it);
2. per row, read each field through its chain and the prices through the first price reader
   that yields any (header columns, self-labelled cells, or grade/price rows);
3. count, per page, which entry matched for each field (``<kind>.<field>=<entry name>``), so a
   layout change shows up as a shift in the run's stats.

A page where no layout finds rows, or where no row yields a PCGS number and a description, is a
:class:`ParseFailure` naming the URL: never an empty result. ``parse_page`` is pure: it neither
fetches nor knows the catalog.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from coinref.catalog.grades import parse_grade
from coinref.errors import CoinrefError, UpstreamError
from coinref.sources.descriptions import normalize_designation, strike_from_prefix

REQUIRED_FIELDS = ("pcgs_number", "description")


class ParseFailure(UpstreamError):
    """A page matched none of the known layouts: a layout change, or not a page of that kind."""

    kind = "parse_failure"


# --- the chains, as loaded from selectors.toml ------------------------------------------------


@dataclass(frozen=True)
class Extractor:
    name: str
    css: str = ""
    attr: str | None = None
    pattern: re.Pattern | None = None

    @classmethod
    def from_data(cls, data: dict) -> Extractor:
        pattern = data.get("pattern")
        return cls(name=data["name"], css=data.get("css", ""), attr=data.get("attr"),
                   pattern=re.compile(pattern) if pattern else None)

    def read(self, node: LexborNode) -> str | None:
        """The value inside ``node``, or None when this extractor does not match there."""
        target = node.css_first(self.css) if self.css else node
        if target is None:
            return None
        value = target.attributes.get(self.attr) if self.attr else target.text(separator=" ", strip=True)
        value = " ".join((value or "").split())
        if not value:
            return None
        if self.pattern is not None:
            match = self.pattern.search(value)
            if match is None:
                return None
            value = (match.group(1) if match.groups() else match.group(0)).strip()
        return value or None


@dataclass(frozen=True)
class RowLayout:
    name: str
    css: str
    header: str | None = None


@dataclass(frozen=True)
class PriceReader:
    name: str
    mode: str  # columns | cells | rows
    css: str = ""
    grade_attr: str | None = None
    grade: Extractor | None = None
    price: Extractor | None = None

    @classmethod
    def from_data(cls, data: dict) -> PriceReader:
        mode = data["mode"]
        if mode not in ("columns", "cells", "rows"):
            raise ValueError(f"price reader {data['name']!r}: unknown mode {mode!r}")
        return cls(name=data["name"], mode=mode, css=data.get("css", ""), grade_attr=data.get("grade_attr"),
                   grade=Extractor.from_data(data["grade"]) if "grade" in data else None,
                   price=Extractor.from_data(data["price"]) if "price" in data else None)


@dataclass(frozen=True)
class KindChains:
    kind: str
    rows: tuple[RowLayout, ...]
    fields: dict[str, tuple[Extractor, ...]]
    prices: tuple[PriceReader, ...]


@dataclass(frozen=True)
class Chains:
    kinds: tuple[str, ...]
    by_kind: dict[str, KindChains]
    page_fields: dict[str, tuple[Extractor, ...]]
    pages: dict

    def describe(self) -> dict[str, dict[str, list[str]]]:
        """Every kind's chains by entry name (for ``coinref scrape --verify`` and the docs)."""
        out = {}
        for kind, chains in self.by_kind.items():
            out[kind] = {"rows": [r.name for r in chains.rows], "prices": [p.name for p in chains.prices]}
            out[kind].update({name: [e.name for e in chain] for name, chain in chains.fields.items()})
        return out


def chains_from_data(data: dict) -> Chains:
    by_kind = {}
    for kind in data["kinds"]:
        section = data[kind]
        by_kind[kind] = KindChains(
            kind=kind,
            rows=tuple(RowLayout(r["name"], r["css"], r.get("header")) for r in section["rows"]),
            fields={name: tuple(Extractor.from_data(e) for e in chain) for name, chain in section["fields"].items()},
            prices=tuple(PriceReader.from_data(p) for p in section.get("prices", [])),
        )
    page_fields = {name: tuple(Extractor.from_data(e) for e in chain) for name, chain in data.get("page", {}).items()}
    return Chains(tuple(data["kinds"]), by_kind, page_fields, data.get("pages", {}))


@lru_cache(maxsize=4)
def load_chains(path: str | None = None) -> Chains:
    """The chains from ``path``, or the packaged selectors.toml."""
    if path is None:
        text = resources.files("coinref.sources").joinpath("selectors.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return chains_from_data(tomllib.loads(text))


# --- what a page yields -----------------------------------------------------------------------


@dataclass(frozen=True)
class GradePrice:
    grade: int
    plus: bool
    price: Decimal
    label: str  # as the page wrote it ("MS65", "64+")


@dataclass
class ScrapedRow:
    pcgs_number: int
    description: str
    designation: str = ""
    strike: str | None = None  # from the grade prefixes around the row (a "PR65" header), if any
    mintage: int | None = None
    ngc_number: str | None = None
    denomination: str | None = None
    variety: str | None = None
    prices: list[GradePrice] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)  # the raw field values, for quarantine


@dataclass
class ScrapedPage:
    url: str
    kind: str
    layout: str
    rows: list[ScrapedRow]
    series_title: str | None = None
    matched: Counter = field(default_factory=Counter)  # "<kind>.<field>=<entry>" -> 1 per page
    skipped_rows: int = 0

    def stats(self, prefix: str = "coinfacts") -> dict[str, int]:
        out = {f"{prefix}:{key}": n for key, n in self.matched.items()}
        out[f"{prefix}:pages"] = 1
        if self.skipped_rows:
            out[f"{prefix}:rows_skipped"] = self.skipped_rows
        return out


# --- values -----------------------------------------------------------------------------------

_PRICE = re.compile(r"^\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?\s*$")
_NUMBER = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)$")


def parse_price(text: str | None) -> Decimal | None:
    """A price cell as Decimal; None for blanks, dashes, "N/A" and 0 (PCGS's "no price")."""
    if not text:
        return None
    match = _PRICE.match(text.strip())
    if not match:
        return None
    try:
        value = Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
    except InvalidOperation:
        return None
    return value if value > 0 else None


def parse_count(text: str | None) -> int | None:
    """A mintage ("484,000") as int; None for "Unknown", "(Included above)" and the like."""
    if not text:
        return None
    cleaned = text.strip().split()[0] if text.strip() else ""
    return int(cleaned.replace(",", "")) if _NUMBER.match(cleaned) else None


def read_grade(label: str | None) -> tuple[int, bool, str] | None:
    """(grade, plus, strike prefix or "") from a header or cell label; None when it is no grade."""
    if not label:
        return None
    try:
        parsed = parse_grade(label.strip())
    except CoinrefError:
        return None
    return parsed.number, parsed.plus, strike_from_prefix(parsed.prefix) or ""


# --- parsing ----------------------------------------------------------------------------------


def _cells(row: LexborNode) -> list[LexborNode]:
    return [child for child in row.iter() if child.tag in ("td", "th")]


def _read_chain(chain: tuple[Extractor, ...], node: LexborNode) -> tuple[str | None, str | None]:
    for extractor in chain:
        value = extractor.read(node)
        if value is not None:
            return value, extractor.name
    return None, None


def _header_labels(header: LexborNode) -> list[str]:
    return [" ".join(c.text(separator=" ", strip=True).split()) for c in _cells(header)]


def _prices(readers: tuple[PriceReader, ...], row: LexborNode, header: list[str] | None):
    """(prices, strike, reader name) from the first reader that finds priced grades."""
    for reader in readers:
        pairs: list[tuple[str, str | None]] = []
        if reader.mode == "columns":
            if header is None:
                continue
            cells = _cells(row)
            pairs = [(label, cells[i].text(strip=True) if i < len(cells) else None) for i, label in enumerate(header)]
        elif reader.mode == "cells":
            pairs = [(cell.attributes.get(reader.grade_attr or "") or "", cell.text(strip=True))
                     for cell in row.css(reader.css)]
        else:
            for node in row.css(reader.css):
                pairs.append((reader.grade.read(node) if reader.grade else "", reader.price.read(node)
                              if reader.price else None))
        strikes = set()
        prices = []
        graded_columns = 0
        for label, text in pairs:
            grade = read_grade(label)
            if grade is None:
                continue
            graded_columns += 1
            number, plus, strike = grade
            if strike:
                strikes.add(strike)
            price = parse_price(text)
            if price is not None:
                prices.append(GradePrice(number, plus, price, label))
        if graded_columns:
            strike = strikes.pop() if len(strikes) == 1 else None
            return prices, strike, reader.name
    return [], None, None


def _rows_in_order(tree: LexborHTMLParser, layout: RowLayout) -> list[tuple[LexborNode, list[str] | None]]:
    """The layout's rows, each with the header labels above it (when the layout has headers)."""
    if not layout.header:
        return [(node, None) for node in tree.css(layout.css)]
    header_ids = {node.mem_id for node in tree.css(layout.header)}
    rows, header = [], None
    for node in tree.css(f"{layout.css}, {layout.header}"):
        if node.mem_id in header_ids:
            header = _header_labels(node)
        else:
            rows.append((node, header))
    return rows


def _parse_kind(tree: LexborHTMLParser, url: str, chains: KindChains) -> ScrapedPage | None:
    """The page read as this kind, or None when none of its layouts finds rows."""
    for layout in chains.rows:
        found = _rows_in_order(tree, layout)
        if not found:
            continue
        page = ScrapedPage(url=url, kind=chains.kind, layout=layout.name, rows=[])
        page.matched[f"{chains.kind}.rows={layout.name}"] = 1
        used: set[str] = set()
        for node, header in found:
            values: dict[str, str] = {}
            for name, chain in chains.fields.items():
                value, entry = _read_chain(chain, node)
                if value is not None:
                    values[name] = value
                    used.add(f"{chains.kind}.{name}={entry}")
            if any(name not in values for name in REQUIRED_FIELDS):
                page.skipped_rows += 1
                continue
            prices, strike, reader = _prices(chains.prices, node, header)
            if reader is not None and prices:
                used.add(f"{chains.kind}.prices={reader}")
            page.rows.append(ScrapedRow(
                pcgs_number=int(values["pcgs_number"]), description=values["description"],
                designation=normalize_designation(values.get("designation")), strike=strike,
                mintage=parse_count(values.get("mintage")), ngc_number=values.get("ngc_number"),
                denomination=values.get("denomination"), variety=values.get("variety"), prices=prices, cells=values,
            ))
        for key in used:
            page.matched[key] += 1
        return page
    return None


def parse_page(html: str, url: str, kind: str | None = None, chains: Chains | None = None) -> ScrapedPage:
    """Read a page of the given kind (or of the first kind that fits, in ``chains.kinds`` order).

    Raises :class:`ParseFailure` with the URL when nothing matched.
    """
    chains = chains or load_chains()
    if kind is not None and kind not in chains.by_kind:
        raise ValueError(f"unknown page kind {kind!r}")
    tree = LexborHTMLParser(html or "")
    tried = [kind] if kind else list(chains.kinds)
    partial: ScrapedPage | None = None
    for name in tried:
        page = _parse_kind(tree, url, chains.by_kind[name])
        if page is None:
            continue
        if page.rows:
            title, entry = _read_chain(chains.page_fields.get("series_title", ()), tree.root or tree.body)
            page.series_title = title
            if entry:
                page.matched[f"page.series_title={entry}"] += 1
            return page
        partial = partial or page
    if partial is not None:
        raise ParseFailure(
            f"{url}: the {partial.kind} layout {partial.layout!r} found {partial.skipped_rows} rows but no PCGS "
            "number and description in any of them (a layout change?)", url=url)
    layouts = "; ".join(f"{name}: {', '.join(r.name for r in chains.by_kind[name].rows)}" for name in tried)
    raise ParseFailure(f"{url}: no known layout matched ({layouts})", url=url)
