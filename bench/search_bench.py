#!/usr/bin/env python
"""Search benchmark: coinref's search against the two starting designs, on SQLite and PostgreSQL.

    .venv/bin/python bench/search_bench.py [--coins 200000] [--json] [--backends sqlite,postgresql]
                                           [--repeat 10] [--queries tests/fixtures/search-queries.tsv]

**Data.** A fresh database per backend (a temporary SQLite file; a temporary PostgreSQL database
on ``--pg-url``, dropped afterwards), migrated, holding the whole built-in catalog plus synthetic
coins up to ``--coins``. The synthetic coins are die varieties of the catalog's base coins (``VAM-12``,
``FS-101``, ``DDO FS-102``, ``RPM FS-503``...), the way PCGS's own list grows past 100,000
numbers: they share year, mint and series with the real coins, so they crowd the candidate sets
the search must choose from. Each has a synthetic 7-digit PCGS number starting with 9. The
indexes are kept by the migration's triggers while loading; PostgreSQL is then ANALYZEd (as
autovacuum would), SQLite is left as it comes.

**Methods**, each measured on the same data:

* ``coinref``: :func:`coinref.search.search_coins`, the path the CLI and the API use (query
  parsing, candidate queries, ranking in Python, the batched lookup counter);
* ``ilike``: the first starting design, ``full_name ILIKE '%query%'`` (``LIKE`` on SQLite, which is
  case-insensitive for ASCII), first 10 by id;
* ``tsrank``: the second, ``search_vector @@ plainto_tsquery(query)`` ranked by ``ts_rank`` on
  PostgreSQL; on SQLite an FTS5 ``MATCH`` of the quoted query words ranked by ``bm25``.

**Measure.** Every development query (``--queries``) once to warm up, then ``--repeat`` rounds
(``--baseline-repeat`` for the starting designs, whose ILIKE scan takes a quarter second a query);
p50 and p99 of the per-query latency in milliseconds, and hit@1 on the same queries (see
:mod:`coinref.search.quality`). Targets at 200,000 coins: coinref p99 under 20 ms and at least
10x faster than the ILIKE scan, on both backends.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, insert, select, text

from coinref.catalog.builtin import load_catalog
from coinref.search import flush_lookups, search_coins
from coinref.search.quality import evaluate, load_expectations
from coinref.search.text import raw_tokens
from coinref.store.coins import upsert_catalog_coins
from coinref.store.db import make_engine
from coinref.store.migrate import upgrade
from coinref.store.models import Coin, Series
from coinref.store.seed import seed_reference_data

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_QUERIES = ROOT / "tests" / "fixtures" / "search-queries.tsv"
PG_URL = os.environ.get("COINREF_BENCH_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432")
SYNTHETIC = ["VAM-{n}", "FS-{n}", "DDO FS-{n}", "DDR FS-{n}", "RPM FS-{n}", "Die Crack {n}", "Clashed Dies {n}",
             "Repunched Date {n}", "Misplaced Date {n}", "Die Gouge {n}"]
RESULT_FIELDS = ("id", "series", "year", "mint_mark", "strike", "variety", "full_name")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def synthetic_rows(series_ids: dict[str, int], count: int, seed: int) -> list[dict]:
    """``count`` die varieties spread over the catalog's base coins."""
    rng = random.Random(seed)
    bases = [c for c in load_catalog() if not c.designation]
    rows = []
    for i in range(count):
        base = bases[i % len(bases)]
        round_ = i // len(bases)
        label = SYNTHETIC[(i + round_) % len(SYNTHETIC)].format(n=101 + round_)  # unique per base coin
        variety = f"{base.variety} {label}".strip()
        date_text, rest = (base.full_name.split(" ", 1) + [""])[:2]
        rows.append({
            "series_id": series_ids[base.series], "year": base.year, "mint_mark": base.mint_mark,
            "strike": base.strike, "variety": variety, "designation": "", "denomination": base.denomination,
            "full_name": f"{date_text} {label} {rest}".strip(), "short_name": f"{base.short_name} {label}",
            "pcgs_number": 9_000_000 + i, "metal": base.metal, "weight_g": base.weight_g,
            "fineness": base.fineness, "metal_oz": base.metal_oz, "mintage": None, "facts": {},
            "source": "synthetic", "lookup_count": rng.choice((0, 0, 0, 0, 1, 2, 5)),
        })
    return rows


def build(url: str, coins: int, seed: int) -> tuple[Engine, int, float]:
    started = time.perf_counter()
    engine = make_engine(url)
    upgrade(engine)
    seed_reference_data(engine)
    catalog = load_catalog()
    upsert_catalog_coins(engine, catalog)
    with engine.begin() as conn:
        series_ids = dict(conn.execute(select(Series.slug, Series.id)).all())
    extra = max(0, coins - len(catalog))
    rows = synthetic_rows(series_ids, extra, seed)
    for start in range(0, len(rows), 5000):
        with engine.begin() as conn:
            conn.execute(insert(Coin), rows[start:start + 5000])
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM coins")).scalar_one()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE coins"))
    return engine, total, time.perf_counter() - started


def _rows(result) -> list[dict]:
    return [dict(zip(RESULT_FIELDS, row, strict=True)) for row in result]


