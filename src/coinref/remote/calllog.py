"""The API call log (``api_calls``): one row per request sent to a remote provider.

Rows are written by :class:`coinref.remote.caller.RemoteCaller` before each attempt is sent (with
the quota reservation, outcome ``in_flight``) and completed with the outcome afterwards, so a row
left ``in_flight`` is a request whose process died before the answer was read. ``not_sent`` marks
a request that provably never left the machine (its reservation was given back).

Parameters are stored without anything that looks like a credential. ``result`` keeps a
small summary of a successful or not-found answer so the same question is not bought twice in a
quota day (see :func:`find_answer`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select, update

from coinref.store.db import session_scope
from coinref.store.models import ApiCall

#: outcomes that are answers (the request did its job), as opposed to failures
ANSWER_OUTCOMES = frozenset({"success", "not_found"})
IN_FLIGHT = "in_flight"  # written with the reservation, before the request is sent
NOT_SENT = "not_sent"  # the request never left the machine; its reservation was given back
_SECRET_WORDS = ("token", "password", "secret", "authorization", "apikey", "api_key")


def scrub_params(params: Mapping[str, object]) -> dict[str, object]:
    """Request parameters safe to store: credential-like keys are dropped."""
    return {k: v for k, v in params.items() if not any(word in k.lower() for word in _SECRET_WORDS)}


def record_call(
    engine: Engine,
    *,
    provider: str,
    endpoint: str,
    params: Mapping[str, object],
    status_code: int | None,
    outcome: str,
    duration_ms: int | None,
    quota_day: date,
    run_id: int | None = None,
    error: str | None = None,
    result: dict | None = None,
) -> int:
    with session_scope(engine, immediate=True) as session:
        row = ApiCall(
            provider=provider,
            endpoint=endpoint,
            params=scrub_params(params),
            status_code=status_code,
            outcome=outcome,
            duration_ms=duration_ms,
            quota_day=quota_day,
            run_id=run_id,
            error=error,
            result=result,
        )
        session.add(row)
        session.flush()
        return row.id


def start_call(
    engine: Engine, *, provider: str, endpoint: str, params: Mapping[str, object], quota_day: date,
    run_id: int | None = None,
) -> int:
    """Write the ``in_flight`` row of a request about to be sent (providers without a quota ledger)."""
    return record_call(engine, provider=provider, endpoint=endpoint, params=params, status_code=None,
                       outcome=IN_FLIGHT, duration_ms=None, quota_day=quota_day, run_id=run_id)


def complete_call(
    engine: Engine, call_id: int, *, status_code: int | None, outcome: str, duration_ms: int | None,
    error: str | None = None, result: dict | None = None,
) -> None:
    """Fill in the outcome of a request whose row was written before it was sent."""
    with session_scope(engine, immediate=True) as session:
        session.execute(
            update(ApiCall).where(ApiCall.id == call_id).values(
                status_code=status_code, outcome=outcome, duration_ms=duration_ms, error=error, result=result)
        )


def sent_calls(engine: Engine, run_id: int | None) -> int:
    """How many requests of a run may have reached the server (every row but ``not_sent``)."""
    if run_id is None:
        return 0
    with session_scope(engine, read_only=True) as session:
        return session.scalar(
            select(func.count(ApiCall.id)).where(ApiCall.run_id == run_id, ApiCall.outcome != NOT_SENT)
        ) or 0


def find_answer(
    engine: Engine, *, provider: str, endpoint: str, params: Mapping[str, object], quota_day: date
) -> dict | None:
    """The stored answer summary of the same request earlier in the same quota day, if any."""
    wanted = {k: str(v) for k, v in scrub_params(params).items()}
    with session_scope(engine, read_only=True) as session:
        rows = session.execute(
            select(ApiCall.params, ApiCall.result, ApiCall.outcome)
            .where(
                ApiCall.provider == provider,
                ApiCall.endpoint == endpoint,
                ApiCall.quota_day == quota_day,
                ApiCall.outcome.in_(ANSWER_OUTCOMES),
                ApiCall.result.is_not(None),
            )
            .order_by(ApiCall.id.desc())
        ).all()
    for row in rows:
        if {k: str(v) for k, v in (row.params or {}).items()} == wanted:
            return row.result
    return None


def list_calls(
    engine: Engine,
    *,
    provider: str | None = None,
    since: date | None = None,
    failed_only: bool = False,
    limit: int | None = None,
    tz: ZoneInfo | None = None,
) -> list[dict[str, object]]:
    """Calls newest first. ``since`` is a day in ``tz`` (UTC by default); ``failed_only`` keeps
    every outcome that is not an answer (invalid, auth, quota, rate limited, transient...)."""
    query = select(ApiCall).order_by(ApiCall.id.desc())
    if provider:
        query = query.where(ApiCall.provider == provider)
    if since:
        start = datetime.combine(since, time(0), tzinfo=tz or ZoneInfo("UTC"))
        query = query.where(ApiCall.created_at >= start)
    if failed_only:
        query = query.where(ApiCall.outcome.not_in(ANSWER_OUTCOMES))
    if limit:
        query = query.limit(limit)
    with session_scope(engine, read_only=True) as session:
        rows = session.scalars(query).all()
    return [
        {
            "id": r.id,
            "at": r.created_at,
            "provider": r.provider,
            "endpoint": r.endpoint,
            "params": r.params,
            "status_code": r.status_code,
            "outcome": r.outcome,
            "duration_ms": r.duration_ms,
            "quota_day": r.quota_day,
            "run_id": r.run_id,
            "error": r.error,
        }
        for r in rows
    ]
