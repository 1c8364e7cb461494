"""``coinref validate``: the data-quality report over the database (exit 6 when errors remain).

A thin layer over :mod:`coinref.pipeline.validate`. ``--export`` takes an optional file name
(``--export`` alone writes ``<COINREF_LOG_DIR>/validation_report_YYYY-MM-DD.md``). It is an
ordinary option, so ``--help`` lists it; :class:`_OptionalExport` rewrites a bare ``--export``
(last, or followed by another option) to ``--export=`` before Click parses the arguments.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from typer.core import TyperCommand

from coinref.catalog.series import select_series
from coinref.cli.common import JsonOption, app, console, get_context, print_json
from coinref.errors import InvalidInput, ValidationProblems

if TYPE_CHECKING:
    from coinref.pipeline.validate import FixResult, ValidationReport


class _OptionalExport(TyperCommand):
    def parse_args(self, ctx, args: list[str]) -> list[str]:
        rewritten = []
        for index, arg in enumerate(args):
            following = args[index + 1] if index + 1 < len(args) else None
            bare = arg == "--export" and (following is None or following.startswith("-"))
            rewritten.append("--export=" if bare else arg)
        return super().parse_args(ctx, rewritten)


def _export_target(value: str | None, log_dir: Path) -> Path | None:
    """The --export file: None when absent, the default when given bare."""
    if value is None:
        return None
    return Path(value) if value else log_dir / f"validation_report_{date.today():%Y-%m-%d}.md"


def _print_summary(report: ValidationReport) -> None:
    table = Table(title=f"validation of {report.coins} coins ({report.series or 'all series'})", show_edge=False)
    for name in ("check", "severity", "count"):
        table.add_column(name, justify="right" if name == "count" else "left")
    for row in report.summary():
        style = "red" if row["severity"] == "error" and row["count"] else None
        table.add_row(str(row["description"]), str(row["severity"]), str(row["count"]), style=style)
    console.print(table)
    short = [c for c in report.coverage if c.present < c.catalog]
    total = sum(c.catalog for c in report.coverage)
    held = sum(c.present for c in report.coverage)
    console.print(f"coverage: {held} of {total} catalog coins in the database"
                  + (f"; incomplete series: {', '.join(c.series for c in short)}" if short else ""),
                  markup=False, highlight=False)


def _print_report(report: ValidationReport) -> None:
    _print_summary(report)
    cov = Table(title="coverage against the built-in catalog", show_edge=False)
    for name in ("series", "catalog", "in db", "%", "with PCGS #", "claimed", "verified", "rejected", "gaps",
                 "with price", "not in catalog"):
        cov.add_column(name, justify="left" if name == "series" else "right")
    for c in report.coverage:
        cov.add_row(c.series, str(c.catalog), str(c.present), str(c.percent), str(c.with_pcgs), str(c.claimed),
                    str(c.verified), str(c.rejected), str(c.catalog_gaps), str(c.with_price), str(c.extra))
    console.print(cov)
    from coinref.pipeline.validate import CHECKS

    for check, (severity, text) in CHECKS.items():
        listed = [p for p in report.problems if p.check == check]
        if listed:
            console.print(f"\n{text} ({severity}, {len(listed)})", style="bold", markup=False, highlight=False)
            for p in listed:
                where = f"#{p.coin_id} " if p.coin_id is not None else ""
                console.print(f"  {where}{p.coin or ''} [{p.series or '-'}]: {p.message}", markup=False,
                              highlight=False)


def _print_fixes(fixes: FixResult) -> None:
    for change in fixes.changes:
        console.print(f"fixed: {change}", markup=False, highlight=False)
    for skipped in fixes.skipped:
        console.print(f"not fixed: {skipped}", markup=False, highlight=False)


@app.command(cls=_OptionalExport)
def validate(
    summary: Annotated[bool, typer.Option("--summary", help="Counts per check (the default).")] = False,
    report: Annotated[bool, typer.Option("--report", help="Every problem, coin by coin.")] = False,
    fix: Annotated[bool, typer.Option("--fix", help="Rebuild the search index, normalize mint marks and names; "
                                                    "says what changed.")] = False,
    series: Annotated[str | None, typer.Option("--series", help="Only this series (a slug).")] = None,
    export: Annotated[str | None, typer.Option("--export", metavar="[FILE.md]",
                                               help="Also write the report as Markdown (default file: "
                                                    "COINREF_LOG_DIR/validation_report_YYYY-MM-DD.md).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Check the data: missing fields, impossible years and mint marks, duplicates, the search index,
    stale prices and coverage against the built-in catalog. Exit 6 when errors remain.
    """
    if summary and report:
        raise InvalidInput("--summary and --report are two views: give one of them")
    from coinref.pipeline.validate import fix_database, render_markdown, validate_database
    from coinref.store import repo
    from coinref.store.db import sqlite_writable

    app_ctx = get_context()
    if series:
        select_series("all", [series])  # an unknown slug is exit 2
    target = _export_target(export, app_ctx.settings.coinref_log_dir)
    # read-only where the file is: FTS5's index check needs a writable connection, though it writes nothing
    writable = fix or sqlite_writable(app_ctx.settings.database_url)
    engine = app_ctx.engine if writable else app_ctx.read_engine
    repo.ensure_ready(engine)
    fixes = fix_database(engine, series=series) if fix else None
    result = validate_database(engine, series=series)
    if target is not None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render_markdown(result, fixes), encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"--export {target}: cannot write it: {exc.strerror or exc}") from None
    if json_out:
        out = result.as_dict(full=report)
        if fixes is not None:
            out["fixes"] = {"changes": fixes.changes, "skipped": fixes.skipped}
        if target is not None:
            out["export"] = str(target)
        print_json(out)
    else:
        if fixes is not None:
            _print_fixes(fixes)
        (_print_report if report else _print_summary)(result)
        if target is not None:
            console.print(f"report written to {target}", markup=False, highlight=False)
    if result.errors:
        raise ValidationProblems(f"{result.errors} validation error(s) remain")
