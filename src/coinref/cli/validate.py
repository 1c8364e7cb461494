"""``coinref validate``: the data-quality report over the database (exit 6 when errors remain).

A thin layer over :mod:`coinref.pipeline.validate`. ``--export`` takes an optional file name
(``--export`` alone writes ``<COINREF_LOG_DIR>/validation_report_YYYY-MM-DD.md``); Typer has no
optional-value options, so the command reads ``--export`` from its extra arguments itself.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from coinref.cli.common import JsonOption, app, console, get_context, print_json
from coinref.errors import InvalidInput, ValidationProblems
from coinref.pipeline.validate import (
    CHECKS,
    FixResult,
    ValidationReport,
    fix_database,
    render_markdown,
    validate_database,
)
from coinref.store import repo

_EXPORT = "--export"


def _export_target(extra: list[str], log_dir: Path) -> Path | None:
    """The --export file from the extra arguments: None when absent, the default when given bare."""
    if not extra:
        return None
    first, rest = extra[0], extra[1:]
    if first.startswith(_EXPORT + "="):
        value, rest = first.split("=", 1)[1], rest
    elif first == _EXPORT:
        value, rest = (rest[0], rest[1:]) if rest and not rest[0].startswith("-") else ("", rest)
    else:
        raise InvalidInput(f"unexpected argument {first!r}; see `coinref validate --help`")
    if rest:
        raise InvalidInput(f"unexpected argument {rest[0]!r}; see `coinref validate --help`")
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


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def validate(
    ctx: typer.Context,
    summary: Annotated[bool, typer.Option("--summary", help="Counts per check (the default).")] = False,
    report: Annotated[bool, typer.Option("--report", help="Every problem, coin by coin.")] = False,
    fix: Annotated[bool, typer.Option("--fix", help="Rebuild the search index, normalize mint marks and names; "
                                                    "says what changed.")] = False,
    series: Annotated[str | None, typer.Option("--series", help="Only this series (a slug).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Check the data: missing fields, impossible years and mint marks, duplicates, the search index,
    stale prices and coverage against the built-in catalog. Exit 6 when errors remain.

    --export [FILE.md] also writes the report as Markdown (default: logs/validation_report_YYYY-MM-DD.md).
    """
    if summary and report:
        raise InvalidInput("--summary and --report are two views: give one of them")
    app_ctx = get_context()
    target = _export_target(list(ctx.args), app_ctx.settings.coinref_log_dir)
    engine = app_ctx.engine
    repo.ensure_ready(engine)
    fixes = fix_database(engine, series=series) if fix else None
    result = validate_database(engine, series=series)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_markdown(result, fixes), encoding="utf-8")
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
