"""``coinref serve``: the HTTP API and the web page, served by uvicorn.

Settings are checked before the server starts (a bad value exits 10, like every command). With one
worker the app is built here around the command's context; with several, uvicorn starts that many
processes and each builds its own app (and connection pool) through
:func:`coinref.api.app.app_from_env`, from the same environment.
"""

from __future__ import annotations

from typing import Annotated

import typer

from coinref.cli.common import app, bind_port, console_err, get_context, run_server


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (0.0.0.0 for every interface).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes (about one per core).")]
    = 1,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="Log every request.")] = True,
) -> None:
    """Serve the HTTP API (/api, OpenAPI at /docs) and the web page (/, /coins/ID, /status)."""
    from coinref.api.app import create_app
    from coinref.store.migrate import at_head

    ctx = get_context()
    engine = ctx.engine  # a missing SQLite file (exit 3) or one that is not a database (exit 10) stops here
    try:
        ready = at_head(engine)
    except Exception as exc:  # the server still starts: /api/health reports the database state
        console_err.print(f"warning: the database is not reachable ({type(exc).__name__}); see /api/health")
    else:
        if not ready:
            console_err.print("warning: the database schema is not at the latest revision; run `coinref init`")
    sock = bind_port(host, port)  # exit 2 when the port is taken, before anything is printed as started
    console_err.print(f"coinref serving on http://{host}:{port}/ (API docs at /docs)", highlight=False)
    options = {"access_log": access_log, "log_level": "info"}
    if workers == 1:
        run_server(create_app(ctx), host, port, sock=sock, **options)
    else:
        run_server("coinref.api.app:app_from_env", host, port, sock=sock, workers=workers, factory=True, **options)
