#!/usr/bin/env python
"""Price refresh benchmark: coinref's planner against honest baselines and an oracle, by price error.

    .venv/bin/python bench/refresh_sim.py [--days 30] [--coins 8000] [--quota 1000] [--seed 7] [--json]

Everything runs in-process on a simulated clock. The sim's market (spot walks, guide steps) uses
``--seed``; its truth is computed once per day and point. seed, freshness and coinref run the real
planner on the point states :func:`load_points` reads from the starting database, kept in memory as
the runner's writes would change them (:func:`run_in_memory`); ``--through-runner`` runs them
through the real refresh runner and PCGS client against the simulator instead (``httpx.ASGITransport``,
no socket, no pacing, one SQLite database each in a temporary folder; slow).

**Workload.** ``--coins`` coins spread over the 67 series in proportion to their estimated sizes
(series.csv): coins of the built-in catalog first, synthetic coins of the same series where the
catalog has fewer. Each coin has a synthetic PCGS number of the simulator and the grades the
tracked grades table gives it. Demand is fixed per run: within each tier the coins are shuffled
(seeded) and get Zipf weights ``1 / rank ** 1.1``, scaled so the tiers weigh P0 0.4, P1 0.3,
P2 0.2 and P3 0.1; each coin's tracked grades share its weight equally.

**How demand reaches coinref.** The planner never sees the weights. It sees what production
sees: ``coins.lookup_count``, drawn at random from the weights (``--lookups-per-coin`` lookups per
coin on average, so counts are noisy, and rare coins often have none), and watchlist entries for
the top ``--watch-share`` of coins.

**Strategies**, each for ``--days`` days, one run a day:

* ``seed``, the starting design: tiers in order, the coins refreshed longest ago first, four
  grades per coin, a daily budget of remaining quota / 7; it skips points recently answered
  "no data" or "no price" as coinref does, so the comparison is about the strategy;
* ``round_robin``: every tracked point in turn, the one observed longest ago (never first) first,
  the whole quota every day, with coinref's memory of "no data"/"no price" answers;
* ``freshness``: coinref's planner before the error model (``FRESHNESS_POLICY``), 5% reserve;
* ``coinref``: ``coinref refresh-prices`` as shipped (error model, 5% reserve), with the day's
  spot prices as spot observations (as a user's daily ``coinref spot set``; ``COINREF_SPOT_CSV``
  on the runner path);
* ``oracle``: knows the true prices and which points have a price, and each day buys the points
  with the largest current error x demand, with coinref's demand estimate and budget;
* ``oracle_true_demand``: the same with the true demand weights and the whole quota.

**Metric.** After each day's run, for every tracked point the sim has a price for: the absolute
relative error between the price the strategy shows (the latest stored price; for ``coinref``, its
spot estimate where it shows one) and the simulator's true price that day, 1.0 for a point with no
price yet; the demand-weighted mean, averaged over the last 7 days (``price_error``). Also the
demand-weighted share of points observed in the last 7 days (``freshness``), the share of the
quota spent (``quota_used``: requests sent, counted at the simulator on the runner path) and
whether any day went over the quota (``overrun``).
Targets: coinref's error at most 0.6 x freshness's, 0.5 x round robin's and 1.3 x the oracle's,
quota used at least 94%, no overrun.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import insert, select, update

from coinref.catalog.builtin import load_catalog
from coinref.catalog.model import CatalogCoin
from coinref.catalog.series import TIERS, all_series
from coinref.config import load_settings
from coinref.pipeline.refresh import spot_source
from coinref.pipeline.refresh.estimates import spot_estimate
from coinref.pipeline.refresh.planner import (
    DEFAULT_POLICY,
    FRESHNESS_POLICY,
    Plan,
    ScoredPoint,
    coin_shares,
    miss_blocks,
    plan_batch,
    reserve_calls,
)
from coinref.pipeline.refresh.points import (
    HISTORY_DAYS,
    PRICE_SOURCE,
    VOLATILITY_OBSERVATIONS,
    PointSet,
    PointState,
    load_points,
    volatility,
)
from coinref.pipeline.refresh.runner import RefreshEnv, RefreshOptions, execute_plan, run_refresh_async
from coinref.pipeline.refresh.spot_source import SpotSeries
from coinref.pipeline.refresh.tracked import default_tracked_grades
from coinref.remote.breaker import BreakerRegistry
from coinref.sim import SimConfig, create_sim_app
from coinref.sim.universe import SimUniverse
from coinref.sources.pcgs_api import PcgsClient
from coinref.store.coins import upsert_catalog_coins
from coinref.store.db import make_engine, session_scope
from coinref.store.migrate import upgrade
from coinref.store.models import Coin, PriceObservation, Series, Watch
from coinref.store.seed import seed_reference_data

TIER_WEIGHTS = {"P0": 0.4, "P1": 0.3, "P2": 0.2, "P3": 0.1}
ZIPF_S = 1.1
FRESH_DAYS = 7
START_DAY = date(2027, 1, 4)
BENCH_TOKEN = "bench-token"
DEFAULT_RESERVE_PCT = 5.0  # REFRESH_RESERVE_PCT's default
NaturalKey = tuple


# -- workload ----------------------------------------------------------------------------------


def _synthetic_coin(info, index: int, rng: random.Random) -> CatalogCoin:
    last = info.last_year or 2025
    year = rng.randint(info.first_year, last)
    strike = "PR" if year >= 1936 and rng.random() < 0.15 else "MS"
    mint = rng.choice(("P", "D", "S")) if year >= 1911 else rng.choice(("P", "O", "S", "CC"))
    denomination = info.denomination.split()[0] if info.denomination != "various" else "50C"
    variety = f"synthetic {index}"
    date_text = f"{year}" if mint == "P" else f"{year}-{mint}"
    name = f"{date_text} {info.name} ({variety})"
    mintage = int(10 ** rng.uniform(3.5, 8.5))
    return CatalogCoin(info.slug, year, mint, strike, variety, "", denomination, name, f"{date_text} {denomination}",
                       mintage=mintage)


def bench_catalog(n_coins: int, seed: int) -> list[CatalogCoin]:
    """``n_coins`` coins over the 67 series in proportion to their estimated sizes."""
    rng = random.Random(seed)
    series = list(all_series())
    total = sum(s.est_coins for s in series)
    exact = [n_coins * s.est_coins / total for s in series]
    counts = [int(x) for x in exact]
    for i in sorted(range(len(series)), key=lambda i: exact[i] - counts[i], reverse=True)[: n_coins - sum(counts)]:
        counts[i] += 1
    by_series: dict[str, list[CatalogCoin]] = defaultdict(list)
    for coin in load_catalog():
        by_series[coin.series].append(coin)
    coins: list[CatalogCoin] = []
    for info, count in zip(series, counts, strict=True):
        real = by_series.get(info.slug, [])
        chosen = rng.sample(real, count) if len(real) > count else list(real)
        chosen += [_synthetic_coin(info, i, rng) for i in range(count - len(chosen))]
        coins.extend(chosen)
    return coins


def demand_weights(coins: list[CatalogCoin], seed: int) -> dict[NaturalKey, float]:
    """Zipf (s = 1.1) weights over the coins shuffled within each tier, tiers weighted 40/30/20/10."""
    rng = random.Random(seed + 1)
    tier_of = {s.slug: s.tier for s in all_series()}
    by_tier: dict[str, list[CatalogCoin]] = defaultdict(list)
    for coin in coins:
        by_tier[tier_of[coin.series]].append(coin)
    present = {t: w for t, w in TIER_WEIGHTS.items() if by_tier.get(t)}
    scale = sum(present.values())
    weights = {}
    for tier, members in by_tier.items():
        members = sorted(members, key=lambda c: c.natural_key)
        rng.shuffle(members)
        harmonic = sum(1 / (rank ** ZIPF_S) for rank in range(1, len(members) + 1))
        for rank, coin in enumerate(members, start=1):
            weights[coin.natural_key] = present[tier] / scale / (rank ** ZIPF_S) / harmonic
    return weights


def sampled_lookups(weights: dict[NaturalKey, float], per_coin: float, seed: int) -> dict[NaturalKey, int]:
    """Lookup counts drawn from the weights: what users' searches would have left in the database."""
    rng = random.Random(seed + 2)
    keys = list(weights)
    draws = rng.choices(keys, weights=[weights[k] for k in keys], k=int(per_coin * len(keys)))
    counts = dict.fromkeys(keys, 0)
    for key in draws:
        counts[key] += 1
    return counts


