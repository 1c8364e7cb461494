"""The ``coinref`` command line: a thin Typer layer over the library.

Each command group lives in its own module and registers itself on :data:`app`. :func:`main`
is the single place where exceptions become exit codes (see :mod:`coinref.errors`).
"""

from __future__ import annotations

import sys

from sqlalchemy.exc import OperationalError

from coinref.cli.common import app, console_err
from coinref.errors import EXIT_UNEXPECTED, EXIT_UPSTREAM, CoinrefError

# command modules register themselves on import
from coinref.cli import db as _db  # noqa: E402,F401  isort: skip
from coinref.cli import populate as _populate  # noqa: E402,F401  isort: skip
from coinref.cli import pcgs as _pcgs  # noqa: E402,F401  isort: skip
from coinref.cli import refresh as _refresh  # noqa: E402,F401  isort: skip
from coinref.cli import serve as _serve  # noqa: E402,F401  isort: skip
from coinref.cli import scrape as _scrape  # noqa: E402,F401  isort: skip
from coinref.cli import search as _search, validate as _validate  # noqa: E402,F401  isort: skip
from coinref.cli import collection as _collection  # noqa: E402,F401  isort: skip


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script.

    Click's standalone mode turns usage errors into exit 2 and ``typer.Exit`` into its code; what
    reaches us here is coinref's own errors (mapped through :mod:`coinref.errors`) and bugs.
    """
    try:
        app(args=argv, prog_name="coinref")
    except CoinrefError as exc:
        console_err.print(f"[bold red]error:[/] {exc.message}", highlight=False, markup=True)
        sys.exit(exc.exit_code)
    except OperationalError as exc:  # the database server is down, unreachable or refused us
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
        console_err.print(f"[bold red]error:[/] cannot use the database: {reason}", highlight=False)
        sys.exit(EXIT_UPSTREAM)
    except KeyboardInterrupt:
        console_err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # the last resort: a message, never a traceback with secrets
        from coinref.logs import get_logger

        get_logger("cli").debug("unexpected error", exc_info=True)
        console_err.print(f"[bold red]unexpected error:[/] {type(exc).__name__}: {exc}", highlight=False)
        sys.exit(EXIT_UNEXPECTED)
