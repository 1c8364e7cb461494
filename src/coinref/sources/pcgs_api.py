"""The PCGS Public API client (async, httpx), speaking the protocol of pcgs-api.md.

Every request goes through :class:`coinref.remote.caller.RemoteCaller` (breaker, pacing, quota
ledger, call log, retry). What an answer *means* is decided in exactly one function,
:func:`classify` (pcgs-api.md section 5):

* 200, ``IsValidRequest`` true: success;
* 200, "A server error occurred": transient (TransientError, retried);
* 200, ``IsValidRequest`` false: invalid (InvalidInput, exit 2, never sent again);
* 200, ``ServerMessage`` containing "No data found": not_found (NotFound, exit 3, remembered);
* 200 with a body that is not JSON or has no envelope: transient;
* 204 (a required parameter is missing) and 400: invalid;
* 401, or 500/403 saying "Authorization has been denied": auth (AuthenticationError, exit 4);
* 429 with "API calls quota exceeded!": quota_exhausted (QuotaExhausted, exit 7; the day closes);
* 429 otherwise: rate_limited (RateLimited, exit 7; retried after ``Retry-After``);
* 5xx, 408, timeouts, connection errors: transient (exit 5 once the retries are spent);
* 404: upstream (WrongEndpoint, exit 5: the base URL is wrong, a run stops at once);
* anything else: upstream (UpstreamError, exit 5).

Authentication: the static bearer token ``PCGS_API_TOKEN`` (PCGS has no token endpoint). Where a
deployment fronts the API with its own OAuth2 gateway, ``PCGS_TOKEN_URL`` with ``PCGS_USERNAME``
and ``PCGS_PASSWORD`` obtains the token by a password grant (authlib) and re-authenticates once
after a 401. Tokens never reach logs, the call log or error messages.
"""

from __future__ import annotations

import asyncio
import random
import re
import ssl
import time
import warnings
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import httpx
from sqlalchemy import Engine

from coinref.catalog.grades import GRADE_NUMBERS, PLUS_MAX, PLUS_MIN
from coinref.config import Settings
from coinref.errors import (
    AuthenticationError,
    ConfigError,
    InvalidInput,
    NotFound,
    QuotaExhausted,
    RateLimited,
    TransientError,
    UpstreamError,
    WrongEndpoint,
)
from coinref.remote.breaker import BreakerRegistry
from coinref.remote.breaker import breakers as default_breakers
from coinref.remote.caller import (
    AUTH,
    INVALID,
    NOT_FOUND,
    QUOTA_EXHAUSTED,
    RATE_LIMITED,
    SUCCESS,
    TRANSIENT,
    UPSTREAM,
    Outcome,
    RemoteCaller,
    request_host,
)
from coinref.remote.pacing import Pacer
from coinref.remote.quota import QuotaLedger
from coinref.remote.retry import RetryPolicy
from coinref.sources.pcgs_models import AuctionPrices, CertImages, CoinFacts
from coinref.timeutil import utcnow

PROVIDER = "pcgs"
PRICE_SOURCE = "pcgs-api"  # price_observations.source for prices read from the API

BY_GRADE = "coindetail/GetCoinFactsByGrade"
BY_CERT = "coindetail/GetCoinFactsByCertNo"
BY_BARCODE = "coindetail/GetCoinFactsByBarcode"
APR_BY_GRADE = "coindetail/GetAPRByGrade"
APR_BY_CERT = "coindetail/GetAPRByCertNo"
IMAGES_BY_CERT = "coindetail/GetImagesByCertNo"

QUOTA_TEXT = "api calls quota exceeded"
AUTH_DENIED_TEXT = "authorization has been denied"
MISSING_TOKEN_HELP = (
    "PCGS_API_TOKEN is not set. Generate a token on pcgs.com (sign in, open the Public API "
    "documentation page, press 'Generate Token'), then `export PCGS_API_TOKEN=<token>` or put it in "
    ".env. To try coinref without one, run `coinref sim` and set PCGS_API_BASE_URL to its /publicapi URL."
)
BAD_TOKEN_HELP = (
    "PCGS rejected the API token (authorization denied): check PCGS_API_TOKEN, or generate a new "
    "token on pcgs.com (Public API documentation page, 'Generate Token')"
)

