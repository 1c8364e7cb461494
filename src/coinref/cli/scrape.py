"""``coinref scrape``: the PCGS website scraper, a thin layer over :mod:`coinref.sources.website`.

* ``--series SLUG`` / ``--priority P1``: the ``coinfacts`` population run (the same as ``coinref
  populate --source coinfacts``: work list, resume, report, log; exit 7 when the site blocks);
* ``--url URL``: scrape the given pages, any layout the selector chains know (a saved page may be
  given as a path or ``file://`` URL), and write their records through the pipeline;
* ``--status``: per-series progress and the circuit state of the website;
* ``--verify``: fetch one page per series and say which selectors match, writing nothing;
* ``--resume``: continue the series whose pages are unfinished, planning nothing new;
* ``--dry-run``: series runs forecast the requests; ``--url`` shows what the pages hold and
  writes nothing.

Exit codes: 7 when the site blocked us (challenge page, refusals) or its circuit is open; 2 when a
given page cannot be read (no such file); 5 when a page matched no layout (its URL is in the
output) or failed otherwise.
"""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table

from coinref.cli.common import JsonOption, app, console, get_context, print_json, print_markdown
from coinref.errors import EXIT_INVALID_INPUT, EXIT_LIMITED, EXIT_UPSTREAM, InvalidInput

COINFACTS = "coinfacts"
COINFACTS_FACTORY = "coinref.sources.website:CoinFactsSource"


@contextmanager
def _coin_pages(enabled: bool):
    """Plan coin pages too, for the length of one run (the registry names the plain source again after)."""
    if not enabled:
        yield
        return
    from coinref.pipeline.sources import register
    from coinref.sources.website import CoinFactsSource

    register(COINFACTS, lambda ctx, run_id: CoinFactsSource(ctx, run_id, coin_pages=True))
    try:
        yield
    finally:
        register(COINFACTS, COINFACTS_FACTORY)


def _resumable_series(ctx) -> list[str]:
    from sqlalchemy import select

    from coinref.store.db import session_scope
    from coinref.store.models import WorkItem
    from coinref.store.repo import ensure_ready

    ensure_ready(ctx.engine)
    with session_scope(ctx.engine) as session:
        rows = session.scalars(
            select(WorkItem.series_slug).where(WorkItem.queue == f"populate:{COINFACTS}",
                                               WorkItem.status.in_(["pending", "leased"])).distinct()
        ).all()
    return sorted(set(rows))


