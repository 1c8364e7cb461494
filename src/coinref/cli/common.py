"""Shared CLI pieces: the Typer app, the per-process context, output helpers, option types."""

from __future__ import annotations

import errno
from typing import Annotated

import typer
from rich.console import Console

from coinref.context import AppContext
from coinref.errors import InvalidInput
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

_state: dict = {}  # "ctx": the AppContext, "verbose": the --verbose flag

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


def fitted_table(columns: list[str], rows: list[list[str]], *, shrink: tuple[str, ...], right: tuple[str, ...] = (),
                 **options):
    """A table whose every row stays one line: the ``shrink`` columns (names) give way first,
    shortened with an ellipsis; the others keep the width of their longest cell."""
    from rich.table import Table

    widest = [max([len(name)] + [len(row[index]) for row in rows]) for index, name in enumerate(columns)]
    fixed = sum(w for w, name in zip(widest, columns, strict=True) if name not in shrink)
    rules = 2 * len(columns) if "box" in options and options["box"] is None else 3 * len(columns) + 1
    room = console.width - fixed - rules  # what is left for the shrinking columns after padding and rules
    wanted = sum(w for w, name in zip(widest, columns, strict=True) if name in shrink) or 1
    table = Table(**options)
    for width, name in zip(widest, columns, strict=True):
        cap = max(8, room * width // wanted) if name in shrink and room < wanted else None
        table.add_column(name, justify="right" if name in right else "left", no_wrap=True, overflow="ellipsis",
                         max_width=cap)
    for row in rows:
        table.add_row(*row)
    return table


def print_markdown(text: str) -> None:
    """A Markdown report: rendered by Rich on a terminal, printed as Markdown when piped (the
    report files keep the Markdown either way)."""
    if console.is_terminal:
        from rich.markdown import Markdown

        console.print(Markdown(text))
    else:
        console.print(text, markup=False, highlight=False, soft_wrap=True)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"coinref {version('coinref')}")
        except PackageNotFoundError:  # a source tree that was never installed
            typer.echo("coinref (not installed)")
        raise typer.Exit()


def verbose_requested() -> bool:
    """Whether ``--verbose`` was given (commands show debug columns such as search scores then)."""
    return bool(_state.get("verbose"))


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug detail.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors.")] = False,
    _version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_print_version,
                                           help="Print the version and exit.")] = False,
) -> None:
    """coinref: a self-hosted US coin reference database."""
    from coinref.logs import setup_logging

    reset_context()
    _state["verbose"] = verbose  # type: ignore[assignment]
    setup_logging(get_context().settings, verbose=verbose, quiet=quiet)


def bind_port(host: str, port: int):
    """A listening socket on host:port; InvalidInput (exit 2) naming the port when it cannot be had.

    ``serve`` and ``sim`` bind before uvicorn starts and hand it the socket, so a port in use is a
    one-line message, not a server that logs an error and exits.
    """
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InvalidInput(f"--host {host!r}: cannot listen there ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        reason = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
        raise InvalidInput(f"port {port} on {host} {reason}; choose another with --port") from None
    sock.set_inheritable(True)
    return sock


def run_server(app_or_factory, host: str, port: int, *, sock=None, workers: int = 1, **options) -> None:
    """Run uvicorn on a socket bound by :func:`bind_port` (one process) or after checking the port."""
    import uvicorn

    sock = sock or bind_port(host, port)
    if workers > 1:  # uvicorn's supervisor binds for its workers itself
        sock.close()
        uvicorn.run(app_or_factory, host=host, port=port, workers=workers, **options)
        return
    config = uvicorn.Config(app_or_factory, host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[sock])
