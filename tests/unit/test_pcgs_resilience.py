"""Retry policy (full jitter, caps, Retry-After) and the per-host circuit breaker on a fake clock."""

from __future__ import annotations

import asyncio
import random

import pytest

from coinref.errors import CircuitOpen, InvalidInput, NotFound, RateLimited, TransientError
from coinref.remote.breaker import BreakerRegistry, HostBreaker
from coinref.remote.retry import RetryPolicy


class Recorder:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def run(coro):
    return asyncio.run(coro)


def failing(errors: list[BaseException], result: str = "ok"):
    calls = {"n": 0}

    async def attempt() -> str:
        calls["n"] += 1
        if errors:
            raise errors.pop(0)
        return result

    return attempt, calls


def test_transient_errors_are_retried_with_capped_full_jitter():
    sleep = Recorder()
    policy = RetryPolicy(max_retries=4, base_s=1.0, cap_s=3.0, sleep=sleep, rng=random.Random(7))
    attempt, calls = failing([TransientError("500"), TransientError("503"), TransientError("502")])
    assert run(policy.run(attempt)) == "ok"
    assert calls["n"] == 4
    assert len(sleep.waits) == 3
    for n, wait in enumerate(sleep.waits, start=1):
        assert 0 <= wait <= min(3.0, 1.0 * 2 ** (n - 1))


def test_jitter_ceiling_grows_then_caps():
    policy = RetryPolicy(base_s=0.5, cap_s=4.0, rng=random.Random(1))
    draws = {n: [policy.wait_before(n, TransientError()) for _ in range(200)] for n in (1, 2, 3, 4, 5, 8)}
    assert max(draws[1]) <= 0.5 and max(draws[2]) <= 1.0 and max(draws[3]) <= 2.0
    assert max(draws[8]) <= 4.0 and max(draws[8]) > 3.0  # capped, but the cap is reached
    assert min(draws[5]) >= 0


def test_retries_stop_after_max_and_raise_the_last_error():
    sleep = Recorder()
    policy = RetryPolicy(max_retries=2, sleep=sleep)
    attempt, calls = failing([TransientError("a"), TransientError("b"), TransientError("c"), TransientError("d")])
    with pytest.raises(TransientError, match="c"):
        run(policy.run(attempt))
    assert calls["n"] == 3 and len(sleep.waits) == 2


@pytest.mark.parametrize("error", [NotFound("x"), InvalidInput("x"), CircuitOpen("x")])
def test_final_errors_are_not_retried(error):
    sleep = Recorder()
    attempt, calls = failing([error])
    with pytest.raises(type(error)):
        run(RetryPolicy(sleep=sleep).run(attempt))
    assert calls["n"] == 1 and sleep.waits == []


def test_retry_after_is_honoured_exactly():
    sleep = Recorder()
    attempt, calls = failing([RateLimited("slow", retry_after=1), TransientError("x", retry_after=2.5)])
    assert run(RetryPolicy(sleep=sleep, cap_s=60).run(attempt)) == "ok"
    assert sleep.waits == [1.0, 2.5] and calls["n"] == 3


def test_retry_after_beyond_the_cap_gives_up_at_once():
    sleep = Recorder()
    attempt, calls = failing([RateLimited("slow", retry_after=3600)])
    with pytest.raises(RateLimited):
        run(RetryPolicy(sleep=sleep, cap_s=60).run(attempt))
    assert calls["n"] == 1 and sleep.waits == []


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_five_failures_and_half_opens_after_the_timeout():
    clock = Clock()
    breaker = HostBreaker("api.example", fail_max=5, reset_timeout_s=60, success_threshold=2, clock=clock)
    for _ in range(4):
        breaker.admit()
        breaker.record(TransientError("500"))
    assert breaker.state == "closed" and breaker.fail_counter == 4
    breaker.admit()
    breaker.record(TransientError("500"))
    assert breaker.state == "open"
    clock.now += 59
    with pytest.raises(CircuitOpen) as refused:
        breaker.admit()
    # opened by failures, not by refusals: exit 5 naming the host and the last failure
    assert refused.value.exit_code == 5 and "1 more seconds" in refused.value.message
    assert "api.example" in refused.value.message and "last: 500" in refused.value.message
    clock.now += 1
    breaker.admit()
    assert breaker.state == "half-open"
    breaker.record(None)
    assert breaker.state == "half-open"  # one success is not enough
    breaker.admit()
    breaker.record(None)
    assert breaker.state == "closed"


def test_a_failure_while_half_open_opens_again_for_a_full_period():
    clock = Clock()
    breaker = HostBreaker("h", fail_max=2, reset_timeout_s=10, success_threshold=2, clock=clock)
    breaker.record(TransientError())
    breaker.record(TransientError())
    assert breaker.state == "open"
    clock.now += 10
    breaker.admit()
    breaker.record(TransientError())
    assert breaker.state == "open"
    clock.now += 9
    with pytest.raises(CircuitOpen):
        breaker.admit()


def test_answers_that_are_not_transient_failures_reset_the_count():
    breaker = HostBreaker("h", fail_max=3, clock=Clock())
    for _ in range(2):
        breaker.record(TransientError())
    breaker.record(NotFound("no data"))
    breaker.record(RateLimited("slow"))
    for _ in range(2):
        breaker.record(TransientError())
    assert breaker.state == "closed"


def test_one_breaker_per_host():
    registry = BreakerRegistry()
    a = registry.get("https://api.pcgs.com/publicapi")
    assert registry.get("https://api.pcgs.com/other") is a
    assert registry.get("http://127.0.0.1:9/publicapi") is not a


def test_pacing_is_a_one_call_bucket_of_the_configured_interval():
    from coinref.remote.pacing import Pacer

    paced = Pacer.from_ms(250)
    assert (paced._limiter.max_rate, paced._limiter.time_period) == (1, 0.25)
    off = Pacer.from_ms(0)
    assert off._limiter is None
    run(off.wait())  # returns at once
