"""Price refresh commands: ``refresh-prices``, ``prices`` (history) and ``watch``.

Thin layers over :mod:`coinref.pipeline.refresh`; the exit code of a refresh run comes from its
report (7 when it stopped on quota, rate limiting, blocking or an open circuit; 4 on a rejected
token; 5 on an upstream fault).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from coinref.cli.common import JsonOption, app, console, console_err, get_context, print_json, print_markdown
from coinref.errors import InvalidInput

watch_app = typer.Typer(help="Coins you hold or follow: the refresh keeps their prices fresh first.",
                        no_args_is_help=True)
app.add_typer(watch_app, name="watch")


def _env(read_only: bool = False):
    from coinref.pipeline.refresh import RefreshEnv

    ctx = get_context()
    return RefreshEnv(settings=ctx.settings, engine=ctx.read_engine if read_only else ctx.engine)


def _show(result: dict, render, json_out: bool) -> None:
    if json_out:
        print_json(result)
    else:
        print_markdown(render(result))


@app.command("refresh-prices")
def refresh_prices(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; send nothing, write nothing.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Buy at most N points in this run.")] = None,
    priority: Annotated[str | None, typer.Option("--priority", "-p", help="Only coins of this tier: P0..P3.")]
    = None,
    status: Annotated[bool, typer.Option("--status", help="Last run, quota, fresh/stale/never-priced points.")]
    = False,
    report: Annotated[bool, typer.Option("--report", help="The last 7 days of refresh activity.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Refresh the prices that matter most within today's PCGS quota (resumable; exit 7 when stopped)."""
    from coinref.pipeline.refresh import RefreshOptions, refresh_report, refresh_status, run_refresh
    from coinref.pipeline.refresh.status import render_plan, render_report, render_run, render_status

    if status and report:
        raise InvalidInput("--status and --report are separate views: give one of them")
    if (status or report) and (dry_run or limit is not None or priority):
        raise InvalidInput("--status and --report take no run options (--dry-run, --limit, --priority)")
    env = _env(read_only=status or report)
    if status:
        _show(refresh_status(env), render_status, json_out)
        return
    if report:
        _show(refresh_report(env), render_report, json_out)
        return
    result = run_refresh(env, RefreshOptions(dry_run=dry_run, limit=limit, priority=priority, trigger="cli"))
    if json_out:
        print_json(result)
    else:
        print_markdown(render_plan(result) if dry_run else render_run(result))
        if result.get("latest_file"):
            console_err.print(f"report: {result['latest_file']}", highlight=False)
    if result["exit_code"]:
        raise typer.Exit(result["exit_code"])


@app.command("prices")
def prices_cmd(
    pcgs_number: Annotated[str, typer.Argument(help="PCGS number, e.g. 2986.")],
    grade: Annotated[str | None, typer.Option("--grade", "-g", help="Only this grade: 65, MS65, 64+.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only observations from this day on (YYYY-MM-DD).")]
    = None,
    json_out: JsonOption = False,
) -> None:
    """A coin's price observations over time, per grade (every source, every day kept), and its auction sales."""
    from coinref.catalog.grades import parse_grade
    from coinref.pipeline.refresh.history import parse_pcgs_number, price_history

    number = parse_pcgs_number(pcgs_number)
    grade_no, plus = None, None
    if grade is not None:
        parsed = parse_grade(grade)
        grade_no, plus = parsed.number, parsed.plus
    since_day = None
    if since is not None:
        try:
            since_day = date.fromisoformat(since.strip())
        except ValueError:
            raise InvalidInput(f"--since {since!r} is not a date (expected YYYY-MM-DD)") from None
    ctx = get_context()
    history = price_history(ctx.read_engine, number, grade=grade_no, plus=plus, since=since_day)
    if json_out:
        print_json(history)
        return
    coin = history["coin"]
    table = Table(title=f"PCGS #{coin['pcgs_number']} {coin['name']}: {history['count']} observations")
    for column in ("grade", "day", "price", "population", "higher", "source"):
        table.add_column(column, justify="right" if column in ("price", "population", "higher") else "left")
    for row in history["observations"]:
        table.add_row(row["grade_label"], row["observed_on"].isoformat(), f"${row['price']:,}",
                      "" if row["population"] is None else str(row["population"]),
                      "" if row["pop_higher"] is None else str(row["pop_higher"]), row["source"])
    console.print(table)
    if history["sales"]:
        sales = Table(title=f"{history['sales_count']} auction sales")
        for column in ("grade", "sold", "price", "auction house", "sale", "lot", "cert", "service"):
            sales.add_column(column, justify="right" if column == "price" else "left")
        for sale in history["sales"]:
            sales.add_row(sale["grade_label"], sale["date_text"] or sale["sold_on"].isoformat(), f"${sale['price']:,}",
                          sale["auction_house"], sale["sale_name"], sale["lot"], sale["cert_number"] or "",
                          sale["grading_service"])
        console.print(sales)
    if not history["count"] and not history["sales"]:
        console_err.print(_no_observations_hint(ctx, history["coin"], grade), highlight=False)


