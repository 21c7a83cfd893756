"""Everything `Gateway` and `AsyncGateway` share: configuration, and what to do with each
attempt's outcome (parse, retry, or raise the mapped error; token failures; logging).

The two clients only run the loop (send, maybe sleep, repeat) around the `PreparedCall`s
that `_operations.RequestBuilders` builds, so every policy is written once.
"""

from __future__ import annotations

import copy
import logging
import os
import random
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

from ._api.operations import Operation, PreparedCall, RequestBuilders
from ._transport import retry as _retry
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ClientClosedError,
    CredentialsError,
    TrueMarketsError,
    UnexpectedResponseError,
    ValidationError,
    error_from_response,
    scrub_transport_error,
)

if TYPE_CHECKING:
    from datetime import datetime

    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey

    from truemarkets_gateway_client import AuthenticatedClient

    from ._transport.auth import TokenManager
    from ._transport.token_cache import TokenCache
    from .credentials import Credentials
    from .environments import Environment
    from .signing import PayloadSigner

    SignerKey = PayloadSigner | EllipticCurvePrivateKey | str | bytes | Mapping[str, Any] | None
    """What `signer=` takes: a signer, or a private key in any form `PayloadSigner.from_key`
    reads; None for `TM_SIGNER_KEY`, else the API key."""

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "GatewayBase",
]

T = TypeVar("T")
HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)

logger = logging.getLogger("truemarkets_gateway")

DEFAULT_TIMEOUT = 30.0
DEFAULT_USER_AGENT = f"truemarkets-gateway-python/{__version__}"
# Added to a token failure that stopped a call before its Gateway request went out.
_NOT_SENT_NOTE = "the token request to the Auth Service failed, so no Gateway request was sent"


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()
"""Marks an option the caller did not pass (so a user-supplied client keeps its own)."""


# --- the shared client base ----------------------------------------------------------------------


