"""Paging and query-parameter rules shared by every list route of the API.

* :func:`paging` makes the ``offset``/``limit`` dependency of one route (its own default and
  maximum page size); :func:`page_fields` turns a page request and the total into the fields every
  paged answer carries: ``total`` (items matching), ``offset``, ``limit``, ``count`` (items in this
  page) and ``next_offset`` (``null`` on the last page). Offset paging, because every list has a
  stable order (ties broken by id), so ``offset=next_offset`` never repeats or skips an item while
  the data does not change.
* :func:`reject_unknown_query` is a router dependency: a query parameter the route does not declare
  is a 422 ``validation`` error naming it and the parameters the route takes, never ignored (an
  ignored ``page=2`` silently answers page one). The declared names are read from the route's own
  FastAPI dependant, once per route.
"""

# no ``from __future__ import annotations``: FastAPI reads the annotations of :func:`paging`'s inner
# function at run time, and they name the enclosing call's ``maximum``
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError

OFFSET_MAX = 1_000_000


@dataclass(frozen=True)
class PageRequest:
    offset: int
    limit: int


def paging(default: int, maximum: int):
    """The ``offset``/``limit`` query parameters of a route whose pages hold at most ``maximum`` items."""

    async def page_request(
        offset: Annotated[int, Query(ge=0, le=OFFSET_MAX, description="items to skip (the previous "
                                                                      "answer's next_offset)")] = 0,
        limit: Annotated[int, Query(ge=1, le=maximum, description="page size")] = default,
    ) -> PageRequest:
        return PageRequest(offset=offset, limit=limit)

    return page_request


def page_fields(request: PageRequest, total: int, count: int) -> dict[str, Any]:
    """``total``, ``offset``, ``limit``, ``count`` and ``next_offset`` of one page."""
    end = request.offset + count
    return {"total": total, "offset": request.offset, "limit": request.limit, "count": count,
            "next_offset": end if count and end < total else None}


_CACHE_ATTR = "_coinref_query_names"  # kept on the route object: routes are neither hashable nor shared
NAME_SHOWN = 40  # an unknown name is quoted in the message, cut to this length


def _declared_query_names(route: Any) -> frozenset[str]:
    names = getattr(route, _CACHE_ATTR, None)
    if names is None:
        found: set[str] = set()
        pending = [getattr(route, "dependant", None)]
        while pending:  # the route's own parameters and those of its dependencies, at any depth
            dependant = pending.pop()
            if dependant is not None:
                found.update(param.alias for param in dependant.query_params)
                pending.extend(dependant.dependencies)
        names = frozenset(found)
        setattr(route, _CACHE_ATTR, names)
    return names


async def reject_unknown_query(request: Request) -> None:
    """422 for any query parameter the matched route does not declare."""
    route = request.scope.get("route")
    if route is None:
        return
    declared = _declared_query_names(route)
    unknown = sorted({name for name in request.query_params if name not in declared})
    if unknown:
        takes = ", ".join(sorted(declared)) or "none"
        raise RequestValidationError([
            {"type": "extra_forbidden", "loc": ("query", name[:NAME_SHOWN]),
             "msg": f"unknown parameter (this route takes: {takes})", "input": None}
            for name in unknown
        ])
