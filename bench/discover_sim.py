"""Benchmark: finding PCGS numbers through the API alone, on the simulator.

    .venv/bin/python bench/discover_sim.py [--priority P0|all] [--quota 1000] [--json]

1. Builds a fresh SQLite database with the built-in catalog of the chosen tiers (with the numbers
   the fact files ship, as claims) and runs ``populate --source pcgs-discover`` against the
   simulator in-process (the real client, ledger and call log; no network): calls sent, numbers
   found, calls per verified number, per tier.
2. The naive plan for comparison: probe every number of every range once, in order. It is given
   the simulator's true block ranges (a best case: real ranges are not known) and probes each
   block number and, for each, the 8- and 9-prefixed numbers (CAM/DCAM/DMPL), so its calls are
   counted from the simulator's truth without sending them.
3. Days at ``--quota`` calls a day with the price refresh running: the split of coinref.remote.split
   (reserve 5%, the refresh needs each numbered coin's 5 tracked grades once a week, discovery gets
   the rest with a 10% floor), tiers in order; a day's discovery calls turn into numbers at the
   measured calls-per-number rate of the tier.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from coinref.catalog.series import select_series
from coinref.config import load_settings
from coinref.context import AppContext
from coinref.pipeline import discover
from coinref.pipeline.populate import PopulateOptions, populate
from coinref.remote.breaker import BreakerRegistry
from coinref.sim import SimConfig, create_sim_app, sim_universe
from coinref.sim.numbering import BASE_LIMIT
from coinref.sources.pcgs_api import PcgsClient
from coinref.store.db import session_scope
from coinref.store.migrate import upgrade
from coinref.store.models import Coin, Series
from coinref.store.seed import seed_reference_data

TRACKED_GRADES = 5
REFRESH_EVERY_DAYS = 7


def measure(priority: str) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="coinref-discover-bench-"))
    settings = load_settings(database_url=f"sqlite:///{workdir}/bench.db", pcgs_api_token="bench",
                             pcgs_api_base_url="http://sim/publicapi", pcgs_pacing_ms=0,
                             pcgs_daily_quota=1_000_000, coinref_log_dir=workdir / "logs")
    ctx = AppContext(settings)
    upgrade(ctx.engine)
    seed_reference_data(ctx.engine)
    series = [s.slug for s in select_series(priority, None)]
    populate(ctx, PopulateOptions(source="builtin", series=series))
    app = create_sim_app(SimConfig(quota=1_000_000))

    def client(self):
        if self._client is None:
            async def no_sleep(_seconds: float) -> None:
                return None

            self._client = PcgsClient(settings, ctx.engine, transport=httpx.ASGITransport(app=app),
                                      run_id=self.run_id, sleep=no_sleep, breakers=BreakerRegistry())
        return self._client

    discover.DiscoverSource.client = property(client)
    started = time.monotonic()
    tiers: dict[str, dict] = {}
    universe = sim_universe()
    for tier in ("P0", "P1", "P2", "P3"):
        chosen = [s.slug for s in select_series(tier, None) if s.slug in series]
        if not chosen:
            continue
        before = int(app.state.sim.calls()["api"])
        report = populate(ctx, PopulateOptions(source="pcgs-discover", series=chosen))
        calls = int(app.state.sim.calls()["api"]) - before
        wrong = right = numbered = 0
        with session_scope(ctx.engine) as session:
            rows = session.execute(select(Coin, Series.slug).join(Series).where(Series.slug.in_(chosen))).all()
            for coin, slug in rows:
                truth = universe.number_of((slug, coin.year, coin.mint_mark, coin.strike, coin.variety,
                                            coin.designation))
                numbered += truth is not None
                if coin.pcgs_number is not None and coin.pcgs_state == "verified":
                    right += coin.pcgs_number == truth
                    wrong += coin.pcgs_number != truth
        found = report["selector_stats"].get("pcgs-discover:found", 0)
        tiers[tier] = {"series": len(chosen), "calls": calls, "found": found, "verified_right": right,
                       "verified_wrong": wrong, "numbered_by_sim": numbered,
                       "coverage": round(right / numbered, 4) if numbered else None,
                       "calls_per_number": round(calls / found, 3) if found else None,
                       "naive_calls": naive_calls(universe, chosen)}
        print(json.dumps({tier: tiers[tier]}), file=sys.stderr, flush=True)
    return {"tiers": tiers, "elapsed_s": round(time.monotonic() - started, 1)}


def naive_calls(universe, series: list[str]) -> int:
    """Every number of every (true) block once, plus its 8- and 9-prefixed forms."""
    total = 0
    for (slug, _strike), (first, last) in universe.blocks.items():
        if slug in series and last >= first and last < BASE_LIMIT:
            total += 3 * (last - first + 1)
    return total


def days(tiers: dict[str, dict], quota: int, key: str) -> dict[str, float]:
    """Days until each tier is numbered, tiers in order, with the refresh taking its need first."""
    reserve, floor = int(quota * 0.05), math.ceil(quota * 0.10)
    numbered, day, out = 0, 0.0, {}
    for tier, row in tiers.items():
        rate = (row[key] / row["found"]) if key == "calls" else row["naive_calls"] / max(row["numbered_by_sim"], 1)
        left = row["found"] if key == "calls" else row["numbered_by_sim"]
        while left > 0:
            need = numbered * TRACKED_GRADES / REFRESH_EVERY_DAYS
            share = max(quota - reserve - need, floor)
            share = min(share, quota - reserve - (floor if need else 0))
            gained = min(left, share / rate)
            fraction = gained * rate / share
            day += fraction
            left -= gained
            numbered += gained
        out[tier] = round(day, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--priority", default="P0", help="P0, P1, P2, P3 or all")
    parser.add_argument("--quota", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.priority)
    result["quota"] = args.quota
    result["days_discovery"] = days(result["tiers"], args.quota, "calls")
    result["days_naive"] = days(result["tiers"], args.quota, "naive")
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print("| tier | series | numbers found | calls | calls/number | coverage | wrong | naive calls | "
          "days (discovery) | days (naive) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for tier, row in result["tiers"].items():
        print(f"| {tier} | {row['series']} | {row['found']} | {row['calls']} | {row['calls_per_number']} | "
              f"{row['coverage']:.1%} | {row['verified_wrong']} | {row['naive_calls']} | "
              f"{result['days_discovery'][tier]} | {result['days_naive'][tier]} |")
    print(f"elapsed {result['elapsed_s']} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
