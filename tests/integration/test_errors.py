"""Every documented error, once: its one-line message, its exit code, and nothing written.

The table below holds one case per kind of mistake a user makes (README "Exit codes"). Each case
runs the real CLI in-process against a fresh database on both backends and asserts the exit
code, a fragment of the message on stderr, that the message is one line and no "unexpected
error", and that nothing was written: the counts of every data table (coins, PCGS numbers,
prices, misses, runs, work items, quarantine, watchlist) and the files under the test folder are
the same afterwards. The call log and the quota ledger are audit records: a case that sends a
request (exit 4, 5, 7) may add to them and to nothing else.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pcgs_support import MORGAN_1881_S, TOKEN
from sqlalchemy import func, select

from coinref.remote.breaker import breakers
from coinref.sim import SimConfig, run_in_thread
from coinref.sim.sample import SAMPLE_CATALOG
from coinref.store.db import make_engine, session_scope
from coinref.store.models import Coin, PriceObservation, PricePointMiss, Quarantine, Run, Watch, WorkItem


@dataclass
class Case:
    name: str
    args: list[str]
    exit_code: int
    message: str
    env: dict[str, str] = field(default_factory=dict)
    setup: Callable[[Path], None] | None = None  # makes files under tmp_path before the run
    database: str = "fresh"  # fresh: the test database; or a path relative to tmp_path


def _csv(name: str, text: str) -> Callable[[Path], None]:
    def make(tmp: Path) -> None:
        (tmp / name).write_text(text, encoding="utf-8")
    return make


def _file(name: str, content: bytes) -> Callable[[Path], None]:
    def make(tmp: Path) -> None:
        (tmp / name).write_bytes(content)
    return make


HEADER = "pcgs_number,year,mint_mark,denomination\n"
CASES = [
    # 2: invalid input or usage
    Case("unknown priority", ["populate", "--priority", "P9"], 2, "unknown priority 'P9'"),
    Case("unknown series in export", ["export", "coins", "--series", "nope"], 2, "unknown series 'nope'"),
    Case("unknown series in validate", ["validate", "--series", "nope"], 2, "unknown series 'nope'"),
    Case("export into a missing folder", ["export", "coins", "-o", "{tmp}/missing/coins.json"], 2,
         "does not exist"),
    Case("import of a missing file", ["import", "pcgs-numbers", "{tmp}/nope.csv"], 2, "no such file"),
    Case("CSV row with extra values", ["import", "pcgs-numbers", "{tmp}/extra.csv"], 2,
         "line 2: 5 values, but the header has 4 columns", setup=_csv("extra.csv", HEADER + "7169,1881,S,$1,x\n")),
    Case("CSV field over 128 KiB", ["import", "prices", "{tmp}/big.csv"], 2, "line 2: not readable as CSV",
         setup=_csv("big.csv", "pcgs_number,grade,price,date\n7169,MS65,1," + "x" * 140_000 + "\n")),
    Case("CSV without a required column", ["import", "pcgs-numbers", "{tmp}/cols.csv"], 2, "missing column",
         setup=_csv("cols.csv", "number,year\n1,1881\n")),
    Case("non-numeric cert", ["cert", "abc123"], 2, "not a cert number"),
    Case("unreadable grade", ["lookup", "7169", "--grade", "MS99"], 2, "99 is not a standard PCGS grade"),
    Case("search without a query", ["search"], 2, "give a QUERY"),
    Case("two refresh views", ["refresh-prices", "--status", "--report"], 2, "give one of them"),
    Case("discard without a selection", ["quarantine", "--discard"], 2, "--discard needs"),
    # 3: not found
    Case("unknown PCGS number", ["prices", "424242"], 3, "no coin has PCGS number 424242"),
    Case("mistyped SQLite path", ["series"], 3, "no database at", database="typo.db"),
    Case("uninitialised database", ["validate"], 3, "run `coinref init` first", database="empty.db",
         setup=_file("empty.db", b"")),
    # 10: configuration
    Case("file that is not a database", ["series"], 10, "is not an SQLite database", database="notes.db",
         setup=_file("notes.db", b"my coin notes\n")),
    Case("reference grades not JSON", ["series"], 10, "COINREF_REFERENCE_GRADES: not valid JSON",
         env={"COINREF_REFERENCE_GRADES": "{morgan"}),
    Case("quota not a number", ["quota"], 10, "PCGS_DAILY_QUOTA", env={"PCGS_DAILY_QUOTA": "lots"}),
    Case("log folder is a file", ["populate", "--series", "morgan-dollars"], 10, "COINREF_LOG_DIR",
         env={"COINREF_LOG_DIR": "{tmp}/logfile"}, setup=_file("logfile", b"")),
    Case("log folder under a file", ["populate", "--series", "morgan-dollars"], 10, "COINREF_LOG_DIR",
         env={"COINREF_LOG_DIR": "{tmp}/logfile/logs"}, setup=_file("logfile", b"")),
    Case("missing token for the API source", ["populate", "--source", "pcgs-api"], 10, "PCGS_API_TOKEN is not set"),
    Case("missing token for discovery", ["populate", "--source", "pcgs-discover"], 10, "PCGS_API_TOKEN is not set"),
    Case("missing token for auction sales", ["populate", "--source", "pcgs-apr"], 10, "PCGS_API_TOKEN is not set"),
    Case("missing token for a lookup", ["lookup", "7169", "--grade", "65"], 10, "PCGS_API_TOKEN is not set"),
]
REMOTE_CASES = [
    # 4 authentication, 7 quota, 5 unreachable: they send a request, so the call log may grow
    Case("rejected token", ["lookup", str(MORGAN_1881_S), "--grade", "65"], 4, "PCGS rejected the API token",
         env={"PCGS_API_TOKEN": "wrong-token-123"}),
    Case("quota used up", ["lookup", str(MORGAN_1881_S), "--grade", "65"], 7, "resets at",
         env={"SIM_FAULTS": "quota"}),
    Case("unreachable API", ["lookup", str(MORGAN_1881_S), "--grade", "65"], 5,
         "the PCGS API (127.0.0.1:9) could not be reached", env={"PCGS_API_BASE_URL": "http://127.0.0.1:9/publicapi"}),
    Case("unreachable website in --verify", ["scrape", "--verify", "--series", "morgan-dollars", "--json"], 5, "",
         env={"PCGS_WEBSITE_URL": "http://127.0.0.1:9"}),
]


def snapshot(url: str) -> dict[str, int]:
    engine = make_engine(url, create=False)
    try:
        with session_scope(engine) as session:
            return {
                "coins": session.scalar(select(func.count(Coin.id))),
                "pcgs_numbers": session.scalar(select(func.count(Coin.id)).where(Coin.pcgs_number.is_not(None))),
                "prices": session.scalar(select(func.count(PriceObservation.id))),
                "misses": session.scalar(select(func.count(PricePointMiss.id))),
                "runs": session.scalar(select(func.count(Run.id))),
                "work_items": session.scalar(select(func.count(WorkItem.id))),
                "quarantine": session.scalar(select(func.count(Quarantine.id))),
                "watchlist": session.scalar(select(func.count(Watch.id))),
            }
    finally:
        engine.dispose()


def files(tmp: Path) -> set[str]:
    """Every file under the test folder but the SQLite database and its WAL files."""
    return {str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file() and ".db" not in p.name}


def run_case(cli, case: Case, db_url: str, tmp_path: Path, extra_env: dict[str, str] | None = None):
    if case.setup:
        case.setup(tmp_path)
    url = db_url if case.database == "fresh" else f"sqlite:///{tmp_path / case.database}"
    env = {"DATABASE_URL": url, **(extra_env or {}),
           **{k: v.replace("{tmp}", str(tmp_path)) for k, v in case.env.items()}}
    args = [a.replace("{tmp}", str(tmp_path)) for a in case.args]
    before_files = files(tmp_path)
    before = snapshot(url) if case.database == "fresh" else None
    result = cli(*args, env=env)
    assert result.exit_code == case.exit_code, (case.name, result.exit_code, result.stderr, result.stdout[-500:])
    if case.message:
        assert case.message in result.stderr, (case.name, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1, (case.name, result.stderr)
    assert "unexpected error" not in result.stderr and "Traceback" not in result.stderr
    if before is not None:
        assert snapshot(url) == before, case.name
    else:  # a read command given a path with no database never creates one
        assert (tmp_path / case.database).exists() == (case.setup is not None), case.name
    assert files(tmp_path) == before_files, (case.name, files(tmp_path) - before_files)
    return result


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_documented_error(cli, db_url, tmp_path, case):
    run_case(cli, case, db_url, tmp_path)


@pytest.fixture(scope="module")
def running_sim():
    running = run_in_thread(SimConfig(catalog=SAMPLE_CATALOG, token=TOKEN))
    yield running
    running.stop()


@pytest.mark.parametrize("case", REMOTE_CASES, ids=[c.name for c in REMOTE_CASES])
def test_documented_remote_error(cli, db_url, tmp_path, case, running_sim):
    running_sim.reset()
    running_sim.set_faults(case.env.get("SIM_FAULTS", ""))
    breakers.clear()
    try:
        env = {"PCGS_API_BASE_URL": running_sim.api_url, "PCGS_API_TOKEN": TOKEN, "PCGS_PACING_MS": "0",
               "PCGS_MAX_RETRIES": "0", "PCGS_BACKOFF_CAP_S": "0.01", "WEBSITE_PACING_MS": "0"}
        case = Case(case.name, case.args, case.exit_code, case.message,
                    env={k: v for k, v in case.env.items() if k != "SIM_FAULTS"})
        result = run_case(cli, case, db_url, tmp_path, env)
        if case.args[0] == "scrape":
            [row] = result.json()
            assert row["kind"] == "transient" and "127.0.0.1:9" in row["error"]
    finally:
        running_sim.set_faults("")
        breakers.clear()


@pytest.mark.parametrize("command", ["serve", "sim"])
def test_a_port_in_use_is_exit_2_naming_it(cli, db_url, command):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli(command, "--port", str(port), env={"DATABASE_URL": db_url})
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "serving on" not in result.stderr and "simulator" not in result.stdout


def _documented_commands() -> list[tuple[list[str], list[str]]]:
    """(command words, options) of every command row in the README's tables."""
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    found = []
    for line in readme.splitlines():
        match = re.match(r"\| `coinref ([^`]+)`", line)
        if not match:
            continue
        for usage in match.group(1).split("`, `coinref "):
            words = []
            for token in usage.split():
                if not re.fullmatch(r"[a-z][a-z-]*", token):
                    break
                words.append(token)
            options = sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", usage)))
            found.append((words, options))
    return found


@pytest.mark.parametrize("words,options", _documented_commands(), ids=lambda v: " ".join(v) if v else "")
def test_every_documented_option_is_in_help(cli, words, options):
    result = cli(*words, "--help", env={"COLUMNS": "250"})
    assert result.exit_code == 0, (words, result.stderr)
    missing = [option for option in options if option not in result.stdout]
    assert missing == [], (words, missing)
