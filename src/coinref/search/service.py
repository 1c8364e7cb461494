"""``search_coins``: parse, gather candidates, rank, record the lookup. The CLI and the API call this.

Candidates are gathered along a relaxation ladder. Each rung is a set of structured filters made
from the intent (year, series, mint, denomination), strictest first:

    year+series+mint  ->  year+series  ->  year+mint  ->  year  ->  series+mint  ->  series
    ->  denomination+mint  ->  denomination

The first rung that yields coins wins. On a rung that names a year (a few hundred coins), the
structured query fetches up to :data:`STRUCTURED_CAP` coins in prior order, those whose name
holds the variety words first (a pattern test per coin is cheap at that size). A rung without a
year can hold tens of thousands of coins: the variety words go to the full-text index first,
and without them only the plain coins (no variety, the asked-for or base designation and strike)
are fetched, falling back to all coins when there are none. Denominations without a series
become the series that use them, so such rungs read the series index rather than the table. A query
with no structured part goes to full text directly, and when full text finds nothing for words
no coin name uses, the trigram index proposes look-alikes. The ranking then orders the pool.

A PCGS number is looked up directly and joins the pool. The caller's ``series`` and ``year``
arguments are hard filters on every rung.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import Engine

from coinref.catalog.series import all_series, series_by_slug
from coinref.errors import InvalidInput
from coinref.search.backends import COLUMNS, Filters, Preference, SearchBackend, backend_for, like_patterns
from coinref.search.parser import QueryIntent, parse_query
from coinref.search.popularity import record_lookup
from coinref.search.ranking import Ranker
from coinref.store.coins import EXPORT_FIELDS, export_mintage

STRUCTURED_CAP = 100
FULLTEXT_CAP = 100
FUZZY_CAP = 50
MAX_LIMIT = 100


@dataclass
class SearchResult:
    """The query as given, what it was understood to ask, and the coins found, best first."""

    query: str
    intent: QueryIntent
    results: list[dict[str, object]] = field(default_factory=list)
    total: int = 0  # hits ranked; ``results`` is the page ``offset:offset+limit`` of them

    def as_dict(self) -> dict[str, object]:
        return {"query": self.query, "intent": self.intent.as_dict(), "results": self.results}


def _denomination_series(denominations: tuple[str, ...], ids: dict[str, int]) -> tuple[int, ...]:
    """Series that can hold coins of these denominations: lets a rung without a year use the series index."""
    wanted = set(denominations)
    return tuple(ids[s.slug] for s in all_series() if s.slug in ids
                 and (s.denomination == "various" or wanted & set(s.denomination.split())))


def _ladder(intent: QueryIntent, series_ids: tuple[int, ...], denomination_ids: tuple[int, ...]) -> list[Filters]:
    years, mint = intent.years, intent.mint
    denominations = intent.denominations
    rungs = [
        Filters(years=years, series_ids=series_ids, mint=mint, denominations=() if series_ids else denominations),
        Filters(years=years, series_ids=series_ids, denominations=() if series_ids else denominations),
        Filters(years=years, mint=mint, denominations=denominations),
        Filters(years=years, denominations=denominations),
        Filters(years=years),
        Filters(series_ids=series_ids, mint=mint),
        Filters(series_ids=series_ids),
        Filters(series_ids=denomination_ids, mint=mint, denominations=denominations) if denominations else Filters(),
        Filters(series_ids=denomination_ids, denominations=denominations),
    ]
    unique: list[Filters] = []
    for rung in rungs:
        mint_only = rung.mint and not (rung.years or rung.series_ids or rung.denominations)
        if rung and not mint_only and rung not in unique:  # a mint mark alone names no coin
            unique.append(rung)
    return unique


def _gather(conn, backend: SearchBackend, intent: QueryIntent, ids: dict[str, int], hard: Filters,
            limit: int) -> tuple[list[tuple], bool]:
    """The candidate rows, and whether they hold every coin of their dates (a rung with a year)."""
    pool: dict[int, tuple] = {}

    def add(rows: list[tuple]) -> None:
        for row in rows:
            pool.setdefault(row[0], row)

    if intent.pcgs_number is not None:
        add(backend.by_pcgs_number(conn, intent.pcgs_number))
    prefer = Preference(designation=intent.designation or "", strike=intent.strike or "MS", mint=intent.mint or "P")
    cap = max(STRUCTURED_CAP, limit)
    series_ids = tuple(ids[s] for s in intent.series if s in ids)
    denomination_ids = _denomination_series(intent.denominations, ids) if intent.denominations else ()
    rungs = [rung.merged(hard) for rung in _ladder(intent, series_ids, denomination_ids)] or ([hard] if hard else [])
    terms = intent.terms
    patterns = like_patterns(terms)
    stop: Filters | None = None
    capped = False
    for rung in rungs:
        before = len(pool)
        if rung.years:
            rows = backend.structured(conn, rung, prefer, cap, patterns)
            add(rows)
            capped = len(rows) >= cap
        else:
            # no year: the rung can hold tens of thousands of coins, so the variety words go to the
            # full-text index first, and without them the plain coins are what can come first
            capped = True
            if terms:
                add(backend.fulltext(conn, terms, rung, FULLTEXT_CAP))
            if len(pool) == before:
                add(backend.structured(conn, rung, prefer, cap, base_only=True)
                    or backend.structured(conn, rung, prefer, cap))
        if len(pool) > before:
            stop = rung
            break
    complete = stop is not None and bool(stop.years)
    if terms and not pool:
        add(backend.fulltext(conn, terms, hard, FULLTEXT_CAP))
    unknown = [t.alternatives[0][0] for t in terms if not t.known]
    if unknown and (not pool or capped):
        add(backend.fuzzy(conn, unknown, stop or hard, FUZZY_CAP))
    return list(pool.values()), complete


def _as_dict(row: tuple, index) -> dict[str, object]:
    out = dict(zip(COLUMNS, row, strict=True))
    out["series"], out["series_name"] = index.names.get(out["series_id"], ("", ""))
    return out


def _result_row(row: dict[str, object], score: float) -> dict[str, object]:
    out = {"id": row["id"]}
    out.update({name: row[name] for name in EXPORT_FIELDS})
    out["mintage"] = export_mintage(row["mintage"], bool(row.get("mintage_unknown")))
    out["score"] = round(score, 3)
    return out


def search_coins(engine: Engine, query: str, *, limit: int = 10, series: str | None = None,
                 year: int | None = None, record: bool = True, offset: int = 0) -> SearchResult:
    """Find the coins a collector's query means, best first.

    ``series`` (a slug) and ``year`` restrict the search; the query may be anything (empty,
    binary, SQL- or FTS-looking, 10,000 characters): bad text gives an empty list, never an
    error. An unknown ``series`` slug raises :class:`~coinref.errors.InvalidInput`. Unless
    ``record`` is false, the top hit's lookup is counted (see :mod:`coinref.search.popularity`).

    ``offset`` pages through the ranked hits: the candidate pool does not depend on it (each rung
    fetches at most ``max(STRUCTURED_CAP, limit)`` coins), so pages of one query and limit never
    overlap, and ``total`` is the number of hits ranked.
    """
    if series is not None and series not in series_by_slug():
        raise InvalidInput(f"unknown series {series!r}; see `coinref series`")
    intent = parse_query(query)
    if series is not None:
        intent = replace(intent, series=(series,))
    if year is not None:
        intent = replace(intent, years=(int(year),))
    limit = max(0, min(int(limit), MAX_LIMIT))
    result = SearchResult(query if isinstance(query, str) else str(query), intent)
    if limit == 0 or intent.is_empty:
        return result
    backend = backend_for(engine)
    with backend.connect(engine) as conn:
        index = backend.series_index(engine, conn)
        hard = Filters(years=(int(year),) if year is not None else (),
                       series_ids=(index.ids[series],) if series is not None and series in index.ids else ())
        if series is not None and not hard.series_ids:
            return result
        rows, complete = _gather(conn, backend, intent, index.ids, hard, limit)
    ranker = Ranker(intent, complete_dates=complete)
    ranked = ranker.rank([_as_dict(row, index) for row in rows])
    if not intent.has_structure:
        # words alone: keep only coins that match at least one of them (a trigram look-alike is not enough)
        ranked = [(score, row) for score, row in ranked if ranker.term_hits.get(row["id"])]
    offset = max(0, int(offset))
    result.total = len(ranked)
    result.results = [_result_row(row, score) for score, row in ranked[offset:offset + limit]]
    if record and offset == 0 and result.results:
        record_lookup(engine, int(result.results[0]["id"]))
    return result