_CERT_RE = re.compile(r"^\d{1,12}$")


@lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """One TLS context per process: building one loads the CA bundle, which is slow."""
    return httpx.create_ssl_context()


def _user_agent() -> str:
    try:
        return f"coinref/{version('coinref')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "coinref"


# --------------------------------------------------------------------------------------------
# input checks (before any call is spent)
# --------------------------------------------------------------------------------------------


def normalize_cert(text: str) -> str:
    """The bare cert digits from ``12345678`` or a slab ID ``7130.67/12345678``; else InvalidInput."""
    raw = (text or "").strip()
    cert = raw.rsplit("/", 1)[-1].strip()
    if not _CERT_RE.match(cert):
        raise InvalidInput(f"not a cert number: {text!r} (expected digits, e.g. 12345678 or 7130.67/12345678)")
    return cert


def check_grade_point(pcgs_no: int, grade: int, plus: bool) -> None:
    if not isinstance(pcgs_no, int) or isinstance(pcgs_no, bool) or pcgs_no <= 0:
        raise InvalidInput(f"not a PCGS number: {pcgs_no!r} (expected a positive whole number)")
    if grade not in GRADE_NUMBERS:
        raise InvalidInput(f"{grade} is not a standard PCGS grade number")
    if plus and not PLUS_MIN <= grade <= PLUS_MAX:
        raise InvalidInput(f"plus grades exist only from {PLUS_MIN} to {PLUS_MAX}, not {grade}")


# --------------------------------------------------------------------------------------------
# the one classification of answers
# --------------------------------------------------------------------------------------------


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date relative to ``now``."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or utcnow())).total_seconds(), 0.0)


def classify(response: httpx.Response | None, error: BaseException | None) -> Outcome:
    """What a PCGS answer (or a transport failure) means: the only place this is decided."""
    if response is None:
        what = "timed out" if isinstance(error, httpx.TimeoutException | TimeoutError) else "could not be reached"
        host = request_host(error)
        return Outcome(TRANSIENT, None, TransientError(f"the PCGS API{f' ({host})' if host else ''} {what} "
                                                       f"({type(error).__name__})"))
    status = response.status_code
    text = response.text[:2000] if response.content else ""
    lowered = text.lower()

    if status == 401 or (status in (403, 500) and AUTH_DENIED_TEXT in lowered):
        return Outcome(AUTH, status, AuthenticationError(BAD_TOKEN_HELP, status=status))
    if status != 200 and QUOTA_TEXT in lowered:
        return Outcome(QUOTA_EXHAUSTED, status, QuotaExhausted("PCGS says: API calls quota exceeded!"))
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status == 429:
        return Outcome(
            RATE_LIMITED, status, RateLimited("PCGS asked us to slow down (HTTP 429)", retry_after=retry_after)
        )
    if status >= 500 or status == 408:
        return Outcome(
            TRANSIENT, status, TransientError(f"the PCGS API failed with HTTP {status}", retry_after=retry_after)
        )
    if status == 204:
        return Outcome(INVALID, status, InvalidInput("PCGS answered 204 No Content: a required parameter is missing"))
    if status == 400:
        return Outcome(INVALID, status, InvalidInput("PCGS rejected the request parameters (HTTP 400)"))
    if status == 404:
        return Outcome(
            UPSTREAM,
            status,
            WrongEndpoint(f"PCGS answered 404 for {response.request.url.path}: check PCGS_API_BASE_URL"),
        )
    if not 200 <= status < 300:
        return Outcome(UPSTREAM, status, UpstreamError(f"unexpected answer from PCGS: HTTP {status}"))

    try:
        body = response.json()
    except ValueError:
        if QUOTA_TEXT in lowered:
            return Outcome(QUOTA_EXHAUSTED, status, QuotaExhausted("PCGS says: API calls quota exceeded!"))
        return Outcome(TRANSIENT, status, TransientError("PCGS answered with a body that is not JSON"))
    if isinstance(body, list):
        return Outcome(SUCCESS, status, body=body)
    if not isinstance(body, dict):
        return Outcome(TRANSIENT, status, TransientError("PCGS answered with an unexpected JSON value"))

    message = str(body.get("ServerMessage") or "")
    valid = body.get("IsValidRequest")
    if isinstance(valid, str):
        valid = {"true": True, "false": False}.get(valid.strip().lower())
    if "server error" in message.lower():
        return Outcome(TRANSIENT, status, TransientError(f"PCGS reported: {message}"), body)
    if valid is False:
        refusal = InvalidInput(f"PCGS says the request is invalid: {message or 'no reason given'}")
        return Outcome(INVALID, status, refusal, body)
    if "no data found" in message.lower():
        return Outcome(NOT_FOUND, status, NotFound(f"PCGS has no data: {message}"), body)
    if valid is True:
        return Outcome(SUCCESS, status, body=body)
    if AUTH_DENIED_TEXT in str(body.get("Message") or "").lower():
        return Outcome(AUTH, status, AuthenticationError(BAD_TOKEN_HELP, status=status))
    return Outcome(TRANSIENT, status, TransientError("PCGS answered without the IsValidRequest envelope"), body)


