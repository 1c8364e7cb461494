"""The foundation: migrations, seeding, the series and grades commands, settings and exit codes."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import inspect

from coinref.store.db import make_engine
from coinref.store.migrate import current_revision, downgrade, head_revision, upgrade
from coinref.store.models import Base

SHARED_SERIES = Path(__file__).resolve().parents[2] / "src" / "coinref" / "catalog" / "series.csv"


def test_migrations_upgrade_to_head_and_back(empty_db_url):
    engine = make_engine(empty_db_url)
    try:
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        downgrade(engine, "base")
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_init_twice_changes_nothing_and_series_lists_all(cli, empty_db_url):
    env = {"DATABASE_URL": empty_db_url}
    first = cli("init", "--json", env=env)
    assert first.exit_code == 0, first.stderr
    assert first.json()["changed"] == {"series": 67, "grades": 30}
    second = cli("init", "--json", env=env)
    assert second.exit_code == 0
    assert second.json()["changed"] == {"series": 0, "grades": 0}
    listed = cli("series", "--json", env=env)
    assert listed.exit_code == 0
    rows = listed.json()
    with SHARED_SERIES.open() as fh:
        expected = [(r["slug"], r["tier"]) for r in csv.DictReader(fh)]
    assert sorted((r["slug"], r["tier"]) for r in rows) == sorted(expected)
    tiers = {t: sum(1 for r in rows if r["tier"] == t) for t in ("P0", "P1", "P2", "P3")}
    assert tiers == {"P0": 9, "P1": 13, "P2": 17, "P3": 28}
    assert [r["tier"] for r in rows] == sorted(r["tier"] for r in rows)  # tier order
    p0 = cli("series", "--priority", "P0", "--json", env=env).json()
    assert len(p0) == 9


def test_series_on_uninitialised_database_says_init(cli, tmp_path):
    result = cli("series", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'nothing.db'}"})
    assert result.exit_code == 3
    assert "coinref init" in result.stderr


def test_grades_lists_every_standard_grade(cli):
    result = cli("grades", "--json")
    assert result.exit_code == 0
    rows = {r["number"]: r for r in result.json()}
    assert sorted(rows) == [1, 2, 3, 4, 6, 8, 10, 12, 15, 20, 25, 30, 35, 40, 45, 50, 53, 55, 58,
                            *range(60, 71)]
    assert rows[65]["labels"] == ["MS65", "PR65", "SP65"]
    assert rows[4]["labels"][0] == "G04"
    assert [n for n, r in rows.items() if r["plus_allowed"]] == [45, 50, 53, 55, 58, *range(60, 69)]


def test_bad_setting_exits_10_naming_it(cli):
    result = cli("series", env={"PCGS_DAILY_QUOTA": "lots"})
    assert result.exit_code == 10
    assert "PCGS_DAILY_QUOTA" in result.stderr
    result = cli("series", env={"PCGS_QUOTA_RESET_TZ": "Mars/Olympus"})
    assert result.exit_code == 10
    assert "PCGS_QUOTA_RESET_TZ" in result.stderr


def test_unknown_priority_is_invalid_input(cli, db_url):
    result = cli("series", "--priority", "P9", env={"DATABASE_URL": db_url})
    assert result.exit_code == 2
    assert "P9" in result.stderr


def test_unreachable_database_exits_5_without_the_password(cli):
    result = cli("series", env={"DATABASE_URL": "postgresql+psycopg://root:s3cret-pw@127.0.0.1:1/nowhere"})
    assert result.exit_code == 5
    assert "cannot use the database" in result.stderr
    assert "s3cret-pw" not in result.stderr + result.stdout


def _commands():
    import typer.main

    from coinref.cli.common import app

    root = typer.main.get_command(app)
    stack = [((), root)]
    while stack:
        path, command = stack.pop()
        subcommands = getattr(command, "commands", {})
        for name, sub in subcommands.items():
            stack.append(((*path, name), sub))
        if path:
            yield path, command


def test_every_command_has_help_text(cli):
    commands = list(_commands())
    assert len(commands) >= 20
    for path, command in commands:
        assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
        result = cli(*path, "--help")
        assert result.exit_code == 0, (path, result.stderr)
        assert "Usage" in result.stdout
