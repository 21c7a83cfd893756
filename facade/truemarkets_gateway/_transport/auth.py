"""Bearer tokens for the Gateway: minting, refreshing, sharing, and attaching them.

`TokenManager` holds the token state and all policy, written once as a sans-I/O flow (a
generator that yields auth requests and receives responses); sync and async drivers only
do the I/O and the locking. `GatewayAuth` is the `httpx.Auth` that puts the token (and
`TM-On-Behalf-Of`) on user-scoped requests and, on a 401, renews once and replays once.
"""

from __future__ import annotations

import enum
import logging
import math
import os
import threading
import time
import uuid
import weakref
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from truemarkets_auth_client.api.api_key_authentication import exchange_api_key_token
from truemarkets_auth_client.api.token import refresh_token as refresh_token_op
from truemarkets_auth_client.models import (
    AccessTokensResponse,
    APIKeyTokenExchangeRequest,
    RefreshTokenRequest,
)

from ..credentials import Credentials
from ..environments import Environment
from .expiry import server_time, token_expiry
from .token_cache import CachedToken, TokenCache

if TYPE_CHECKING:
    import asyncio

from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    CredentialsError,
    TrueMarketsError,
    UnexpectedResponseError,
    ValidationError,
    error_from_response,
)

__all__ = ["Clock", "GatewayAuth", "TokenManager"]

logger = logging.getLogger("truemarkets_gateway.auth")

Clock = Callable[[], float]

# A token with less than this left is treated as expired, whatever `refresh_margin` says: it
# could die in flight. A token that lives less than three times this is treated so once a
# third of its life is left.
_MIN_REMAINING = 5.0
# A new token whose expiry is this close (or past) by our clock says more about our clock
# than about the token: its expiry is not trusted, and the 401 path renews it.
_IMPLAUSIBLE_REMAINING = 1.0
# A mint rejected while the server's Date differs from ours by more than this is retried
# once with the server's time.
_SKEW_THRESHOLD = 10.0
# After a proactive renewal fails, keep using the still-valid token this long before trying
# again, so a struggling auth service is not hit by every request.
_RENEW_RETRY_DELAY = 5.0

# The start of every message about a failed token request (mint or refresh).
TOKEN_FAILED = "Getting an access token failed"
# Added when that happened inside the auth flow, before the Gateway request went out.
NO_GATEWAY_REQUEST = "no Gateway request was sent"

_ON_BEHALF_OF = "TM-On-Behalf-Of"
_REDACTED = b"[redacted]"

# What the flow yields: keyword arguments for `httpx.Client.build_request`.
_Call = dict[str, Any]
_Flow = Generator[_Call, "httpx.Response | BaseException", str]


@attrs.frozen
class _TokenState:
    access_token: str = attrs.field(repr=False)
    refresh_token: str | None = attrs.field(repr=False)
    expires_at: float | None  # server time, Unix seconds; None when the server gave none
    obtained_at: float  # server time


class _Need(enum.Enum):
    FRESH = "fresh"  # use the current token
    SOON = "soon"  # still valid, but inside the refresh margin
    NOW = "now"  # none, expired or rejected: the caller must wait for a new one


# --- responses ---------------------------------------------------------------------------------


def _scrubbed(response: httpx.Response, secrets: tuple[str | None, ...]) -> httpx.Response:
    """A copy of an auth response safe to attach to an exception.

    The request is reduced to its method and URL (its body held a signature or refresh
    token), and any secret the server echoed is masked in the body.
    """
    content = response.content
    for secret in secrets:
        if secret:
            content = content.replace(secret.encode(), _REDACTED)
    headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    ]
    try:
        request = httpx.Request(response.request.method, response.request.url)
    except RuntimeError:
        request = None
    return httpx.Response(response.status_code, headers=headers, content=content, request=request)


def _bare_request(call: _Call) -> httpx.Request:
    return httpx.Request(call["method"], call["url"])


# --- the token manager -----------------------------------------------------------------------