@app.command()
def scrape(
    series: Annotated[list[str] | None, typer.Option("--series", "-s", help="Series slug (repeatable)")] = None,
    priority: Annotated[str | None, typer.Option("--priority", "-p", help="P0, P1, P2, P3 or all")] = None,
    url: Annotated[list[str] | None, typer.Option("--url", help="A page to scrape (repeatable; a path or "
                                                                "file:// URL reads a saved page)")] = None,
    status: Annotated[bool, typer.Option("--status", help="Show progress per series and the circuit state")]
    = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the series with unfinished pages")] = False,
    verify: Annotated[bool, typer.Option("--verify", help="Fetch one page per series; say which selectors match")]
    = False,
    coin_pages: Annotated[bool, typer.Option("--coin-pages", help="Also scrape coin pages (NGC numbers) of coins "
                                                                  "with a PCGS number and no NGC number")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing (series runs: send nothing either)")]
    = False,
    json_out: JsonOption = False,
) -> None:
    """Scrape PCGS website pages (CoinFacts, price guide) for PCGS numbers, mintages and prices."""
    from coinref.catalog.series import select_series

    ctx = get_context()
    chosen = [s for s in (status, verify, bool(url)) if s]
    if len(chosen) > 1:
        raise InvalidInput("use one of --status, --verify and --url at a time")
    if url:
        if series or priority or resume:
            raise InvalidInput("--url scrapes the given pages; leave out --series, --priority and --resume")
        _scrape_urls(ctx, list(url), dry_run, json_out)
        return
    if resume:
        if series or priority:
            raise InvalidInput("--resume continues the unfinished series; leave out --series and --priority")
        series = _resumable_series(ctx)
        if not series:
            console.print("nothing to resume: no website pages are pending")
            return
    if not series and not priority and not status:
        raise InvalidInput("say what to scrape: --series SLUG, --priority P0..P3|all, --url URL, or --resume "
                           "(or --status)")
    selected = select_series(priority or "all", list(series or []) or None)
    if status:
        _status(ctx, selected, json_out)
    elif verify:
        _verify(ctx, selected, json_out)
    else:
        _run(ctx, priority or "all", list(series or []), dry_run, coin_pages, json_out)


def _run(ctx, priority: str, series: list[str], dry_run: bool, coin_pages: bool, json_out: bool) -> None:
    from coinref.cli.populate import RunProgress
    from coinref.pipeline.populate import PopulateOptions, populate
    from coinref.pipeline.report import exit_code, render_markdown

    options = PopulateOptions(source=COINFACTS, priority=priority, series=series, dry_run=dry_run)
    with _coin_pages(coin_pages):
        report = populate(ctx, options, progress=None if json_out else RunProgress("scrape coinfacts"))
    if json_out:
        print_json(report)
    else:
        print_markdown(render_markdown(report))
    if exit_code(report):
        raise typer.Exit(exit_code(report))


def _scrape_urls(ctx, urls: list[str], dry_run: bool, json_out: bool) -> None:
    from coinref.sources.website import scrape_urls

    report = asyncio.run(scrape_urls(ctx, urls, dry_run=dry_run))
    if json_out:
        print_json(report)
    else:
        for page in report["pages"]:
            title = f"{page['url']}: {page['kind']} ({page['layout']}), series {page['series'] or '?'}"
            table = Table(title=title)
            for column in ("PCGS #", "description", "desig", "strike", "prices"):
                table.add_column(column)
            for row in page["rows"]:
                prices = ", ".join(f"{p['label']} ${p['price']:,}" for p in row["prices"][:6])
                more = len(row["prices"]) - 6
                table.add_row(str(row["pcgs_number"]), row["description"], row["designation"], row["strike"] or "",
                              prices + (f" (+{more})" if more > 0 else ""))
            console.print(table)
            console.print("selectors: " + ", ".join(f"{k}" for k in page["selectors"]), highlight=False)
        for failure in report["failures"]:
            console.print(f"[bold red]{failure['url']}[/]: {failure['error']}", highlight=False)
        totals = report["totals"]
        console.print(f"{'(dry run) ' if dry_run else ''}records {totals['records']}: created {totals['created']}, "
                      f"updated {totals['updated']}, unchanged {totals['unchanged']}, quarantined "
                      f"{totals['quarantined']}, prices {totals['prices']}", highlight=False)
    if report["stopped"]:
        raise typer.Exit(EXIT_UPSTREAM if report["stopped"] == "unavailable" else EXIT_LIMITED)
    if any(failure.get("kind") == "invalid_input" for failure in report["failures"]):
        raise typer.Exit(EXIT_INVALID_INPUT)
    if report["failures"]:
        raise typer.Exit(EXIT_UPSTREAM)


def _verify(ctx, selected, json_out: bool) -> None:
    from coinref.sources.website import verify_series

    rows = asyncio.run(verify_series(ctx, selected))
    if json_out:
        print_json(rows)
    else:
        table = Table(title="selector check (one price-guide page per series)")
        for column in ("series", "result", "layout", "rows", "selectors"):
            table.add_column(column)
        for row in rows:
            if row["ok"]:
                table.add_row(row["series"], "ok", row["layout"], f"{row['rows']} ({row['priced_rows']} priced)",
                              "\n".join(row["selectors"]))
            else:
                table.add_row(row["series"], f"[red]{row.get('kind', 'error')}[/]", "", "", row["error"])
        console.print(table)
    if any(row.get("kind") in ("blocked", "circuit_open") for row in rows):  # the site said no: 7
        raise typer.Exit(EXIT_LIMITED)
    if not all(row["ok"] for row in rows):
        raise typer.Exit(EXIT_UPSTREAM)


def _status(ctx, selected, json_out: bool) -> None:
    from coinref.sources.website import scrape_status

    result = scrape_status(ctx, selected)
    if json_out:
        print_json(result)
        return
    table = Table(title="website sources by series")
    for column in ("series", "coins", "PCGS #", "NGC #", "coinfacts pages", "spec search"):
        table.add_column(column)
    for row in result["series"]:
        pages = ", ".join(f"{k} {v}" for k, v in sorted(row["coinfacts"].items())) or "-"
        spec = ", ".join(f"{k} {v}" for k, v in sorted(row["specsearch"].items())) or "-"
        table.add_row(row["series"], str(row["coins"]), str(row["with_pcgs_number"]), str(row["with_ngc_number"]),
                      pages, spec)
    console.print(table)
    for name, circuit in result["circuits"].items():
        last = circuit["last_request"]
        said = "no requests yet" if last is None else (
            f"last request {last['at']:%Y-%m-%d %H:%M:%S} -> {last['outcome']} (HTTP {last['status'] or '-'})")
        warning = " [bold red]blocked[/]" if circuit["blocked_last_time"] else ""
        console.print(f"{name} ({circuit['host']}): circuit {circuit['state_in_this_process']} in this process; "
                      f"{said}{warning}", highlight=False)
    if result["last_run"]:
        run = result["last_run"]
        console.print(f"last coinfacts run {run['run_id']}: {run['status']}"
                      + (f" ({run['stopped']})" if run["stopped"] else ""), highlight=False)
