"""Population runs from the built-in catalog and from a test source with invalid records."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from coinref.catalog.builtin import load_catalog
from coinref.context import AppContext
from coinref.pipeline import sources as source_registry
from coinref.pipeline.populate import PopulateOptions, populate
from coinref.pipeline.records import CoinRecord
from coinref.pipeline.sources import ItemResult, Source
from coinref.pipeline.workqueue import WorkSpec
from coinref.store.db import session_scope
from coinref.store.models import Coin, Quarantine, WorkItem


def _coin_count(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count(Coin.id)))


def test_dry_run_writes_nothing(cli, db_url, engine):
    result = cli("populate", "--source", "builtin", "--priority", "P0", "--dry-run", "--json",
                 env={"DATABASE_URL": db_url})
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["dry_run"] is True and report["run_id"] is None
    expected = len([c for c in load_catalog() if c.series in set(report["series_selected"])])
    assert report["created"] == expected > 0
    assert _coin_count(engine) == 0
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(WorkItem.id))) == 0


def test_limit_writes_exactly_n_then_resumes(cli, db_url, engine):
    env = {"DATABASE_URL": db_url}
    result = cli("populate", "--priority", "P0", "--limit", "3", "--json", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.json()["created"] == 3
    assert _coin_count(engine) == 3
    again = cli("populate", "--priority", "P0", "--json", env=env).json()
    p0 = [c for c in load_catalog() if c.series in set(again["series_selected"])]
    assert again["created"] == len(p0) - 3
    assert _coin_count(engine) == len(p0)


def test_full_run_is_idempotent_and_exports(cli, db_url, engine):
    env = {"DATABASE_URL": db_url}
    first = cli("populate", "--priority", "all", "--json", env=env).json()
    catalog = load_catalog()
    assert first["created"] == len(catalog) == first["coins_after"]
    assert first["records"] == first["created"] + first["updated"] + first["unchanged"] + first["quarantined"]
    second = cli("populate", "--priority", "all", "--json", env=env).json()
    assert second["created"] == 0 and second["updated"] == 0
    assert second["unchanged"] == len(catalog)
    exported = cli("export", "coins", "--format", "json", env=env)
    assert exported.exit_code == 0
    rows = exported.json()
    assert len(rows) == len(catalog)
    assert set(rows[0]) == {"series", "year", "mint_mark", "strike", "variety", "designation", "denomination",
                            "full_name", "pcgs_number", "ngc_number", "metal", "weight_g", "fineness", "metal_oz",
                            "mintage", "diameter_mm", "edge", "designer", "composition", "key_date",
                            "pcgs_provenance", "pcgs_state", "pcgs_verified_on", "pcgs_note"}
    base = [r for r in rows if not r["designation"]]
    assert all(r["edge"] and r["designer"] and r["composition"] for r in base)
    assert sum(r["diameter_mm"] is None for r in base) <= 6  # unknown, left empty rather than guessed
    walker = next(r for r in rows if r["full_name"] == "1921-S Walking Liberty Half Dollar")
    assert (walker["diameter_mm"], walker["edge"], walker["designer"], walker["composition"], walker["key_date"]) == (
        30.6, "reeded", "Adolph A. Weinman", "90% silver / 10% copper", "key")
    csv_out = cli("export", "coins", "--format", "csv", env=env)
    assert csv_out.stdout.count("\n") == len(catalog) + 1
    header, first = csv_out.stdout.splitlines()[:2]
    assert header.endswith("mintage,diameter_mm,edge,designer,composition,key_date,pcgs_provenance,pcgs_state,"
                           "pcgs_verified_on,pcgs_note")


class _DirtySource(Source):
    """Yields one series' catalog coins with some made invalid on purpose."""

    name = "dirty"
    repeatable_passes = True

    def __init__(self, ctx=None, run_id=None) -> None:
        pass

    def plan(self, engine, series):
        return [WorkSpec(key=f"series:{s.slug}", priority=i, series_slug=s.slug) for i, s in enumerate(series)]

    async def fetch(self, item):
        records = [CoinRecord.from_catalog(c) for c in load_catalog([item.series_slug])]
        records[0] = records[0].model_copy(update={"mint_mark": "CC", "year": 1921})  # CC closed in 1893
        records[1] = records[1].model_copy(update={"year": 1700})  # before the Mint
        records[2] = records[2].model_copy(update={"denomination": "$7", "full_name": ""})
        records[3] = records[3].model_copy(update={"weight_g": Decimal("-1")})
        return ItemResult(coins=records)


def test_report_counts_add_up_with_invalid_records(db_url, engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    source_registry.register("dirty", _DirtySource)
    report = populate(AppContext(), PopulateOptions(source="dirty", series=["morgan-dollars"], priority="all"))
    row = report["series"][0]
    assert row["quarantined"] == 4
    assert row["records"] == row["created"] + row["updated"] + row["unchanged"] + row["quarantined"]
    assert report["records"] == len(load_catalog(["morgan-dollars"]))
    with session_scope(engine) as session:
        reasons = [q.reasons for q in session.scalars(select(Quarantine))]
    flat = " | ".join("; ".join(r) for r in reasons)
    assert "Carson City" in flat and "1700" in flat and "$7" in flat and "full_name" in flat and "weight" in flat
    assert _coin_count(engine) == row["created"]
    assert report["report_files"]["markdown"].endswith("_report.md")
