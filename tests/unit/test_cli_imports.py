"""Start-up of the CLI (issue 13, item 14): a command that needs no database loads no database layer.

A module-set check, not a timing check: each case runs in a fresh interpreter and lists the
heavy packages it imported. ``coinref grades`` and ``coinref --help`` must not import SQLAlchemy,
Alembic, FastAPI or the HTTP stack (they cost about two thirds of the start-up time); the figure
itself is measured with ``python -X importtime -m coinref grades`` and is in the README.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "alembic", "fastapi", "starlette", "uvicorn", "httpx", "psycopg", "selectolax", "jinja2")

PROBE = """
import json, sys
from coinref.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))
print(json.dumps({"code": code, "heavy": heavy}))
"""


def run_probe(tmp_path, *args: str) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PCGS_", "COINREF_", "CRON_", "DATABASE_URL"))}
    env["COINREF_LOG_DIR"] = str(tmp_path / "logs")
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'never-created.db'}"
    code = f"HEAVY = {HEAVY!r}\n{PROBE}"
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_database_or_web_layer(tmp_path):
    env = {**os.environ, "COINREF_LOG_DIR": str(tmp_path / "logs")}
    code = ("import sys, coinref.cli; "
            f"print(sorted({{n.split('.')[0] for n in sys.modules}} & set({HEAVY!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("args", [("grades",), ("grades", "--json"), ("--help",), ("search", "--help")])
def test_a_command_without_a_database_stays_light(tmp_path, args):
    result = run_probe(tmp_path, *args)
    assert result["code"] in (0, None) and result["heavy"] == []
    assert not (tmp_path / "never-created.db").exists()


def test_a_database_command_still_loads_what_it_needs(tmp_path):
    result = run_probe(tmp_path, "series")  # no database there: an error exit, after loading SQLAlchemy
    assert "sqlalchemy" in result["heavy"]