# --------------------------------------------------------------------------------------------
# tokens
# --------------------------------------------------------------------------------------------


class StaticToken:
    """The PCGS way: one long-lived bearer token generated on pcgs.com."""

    can_refresh = False

    def __init__(self, token: str) -> None:
        self._token = token

    async def bearer(self) -> str:
        return self._token

    async def refresh(self) -> None:  # pragma: no cover - never called when can_refresh is False
        raise AuthenticationError(BAD_TOKEN_HELP)

    def __repr__(self) -> str:
        return "StaticToken(***)"


class GatewayToken:
    """A token from a deployment's own OAuth2 gateway (password grant through authlib)."""

    can_refresh = True

    def __init__(
        self,
        token_url: str,
        username: str,
        password: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_s: float = 20.0,
        client_id: str = "coinref",
    ) -> None:
        self.token_url = token_url
        self._username = username
        self._password = password
        self._transport = transport
        self._timeout_s = timeout_s
        self._client_id = client_id
        self._token: Any = None

    async def bearer(self) -> str:
        if self._token is None or self._token.is_expired():
            await self.refresh()
        return self._token["access_token"]

    async def refresh(self) -> None:
        with warnings.catch_warnings():
            import authlib.deprecate  # noqa: F401  (installs an "always" filter on import; ours must come after)

            warnings.simplefilter("ignore")
            from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
        try:
            async with AsyncOAuth2Client(
                client_id=self._client_id,
                token_endpoint_auth_method="none",
                transport=self._transport,
                timeout=self._timeout_s,
            ) as oauth:
                self._token = await oauth.fetch_token(
                    self.token_url, username=self._username, password=self._password, grant_type="password"
                )
        except (OAuthError, httpx.HTTPError, KeyError, ValueError) as exc:
            raise AuthenticationError(
                f"the OAuth2 gateway at PCGS_TOKEN_URL refused to issue a token ({type(exc).__name__}); "
                "check PCGS_USERNAME and PCGS_PASSWORD"
            ) from None
        if not self._token or "access_token" not in self._token:
            raise AuthenticationError("the OAuth2 gateway answered without an access_token")

    def __repr__(self) -> str:
        return f"GatewayToken({self.token_url!r}, ***)"


