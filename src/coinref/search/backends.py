"""Candidate retrieval on each backend: structured filters, full text, trigrams, index upkeep.

Search ranks in Python (:mod:`coinref.search.ranking`) over a few hundred candidates; this
module's job is to fetch the right few hundred quickly. Three kinds of query, all returning
rows in :data:`COLUMNS` order:

* ``structured``: btree filters (year, series, mint, denomination) ordered by a prior that
  mirrors the ranking's preferences (asked-for or base designation, asked-for or MS strike, plain
  variety, asked-for or Philadelphia mint, popularity), with a limit.
  Under a year filter the query's variety words join the order as ``LIKE`` patterns on the full
  name, matching coins first: a year holds a few hundred coins, and a pattern test per row is
  cheaper than intersecting the index's long lists of common words such as ``1`` or ``type``.
* ``fulltext``: the query's variety words against the full-text index (SQLite FTS5 ``MATCH`` with
  every token quoted, ranked by weighted ``bm25``; PostgreSQL ``to_tsquery('simple')`` on the
  weighted ``search_vector``, ranked by ``ts_rank`` normalized by document length, as bm25 is),
  under the same filters.
* ``fuzzy``: typo tolerance over the trigram index (SQLite: an FTS5 trigram table queried with
  the word's trigrams, ranked by ``bm25``; PostgreSQL: pg_trgm ``%>`` word similarity).

User text never reaches SQL except as bound parameters; FTS query strings are built from
``[a-z0-9]`` tokens only, each quoted.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace

from sqlalchemy import Connection, Engine, text

from coinref.search.parser import Term
from coinref.search.text import fts_forms, trigrams
from coinref.search.vocabulary import vocabulary

COLUMNS = (
    "id", "series_id", "year", "mint_mark", "strike", "variety", "designation", "denomination", "full_name",
    "pcgs_number", "ngc_number", "metal", "weight_g", "fineness", "metal_oz", "mintage", "mintage_unknown",
    "diameter_mm", "edge", "designer", "composition", "key_date", "lookup_count", "watched",
)
_SELECT = (
    "c.id, c.series_id, c.year, c.mint_mark, c.strike, c.variety, c.designation, c.denomination, c.full_name, "
    "c.pcgs_number, c.ngc_number, c.metal, c.weight_g, c.fineness, c.metal_oz, c.mintage, c.mintage_unknown, "
    "c.diameter_mm, c.edge, c.designer, c.composition, c.key_date, c.lookup_count, "
    "CASE WHEN w.id IS NULL THEN 0 ELSE 1 END"
)
_JOINS = "LEFT JOIN watchlist w ON w.coin_id = c.id"  # series slugs and names come from SeriesIndex
FUZZY_THRESHOLD = 0.35


@dataclass(frozen=True)
class Filters:
    """Structured constraints; empty fields do not constrain."""

    years: tuple[int, ...] = ()
    series_ids: tuple[int, ...] = ()
    mint: str | None = None
    denominations: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.years or self.series_ids or self.mint or self.denominations)

    def merged(self, hard: Filters) -> Filters:
        """These filters with the caller's hard ones taking precedence."""
        return replace(self, years=hard.years or self.years, series_ids=hard.series_ids or self.series_ids)

    def where(self, params: dict[str, object]) -> str:
        clauses = ["1 = 1"]
        for name, column, values in (("y", "c.year", self.years), ("si", "c.series_id", self.series_ids),
                                     ("dn", "c.denomination", self.denominations)):
            if values:
                keys = [f"{name}{i}" for i in range(len(values))]
                params.update(zip(keys, values, strict=True))
                clauses.append(f"{column} IN ({', '.join(':' + k for k in keys)})")
        if self.mint:
            params["mint"] = self.mint
            clauses.append("c.mint_mark = :mint")
        return " AND ".join(clauses)


@dataclass(frozen=True)
class Preference:
    """What the structured prior puts first."""

    designation: str = ""
    strike: str = "MS"
    mint: str = "P"


@dataclass(frozen=True)
class SeriesIndex:
    """The series table: slug -> id, and id -> (slug, name)."""

    ids: dict[str, int]
    names: dict[int, tuple[str, str]]


