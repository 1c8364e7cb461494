"""Collector-grade coin search over SQLite and PostgreSQL.

The public surface:

* :func:`search_coins` ``(engine, query, *, limit=10, series=None, year=None) -> SearchResult``
* :func:`parse_query` ``(query) -> QueryIntent`` (no database)
* :func:`rebuild_search_index` and :func:`unindexed_coin_ids` for the validation report
* :func:`flush_lookups` writes the buffered lookup counts (see :mod:`coinref.search.popularity`)

How it works: :mod:`.parser` turns the query into structured intent using the vocabulary of
:mod:`.vocabulary` (``vocabulary.toml``); :mod:`.service` gathers candidates with
:mod:`.backends` (btree filters, FTS5 or tsvector full text, trigram indexes created by
migration 0002); :mod:`.ranking` orders them.
"""

from __future__ import annotations

from sqlalchemy import Engine

from coinref.search.backends import backend_for
from coinref.search.parser import GradeIntent, QueryIntent, Term, parse_query
from coinref.search.popularity import flush_lookups
from coinref.search.service import SearchResult, search_coins

__all__ = [
    "GradeIntent",
    "QueryIntent",
    "SearchResult",
    "Term",
    "flush_lookups",
    "parse_query",
    "rebuild_search_index",
    "search_coins",
    "unindexed_coin_ids",
]


def rebuild_search_index(engine: Engine) -> None:
    """Rebuild the full-text and trigram indexes from the coins table."""
    with engine.begin() as conn:
        backend_for(engine).rebuild(conn)


def unindexed_coin_ids(engine: Engine) -> list[int]:
    """Ids of coins missing from (or out of date in) the search index."""
    with engine.connect() as conn:
        return backend_for(engine).unindexed_ids(conn)
