"""`TokenManager`: the bearer token of one API key, minted, refreshed, shared and cached.
Its policy is one generator, `_renew`, driven by `get_token_sync` and `get_token_async`."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Generator
from functools import partial
from typing import Any, TypeVar

import attrs
import httpx

from .. import errors
from .._api import tokens as _api
from .._api.secret import Secret, reveal
from .._headers import http_date
from ..credentials import Credentials
from ..environments import Environment
from .expiry import token_expiry
from .options import check_seconds
from .retry import never_sent
from .token_cache import CachedToken, TokenCache

__all__ = ["NO_GATEWAY_REQUEST", "TOKEN_FAILED", "Clock", "TokenManager"]

logger = logging.getLogger("truemarkets_gateway.auth")

Clock = Callable[[], float]
E = TypeVar("E", bound=errors.TrueMarketsError)
_Build = Callable[..., httpx.Request]  # `build_request` of the client that sends
_Reply = httpx.Response | httpx.RequestError | None  # a DecodingError too
_Flow = Generator[httpx.Request, _Reply, str]
_Rejected = Secret[str] | str | None  # the auth flow's is a `Secret`: it stays out of tracebacks

_MIN_REMAINING = 5.0  # a token with less left could die in flight (a third of a short life)
_IMPLAUSIBLE_REMAINING = 1.0  # a new token this close to expiry says more about our clock
_SKEW_THRESHOLD = 10.0  # a refused mint with a Date this far from ours is retried once
_RENEW_RETRY_DELAY = 5.0  # after a failed renewal ahead of expiry, keep the token this long

TOKEN_FAILED = "Getting an access token failed"  # starts every token failure's message
NO_GATEWAY_REQUEST = "no Gateway request was sent"  # added when a Gateway request waited


def _failure(make: Callable[..., E], text: str, before_send: bool, **kwargs: Any) -> E:
    """A token failure from the Auth Service; `before_send`: a Gateway request waits unsent."""
    if before_send:
        text, kwargs["gateway_request_sent"] = f"{text}; {NO_GATEWAY_REQUEST}", False
    return make(text, source="auth", **kwargs)


class TokenManager:
    """The bearer token of one API key (or a static one): minted on need, refreshed
    `refresh_margin` s before expiry, re-minted if refused, retried once in server time on
    a clock skew; threads and tasks share one renewal; `token_cache` persists it."""

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
            raise errors.ValidationError("access_token", "pass credentials or it, not both")
        if access_token is not None and (
            not isinstance(access_token, str) or len(access_token.split()) != 1
        ):
            raise errors.ValidationError("access_token", "must be a non-empty token without spaces")
        self.refresh_margin = check_seconds("refresh_margin", refresh_margin)
        self.environment, self.credentials, self._clock = environment, credentials, clock
        self._static = access_token.strip() if access_token is not None else None
        if token_cache is not None and not isinstance(token_cache, TokenCache):
            token_cache = TokenCache(token_cache)
        self._cache = token_cache if credentials is not None else None  # only for our mints
        if credentials is not None and token_cache is not None:  # whose token the file holds
            fingerprint = hashlib.sha256(credentials.public_key_compressed_hex.encode()).hexdigest()
            self._owner = dict(
                key_id=credentials.key_id, host=environment.host, fingerprint=fingerprint
            )
        self._state: CachedToken | None = None
        self._renewing = self._cache_loaded = False
        self._clock_offset = self._retry_renew_after = 0.0
        self.mint_count = self.refresh_count = 0
        # One renewal at a time: threads block on this lock, tasks poll it (their loop runs on).
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        who = f", key_id={self.credentials.key_id!r}" if self.credentials is not None else ""
        return f"TokenManager(environment={self.environment!r}, mode={self.mode!r}{who})"

    @property
    def mode(self) -> str:
        """`"api_key"`, `"static"` or `"none"` (public operations only)."""
        if self._static is not None:
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
        return self._state.expires_at if self._state is not None else None

    def _server_now(self) -> float:
        return self._clock() + self._clock_offset

    def _need(self, rejected: _Rejected) -> str:
        """The token is "fresh", due "soon" (in the margin) or needed "now"."""
        state = self._state
        if state is None or (rejected is not None and state.access_token == reveal(rejected)):
            return "now"
        if state.expires_at is None:
            return "fresh"
        now = self._server_now()
        remaining = state.expires_at - now
        lifetime = max(0.0, state.expires_at - state.obtained_at)
        if remaining <= min(_MIN_REMAINING, lifetime / 3):
            return "now"
        margin = min(self.refresh_margin, lifetime / 2)
        return "soon" if remaining <= margin and now >= self._retry_renew_after else "fresh"

    def _usable(self, rejected: _Rejected, for_gateway: bool) -> str | None:
        """A token usable without waiting, or None: then take the lock and renew."""
        if self._static is not None:
            return self._static
        if self.credentials is None:
            raise errors.CredentialsError(
                "This operation needs an API key: pass credentials (e.g. a key file) or "
                "access_token, or set TM_KEY_FILE (or TM_KEY_ID and TM_PRIVATE_KEY)",
                gateway_request_sent=False if for_gateway else None,
            )
        state, need = self._state, self._need(rejected)
        if state is not None and (need == "fresh" or (need == "soon" and self._renewing)):
            return state.access_token
        return None

    def _renew(self, rejected: _Rejected, build: _Build, before_send: bool) -> _Flow:
        """The token to use, yielding the auth requests it needs. `before_send`: a Gateway
        request waits unsent (failures say so)."""
        self._load_cache()
        need, current = self._need(rejected), self._state
        if need == "fresh" and current is not None:
            return current.access_token  # renewed by another caller while we waited
        if rejected is not None:
            logger.info("the Gateway rejected the access token; renewing it")
        self._renewing = True
        try:
            fresh = yield from self._obtain(current, build, before_send)
        except errors.TrueMarketsError as exc:
            if need == "soon" and current is not None:
                self._retry_renew_after = self._server_now() + _RENEW_RETRY_DELAY
                logger.warning("could not renew the token ahead of expiry (%s)", type(exc).__name__)
                return current.access_token
            if current is not None:
                self._keep(None)  # dead: forget it (and the cache) rather than retry it
            raise
        finally:
            self._renewing = False
        self._retry_renew_after = 0.0
        self._keep(fresh)
        return fresh.access_token

    def _obtain(
        self, current: CachedToken | None, build: _Build, before_send: bool
    ) -> Generator[httpx.Request, _Reply, CachedToken]:
        auth_url = self.environment.auth_url
        if current is not None and current.refresh_token:
            self.refresh_count += 1
            logger.debug("refreshing the access token")
            request = build(**_api.refresh_request(auth_url, current.refresh_token))
            response = yield from self._exchange(request, "token refresh", before_send)
            if response.status_code == 200:
                return self._read(response, before_send)
            if response.status_code not in (400, 401):
                raise self._error(response, "token refresh", before_send)
            logger.info("the refresh token was refused (HTTP %d)", response.status_code)
        assert self.credentials is not None
        skew_retried = False
        while True:
            self.mint_count += 1
            logger.debug("minting an access token for key %s", self.credentials.key_id)
            when = int(self._server_now())  # no local holds the signed body: it is a secret
            request = build(**_api.mint_request(auth_url, self.credentials, when))
            response = yield from self._exchange(request, "token mint", before_send)
            if response.status_code == 200:
                return self._read(response, before_send)
            server = http_date(response.headers.get("date"))
            skew = None if server is None else server - self._clock()
            if response.status_code != 401 or skew is None or skew_retried:
                raise self._error(response, "token mint", before_send, skew)
            if abs(skew - self._clock_offset) <= _SKEW_THRESHOLD:
                raise self._error(response, "token mint", before_send, skew)
            logger.warning("mint refused; server time differs by %+.0f s: retrying in it", skew)
            self._clock_offset, skew_retried = skew, True

    @staticmethod
    def _exchange(
        request: httpx.Request, what: str, before_send: bool
    ) -> Generator[httpx.Request, _Reply, httpx.Response]:
        reply = yield request
        if isinstance(reply, httpx.Response):
            return reply
        timeout = isinstance(reply, httpx.TimeoutException)
        how = "the Auth Service timed out" if timeout else "could not reach the Auth Service"
        if isinstance(reply, httpx.DecodingError):
            how = "the Auth Service's answer could not be decoded"
        raise _failure(
            errors.APITimeoutError if timeout else errors.APIConnectionError,
            f"{TOKEN_FAILED}: {how} ({what}): {type(reply).__name__}",
            before_send,
            request=request,
            may_have_reached_server=not (before_send or never_sent(reply)),
        )

    @staticmethod
    def _error(
        response: httpx.Response, what: str, before_send: bool, skew: float | None = None
    ) -> errors.APIError:
        hint = f"{TOKEN_FAILED} ({what} at the Auth Service)"
        if what == "token mint" and response.status_code == 401:
            hint += (
                ": the API key was refused: check that the key id is registered and not "
                "revoked, that the key file is the one downloaded for it, and the clock"
            )
            hint += f" (server time differs from ours by {skew:+.0f} s)" if skew else ""
        make = partial(errors.error_from_response, response)  # the text is its `hint`
        return _failure(lambda text, **kw: make(hint=text, **kw), hint, before_send)

    def _read(self, response: httpx.Response, before_send: bool) -> CachedToken:
        if (pair := _api.read_tokens(response)) is None:
            what = "the Auth Service answered 200 without an access token"
            raise _failure(
                errors.UnexpectedResponseError,
                f"{TOKEN_FAILED}: {what}",
                before_send,
                response=response,
            )
        now = self._server_now()
        expires_at = token_expiry(pair.expires_in, pair.access_token, now)
        left = None if expires_at is None else expires_at - now
        if left is None:
            logger.warning("the token response gave no usable expiry; renewing on a 401")
        elif left <= _IMPLAUSIBLE_REMAINING:
            logger.warning("the new token expires in %.1f s: check the system clock", left)
            expires_at = None  # renewed when the Gateway rejects it
        elif left <= 3 * _MIN_REMAINING:
            logger.debug("the access token is short-lived (%.1f s)", left)
        return CachedToken(pair.access_token, pair.refresh_token, expires_at, now)

    def _load_cache(self) -> None:
        if self._cache is not None and self._state is None and not self._cache_loaded:
            self._state = self._cache.load(**self._owner, local_now=self._clock())
            if self._state is not None:
                self._clock_offset = self._clock_offset or self._state.clock_offset
        self._cache_loaded = True

    def _keep(self, state: CachedToken | None) -> None:
        self._state = state
        if self._cache is not None and state is not None and state.expires_at is not None:
            token = attrs.evolve(state, clock_offset=self._clock_offset)
            self._cache.save(**self._owner, token=token)
        elif self._cache is not None:
            self._cache.clear()

    def get_token_sync(
        self, http: httpx.Client, *, rejected: _Rejected = None, for_gateway: bool = False
    ) -> str:
        """A valid access token, minted or refreshed through `http` (with `auth=None`); a
        new one if the Gateway `rejected` this one (unless another caller replaced it)."""
        if (token := self._usable(rejected, for_gateway)) is not None:
            return token
        flow = self._renew(rejected, http.build_request, for_gateway and rejected is None)
        with self._lock, contextlib.closing(flow):
            reply: _Reply = None
            while isinstance(step := _step(flow, reply), httpx.Request):
                try:
                    reply = http.send(step, auth=None, follow_redirects=False)
                except httpx.RequestError as exc:
                    reply = exc
            return step

    async def get_token_async(
        self, http: httpx.AsyncClient, *, rejected: _Rejected = None, for_gateway: bool = False
    ) -> str:
        """The async twin of `get_token_sync`; it never blocks the event loop."""
        if (token := self._usable(rejected, for_gateway)) is not None:
            return token
        import asyncio  # here, so that a blocking client never loads it

        pause = 0.001
        while not self._lock.acquire(blocking=False):
            await asyncio.sleep(pause)
            pause = min(2 * pause, 0.02)
        flow = self._renew(rejected, http.build_request, for_gateway and rejected is None)
        try:
            reply: _Reply = None
            while isinstance(step := _step(flow, reply), httpx.Request):
                try:
                    reply = await http.send(step, auth=None, follow_redirects=False)
                except httpx.RequestError as exc:
                    reply = exc
            return step
        finally:
            flow.close()
            self._lock.release()


def _step(flow: _Flow, reply: _Reply) -> httpx.Request | str:
    """The flow's next request, or the token it ends with."""
    try:
        return flow.send(reply)
    except StopIteration as done:
        return str(done.value)