def ilike_search(engine: Engine) -> Callable[[str], list[dict]]:
    operator = "LIKE" if engine.dialect.name == "sqlite" else "ILIKE"
    sql = text(f"SELECT c.id, s.slug, c.year, c.mint_mark, c.strike, c.variety, c.full_name FROM coins c "
               f"JOIN series s ON s.id = c.series_id WHERE c.full_name {operator} :p ESCAPE '\\' "
               "ORDER BY c.id LIMIT 10")

    def run(query: str) -> list[dict]:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with engine.connect() as conn:
            return _rows(conn.execute(sql, {"p": pattern}))

    return run


def tsrank_search(engine: Engine) -> Callable[[str], list[dict]]:
    if engine.dialect.name == "sqlite":
        sql = text("SELECT c.id, s.slug, c.year, c.mint_mark, c.strike, c.variety, c.full_name FROM coins_fts "
                   "JOIN coins c ON c.id = coins_fts.rowid JOIN series s ON s.id = c.series_id "
                   "WHERE coins_fts MATCH :q ORDER BY bm25(coins_fts, 10.0, 4.0, 2.0, 1.0) LIMIT 10")

        def run(query: str) -> list[dict]:
            words = raw_tokens(query)
            if not words:
                return []
            with engine.connect() as conn:
                return _rows(conn.execute(sql, {"q": " ".join(f'"{w}"' for w in words)}))

        return run
    sql = text("SELECT c.id, s.slug, c.year, c.mint_mark, c.strike, c.variety, c.full_name FROM coins c "
               "JOIN series s ON s.id = c.series_id WHERE c.search_vector @@ plainto_tsquery('simple', :q) "
               "ORDER BY ts_rank(c.search_vector, plainto_tsquery('simple', :q)) DESC LIMIT 10")

    def run_pg(query: str) -> list[dict]:
        with engine.connect() as conn:
            return _rows(conn.execute(sql, {"q": query}))

    return run_pg


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(search: Callable[[str], list[dict]], queries: list[str], repeat: int) -> dict[str, float]:
    for query in queries:
        search(query)
    timings = []
    for _ in range(repeat):
        for query in queries:
            start = time.perf_counter()
            search(query)
            timings.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(percentile(timings, 0.5), 3), "p99_ms": round(percentile(timings, 0.99), 3)}


def bench_backend(backend: str, args, expectations) -> tuple[dict, dict]:
    queries = [e.query for e in expectations]
    pg_name = None
    with tempfile.TemporaryDirectory(prefix="coinref-bench-") as folder:
        if backend == "sqlite":
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
        else:
            pg_name = f"coinref_bench_{uuid.uuid4().hex[:10]}"
            admin = make_engine(f"{args.pg_url}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
            admin.dispose()
            url = f"{args.pg_url}/{pg_name}"
        try:
            log(f"{backend}: building {args.coins} coins ...")
            engine, total, build_s = build(url, args.coins, args.seed)
            log(f"{backend}: {total} coins in {build_s:.1f} s; measuring ...")

            def coinref(query: str) -> list[dict]:
                return search_coins(engine, query).results

            methods = {"coinref": coinref, "ilike": ilike_search(engine), "tsrank": tsrank_search(engine)}
            out = {}
            for name, search in methods.items():
                figures = measure(search, queries, args.repeat if name == "coinref" else args.baseline_repeat)
                figures["hit_at_1"] = round(evaluate(search, expectations).hit_at_1, 3)
                out[name] = figures
                log(f"{backend}: {name:8} p50 {figures['p50_ms']:8.2f} ms  p99 {figures['p99_ms']:8.2f} ms  "
                    f"hit@1 {figures['hit_at_1']:.3f}")
            flush_lookups(engine)
            engine.dispose()
            return out, {"coins": total, "build_s": round(build_s, 1)}
        finally:
            if pg_name:
                admin = make_engine(f"{args.pg_url}/postgres", isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
                admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coins", type=int, default=200_000, help="database size (catalog + synthetic)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--repeat", type=int, default=10, help="measured rounds of coinref over the query set")
    parser.add_argument("--baseline-repeat", type=int, default=2,
                        help="measured rounds of the two starting designs (slow: the ILIKE scan reads every row)")
    parser.add_argument("--queries", default=str(DEFAULT_QUERIES), help="query file (TSV, see coinref.search.quality)")
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL server URL without a database name")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    expectations = load_expectations(args.queries)
    results: dict[str, object] = {}
    meta: dict[str, object] = {"queries": len(expectations), "repeat": args.repeat,
                               "baseline_repeat": args.baseline_repeat}
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        if backend not in ("sqlite", "postgresql"):
            parser.error(f"unknown backend {backend!r}")
        results[backend], meta[backend] = bench_backend(backend, args, expectations)
    if args.json:
        print(json.dumps(results | {"meta": meta}, indent=2))
        return 0
    for backend, figures in results.items():
        info = meta[backend]
        print(f"\n{backend}: {info['coins']} coins (built in {info['build_s']} s), {len(expectations)} queries "
              f"x {args.repeat}")
        print(f"  {'method':8} {'p50 ms':>9} {'p99 ms':>9} {'hit@1':>6}")
        for name, row in figures.items():
            print(f"  {name:8} {row['p50_ms']:9.2f} {row['p99_ms']:9.2f} {row['hit_at_1']:6.3f}")
        speedup = figures["ilike"]["p99_ms"] / max(figures["coinref"]["p99_ms"], 1e-9)
        print(f"  coinref p99 is {speedup:.1f}x faster than the ILIKE scan")
    return 0


if __name__ == "__main__":
    sys.exit(main())