class TokenManager:
    """Holds the Gateway bearer token of one API key (or a static token) and keeps it fresh.

    - mints on first need; refreshes when fewer than `refresh_margin` seconds remain (at
      most half the token's lifetime); keeps the rotated refresh token of every refresh;
    - re-mints when a refresh is refused (400/401) or there is no refresh token;
    - single flight: concurrent threads (`get_token_sync`) or tasks (`get_token_async`)
      that need a token share one mint or refresh; callers whose token is still valid
      keep using it while another caller renews it;
    - clock skew: a mint refused with 401 while the server's `Date` is more than 10 s from
      our clock is retried once with the server's time, and that offset is kept;
    - `token_cache`: an optional 0600 file so short-lived processes reuse a valid token.

    Static mode (`access_token=`) never renews. Nothing here logs or raises with a token,
    refresh token, signature or key. The constructor does no I/O.
    """

    def __init__(
        self,
        environment: Environment,
        *,
        credentials: Credentials | None = None,
        access_token: str | None = None,
        refresh_margin: float = 60.0,
        token_cache: str | os.PathLike[str] | TokenCache | None = None,
        clock: Clock = time.time,
    ) -> None:
        if credentials is not None and access_token is not None:
            raise ValidationError(
                "access_token", "pass either an API key (credentials) or an access token, not both"
            )
        if access_token is not None and (
            not isinstance(access_token, str)
            or not access_token.strip()
            or any(ch.isspace() for ch in access_token.strip())
        ):
            raise ValidationError("access_token", "must be a non-empty token without spaces")
        if (
            isinstance(refresh_margin, bool)
            or not isinstance(refresh_margin, int | float)
            or not math.isfinite(refresh_margin)
            or refresh_margin < 0
        ):
            raise ValidationError("refresh_margin", "must be a number of seconds, 0 or more")
        self.environment = environment
        self.credentials = credentials
        self.refresh_margin = float(refresh_margin)
        self._static_token = access_token.strip() if access_token is not None else None
        self._clock = clock
        if token_cache is not None and not isinstance(token_cache, TokenCache):
            token_cache = TokenCache(token_cache)
        # A cache only makes sense for tokens we mint ourselves.
        self._cache = token_cache if credentials is not None else None
        self._cache_loaded = False
        self._state: _TokenState | None = None
        self._dirty = False
        self._clock_offset = 0.0
        self._renewing = False
        self._retry_renew_after = 0.0
        self.mint_count = 0
        self.refresh_count = 0
        # One lock serialises renewals across threads and event loops. Async callers first
        # queue on a per-event-loop asyncio.Lock (created on first async use, so a blocking
        # client never loads asyncio), then take this one without blocking their loop. A
        # plain Lock, not an RLock: an executor thread may take it for a task.
        self._lock = threading.Lock()
        self._loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]
        self._loop_locks = weakref.WeakKeyDictionary()
        self._loop_locks_guard = threading.Lock()

    def __repr__(self) -> str:
        who = f", key_id={self.credentials.key_id!r}" if self.credentials is not None else ""
        return f"TokenManager(environment={self.environment!r}, mode={self.mode!r}{who})"

    __str__ = __repr__

    # --- state, read without locks -----------------------------------------------------

    @property
    def mode(self) -> str:
        """`"api_key"`, `"static"` or `"none"` (public operations only)."""
        if self._static_token is not None:
            return "static"
        return "api_key" if self.credentials is not None else "none"

    @property
    def can_renew(self) -> bool:
        """Whether a rejected token can be replaced (only with an API key)."""
        return self.credentials is not None

    @property
    def clock_offset(self) -> float:
        """Server time minus local time, in seconds, as learned from a rejected mint."""
        return self._clock_offset

    @property
    def expires_at(self) -> float | None:
        """When the current token expires (server time, Unix seconds), if known."""
        state = self._state
        return state.expires_at if state is not None else None

    def _server_now(self) -> float:
        return self._clock() + self._clock_offset

    def _assess(self, rejected: str | None) -> tuple[_Need, _TokenState | None]:
        state = self._state
        if state is None or (rejected is not None and state.access_token == rejected):
            return _Need.NOW, state
        if state.expires_at is None:
            return _Need.FRESH, state
        now = self._server_now()
        remaining = state.expires_at - now
        lifetime = max(0.0, state.expires_at - state.obtained_at)
        # The last safe moment does not depend on the margin (a margin of 0 still renews a
        # token about to die in flight); for a short-lived token it shrinks with its lifetime.
        if remaining <= min(_MIN_REMAINING, lifetime / 3):
            return _Need.NOW, state
        margin = min(self.refresh_margin, lifetime / 2)
        if remaining <= margin and now >= self._retry_renew_after:
            return _Need.SOON, state
        return _Need.FRESH, state

    def _quick(self, rejected: str | None) -> str | None:
        """A token usable without waiting, or None when the caller must take the lock."""
        if self._static_token is not None:
            return self._static_token
        if self.credentials is None:
            raise CredentialsError(
                "This operation needs an API key: pass credentials (e.g. a key file) or "
                "access_token, or set TM_KEY_FILE (or TM_KEY_ID and TM_PRIVATE_KEY)"
            )
        need, state = self._assess(rejected)
        if state is not None and (need is _Need.FRESH or (need is _Need.SOON and self._renewing)):
            return state.access_token
        return None

    # --- the policy, once, as a sans-I/O flow ---------------------------------------------

    def _renew_flow(self, rejected: str | None) -> _Flow:
        """Return the token to use, yielding the auth requests it needs. Run under the lock."""
        need, current = self._assess(rejected)
        if need is _Need.FRESH and current is not None:
            return current.access_token  # another caller renewed it while we waited
        if rejected is not None:
            logger.info("the Gateway rejected the access token; renewing it")
        elif current is None:
            logger.debug("no access token yet; obtaining one")
        else:
            logger.debug("access token near or past expiry; renewing it")
        self._renewing = True
        try:
            fresh = yield from self._obtain(current)
        except TrueMarketsError as exc:
            if need is _Need.SOON and current is not None:
                self._retry_renew_after = self._server_now() + _RENEW_RETRY_DELAY
                logger.warning(
                    "could not renew the access token ahead of expiry (%s); the current one "
                    "stays in use for now",
                    type(exc).__name__,
                )
                return current.access_token
            if current is not None and need is _Need.NOW:
                self._state = None  # dead; forget it (and the cache) rather than retry it
                self._dirty = True
            raise
        finally:
            self._renewing = False
        self._state = fresh
        self._dirty = True
        self._retry_renew_after = 0.0
        return fresh.access_token

    def _obtain(self, current: _TokenState | None) -> Generator[_Call, Any, _TokenState]:
        if current is not None and current.refresh_token:
            refresh = current.refresh_token
            kwargs = refresh_token_op._get_kwargs(body=RefreshTokenRequest(refresh_token=refresh))
            self.refresh_count += 1
            response = yield from self._exchange(kwargs, "token refresh")
            if response.status_code == 200:
                state = self._tokens_from(response, secrets=(refresh,))
                logger.debug("access token refreshed (refresh token rotated)")
                return state
            if response.status_code not in (400, 401):
                raise self._error(response, "token refresh", secrets=(refresh,))
            logger.info(
                "the refresh token was refused (HTTP %d); minting a new token with the API key",
                response.status_code,
            )
        elif current is not None:
            logger.debug("no refresh token; minting a new token with the API key")
        return (yield from self._mint())

    def _mint(self) -> Generator[_Call, Any, _TokenState]:
        credentials = self.credentials
        assert credentials is not None
        skew_retried = False
        while True:
            timestamp = int(self._server_now())
            signature = credentials.sign_challenge(timestamp)
            body = APIKeyTokenExchangeRequest(
                key_id=uuid.UUID(credentials.key_id), timestamp=timestamp, signature=signature
            )
            kwargs = exchange_api_key_token._get_kwargs(body=body)
            self.mint_count += 1
            logger.debug("minting an access token for key %s", credentials.key_id)
            response = yield from self._exchange(kwargs, "token mint")
            if response.status_code == 200:
                state = self._tokens_from(response, secrets=(signature,))
                logger.debug("access token minted for key %s", credentials.key_id)
                return state
            skew = self._skew(response)
            if (
                response.status_code == 401
                and not skew_retried
                and skew is not None
                and abs(skew - self._clock_offset) > _SKEW_THRESHOLD
            ):
                logger.warning(
                    "the token mint was refused and the server clock differs from ours by "
                    "%+.0f s; retrying once with the server's time",
                    skew,
                )
                self._clock_offset = skew
                skew_retried = True
                continue
            hint = None
            if response.status_code == 401:
                hint = (
                    "The API key was refused: check that the key id is registered and not "
                    "revoked, that the key file is the one downloaded for it, and the clock"
                )
                if skew is not None:
                    hint += f" (server time differs from ours by {skew:+.0f} s)"
            raise self._error(response, "token mint", secrets=(signature,), hint=hint)

    def _skew(self, response: httpx.Response) -> float | None:
        server = server_time(response)
        return None if server is None else server - self._clock()

    def _exchange(self, kwargs: dict[str, Any], what: str) -> Generator[_Call, Any, httpx.Response]:
        call = {**kwargs, "url": self.environment.auth_url + kwargs["url"]}
        reply = yield call
        if isinstance(reply, httpx.TimeoutException):
            raise APITimeoutError(
                f"{TOKEN_FAILED}: the Auth Service timed out ({what}): {type(reply).__name__}",
                request=_bare_request(call),
                may_have_reached_server=not isinstance(
                    reply, httpx.ConnectTimeout | httpx.PoolTimeout
                ),
                source="auth",
            )
        if isinstance(reply, httpx.TransportError):
            raise APIConnectionError(
                f"{TOKEN_FAILED}: could not reach the Auth Service ({what}): "
                f"{type(reply).__name__}",
                request=_bare_request(call),
                may_have_reached_server=not isinstance(reply, httpx.ConnectError),
                source="auth",
            )
        if isinstance(reply, BaseException):  # pragma: no cover - drivers send only the above
            raise reply
        assert isinstance(reply, httpx.Response)
        return reply

    def _error(
        self,
        response: httpx.Response,
        what: str,
        *,
        secrets: tuple[str | None, ...],
        hint: str | None = None,
    ) -> APIError:
        logger.debug("%s failed with HTTP %d", what, response.status_code)
        note = f"{TOKEN_FAILED} ({what} at the Auth Service)"
        return error_from_response(
            _scrubbed(response, secrets),
            hint=f"{note}: {hint}" if hint else note,
            source="auth",
        )

    def _tokens_from(
        self, response: httpx.Response, *, secrets: tuple[str | None, ...]
    ) -> _TokenState:
        try:
            data = response.json()
        except ValueError:
            data = None
        access = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(access, str) or not access.strip():
            raise UnexpectedResponseError(
                f"{TOKEN_FAILED}: the Auth Service answered 200 without an access token",
                response=_scrubbed(response, secrets),
                source="auth",
            )
        assert isinstance(data, dict)
        parsed = AccessTokensResponse.from_dict({"refresh_token": None, "expires_in": None, **data})
        refresh = parsed.refresh_token if isinstance(parsed.refresh_token, str) else None
        now = self._server_now()
        # The raw value: the generated parser reads "20300101" as a date.
        expires_at = token_expiry(data.get("expires_in"), access, now)
        if expires_at is None:
            logger.warning(
                "the token response gave no usable expiry; the token will be renewed when the "
                "Gateway rejects it"
            )
        elif expires_at - now <= _IMPLAUSIBLE_REMAINING:
            logger.warning(
                "the new token's expiry is %.1f s away by our clock; check the system clock. "
                "It will be renewed when the Gateway rejects it",
                expires_at - now,
            )
            expires_at = None
        elif expires_at - now <= 3 * _MIN_REMAINING:
            logger.debug(
                "the access token is short-lived (%.1f s); it will be renewed ahead of expiry",
                expires_at - now,
            )
        else:
            logger.debug("the access token expires in %.0f s", expires_at - now)
        return _TokenState(access.strip(), refresh or None, expires_at, now)

    # --- cache --------------------------------------------------------------------------

    def _load_cache(self) -> None:
        if self._cache_loaded:
            return
        self._cache_loaded = True
        if self._cache is None or self._state is not None or self.credentials is None:
            return
        cached = self._cache.load(
            key_id=self.credentials.key_id, host=self.environment.host, local_now=self._clock()
        )
        if cached is None:
            return
        if self._clock_offset == 0.0:
            self._clock_offset = cached.clock_offset
        self._state = _TokenState(
            cached.access_token, cached.refresh_token, cached.expires_at, cached.obtained_at
        )

    def _persist(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        if self._cache is None or self.credentials is None:
            return
        state = self._state
        if state is None or state.expires_at is None:
            self._cache.clear()
            return
        self._cache.save(
            key_id=self.credentials.key_id,
            host=self.environment.host,
            token=CachedToken(
                state.access_token,
                state.refresh_token,
                state.expires_at,
                state.obtained_at,
                self._clock_offset,
            ),
        )

    # --- drivers ----------------------------------------------------------------------
    #
    # A session takes the lock, loads the cache, runs the flow and persists the result,
    # yielding each auth request built by `build` and receiving its response (or the
    # transport error). `get_token_*` send those requests with their own client; a bare
    # `GatewayAuth` yields them through the client that is sending.

    def _requests(
        self, rejected: str | None, build: Callable[[_Call], httpx.Request]
    ) -> Generator[httpx.Request, httpx.Response | BaseException, str]:
        """`_renew_flow` with each auth call built into a request. Run under the lock."""
        flow = self._renew_flow(rejected)
        try:
            reply: httpx.Response | BaseException | None = None
            while True:
                try:
                    call = flow.send(reply)  # type: ignore[arg-type]
                except StopIteration as stop:
                    return str(stop.value)
                reply = yield build(call)
        finally:
            flow.close()

    def _session_sync(
        self, rejected: str | None, build: Callable[[_Call], httpx.Request]
    ) -> Generator[httpx.Request, httpx.Response | BaseException, str]:
        token = self._quick(rejected)
        if token is not None:
            return token
        with self._lock:
            self._load_cache()
            try:
                return (yield from self._requests(rejected, build))
            finally:
                self._persist()

    def get_token_sync(self, http: httpx.Client, *, rejected: str | None = None) -> str:
        """A valid access token, minting or refreshing through `http` if needed.

        `rejected`: a token the Gateway just refused; a new one is obtained unless another
        caller already replaced it. Auth requests use absolute URLs and `auth=None`.
        """
        session = self._session_sync(rejected, lambda call: http.build_request(**call))
        reply: httpx.Response | BaseException | None = None
        while True:
            try:
                request = session.send(reply)  # type: ignore[arg-type]
            except StopIteration as stop:
                return str(stop.value)
            try:
                reply = http.send(request, auth=None)
            except httpx.TransportError as exc:
                reply = exc

    def _loop_lock(self) -> asyncio.Lock:
        import asyncio

        loop = asyncio.get_running_loop()
        with self._loop_locks_guard:
            lock = self._loop_locks.get(loop)
            if lock is None:
                lock = self._loop_locks[loop] = asyncio.Lock()
            return lock

    async def _acquire_thread_lock(self) -> None:
        """Take the thread lock without blocking the event loop.

        When it is busy (a sync caller or another loop renews), an executor thread waits for
        it. If this task is cancelled meanwhile, that wait still ends in the lock, which is
        then released at once, so nothing is left holding it.
        """
        if self._lock.acquire(blocking=False):
            return
        import asyncio

        acquiring = asyncio.get_running_loop().run_in_executor(None, self._lock.acquire)
        try:
            await asyncio.shield(acquiring)
        except asyncio.CancelledError:
            acquiring.add_done_callback(self._release_if_acquired)
            raise

    def _release_if_acquired(self, future: asyncio.Future[bool]) -> None:
        if not future.cancelled() and future.exception() is None and future.result():
            self._lock.release()

    async def _session_async(
        self, rejected: str | None, build: Callable[[_Call], httpx.Request]
    ) -> AsyncGenerator[httpx.Request | _Done, httpx.Response | BaseException | None]:
        """The async twin of `_session_sync` (the same cache helpers, the file I/O in a
        thread); its last item is `_Done(token)`."""
        token = self._quick(rejected)
        if token is not None:
            yield _Done(token)
            return
        import asyncio

        async with self._loop_lock():
            await self._acquire_thread_lock()
            try:
                if self._cache is not None and not self._cache_loaded:
                    await asyncio.to_thread(self._load_cache)
                else:
                    self._load_cache()
                steps = self._requests(rejected, build)
                try:
                    reply: httpx.Response | BaseException | None = None
                    while True:
                        try:
                            request = steps.send(reply)  # type: ignore[arg-type]
                        except StopIteration as stop:
                            token = str(stop.value)
                            break
                        reply = yield request
                finally:
                    steps.close()
                    if self._cache is not None and self._dirty:
                        await asyncio.to_thread(self._persist)
                    else:
                        self._persist()
            finally:
                self._lock.release()
        yield _Done(token)

    async def get_token_async(self, http: httpx.AsyncClient, *, rejected: str | None = None) -> str:
        """The async twin of `get_token_sync`; never blocks the event loop."""
        session = self._session_async(rejected, lambda call: http.build_request(**call))
        try:
            item = await session.asend(None)
            while not isinstance(item, _Done):
                reply: httpx.Response | BaseException
                try:
                    reply = await http.send(item, auth=None)
                except httpx.TransportError as exc:
                    reply = exc
                item = await session.asend(reply)
            return item.token
        finally:
            await session.aclose()


@attrs.frozen
class _Done:
    token: str = attrs.field(repr=False)


def _standalone(call: _Call, template: httpx.Request) -> httpx.Request:
    """An auth request built without a client, carrying the template's User-Agent/timeout."""
    headers = dict(call.get("headers") or {})
    user_agent = template.headers.get("user-agent")
    if user_agent:
        headers["User-Agent"] = user_agent
    request = httpx.Request(call["method"], call["url"], json=call.get("json"), headers=headers)
    if "timeout" in template.extensions:
        request.extensions["timeout"] = template.extensions["timeout"]
    return request


# --- httpx integration -----------------------------------------------------------------------


def _note_not_sent(exc: TrueMarketsError) -> None:
    """Mark an error raised before the Gateway request went out: `gateway_request_sent` is
    False, and a token failure's message says that no Gateway request was sent."""
    if exc.gateway_request_sent is False:
        return  # marked already
    exc.gateway_request_sent = False
    if getattr(exc, "source", None) != "auth":
        return
    if isinstance(exc, APIError):
        exc.hint = f"{exc.hint}; {NO_GATEWAY_REQUEST}" if exc.hint else NO_GATEWAY_REQUEST
        exc.args = (exc._describe(),)
    elif isinstance(exc, APIConnectionError | UnexpectedResponseError):
        if isinstance(exc, APIConnectionError):
            exc.may_have_reached_server = False  # the Gateway request, that is
        exc.message = f"{exc.message}; {NO_GATEWAY_REQUEST}"
        exc.args = (exc.message,)


def _check_on_behalf_of(user_id: str | None) -> str | None:
    if user_id is None:
        return None
    if not isinstance(user_id, str) or not user_id.strip() or any(ch in user_id for ch in "\r\n\0"):
        raise ValidationError("on_behalf_of", "must be the user's id, a non-empty string")
    return user_id.strip()


class GatewayAuth(httpx.Auth):
    """Bearer auth for user-scoped Gateway requests, for sync and async clients.

    Pass it per request (`client.send(request, auth=gateway_auth)`); public operations go
    with `auth=None` and so carry neither a token nor `TM-On-Behalf-Of`. Tokens are
    obtained through `http` / `async_http` when given (with `auth=None`), else by yielding
    the auth requests through the client that is sending. On a 401 with an API key, the
    token is renewed once and the request replayed once; in static-token mode the 401 is
    returned as it is.
    """

    requires_request_body = True  # so a 401 can be replayed
    requires_response_body = True  # auth responses must be read before parsing

    def __init__(
        self,
        tokens: TokenManager,
        *,
        http: httpx.Client | None = None,
        async_http: httpx.AsyncClient | None = None,
        on_behalf_of: str | None = None,
    ) -> None:
        self.tokens = tokens
        self.http = http
        self.async_http = async_http
        self.on_behalf_of = _check_on_behalf_of(on_behalf_of)

    def __repr__(self) -> str:
        return f"GatewayAuth(tokens={self.tokens!r}, on_behalf_of={self.on_behalf_of!r})"

    def _prepare(self, request: httpx.Request, token: str) -> None:
        request.headers["Authorization"] = f"Bearer {token}"
        if self.on_behalf_of is not None:
            request.headers[_ON_BEHALF_OF] = self.on_behalf_of

    def _token_sync(
        self, request: httpx.Request, rejected: str | None
    ) -> Generator[httpx.Request, httpx.Response, str]:
        if self.http is not None:
            return self.tokens.get_token_sync(self.http, rejected=rejected)
        # No client of our own: yield the auth requests through the sending client.
        session = self.tokens._session_sync(rejected, lambda call: _standalone(call, request))
        return (yield from session)

    async def _token_async(
        self, request: httpx.Request, rejected: str | None
    ) -> AsyncGenerator[httpx.Request | _Done, httpx.Response]:
        """Yields auth requests (bare mode only), then `_Done(token)`."""
        if self.async_http is not None:
            yield _Done(await self.tokens.get_token_async(self.async_http, rejected=rejected))
            return
        session = self.tokens._session_async(rejected, lambda call: _standalone(call, request))
        try:
            item = await session.asend(None)
            while not isinstance(item, _Done):
                item = await session.asend((yield item))
            yield item
        finally:
            await session.aclose()

    # The two drivers have one shape: a fast path (a token usable as it is needs no session,
    # lock or generator), the request, and on a 401 one renewal and one replay. Whatever
    # fails before the first send is marked as having sent no Gateway request.

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        rejected: str | None = None
        try:
            token = self.tokens._quick(None)
        except TrueMarketsError as exc:
            _note_not_sent(exc)
            raise
        while True:
            if token is None:
                try:
                    token = yield from self._token_sync(request, rejected)
                except TrueMarketsError as exc:
                    if rejected is None:
                        _note_not_sent(exc)
                    raise
            self._prepare(request, token)
            response = yield request
            if rejected is not None or response.status_code != 401 or not self.tokens.can_renew:
                return  # a replay's answer, whatever it is, is the answer
            rejected, token = token, None

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        rejected: str | None = None
        try:
            token = self.tokens._quick(None)
        except TrueMarketsError as exc:
            _note_not_sent(exc)
            raise
        while True:
            if token is None:
                steps = self._token_async(request, rejected)
                try:
                    item = await steps.asend(None)  # type: ignore[arg-type]
                    while not isinstance(item, _Done):
                        item = await steps.asend((yield item))
                except TrueMarketsError as exc:
                    if rejected is None:
                        _note_not_sent(exc)
                    raise
                finally:
                    await steps.aclose()
                token = item.token
            self._prepare(request, token)
            response = yield request
            if rejected is not None or response.status_code != 401 or not self.tokens.can_renew:
                return  # a replay's answer, whatever it is, is the answer
            rejected, token = token, None
