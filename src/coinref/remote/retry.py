"""The one retry policy for every remote source (tenacity underneath).

Only errors whose class says ``retryable`` are retried: :class:`~coinref.errors.TransientError`
(5xx, timeouts, connection errors, malformed bodies) and :class:`~coinref.errors.RateLimited`.
Everything else (not found, invalid input, authentication, quota, an open circuit) is final.

The wait before retry *n* (1-based) is "full jitter": a uniform draw from
``[0, min(cap, base * 2 ** (n - 1))]``. When the server said how long to wait (``Retry-After``,
carried as ``retry_after`` in the error's details), that wait is used as is; if it is longer than
the cap, the policy gives up at once and lets the error surface, so the caller can reschedule
instead of sleeping for minutes. Sleep and randomness are injected, so tests run on a fake clock.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from coinref.errors import CoinrefError

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[None]]


def server_wait(exc: BaseException) -> float | None:
    """The wait the server asked for (seconds), if the error carries one."""
    if isinstance(exc, CoinrefError):
        value = exc.details.get("retry_after")
        if isinstance(value, int | float) and value >= 0:
            return float(value)
    return None


@dataclass
class RetryPolicy:
    max_retries: int = 4
    base_s: float = 0.5
    cap_s: float = 60.0
    sleep: Sleep = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)

    def should_retry(self, exc: BaseException) -> bool:
        if not (isinstance(exc, CoinrefError) and exc.retryable):
            return False
        asked = server_wait(exc)
        return asked is None or asked <= self.cap_s

    def wait_before(self, retry_number: int, exc: BaseException | None) -> float:
        """Seconds to wait before retry ``retry_number`` (1 for the first retry)."""
        asked = server_wait(exc) if exc is not None else None
        if asked is not None:
            return asked
        ceiling = min(self.cap_s, self.base_s * (2 ** (retry_number - 1)))
        return self.rng.uniform(0, ceiling)

    def _tenacity_wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        return self.wait_before(state.attempt_number, exc)

    async def run(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Call ``attempt`` until it succeeds, fails for good, or the retries are used up."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=self._tenacity_wait,
            retry=retry_if_exception(self.should_retry),
            sleep=self.sleep,
            reraise=True,
        )
        return await retrying(attempt)