# -- the simulated clock ---------------------------------------------------------------------------


@dataclass
class SimClock:
    day: date = START_DAY

    def now(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, 6, 0, tzinfo=UTC)

    def today(self) -> date:
        return self.day


async def _no_sleep(_seconds: float) -> None:
    return None


# -- databases -----------------------------------------------------------------------------------


def prepare_template(path: Path, coins, universe: SimUniverse, lookups, watched: set) -> None:
    """A migrated database with the coins, their sim PCGS numbers, lookup counts and watchlist."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed_reference_data(engine)
    upsert_catalog_coins(engine, coins, source="bench")
    with session_scope(engine) as session:
        rows = session.execute(
            select(Coin.id, Series.slug, Coin.year, Coin.mint_mark, Coin.strike, Coin.variety, Coin.designation)
            .join(Series, Series.id == Coin.series_id)
        ).all()
        changes, watch_rows = [], []
        for coin_id, *key in rows:
            key = tuple(key)
            changes.append({"id": coin_id, "pcgs_number": universe.number_of(key), "lookup_count": lookups[key]})
            if key in watched:
                watch_rows.append({"coin_id": coin_id, "note": "bench", "created_at": datetime.now(UTC)})
        session.execute(update(Coin), changes)
        if watch_rows:
            session.execute(insert(Watch), watch_rows)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


@dataclass
class Workload:
    coins: list[CatalogCoin]
    universe: SimUniverse
    point_weights: dict[tuple[NaturalKey, int, bool], float]  # per tracked point, summing to 1
    priceable: list  # tracked points the sim has a price for, in a fixed order
    truth: list[list[float]]  # per day, the sim's price of each priceable point
    spot_rows: list[list[tuple[date, str, Decimal]]]  # per day, the spot observations a user would enter
    metal_of: dict[NaturalKey, tuple[str | None, Decimal | None]]  # precious metal and ounces per coin
    template: Path
    days: int
    quota: int
    demand: dict  # per tracked point, as coinref estimates it from the lookups and the watchlist


@dataclass
class Outcome:
    daily_error: list[float] = field(default_factory=list)
    daily_fresh: list[float] = field(default_factory=list)
    daily_stored_error: list[float] = field(default_factory=list)  # coinref: without its estimates
    daily_requests: list[int] = field(default_factory=list)
    requests: int = 0
    runtime_s: float = 0.0
    latest: dict = field(default_factory=dict)  # the last day's stored prices (for analysis)

    def summary(self, days: int, quota: int) -> dict[str, object]:
        def last_week(values):
            tail = values[-FRESH_DAYS:]
            return round(sum(tail) / len(tail), 5) if tail else None

        result = {
            "price_error": last_week(self.daily_error),
            "freshness": last_week(self.daily_fresh),
            "quota_used": round(self.requests / (days * quota), 4) if quota else 0.0,
            "requests": self.requests,
            "overrun": any(n > quota for n in self.daily_requests) or self.requests > days * quota,
            "daily_price_error": [round(x, 5) for x in self.daily_error],
            "daily_freshness": [round(x, 4) for x in self.daily_fresh],
            "runtime_s": round(self.runtime_s, 1),
        }
        if self.daily_stored_error:
            result["stored_price_error"] = last_week(self.daily_stored_error)
        return result


def tracked_points(coins: list[CatalogCoin]) -> dict[NaturalKey, tuple]:
    tracked = default_tracked_grades()
    return {c.natural_key: tracked.points_for(c.series, c.strike, c.year) for c in coins}


def weighted_freshness(latest: dict, weights: dict, today: date) -> float:
    """Demand-weighted share of tracked points observed in the last 7 days; ``latest``: key -> (day, price)."""
    fresh = 0.0
    for key, weight in weights.items():
        seen = latest.get(key)
        if seen is not None and (today - seen[0]).days <= FRESH_DAYS:
            fresh += weight
    return fresh


def weighted_error(work: Workload, day_index: int, shown: dict) -> float:
    """Demand-weighted mean |shown - true| / true over the priceable points (1.0 where nothing is shown)."""
    truth = work.truth[day_index]
    total = error = 0.0
    for key, true in zip(work.priceable, truth, strict=True):
        weight = work.point_weights[key]
        total += weight
        value = shown.get(key)
        error += weight * (1.0 if value is None else min(abs(value - true) / true, 1.0))
    return error / total if total else 0.0


def shown_prices(work: Workload, latest: dict, spots: SpotSeries | None, today: date) -> dict:
    """What the strategy shows per point: the latest stored price, or coinref's spot estimate of it."""
    shown = {}
    for key, (day, price) in latest.items():
        value = float(price)
        if spots:
            metal, oz = work.metal_of[key[0]]
            estimate = spot_estimate(price, day, metal, oz, spots, today)
            if estimate is not None:
                value = float(estimate.price)
        shown[key] = value
    return shown


