"""Smoke runs of bench/refresh_sim.py with tiny parameters: its JSON shape, coinref ahead of the
starting design, and the in-memory runs buying exactly what the runner, client and simulator buy."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "refresh_sim.py"
STRATEGIES = ("seed", "round_robin", "freshness", "coinref", "oracle", "oracle_true_demand")


def load_bench():
    spec = importlib.util.spec_from_file_location("refresh_sim", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_reports_price_error_per_strategy(capsys):
    bench = load_bench()
    assert bench.main(["--days", "3", "--coins", "50", "--quota", "20", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)

    for name in STRATEGIES:
        row = result[name]
        assert set(row) >= {"price_error", "freshness", "quota_used", "requests", "overrun"}
        assert 0 <= row["price_error"] <= 1 and 0 <= row["freshness"] <= 1 and 0 <= row["quota_used"] <= 1
        assert len(row["daily_price_error"]) == 3 and len(row["daily_freshness"]) == 3
        assert row["requests"] <= 3 * 20 and not row["overrun"]
    assert result["coinref"]["price_error"] < result["seed"]["price_error"]
    assert result["seed"]["requests"] <= 3 * (20 // 7)
    assert result["coinref"]["requests"] == 3 * 19  # the whole budget: 20 calls less the 5% reserve (1)
    assert result["round_robin"]["requests"] == result["oracle_true_demand"]["requests"] == 3 * 20
    assert "stored_price_error" in result["coinref"]
    assert result["params"]["coins"] == 50


def test_the_in_memory_runs_buy_what_the_runner_buys():
    bench = load_bench()
    fast = bench.run(bench.parse_args(["--days", "4", "--coins", "60", "--quota", "20", "--json"]))
    slow = bench.run(bench.parse_args(["--days", "4", "--coins", "60", "--quota", "20", "--json",
                                       "--through-runner"]))
    for name in ("seed", "freshness", "coinref"):
        assert fast[name]["requests"] == slow[name]["requests"] > 0
        assert fast[name]["daily_price_error"] == slow[name]["daily_price_error"]
        assert fast[name]["daily_freshness"] == slow[name]["daily_freshness"]
