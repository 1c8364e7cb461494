"""The ``coinref`` command line: a thin Typer layer over the library.

Each command group lives in its own module and registers itself on :data:`app`. :func:`main`
is the single place where exceptions become exit codes (see :mod:`coinref.errors`).

Start-up time: command modules import the database, search and pipeline layers inside the
commands that use them, so a command that needs none of them (``coinref grades``, ``--help``)
loads neither SQLAlchemy nor Alembic (``tests/unit/test_cli_imports.py`` keeps it so).
"""

from __future__ import annotations

import sys

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


class _NeverRaised(Exception):
    pass


def _database_errors() -> tuple[type[Exception], ...]:
    """SQLAlchemy's OperationalError and DatabaseError, once SQLAlchemy is loaded (it cannot have
    raised one before).

    An ``except`` clause evaluates its expression only when an exception reaches it, so this keeps
    SQLAlchemy out of the start-up of commands that never touch the database.
    """
    sa_exc = sys.modules.get("sqlalchemy.exc")
    return (sa_exc.OperationalError, sa_exc.DatabaseError) if sa_exc is not None else (_NeverRaised,)


def _integrity_error() -> type[Exception]:
    sa_exc = sys.modules.get("sqlalchemy.exc")
    return sa_exc.IntegrityError if sa_exc is not None else _NeverRaised


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
    except _database_errors() as exc:
        # the server is down, unreachable or refused us; the file is read-only, locked or damaged
        if isinstance(exc, _integrity_error()):
            raise_unexpected(exc)
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
        console_err.print(f"[bold red]error:[/] cannot use the database {_database_name()}: {reason}",
                          highlight=False)
        sys.exit(EXIT_UPSTREAM)
    except KeyboardInterrupt:
        console_err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # the last resort: a message, never a traceback with secrets
        raise_unexpected(exc)


def _database_name() -> str:
    """The database of this process, as a URL without its password."""
    from sqlalchemy.engine import make_url

    from coinref.cli.common import _state

    ctx = _state.get("ctx")
    if ctx is None:
        return "(DATABASE_URL)"
    try:
        return make_url(ctx.settings.database_url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is named by the setting, not echoed
        return "(DATABASE_URL)"


def raise_unexpected(exc: BaseException) -> None:
    from coinref.logs import get_logger

    get_logger("cli").debug("unexpected error", exc_info=True)
    console_err.print(f"[bold red]unexpected error:[/] {type(exc).__name__}: {exc}", highlight=False)
    sys.exit(EXIT_UNEXPECTED)
