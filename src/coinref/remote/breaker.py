"""A circuit breaker per remote host (pybreaker underneath), on an injectable clock.

States: *closed* (calls go through; consecutive failures are counted), *open* (after
``fail_max`` consecutive failures: calls are refused with :class:`~coinref.errors.CircuitOpen`
without being sent, nor paid for), *half-open* (after ``reset_timeout_s``: calls go through again;
``success_threshold`` successes close the circuit, one failure opens it again).

Only transient failures (5xx, timeouts, connection errors, malformed bodies) count as failures.
Any other answer (found, not found, invalid input, rate limited, auth) proves the host is up and
counts as a success.

pybreaker keeps the state and counters. It measures the open period on the wall clock, so the
open -> half-open move is made here, in :meth:`HostBreaker.admit`, on the injected monotonic
clock; tests can then step time without sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import pybreaker

from coinref.errors import Blocked, CircuitOpen, HostUnavailable, TransientError

Clock = Callable[[], float]


def counts_as_failure(error: BaseException | None) -> bool:
    return isinstance(error, TransientError)


class _OpenedAt(pybreaker.CircuitBreakerListener):
    def __init__(self, owner: HostBreaker) -> None:
        self.owner = owner

    def state_change(self, cb, old_state, new_state) -> None:  # noqa: ANN001 - pybreaker's signature
        if new_state is not None and new_state.name == pybreaker.STATE_OPEN:
            self.owner.opened_at = self.owner.clock()


class HostBreaker:
    def __init__(
        self,
        host: str,
        *,
        fail_max: int = 5,
        reset_timeout_s: float = 60.0,
        success_threshold: int = 2,
        clock: Clock = time.monotonic,
    ) -> None:
        self.host = host
        self.clock = clock
        self.opened_at: float | None = None
        self.last_failure: BaseException | None = None  # says whether an open circuit means blocked
        self._cb = pybreaker.CircuitBreaker(
            fail_max=fail_max,
            reset_timeout=reset_timeout_s,
            success_threshold=success_threshold,
            throw_new_error_on_trip=False,
            listeners=[_OpenedAt(self)],
            name=host,
        )

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half-open``."""
        return self._cb.current_state

    @property
    def fail_counter(self) -> int:
        return self._cb.fail_counter

    def admit(self) -> None:
        """Raise CircuitOpen if a call may not be sent now; half-open the circuit when it is time."""
        if self._cb.current_state != pybreaker.STATE_OPEN:
            return
        if self.opened_at is None:
            self.opened_at = self.clock()
        remaining = self.opened_at + self._cb.reset_timeout - self.clock()
        if remaining > 0:
            if isinstance(self.last_failure, Blocked):
                raise CircuitOpen(
                    f"{self.host} refused us {self._cb.fail_max} times in a row; calls to it are paused "
                    f"for {remaining:.0f} more seconds",
                    host=self.host,
                    retry_in_s=round(remaining, 1),
                )
            last = getattr(self.last_failure, "message", None) or type(self.last_failure).__name__
            raise HostUnavailable(
                f"{self.host} failed {self._cb.fail_max} times in a row (last: {last}); calls to it are paused "
                f"for {remaining:.0f} more seconds: check the address and the network, then run again",
                host=self.host,
                retry_in_s=round(remaining, 1),
            )
        self._cb.half_open()

    def record(self, error: BaseException | None) -> None:
        """Feed the outcome of one sent request into the breaker."""
        if counts_as_failure(error):
            self.last_failure = error
        try:
            with self._cb.calling():
                if counts_as_failure(error):
                    raise error  # type: ignore[misc]
        except pybreaker.CircuitBreakerError:
            pass  # opened by a concurrent call meanwhile; this outcome changes nothing
        except BaseException as exc:
            if exc is not error:
                raise


class BreakerRegistry:
    """One breaker per host, shared by every client in the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._breakers: dict[str, HostBreaker] = {}

    def get(
        self,
        url_or_host: str,
        *,
        fail_max: int = 5,
        reset_timeout_s: float = 60.0,
        success_threshold: int = 2,
        clock: Clock = time.monotonic,
    ) -> HostBreaker:
        host = urlsplit(url_or_host).netloc or url_or_host
        with self._lock:
            breaker = self._breakers.get(host)
            if breaker is None:
                breaker = HostBreaker(
                    host,
                    fail_max=fail_max,
                    reset_timeout_s=reset_timeout_s,
                    success_threshold=success_threshold,
                    clock=clock,
                )
                self._breakers[host] = breaker
            return breaker

    def for_settings(self, url: str, settings, clock: Clock = time.monotonic) -> HostBreaker:
        """The breaker of the host of ``url`` with the thresholds from settings."""
        return self.get(
            url,
            fail_max=settings.breaker_fail_max,
            reset_timeout_s=settings.breaker_reset_timeout_s,
            success_threshold=settings.breaker_success_threshold,
            clock=clock,
        )

    def clear(self) -> None:
        with self._lock:
            self._breakers.clear()


#: the process-wide registry
breakers = BreakerRegistry()