class SearchBackend:
    """The SQL both backends share; subclasses supply full text, trigrams and index upkeep."""

    name = "base"

    def __init__(self) -> None:
        self._series: weakref.WeakKeyDictionary[Engine, SeriesIndex] = weakref.WeakKeyDictionary()

    def series_index(self, engine: Engine, conn: Connection) -> SeriesIndex:
        """Read once per engine (the series registry is seeded reference data), so no query joins it."""
        cached = self._series.get(engine)
        if cached is None:
            rows = conn.execute(text("SELECT id, slug, name FROM series")).all()
            cached = SeriesIndex({slug: sid for sid, slug, _ in rows}, {sid: (slug, name) for sid, slug, name in rows})
            if rows:
                self._series[engine] = cached
        return cached

    def connect(self, engine: Engine) -> Connection:
        """A connection for the read-only search queries."""
        return engine.connect()

    like = "LIKE"

    def structured(self, conn: Connection, filters: Filters, prefer: Preference, limit: int,
                   patterns: list[str] | None = None, *, base_only: bool = False) -> list[tuple]:
        """Coins under the filters in prior order.

        With ``patterns``, coins whose name matches one come first; with ``base_only``, only plain
        coins (no variety, the preferred designation and strike) are read.
        """
        params: dict[str, object] = {"p_desig": prefer.designation, "p_strike": prefer.strike,
                                     "p_mint": prefer.mint, "limit": limit}
        where = filters.where(params)
        if base_only:
            where += " AND c.variety = '' AND c.designation = :p_desig AND c.strike = :p_strike"
        first = ""
        if patterns:
            keys = [f"lk{i}" for i in range(len(patterns))]
            params.update(zip(keys, patterns, strict=True))
            first = "CASE WHEN " + " OR ".join(f"c.full_name {self.like} :{k}" for k in keys) + " THEN 0 ELSE 1 END, "
        sql = (
            f"SELECT {_SELECT} FROM coins c {_JOINS} WHERE {where} ORDER BY {first}"
            "CASE WHEN c.designation = :p_desig THEN 0 ELSE 1 END, CASE WHEN c.strike = :p_strike THEN 0 ELSE 1 END, "
            "CASE WHEN c.variety = '' THEN 0 ELSE 1 END, CASE WHEN c.mint_mark = :p_mint THEN 0 ELSE 1 END, "
            "length(c.variety), c.lookup_count DESC, c.year, c.id LIMIT :limit"
        )
        return [tuple(r) for r in conn.execute(text(sql), params)]

    def by_pcgs_number(self, conn: Connection, number: int) -> list[tuple]:
        if not -(2**31) < number < 2**31:
            return []
        sql = f"SELECT {_SELECT} FROM coins c {_JOINS} WHERE c.pcgs_number = :n"
        return [tuple(r) for r in conn.execute(text(sql), {"n": number})]

    def fulltext(self, conn: Connection, terms: tuple[Term, ...], filters: Filters, limit: int) -> list[tuple]:
        raise NotImplementedError

    def fuzzy(self, conn: Connection, words: list[str], filters: Filters, limit: int) -> list[tuple]:
        raise NotImplementedError

    def rebuild(self, conn: Connection) -> None:
        """Rebuild the search indexes from the coins table."""
        raise NotImplementedError

    def unindexed_ids(self, conn: Connection) -> list[int]:
        """Coins the full-text index does not hold (or holds out of date, where that is detectable per coin)."""
        raise NotImplementedError

    def index_consistent(self, conn: Connection) -> bool:
        """Whether the index as a whole agrees with the coins table."""
        raise NotImplementedError


def _indexable(term: Term) -> tuple[tuple[str, ...], ...]:
    """The alternatives of a term worth asking the index for: those coin names can hold.

    ``type 1`` is also ``ty 1``, ``t1`` and ``var 1`` in queries, but only ``type 1`` in names; each
    alternative costs a full-text lookup. A term no catalog name holds keeps its first form; a lone
    letter is not worth a lookup at all.
    """
    vocab = vocabulary()
    useful = tuple(a for a in term.alternatives if len(a) > 1 or len(a[0]) > 1)  # a lone letter matches everything
    kept = tuple(a for a in useful if vocab.in_names(a))
    return kept or useful[:1]


