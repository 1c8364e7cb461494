"""PCGS API commands: ``lookup``, ``cert``, ``quota``, ``calls`` and ``sim``.

Each is a thin layer: :mod:`coinref.sources.pcgs_lookup` answers lookups (from the database when
the same point was bought today), :mod:`coinref.remote` reports quota and calls, and
:mod:`coinref.sim` runs the simulator.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from coinref.catalog.grades import parse_grade
from coinref.cli.common import JsonOption, app, bind_port, console, get_context, print_json
from coinref.errors import InvalidInput


def _pcgs_number(text: str) -> int:
    cleaned = text.strip().lstrip("#")
    if not cleaned.isdigit() or int(cleaned) <= 0:
        raise InvalidInput(f"not a PCGS number: {text!r} (expected a whole number such as 2986)")
    return int(cleaned)


def _money(value: object) -> str:
    return "unpriced" if value is None else f"${value:,}"


def _show(title: str, rows: list[tuple[str, object]]) -> None:
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for name, value in rows:
        table.add_row(name, "" if value is None else str(value))
    console.print(table)


def _ensure_ready(engine) -> None:
    from coinref.store.repo import ensure_ready  # here: the command module loads no database layer

    ensure_ready(engine)


@app.command()
def lookup(
    pcgs_number: Annotated[str, typer.Argument(help="PCGS number, e.g. 2986.")],
    grade: Annotated[str, typer.Option("--grade", "-g", help="Grade: 65, MS65, 64+, MS64+ or PR70DCAM.")],
    json_out: JsonOption = False,
) -> None:
    """Price guide value, population and facts of one coin at one grade (one API call at most a day)."""
    from coinref.sources.pcgs_lookup import lookup_price_point

    number = _pcgs_number(pcgs_number)
    parsed = parse_grade(grade)
    ctx = get_context()
    _ensure_ready(ctx.engine)
    answer = asyncio.run(lookup_price_point(ctx.engine, ctx.settings, number, parsed.number, parsed.plus,
                                            prefix=parsed.prefix, designation=parsed.designation))
    if json_out:
        print_json(answer)
        return
    _show(
        f"PCGS #{answer['pcgs_number']} {answer['grade']}",
        [
            ("name", answer["name"]),
            ("year", answer["year"]),
            ("mint", answer["mint_mark"]),
            ("denomination", answer["denomination"]),
            ("grade", answer["grade"]),
            ("price", _money(answer["price"])),
            ("population", answer["population"]),
            ("graded higher", answer["pop_higher"]),
            ("as of", f"{answer['observed_on']}{' (stored today, no call)' if answer['from_cache'] else ''}"),
        ],
    )


@app.command()
def cert(
    cert_or_slab_id: Annotated[str, typer.Argument(help="Cert number (12345678) or slab ID (7130.67/12345678).")],
    json_out: JsonOption = False,
) -> None:
    """CoinFacts of a PCGS-certified coin by its cert number."""
    from coinref.sources.pcgs_api import normalize_cert
    from coinref.sources.pcgs_lookup import lookup_cert

    normalize_cert(cert_or_slab_id)  # exit 2 before anything else
    ctx = get_context()
    _ensure_ready(ctx.engine)
    answer = asyncio.run(lookup_cert(ctx.engine, ctx.settings, cert_or_slab_id))
    if json_out:
        print_json(answer)
        return
    _show(
        f"PCGS cert {answer['cert_number']}",
        [
            ("PCGS number", answer["pcgs_number"]),
            ("name", answer["name"]),
            ("grade", answer["grade"]),
            ("price", _money(answer["price"])),
            ("population", answer["population"]),
            ("graded higher", answer["pop_higher"]),
            ("images", len(answer["images"])),
            ("auction sales", answer["auctions"]),
        ],
    )


@app.command()
def quota(json_out: JsonOption = False) -> None:
    """Today's PCGS API quota: limit, used, remaining, and when it resets (makes no call)."""
    from coinref.remote.quota import QuotaLedger
    from coinref.remote.split import quota_split

    ctx = get_context()
    _ensure_ready(ctx.read_engine)
    ledger = QuotaLedger.for_pcgs(ctx.read_engine, ctx.settings)
    status = ledger.status()
    split = quota_split(ctx.read_engine, ctx.settings, ledger)
    if json_out:
        print_json(status | {"split": split.as_dict()})
        return
    resets = status["resets_at"].astimezone(ctx.settings.quota_tz).strftime("%Y-%m-%d %H:%M")
    state = "exhausted" if status["exhausted"] else f"{status['remaining']} remaining"
    console.print(
        f"PCGS API quota for {status['day']}: {status['used']} of {status['limit']} used, {state}; "
        f"resets at {resets} {status['time_zone']}"
    )
    console.print(
        f"split: price refresh {split.refresh_used} used, {split.refresh_budget} left (needs about "
        f"{split.refresh_need}); discovery {split.discovery_used} of its {split.discovery_share} used"
        f"{'' if split.discovery_pending else ' (no discovery work pending)'}; reserve {split.reserve}",
        markup=False, highlight=False,
    )


