"""``OPTIONS`` and ``405`` answers that list every method a path has.

FastAPI registers each method of a path as its own route (``GET`` and ``POST`` of the cron path
are two routes), and Starlette's 405 names only the methods of the first route that matched the
path. This middleware looks at every route: an ``OPTIONS`` request that is not a CORS preflight
gets ``204`` with ``Allow`` listing the path's methods (plus ``HEAD`` with ``GET``, and
``OPTIONS``); a 405 gets the same complete ``Allow`` header. CORS preflights (``Origin`` and
``Access-Control-Request-Method``) are left to the CORS middleware.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from starlette.routing import Match, Mount

CANDIDATES = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def path_methods(app: FastAPI, scope: dict) -> list[str]:
    """The methods some route answers on the request's path, in a stable order (``OPTIONS`` last).

    Each candidate method is tried with the routes' own matching (``Match.FULL`` means that route
    takes this path and method), so included routers and path parameters are handled as routing
    itself handles them. Mounts (static files) are left out.
    """
    methods = [m for m in CANDIDATES
               if any(not isinstance(route, Mount) and route.matches({**scope, "method": m})[0] == Match.FULL
                      for route in app.router.routes)]
    if "GET" in methods and "HEAD" not in methods:
        methods.insert(1, "HEAD")
    return methods + ["OPTIONS"] if methods else []


def install_method_answers(app: FastAPI) -> None:
    @app.middleware("http")
    async def allow_header(request: Request, call_next) -> Response:
        preflight = "origin" in request.headers and "access-control-request-method" in request.headers
        if request.method == "OPTIONS" and not preflight:
            methods = path_methods(app, request.scope)
            if methods:
                return Response(status_code=204, headers={"Allow": ", ".join(methods)})
        response = await call_next(request)
        if response.status_code == 405:
            methods = path_methods(app, request.scope)
            if methods:
                response.headers["Allow"] = ", ".join(methods)
        return response