def _forms(token: str) -> list[tuple[str, bool]]:
    vocab = vocabulary()
    return [(form, prefix) for i, (form, prefix) in enumerate(fts_forms(token))
            if i == 0 or form in vocab.catalog_tokens]


def like_patterns(terms: tuple[Term, ...], most: int = 16) -> list[str]:
    """``%doubled%die%`` patterns for the terms' indexable alternatives (tokens are ``[a-z0-9]`` only)."""
    patterns: list[str] = []
    for term in terms:
        for alternative in _indexable(term):
            spelled = [_forms(token)[-1][0] for token in alternative]  # "three" where names spell it out
            for words in dict.fromkeys((tuple(alternative), tuple(spelled))):
                pattern = "%" + "%".join(words) + "%"
                if pattern not in patterns:
                    patterns.append(pattern)
    return patterns[:most]


def _boolean_query(terms: tuple[Term, ...], render, or_op: str, and_op: str) -> str:
    """OR over terms, OR over a term's alternatives, AND over an alternative's tokens (each token
    an OR of its forms). ``render(form, prefix)`` writes one form in the backend's syntax."""
    groups = []
    for term in terms:
        alternatives = []
        for alternative in _indexable(term):
            parts = []
            for token in alternative:
                forms = [render(form, prefix) for form, prefix in _forms(token)]
                parts.append(forms[0] if len(forms) == 1 else "(" + or_op.join(forms) + ")")
            alternatives.append("(" + and_op.join(parts) + ")")
        if alternatives:
            groups.append("(" + or_op.join(alternatives) + ")")
    return or_op.join(groups)


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


