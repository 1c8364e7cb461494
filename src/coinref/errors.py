"""One exception tree for coinref.

Every error the library raises on purpose is a :class:`CoinrefError`. Each class carries the CLI
exit code and the HTTP status it maps to, and whether retrying the same operation can help
(``retryable``). The CLI and the HTTP app translate these in one place each; nothing else chooses
an exit code.

Exit codes (the same in every command):
    0 ok, 1 unexpected error, 2 invalid input or usage, 3 not found, 4 authentication,
    5 upstream service error, 6 validation problems found, 7 quota exhausted, rate limited or
    blocked, 10 configuration.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_INVALID_INPUT = 2
EXIT_NOT_FOUND = 3
EXIT_AUTH = 4
EXIT_UPSTREAM = 5
EXIT_VALIDATION = 6
EXIT_LIMITED = 7
EXIT_CONFIG = 10


class CoinrefError(Exception):
    """Base of every deliberate coinref error."""

    exit_code: int = EXIT_UNEXPECTED
    http_status: int = 500
    retryable: bool = False
    #: the whole service refuses us (credentials, base URL): no other request of the run can succeed,
    #: so a run stops at the first one instead of failing every work item
    fatal: bool = False
    kind: str = "error"

    def __init__(self, message: str = "", **details: object) -> None:
        super().__init__(message or self.__class__.__doc__ or self.kind)
        self.message = message or (self.__class__.__doc__ or self.kind).strip()
        self.details = details

    def to_dict(self) -> dict[str, object]:
        return {"error": self.kind, "message": self.message, **{k: v for k, v in self.details.items()}}


class ConfigError(CoinrefError):
    """A setting is missing or invalid."""

    exit_code = EXIT_CONFIG
    http_status = 500
    fatal = True
    kind = "configuration"


class InvalidInput(CoinrefError):
    """The input is not acceptable; sending it again will not help."""

    exit_code = EXIT_INVALID_INPUT
    http_status = 400
    kind = "invalid_input"


class NotFound(CoinrefError):
    """The thing asked for does not exist."""

    exit_code = EXIT_NOT_FOUND
    http_status = 404
    kind = "not_found"


class AuthenticationError(CoinrefError):
    """The remote service rejected our credentials."""

    exit_code = EXIT_AUTH
    http_status = 502
    fatal = True
    kind = "authentication"


class UpstreamError(CoinrefError):
    """A remote service failed in a way that retrying will not fix."""

    exit_code = EXIT_UPSTREAM
    http_status = 502
    kind = "upstream"


class TransientError(UpstreamError):
    """A remote failure that may succeed later: 5xx, timeout, connection error, malformed body."""

    retryable = True
    kind = "transient"


class WrongEndpoint(UpstreamError):
    """The remote service says the endpoint does not exist: the configured base URL is wrong."""

    fatal = True
    kind = "wrong_endpoint"


class CircuitOpen(UpstreamError):
    """The circuit breaker for a host is open: calls are refused without being sent.

    Raised as is when the host was refusing us (challenge pages, 403s): stop, resume later (7).
    """

    exit_code = EXIT_LIMITED
    http_status = 503
    kind = "circuit_open"


class HostUnavailable(CircuitOpen):
    """The circuit is open because the host could not be reached or kept failing (refused
    connections, timeouts, 5xx): an upstream error (5) naming the host, not a block."""

    exit_code = EXIT_UPSTREAM
    kind = "unavailable"


class LimitedError(CoinrefError):
    """Base of the outcomes that mean "stop for now, resume later"."""

    exit_code = EXIT_LIMITED
    http_status = 429
    kind = "limited"


class QuotaExhausted(LimitedError):
    """The daily API quota is used up."""

    kind = "quota_exhausted"


class RateLimited(LimitedError):
    """The remote service asked us to slow down."""

    retryable = True
    kind = "rate_limited"

    def __init__(self, message: str = "", retry_after: float | None = None, **details: object) -> None:
        super().__init__(message, retry_after=retry_after, **details)
        self.retry_after = retry_after


class Blocked(LimitedError):
    """The website served a challenge page or refused a scripted client."""

    http_status = 503
    kind = "blocked"


class ValidationProblems(CoinrefError):
    """Validation found problems in the data."""

    exit_code = EXIT_VALIDATION
    http_status = 422
    kind = "validation"
