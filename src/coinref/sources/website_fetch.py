"""Fetching website pages (PCGS, Collectors Universe) politely, and honestly when refused.

Every request takes the shared path of :class:`coinref.remote.caller.RemoteCaller`: circuit
breaker admission, pacing, the HTTP request, :func:`classify`, one ``api_calls`` row (provider
``pcgs-website`` or ``specsearch``; no quota ledger: website requests spend no API quota), the
breaker, and the one :class:`~coinref.remote.retry.RetryPolicy`. What this module adds:

* **One session per host**: an ``httpx.AsyncClient`` keeping the host's cookies, sending
  browser-like headers (a Firefox user agent that also names coinref).
* **Polite pacing**: ``WEBSITE_PACING_MS`` between requests to a host (default 1000), plus a
  random extra of up to half of it (jitter); 0 turns both off (tests).
* **Honest blocking**. :func:`classify` is the only place an answer is judged:

  ==========================================================  ============  =========================
  answer                                                      outcome       error (exit code)
  ==========================================================  ============  =========================
  a challenge page (any status): title "Just a moment...",    blocked       :class:`Challenged` (7)
  ``challenge-platform``, ``cf-mitigated: challenge``; or a
  403 or 503 with an HTML body; or any other 403
  429                                                         rate_limited  RateLimited (7)
  5xx (without HTML), 408, timeout, connection error          transient     TransientError (5)
  404                                                         not_found     NotFound (3)
  other 4xx                                                   upstream      UpstreamError (5)
  2xx (JSON when JSON was asked for)                          success       -
  ==========================================================  ============  =========================

  On a 403 the host's session is dropped (cookies and all) and the request is sent once more on a
  fresh one. A second refusal, or a challenge on any other status, means the host is refusing
  scripted clients: the fetcher opens the host's circuit at once (instead of spending the rest of
  the breaker's threshold on requests that would be challenged too) and raises
  :class:`Challenged`, a :class:`~coinref.errors.Blocked`. The population runner then gives the
  work item back as pending and stops with exit code 7; nothing of the page is written. A
  challenge page is never parsed, so it can never read as "this series has no coins".
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine

from coinref.errors import Blocked, NotFound, RateLimited, TransientError, UpstreamError
from coinref.remote.breaker import BreakerRegistry, HostBreaker
from coinref.remote.breaker import breakers as default_breakers
from coinref.remote.caller import (
    NOT_FOUND,
    RATE_LIMITED,
    SUCCESS,
    TRANSIENT,
    UPSTREAM,
    Outcome,
    RemoteCaller,
    request_host,
)
from coinref.remote.pacing import Pacer
from coinref.remote.retry import RetryPolicy

BLOCKED = "blocked"  # the api_calls.outcome of a challenge or refusal
CHALLENGE_MARKERS = (
    "<title>just a moment...</title>",
    "challenge-platform",
    "cf-chl-",
    "cf_chl_opt",
    "challenge-form",
    "attention required! | cloudflare",
    "checking if the site connection is secure",
    "enable javascript and cookies to continue",
)


def _user_agent() -> str:
    try:
        own = f"coinref/{version('coinref')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        own = "coinref"
    return f"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 {own}"


BROWSER_HEADERS = {
    "User-Agent": _user_agent(),
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.5",
    "Upgrade-Insecure-Requests": "1",
}
JSON_HEADERS = {"Accept": "application/json, text/javascript, */*; q=0.01", "X-Requested-With": "XMLHttpRequest"}


class Challenged(Blocked, TransientError):
    """The site answered with a challenge page or refused the request: it is blocking scripted clients.

    A :class:`~coinref.errors.Blocked` (stop, resume later: exit 7) that the circuit breaker also
    counts as a failure of the host (it is a TransientError for the breaker), but that is never
    retried.
    """

    retryable = False
    kind = "blocked"


def looks_like_challenge(status: int, headers: Mapping[str, str], text: str) -> bool:
    """True for a challenge page: its markers on any status, or a 403/503 with an HTML body."""
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    head = (text or "")[:20_000].lower()
    if any(marker in head for marker in CHALLENGE_MARKERS):
        return True
    is_html = "html" in headers.get("content-type", "").lower() or head.lstrip().startswith(("<!doctype", "<html"))
    return status in (403, 503) and is_html


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None


def classify(response: httpx.Response | None, error: BaseException | None, *, want_json: bool = False,
             site: str = "the website") -> Outcome:
    """What a website answer (or a transport failure) means: the only place this is decided."""
    if response is None:
        what = "timed out" if isinstance(error, httpx.TimeoutException | TimeoutError) else "could not be reached"
        host = request_host(error)
        return Outcome(TRANSIENT, None, TransientError(f"{site}{f' ({host})' if host else ''} {what} "
                                                       f"({type(error).__name__})"))
    status = response.status_code
    url = str(response.request.url) if response.request else ""
    text = response.text if response.content else ""
    challenge = looks_like_challenge(status, response.headers, text)
    if challenge or status == 403:
        what = f"answered {url} with a challenge page" if challenge else f"refused {url}"
        return Outcome(BLOCKED, status, Challenged(f"{site} {what} (HTTP {status}): it is refusing scripted clients",
                                                   url=url, status=status))
    if status == 429:
        return Outcome(RATE_LIMITED, status, RateLimited(f"{site} asked us to slow down (HTTP 429)",
                                                         retry_after=_retry_after(response)))
    if status >= 500 or status == 408:
        return Outcome(TRANSIENT, status, TransientError(f"{site} failed with HTTP {status} for {url}",
                                                         retry_after=_retry_after(response)))
    if status == 404:
        return Outcome(NOT_FOUND, status, NotFound(f"{site} has no page at {url} (HTTP 404)", url=url))
    if not 200 <= status < 300:
        return Outcome(UPSTREAM, status, UpstreamError(f"unexpected answer from {site}: HTTP {status} for {url}"))
    if want_json:
        try:
            return Outcome(SUCCESS, status, body=json.loads(text))
        except ValueError:
            return Outcome(TRANSIENT, status, TransientError(f"{site} answered {url} with a body that is not JSON"))
    return Outcome(SUCCESS, status, body=text)


class JitteredPacer:
    """The shared :class:`~coinref.remote.pacing.Pacer` plus a random extra pause (0 turns both off)."""

    def __init__(self, interval_ms: int, *, jitter: float = 0.5, sleep: Callable[[float], Awaitable[None]]
                 = asyncio.sleep, rng: random.Random | None = None) -> None:
        self.pacer = Pacer.from_ms(interval_ms)
        self.extra_s = interval_ms / 1000 * jitter
        self.sleep = sleep
        self.rng = rng or random.Random()

    async def wait(self) -> None:
        await self.pacer.wait()
        if self.extra_s > 0:
            await self.sleep(self.rng.uniform(0, self.extra_s))


@dataclass
class Fetched:
    url: str
    status: int
    body: Any  # text, or the decoded JSON


class WebsiteFetcher:
    """Sessions, pacing and the request path for one website provider (see the module docstring)."""

    def __init__(self, settings, engine: Engine, *, provider: str = "pcgs-website", site: str = "the PCGS website",
                 run_id: int | None = None, transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, rng: random.Random | None = None,
                 registry: BreakerRegistry = default_breakers, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.engine = engine
        self.provider = provider
        self.site = site
        self.run_id = run_id
        self.transport = transport
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.registry = registry
        self.clock = clock
        self._sessions: dict[str, httpx.AsyncClient] = {}
        self._callers: dict[str, RemoteCaller] = {}

    # -- sessions and callers ---------------------------------------------------------------------
    def breaker(self, url: str) -> HostBreaker:
        return self.registry.for_settings(url, self.settings, clock=self.clock)

    def _session(self, host: str) -> httpx.AsyncClient:
        if host not in self._sessions:
            self._sessions[host] = httpx.AsyncClient(headers=BROWSER_HEADERS, follow_redirects=True,
                                                     timeout=self.settings.pcgs_timeout_s, transport=self.transport)
        return self._sessions[host]

    async def _refresh(self, host: str) -> None:
        """Drop the host's session (its cookies); the next request starts a fresh one."""
        session = self._sessions.pop(host, None)
        if session is not None:
            await session.aclose()

    def _caller(self, url: str) -> RemoteCaller:
        host = urlsplit(url).netloc
        if host not in self._callers:
            self._callers[host] = RemoteCaller(
                provider=self.provider, engine=self.engine, ledger=None, breaker=self.breaker(url),
                pacer=JitteredPacer(self.settings.website_pacing_ms, sleep=self.sleep, rng=self.rng),
                retry=RetryPolicy(max_retries=self.settings.pcgs_max_retries, cap_s=self.settings.pcgs_backoff_cap_s,
                                  sleep=self.sleep, rng=self.rng),
                timeout_s=self.settings.pcgs_timeout_s, run_id=self.run_id, monotonic=self.clock,
            )
        return self._callers[host]

    def _open_circuit(self, url: str, error: Challenged) -> None:
        breaker = self.breaker(url)
        for _ in range(self.settings.breaker_fail_max):
            if breaker.state == "open":
                return
            breaker.record(error)

    # -- requests ---------------------------------------------------------------------------------
    async def get(self, url: str, *, params: Mapping[str, str] | None = None, want_json: bool = False) -> Fetched:
        """GET ``url``; Challenged, CircuitOpen, RateLimited, NotFound or TransientError otherwise."""
        host = urlsplit(url).netloc
        caller = self._caller(url)
        headers = JSON_HEADERS if want_json else None
        endpoint = urlsplit(url).path[:200] or "/"
        for attempt in (1, 2):
            session = self._session(host)

            async def send(session=session) -> httpx.Response:
                return await session.get(url, params=params, headers=headers)

            try:
                outcome = await caller.call(
                    endpoint=endpoint, params=dict(params or {}), send=send,
                    classify=lambda response, error: classify(response, error, want_json=want_json, site=self.site),
                )
            except Challenged as exc:
                if attempt == 1 and exc.details.get("status") == 403:
                    await self._refresh(host)
                    continue
                self._open_circuit(url, exc)
                raise
            return Fetched(url=url, status=outcome.status_code or 0, body=outcome.body)
        raise AssertionError("unreachable")  # pragma: no cover

    def circuit_state(self, url: str) -> str:
        return self.breaker(url).state

    async def aclose(self) -> None:
        for host in list(self._sessions):
            await self._refresh(host)
