"""The data-quality report (``coinref validate``): checks, coverage, safe repairs, Markdown.

:func:`validate_database` reads every coin (of one series, or all) once and runs the checks of
:data:`CHECKS`. Each check has a severity:

* **error**: a real defect: a required field missing, a year outside the series, a mint mark
  that is unknown or impossible for the year and metal (:func:`coinref.catalog.rules.mint_problem`),
  a denomination the series never used, two coins with the same natural key once mint marks and
  names are normalized, two coins with one PCGS number, a coin missing from the search index, a
  stored price the price rules refuse (:func:`coinref.store.prices.price_problem`: amount out of
  range or with more than two decimals; an observation day in the future or before the coin's year).
  Errors make the command exit 6.
* **warning**: worth a look, not a defect: names with stray whitespace, prices older than
  :data:`STALE_AFTER_DAYS` days, catalog coins missing from the database, and a PCGS mintage
  (the ``pcgs_mintage`` fact the enrichment keeps) more than :data:`MINTAGE_TOLERANCE` away from the
  built-in catalog's figure, or a PCGS figure where the catalog says none was published. The
  catalog's figure stays on the coin; the report is the place the disagreement shows.
* **info**: counts that are normal on a fresh catalog (no PCGS numbers, no prices yet; coins
  from other sources than the catalog).

Coverage compares each series with the built-in catalog: how many of the coins that exist the
database holds, how many of those have a PCGS number (claimed, or verified by a PCGS answer), how
many numbers PCGS answered for another coin (rejected), how many coins PCGS knows that the catalog
lacks (catalog gaps, found by ``populate --source pcgs-discover``) and how many have a price.

:func:`fix_database` repairs what is safe: it normalizes mint marks (``s`` -> ``S``, blank ->
``P``) and whitespace in names, never where that would collide with another coin, and rebuilds
the search index; it returns what it changed.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine, func, select

from coinref.catalog.builtin import load_catalog
from coinref.catalog.model import STRIKES, CatalogCoin
from coinref.catalog.rules import MINT_YEARS, mint_problem
from coinref.catalog.series import select_series
from coinref.search import rebuild_search_index
from coinref.search.backends import backend_for
from coinref.store.db import session_scope
from coinref.store.models import Coin, PriceObservation, Series
from coinref.store.prices import observation_day_problem, price_problem
from coinref.timeutil import utcnow

STALE_AFTER_DAYS = 30
MINTAGE_TOLERANCE = 0.01  # a PCGS mintage further than this share from the catalog's is reported
ERROR, WARNING, INFO = "error", "warning", "info"

CHECKS: dict[str, tuple[str, str]] = {
    "missing_field": (ERROR, "required fields missing"),
    "year_outside_series": (ERROR, "years outside the series"),
    "impossible_mint": (ERROR, "unknown or impossible mint marks"),
    "unknown_denomination": (ERROR, "denominations the series never used"),
    "duplicate_natural_key": (ERROR, "duplicate natural keys"),
    "duplicate_pcgs_number": (ERROR, "duplicate PCGS numbers"),
    "not_in_search_index": (ERROR, "coins missing from the search index"),
    "impossible_price": (ERROR, "stored prices that are impossible (amount, decimals or day)"),
    "unnormalized_name": (WARNING, "names or mint marks not normalized"),
    "stale_price": (WARNING, f"latest price older than {STALE_AFTER_DAYS} days"),
    "missing_from_database": (WARNING, "catalog coins missing from the database"),
    "mintage_disagrees": (WARNING, "PCGS mintages that disagree with the catalog's"),
    "no_price": (INFO, "coins without any price"),
    "no_pcgs_number": (INFO, "coins without a PCGS number"),
    "not_in_catalog": (INFO, "coins not in the built-in catalog"),
    "pcgs_number_rejected": (INFO, "PCGS numbers PCGS answered for another coin (detached)"),
    "pcgs_catalog_gap": (INFO, "coins PCGS knows that the catalog lacks (found by pcgs-discover)"),
    "pcgs_ambiguous_answer": (INFO, "PCGS answers that match several catalog coins (for review)"),
}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Problem:
    check: str
    message: str
    coin_id: int | None = None
    series: str | None = None
    coin: str | None = None

    @property
    def severity(self) -> str:
        return CHECKS[self.check][0]


@dataclass
class Coverage:
    series: str
    catalog: int = 0
    present: int = 0
    with_pcgs: int = 0
    with_price: int = 0
    extra: int = 0
    claimed: int = 0  # PCGS numbers not answered for yet
    verified: int = 0
    rejected: int = 0
    catalog_gaps: int = 0

    @property
    def percent(self) -> float:
        return round(100.0 * self.present / self.catalog, 1) if self.catalog else 100.0


@dataclass
class ValidationReport:
    generated_at: datetime
    database: str
    series: str | None
    coins: int
    problems: list[Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # per check, listed or not
    coverage: list[Coverage] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(n for check, n in self.counts.items() if CHECKS[check][0] == severity)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def warnings(self) -> int:
        return self.count(WARNING)

    def summary(self) -> list[dict[str, object]]:
        return [{"check": check, "severity": severity, "description": text, "count": self.counts.get(check, 0)}
                for check, (severity, text) in CHECKS.items()]

    def as_dict(self, *, full: bool = False) -> dict[str, object]:
        out: dict[str, object] = {
            "generated_at": self.generated_at,
            "database": self.database,
            "series": self.series,
            "coins": self.coins,
            "errors": self.errors,
            "warnings": self.warnings,
            "summary": self.summary(),
            "coverage": [asdict(c) | {"percent": c.percent} for c in self.coverage],
        }
        if full:
            out["problems"] = [asdict(p) | {"severity": p.severity} for p in self.problems]
        return out


@dataclass
class _CoinView:
    id: int
    series: str
    year: int
    mint_mark: str
    strike: str
    variety: str
    designation: str
    denomination: str
    full_name: str
    short_name: str
    pcgs_number: int | None
    pcgs_state: str | None = None
    pcgs_note: str | None = None

    @property
    def label(self) -> str:
        return self.full_name or f"{self.year}-{self.mint_mark} {self.variety} {self.designation}".strip()


def _norm_text(value: str) -> str:
    return _SPACES.sub(" ", value or "").strip()


def _norm_mint(value: str) -> str:
    mint = (value or "").strip().upper()
    return mint or "P"


def _natural_key(coin: _CoinView, normalized: bool) -> tuple:
    if not normalized:
        return (coin.series, coin.year, coin.mint_mark, coin.strike, coin.variety, coin.designation)
    return (coin.series, coin.year, _norm_mint(coin.mint_mark), (coin.strike or "").strip().upper(),
            _norm_text(coin.variety).casefold(), _norm_text(coin.designation).upper())


def _load_coins(engine: Engine, series: str | None) -> list[_CoinView]:
    with session_scope(engine, read_only=True) as session:
        query = select(Coin.id, Series.slug, Coin.year, Coin.mint_mark, Coin.strike, Coin.variety, Coin.designation,
                       Coin.denomination, Coin.full_name, Coin.short_name, Coin.pcgs_number, Coin.pcgs_state,
                       Coin.pcgs_note).join(Series)
        if series:
            query = query.where(Series.slug == series)
        return [_CoinView(*row) for row in session.execute(query.order_by(Coin.id))]


def _series_bounds(engine: Engine) -> dict[str, tuple[int, int | None, str]]:
    with session_scope(engine, read_only=True) as session:
        return {slug: (first, last, denom) for slug, first, last, denom in
                session.execute(select(Series.slug, Series.first_year, Series.last_year, Series.denomination))}


def _price_days(engine: Engine) -> dict[int, date]:
    with session_scope(engine, read_only=True) as session:
        rows = session.execute(select(PriceObservation.coin_id, func.max(PriceObservation.observed_on))
                               .group_by(PriceObservation.coin_id))
        return {coin_id: day for coin_id, day in rows}


def _field_problems(coin: _CoinView, bounds, catalog_denoms) -> list[Problem]:
    found: list[Problem] = []
    where = {"coin_id": coin.id, "series": coin.series, "coin": coin.label}
    missing = [name for name in ("full_name", "denomination", "mint_mark") if not (getattr(coin, name) or "").strip()]
    if coin.strike not in STRIKES:
        missing.append(f"strike (got {coin.strike!r})")
    if not coin.year:
        missing.append("year")
    if missing:
        found.append(Problem("missing_field", "missing or invalid: " + ", ".join(missing), **where))
    first, last, registry_denoms = bounds.get(coin.series, (None, None, ""))
    if first is not None and coin.year and not (first <= coin.year <= (last or date.today().year + 1)):
        found.append(Problem("year_outside_series",
                             f"year {coin.year} is outside the series ({first}-{last or 'present'})", **where))
    if coin.year and (coin.mint_mark or "").strip():
        problem = mint_problem(coin.mint_mark, coin.year, coin.denomination or None)
        if problem:
            found.append(Problem("impossible_mint", problem, **where))
    allowed = set(catalog_denoms.get(coin.series, set()))
    if registry_denoms and registry_denoms != "various":
        allowed |= set(registry_denoms.split())
    if coin.denomination and allowed and coin.denomination not in allowed:
        found.append(Problem("unknown_denomination",
                             f"denomination {coin.denomination!r} is not one of {', '.join(sorted(allowed))}", **where))
    if (_norm_text(coin.full_name) != coin.full_name or _norm_text(coin.variety) != coin.variety
            or _norm_text(coin.short_name) != coin.short_name):
        found.append(Problem("unnormalized_name", "stray whitespace in the name or variety", **where))
    elif coin.mint_mark and coin.mint_mark != _norm_mint(coin.mint_mark) and _norm_mint(coin.mint_mark) in MINT_YEARS:
        found.append(Problem("unnormalized_name", f"mint mark {coin.mint_mark!r} should be "
                             f"{_norm_mint(coin.mint_mark)!r}", **where))
    return found


def _duplicates(coins: list[_CoinView]) -> list[Problem]:
    found = []
    by_key: dict[tuple, list[_CoinView]] = defaultdict(list)
    by_pcgs: dict[int, list[_CoinView]] = defaultdict(list)
    for coin in coins:
        by_key[_natural_key(coin, normalized=True)].append(coin)
        if coin.pcgs_number is not None:
            by_pcgs[coin.pcgs_number].append(coin)
    for group in by_key.values():
        if len(group) > 1:
            ids = ", ".join(f"#{c.id}" for c in group)
            for coin in group:
                found.append(Problem("duplicate_natural_key", f"same series, date, mint, strike, variety and "
                                     f"designation as coins {ids}", coin.id, coin.series, coin.label))
    for number, group in by_pcgs.items():
        if len(group) > 1:
            ids = ", ".join(f"#{c.id}" for c in group)
            for coin in group:
                found.append(Problem("duplicate_pcgs_number", f"PCGS number {number} is shared by coins {ids}",
                                     coin.id, coin.series, coin.label))
    return found


def validate_database(engine: Engine, *, series: str | None = None, today: date | None = None) -> ValidationReport:
    """Run every check over the database (or one series) and measure coverage against the catalog."""
    slugs = [s.slug for s in select_series(None, [series] if series else None)]
    today = today or date.today()
    coins = _load_coins(engine, series)
    bounds = _series_bounds(engine)
    catalog = load_catalog(slugs)
    catalog_denoms: dict[str, set[str]] = defaultdict(set)
    for entry in catalog:
        catalog_denoms[entry.series].add(entry.denomination)
    prices = _price_days(engine)
    report = ValidationReport(utcnow(), engine.url.render_as_string(hide_password=True), series, len(coins))

    def add(problem: Problem) -> None:
        report.problems.append(problem)
        report.counts[problem.check] += 1

    for coin in coins:
        for problem in _field_problems(coin, bounds, catalog_denoms):
            add(problem)
        day = prices.get(coin.id)
        if day is None:
            report.counts["no_price"] += 1
        elif (today - day).days > STALE_AFTER_DAYS:
            add(Problem("stale_price", f"latest price is from {day.isoformat()}", coin.id, coin.series, coin.label))
        if coin.pcgs_number is None:
            report.counts["no_pcgs_number"] += 1
    for problem in _duplicates(coins):
        add(problem)
    for problem in _price_problems(engine, coins, today):
        add(problem)
    _index_problems(engine, coins, add)
    _mintage_problems(engine, coins, catalog, add)
    _coverage(report, coins, catalog, prices, slugs, add)
    for coin in coins:
        if coin.pcgs_state == "rejected":
            add(Problem("pcgs_number_rejected", coin.pcgs_note or "rejected", coin.id, coin.series, coin.label))
    _discovery_findings(engine, report, {c.series: c for c in report.coverage}, add)
    return report


def _price_problems(engine: Engine, coins: list[_CoinView], today: date) -> list[Problem]:
    """Stored observations the price rules (store/prices.py) would refuse today."""
    wanted = {c.id: c for c in coins}
    with session_scope(engine, read_only=True) as session:
        rows = session.execute(select(PriceObservation.id, PriceObservation.coin_id, PriceObservation.price,
                                      PriceObservation.observed_on, PriceObservation.grade, PriceObservation.source))
        found = []
        for obs_id, coin_id, price, day, grade, source in rows:
            coin = wanted.get(coin_id)
            if coin is None:
                continue
            problem = price_problem(price) or observation_day_problem(day, coin_year=coin.year, today=today)
            if problem:
                found.append(Problem("impossible_price", f"price #{obs_id} ({source}, grade {grade}): {problem}",
                                     coin.id, coin.series, coin.label))
    return found


def mintage_disagreement(catalog: CatalogCoin, pcgs: int) -> str | None:
    """Why PCGS's mintage disagrees with the catalog entry's, or None when it does not (or cannot)."""
    if catalog.mintage_unknown:
        return f"PCGS gives a mintage of {pcgs:,}; the catalog says none was published"
    if catalog.mintage is None or abs(pcgs - catalog.mintage) <= MINTAGE_TOLERANCE * catalog.mintage:
        return None
    share = 100.0 * (pcgs - catalog.mintage) / catalog.mintage
    return f"PCGS gives a mintage of {pcgs:,}, the catalog {catalog.mintage:,} ({share:+.1f}%)"


def _mintage_problems(engine: Engine, coins: list[_CoinView], catalog, add) -> None:
    by_key = {entry.natural_key: entry for entry in catalog}
    wanted = {c.id: c for c in coins}
    with session_scope(engine, read_only=True) as session:
        rows = session.execute(select(Coin.id, Coin.facts).where(Coin.enriched_at.is_not(None))).all()
    for coin_id, facts in rows:
        coin = wanted.get(coin_id)
        pcgs = (facts or {}).get("pcgs_mintage")
        entry = by_key.get(_natural_key(coin, normalized=False)) if coin is not None else None
        if entry is None or not isinstance(pcgs, int) or pcgs <= 0:
            continue
        message = mintage_disagreement(entry, pcgs)
        if message:
            add(Problem("mintage_disagrees", message, coin.id, coin.series, coin.label))


def _index_problems(engine: Engine, coins: list[_CoinView], add) -> None:
    wanted = {c.id: c for c in coins}
    backend = backend_for(engine)
    with engine.connect() as conn:
        missing = [coin_id for coin_id in backend.unindexed_ids(conn) if coin_id in wanted]
        consistent = backend.index_consistent(conn)
    for coin_id in missing:
        coin = wanted[coin_id]
        add(Problem("not_in_search_index", "not in the search index (run with --fix)", coin.id, coin.series,
                    coin.label))
    if not missing and not consistent:
        add(Problem("not_in_search_index", "the search index is out of date (run with --fix)"))


def _coverage(report: ValidationReport, coins: list[_CoinView], catalog, prices: dict[int, date], slugs: list[str],
              add) -> None:
    present: dict[tuple, _CoinView] = {_natural_key(c, normalized=False): c for c in coins}
    per_series = {slug: Coverage(slug) for slug in slugs}
    catalog_keys = set()
    for entry in catalog:
        key = entry.natural_key
        catalog_keys.add(key)
        cov = per_series[entry.series]
        cov.catalog += 1
        coin = present.get(key)
        if coin is None:
            add(Problem("missing_from_database", "in the built-in catalog but not in the database",
                        series=entry.series, coin=entry.full_name))
            continue
        cov.present += 1
        cov.with_pcgs += coin.pcgs_number is not None
        cov.with_price += coin.id in prices
        cov.claimed += coin.pcgs_number is not None and coin.pcgs_state != "verified"
        cov.verified += coin.pcgs_number is not None and coin.pcgs_state == "verified"
        cov.rejected += coin.pcgs_state == "rejected"
    for key, coin in present.items():
        if key not in catalog_keys and coin.series in per_series:
            per_series[coin.series].extra += 1
            report.counts["not_in_catalog"] += 1
    report.coverage = [c for c in per_series.values() if c.catalog or c.extra]


def _discovery_findings(engine: Engine, report: ValidationReport, per_series: dict[str, Coverage], add) -> None:
    """Catalog gaps and ambiguous answers the discovery kept (``pcgs_probes``)."""
    from coinref.pipeline.discover import discovery_findings

    with session_scope(engine) as session:
        found = discovery_findings(session, report.series)
    for check, kind in (("pcgs_catalog_gap", "gap"), ("pcgs_ambiguous_answer", "ambiguous")):
        for item in found[kind]:
            slug = item["series"] or None
            if report.series and slug != report.series:
                continue
            if kind == "gap" and slug in per_series:
                per_series[slug].catalog_gaps += 1
            add(Problem(check, f"PCGS #{item['pcgs_number']} answers {item['name']!r}", None, slug, item["name"]))


@dataclass
class FixResult:
    changes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def fix_database(engine: Engine, *, series: str | None = None) -> FixResult:
    """Normalize mint marks and names where that is safe, rebuild the search index; say what changed."""
    result = FixResult()
    coins = _load_coins(engine, series)
    taken = {_natural_key(c, normalized=False): c.id for c in _load_coins(engine, None)}
    updates: dict[int, dict[str, str]] = {}
    for coin in coins:
        values = {
            "mint_mark": _norm_mint(coin.mint_mark) if _norm_mint(coin.mint_mark) in MINT_YEARS else coin.mint_mark,
            "full_name": _norm_text(coin.full_name),
            "short_name": _norm_text(coin.short_name),
            "variety": _norm_text(coin.variety),
            "designation": _norm_text(coin.designation).upper(),
        }
        changed = {k: v for k, v in values.items() if v != getattr(coin, k)}
        if not changed:
            continue
        old_key = _natural_key(coin, normalized=False)
        new_key = (coin.series, coin.year, values["mint_mark"], coin.strike, values["variety"], values["designation"])
        if new_key != old_key and taken.get(new_key, coin.id) != coin.id:
            result.skipped.append(f"coin #{coin.id} ({coin.label}): normalizing would duplicate coin "
                                  f"#{taken[new_key]}; merge them by hand")
            continue
        taken.pop(old_key, None)
        taken[new_key] = coin.id
        updates[coin.id] = changed
        for name, value in changed.items():
            result.changes.append(f"coin #{coin.id}: {name.replace('_', ' ')} {getattr(coin, name)!r} -> {value!r}")
    if updates:
        with session_scope(engine) as session:
            for coin_id, changed in updates.items():
                row = session.get(Coin, coin_id)
                for name, value in changed.items():
                    setattr(row, name, value)
    with engine.connect() as conn:
        missing = len(backend_for(engine).unindexed_ids(conn))
    rebuild_search_index(engine)
    result.changes.append(f"rebuilt the search index ({missing} coins were missing or out of date)")
    return result


def render_markdown(report: ValidationReport, fixes: FixResult | None = None, *, full: bool = True) -> str:
    """The report as Markdown (``--export``)."""
    lines = [
        f"# coinref validation report, {report.generated_at:%Y-%m-%d}",
        "",
        f"- database: `{report.database}`",
        f"- series: {report.series or 'all'}",
        f"- coins checked: {report.coins}",
        f"- errors: {report.errors}, warnings: {report.warnings}",
        "",
        "## Summary",
        "",
        "| check | severity | count |",
        "|---|---|---:|",
    ]
    lines += [f"| {row['description']} | {row['severity']} | {row['count']} |" for row in report.summary()]
    if fixes is not None:
        lines += ["", "## Repairs", ""] + [f"- {c}" for c in fixes.changes] + [f"- skipped: {s}" for s in fixes.skipped]
    lines += ["", "## Coverage against the built-in catalog", "",
              "| series | catalog | in database | % | with PCGS number | claimed | verified | rejected | "
              "catalog gaps | with price | not in catalog |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {c.series} | {c.catalog} | {c.present} | {c.percent} | {c.with_pcgs} | {c.claimed} | {c.verified} | "
              f"{c.rejected} | {c.catalog_gaps} | {c.with_price} | {c.extra} |" for c in report.coverage]
    if full and report.problems:
        lines += ["", "## Problems", ""]
        for check, (severity, text) in CHECKS.items():
            listed = [p for p in report.problems if p.check == check]
            if not listed:
                continue
            lines += [f"### {text} ({severity}, {len(listed)})", ""]
            for p in listed:
                where = f"#{p.coin_id} " if p.coin_id is not None else ""
                lines.append(f"- {where}{p.coin or ''} ({p.series or '-'}): {p.message}".replace("  ", " "))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
