#!/usr/bin/env python
"""HTTP load benchmark: concurrent searches and coin requests against a real ``coinref serve``.

    .venv/bin/python bench/api_load.py [--database-url URL | --backend sqlite|postgresql] [--workers 2]
                                       [--duration 20] [--concurrency 16] [--load-procs 1]
                                       [--coin-share 0.2] [--json]

**Server.** ``coinref serve --workers N --no-access-log`` on a free loopback port, as a separate
process tree. Without ``--database-url`` the bench builds a fresh database (``--backend sqlite``:
a file in a temporary directory; ``postgresql``: a database on ``$COINREF_BENCH_PG_URL``, dropped
afterwards): migrated, the whole built-in catalog (about 14,000 coins), synthetic PCGS numbers on
every tenth coin and a price history (10 days x 4 grades) for 1,000 of those. With
``--database-url`` it serves that database as it is (for example the one the main job built) and
only reads it.

**Load.** ``--load-procs`` separate processes, each running ``concurrency / load-procs`` asyncio
HTTP/1.1 keep-alive clients in a closed loop (each sends its next request when the previous answer arrives)
for ``--duration`` seconds after a 3-second warm-up that is not measured. A request is a search
(``/api/coins/search?q=...`` with the development queries of ``tests/fixtures/search-queries*.tsv``)
or, with probability ``--coin-share``, a coin (``/api/coins/{pcgs_number}`` or
``/api/coins/by-id/{id}``, with spot prices half of the time).

**Report.** Requests per second and latency p50/p90/p99 in milliseconds, per kind and overall,
plus any non-200 answers (which count as errors), and the CPU time spent per request by the
server's processes (read from ``/proc`` over the measured window) and by the load generator. The
load generator shares the machine with the server, so on a small machine it takes CPU the server
could use: the rates are a lower bound, and ``cores / (server + load ms per request)`` is the
ceiling on an otherwise idle machine.
Target on 2 cores: 500 searches per second with p99 under 50 ms on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
COINREF = str(Path(sys.executable).parent / "coinref")
QUERY_FILES = (ROOT / "tests" / "fixtures" / "search-queries.tsv",
               ROOT / "tests" / "fixtures" / "search-queries-extra.tsv")
WARMUP_S = 3.0
PG_URL = os.environ.get("COINREF_BENCH_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- data -------------------------------------------------------------------------------------


def pg_admin(command: str) -> None:
    from sqlalchemy import text

    from coinref.store.db import make_engine

    admin = make_engine(f"{PG_URL}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(command))
    admin.dispose()


def build_database(url: str) -> str:
    """Fill a fresh database with the whole catalog, synthetic PCGS numbers and prices."""
    from sqlalchemy import select, update

    from coinref.catalog.builtin import load_catalog
    from coinref.store.coins import upsert_catalog_coins
    from coinref.store.db import make_engine, session_scope
    from coinref.store.migrate import upgrade
    from coinref.store.models import Coin
    from coinref.store.prices import upsert_price
    from coinref.store.seed import seed_reference_data

    engine = make_engine(url)
    upgrade(engine)
    seed_reference_data(engine)
    upsert_catalog_coins(engine, load_catalog())
    rng = random.Random(9)
    last_day = date(2025, 6, 30)
    with session_scope(engine) as session:
        ids = session.scalars(select(Coin.id).order_by(Coin.id)).all()
        numbered = ids[::10]
        for coin_id in numbered:
            session.execute(update(Coin).where(Coin.id == coin_id).values(pcgs_number=900000 + coin_id))
        for coin_id in rng.sample(numbered, min(1000, len(numbered))):
            base = Decimal(rng.randint(20, 5000))
            for grade_index, grade in enumerate((63, 64, 65, 66)):
                for day in range(10):
                    price = (base * (1 + Decimal(grade_index) / 2) * (1 + Decimal(day) / 100)).quantize(Decimal("0.01"))
                    upsert_price(session, coin_id=coin_id, grade=grade, plus=False, source="pcgs-api", price=price,
                                 observed_on=last_day - timedelta(days=7 * (9 - day)))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)" if url.startswith("sqlite") else "ANALYZE")
    engine.dispose()
    return url


def targets(url: str) -> tuple[list[str], list[int], list[int]]:
    """Search queries, PCGS numbers and coin ids to request."""
    from sqlalchemy import select

    from coinref.store.db import make_engine, session_scope
    from coinref.store.models import Coin

    queries = []
    for path in QUERY_FILES:
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                queries += [row["query"] for row in csv.DictReader(handle, delimiter="\t") if row.get("query")]
    queries = queries or ["1881-S morgan", "1909-S VDB", "2021 silver eagle", "1916-D mercury dime"]
    engine = make_engine(url)
    with session_scope(engine) as session:
        numbers = session.scalars(select(Coin.pcgs_number).where(Coin.pcgs_number.is_not(None)).limit(5000)).all()
        ids = session.scalars(select(Coin.id).limit(5000)).all()
    engine.dispose()
    return queries, list(numbers), list(ids)


# -- server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, workers: int, log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "COINREF_LOG_DIR": str(log_path.parent)}
    server = subprocess.Popen([COINREF, "serve", "--port", str(port), "--workers", str(workers), "--no-access-log"],
                              env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("coinref serve exited: " + log_path.read_text())
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit("coinref serve did not answer /api/health within 60 s")


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of every live process in a process group (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the command: state ppid pgrp ... utime(11) stime(12)
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class CpuWindow(threading.Thread):
    """Samples the server's CPU time when the measured window opens and closes."""

    def __init__(self, pgid: int, duration: float) -> None:
        super().__init__(daemon=True)
        self.pgid, self.duration, self.seconds = pgid, duration, None

    def run(self) -> None:
        time.sleep(WARMUP_S)
        start = group_cpu_seconds(self.pgid)
        time.sleep(self.duration)
        self.seconds = group_cpu_seconds(self.pgid) - start


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# -- load -------------------------------------------------------------------------------------