def _no_observations_hint(ctx, coin: dict, grade: str | None) -> str:
    """What buying a price would do now: a point PCGS had no price for today is answered from
    that stored miss (no call) until the next quota day."""
    from coinref.pipeline.refresh.history import todays_misses

    number = coin["pcgs_number"]
    misses = todays_misses(ctx.read_engine, coin["coin_id"], ctx.settings.quota_tz)
    if misses:
        points = ", ".join(f"{m['grade']}{'+' if m['plus'] else ''} ({m['reason'].replace('_', ' ')})"
                           for m in misses)
        return (f"no observations yet: PCGS had no price for it today at grade {points}; coinref lookup {number} "
                "answers those grades from that stored answer today, without a call (from the next quota day on "
                "a lookup asks PCGS again; the refresh waits a while before it does)")
    example = grade or "MS65"
    return (f"no observations yet: coinref lookup {number} --grade {example} buys one (one API call), coinref "
            "refresh-prices buys its tracked grades, populate --source pcgs-apr buys auction sales")


@watch_app.command("add")
def watch_add_cmd(
    coin: Annotated[list[str], typer.Argument(help="PCGS number, or the coin as you would search for it "
                                                   "(1909-S VDB, 1881-CC morgan; quotes not needed).")],
    note: Annotated[str, typer.Option("--note", help="A note kept with the entry.")] = "",
    json_out: JsonOption = False,
) -> None:
    """Watch a coin: the refresh keeps its prices fresh before others."""
    from coinref.pipeline.refresh import watch_add

    result = watch_add(get_context().engine, " ".join(coin), note)
    if json_out:
        print_json(result)
        return
    c = result["coin"]
    verb = "now watching" if result["added"] else "already watching"
    console.print(f"{verb} {c['name']} (PCGS #{c['pcgs_number'] or '-'})", highlight=False)
    if result["warning"]:
        console_err.print(f"note: {result['warning']}")


@watch_app.command("remove")
def watch_remove_cmd(
    coin: Annotated[list[str], typer.Argument(help="PCGS number, or the coin as you would search for it.")],
    json_out: JsonOption = False,
) -> None:
    """Stop watching a coin."""
    from coinref.pipeline.refresh import watch_remove

    result = watch_remove(get_context().engine, " ".join(coin))
    if json_out:
        print_json(result)
        return
    c = result["coin"]
    verb = "removed" if result["removed"] else "was not watched:"
    console.print(f"{verb} {c['name']} (PCGS #{c['pcgs_number'] or '-'})", highlight=False)


@watch_app.command("list")
def watch_list_cmd(json_out: JsonOption = False) -> None:
    """The watched coins, with their latest PCGS prices and the day they were observed."""
    from coinref.pipeline.refresh import watch_list

    rows = watch_list(get_context().read_engine)
    if json_out:
        print_json(rows)
        return
    table = Table(title=f"watchlist ({len(rows)} coins)")
    for column in ("PCGS #", "coin", "latest price", "as of", "note"):
        table.add_column(column)
    for row in rows:
        prices = ", ".join(f"{p['grade_label']} ${p['price']:,}" for p in row["latest_prices"][:3])
        more = len(row["latest_prices"]) - 3
        table.add_row(str(row["pcgs_number"] or "-"), row["name"], (prices + (f" (+{more})" if more > 0 else ""))
                      or "none yet", str(row["last_price_day"] or "never"), row["note"])
    console.print(table)