# -- strategies --------------------------------------------------------------------------------------


def baseline_plan(env: RefreshEnv, options: RefreshOptions) -> tuple[Plan, dict, int]:
    """The starting design through the runner: its plan from the database (see :func:`seed_plan`)."""
    ledger = env.ledger()
    quota = ledger.status()
    points = load_points(env.engine, ledger.today())
    return seed_plan(points, quota["remaining"] // 7, env.clock(), env.policy), quota, 0


def seed_plan(points: PointSet, budget: int, now: datetime, policy) -> Plan:
    """The starting design: tiers in order, oldest coin first, four grades per coin, remaining / 7."""
    today = points.today
    by_coin = defaultdict(list)
    for point in points.points:
        by_coin[point.coin.id].append(point)
    batch: list[ScoredPoint] = []

    def age_order(point):
        return point.last_observed or date.min

    def coin_order(four):
        return (TIERS.index(four[0].coin.tier), age_order(four[0]), four[0].coin.id)

    fours = []
    for coin_points in by_coin.values():
        # the same memory of "no data" answers as coinref, so that only the strategy differs
        wanted = [p for p in coin_points[:4] if not miss_blocks(p, now, policy) and p.last_observed != today]
        if wanted:
            fours.append(sorted(wanted, key=age_order))
    for four in sorted(fours, key=coin_order):
        for point in four:
            if len(batch) >= budget:
                break
            batch.append(ScoredPoint(point, 1.0, 1.0, 1.0))
        if len(batch) >= budget:
            break
    return Plan(today=today, batch=batch, tracked_points=len(points.points), eligible=len(points.points),
                observed_today=0, waiting_after_miss=0, budget=budget)


def observed_on_day(engine, key_of_coin: dict[int, NaturalKey], day: date) -> dict:
    """The prices a strategy stored on ``day``: {(natural key, grade, plus): (day, price)}."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(PriceObservation.coin_id, PriceObservation.grade, PriceObservation.plus, PriceObservation.price)
            .where(PriceObservation.source == PRICE_SOURCE, PriceObservation.observed_on == day)
        ).all()
    return {(key_of_coin[c], g, bool(p)): (day, price) for c, g, p, price in rows}


def record_day(outcome: Outcome, work: Workload, day_index: int, latest: dict, spots: SpotSeries | None) -> None:
    today = START_DAY + timedelta(days=day_index)
    outcome.daily_fresh.append(weighted_freshness(latest, work.point_weights, today))
    outcome.daily_error.append(weighted_error(work, day_index, shown_prices(work, latest, spots, today)))
    if spots:
        outcome.daily_stored_error.append(weighted_error(work, day_index, shown_prices(work, latest, None, today)))


def write_spot_csv(path: Path, rows: list[tuple[date, str, Decimal]]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("day,metal,usd_per_oz\n")
        handle.writelines(f"{day.isoformat()},{metal},{price}\n" for day, metal, price in rows)


async def run_strategy(name: str, work: Workload, folder: Path, quiet: bool) -> Outcome:
    """Drive one strategy through the real runner, client and simulator for ``work.days`` days."""
    path = folder / f"{name}.db"
    shutil.copy(work.template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    clock = SimClock()
    spot_path = folder / f"{name}-spot.csv" if name == "coinref" else None
    settings = load_settings(
        database_url=url, pcgs_api_token=BENCH_TOKEN, pcgs_api_base_url="http://sim.invalid/publicapi",
        pcgs_pacing_ms=0, pcgs_daily_quota=work.quota, coinref_log_dir=str(folder / "logs"),
        coinref_spot_csv=spot_path,
    )
    app = create_sim_app(SimConfig(catalog=work.coins, quota=work.quota, token=BENCH_TOKEN, today=clock.today,
                                   market_seed=work.universe.market_seed))
    app.state.sim.universe = work.universe  # the same market (and its caches) as the metric's truth
    breakers = BreakerRegistry()
    transport = httpx.ASGITransport(app=app)

    def client_factory(run_id):
        return PcgsClient(settings, engine, transport=transport, sleep=_no_sleep, clock=clock.now,
                          breakers=breakers, run_id=run_id)

    policy = FRESHNESS_POLICY if name == "freshness" else DEFAULT_POLICY
    env = RefreshEnv(settings=settings, engine=engine, client_factory=client_factory, clock=clock.now,
                     write_files=False, policy=policy)
    with session_scope(engine) as session:
        rows = session.execute(
            select(Coin.id, Series.slug, Coin.year, Coin.mint_mark, Coin.strike, Coin.variety, Coin.designation)
            .join(Series, Series.id == Coin.series_id)
        ).all()
    key_of_coin = {coin_id: tuple(key) for coin_id, *key in rows}
    outcome = Outcome()
    latest: dict = {}
    spot_rows: list = []
    started = time.monotonic()
    options = RefreshOptions(trigger="bench")
    for day_index in range(work.days):
        clock.day = START_DAY + timedelta(days=day_index)
        spots = None
        if spot_path is not None:
            spot_rows += work.spot_rows[day_index]
            write_spot_csv(spot_path, spot_rows)
            spots = spot_source.from_rows(spot_rows)
        before = int(app.state.sim.calls()["api"])
        if name == "seed":
            plan, quota, reserve = baseline_plan(env, options)
            report = await execute_plan(env, options, plan, quota, reserve)
        else:
            report = await run_refresh_async(env, options)
        outcome.daily_requests.append(int(app.state.sim.calls()["api"]) - before)
        latest.update(observed_on_day(engine, key_of_coin, clock.day))
        record_day(outcome, work, day_index, latest, spots)
        if not quiet:
            print(f"  {name} day {day_index + 1}: {report['counts']['requests']} requests, "
                  f"error {outcome.daily_error[-1]:.4f}, freshness {outcome.daily_fresh[-1]:.3f}", file=sys.stderr)
    outcome.requests = int(app.state.sim.calls()["api"])
    outcome.runtime_s = time.monotonic() - started
    engine.dispose()
    return outcome


def remember(point: PointState, today: date, price: Decimal) -> None:
    """What storing a price does to what :func:`load_points` reads back (history, volatility, miss cleared)."""
    history = [(d, p) for d, p in point.history if d >= today - timedelta(days=HISTORY_DAYS)] + [(today, price)]
    point.history = tuple(history)
    point.last_observed = today
    point.last_price = price
    point.volatility = volatility([p for _d, p in history][-VOLATILITY_OBSERVATIONS:])
    point.miss_reason = point.miss_seen = None


def run_in_memory(name: str, work: Workload) -> Outcome:
    """One planner strategy on the point states kept in memory (what the runner would store).

    The points are loaded once from the template database by :func:`load_points` (the production
    reader); each day the real planner (:func:`plan_batch`, or the seed's plan) chooses from them with
    the budget the runner would compute, and each bought point is answered from the simulator's
    universe (a price, "no data" or "no price") and updated as the runner's write would update it.
    ``--through-runner`` runs the same strategies through the runner, client and simulator instead;
    tests/integration/test_refresh_bench.py checks that both ways buy the same points.
    """
    started = time.monotonic()
    engine = make_engine(f"sqlite:///{work.template}")
    points = load_points(engine, START_DAY)
    with session_scope(engine) as session:
        rows = session.execute(
            select(Coin.id, Series.slug, Coin.year, Coin.mint_mark, Coin.strike, Coin.variety, Coin.designation)
            .join(Series, Series.id == Coin.series_id)
        ).all()
    engine.dispose()
    key_of_coin = {coin_id: tuple(key) for coin_id, *key in rows}
    by_coin = defaultdict(list)
    for point in points.points:
        by_coin[point.coin.id].append(point)
    policy = FRESHNESS_POLICY if name == "freshness" else DEFAULT_POLICY
    reserve = reserve_calls(work.quota, DEFAULT_RESERVE_PCT) if name != "seed" else 0
    outcome = Outcome()
    latest: dict = {}
    spot_rows: list = []
    for day_index in range(work.days):
        clock = SimClock(START_DAY + timedelta(days=day_index))
        today, now = clock.today(), clock.now()
        points.today = today
        spots = None
        if name == "coinref":
            spot_rows += work.spot_rows[day_index]
            spots = spot_source.from_rows(spot_rows)
        if name == "seed":
            plan = seed_plan(points, work.quota // 7, now, policy)
        else:
            plan = plan_batch(points, work.quota - reserve, policy, now=now, spots=spots)
        for scored in plan.batch:
            point = scored.point
            natural_key = key_of_coin[point.coin.id]
            answer = work.universe.point(point.coin.pcgs_number, point.grade, point.plus, today)
            if answer is None or answer.price is None:
                point.miss_reason, point.miss_seen = ("not_found" if answer is None else "unpriced"), now
                continue
            remember(point, today, answer.price)
            latest[(natural_key, point.grade, point.plus)] = (today, answer.price)
        for coin_id in {s.point.coin.id for s in plan.batch}:
            seen = [p.last_price for p in by_coin[coin_id] if p.last_price is not None]
            by_coin[coin_id][0].coin.max_price = max(seen) if seen else None
        outcome.daily_requests.append(len(plan.batch))
        record_day(outcome, work, day_index, latest, spots)
    outcome.requests = sum(outcome.daily_requests)
    outcome.runtime_s = time.monotonic() - started
    outcome.latest = latest
    return outcome


def run_round_robin(work: Workload) -> Outcome:
    """Every tracked point in turn, longest unobserved first, the whole quota; misses wait as in coinref."""
    started = time.monotonic()
    order = {key: i for i, key in enumerate(work.point_weights)}
    index = {key: i for i, key in enumerate(work.priceable)}
    retry = DEFAULT_POLICY.miss_retry_days
    latest: dict = {}
    waiting: dict = {}  # key -> first day it may be asked again
    outcome = Outcome()
    for day_index in range(work.days):
        today = START_DAY + timedelta(days=day_index)
        wanted = [k for k in order if waiting.get(k, today) <= today]
        wanted.sort(key=lambda k: (latest[k][0] if k in latest else date.min, order[k]))
        for key in wanted[: work.quota]:
            if key in index:
                latest[key] = (today, work.truth[day_index][index[key]])
            else:
                natural_key, grade, plus = key
                answer = work.universe.point(work.universe.number_of(natural_key), grade, plus, today)
                waiting[key] = today + timedelta(days=retry["not_found" if answer is None else "unpriced"])
        outcome.daily_requests.append(min(len(wanted), work.quota))
        record_day(outcome, work, day_index, latest, None)
    outcome.requests = sum(outcome.daily_requests)
    outcome.runtime_s = time.monotonic() - started
    outcome.latest = latest
    return outcome


def run_oracle(work: Workload, demand: dict | None = None, budget: int | None = None) -> Outcome:
    """A bound: each day, the priceable points with the largest true current error x demand.

    ``demand``: per point (default: the true weights); ``budget``: calls a day (default: the quota).
    """
    started = time.monotonic()
    latest: dict = {}
    outcome = Outcome()
    demand = demand or work.point_weights
    budget = work.quota if budget is None else budget
    weights = [demand[key] for key in work.priceable]
    for day_index in range(work.days):
        today = START_DAY + timedelta(days=day_index)
        truth = work.truth[day_index]
        gains = []
        for i, key in enumerate(work.priceable):
            seen = latest.get(key)
            error = 1.0 if seen is None else min(abs(seen[1] - truth[i]) / truth[i], 1.0)
            if error > 0:
                gains.append((weights[i] * error, i))
        bought = heapq.nlargest(budget, gains)
        for _gain, i in bought:
            latest[work.priceable[i]] = (today, truth[i])
        outcome.daily_requests.append(len(bought))
        record_day(outcome, work, day_index, latest, None)
    outcome.requests = sum(outcome.daily_requests)
    outcome.runtime_s = time.monotonic() - started
    outcome.latest = latest
    return outcome


# -- main ----------------------------------------------------------------------------------------------


def build_workload(args, folder: Path) -> Workload:
    coins = bench_catalog(args.coins, args.seed)
    universe = SimUniverse(coins, market_seed=args.seed)
    weights = demand_weights(coins, args.seed)
    points = tracked_points(coins)
    point_weights = {}
    priceable = []
    for coin in coins:
        number = universe.number_of(coin)
        grades = points[coin.natural_key]
        for grade, plus in grades:
            key = (coin.natural_key, grade, plus)
            point_weights[key] = weights[coin.natural_key] / len(grades)
            answer = universe.point(number, grade, plus, START_DAY)
            if answer is not None and answer.price is not None:
                priceable.append(key)
    numbers = [universe.number_of(key[0]) for key in priceable]
    truth, spot_rows = [], []
    for day_index in range(args.days):
        day = START_DAY + timedelta(days=day_index)
        truth.append([float(universe.guide_price(n, g, p, day)) for n, (_k, g, p) in zip(numbers, priceable,
                                                                                        strict=True)])
        spot_rows.append([(day, metal, Decimal(f"{universe.spot(metal, day):.2f}")) for metal in spot_source.METALS])
    metal_of = {c.natural_key: (c.precious_metal, c.metal_oz) for c in coins}
    lookups = sampled_lookups(weights, args.lookups_per_coin, args.seed)
    n_watch = max(1, round(len(coins) * args.watch_share)) if args.watch_share > 0 else 0
    watched = set(sorted(weights, key=lambda k: -weights[k])[:n_watch])
    template = folder / "template.db"
    prepare_template(template, coins, universe, lookups, watched)
    return Workload(coins, universe, point_weights, priceable, truth, spot_rows, metal_of, template, args.days,
                    args.quota, estimated_demand(template))


def estimated_demand(template: Path) -> dict:
    """Each point's demand as coinref estimates it (lookups and watchlist, :func:`coin_shares`)."""
    engine = make_engine(f"sqlite:///{template}")
    points = load_points(engine, START_DAY)
    with session_scope(engine) as session:
        rows = session.execute(
            select(Coin.id, Series.slug, Coin.year, Coin.mint_mark, Coin.strike, Coin.variety, Coin.designation)
            .join(Series, Series.id == Coin.series_id)
        ).all()
    engine.dispose()
    key_of_coin = {coin_id: tuple(key) for coin_id, *key in rows}
    shares = coin_shares(points, DEFAULT_POLICY)
    return {(key_of_coin[p.coin.id], p.grade, p.plus): shares[p.coin.id] / p.coin.n_points for p in points.points}


STRATEGIES = ("seed", "round_robin", "freshness", "coinref", "oracle", "oracle_true_demand")


def run(args) -> dict:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="coinref-refresh-bench-") as tmp:
        folder = Path(tmp)
        work = build_workload(args, folder)
        setup_s = time.monotonic() - started
        results = {}
        for name in STRATEGIES:
            if name == "round_robin":
                results[name] = run_round_robin(work)
            elif name == "oracle":
                budget = work.quota - reserve_calls(work.quota, DEFAULT_RESERVE_PCT)
                results[name] = run_oracle(work, work.demand, budget)
            elif name == "oracle_true_demand":
                results[name] = run_oracle(work)
            elif args.through_runner:
                results[name] = asyncio.run(run_strategy(name, work, folder, args.json))
            else:
                results[name] = run_in_memory(name, work)
            if not args.json:
                print(f"  {name}: error {results[name].daily_error[-1]:.4f} on the last day, "
                      f"{results[name].runtime_s:.1f} s", file=sys.stderr)
    summary = {name: outcome.summary(args.days, args.quota) for name, outcome in results.items()}
    error = {name: summary[name]["price_error"] for name in STRATEGIES}

    def ratio(a, b):
        return round(error[a] / error[b], 3) if error[b] else None

    ratios = {"coinref_vs_freshness": ratio("coinref", "freshness"),
              "coinref_vs_round_robin": ratio("coinref", "round_robin"),
              "coinref_vs_oracle": ratio("coinref", "oracle"),
              "coinref_vs_oracle_true_demand": ratio("coinref", "oracle_true_demand")}
    target = (ratios["coinref_vs_freshness"] is not None and ratios["coinref_vs_freshness"] <= 0.6
              and ratios["coinref_vs_round_robin"] is not None and ratios["coinref_vs_round_robin"] <= 0.5
              and ratios["coinref_vs_oracle"] is not None and ratios["coinref_vs_oracle"] <= 1.3
              and summary["coinref"]["quota_used"] >= 0.94 and not summary["coinref"]["overrun"])
    return {
        "params": {"days": args.days, "coins": args.coins, "quota": args.quota, "seed": args.seed,
                   "lookups_per_coin": args.lookups_per_coin, "watch_share": args.watch_share,
                   "through_runner": args.through_runner,
                   "tracked_points": len(work.point_weights), "priceable_points": len(work.priceable)},
        **summary,
        **ratios,
        "target_met": bool(target),
        "setup_s": round(setup_s, 1),
        "runtime_s": round(time.monotonic() - started, 1),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--coins", type=int, default=8000)
    parser.add_argument("--quota", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lookups-per-coin", type=float, default=10.0,
                        help="average lookups per coin drawn from the demand weights (default 10)")
    parser.add_argument("--watch-share", type=float, default=0.01,
                        help="share of coins, the most wanted, on the watchlist (default 0.01)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--through-runner", action="store_true",
                        help="run seed, freshness and coinref through the refresh runner, PCGS client and "
                             "simulator (slow) instead of on point states in memory")
    args = parser.parse_args(argv)
    if args.days < 1 or args.coins < 1 or args.quota < 1:
        parser.error("--days, --coins and --quota must be at least 1")
    if not 0 <= args.watch_share <= 1 or args.lookups_per_coin < 0:
        parser.error("--watch-share must be in 0..1 and --lookups-per-coin 0 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{args.coins} coins, {result['params']['tracked_points']} tracked points "
          f"({result['params']['priceable_points']} priced by the sim), quota {args.quota}/day, {args.days} days")
    print(f"{'strategy':<12} {'price error':>12} {'freshness':>10} {'quota used':>11} {'requests':>9}")
    for name in STRATEGIES:
        row = result[name]
        print(f"{name:<12} {row['price_error']:>12.2%} {row['freshness']:>10.1%} {row['quota_used']:>11.1%} "
              f"{row['requests']:>9}")
    print(f"coinref / freshness {result['coinref_vs_freshness']}, / round robin {result['coinref_vs_round_robin']}, "
          f"/ oracle {result['coinref_vs_oracle']}; target {'met' if result['target_met'] else 'NOT met'}; "
          f"runtime {result['runtime_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
