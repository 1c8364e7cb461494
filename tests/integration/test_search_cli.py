"""``coinref search``: one query, batch files and standard input, JSON lines, errors and exit codes."""

from __future__ import annotations

import io
import json
import sys

from coinref.store.db import make_engine
from coinref.store.migrate import downgrade


def test_search_prints_a_table_with_the_best_coin_first(cli, catalog_db_url):
    result = cli("search", "84-CC", "morgan", env={"DATABASE_URL": catalog_db_url})
    assert result.exit_code == 0, result.stderr
    assert "year 1884" in result.stdout and "mint CC" in result.stdout
    lines = [line for line in result.stdout.splitlines() if "1884-CC Morgan Dollar" in line]
    assert lines and lines[0].lstrip().startswith("1 ")


def test_search_json_with_limit_series_and_year(cli, catalog_db_url):
    env = {"DATABASE_URL": catalog_db_url}
    result = cli("search", "walker", "--year", "1938", "--limit", "2", "--json", env=env)
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["query"] == "walker" and data["intent"]["series"] == ["walking-liberty-half-dollars"]
    assert len(data["results"]) == 2
    assert [(c["year"], c["mint_mark"]) for c in data["results"]][0] == (1938, "P")
    assert {"score", "id", "full_name", "pcgs_number", "metal_oz"} <= set(data["results"][0])
    only = cli("search", "1921", "--series", "peace-dollars", "--json", env=env).json()
    assert {c["series"] for c in only["results"]} == {"peace-dollars"}


def test_batch_file_gives_one_json_line_per_query(cli, catalog_db_url, tmp_path):
    batch = tmp_path / "collection.txt"
    batch.write_bytes(b"1909-S VDB\n\nwalker 1938-D\n\xff\xfe nonsense xyzzy\nPCGS 4444\n")
    result = cli("search", "--batch", str(batch), "--json", env={"DATABASE_URL": catalog_db_url})
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["1909-S VDB", "walker 1938-D", "\ufffd\ufffd nonsense xyzzy",
                                                 "PCGS 4444"]
    assert lines[0]["results"][0]["full_name"] == "1909-S VDB Lincoln Cent"
    assert lines[1]["results"][0]["full_name"] == "1938-D Walking Liberty Half Dollar"
    assert lines[2]["results"] == [] and lines[3]["results"] == []
    assert "score" in lines[0]["results"][0]


def test_batch_from_standard_input_as_a_table(cli, catalog_db_url, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"1881-S morgan\nSLQ 1927-S\n")))
    result = cli("search", "--batch", "-", env={"DATABASE_URL": catalog_db_url})
    assert result.exit_code == 0, result.stderr
    assert "1881-S Morgan Dollar" in result.stdout
    assert "1927-S Standing Liberty" in result.stdout


def test_search_counts_the_lookup_before_exiting(cli, catalog_db_url):
    cli("search", "1893-S", "morgan", env={"DATABASE_URL": catalog_db_url})
    engine = make_engine(catalog_db_url)
    try:
        with engine.connect() as conn:
            count = conn.exec_driver_sql(
                "SELECT lookup_count FROM coins WHERE full_name = '1893-S Morgan Dollar'").scalar_one()
    finally:
        engine.dispose()
    assert count == 1


def test_usage_errors_exit_2(cli, catalog_db_url, tmp_path):
    env = {"DATABASE_URL": catalog_db_url}
    assert cli("search", env=env).exit_code == 2
    both = cli("search", "morgan", "--batch", "-", env=env)
    assert both.exit_code == 2 and "not both" in both.stderr
    missing = cli("search", "--batch", str(tmp_path / "nope.txt"), env=env)
    assert missing.exit_code == 2 and "nope.txt" in missing.stderr
    series = cli("search", "1881", "--series", "no-such", env=env)
    assert series.exit_code == 2 and "no-such" in series.stderr


def test_uninitialised_or_old_database_exits_3(cli, tmp_path, db_url):
    result = cli("search", "morgan", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'nothing.db'}"})
    assert result.exit_code == 3 and "coinref init" in result.stderr
    engine = make_engine(db_url)
    downgrade(engine, "0001")
    engine.dispose()
    old = cli("search", "morgan", env={"DATABASE_URL": db_url})
    assert old.exit_code == 3 and "coinref init" in old.stderr
