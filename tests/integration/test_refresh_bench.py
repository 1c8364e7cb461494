"""A smoke run of bench/refresh_sim.py with tiny parameters: its JSON shape, and coinref ahead."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "refresh_sim.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("refresh_sim", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_runs_and_coinref_beats_the_starting_design(capsys):
    bench = load_bench()
    assert bench.main(["--days", "3", "--coins", "50", "--quota", "20", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)

    for name in ("baseline", "coinref", "bound"):
        assert set(result[name]) >= {"weighted_freshness", "quota_used"}
        assert 0 <= result[name]["weighted_freshness"] <= 1
        assert 0 <= result[name]["quota_used"] <= 1
        assert len(result[name]["daily_freshness"]) == 3
    assert result["coinref"]["weighted_freshness"] > result["baseline"]["weighted_freshness"]
    assert result["coinref"]["weighted_freshness"] <= result["bound"]["weighted_freshness"] + 1e-9
    assert result["coinref"]["requests"] <= 3 * 20 and result["bound"]["requests"] <= 3 * 20
    assert result["baseline"]["requests"] <= 3 * (20 // 7)
    assert result["params"]["coins"] == 50
