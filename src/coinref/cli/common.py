"""Shared CLI pieces: the Typer app, the per-process context, output helpers, option types."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from coinref.context import AppContext
from coinref.jsonout import dumps

app = typer.Typer(
    name="coinref",
    help="coinref: a self-hosted US coin reference database (catalog, PCGS prices, search).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
console_err = Console(stderr=True, soft_wrap=True)

_state: dict[str, AppContext] = {}

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def get_context() -> AppContext:
    """The process's context; settings are validated here (exit 10 on a bad value)."""
    if "ctx" not in _state:
        _state["ctx"] = AppContext()
    return _state["ctx"]


def reset_context() -> None:
    ctx = _state.pop("ctx", None)
    if ctx is not None:
        ctx.close()


def print_json(value: object) -> None:
    typer.echo(dumps(value))


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug detail.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors.")] = False,
) -> None:
    """coinref: a self-hosted US coin reference database."""
    from coinref.logs import setup_logging

    reset_context()
    setup_logging(get_context().settings, verbose=verbose, quiet=quiet)