class SqliteBackend(SearchBackend):
    name = "sqlite"

    @staticmethod
    def match_expression(terms: tuple[Term, ...]) -> str:
        """An FTS5 query: OR over terms, OR over a term's alternatives, AND over an alternative's tokens."""
        return _boolean_query(terms, lambda form, prefix: _quote(form) + ("*" if prefix else ""), " OR ", " AND ")

    def fulltext(self, conn: Connection, terms: tuple[Term, ...], filters: Filters, limit: int) -> list[tuple]:
        expression = self.match_expression(terms)
        if not expression:
            return []
        if filters.years:  # the date column holds the year: the index itself narrows to it, cheaply
            years = " OR ".join(_quote(str(y)) for y in filters.years)
            expression = f"date : ({years}) AND ({expression})"
        params: dict[str, object] = {"q": expression, "limit": limit}
        sql = (
            f"SELECT {_SELECT} FROM coins_fts JOIN coins c ON c.id = coins_fts.rowid {_JOINS} "
            f"WHERE coins_fts MATCH :q AND {filters.where(params)} "
            "ORDER BY bm25(coins_fts, 10.0, 4.0, 2.0, 1.0) LIMIT :limit"
        )
        return [tuple(r) for r in conn.execute(text(sql), params)]

    def fuzzy(self, conn: Connection, words: list[str], filters: Filters, limit: int) -> list[tuple]:
        grams = sorted({g for w in words if len(w) >= 3 for g in trigrams(w) if " " not in g})
        if not grams:
            return []
        params: dict[str, object] = {"q": " OR ".join(_quote(g) for g in grams), "limit": limit}
        sql = (
            f"SELECT {_SELECT} FROM coins_trgm JOIN coins c ON c.id = coins_trgm.rowid {_JOINS} "
            f"WHERE coins_trgm MATCH :q AND {filters.where(params)} ORDER BY bm25(coins_trgm) LIMIT :limit"
        )
        return [tuple(r) for r in conn.execute(text(sql), params)]

    def rebuild(self, conn: Connection) -> None:
        conn.execute(text("INSERT INTO coins_fts(coins_fts) VALUES ('rebuild')"))
        conn.execute(text("INSERT INTO coins_trgm(coins_trgm) VALUES ('rebuild')"))

    def unindexed_ids(self, conn: Connection) -> list[int]:
        # the docsize shadow table has one row per document the index holds
        sql = "SELECT id FROM coins WHERE id NOT IN (SELECT id FROM coins_fts_docsize) ORDER BY id"
        return [row[0] for row in conn.execute(text(sql))]

    def index_consistent(self, conn: Connection) -> bool:
        try:
            for table in ("coins_fts", "coins_trgm"):
                conn.execute(text(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)"))
        except Exception as exc:  # noqa: BLE001 - SQLite reports a mismatch as "database disk image is malformed"
            # FTS5's check is an INSERT command: a read-only database cannot run it (the per-coin check
            # above still ran), so it is not reported as a mismatch
            return "readonly" in str(exc)
        return True


class PostgresBackend(SearchBackend):
    name = "postgresql"
    like = "ILIKE"

    def connect(self, engine: Engine) -> Connection:
        # autocommit: no BEGIN and no ROLLBACK round trips around a few read-only statements
        return engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    @staticmethod
    def tsquery_expression(terms: tuple[Term, ...]) -> str:
        """A tsquery with the same structure as SQLite's MATCH expression."""
        return _boolean_query(terms, lambda form, prefix: f"'{form}'" + (":*" if prefix else ""), " | ", " & ")

    def fulltext(self, conn: Connection, terms: tuple[Term, ...], filters: Filters, limit: int) -> list[tuple]:
        expression = self.tsquery_expression(terms)
        if not expression:
            return []
        if filters.years:  # weight D holds the year
            years = " | ".join(f"'{int(y)}':D" for y in filters.years)
            expression = f"({years}) & ({expression})"
        params: dict[str, object] = {"q": expression, "limit": limit}
        sql = (
            f"SELECT {_SELECT} FROM coins c {_JOINS} "
            f"WHERE c.search_vector @@ to_tsquery('simple', :q) AND {filters.where(params)} "
            "ORDER BY ts_rank(c.search_vector, to_tsquery('simple', :q), 1) DESC, c.id LIMIT :limit"
        )
        return [tuple(r) for r in conn.execute(text(sql), params)]

    def fuzzy(self, conn: Connection, words: list[str], filters: Filters, limit: int) -> list[tuple]:
        phrase = " ".join(w for w in words if len(w) >= 3)
        if not phrase:
            return []
        # session-wide (the connection is in autocommit); only pg_trgm's operators read it
        conn.execute(text("SELECT set_config('pg_trgm.word_similarity_threshold', :t, false)"),
                     {"t": str(FUZZY_THRESHOLD)})
        params: dict[str, object] = {"w": phrase, "limit": limit}
        sql = (
            f"SELECT {_SELECT} FROM coins c {_JOINS} "
            f"WHERE lower(c.full_name) %> :w AND {filters.where(params)} "
            "ORDER BY word_similarity(:w, lower(c.full_name)) DESC, c.id LIMIT :limit"
        )
        return [tuple(r) for r in conn.execute(text(sql), params)]

    def rebuild(self, conn: Connection) -> None:
        conn.execute(text(
            "UPDATE coins SET search_vector = coinref_coin_search_vector(full_name, series_id, denomination, year, "
            "mint_mark) WHERE search_vector IS DISTINCT FROM "
            "coinref_coin_search_vector(full_name, series_id, denomination, year, mint_mark)"
        ))

    def unindexed_ids(self, conn: Connection) -> list[int]:
        sql = (
            "SELECT id FROM coins WHERE search_vector IS NULL OR search_vector IS DISTINCT FROM "
            "coinref_coin_search_vector(full_name, series_id, denomination, year, mint_mark) ORDER BY id"
        )
        return [row[0] for row in conn.execute(text(sql))]

    def index_consistent(self, conn: Connection) -> bool:
        return not self.unindexed_ids(conn)


_SQLITE = SqliteBackend()
_POSTGRES = PostgresBackend()


def backend_for(engine: Engine) -> SearchBackend:
    return _SQLITE if engine.dialect.name == "sqlite" else _POSTGRES
