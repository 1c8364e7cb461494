"""Population commands: ``populate``, ``export coins``, ``quarantine``, ``import``."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from coinref.cli.common import JsonOption, app, console, console_err, get_context, print_json
from coinref.errors import EXIT_LIMITED, EXIT_UPSTREAM, InvalidInput
from coinref.jsonout import dumps
from coinref.logs import get_logger

export_app = typer.Typer(help="Export data.", no_args_is_help=True)
import_app = typer.Typer(help="Import PCGS numbers or prices from CSV files.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")


class RunProgress:
    """A Rich progress bar on a terminal (labelled with the tier and series being worked on),
    plain log lines every 10% otherwise."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.tty = console_err.is_terminal
        self.done = 0
        self.total = 0
        self._progress = None

    def start(self, total: int) -> None:
        self.total = total
        if self.tty:
            self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), console=console_err)
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=total)
        else:
            get_logger("populate").info("%s: %d work items", self.label, total)

    def advance(self, series_slug: str = "") -> None:
        self.done += 1
        if self._progress is not None:
            from coinref.catalog.series import series_by_slug

            info = series_by_slug().get(series_slug)
            label = f"{self.label} {info.tier} {info.slug}" if info else self.label
            self._progress.update(self._task, advance=1, description=label)
        elif self.total and (self.done == self.total or self.done % max(1, self.total // 10) == 0):
            get_logger("populate").info("%s: %d/%d items", self.label, self.done, self.total)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()


@app.command()
def populate(
    priority: Annotated[str, typer.Option("--priority", "-p", help="P0, P1, P2, P3 or all")] = "all",
    series: Annotated[list[str] | None, typer.Option("--series", "-s", help="Series slug (repeatable)")] = None,
    source: Annotated[str, typer.Option("--source", help="builtin, pcgs-api, coinfacts or specsearch")] = "builtin",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing, call nothing; say what would happen")]
    = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Stop after N coins written")] = None,
    restart: Annotated[bool, typer.Option("--restart", help="Start the work list over")] = False,
    json_out: JsonOption = False,
) -> None:
    """Populate the database from a source, tier by tier, resumably, with a report at the end."""
    from coinref.pipeline.populate import PopulateOptions
    from coinref.pipeline.populate import populate as run_populate
    from coinref.pipeline.report import render_markdown

    ctx = get_context()
    options = PopulateOptions(source=source, priority=priority, series=list(series or []), dry_run=dry_run,
                              limit=limit, restart=restart)
    report = run_populate(ctx, options, progress=None if json_out else RunProgress(f"populate {source}"))
    if json_out:
        print_json(report)
    else:
        console.print(render_markdown(report), markup=False, highlight=False, soft_wrap=True)
    if report["stopped"] and report["stopped"] != "limit":
        raise typer.Exit(EXIT_LIMITED)
    if report["failed"]:
        raise typer.Exit(EXIT_UPSTREAM)


@export_app.command("coins")
def export_coins_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or csv")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")] = None,
    series: Annotated[list[str] | None, typer.Option("--series", "-s")] = None,
) -> None:
    """Export every coin with its catalog fields and PCGS number."""
    from coinref.store.coins import COIN_EXPORT_FIELDS, export_coins
    from coinref.store.repo import ensure_ready

    if fmt not in ("json", "csv"):
        raise InvalidInput(f"unknown format {fmt!r}: json or csv")
    ctx = get_context()
    ensure_ready(ctx.engine)
    rows = export_coins(ctx.engine, list(series or []) or None)
    if fmt == "json":
        text = dumps([{k: r[k] for k in COIN_EXPORT_FIELDS} for r in rows])
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(COIN_EXPORT_FIELDS), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
        console_err.print(f"wrote {len(rows)} coins to {output}")


@app.command()
def quarantine(
    source: Annotated[str | None, typer.Option("--source", help="Only records from this source")] = None,
    rerun: Annotated[bool, typer.Option("--rerun", help="Re-validate open records and write those now valid")]
    = False,
    json_out: JsonOption = False,
) -> None:
    """List rejected records with their reasons (and re-run them once fixed)."""
    from coinref.pipeline.quarantine import list_quarantine, rerun_quarantine

    ctx = get_context()
    if rerun:
        result = rerun_quarantine(ctx.engine, source)
        if json_out:
            print_json(result)
        else:
            console.print(f"re-run {result['checked']}: {result['resolved']} written, {result['still_invalid']} "
                          "still rejected")
        return
    rows = list_quarantine(ctx.engine, source)
    if json_out:
        print_json(rows)
        return
    table = Table(title=f"quarantine ({len(rows)} open)")
    for col in ("id", "source", "record", "reasons"):
        table.add_column(col)
    for row in rows:
        table.add_row(str(row["id"]), row["source"], row["label"], "; ".join(row["reasons"]))
    console.print(table)


@import_app.command("pcgs-numbers")
def import_pcgs_numbers(
    file: Annotated[Path, typer.Argument(help="CSV with pcgs_number, year, mint_mark, denomination, ...")],
    json_out: JsonOption = False,
) -> None:
    """Attach PCGS numbers to catalog coins from a CSV file; unmatched rows are quarantined."""
    from coinref.pipeline.importers import import_pcgs_numbers as run

    result = run(get_context(), file)
    _print_import(result, json_out)


@import_app.command("prices")
def import_prices(
    file: Annotated[Path, typer.Argument(help="CSV with pcgs_number (or coin attributes), grade, price, date")],
    source: Annotated[str, typer.Option("--source", help="Name of the price source, e.g. greysheet")] = "import",
    json_out: JsonOption = False,
) -> None:
    """Import price observations (e.g. licensed dealer prices) from a CSV file."""
    from coinref.pipeline.importers import import_prices as run

    result = run(get_context(), file, source)
    _print_import(result, json_out)


def _print_import(result: dict, json_out: bool) -> None:
    if json_out:
        print_json(result)
    else:
        console.print(f"{result['rows']} rows: {result['written']} written, {result['unchanged']} unchanged, "
                      f"{result['quarantined']} quarantined")
        for problem in result["problems"][:20]:
            console.print(f"  line {problem['line']}: {'; '.join(problem['reasons'])}", highlight=False)
