#!/usr/bin/env python
"""Reliability run: mixed writers and overlapping refreshes on one database, against the simulator.

    .venv/bin/python bench/reliability.py [--duration 60] [--backend sqlite] [--backend postgresql]
                                          [--writers 4] [--refreshes 2] [--json]

For each backend (an SQLite file; a PostgreSQL database created on ``COINREF_TEST_PG_DSN``'s
server, default ``127.0.0.1:5432`` user ``root``, and dropped afterwards) it prepares a database
(init, the built-in catalog of a few series, the simulator's PCGS numbers on the Morgan and Peace
dollars), starts ``coinref sim`` in a thread, and runs for ``--duration`` seconds, each worker a
separate process looping over real coinref library calls:

* 4 writers: ``populate --source builtin --restart`` of Mercury dimes, the same of Walking
  Liberty halves, ``import prices`` of a CSV (dealer prices of numbered coins), and the web
  page's lookup recording plus ``watch add`` / ``watch remove``;
* 2 ``refresh-prices`` runs (each a loop of runs with ``--limit 25``) on the same points;
* 1 reader: search and the series overview.

It then reports, per backend:

* ``requests``: requests the simulator received, and the call log's rows that may have been
  sent (both must equal the ledger's ``used``: the quota held);
* ``bought_twice``: answers (price, "no data") to the same point the same quota day beyond the
  first; must be 0;
* ``errors``: every exception a worker caught plus the refresh runs' error counts; must be 0;
* ``lost``: work items left leased or failed, runs left ``running``, import rows neither written
  nor quarantined, and PCGS answers of the refresh with no stored price or miss; must be 0.

Exit code 0 when every backend has 0 bought twice, 0 errors and 0 lost, else 1.
``tests/reliability/test_reliability.py`` runs it for a few seconds per backend.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

WRITER_SERIES = ("mercury-dimes", "walking-liberty-half-dollars")
NUMBERED_SERIES = ("morgan-dollars", "peace-dollars")
TOKEN = "reliability-token"
PG_ADMIN_DSN = os.environ.get("COINREF_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=root dbname=postgres")
PG_URL_BASE = os.environ.get("COINREF_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432")


# -- workers (each runs in its own process) -------------------------------------------------------


def _worker_env(url: str, api_url: str, log_dir: str) -> dict[str, str]:
    return {"DATABASE_URL": url, "PCGS_API_BASE_URL": api_url, "PCGS_API_TOKEN": TOKEN, "PCGS_PACING_MS": "0",
            "PCGS_DAILY_QUOTA": "1000000", "REFRESH_RESERVE_PCT": "0", "COINREF_LOG_DIR": log_dir,
            "PCGS_MAX_RETRIES": "2", "PCGS_BACKOFF_CAP_S": "0.2"}


def run_worker(kind: str, arg: str, seconds: float, workdir: str) -> dict:
    """Loop one kind of work until ``seconds`` are over; return the ops done and the errors caught."""
    from coinref.context import AppContext

    ctx = AppContext()
    engine = ctx.engine
    ops, errors, counts = 0, [], Counter()
    step = _steps(kind, arg, ctx, workdir, counts)
    deadline = time.monotonic() + seconds  # from the first step on: imports are slow on a loaded machine
    while time.monotonic() < deadline or not (ops or errors):  # at least one step
        try:
            step()
            ops += 1
        except Exception as exc:  # noqa: BLE001 - every failure is what this run counts
            errors.append(f"{kind}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            if len(errors) > 50:
                break
            time.sleep(0.05)
    engine.dispose()
    return {"kind": kind, "arg": arg, "ops": ops, "errors": errors, "counts": dict(counts)}


def _steps(kind: str, arg: str, ctx, workdir: str, counts: Counter):
    engine = ctx.engine
    if kind == "populate":
        from coinref.pipeline.populate import PopulateOptions, populate

        def step() -> None:
            report = populate(ctx, PopulateOptions(source="builtin", series=[arg], restart=True))
            if report["exit_code"]:
                raise RuntimeError(f"populate {arg} ended with exit {report['exit_code']}: {report['errors'][:1]}")
            counts["coins_written"] += report["created"] + report["updated"] + report["unchanged"]
        return step
    if kind == "import":
        from sqlalchemy import select

        from coinref.pipeline.importers import import_prices
        from coinref.store.db import session_scope
        from coinref.store.models import Coin

        with session_scope(engine) as session:  # business strikes: the rows' MS grades go with them
            numbers = session.scalars(select(Coin.pcgs_number).where(Coin.pcgs_number.is_not(None), Coin.strike == "MS")
                                      .order_by(Coin.id).limit(40)).all()
        path = Path(workdir) / f"prices-{os.getpid()}.csv"
        state = {"n": 0}

        def step() -> None:
            state["n"] += 1
            rows = [f"{n},MS{63 + (i % 3)},{100 + state['n'] + i}.25,{date.today().isoformat()}"
                    for i, n in enumerate(numbers)]
            path.write_text("pcgs_number,grade,price,date\n" + "\n".join(rows) + "\n", encoding="utf-8")
            result = import_prices(ctx, path, "dealer")
            counts["rows"] += result["rows"]
            counts["written"] += result["written"]
            counts["unchanged"] += result["unchanged"]
            counts["quarantined"] += result["quarantined"]
        return step
    if kind == "lookups":
        from sqlalchemy import select

        from coinref.pipeline.refresh.watchlist import watch_add, watch_remove
        from coinref.search.popularity import flush_lookups, record_lookup
        from coinref.store.db import session_scope
        from coinref.store.models import Coin

        with session_scope(engine) as session:
            ids = session.scalars(select(Coin.id).order_by(Coin.id).limit(200)).all()
            numbers = session.scalars(select(Coin.pcgs_number).where(Coin.pcgs_number.is_not(None))
                                      .order_by(Coin.id).limit(20)).all()
        state = {"n": 0}

        def step() -> None:
            state["n"] += 1
            for coin_id in ids[state["n"] % 10::10]:
                record_lookup(engine, coin_id, background=False)
            counts["lookups"] += flush_lookups(engine)
            number = str(numbers[state["n"] % len(numbers)])
            watch_add(engine, number, "reliability")
            watch_remove(engine, number)
        return step
    if kind == "refresh":
        from coinref.pipeline.refresh import RefreshOptions, run_refresh
        from coinref.pipeline.refresh.runner import RefreshEnv

        env = RefreshEnv(settings=ctx.settings, engine=engine, write_files=False)

        def step() -> None:
            report = run_refresh(env, RefreshOptions(limit=25, trigger="bench"))
            for key in ("attempted", "stored", "not_found", "unpriced", "skipped_observed"):
                counts[key] += report["counts"][key]
            counts["requests"] += report["counts"]["requests"]
            if report["counts"]["errors"]:
                raise RuntimeError(f"refresh errors: {report['errors'][:2]}")
            if not report["counts"]["attempted"] and not report["counts"]["skipped_observed"]:
                time.sleep(0.2)  # nothing left to buy today
        return step
    if kind == "reader":
        from coinref.search.service import search_coins
        from coinref.store.repo import series_overview

        queries = ("1881-S morgan", "peace 1922", "merc 1916-D", "walker 1938-D", "morgn dolar 1884-CC")
        state = {"n": 0}

        def step() -> None:
            state["n"] += 1
            search_coins(engine, queries[state["n"] % len(queries)], limit=5)
            series_overview(engine)
        return step
    raise SystemExit(f"unknown worker kind {kind!r}")


# -- one backend ----------------------------------------------------------------------------------


def _prepare(url: str) -> None:
    from sqlalchemy import select, update

    from coinref.config import load_settings
    from coinref.context import AppContext
    from coinref.pipeline.populate import PopulateOptions, populate
    from coinref.sim.universe import sim_universe
    from coinref.store.db import make_engine, session_scope
    from coinref.store.migrate import upgrade
    from coinref.store.models import Coin, Series
    from coinref.store.seed import seed_reference_data

    engine = make_engine(url)
    upgrade(engine)
    seed_reference_data(engine)
    ctx = AppContext(settings=load_settings(database_url=url))
    populate(ctx, PopulateOptions(source="builtin", series=list(NUMBERED_SERIES + WRITER_SERIES)))
    universe = sim_universe()
    with session_scope(engine) as session:
        # the simulator's numbers replace the catalog's shipped ones (another numbering): clear first
        session.execute(update(Coin).values(pcgs_number=None))
        session.flush()
        rows = session.execute(select(Coin, Series.slug).join(Series).where(Series.slug.in_(NUMBERED_SERIES))).all()
        for coin, slug in rows:
            coin.pcgs_number = universe.number_of(
                (slug, coin.year, coin.mint_mark, coin.strike, coin.variety, coin.designation))
    ctx.close()
    engine.dispose()


def _check(url: str, sim_requests: int) -> dict:
    from sqlalchemy import func, select

    from coinref.sources.pcgs_api import BY_GRADE
    from coinref.store.db import make_engine, session_scope
    from coinref.store.models import ApiCall, Coin, PriceObservation, PricePointMiss, QuotaLedger, Run, WorkItem

    NOT_SENT = "not_sent"  # noqa: N806 - coinref.remote.calllog.NOT_SENT (spelled out so older code can be measured)
    engine = make_engine(url)
    with session_scope(engine) as session:
        calls = session.execute(select(ApiCall.params, ApiCall.outcome, ApiCall.quota_day)
                                .where(ApiCall.endpoint == BY_GRADE, ApiCall.outcome != NOT_SENT)).all()
        sent = session.scalar(select(func.count(ApiCall.id)).where(ApiCall.outcome != NOT_SENT)) or 0
        used = session.scalar(select(func.coalesce(func.sum(QuotaLedger.used), 0))) or 0
        stuck_items = session.scalar(select(func.count(WorkItem.id)).where(WorkItem.status.in_(("leased", "failed"))))
        running = session.scalar(select(func.count(Run.id)).where(Run.status == "running"))
        numbers = dict(session.execute(select(Coin.pcgs_number, Coin.id).where(Coin.pcgs_number.is_not(None))).all())
        stored = {(c, g, bool(p), d) for c, g, p, d in session.execute(
            select(PriceObservation.coin_id, PriceObservation.grade, PriceObservation.plus,
                   PriceObservation.observed_on).where(PriceObservation.source == "pcgs-api"))}
        missed = {(c, g, bool(p)) for c, g, p in session.execute(
            select(PricePointMiss.coin_id, PricePointMiss.grade, PricePointMiss.plus)
            .where(PricePointMiss.source == "pcgs-api"))}
        imports = session.execute(select(Run.counts).where(Run.kind == "import-prices")).scalars().all()
    engine.dispose()
    answers = Counter()
    lost_answers = 0
    for params, outcome, day in calls:
        if outcome not in ("success", "not_found"):
            continue
        point = (int(params["PCGSNo"]), int(params["GradeNo"]), params["PlusGrade"] == "true", day)
        answers[point] += 1
        coin_id = numbers.get(point[0])
        key = (coin_id, point[1], point[2])
        if outcome == "success" and (*key, day) not in stored and key not in missed:
            lost_answers += 1
    lost_imports = sum(max((c or {}).get("rows", 0) - (c or {}).get("written", 0) - (c or {}).get("unchanged", 0)
                           - (c or {}).get("quarantined", 0), 0) for c in imports)
    return {
        "requests_at_sim": sim_requests,
        "requests_logged": sent,
        "quota_used": used,
        "quota_held": used == sent == sim_requests,
        "answers": sum(answers.values()),
        "bought_twice": sum(n - 1 for n in answers.values() if n > 1),
        "lost": {"work_items": stuck_items, "runs_running": running, "refresh_answers": lost_answers,
                 "import_rows": lost_imports},
    }


def run_backend(backend: str, duration: float, *, writers: int = 4, refreshes: int = 2, readers: int = 1,
                latency_ms: int = 20) -> dict:
    from coinref.sim.server import run_in_thread
    from coinref.sim.state import SimConfig

    workdir = tempfile.mkdtemp(prefix=f"coinref-reliability-{backend}-")
    pg_name = None
    if backend == "sqlite":
        url = f"sqlite:///{workdir}/reliability.db"
    else:
        import psycopg

        pg_name = f"coinref_rel_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        url = f"{PG_URL_BASE}/{pg_name}"
    sim = run_in_thread(SimConfig(latency_ms=latency_ms, token=TOKEN, quota=1_000_000))
    try:
        started = time.monotonic()
        _prepare(url)
        env = os.environ | _worker_env(url, sim.api_url, f"{workdir}/logs")
        kinds = ([("populate", WRITER_SERIES[0]), ("populate", WRITER_SERIES[1]), ("import", ""), ("lookups", "")]
                 [:writers] + [("refresh", "")] * refreshes + [("reader", "")] * readers)
        procs = [
            subprocess.Popen([sys.executable, __file__, "--worker", kind, "--arg", arg, "--seconds", str(duration),
                              "--workdir", workdir], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for kind, arg in kinds
        ]
        results = []
        for (kind, arg), proc in zip(kinds, procs, strict=True):
            out, err = proc.communicate(timeout=duration + 600)
            try:
                results.append(json.loads(out.decode().strip().splitlines()[-1]))
            except (ValueError, IndexError):
                results.append({"kind": kind, "arg": arg, "ops": 0, "counts": {},
                                "errors": [f"{kind}: exit {proc.returncode}: {err.decode()[-800:]}"]})
        checks = _check(url, sim.api_calls())
        errors = [e for r in results for e in r["errors"]]
        return {
            "backend": backend,
            "duration_s": duration,
            "elapsed_s": round(time.monotonic() - started, 1),
            "workers": [{"kind": r["kind"], "arg": r["arg"], "ops": r["ops"], "errors": len(r["errors"]),
                         **r.get("counts", {})} for r in results],
            **checks,
            "errors": len(errors),
            "error_samples": errors[:10],
            "lost_total": sum(checks["lost"].values()),
        }
    finally:
        sim.stop()
        if pg_name:
            import psycopg

            with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def passed(result: dict) -> bool:
    return (result["bought_twice"] == 0 and result["errors"] == 0 and result["lost_total"] == 0
            and result["quota_held"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds the workers run (default 60)")
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgresql"))
    parser.add_argument("--writers", type=int, default=4, help="writer processes, 0 to 4 (default 4)")
    parser.add_argument("--refreshes", type=int, default=2, help="refresh processes (default 2)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--arg", default="", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        try:
            result = run_worker(args.worker, args.arg, args.seconds, args.workdir)
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            result = {"kind": args.worker, "arg": args.arg, "ops": 0, "counts": {},
                      "errors": [f"{args.worker}: {type(exc).__name__}: {traceback.format_exc()[-600:]}"]}
        print(json.dumps(result))
        return 0
    results = [run_backend(b, args.duration, writers=args.writers, refreshes=args.refreshes)
               for b in (args.backend or ["sqlite", "postgresql"])]
    if args.json:
        print(json.dumps(results, indent=2, default=str))
    else:
        for r in results:
            print(f"{r['backend']}: {r['duration_s']:g} s, requests {r['requests_at_sim']} (logged "
                  f"{r['requests_logged']}, quota used {r['quota_used']}), answers {r['answers']}, bought twice "
                  f"{r['bought_twice']}, errors {r['errors']}, lost {r['lost_total']} {r['lost']}")
            for w in r["workers"]:
                print(f"  {w}")
            for e in r["error_samples"]:
                print(f"  ! {e}")
    return 0 if all(passed(r) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
