"""HTTP caching of the coin and series answers: ``ETag``, ``Cache-Control`` and ``304``.

:func:`cached_json` serializes an answer through its response model (the same JSON FastAPI would
send), tags it with a strong ``ETag`` (a hash of those bytes, so any change of the data changes
it) and ``Cache-Control: public, max-age=60`` (prices change at most daily; a minute keeps a busy
client from asking again while staying current). A request whose ``If-None-Match`` names the
current tag (or ``*``) gets ``304 Not Modified`` with the same headers and no body. Comparison is
weak, as RFC 9110 prescribes for ``If-None-Match``: ``W/"x"`` matches ``"x"``.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

from fastapi import Request, Response
from pydantic import TypeAdapter

CACHE_CONTROL = "public, max-age=60"
NOT_MODIFIED = {304: {"description": "not modified: If-None-Match named the current ETag"}}


@cache
def _adapter(model: Any) -> TypeAdapter:
    return TypeAdapter(model)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(header: str | None, tag: str) -> bool:
    if not header:
        return False
    opaque = tag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == opaque:
            return True
    return False


def cached_json(request: Request, model: Any, data: Any, *, exclude_unset: bool = False) -> Response:
    """``data`` as the JSON of ``model`` with ETag and Cache-Control, or a 304 when the client has it."""
    adapter = _adapter(model)
    body = adapter.dump_json(adapter.validate_python(data), exclude_unset=exclude_unset)
    tag = etag_of(body)
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