def _check_wait(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e6:
        raise ValidationError("max_retry_wait", "must be a number of seconds, 0 or more")
    return float(value)


def _check_retries(value: object, field: str = "max_retries") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(field, f"must be an integer, 0 or more; got {value!r}")
    return value


def _resolve_credentials(
    credentials: Credentials | None,
    key_file: str | os.PathLike[str] | None,
    access_token: str | None,
    environ: Mapping[str, str] | None,
) -> Credentials | None:
    from .credentials import Credentials

    if credentials is not None and key_file is not None:
        raise ValidationError("key_file", "pass credentials or key_file, not both")
    if key_file is not None:
        return Credentials.from_key_file(key_file)
    if credentials is not None:
        if not isinstance(credentials, Credentials):
            raise TypeError(
                "credentials must be a Credentials object (Credentials.from_key_file(...)); "
                "for a path use key_file="
            )
        return credentials
    if access_token is not None:
        return None  # a static token: do not mix in keys from the environment
    return Credentials.from_env(environ)


class GatewayBase(RequestBuilders):
    """Configuration and every request policy; subclasses add the I/O loop."""

    _tokens: TokenManager | None
    _auth: httpx.Auth | None
    _owns_http: bool = False
    _closed: bool = False  # set by close(): every later call raises ClientClosedError
    _origin: GatewayBase | None = None  # the client a `with_options` view was made from

    def __init__(
        self,
        *,
        env: str | Environment | None,
        base_url: str | None,
        credentials: Credentials | None,
        key_file: str | os.PathLike[str] | None,
        access_token: str | None,
        signer: SignerKey,
        on_behalf_of: str | None,
        legacy: bool | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        max_retry_wait: float,
        user_agent: str | None,
        token_cache: str | os.PathLike[str] | TokenCache | None,
        refresh_margin: float,
        environ: Mapping[str, str] | None,
        rand: Callable[[], float] | None,
        clock: Callable[[], float],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        from .environments import Environment

        self.environment = Environment.resolve(
            env=env, base_url=base_url, legacy=legacy, environ=environ
        )
        self.max_retries = _check_retries(max_retries)
        if user_agent is not None and (not isinstance(user_agent, str) or not user_agent.strip()):
            raise ValidationError("user_agent", "must be a non-empty string")
        self.user_agent = user_agent or DEFAULT_USER_AGENT
        self._gateway_url = self.environment.gateway_url
        self._headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        self._timeout = timeout
        self._environ = environ
        self._retry_policy = _retry.RetryPolicy(max_wait=_check_wait(max_retry_wait))
        self._rand = rand if rand is not None else random.random
        self._clock = clock
        self._monotonic = monotonic  # deadlines and payload age in the workflows
        self._signer_option = signer
        self._signer: PayloadSigner | None = None
        self._on_behalf_of = on_behalf_of
        self._asset_info: dict[str, tuple[str | None, frozenset[str]]] = {}
        self._generated: AuthenticatedClient | None = None

        self._credentials = _resolve_credentials(credentials, key_file, access_token, environ)
        self._tokens = None
        self._auth = None
        if self._credentials is not None or access_token is not None:
            from ._transport.auth import TokenManager

            self._tokens = TokenManager(
                self.environment,
                credentials=self._credentials,
                access_token=access_token,
                refresh_margin=refresh_margin,
                token_cache=token_cache,
                clock=clock,
            )
        elif on_behalf_of is not None:
            raise ValidationError("on_behalf_of", "needs credentials or an access_token")

    def __repr__(self) -> str:
        mode = self._tokens.mode if self._tokens is not None else "none"
        return f"{type(self).__name__}(environment={self.environment!r}, auth={mode!r})"

    # --- options ------------------------------------------------------------------------

    @property
    def credentials(self) -> Credentials | None:
        """The API key in use, if any (its private key never shows in repr)."""
        return self._credentials

    @property
    def signer(self) -> PayloadSigner:
        """The payload signer: the `signer=` option, else `TM_SIGNER_KEY`, else the API key.

        Raises `CredentialsError` (only when first needed) if there is none.
        """
        if self._signer is None:
            self._signer = self._resolve_signer()
        return self._signer

    def _resolve_signer(self) -> PayloadSigner:
        from .signing import PayloadSigner

        option = self._signer_option
        if isinstance(option, PayloadSigner):
            return option
        if option is not None:
            return PayloadSigner.from_key(option)
        from_env = PayloadSigner.from_env(self._environ)
        if from_env is not None:
            return from_env
        if self._credentials is not None:
            return PayloadSigner.from_credentials(self._credentials)
        raise CredentialsError(
            "no payload signer: pass signer= (a PayloadSigner or a private key), set "
            "TM_SIGNER_KEY, or use API key credentials"
        )

    @property
    def token_expires_at(self) -> datetime | None:
        """When the current access token expires (UTC), if known: None before the first
        token, for a static token without an expiry, or without credentials."""
        expires_at = self._tokens.expires_at if self._tokens is not None else None
        if expires_at is None:
            return None
        from datetime import UTC, datetime

        return datetime.fromtimestamp(expires_at, tz=UTC)

    def _token_manager(self) -> TokenManager:
        if self._tokens is None:
            raise CredentialsError(
                "no access token without credentials: pass credentials= or key_file= or "
                "access_token=, or set TM_KEY_FILE (or TM_KEY_ID and TM_PRIVATE_KEY)"
            )
        return self._tokens

    def _auth_for(self, op: Operation) -> httpx.Auth | None:
        if op.public:
            return None
        if self._auth is None:
            raise CredentialsError(
                f"{op.name} needs credentials: pass credentials= or key_file= or "
                "access_token=, or set TM_KEY_FILE (or TM_KEY_ID and TM_PRIVATE_KEY)"
            )
        return self._auth

    def _closed_error(self) -> ClientClosedError:
        return ClientClosedError(f"this {type(self).__name__} is closed; create a new one")

    def _adopt_http(
        self, http_client: HttpT | None, make: Callable[..., HttpT], timeout: Any
    ) -> HttpT:
        """The caller's client as given, or our own pool carrying headers and timeout once."""
        self._owns_http = http_client is None
        if http_client is not None:
            return http_client
        self._timeout = NOT_GIVEN  # set on the client once, not per request
        return make(
            timeout=DEFAULT_TIMEOUT if timeout is NOT_GIVEN else timeout, headers=self._headers
        )

    def _generated_http_options(self, http: httpx.Client | httpx.AsyncClient) -> dict[str, Any]:
        """What the generated client's own httpx client needs to send like ours does."""
        return {
            "base_url": self._gateway_url,
            "headers": self._headers,
            "auth": self._auth,
            "timeout": http.timeout,
            "transport": http._transport,
        }

    @property
    def closed(self) -> bool:
        """Whether `close()` was called (on this client, or on the one it was derived from)."""
        return self._closed or (self._origin is not None and self._origin.closed)

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = NOT_GIVEN,
        max_retries: int | None = None,
        max_retry_wait: float | None = None,
    ) -> Self:
        """This client with other settings for the calls made through it.

        >>> gw.with_options(timeout=2.0, max_retries=0).quote(...)

        The view shares the connection pool, the tokens, the signer and every other option;
        it costs no I/O and needs no closing of its own (closing the original closes it too).
        """
        view = copy.copy(self)
        view._origin = self
        view._owns_http = False  # the original owns and closes the pool
        view._closed = False
        if timeout is not NOT_GIVEN:
            view._timeout = timeout
        if max_retries is not None:
            view.max_retries = _check_retries(max_retries)
        if max_retry_wait is not None:
            view._retry_policy = view._retry_policy._replace(max_wait=_check_wait(max_retry_wait))
        return view

    def _budget(self, max_retries: int | None) -> int:
        return self.max_retries if max_retries is None else _check_retries(max_retries)

    # --- one attempt's outcome (the loop calls these) ---------------------------------------

    def _request_args(self, call: PreparedCall[Any]) -> dict[str, Any]:
        # Our own client carries the headers already; a caller's client gets them per request.
        args: dict[str, Any] = {"params": call.params}
        if not self._owns_http:
            args["headers"] = self._headers
        if call.json is not None:
            args["json"] = call.json
        if self._timeout is not NOT_GIVEN:
            args["timeout"] = self._timeout
        if call.op.idempotent:  # GatewayAuth may replay it after a 401 (api1 owns this)
            args["extensions"] = {"truemarkets_replay": True}
        return args

    def _after_response(
        self,
        call: PreparedCall[Any],
        response: httpx.Response,
        retries_done: int,
        max_retries: int,
        started: float,
        first_started: float,
    ) -> _retry.RetryDecision | None:
        """None on success; a decision to retry; or raises the mapped `APIError`."""
        status = response.status_code
        if logger.isEnabledFor(logging.DEBUG):
            elapsed = (time.perf_counter() - started) * 1000.0
            logger.debug("%s %s -> %d in %.1f ms", call.method, call.path, status, elapsed)
        if 200 <= status < 300:
            return None
        decision = _retry.decide_after_response(
            idempotent=call.op.idempotent,
            retries_done=retries_done,
            max_retries=max_retries,
            status=status,
            headers=response.headers,
            now=self._clock(),
            rand=self._rand,
            policy=self._retry_policy,
        )
        self._log_decision(call, decision, retries_done, max_retries)
        if decision.retry:
            return decision
        retry_after = (
            _retry.server_wait(response.headers, status, self._clock()) if status == 429 else None
        )
        hint = None
        if call.op.idempotent or not call.op.reconcile:
            pass
        elif status == 429:
            # Turned away by the rate limit: nothing was processed, so no reconcile is needed.
            wait = f"in {retry_after:g} s" if retry_after is not None else "after a short wait"
            hint = (
                "The server turned the request away (rate limit), so nothing was created or "
                f"executed; try again {wait}"
            )
        elif _retry.is_retryable_status(status):
            hint = call.op.reconcile
        effort = self._effort(call, retries_done, max_retries, first_started, retry_after)
        if effort:
            hint = f"{hint}. {effort[0].upper()}{effort[1:]}" if hint else effort
        raise error_from_response(response, hint=hint, retry_after=retry_after)

    def _effort(
        self,
        call: PreparedCall[Any],
        retries_done: int,
        max_retries: int,
        first_started: float,
        server_wait: float | None = None,
    ) -> str:
        """How hard this call tried, for the error text: the attempts made and the time they
        took, and a server-advised wait that was longer than `max_retry_wait`."""
        parts = []
        if retries_done:
            elapsed = time.perf_counter() - first_started
            parts.append(f"after {retries_done + 1} attempts over {elapsed:.1f} s")
        cap = self._retry_policy.max_wait
        if (
            server_wait is not None
            and server_wait > cap
            and call.op.idempotent
            and retries_done < max_retries
        ):
            parts.append(
                f"the server asked to wait {server_wait:g} s, over max_retry_wait={cap:g} s"
            )
        return "; ".join(parts)

    def _after_error(
        self,
        call: PreparedCall[Any],
        exc: httpx.TransportError,
        retries_done: int,
        max_retries: int,
        started: float,
        first_started: float,
    ) -> _retry.RetryDecision:
        """A decision to retry, or raises `APIConnectionError` / `APITimeoutError`."""
        if logger.isEnabledFor(logging.DEBUG):
            elapsed = (time.perf_counter() - started) * 1000.0
            name = type(exc).__name__
            logger.debug("%s %s failed after %.1f ms: %s", call.method, call.path, elapsed, name)
        decision = _retry.decide_after_error(
            idempotent=call.op.idempotent,
            retries_done=retries_done,
            max_retries=max_retries,
            exc=exc,
            rand=self._rand,
            policy=self._retry_policy,
        )
        self._log_decision(call, decision, retries_done, max_retries)
        if decision.retry:
            return decision
        sent = not _retry.never_sent(exc)
        what = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
        message = f"{call.method} {call.path} {what} ({type(exc).__name__}: {exc})"
        if not sent:
            message += "; the request was not sent"
        elif not call.op.idempotent and call.op.reconcile:
            message += f". {call.op.reconcile}"
        if retries_done:
            message += f"; {self._effort(call, retries_done, max_retries, first_started)}"
        cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        scrub_transport_error(exc)  # it stays chained as the cause: no token on its request
        raise cls(message, request=_request_of(exc), may_have_reached_server=sent) from exc

    def _after_token_failure(
        self,
        call: PreparedCall[Any],
        exc: TrueMarketsError,
        request: httpx.Request,
        retries_done: int,
        max_retries: int,
    ) -> _retry.RetryDecision:
        """Getting a token (mint or refresh, inside the auth flow) failed.

        Before the Gateway request was sent (it carries no `Authorization` yet), nothing
        reached the Gateway, so the normal retry decision is made as for an idempotent call,
        for every operation, orders included: a transient failure of the token request
        (connection error, timeout, 408/429/5xx) is retried under the usual backoff and
        Retry-After cap. Anything else is raised with `source == "auth"`,
        `gateway_request_sent = False` and a note that no Gateway request was sent. After a
        sent request (its 401 triggered a renewal that failed) the exception is raised as is.
        """
        if "authorization" in request.headers or not isinstance(exc, APIError | APIConnectionError):
            raise exc
        exc.source = "auth"
        if isinstance(exc, APIError):
            decision = _retry.decide_after_response(
                idempotent=True,
                retries_done=retries_done,
                max_retries=max_retries,
                status=exc.status_code,
                headers=exc.response.headers if exc.response is not None else {},
                now=self._clock(),
                rand=self._rand,
                policy=self._retry_policy,
            )
        else:
            cause = exc.__cause__
            decision = _retry.decide_after_error(
                idempotent=True,
                retries_done=retries_done,
                max_retries=max_retries,
                exc=cause if isinstance(cause, httpx.TransportError) else exc,
                rand=self._rand,
                policy=self._retry_policy,
            )
        decision = decision._replace(reason=f"token request: {decision.reason}")
        self._log_decision(call, decision, retries_done, max_retries)
        if decision.retry:
            return decision
        if isinstance(exc, APIConnectionError):
            exc.may_have_reached_server = False
        if not _already_noted(exc):
            if isinstance(exc, APIError):
                note = f"{_NOT_SENT_NOTE[0].upper()}{_NOT_SENT_NOTE[1:]}"
                exc.hint = f"{exc.hint}. {note}" if exc.hint else _NOT_SENT_NOTE
                exc.args = (exc._describe(),)
            else:
                exc.message = f"{exc.message}; {_NOT_SENT_NOTE}"
                exc.args = (exc.message,)
        exc.gateway_request_sent = False
        raise exc

    def _parse(self, call: PreparedCall[T], response: httpx.Response) -> T:
        try:
            return call.parse(response)
        except TrueMarketsError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            message = (
                f"{call.method} {call.path} answered {response.status_code} with a body this "
                f"SDK could not read ({type(exc).__name__}: {exc})"
            )
            if not call.op.idempotent and call.op.reconcile:
                message += f". {call.op.reconcile}"
            raise UnexpectedResponseError(message, response=response) from exc

    @staticmethod
    def _log_decision(
        call: PreparedCall[Any], decision: _retry.RetryDecision, retries_done: int, budget: int
    ) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        if decision.retry:
            logger.debug(
                "retrying %s %s in %.2f s (retry %d of %d): %s",
                call.method,
                call.path,
                decision.delay,
                retries_done + 1,
                budget,
                decision.reason,
            )
        else:
            logger.debug("not retrying %s %s: %s", call.method, call.path, decision.reason)


def _request_of(exc: httpx.TransportError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:
        return None


def _already_noted(exc: TrueMarketsError) -> bool:
    """Whether the auth flow already said that no Gateway request was sent."""
    return exc.gateway_request_sent is False
