"""``coinref holdings``, ``spot``, ``value`` and ``population-changes``: a collection, its worth, the market."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from coinref.cli.common import JsonOption, app, console, console_err, get_context, print_json
from coinref.errors import InvalidInput
from coinref.timeutil import utcnow

holdings_app = typer.Typer(help="Coins you own: import, list, add, remove, export.", no_args_is_help=True)
spot_app = typer.Typer(help="Spot prices of silver, gold, platinum and palladium, kept by day.",
                       no_args_is_help=True)
app.add_typer(holdings_app, name="holdings")
app.add_typer(spot_app, name="spot")


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"${value:,.2f}"


@holdings_app.command("import")
def holdings_import(
    file: Annotated[Path, typer.Argument(help="CSV: pcgs_number, cert or coin; grade; quantity; cost; purchase_date")],
    json_out: JsonOption = False,
) -> None:
    """Import holdings; rows naming no coin or several are quarantined with the candidates."""
    from coinref.pipeline.holdings import import_holdings

    result = import_holdings(get_context().engine, file)
    if json_out:
        print_json(result)
        return
    console.print(f"{result['rows']} rows: {result['imported']} imported ({result['updated']} updated), "
                  f"{result['quarantined']} quarantined (coinref quarantine --source holdings)")
    for problem in result["problems"][:20]:
        names = "; ".join(c["name"] for c in problem["candidates"][:3])
        console_err.print(f"line {problem['line']}: {problem['reason']}" + (f" ({names} ...)" if names else ""),
                          highlight=False)


@holdings_app.command("list")
def holdings_list(json_out: JsonOption = False) -> None:
    """Every holding with its coin, grade, quantity and cost."""
    from coinref.pipeline.holdings import list_holdings

    rows = list_holdings(get_context().engine)
    if json_out:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} holdings")
    for column in ("id", "coin", "PCGS #", "grade", "qty", "cost", "bought", "cert"):
        table.add_column(column, justify="right" if column in ("id", "qty", "cost") else "left")
    for row in rows:
        table.add_row(str(row["id"]), row["coin"], str(row["pcgs_number"] or ""), row["grade"], str(row["quantity"]),
                      _money(row["cost"]), str(row["purchase_date"] or ""), row["cert"] or "")
    console.print(table)


@holdings_app.command("add")
def holdings_add(
    coin: Annotated[str, typer.Argument(help="PCGS number or the coin's name, e.g. '1881-S Morgan Dollar'.")],
    grade: Annotated[str | None, typer.Option("--grade", "-g", help="e.g. MS65, 64+ (optional with a known cert)")]
    = None,
    quantity: Annotated[int, typer.Option("--quantity", "-n", help="How many.")] = 1,
    cost: Annotated[str | None, typer.Option("--cost", help="Total paid, USD.")] = None,
    bought: Annotated[str | None, typer.Option("--date", help="Purchase day, YYYY-MM-DD.")] = None,
    cert: Annotated[str | None, typer.Option("--cert", help="Cert number of the slab.")] = None,
    note: Annotated[str, typer.Option("--note", help="A note kept with the holding.")] = "",
    json_out: JsonOption = False,
) -> None:
    """Add one holding (the coin joins the watchlist)."""
    from coinref.pipeline.holdings import add_holding

    result = add_holding(get_context().engine, coin, grade, quantity=quantity, cost=cost, purchased_on=bought,
                         cert=cert, note=note)
    if json_out:
        print_json(result)
        return
    held = result["holding"]
    console.print(f"{'added' if result['created'] else 'updated'} holding {held['id']}: {held['quantity']} x "
                  f"{held['coin']} {held['grade']}")


@holdings_app.command("remove")
def holdings_remove(holding_id: Annotated[int, typer.Argument(help="The holding's id (coinref holdings list).")],
                    json_out: JsonOption = False) -> None:
    """Remove one holding by id."""
    from coinref.pipeline.holdings import remove_holding

    result = remove_holding(get_context().engine, holding_id)
    print_json(result) if json_out else console.print(f"removed holding {holding_id}")


@holdings_app.command("export")
def holdings_export(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: standard output).")]
    = None,
) -> None:
    """Write the holdings as CSV with the columns `holdings import` reads."""
    from coinref.pipeline.holdings import export_holdings

    text = export_holdings(get_context().engine)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write {output}: {exc.strerror}") from None
    console_err.print(f"wrote {output}")


@spot_app.command("set")
def spot_set(
    metal: Annotated[str, typer.Argument(help="silver, gold, platinum or palladium")],
    price: Annotated[str, typer.Argument(help="USD per troy ounce")],
    day: Annotated[str | None, typer.Option("--day", help="YYYY-MM-DD (default today, UTC)")] = None,
    source: Annotated[str, typer.Option("--source", help="Where the figure comes from.")] = "manual",
    json_out: JsonOption = False,
) -> None:
    """Store a spot price observation of a metal on a day."""
    from coinref.pipeline.spots import set_spot_price

    result = set_spot_price(get_context().engine, metal, price, day, source)
    print_json(result) if json_out else console.print(
        f"{result['metal']} {result['day']}: {_money(result['price'])} per oz ({result['source']})")


@spot_app.command("import")
def spot_import(
    file: Annotated[Path, typer.Argument(help="CSV with metal, day (or date), price and optional source")],
    json_out: JsonOption = False,
) -> None:
    """Import spot prices; a bad row stops the import before anything is written."""
    from coinref.pipeline.spots import import_spot_prices

    result = import_spot_prices(get_context().engine, file)
    print_json(result) if json_out else console.print(f"{result['imported']} spot prices imported")


@spot_app.command("list")
def spot_list(metal: Annotated[str | None, typer.Option("--metal", help="One metal only.")] = None,
              json_out: JsonOption = False) -> None:
    """Every stored spot price, by metal and day."""
    from coinref.store.db import session_scope
    from coinref.store.repo import ensure_ready
    from coinref.store.spot import parse_metal, spot_history

    engine = get_context().engine
    ensure_ready(engine)
    with session_scope(engine) as session:
        rows = spot_history(session, parse_metal(metal) if metal else None)
    if json_out:
        print_json([{"metal": s.metal, "day": s.day, "price": s.price, "source": s.source} for s in rows])
        return
    table = Table(title=f"{len(rows)} spot prices")
    for column in ("metal", "day", "price", "source"):
        table.add_column(column)
    for spot in rows:
        table.add_row(spot.metal, spot.day.isoformat(), _money(spot.price), spot.source)
    console.print(table)


def _day(text: str | None, option: str) -> date | None:
    from coinref.pipeline.spots import parse_day

    return parse_day(text, option) if text else None


@app.command("value")
def value_cmd(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Value on this day (YYYY-MM-DD; default today).")]
    = None,
    since: Annotated[str | None, typer.Option("--since", help="Also the total on this day and the change.")] = None,
    spot_silver: Annotated[str | None, typer.Option("--spot-silver", help="Silver spot, USD/oz, for the day.")] = None,
    spot_gold: Annotated[str | None, typer.Option("--spot-gold", help="Gold spot, USD/oz, for the day.")] = None,
    spot_platinum: Annotated[str | None, typer.Option("--spot-platinum", help="Platinum spot, USD/oz.")] = None,
    spot_palladium: Annotated[str | None, typer.Option("--spot-palladium", help="Palladium spot, USD/oz.")] = None,
    json_out: JsonOption = False,
) -> None:
    """What the collection is worth: per holding guide value, auction median, melt, the value used, the total."""
    from coinref.pipeline.valuation import valuation
    from coinref.store.spot import parse_spot

    given = {metal: parse_spot(text) for metal, text in (("silver", spot_silver), ("gold", spot_gold),
                                                          ("platinum", spot_platinum), ("palladium", spot_palladium))
             if text is not None}
    result = valuation(get_context().engine, _day(as_of, "--as-of"), spots=given, since=_day(since, "--since"))
    if json_out:
        print_json(result)
        return
    table = Table(title=f"Collection on {result['as_of']}: {_money(result['total'])} ({result['rule']})")
    for column in ("coin", "grade", "qty", "guide", "auction median", "melt", "value", "basis", "as of", "confidence"):
        table.add_column(column, justify="right" if column in ("qty", "guide", "auction median", "melt", "value")
                         else "left")
    for row in result["holdings"]:
        guide = _money(row["guide_value"]) + (" ~" if row["interpolated"] else "")
        median = _money(row["auction_median"]) + (f" ({row['auction_sales']})" if row["auction_sales"] else "")
        table.add_row(row["coin"], row["grade"], str(row["quantity"]), guide, median, _money(row["melt"]),
                      _money(row["value"]), row["basis"], str(row["as_of"] or ""), row["confidence"] or "")
    console.print(table)
    console.print(f"total {_money(result['total'])} over {result['count']} holdings"
                  + (f", {result['unvalued']} without any value" if result["unvalued"] else "")
                  + (" (~ interpolated between priced grades)" if any(r["interpolated"] for r in result["holdings"])
                     else ""))
    if "since" in result:
        change = result["since"]
        console.print(f"since {change['day']}: {_money(change['total'])} -> {_money(result['total'])}, change "
                      f"{_money(change['change'])}" + (f" ({change['change_pct']}%)" if change["change_pct"] is not None
                                                       else ""))


@app.command("population-changes")
def population_changes_cmd(
    days: Annotated[list[int] | None, typer.Option("--days", help="Window in days (repeatable; default 30 and 365).")]
    = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Last day of the windows (default today).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Points listed per window.", min=1, max=1000)] = 20,
    json_out: JsonOption = False,
) -> None:
    """The grade points whose PCGS population changed most over 30 and 365 days."""
    from coinref.store.db import session_scope
    from coinref.store.population import population_changes
    from coinref.store.repo import ensure_ready

    windows = days or [30, 365]
    if any(not 1 <= d <= 36500 for d in windows):
        raise InvalidInput("--days must be between 1 and 36500")
    engine = get_context().engine
    ensure_ready(engine)
    day = _day(as_of, "--as-of") or utcnow().date()
    with session_scope(engine) as session:
        report = {"as_of": day, "windows": [{"days": d, "changes": population_changes(session, d, day, limit)}
                                            for d in windows]}
    if json_out:
        print_json(report)
        return
    for window in report["windows"]:
        table = Table(title=f"Largest population changes over {window['days']} days to {day}")
        for column in ("coin", "PCGS #", "grade", "since", "was", "now", "change", "%"):
            table.add_column(column, justify="left" if column in ("coin", "grade", "since") else "right")
        for row in window["changes"]:
            table.add_row(row["coin"], str(row["pcgs_number"] or ""), row["grade_label"], str(row["since"]),
                          str(row["was"]), str(row["population"]), f"{row['change']:+d}",
                          "" if row["change_pct"] is None else f"{row['change_pct']:+.2f}")
        console.print(table)
        if not window["changes"]:
            console_err.print(f"no population changed over {window['days']} days (populations are kept from every "
                              "PCGS answer: coinref lookup, refresh-prices, populate --source pcgs-api)")
