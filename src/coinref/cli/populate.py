"""Population commands: ``populate``, ``export coins``, ``quarantine``, ``import``."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from coinref.cli.common import JsonOption, app, console, console_err, get_context, print_json, print_markdown
from coinref.errors import EXIT_VALIDATION, InvalidInput
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
                                      TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                                      console=console_err)
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
    source: Annotated[str, typer.Option("--source", help="builtin, pcgs-api, pcgs-apr, coinfacts or specsearch")]
    = "builtin",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing, call nothing; say what would happen")]
    = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Stop after N coins written")] = None,
    restart: Annotated[bool, typer.Option("--restart", help="Start the work list over")] = False,
    log_files: Annotated[bool | None, typer.Option("--log/--no-log", help="Write the run log and report files "
                                                   "to COINREF_LOG_DIR (default: for real runs, not dry runs)")]
    = None,
    json_out: JsonOption = False,
) -> None:
    """Populate the database from a source, tier by tier, resumably, with a report at the end."""
    from coinref.pipeline.populate import PopulateOptions
    from coinref.pipeline.populate import populate as run_populate
    from coinref.pipeline.report import exit_code, render_markdown

    ctx = get_context()
    options = PopulateOptions(source=source, priority=priority, series=list(series or []), dry_run=dry_run,
                              limit=limit, restart=restart, log_files=log_files)
    report = run_populate(ctx, options, progress=None if json_out else RunProgress(f"populate {source}"))
    if json_out:
        print_json(report)
    else:
        print_markdown(render_markdown(report))
    if exit_code(report):
        raise typer.Exit(exit_code(report))


@export_app.command("coins")
def export_coins_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or csv")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")] = None,
    series: Annotated[list[str] | None, typer.Option("--series", "-s")] = None,
) -> None:
    """Export every coin with its catalog fields and PCGS number."""
    from coinref.catalog.series import select_series
    from coinref.store.coins import COIN_EXPORT_FIELDS, export_coins
    from coinref.store.repo import ensure_ready

    if fmt not in ("json", "csv"):
        raise InvalidInput(f"unknown format {fmt!r}: json or csv")
    if series:
        select_series("all", list(series))  # an unknown slug is exit 2, as in every command
    if output is not None and not output.parent.is_dir():
        raise InvalidInput(f"--output {output}: the folder {output.parent} does not exist")
    if output is not None and output.is_dir():
        raise InvalidInput(f"--output {output} is a folder; give a file name")
    ctx = get_context()
    ensure_ready(ctx.read_engine)
    rows = export_coins(ctx.read_engine, list(series or []) or None)
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
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(output)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise InvalidInput(f"--output {output}: cannot write it: {exc.strerror or exc}") from None
        console_err.print(f"wrote {len(rows)} coins to {output}")


@app.command()
def quarantine(
    source: Annotated[str | None, typer.Option("--source", help="Only records from this source")] = None,
    rerun: Annotated[bool, typer.Option("--rerun", help="Re-validate open records and write those now valid")]
    = False,
    discard: Annotated[bool, typer.Option("--discard", help="Close open records without writing them: those of "
                                                            "--id or --source, or every one with --all")] = False,
    ids: Annotated[list[int] | None, typer.Option("--id", help="With --discard: this record (repeatable)")] = None,
    discard_all: Annotated[bool, typer.Option("--all", help="With --discard: every open record")] = False,
    json_out: JsonOption = False,
) -> None:
    """List rejected records with their reasons (re-run them once fixed, or discard them)."""
    from coinref.pipeline.quarantine import discard_quarantine, list_quarantine, rerun_quarantine

    if (ids or discard_all) and not discard:
        raise InvalidInput("--id and --all go with --discard")
    if discard and rerun:
        raise InvalidInput("--rerun and --discard are two actions: give one of them")
    from coinref.store.repo import ensure_ready

    ctx = get_context()
    ensure_ready(ctx.engine if rerun or discard else ctx.read_engine)
    if discard:
        if not (ids or source or discard_all):
            raise InvalidInput("--discard needs --id ID, --source SOURCE or --all")
        closed = discard_quarantine(ctx.engine, source=source, ids=list(ids or []))
        if json_out:
            print_json({"discarded": closed})
        else:
            console.print(f"discarded {closed} record(s)")
        return
    if rerun:
        result = rerun_quarantine(ctx.engine, source)
        if json_out:
            print_json(result)
        else:
            console.print(f"re-run {result['checked']}: {result['resolved']} written, {result['still_invalid']} "
                          "still rejected")
        return
    rows = list_quarantine(ctx.read_engine, source)
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
    """Print an import's counts; exit 6 when rows were given and every one was quarantined."""
    if json_out:
        print_json(result)
    else:
        console.print(f"{result['rows']} rows: {result['written']} written, {result['unchanged']} unchanged, "
                      f"{result['quarantined']} quarantined, {result['skipped']} skipped (blank)")
        for problem in result["problems"][:20]:
            console.print(f"  line {problem['line']}: {'; '.join(problem['reasons'])}", highlight=False)
        if len(result["problems"]) > 20:
            console.print(f"  ... and {len(result['problems']) - 20} more: coinref quarantine --source "
                          f"{result.get('quarantine_source', '')}".rstrip(), highlight=False)
    if result["quarantined"] and not result["written"] and not result["unchanged"]:
        console_err.print(f"error: every row was quarantined ({result['quarantined']}); nothing was imported",
                          highlight=False)
        raise typer.Exit(EXIT_VALIDATION)
