"""``coinref search``: one query, or a whole collection list with ``--batch``.

A thin layer over :func:`coinref.search.search_coins`. With ``--batch FILE`` (``-`` for standard
input) every non-blank line is a query; ``--json`` then prints one JSON object per line,
``{"query": ..., "results": [coin + score, ...]}``, so a collection list can be matched by a
script. Lookup counts are written before the command exits.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from coinref.cli.common import JsonOption, app, console, fitted_table, get_context, print_json, verbose_requested
from coinref.errors import InvalidInput, NotFound
from coinref.jsonout import dumps

if TYPE_CHECKING:
    from coinref.search import SearchResult


def _read_batch(source: str) -> list[str]:
    try:
        if source == "-":
            data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
        else:
            data = Path(source).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the batch file {source!r}: {exc.strerror or exc}") from None
    text = data.decode("utf-8", errors="replace")
    return [line.strip() for line in text.splitlines() if line.strip()]


def _intent_line(result: SearchResult) -> str:
    parts = [f"{k} {v}" for k, v in result.intent.as_dict().items()
             if v not in (None, [], "") and k not in ("years", "grade")]
    if result.intent.grade:
        parts.append(f"grade {result.intent.grade.text}")
    return "understood: " + (", ".join(parts) if parts else "nothing searchable")


def _print_table(result: SearchResult) -> None:
    console.print(_intent_line(result), style="dim", markup=False, highlight=False)
    if not result.results:
        console.print("no coin matches", markup=False)
        return
    verbose = verbose_requested()  # the ranking's points are debug output
    rows = []
    for rank, coin in enumerate(result.results, 1):
        cells = [str(rank), f"{coin['score']:.1f}", str(coin["full_name"]), str(coin["series"]),
                 str(coin["pcgs_number"] or ""), str(coin["id"])]
        rows.append(cells if verbose else cells[:1] + cells[2:])
    columns = ["#", "score", "coin", "series", "PCGS #", "id"] if verbose else ["#", "coin", "series", "PCGS #", "id"]
    # one line per coin: names and series are shortened with an ellipsis, never wrapped
    table = fitted_table(columns, rows, shrink=("coin", "series"), right=("#", "score", "PCGS #", "id"),
                         show_edge=False)
    console.print(table)


@app.command()
def search(
    query: Annotated[list[str] | None, typer.Argument(help="What to find, as collectors write it: 1909-S VDB, "
                                                         "84-CC morgan, walker 1938-D, PCGS 7082.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100, help="How many coins to show.")] = 10,
    series: Annotated[str | None, typer.Option("--series", help="Only this series (a slug).")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Only this year.")] = None,
    batch: Annotated[str | None, typer.Option("--batch", help="A file with one query per line; - reads "
                                                               "standard input.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Find coins the way collectors write them (nicknames, mint marks, varieties, typos)."""
    text = " ".join(query or []).strip()
    if batch is not None and text:
        raise InvalidInput("give a QUERY or --batch FILE, not both")
    if batch is None and not text:
        raise InvalidInput("give a QUERY to search for, or --batch FILE")
    from coinref.search import flush_lookups, search_coins
    from coinref.store import repo
    from coinref.store.db import sqlite_writable
    from coinref.store.migrate import at_head

    ctx = get_context()
    # a read-only database is searched read-only; the lookup counts are then not recorded
    record = sqlite_writable(ctx.settings.database_url)
    engine = ctx.engine if record else ctx.read_engine
    repo.ensure_ready(engine)
    if not at_head(engine):
        raise NotFound("the database schema is older than this coinref; run `coinref init` to upgrade it")
    try:
        if batch is None:
            result = search_coins(engine, text, limit=limit, series=series, year=year, record=record)
            if json_out:
                print_json(result.as_dict())
            else:
                _print_table(result)
            return
        _run_batch(engine, _read_batch(batch), limit, series, year, json_out, record)
    finally:
        if record:
            flush_lookups(engine)


def _run_batch(engine, queries: list[str], limit: int, series: str | None, year: int | None,
               json_out: bool, record: bool = True) -> None:
    from coinref.search import search_coins

    verbose = verbose_requested()
    table = Table(show_edge=False)
    for name in ("query", "best match", "PCGS #", "score") if verbose else ("query", "best match", "PCGS #"):
        table.add_column(name, justify="right" if name in ("PCGS #", "score") else "left")
    for line in queries:
        result = search_coins(engine, line, limit=limit, series=series, year=year, record=record)
        if json_out:
            typer.echo(dumps({"query": line, "results": result.results}, indent=None))
            continue
        best = result.results[0] if result.results else None
        cells = [line, str(best["full_name"]) if best else "(no match)", str(best["pcgs_number"] or "") if best else "",
                 f"{best['score']:.1f}" if best else ""]
        table.add_row(*(cells if verbose else cells[:3]))
    if not json_out:
        console.print(table)
