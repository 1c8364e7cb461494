"""``coinref validate``: a fresh catalog passes; each planted defect is found and exits 6; --fix repairs."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from coinref.catalog.builtin import load_catalog
from coinref.pipeline.validate import _CoinView, _duplicates, validate_database
from coinref.store.db import session_scope
from coinref.store.models import Coin, PriceObservation, Series


def _id(engine, full_name: str) -> int:
    with session_scope(engine, read_only=True) as session:  # a read: called inside a write transaction
        return session.scalar(select(Coin.id).where(Coin.full_name == full_name))


def _add(engine, template: str, **changes) -> int:
    """A copy of an existing coin with some fields changed."""
    with session_scope(engine) as session:
        source = session.scalar(select(Coin).where(Coin.full_name == template))
        fields = {c: getattr(source, c) for c in ("series_id", "year", "mint_mark", "strike", "variety",
                                                  "designation", "denomination", "full_name", "short_name")}
        coin = Coin(**(fields | changes), facts={}, source="test", lookup_count=0)
        session.add(coin)
        session.flush()
        return coin.id


def _drop_from_index(engine, coin_id: int) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("INSERT INTO coins_fts(coins_fts, rowid, full_name, series_name, denomination, date) "
                              "SELECT 'delete', id, full_name, series_name, denomination, date FROM coin_search_docs "
                              "WHERE id = :id"), {"id": coin_id})
        else:
            conn.execute(text("UPDATE coins SET search_vector = NULL WHERE id = :id"), {"id": coin_id})


def _by_check(report: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for problem in report["problems"]:
        found.setdefault(problem["check"], []).append(problem)
    return found


def test_a_freshly_built_catalog_passes(cli, catalog_db_url):
    env = {"DATABASE_URL": catalog_db_url}
    result = cli("validate", "--summary", env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "coins without any price" in result.stdout
    data = cli("validate", "--json", env=env).json()
    assert data["errors"] == 0 and data["warnings"] == 0
    counts = {row["check"]: row["count"] for row in data["summary"]}
    total = len(load_catalog())
    assert data["coins"] == total
    assert counts["no_price"] == total and counts["no_pcgs_number"] == total  # informational, not errors
    assert all(c["present"] == c["catalog"] and c["with_pcgs"] == 0 and c["with_price"] == 0
               for c in data["coverage"])
    assert sum(c["catalog"] for c in data["coverage"]) == total
    assert "problems" not in data


def test_every_planted_problem_is_found_and_exits_6(cli, catalog_engine, catalog_db_url):
    engine = catalog_engine
    blank_name = _id(engine, "1884-CC Morgan Dollar")
    with engine.begin() as conn:
        conn.execute(text("UPDATE coins SET full_name = '' WHERE id = :id"), {"id": blank_name})
        odd_denomination = _id(engine, "1885-O Morgan Dollar")
        conn.execute(text("UPDATE coins SET denomination = '$7' WHERE id = :id"), {"id": odd_denomination})
    outside = _add(engine, "1881-S Morgan Dollar", year=1870, full_name="1870-S Morgan Dollar")  # before 1878
    impossible = _add(engine, "1881-S Morgan Dollar", year=1900, mint_mark="CC", full_name="1900-CC Morgan Dollar")
    duplicate = _add(engine, "1881-S Morgan Dollar", mint_mark="s")  # same coin once the mint mark is normalized
    original = _id(engine, "1881-S Morgan Dollar")
    unindexed = _id(engine, "1893-S Morgan Dollar")
    _drop_from_index(engine, unindexed)
    stale = _id(engine, "1921 Peace Dollar")
    with session_scope(engine) as session:
        session.add(PriceObservation(coin_id=stale, grade=65, plus=False, source="pcgs-api", price=250,
                                     observed_on=date.today() - timedelta(days=60)))

    result = cli("validate", "--report", "--json", env={"DATABASE_URL": catalog_db_url})
    assert result.exit_code == 6, result.stderr
    assert "error" in result.stderr
    report = result.json()
    found = _by_check(report)
    assert blank_name in {p["coin_id"] for p in found["missing_field"]}
    assert {p["coin_id"] for p in found["year_outside_series"]} == {outside}
    assert impossible in {p["coin_id"] for p in found["impossible_mint"]}
    assert duplicate in {p["coin_id"] for p in found["impossible_mint"]}  # "s" is no mint mark
    assert {p["coin_id"] for p in found["unknown_denomination"]} == {odd_denomination}
    assert {p["coin_id"] for p in found["duplicate_natural_key"]} == {original, duplicate}
    assert {p["coin_id"] for p in found["not_in_search_index"]} == {unindexed}
    assert {p["coin_id"] for p in found["stale_price"]} == {stale}
    counts = {row["check"]: row["count"] for row in report["summary"]}
    assert counts["no_price"] == report["coins"] - 1
    assert report["errors"] == sum(len(found[c]) for c in ("missing_field", "year_outside_series", "impossible_mint",
                                                           "unknown_denomination", "duplicate_natural_key",
                                                           "not_in_search_index"))
    plain = cli("validate", env={"DATABASE_URL": catalog_db_url})
    assert plain.exit_code == 6
    assert "duplicate natural keys" in plain.stdout


# SQLite cannot drop the unique constraint on coins.pcgs_number to plant the defect;
# test_duplicate_checks_on_plain_records covers the check itself on both backends.
@pytest.mark.parametrize("backend", ["postgresql"])
def test_duplicate_pcgs_numbers_are_found(cli, catalog_engine, catalog_db_url, backend):
    first, second = _id(catalog_engine, "1881-S Morgan Dollar"), _id(catalog_engine, "1881-O Morgan Dollar")
    with catalog_engine.begin() as conn:
        conn.execute(text("ALTER TABLE coins DROP CONSTRAINT uq_coins_pcgs_number"))
        conn.execute(text("UPDATE coins SET pcgs_number = 7170 WHERE id IN (:a, :b)"), {"a": first, "b": second})
    result = cli("validate", "--report", "--json", env={"DATABASE_URL": catalog_db_url})
    assert result.exit_code == 6
    found = _by_check(result.json())
    assert {p["coin_id"] for p in found["duplicate_pcgs_number"]} == {first, second}
    assert result.json()["errors"] == 2


def test_duplicate_checks_on_plain_records():
    def view(coin_id, mint="S", pcgs=None, variety=""):
        return _CoinView(coin_id, "morgan-dollars", 1881, mint, "MS", variety, "", "$1", "x", "", pcgs)

    problems = _duplicates([view(1, pcgs=7170), view(2, mint="s "), view(3, pcgs=7170, variety=" VAM 1"),
                            view(4, variety="vam  1")])
    by_check = {(p.check, p.coin_id) for p in problems}
    assert {("duplicate_natural_key", 1), ("duplicate_natural_key", 2)} <= by_check
    assert {("duplicate_natural_key", 3), ("duplicate_natural_key", 4)} <= by_check
    assert {("duplicate_pcgs_number", 1), ("duplicate_pcgs_number", 3)} <= by_check


def test_fix_normalizes_mint_marks_and_names_rebuilds_the_index_and_says_so(cli, catalog_engine, catalog_db_url):
    engine = catalog_engine
    coin_id = _id(engine, "1885-O Morgan Dollar")
    with engine.begin() as conn:
        conn.execute(text("UPDATE coins SET mint_mark = 'o', full_name = ' 1885-O  Morgan Dollar' WHERE id = :id"),
                     {"id": coin_id})
    unindexed = _id(engine, "1893-S Morgan Dollar")
    _drop_from_index(engine, unindexed)
    colliding = _add(engine, "1881-S Morgan Dollar", mint_mark="s")
    env = {"DATABASE_URL": catalog_db_url}
    assert cli("validate", env=env).exit_code == 6

    result = cli("validate", "--fix", env=env)
    assert result.exit_code == 6  # the colliding copy still needs a person
    assert f"coin #{coin_id}: mint mark 'o' -> 'O'" in result.stdout
    assert f"coin #{coin_id}: full name ' 1885-O  Morgan Dollar' -> '1885-O Morgan Dollar'" in result.stdout
    assert "rebuilt the search index (1 coins" in result.stdout
    assert f"coin #{colliding}" in result.stdout and "merge them by hand" in result.stdout
    with session_scope(engine) as session:
        session.delete(session.get(Coin, colliding))
    fixed = cli("validate", "--json", env=env)
    assert fixed.exit_code == 0, fixed.stdout
    with session_scope(engine) as session:
        row = session.get(Coin, coin_id)
        assert (row.mint_mark, row.full_name) == ("O", "1885-O Morgan Dollar")


def test_series_filter_export_and_usage_errors(cli, catalog_engine, catalog_db_url, tmp_path):
    env = {"DATABASE_URL": catalog_db_url}
    morgan = cli("validate", "--series", "morgan-dollars", "--json", env=env).json()
    assert morgan["coins"] == len(load_catalog(["morgan-dollars"]))
    assert [c["series"] for c in morgan["coverage"]] == ["morgan-dollars"]

    default = cli("validate", "--export", env=env)
    assert default.exit_code == 0, default.stderr
    written = Path(tmp_path / "logs" / f"validation_report_{date.today():%Y-%m-%d}.md")
    assert written.exists() and written.read_text().startswith("# coinref validation report")
    chosen = tmp_path / "out" / "report.md"
    explicit = cli("validate", "--report", "--export", str(chosen), env=env)
    assert explicit.exit_code == 0
    markdown = chosen.read_text()
    assert "| morgan-dollars |" in markdown and "## Coverage against the built-in catalog" in markdown
    assert cli("validate", f"--export={tmp_path / 'eq.md'}", env=env).exit_code == 0
    assert (tmp_path / "eq.md").exists()

    with session_scope(catalog_engine) as session:
        series_id = session.scalar(select(Series.id).where(Series.slug == "morgan-dollars"))
        session.query(Coin).filter(Coin.series_id == series_id, Coin.year == 1881).delete()
    missing = cli("validate", "--series", "morgan-dollars", "--json", env=env)
    assert missing.exit_code == 0  # coins missing from the database are a warning
    cov = missing.json()["coverage"][0]
    assert cov["present"] < cov["catalog"]
    assert missing.json()["warnings"] == cov["catalog"] - cov["present"]

    assert cli("validate", "--series", "no-such", env=env).exit_code == 2
    assert cli("validate", "--summary", "--report", env=env).exit_code == 2
    assert cli("validate", "--bogus", env=env).exit_code == 2


def test_uninitialised_database_exits_3(cli, tmp_path):
    result = cli("validate", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"})
    assert result.exit_code == 3


def test_only_the_latest_price_counts_for_staleness(catalog_engine):
    coin_id = _id(catalog_engine, "1881-S Morgan Dollar")
    with session_scope(catalog_engine) as session:
        for days in (90, 5):
            session.add(PriceObservation(coin_id=coin_id, grade=65, plus=False, source="pcgs-api", price=100,
                                         observed_on=date.today() - timedelta(days=days)))
    report = validate_database(catalog_engine, series="morgan-dollars")
    assert report.counts["stale_price"] == 0  # the latest price is 5 days old
    assert report.coverage[0].with_price == 1