def next_request(rng: random.Random, queries, numbers, ids, coin_share: float) -> tuple[str, str, dict]:
    if rng.random() >= coin_share or not (numbers or ids):
        return "search", "/api/coins/search", {"q": rng.choice(queries), "limit": 10}
    params = {"spot_silver": "31.5", "spot_gold": "2400"} if rng.random() < 0.5 else {}
    if numbers and (not ids or rng.random() < 0.5):
        return "coin", f"/api/coins/{rng.choice(numbers)}", params
    return "coin", f"/api/coins/by-id/{rng.choice(ids)}", params


class RawClient:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams.

    Much cheaper per request than a full client, so on a small machine the load generator leaves
    more CPU to the server. It understands what uvicorn sends: a status line, headers with
    ``content-length``, a body.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, params: dict) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        target = path + ("?" + urlencode(params) if params else "")
        self.writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}\r\nAccept: application/json\r\n\r\n"
                          .encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = next((int(line.split(":", 1)[1]) for line in lines[1:] if line.lower().startswith("content-length:")),
                      0)
        await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def drive(base: str, clients: int, duration: float, seed: int, work) -> list[tuple[str, float, int]]:
    """Closed-loop clients; returns (kind, latency ms, status) of requests sent after the warm-up."""
    queries, numbers, ids, coin_share = work
    host, port = base.removeprefix("http://").split(":")
    samples: list[tuple[str, float, int]] = []
    start = time.perf_counter()
    measure_from, stop_at = start + WARMUP_S, start + WARMUP_S + duration

    async def client_loop(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        http = RawClient(host, int(port))
        try:
            while (now := time.perf_counter()) < stop_at:
                kind, path, params = next_request(rng, queries, numbers, ids, coin_share)
                try:
                    status = await http.get(path, params)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    status, http = 0, RawClient(host, int(port))
                done = time.perf_counter()
                if now >= measure_from:
                    samples.append((kind, (done - now) * 1000, status))
        finally:
            await http.close()

    await asyncio.gather(*(client_loop(i) for i in range(clients)))
    return samples


def load_process(args: tuple) -> tuple[list[tuple[str, float, int]], float]:
    """Samples of one load process, and the CPU seconds it used."""
    base, clients, duration, seed, work = args
    cpu = time.process_time()
    samples = asyncio.run(drive(base, clients, duration, seed, work))
    return samples, time.process_time() - cpu


def percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def summarize(samples: list[tuple[str, float, int]], duration: float) -> dict[str, dict]:
    out = {}
    for kind in ("search", "coin", "all"):
        chosen = [s for s in samples if kind == "all" or s[0] == kind]
        latencies = sorted(s[1] for s in chosen)
        out[kind] = {
            "requests": len(chosen),
            "per_s": round(len(chosen) / duration, 1),
            "p50_ms": round(percentile(latencies, 50), 2),
            "p90_ms": round(percentile(latencies, 90), 2),
            "p99_ms": round(percentile(latencies, 99), 2),
            "errors": sum(1 for s in chosen if s[2] != 200),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="serve this database (default: build a fresh one)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite",
                        help="backend of the fresh database (PostgreSQL on $COINREF_BENCH_PG_URL, dropped afterwards)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds (after a 3 s warm-up)")
    parser.add_argument("--concurrency", type=int, default=16, help="clients in flight, over all load processes")
    parser.add_argument("--load-procs", type=int, default=1)
    parser.add_argument("--coin-share", type=float, default=0.2, help="share of coin requests (rest: searches)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    pg_name = None
    with tempfile.TemporaryDirectory(prefix="coinref-apiload-") as tmp:
        directory = Path(tmp)
        url = args.database_url
        if url is None:
            if args.backend == "sqlite":
                url = f"sqlite:///{directory / 'coinref-bench.db'}"
            else:
                pg_name = f"coinref_apiload_{uuid.uuid4().hex[:10]}"
                pg_admin(f'CREATE DATABASE "{pg_name}"')
                url = f"{PG_URL}/{pg_name}"
            log(f"building a {args.backend} database with the whole catalog and prices ...")
            build_database(url)
        queries, numbers, ids = targets(url)
        server, base = start_server(url, args.workers, directory / "serve.log")
        try:
            log(f"serving on {base} with {args.workers} workers; {args.concurrency} clients in "
                f"{args.load_procs} process(es) for {args.duration:.0f} s (+{WARMUP_S:.0f} s warm-up)")
            per_proc = [args.concurrency // args.load_procs + (1 if i < args.concurrency % args.load_procs else 0)
                        for i in range(args.load_procs)]
            work = (queries, numbers, ids, args.coin_share)
            jobs = [(base, n, args.duration, seed, work) for seed, n in enumerate(per_proc) if n]
            window = CpuWindow(server.pid, args.duration)
            window.start()
            if len(jobs) == 1:
                parts = [load_process(jobs[0])]
            else:
                with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
                    parts = pool.map(load_process, jobs)
            window.join()
        finally:
            stop_server(server)
            if pg_name:
                pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    samples = [sample for part, _cpu in parts for sample in part]
    figures = summarize(samples, args.duration)
    measured = max(1, figures["all"]["requests"])
    # the load processes' CPU includes their warm-up; scale it to the measured window
    load_cpu = sum(cpu for _part, cpu in parts) * args.duration / (args.duration + WARMUP_S)
    cpu = {"server_ms_per_request": round(1000 * (window.seconds or 0) / measured, 3),
           "load_ms_per_request": round(1000 * load_cpu / measured, 3),
           "server_cpu_share": round((window.seconds or 0) / args.duration, 2),
           "load_average_1m": os.getloadavg()[0]}
    result = {"workers": args.workers, "concurrency": args.concurrency, "load_procs": args.load_procs,
              "coin_share": args.coin_share, "duration_s": args.duration, "cpus": os.cpu_count(),
              "database": "sqlite" if url.startswith("sqlite") else "postgresql", "figures": figures, "cpu": cpu}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"coinref serve --workers {args.workers}, {result['database']}, {args.concurrency} clients, "
          f"{args.coin_share:.0%} coin requests, {args.duration:.0f} s, {os.cpu_count()} CPUs")
    print("| kind | requests | req/s | p50 ms | p90 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind, row in figures.items():
        print(f"| {kind} | {row['requests']} | {row['per_s']} | {row['p50_ms']} | {row['p90_ms']} | "
              f"{row['p99_ms']} | {row['errors']} |")
    print(f"server CPU {cpu['server_ms_per_request']} ms per request ({cpu['server_cpu_share']} cores busy), "
          f"load generator CPU {cpu['load_ms_per_request']} ms per request, load average {cpu['load_average_1m']:.2f}")


if __name__ == "__main__":
    main()
