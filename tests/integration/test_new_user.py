"""What a new user meets first (issue 13): dead ends name the next step, ordinary mistakes get
one clear line, read commands never write, imports round-trip, logs are kept in bounds.

Each test names the item it covers. The documented errors themselves are in test_errors.py.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import func, select

from coinref.store.db import session_scope
from coinref.store.models import Coin, PriceObservation, PricePointMiss, Quarantine, Run

COINREF = str(Path(sys.executable).with_name("coinref"))
UNREACHABLE = "http://127.0.0.1:9"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _load(cli, env, *series: str) -> None:
    args = [a for s in series for a in ("--series", s)]
    assert cli("populate", *args, "--json", env=env).exit_code == 0


# -- 1. dead ends name the next step ------------------------------------------------------------

def test_api_source_without_pcgs_numbers_names_the_missing_step(cli, db_url, engine):
    env = {"DATABASE_URL": db_url, "PCGS_API_TOKEN": "token-for-test"}
    _load(cli, env, "mercury-dimes")  # a series the catalog ships no PCGS number for
    result = cli("populate", "--source", "pcgs-api", "--series", "mercury-dimes", env=env)
    assert result.exit_code == 0, result.stderr
    assert "no coin of the chosen series has a PCGS number" in result.stdout
    assert "coinref import pcgs-numbers" in result.stdout
    assert "refresh-prices" not in result.stdout  # it would plan 0 of 0 points
    refresh = cli("refresh-prices", "--dry-run", env=env)
    assert refresh.exit_code == 0
    assert "no coin has a PCGS number" in refresh.stdout and "coinref import pcgs-numbers" in refresh.stdout
    empty = cli("populate", "--source", "specsearch", "--series", "peace-dollars", "--dry-run", env=env)
    assert "hold no coins yet" in empty.stdout and "coinref populate" in empty.stdout


# -- 2. configuration is checked once, up front ---------------------------------------------------

def test_missing_token_is_exit_10_before_any_work(cli, db_url, engine, tmp_path):
    env = {"DATABASE_URL": db_url}
    _load(cli, env, "morgan-dollars")
    numbers = _write(tmp_path / "n.csv", "pcgs_number,year,mint_mark,denomination\n7169,1881,S,$1\n7170,1882,S,$1\n")
    assert cli("import", "pcgs-numbers", str(numbers), env=env).exit_code == 0
    with session_scope(engine) as session:
        runs_before = session.scalar(select(func.count(Run.id)))
    logs = sorted((tmp_path / "logs").iterdir())
    result = cli("populate", "--source", "pcgs-api", env=env)
    assert result.exit_code == 10
    assert result.stderr.count("PCGS_API_TOKEN is not set") == 1 and "completed" not in result.stdout
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(Run.id))) == runs_before
    assert sorted((tmp_path / "logs").iterdir()) == logs


# -- 3. unreachable is exit 5 naming the host; blocked only when the server says so -------------

@pytest.mark.parametrize("source", ["specsearch", "coinfacts"])
def test_a_refused_connection_is_unreachable_not_blocked(cli, db_url, source):
    env = {"DATABASE_URL": db_url, "PCGS_WEBSITE_URL": UNREACHABLE, "PCGS_SPECSEARCH_URL": UNREACHABLE + "/s",
           "WEBSITE_PACING_MS": "0", "PCGS_MAX_RETRIES": "1", "PCGS_BACKOFF_CAP_S": "0.01", "BREAKER_FAIL_MAX": "2"}
    _load(cli, env, "peace-dollars")
    result = cli("populate", "--source", source, "--series", "peace-dollars", "--json", env=env)
    assert result.exit_code == 5, result.stderr
    report = result.json()
    assert report["stopped"] == "unavailable"
    assert any("127.0.0.1:9" in error for error in report["errors"])
    assert not any("blocking" in step for step in report["next"])
    assert any("could not be reached" in step for step in report["next"])


# -- 5. prices on an unpriced coin says what a lookup will do -------------------------------------

def test_prices_on_an_unpriced_coin_says_what_lookup_will_do(cli, db_url, engine, tmp_path):
    env = {"DATABASE_URL": db_url}
    _load(cli, env, "morgan-dollars")
    cli("import", "pcgs-numbers", str(_write(tmp_path / "n.csv", "pcgs_number,year,mint_mark,denomination\n"
                                                              "7169,1881,S,$1\n")), env=env)
    fresh = cli("prices", "7169", env=env)
    assert fresh.exit_code == 0 and "coinref lookup 7169 --grade MS65 buys one (one API call)" in fresh.stderr
    with session_scope(engine) as session:
        coin_id = session.scalar(select(Coin.id).where(Coin.pcgs_number == 7169))
        session.add(PricePointMiss(coin_id=coin_id, grade=65, plus=False, source="pcgs-api", reason="unpriced"))
    missed = cli("prices", "7169", env=env)
    assert "PCGS had no price for it today at grade 65 (unpriced)" in missed.stderr
    assert "without a call" in missed.stderr and "buys one" not in missed.stderr


# -- 6. ordinary mistakes in files (the rest of item 6 is in test_errors.py) ---------------------

def test_validate_export_into_a_file_shaped_folder_is_exit_2(cli, db_url, tmp_path):
    _write(tmp_path / "afile", "")
    result = cli("validate", "--export", str(tmp_path / "afile" / "report.md"), env={"DATABASE_URL": db_url})
    assert result.exit_code == 2 and "cannot write it" in result.stderr


# -- 7. read commands never create or write the database ------------------------------------------

def _user_namespaces_work() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "--user", "--map-user=1000", "--map-group=1000", "true"],
                           capture_output=True)
    return probe.returncode == 0


READ_COMMANDS = [["series"], ["quota"], ["calls"], ["quarantine"], ["watch", "list"], ["refresh-prices", "--status"],
                 ["export", "coins", "--series", "peace-dollars"], ["validate", "--series", "peace-dollars"],
                 ["search", "1921", "peace"]]


@pytest.mark.parametrize("backend", ["sqlite"])  # a file permission matter: SQLite only
def test_read_commands_work_on_a_read_only_database_in_a_read_only_folder(cli, db_url, tmp_path):
    if not _user_namespaces_work():
        pytest.skip("needs `unshare --user` to drop root's permission override")
    env = {"DATABASE_URL": db_url}
    _load(cli, env, "peace-dollars")
    source = Path(db_url.removeprefix("sqlite:///"))
    folder = tmp_path / "readonly"
    folder.mkdir()
    shutil.copy(source, folder / "coinref.db")
    (folder / "coinref.db").chmod(0o444)
    folder.chmod(0o555)
    try:
        before = (folder / "coinref.db").read_bytes()
        child_env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'coinref.db'}",
                     "COINREF_LOG_DIR": str(tmp_path / "logs")}
        for command in READ_COMMANDS:
            # uid 1000 in a user namespace: root's files are its own, so the 0o555/0o444 modes bind it
            done = subprocess.run(["unshare", "--user", "--map-user=1000", "--map-group=1000", COINREF, *command],
                                  env=child_env, capture_output=True, text=True, timeout=120)
            assert done.returncode in (0, 6), (command, done.stderr)
            assert "readonly" not in done.stderr and "unexpected" not in done.stderr
        assert sorted(p.name for p in folder.iterdir()) == ["coinref.db"]
        assert (folder / "coinref.db").read_bytes() == before
        # item 6: a log folder that cannot be written is exit 10 naming it, before the run starts
        done = subprocess.run(["unshare", "--user", "--map-user=1000", "--map-group=1000", COINREF, "populate",
                               "--series", "peace-dollars"], env={**child_env, "DATABASE_URL": db_url,
                                                                  "COINREF_LOG_DIR": str(folder)},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 10 and f"COINREF_LOG_DIR: {folder} is not writable" in done.stderr, done.stderr
    finally:
        folder.chmod(0o755)


def test_a_mistyped_path_creates_nothing(cli, tmp_path):
    for command in (["series"], ["search", "morgan"], ["populate"], ["watch", "list"], ["serve"]):
        result = cli(*command, env={"DATABASE_URL": f"sqlite:///{tmp_path / 'typo.db'}"})
        assert result.exit_code == 3 and "no database at" in result.stderr, command
    assert not list(tmp_path.glob("typo.db*"))
    assert cli("init", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}).exit_code == 0
    assert (tmp_path / "new.db").exists()


# -- 12. watch add -------------------------------------------------------------------------------

def test_watch_add_takes_unquoted_words_and_the_clear_base_coin(cli, db_url, engine):
    env = {"DATABASE_URL": db_url}
    _load(cli, env, "morgan-dollars", "lincoln-cents-wheat-reverse", "indian-head-cents")
    added = cli("watch", "add", "1881-S", "morgan", env=env)
    assert added.exit_code == 0 and "now watching 1881-S Morgan Dollar" in added.stdout
    vdb = cli("watch", "add", "1909-S", "VDB", env=env)  # the coin, then its BN/RB/RD entries
    assert vdb.exit_code == 0 and "now watching 1909-S VDB Lincoln Cent " in vdb.stdout
    assert cli("watch", "add", "1881-CC", "morgan", env=env).exit_code == 0
    unclear = cli("watch", "add", "1881", "morgan", env=env)  # business strike or proof: not guessed
    assert unclear.exit_code == 2 and "1881 Morgan Dollar Proof" in unclear.stderr
    with session_scope(engine) as session:
        coin = session.scalar(select(Coin).where(Coin.full_name == "1881-S Morgan Dollar"))
        coin.pcgs_number = 7169
        session.add(PriceObservation(coin_id=coin.id, grade=65, plus=False, source="pcgs-api", price=250,
                                     observed_on=date(2026, 11, 2)))
    listed = cli("watch", "list", env=env)
    assert "MS65 $250" in listed.stdout and "2026-11-02" in listed.stdout
    assert cli("watch", "list", "--json", env=env).json()[0]["latest_prices"][0]["price"] == 250


# -- 13. terminal output --------------------------------------------------------------------------

def test_reports_render_on_a_terminal_and_stay_markdown_in_files(cli, db_url, monkeypatch, tmp_path):
    from coinref.cli import common

    env = {"DATABASE_URL": db_url}
    monkeypatch.setattr(common, "console", Console(force_terminal=True, width=100, file=sys.stdout))
    result = cli("populate", "--series", "peace-dollars", env=env)
    assert result.exit_code == 0
    assert "**completed**" not in result.stdout and "|---|" not in result.stdout
    assert "completed" in result.stdout
    [report_file] = (tmp_path / "logs").glob("*_report.md")
    assert "**completed**" in report_file.read_text() and "|---|" in report_file.read_text()


def test_series_and_search_fit_80_columns(cli, db_url, monkeypatch):
    from coinref.cli import common, db, search

    env = {"DATABASE_URL": db_url}
    _load(cli, env, "kennedy-half-dollars")
    narrow = Console(width=80, file=sys.stdout)
    for module in (common, db, search):
        monkeypatch.setattr(module, "console", narrow)
    series = cli("series", env=env).stdout
    assert " name " in series.splitlines()[1] and "American Silv" in series
    assert max(len(line) for line in series.splitlines()) <= 80
    found = cli("search", "1964", "kennedy", "-n", "5", env=env).stdout.splitlines()
    assert max(len(line) for line in found) <= 80
    rows = [line for line in found if line.strip()[:1].isdigit()]
    assert len(rows) == 5  # one line per coin
    assert "score" not in found[1] and "score" in cli("-v", "search", "1964", "kennedy", env=env).stdout


# -- 15. rough edges ------------------------------------------------------------------------------

def test_version_and_validate_help(cli):
    from importlib.metadata import version

    assert cli("--version").stdout.strip() == f"coinref {version('coinref')}"
    assert "--export" in cli("validate", "--help").stdout


def test_round_trip_skips_blank_rows_and_all_quarantined_is_exit_6(cli, db_url, engine, tmp_path):
    env = {"DATABASE_URL": db_url}
    _load(cli, env, "mercury-dimes")  # a series the catalog ships no PCGS number for
    exported = tmp_path / "coins.csv"
    assert cli("export", "coins", "--format", "csv", "--series", "mercury-dimes", "-o", str(exported),
               env=env).exit_code == 0
    rows = list(csv.DictReader(exported.open(encoding="utf-8")))
    for row in rows:
        if row["full_name"] == "1916-D Mercury Dime":
            row["pcgs_number"] = "4907"
    with (tmp_path / "edited.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        handle.write(",,,,,,,,,,,,,,\n")  # a blank row left by a spreadsheet
    result = cli("import", "pcgs-numbers", str(tmp_path / "edited.csv"), "--json", env=env).json()
    assert (result["written"], result["quarantined"], result["skipped"]) == (1, 0, len(rows))
    bad = _write(tmp_path / "bad.csv", "pcgs_number,year,mint_mark,denomination\n1234567,1800,S,$1\n")
    rejected = cli("import", "pcgs-numbers", str(bad), env=env)
    assert rejected.exit_code == 6 and "every row was quarantined" in rejected.stderr


def test_quarantine_can_be_discarded(cli, db_url, engine, tmp_path):
    env = {"DATABASE_URL": db_url}
    bad = _write(tmp_path / "bad.csv", "pcgs_number,year,mint_mark,denomination\n1,1800,S,$1\n2,1801,S,$1\n")
    cli("import", "pcgs-numbers", str(bad), env=env)
    first, second = cli("quarantine", "--json", env=env).json()
    assert cli("quarantine", "--discard", "--id", str(first["id"]), env=env).exit_code == 0
    assert [r["id"] for r in cli("quarantine", "--json", env=env).json()] == [second["id"]]
    assert cli("quarantine", "--discard", "--all", "--json", env=env).json() == {"discarded": 1}
    assert cli("quarantine", "--json", env=env).json() == []
    with session_scope(engine) as session:  # kept for audit, closed
        assert sorted(q.status for q in session.scalars(select(Quarantine))) == ["discarded", "discarded"]


def test_a_price_row_keyed_by_variety_finds_the_one_series(cli, db_url, engine, tmp_path):
    env = {"DATABASE_URL": db_url}
    _load(cli, env, "lincoln-cents-wheat-reverse", "indian-head-cents")
    prices = _write(tmp_path / "p.csv", "year,mint_mark,denomination,variety,grade,price,date\n"
                                        "1909,S,1c,VDB,MS65,1500,2026-11-01\n"
                                        "1909,S,1C,,MS65,900,2026-11-01\n")
    result = cli("import", "prices", str(prices), "--source", "dealer", "--json", env=env).json()
    assert result["written"] == 1 and result["quarantined"] == 1
    assert "series is ambiguous" in result["problems"][0]["reasons"][0]  # no variety: two series, not guessed
    with session_scope(engine) as session:
        name = session.scalar(select(Coin.full_name).join(PriceObservation, PriceObservation.coin_id == Coin.id))
    assert name == "1909-S VDB Lincoln Cent"


# -- 16. log files ---------------------------------------------------------------------------------

def test_dry_runs_write_no_logs_and_old_logs_are_pruned(cli, db_url, tmp_path):
    env = {"DATABASE_URL": db_url}
    logs = tmp_path / "logs"
    assert cli("populate", "--series", "peace-dollars", "--dry-run", env=env).exit_code == 0
    assert not logs.exists() or not list(logs.iterdir())
    assert cli("populate", "--series", "peace-dollars", "--dry-run", "--log", env=env).exit_code == 0
    assert len(list(logs.glob("population_*"))) == 3
    old = logs / "population_2020-01-01_000000.log"
    old.write_text("old")
    stale = time.time() - 40 * 86400
    os.utime(old, (stale, stale))
    keep = logs / "my-notes.txt"
    keep.write_text("mine")
    os.utime(keep, (stale, stale))
    run = cli("populate", "--series", "peace-dollars", "--json", env=env | {"COINREF_LOG_RETENTION_DAYS": "30"})
    assert run.exit_code == 0
    assert not old.exists() and keep.exists()
    report = run.json()  # the new run's own files stay (names are per second: compare paths, not counts)
    assert all(Path(p).exists() for p in [report["log_file"], *report["report_files"].values()])


def test_progress_bars_show_time_remaining(monkeypatch):
    import io

    from coinref.cli import populate as populate_cli

    out = io.StringIO()
    monkeypatch.setattr(populate_cli, "console_err", Console(file=out, force_terminal=True, width=120))
    progress = populate_cli.RunProgress("populate builtin")
    progress.start(4)
    progress.advance("morgan-dollars")
    progress.stop()
    text = out.getvalue()
    assert "P0 morgan-dollars" in text and "1/4" in text and "left" in text
    assert progress._progress.columns[-1].__class__.__name__ == "TimeRemainingColumn"
