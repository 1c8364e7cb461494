"""Pacing: a minimum spacing between calls to one provider (aiolimiter's leaky bucket).

A bucket of capacity one that drains one call per interval: the first call goes at once, each
later one waits until the interval since the previous one has passed. Pacing never speeds up
because of errors; retries wait on top of it. An interval of 0 turns pacing off (tests).
"""

from __future__ import annotations

from aiolimiter import AsyncLimiter


class Pacer:
    def __init__(self, min_interval_s: float) -> None:
        self.min_interval_s = max(min_interval_s, 0.0)
        self._limiter = AsyncLimiter(1, self.min_interval_s) if self.min_interval_s > 0 else None

    @classmethod
    def from_ms(cls, ms: int) -> Pacer:
        return cls(ms / 1000.0)

    async def wait(self) -> None:
        if self._limiter is not None:
            await self._limiter.acquire()
