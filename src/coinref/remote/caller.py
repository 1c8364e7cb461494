"""The path every remote request takes, in one place.

For one logical call, :meth:`RemoteCaller.call` runs the retry policy; each attempt then goes:

1. circuit breaker admission (an open circuit refuses the call before it costs anything),
2. pacing (minimum spacing between calls),
3. quota reservation in the database ledger (refused -> :class:`~coinref.errors.QuotaExhausted`),
4. the HTTP request itself (httpx, with a per-attempt time limit),
5. classification of the answer by the source's own ``classify`` function into an
   :class:`Outcome` (the only place a source decides what an answer means),
6. bookkeeping: a provider's "quota used up" closes the ledger day; the attempt's ``api_calls``
   row, written with the reservation in step 3 (outcome ``in_flight``), gets the outcome; a request
   that provably never left the machine (:func:`never_sent`) gives its reservation back; the
   breaker is told whether the host failed,
7. the outcome's error is raised (the retry policy decides whether to try again) or the outcome
   is returned.

Every attempt that gets past step 3 is logged and, unless it provably never left, paid for.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine

from coinref.errors import CoinrefError
from coinref.logs import get_logger
from coinref.remote.breaker import HostBreaker
from coinref.remote.calllog import NOT_SENT, complete_call, scrub_params, start_call
from coinref.remote.pacing import Pacer
from coinref.remote.quota import QuotaLedger
from coinref.remote.retry import RetryPolicy
from coinref.timeutil import quota_day
from coinref.timeutil import utcnow as _utcnow

log = get_logger("remote")
_UTC = ZoneInfo("UTC")

# outcome kinds (also the ``api_calls.outcome`` values)
SUCCESS = "success"
NOT_FOUND = "not_found"
INVALID = "invalid"
AUTH = "auth"
QUOTA_EXHAUSTED = "quota_exhausted"
RATE_LIMITED = "rate_limited"
TRANSIENT = "transient"
UPSTREAM = "upstream"
UNEXPECTED = "error"


@dataclass
class Outcome:
    """What one answer (or transport failure) means."""

    kind: str
    status_code: int | None = None
    error: CoinrefError | None = None
    body: Any = None


Classify = Callable[[httpx.Response | None, BaseException | None], Outcome]
Send = Callable[[], Awaitable[httpx.Response]]
Summarize = Callable[[Outcome], dict | None]


class RemoteCaller:
    def __init__(
        self,
        *,
        provider: str,
        engine: Engine,
        ledger: QuotaLedger | None,
        breaker: HostBreaker,
        pacer: Pacer,
        retry: RetryPolicy,
        timeout_s: float,
        run_id: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.engine = engine
        self.ledger = ledger
        self.breaker = breaker
        self.pacer = pacer
        self.retry = retry
        self.timeout_s = timeout_s
        self.run_id = run_id
        self.monotonic = monotonic

    async def call(
        self,
        *,
        endpoint: str,
        params: Mapping[str, object],
        send: Send,
        classify: Classify,
        summarize: Summarize | None = None,
    ) -> Outcome:
        """One logical call with retries; returns the final Outcome or raises its error."""

        async def attempt() -> Outcome:
            return await self._attempt(endpoint, params, send, classify, summarize)

        return await self.retry.run(attempt)

    async def _attempt(
        self, endpoint: str, params: Mapping[str, object], send: Send, classify: Classify, summarize: Summarize | None
    ) -> Outcome:
        self.breaker.admit()
        await self.pacer.wait()
        self.breaker.admit()
        safe = scrub_params(params)
        if self.ledger is not None:
            day, call_id = self.ledger.reserve_call(endpoint=endpoint, params=safe, run_id=self.run_id)
        else:
            day = quota_day(_utcnow(), _UTC)
            call_id = start_call(self.engine, provider=self.provider, endpoint=endpoint, params=safe, quota_day=day,
                                 run_id=self.run_id)
        started = self.monotonic()
        response: httpx.Response | None = None
        failure: BaseException | None = None
        try:
            async with asyncio.timeout(self.timeout_s):
                response = await send()
        except (httpx.HTTPError, TimeoutError, OSError) as exc:
            failure = exc
        except BaseException as exc:
            self._log(call_id, endpoint, safe, None, UNEXPECTED, started, f"{type(exc).__name__}", None)
            raise
        if response is None and never_sent(failure):
            if self.ledger is not None:
                self.ledger.release(day, call_id)
            else:
                complete_call(self.engine, call_id, status_code=None, outcome=NOT_SENT, duration_ms=None)
            log.debug("%s %s %s not sent (%s): reservation released", self.provider, endpoint, safe,
                      type(failure).__name__)
        outcome = classify(response, failure)
        if outcome.kind == QUOTA_EXHAUSTED and self.ledger is not None:
            self.ledger.mark_exhausted(day)
            outcome.error = self.ledger.exhausted_error(day)
        result = summarize(outcome) if summarize is not None and outcome.kind in (SUCCESS, NOT_FOUND) else None
        error_text = outcome.error.message if outcome.error is not None else None
        if not (response is None and never_sent(failure)):
            self._log(call_id, endpoint, safe, outcome.status_code, outcome.kind, started, error_text, result)
        self.breaker.record(outcome.error)
        if outcome.error is not None:
            raise outcome.error
        return outcome

    def _log(
        self,
        call_id: int,
        endpoint: str,
        safe: Mapping[str, object],
        status: int | None,
        kind: str,
        started: float,
        error: str | None,
        result: dict | None,
    ) -> None:
        duration_ms = int((self.monotonic() - started) * 1000)
        complete_call(self.engine, call_id, status_code=status, outcome=kind, duration_ms=duration_ms, error=error,
                      result=result)
        log.debug("%s %s %s -> %s %s (%d ms)", self.provider, endpoint, safe, status, kind, duration_ms)


def never_sent(failure: BaseException | None) -> bool:
    """Whether a transport failure proves the request never left the machine.

    httpx raises ``ConnectError`` (refused, unreachable, DNS failure, TLS handshake failed) and
    ``ConnectTimeout`` before writing a byte of the request, and ``UnsupportedProtocol`` /
    ``LocalProtocolError`` / ``InvalidURL`` while building it. Anything later (a read timeout, a
    dropped connection) may have reached the server and stays paid.
    """
    return isinstance(failure, httpx.ConnectError | httpx.ConnectTimeout | httpx.UnsupportedProtocol
                      | httpx.LocalProtocolError | httpx.InvalidURL)


def request_host(error: BaseException | None) -> str | None:
    """The host:port a failed httpx request was for (None when the error carries no request)."""
    try:
        request = error.request  # type: ignore[union-attr]
    except (AttributeError, RuntimeError):  # httpx raises RuntimeError when no request is attached
        return None
    return request.url.netloc.decode("ascii", "replace") if request is not None else None