def token_provider(settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
    """The token source the settings call for; ConfigError (exit 10) with advice when none is set."""
    if settings.pcgs_token_url:
        if not settings.pcgs_username or settings.pcgs_password is None:
            raise ConfigError("PCGS_TOKEN_URL is set: PCGS_USERNAME and PCGS_PASSWORD are needed too")
        return GatewayToken(
            settings.pcgs_token_url,
            settings.pcgs_username,
            settings.pcgs_password.get_secret_value(),
            transport=transport,
            timeout_s=settings.pcgs_timeout_s,
        )
    if settings.pcgs_api_token is None or not settings.pcgs_api_token.get_secret_value().strip():
        raise ConfigError(MISSING_TOKEN_HELP)
    token = settings.pcgs_api_token.get_secret_value().strip()
    check_token(token, "PCGS_API_TOKEN")
    return StaticToken(token)


def check_token(token: str, source: str) -> None:
    """ConfigError (exit 10) unless ``token`` can travel in an HTTP header as it is.

    A bearer token is visible ASCII without spaces (RFC 6750 ``b64token``). A line break, a space or
    a non-ASCII character (a pasted token with a stray quote or a wrapped line) could never be
    sent: the check runs before any quota is reserved and names the problem, never the token.
    """
    for position, char in enumerate(token, 1):
        if not "!" <= char <= "~":
            what = {"\n": "a line break", "\r": "a carriage return", " ": "a space", "\t": "a tab"}.get(
                char, "a control character" if ord(char) < 32 or ord(char) == 127 else "a non-ASCII character")
            raise ConfigError(f"{source} contains {what} at position {position}: a token is visible ASCII "
                              "characters only; copy it again from pcgs.com")


# --------------------------------------------------------------------------------------------
# the client
# --------------------------------------------------------------------------------------------


def _summary(outcome: Outcome) -> dict | None:
    """What the call log keeps of a by-grade or cert answer (enough to answer it again today)."""
    if outcome.kind == NOT_FOUND:
        return {"found": False, "message": (outcome.body or {}).get("ServerMessage")}
    if outcome.kind != SUCCESS or not isinstance(outcome.body, dict):
        return None
    facts = CoinFacts.model_validate(outcome.body)
    return {
        "found": True,
        "pcgs_no": facts.pcgs_no,
        "name": facts.name,
        "year": facts.year,
        "mint_mark": facts.mint_mark,
        "denomination": facts.denomination,
        "grade": facts.grade,
        "designation": facts.designation or "",
        "price": str(facts.price_guide_value) if facts.priced else None,
        "population": facts.population,
        "pop_higher": facts.pop_higher,
    }


class PcgsClient:
    """Async PCGS Public API client. Use as ``async with PcgsClient(settings, engine) as pcgs:``.

    ``transport`` replaces the network (``httpx.ASGITransport`` around the simulator app, or
    ``httpx.MockTransport``); ``sleep``/``rng`` drive the retry waits; ``clock`` gives the quota
    day; ``monotonic`` drives the breaker's open period; ``breakers`` isolates breaker state.
    """

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
        breakers: BreakerRegistry | None = None,
        run_id: int | None = None,
        tokens: StaticToken | GatewayToken | None = None,
    ) -> None:
        self.settings = settings
        self._tokens = tokens or token_provider(settings, transport)
        self._http = httpx.AsyncClient(
            base_url=settings.pcgs_api_base_url.rstrip("/") + "/",
            transport=transport,
            verify=_tls(),
            timeout=settings.pcgs_timeout_s,
            headers={"Accept": "application/json", "User-Agent": _user_agent()},
        )
        self.ledger = QuotaLedger.for_pcgs(engine, settings, clock=clock)
        self.breaker = (breakers or default_breakers).for_settings(settings.pcgs_api_base_url, settings, monotonic)
        self._caller = RemoteCaller(
            provider=PROVIDER,
            engine=engine,
            ledger=self.ledger,
            breaker=self.breaker,
            pacer=Pacer.from_ms(settings.pcgs_pacing_ms),
            retry=RetryPolicy(
                max_retries=settings.pcgs_max_retries,
                cap_s=settings.pcgs_backoff_cap_s,
                sleep=sleep or asyncio.sleep,
                rng=rng or random.Random(),
            ),
            timeout_s=settings.pcgs_timeout_s,
            run_id=run_id,
            monotonic=monotonic,
        )

    async def __aenter__(self) -> PcgsClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- plumbing -----------------------------------------------------------------------------

    async def _get(self, endpoint: str, path: str, params: dict[str, str], log_params: dict[str, str]) -> Outcome:
        """One logical GET with at most one re-authentication (gateway tokens only)."""
        summarize = _summary if endpoint in (BY_GRADE, BY_CERT) else None
        for reauthenticated in (False, True):
            token = await self._tokens.bearer()
            check_token(token, "the API token" if self._tokens.can_refresh else "PCGS_API_TOKEN")

            async def send(token: str = token) -> httpx.Response:
                return await self._http.get(path, params=params, headers={"Authorization": f"bearer {token}"})

            try:
                return await self._caller.call(
                    endpoint=endpoint, params=log_params, send=send, classify=classify, summarize=summarize
                )
            except AuthenticationError:
                if reauthenticated or not self._tokens.can_refresh:
                    raise
                await self._tokens.refresh()
        raise AssertionError("unreachable")  # pragma: no cover

    # -- operations ---------------------------------------------------------------------------

    async def get_coin_facts_by_grade(self, pcgs_no: int, grade: int, plus: bool = False) -> CoinFacts:
        """CoinFacts of one coin at one grade (``GetCoinFactsByGrade``).

        Raises NotFound ("No data found"), InvalidInput (checked before sending, or refused by PCGS),
        QuotaExhausted, AuthenticationError, RateLimited, TransientError (after retries) or CircuitOpen.
        """
        check_grade_point(pcgs_no, grade, plus)
        params = {"PCGSNo": str(pcgs_no), "GradeNo": str(grade), "PlusGrade": "true" if plus else "false"}
        try:
            outcome = await self._get(BY_GRADE, BY_GRADE, params, params)
        except NotFound as exc:
            raise NotFound(
                f"PCGS has no data for PCGS #{pcgs_no} in grade {grade}{'+' if plus else ''} "
                "(the number or the grade may not exist)",
                pcgs_number=pcgs_no,
                grade=grade,
                plus=plus,
                server_message=exc.message,
            ) from None
        return CoinFacts.model_validate(outcome.body)

    async def get_coin_facts_by_cert(self, cert_no: str, *, retrieve_all_data: bool = True) -> CoinFacts:
        """CoinFacts of one certified coin (``GetCoinFactsByCertNo/{certNo}``); accepts slab IDs."""
        cert = normalize_cert(cert_no)
        params = {} if retrieve_all_data else {"retrieveAllData": "false"}
        try:
            outcome = await self._get(BY_CERT, f"{BY_CERT}/{cert}", params, {"certNo": cert, **params})
        except NotFound:
            raise NotFound(f"PCGS has no cert {cert}", cert_number=cert) from None
        return CoinFacts.model_validate(outcome.body)

    async def get_coin_facts_by_barcode(self, barcode: str, grading_service: str = "PCGS") -> CoinFacts:
        if not (barcode or "").strip():
            raise InvalidInput("a barcode is required")
        if grading_service.upper() not in ("PCGS", "NGC"):
            raise InvalidInput(f"grading service must be PCGS or NGC, not {grading_service!r}")
        params = {"barcode": barcode.strip(), "gradingService": grading_service.upper()}
        outcome = await self._get(BY_BARCODE, BY_BARCODE, params, params)
        return CoinFacts.model_validate(outcome.body)

    async def get_apr_by_grade(
        self,
        pcgs_no: int,
        grade: int,
        plus: bool = False,
        *,
        start_date: date | None = None,
        end_date: date | None = None,
        number_of_records: int | None = None,
    ) -> AuctionPrices:
        """Auction prices realized for one coin at one grade, newest first."""
        check_grade_point(pcgs_no, grade, plus)
        params = {"PCGSNo": str(pcgs_no), "GradeNo": str(grade), "PlusGrade": "true" if plus else "false"}
        if start_date:
            params["StartDate"] = start_date.strftime("%m-%d-%Y")
        if end_date:
            params["EndDate"] = end_date.strftime("%m-%d-%Y")
        if number_of_records is not None:
            if number_of_records <= 0:
                raise InvalidInput("NumberOfRecords must be positive")
            params["NumberOfRecords"] = str(number_of_records)
        outcome = await self._get(APR_BY_GRADE, APR_BY_GRADE, params, params)
        return AuctionPrices.model_validate(outcome.body)

    async def get_apr_by_cert(self, cert_no: str) -> AuctionPrices:
        cert = normalize_cert(cert_no)
        outcome = await self._get(APR_BY_CERT, f"{APR_BY_CERT}/{cert}", {}, {"certNo": cert})
        return AuctionPrices.model_validate(outcome.body)

    async def get_images_by_cert(self, cert_no: str) -> CertImages:
        cert = normalize_cert(cert_no)
        params = {"certNo": cert}
        outcome = await self._get(IMAGES_BY_CERT, IMAGES_BY_CERT, params, params)
        body = outcome.body
        if isinstance(body, list):
            body = {"CertNo": cert, "Images": body}
        return CertImages.model_validate(body)

