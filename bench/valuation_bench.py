#!/usr/bin/env python
"""Valuation benchmark: ``coinref value`` over a large collection on SQLite, against a naive baseline.

    .venv/bin/python bench/valuation_bench.py [--holdings 10000] [--days 12] [--repeat 5] [--db FILE] [--json]

**Data.** A temporary SQLite file, migrated, holding the whole built-in catalog. Every coin gets
a synthetic PCGS number (900000 + id) and guide values at MS63 and MS65 on ``--days`` monthly
days (two price observations per coin, grade and month: sources ``pcgs-api`` and ``import``);
every third coin has auction sales at MS64 (one a month), every coin with silver or gold content
is valued against stored spot prices. ``--holdings`` holdings are drawn (seeded) over those coins
at grades 60-66, so the rule takes every path: exact guide values (63, 65), interpolated ones
(64), auction medians (62 where sold), melt, and unvalued coins. Synthetic data only.

**Methods**, on the same data and day, checked to give the same total:

* ``coinref``: :func:`coinref.pipeline.valuation.valuation` (set-based: latest price per held
  point through the price index, the held points' sales in the window, four spot lookups);
* ``naive``: the per-row loop a first design would write: for each holding, one query for its
  coin, one for the coin's price observations up to the day (the latest per grade kept in
  Python) and one for its sales in the window; the same per-holding rule
  (:func:`coinref.pipeline.valuation.value_holding`).

**Measure.** One warm-up, then ``--repeat`` runs of each (``--naive-repeat`` for the baseline);
the median wall time and the median CPU time of the process (SQLite runs inside it, so on a
shared, oversubscribed machine the CPU time is the work done and the wall time includes waiting
for a core); the load average is printed with them. Target: coinref under 1 s for 10,000
holdings.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

from coinref.catalog.builtin import load_catalog
from coinref.pipeline.valuation import SALES_WINDOW_DAYS, valuation, value_holding
from coinref.store.coins import upsert_catalog_coins
from coinref.store.db import make_engine, session_scope
from coinref.store.migrate import upgrade
from coinref.store.models import AuctionSale, Coin, Holding, PriceObservation, SpotPrice
from coinref.store.seed import seed_reference_data

AS_OF = date(2025, 6, 30)


def build(url: str, holdings: int, months: int, seed: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    seed_reference_data(engine)
    upsert_catalog_coins(engine, load_catalog())
    rng = random.Random(seed)
    days = [AS_OF - timedelta(days=30 * k) for k in range(months)]
    with session_scope(engine) as session:
        coins = session.execute(select(Coin.id)).scalars().all()
        session.execute(Coin.__table__.update().values(pcgs_number=Coin.id + 900_000))
        prices, sales = [], []
        for coin_id in coins:
            base = 20 + coin_id % 300
            for k, day in enumerate(days):
                for grade, factor in ((63, 1.0), (65, 3.0)):
                    for source, bump in (("pcgs-api", 0), ("import", 1)):
                        prices.append({"coin_id": coin_id, "grade": grade, "plus": False, "source": source,
                                       "price": Decimal(str(round(base * factor * (1 + k / 50) + bump, 2))),
                                       "currency": "USD", "observed_on": day})
                if coin_id % 3 == 0:
                    sales.append({"coin_id": coin_id, "pcgs_number": coin_id + 900_000, "grade": 62, "plus": False,
                                  "designation": "", "sold_on": day - timedelta(days=3), "date_text": "",
                                  "auction_house": "Bench House", "sale_name": f"sale {k}", "lot": str(coin_id),
                                  "price": Decimal(base), "grading_service": "PCGS", "source": "bench"})
        session.execute(insert(PriceObservation), prices)
        session.execute(insert(AuctionSale), sales)
        session.execute(insert(SpotPrice), [
            {"metal": metal, "day": AS_OF - timedelta(days=d), "price": Decimal(price), "source": "bench"}
            for metal, price in (("silver", "30"), ("gold", "2400"), ("platinum", "1000"), ("palladium", "1000"))
            for d in (0, 40, 400)])
        session.execute(insert(Holding), [
            {"coin_id": rng.choice(coins), "grade": rng.choice((60, 62, 63, 64, 65, 66)), "plus": False,
             "quantity": rng.randint(1, 5), "note": ""} for _ in range(holdings)])
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def naive_total(engine, as_of: date) -> Decimal:
    """One query per holding input: the per-row design."""
    total = Decimal("0.00")
    with session_scope(engine) as session:
        spots = {}
        for metal in ("silver", "gold", "platinum", "palladium"):
            row = session.execute(select(SpotPrice.price, SpotPrice.day).where(
                SpotPrice.metal == metal, SpotPrice.day <= as_of).order_by(SpotPrice.day.desc()).limit(1)).first()
            if row:
                spots[metal] = (row[0], row[1])
        for holding in session.scalars(select(Holding).order_by(Holding.id)).all():
            coin = session.get(Coin, holding.coin_id)
            points = {}
            for grade, plus, price, day in session.execute(select(
                    PriceObservation.grade, PriceObservation.plus, PriceObservation.price, PriceObservation.observed_on)
                    .where(PriceObservation.coin_id == coin.id, PriceObservation.observed_on <= as_of)
                    .order_by(PriceObservation.observed_on, PriceObservation.id)):
                points[(grade, plus)] = (price, day)  # the latest day, then the row stored last, wins
            sales = session.execute(select(AuctionSale.price, AuctionSale.sold_on).where(
                AuctionSale.coin_id == coin.id, AuctionSale.grade == holding.grade, AuctionSale.plus == holding.plus,
                AuctionSale.sold_on <= as_of, AuctionSale.sold_on > as_of - timedelta(days=SALES_WINDOW_DAYS))).all()
            figures = value_holding(grade=holding.grade, plus=holding.plus, quantity=holding.quantity,
                                    metal=coin.metal, metal_oz=coin.metal_oz, points=points,
                                    sales=[tuple(s) for s in sales], spots=spots, as_of=as_of)
            if figures["value"] is not None:
                total += figures["value"]
    return total


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall time and median CPU time of this process (SQLite runs in it) over ``repeat`` runs."""
    result = fn()
    walls, cpus = [], []
    for _ in range(max(repeat, 1)):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holdings", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=12, help="monthly price days per coin and grade")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--naive-repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, help="keep the database in this file (reused when it exists)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "bench.db"
        url = f"sqlite:///{path}"
        started = time.perf_counter()
        if not path.exists():
            build(url, args.holdings, args.days, args.seed)
        built = time.perf_counter() - started
        engine = make_engine(url)
        with session_scope(engine) as session:
            counts = {"holdings": session.query(Holding).count(), "prices": session.query(PriceObservation).count(),
                      "sales": session.query(AuctionSale).count(), "coins": session.query(Coin).count()}
        fast, fast_cpu, result = timed(lambda: valuation(engine, AS_OF), args.repeat)
        slow, slow_cpu, naive = timed(lambda: naive_total(engine, AS_OF), args.naive_repeat)
        engine.dispose()
    if naive != result["total"]:
        print(f"totals differ: coinref {result['total']} naive {naive}", file=sys.stderr)
        return 1
    bases: dict[str, int] = {}
    for holding in result["holdings"]:
        bases[holding["basis"]] = bases.get(holding["basis"], 0) + 1
    report = {"data": counts, "build_s": round(built, 1), "coinref_s": round(fast, 3),
              "coinref_cpu_s": round(fast_cpu, 3), "naive_s": round(slow, 3), "naive_cpu_s": round(slow_cpu, 3),
              "speedup": round(slow / fast, 1), "total": str(result["total"]), "bases": bases,
              "load_average": [round(x, 1) for x in os.getloadavg()], "target_met": fast < 1.0}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{counts['holdings']:,} holdings over {counts['coins']:,} coins, {counts['prices']:,} price "
              f"observations, {counts['sales']:,} sales (built in {built:.1f} s)")
        print(f"coinref {fast:.3f} s (CPU {fast_cpu:.3f} s), naive {slow:.3f} s (CPU {slow_cpu:.3f} s), "
              f"{report['speedup']}x; total {result['total']}; bases {bases}; load {report['load_average']}")
    return 0 if fast < 1.0 else 2


if __name__ == "__main__":
    sys.exit(main())
