"""Database and reference commands: ``init``, ``series``, ``grades``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from coinref.catalog.grades import standard_grades
from coinref.cli.common import JsonOption, app, console, fitted_table, get_context, print_json
from coinref.errors import ConfigError


@app.command()
def init(json_out: JsonOption = False) -> None:
    """Create or upgrade the database to the latest schema and seed reference data (idempotent)."""
    from coinref.store.db import is_sqlite, sqlite_file
    from coinref.store.migrate import head_revision, init_database
    from coinref.store.seed import seed_reference_data

    ctx = get_context()
    ctx.create_database = True  # the one command that may create the SQLite file
    path = sqlite_file(ctx.settings.database_url) if is_sqlite(ctx.settings.database_url) else None
    if path is not None and not path.parent.is_dir():
        raise ConfigError(f"DATABASE_URL: the folder {path.parent} does not exist")
    changed = init_database(ctx.engine, seed_reference_data)
    result = {"database": ctx.engine.url.render_as_string(hide_password=True), "revision": head_revision(),
              "changed": changed}
    if json_out:
        print_json(result)
    else:
        console.print(f"database ready at revision {result['revision']}: {result['database']}")
        console.print(f"series changed: {changed['series']}, grades changed: {changed['grades']}")


@app.command()
def series(
    priority: Annotated[str | None, typer.Option("--priority", "-p", help="P0, P1, P2, P3 or all")] = None,
    json_out: JsonOption = False,
) -> None:
    """List the collectible series with their tier, years and coin counts."""
    from coinref.store import repo

    ctx = get_context()
    rows = repo.series_overview(ctx.read_engine, priority)
    if json_out:
        print_json(rows)
        return
    cells = [[row["tier"], row["slug"], row["name"], f"{row['first_year']}-{row['last_year'] or ''}",
              str(row["est_coins"]), str(row["base_coins"]), str(row["coins"])] for row in rows]
    # every column is kept; on a narrow terminal the name is shortened with an ellipsis
    table = fitted_table(["tier", "slug", "name", "years", "est.", "base", "all"], cells, shrink=("name",),
                         right=("est.", "base", "all"), title="coinref series", box=None, header_style="bold")
    console.print(table)


@app.command()
def grades(json_out: JsonOption = False) -> None:
    """List the standard PCGS grade numbers with their labels and plus rule."""
    rows = [g.as_dict() for g in standard_grades()]
    if json_out:
        print_json(rows)
        return
    table = Table(title="PCGS grades")
    for col in ("number", "label", "name", "labels", "plus"):
        table.add_column(col)
    for row in rows:
        table.add_row(str(row["number"]), row["label"], row["name"], " ".join(row["labels"]),
                      "yes" if row["plus_allowed"] else "")
    console.print(table)