@app.command()
def calls(
    since: Annotated[str | None, typer.Option("--since", help="Only calls on or after this day (YYYY-MM-DD).")] = None,
    failed: Annotated[bool, typer.Option("--failed", help="Only calls that did not get an answer.")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many, newest first.")] = 100,
    json_out: JsonOption = False,
) -> None:
    """Audit the API call log: one line per request sent."""
    from coinref.remote.calllog import list_calls

    since_day = None
    if since:
        try:
            since_day = date.fromisoformat(since)
        except ValueError:
            raise InvalidInput(f"--since wants a date as YYYY-MM-DD, not {since!r}") from None
    ctx = get_context()
    _ensure_ready(ctx.read_engine)
    rows = list_calls(ctx.read_engine, since=since_day, failed_only=failed, limit=max(limit, 1),
                      tz=ctx.settings.quota_tz)
    if json_out:
        print_json(rows)
        return
    table = Table(title=f"API calls ({len(rows)}, newest first)", box=None, padding=(0, 1))
    for column in ("at", "endpoint", "params", "status", "outcome", "ms"):
        table.add_column(column, no_wrap=column in ("at", "endpoint", "outcome"))
    for row in rows:
        params = " ".join(str(v) for v in (row["params"] or {}).values())
        table.add_row(row["at"].strftime("%m-%d %H:%M:%S"), row["endpoint"].rsplit("/", 1)[-1], params,
                      str(row["status_code"] or "-"), row["outcome"], str(row["duration_ms"] or ""))
    console.print(table)


@app.command()
def sim(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    quota_limit: Annotated[int, typer.Option("--quota", help="API requests a day before the quota text.")] = 1000,
    latency_ms: Annotated[int, typer.Option("--latency-ms", help="Delay added to every API answer.")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the random faults.")] = 0,
    market_seed: Annotated[int, typer.Option("--market-seed", help="Seed of the synthetic market (prices).")] = 0,
    numbering_seed: Annotated[int, typer.Option(help="Seed of the numbering's gaps and late varieties.")] = 0,
    faults: Annotated[str, typer.Option(help="Fault script, e.g. '500,503' or 'rate=0.1:500' (see docs).")] = "",
    token: Annotated[str | None, typer.Option(help="The only token accepted (default: any).")] = None,
) -> None:
    """Run the PCGS simulator: the API's routes and outcomes with synthetic data, for local use."""
    import uvicorn

    from coinref.sim import SimConfig, create_sim_app
    from coinref.sim.faults import FaultScript

    FaultScript.parse(faults, seed)  # exit 2 on a bad spec before binding a port
    if quota_limit < 0 or latency_ms < 0:
        raise InvalidInput("--quota and --latency-ms must not be negative")
    app_ = create_sim_app(SimConfig(quota=quota_limit, latency_ms=latency_ms, seed=seed, faults=faults, token=token,
                                  market_seed=market_seed, numbering_seed=numbering_seed))
    sock = bind_port(host, port)  # exit 2 when the port is taken, before printing the URL
    url = f"http://{host}:{port}"
    console.print(f"coinref PCGS simulator (synthetic data) at {url}")
    console.print(f"  export PCGS_API_BASE_URL={url}/publicapi PCGS_API_TOKEN={'<your --token>' if token else 'any'}")
    uvicorn.Server(uvicorn.Config(app_, host=host, port=port, log_level="warning")).run(sockets=[sock])
