"""The send loop's decisions after each attempt: parse, retry (after how long) or raise the
typed error, with the DEBUG log. The clients' `_run` only does the I/O."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from .. import errors
from .._headers import server_wait
from . import retry as _retry
from .options import NOT_GIVEN

if TYPE_CHECKING:
    from .._api.operations import PreparedCall
    from .options import Config

T = TypeVar("T")
logger = logging.getLogger("truemarkets_gateway")


class Attempts:
    """The tries of one call so far: retries made, the budget, and when each began."""

    __slots__ = ("budget", "first", "retries", "started")

    def __init__(self, budget: int) -> None:
        self.budget, self.retries = budget, 0
        self.first = self.started = time.perf_counter()

    def start(self) -> None:
        self.started = time.perf_counter()

    def ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000.0


def request_args(config: Config, call: PreparedCall[Any]) -> dict[str, Any]:
    """`build_request` arguments but the body (kept in `call.json`, out of `_run`'s locals)."""
    args: dict[str, Any] = {"params": call.params}
    if config.timeout is not NOT_GIVEN:
        args["timeout"] = config.timeout
    if call.op.idempotent:  # the auth may replay it after a 401; never a create
        args["extensions"] = {"truemarkets_replay": True}
    return args


@functools.lru_cache(maxsize=512)
def _url(url: str) -> httpx.URL:
    """Parsed once: httpx's URL parsing is the largest part of building a request, and a
    client sends to few distinct URLs (a URL is immutable, so sharing it is safe)."""
    return httpx.URL(url)


def build(
    config: Config, http: httpx.Client | httpx.AsyncClient, call: PreparedCall[Any], args: Any
) -> httpx.Request:
    request = http.build_request(call.method, _url(call.url), json=call.json.reveal(), **args)
    if not config.owns_http:  # set after building: cheaper than httpx merging them in
        for name, value in config.headers.items():
            request.headers[name] = value
    return request


def _decide(
    config: Config,
    call: PreparedCall[Any],
    tries: Attempts,
    idempotent: bool,
    status: int = 0,
    headers: Mapping[str, str] | None = None,
    exc: BaseException | None = None,
    token: bool = False,
) -> _retry.RetryDecision:
    """The retry decision after an error status or a transport failure (`exc`) of the call
    or of its `token` request, logged."""
    common: dict[str, Any] = dict(idempotent=idempotent, rand=config.rand, policy=config.policy)
    common.update(retries_done=tries.retries, max_retries=tries.budget)
    if exc is not None:
        decision = _retry.decide_after_error(exc=exc, **common)
    else:
        decision = _retry.decide_after_response(
            status=status, headers=headers or {}, now=config.clock(), **common
        )
    if token:
        decision = decision._replace(reason=f"token request: {decision.reason}")
    if logger.isEnabledFor(logging.INFO):
        where = f"{call.method} {call.path}{_request_id(headers)}"
        if decision.retry:
            retry = f"retry {tries.retries + 1} of {tries.budget}"
            logger.info(f"retrying {where} in {decision.delay:.2f} s ({retry}): {decision.reason}")
        else:
            logger.debug(f"not retrying {where}: {decision.reason}")
    return decision


def _request_id(headers: Mapping[str, str] | None) -> str:
    rid = headers.get("x-request-id") if headers else None
    return f" (request_id={rid})" if rid else ""


def _effort(
    config: Config, call: PreparedCall[Any], tries: Attempts, server_wait: float | None = None
) -> str:
    """How hard the call tried, for the error text; a server-advised wait over the cap."""
    parts = []
    if tries.retries:
        elapsed = time.perf_counter() - tries.first
        parts.append(f"after {tries.retries + 1} attempts over {elapsed:.1f} s")
    cap = config.policy.max_wait
    retrying = call.op.idempotent and tries.retries < tries.budget
    if server_wait is not None and server_wait > cap and retrying:
        parts.append(f"the server asked to wait {server_wait:g} s, over max_retry_wait={cap:g} s")
    return "; ".join(parts)


def after_response(
    config: Config, call: PreparedCall[Any], response: httpx.Response, tries: Attempts
) -> _retry.RetryDecision | None:
    """None on success; a decision to retry; or raises the mapped `APIError`."""
    status = response.status_code
    if logger.isEnabledFor(logging.DEBUG):
        where = f"{call.method} {call.path}{_request_id(response.headers)}"
        logger.debug("%s -> %d in %.1f ms", where, status, tries.ms())
    if 200 <= status < 300:
        return None
    decision = _decide(config, call, tries, call.op.idempotent, status, response.headers)
    if decision.retry:
        return decision
    retry_after = None
    if status == 429:
        retry_after = server_wait(response.headers, status, config.clock())
    hint, reconcile = None, not call.op.idempotent and call.op.reconcile
    if reconcile and status == 429:  # rate limited, but an edge may answer 429 after applying it
        wait = f"in {retry_after:g} s" if retry_after is not None else "after a short wait"
        hint = f"Rate limited: {reconcile}; try again {wait}"
    elif reconcile and _retry.is_retryable_status(status):
        hint = reconcile
    if 300 <= status < 400:  # a redirect would carry the token and stamps to another host
        hint = f"Redirects are not followed (to {response.headers.get('location')!r})"
    if effort := _effort(config, call, tries, retry_after):
        hint = f"{hint}. {effort[0].upper()}{effort[1:]}" if hint else effort
    raise errors.error_from_response(response, hint=hint, retry_after=retry_after, **call.context)


def after_error(
    config: Config, call: PreparedCall[Any], exc: httpx.TransportError, tries: Attempts
) -> _retry.RetryDecision:
    """A decision to retry, or raises `APIConnectionError` / `APITimeoutError`."""
    name = type(exc).__name__
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("%s %s failed after %.1f ms: %s", call.method, call.path, tries.ms(), name)
    decision = _decide(config, call, tries, call.op.idempotent, exc=exc)
    if decision.retry:
        return decision
    sent = not _retry.never_sent(exc)
    timed_out = isinstance(exc, httpx.TimeoutException)
    message = f"{call.method} {call.path} {'timed out' if timed_out else 'failed'} ({name}: {exc})"
    if not sent:
        message += "; the request was not sent"
    elif not call.op.idempotent and call.op.reconcile:
        message += f". {call.op.reconcile}"
    if tries.retries:
        message += f"; {_effort(config, call, tries)}"
    errors.scrub_transport_error(exc)  # it stays chained as the cause: no token on its request
    request = getattr(exc, "_request", None)  # `exc.request` raises when there is none
    cls = errors.APITimeoutError if timed_out else errors.APIConnectionError
    raise cls(message, request=request, may_have_reached_server=sent, **call.context) from exc


def after_token_failure(
    config: Config,
    call: PreparedCall[Any],
    exc: errors.TrueMarketsError,
    request: httpx.Request,
    tries: Attempts,
) -> _retry.RetryDecision:
    """Getting a token failed inside the auth flow. Before `Authorization` is set nothing
    reached the Gateway, so a transient failure is retried as if idempotent; else re-raised."""
    retry_kind = isinstance(exc, errors.APIError | errors.APIConnectionError)
    if "authorization" in request.headers or not retry_kind:
        raise exc
    if isinstance(exc, errors.APIError):
        headers = exc.response.headers if exc.response is not None else None
        decision = _decide(config, call, tries, True, exc.status_code, headers, token=True)
    else:
        cause = exc.__cause__
        failure = cause if isinstance(cause, httpx.TransportError) else exc
        decision = _decide(config, call, tries, True, exc=failure, token=True)
    if decision.retry:
        return decision
    raise exc


def parse(call: PreparedCall[T], response: httpx.Response) -> T:
    """The call's answer read into public models, or `UnexpectedResponseError`."""
    try:
        return call.parse(response)
    except errors.TrueMarketsError:
        raise
    except Exception as exc:  # whatever the body holds (deep, huge, undecodable): one type
        error = unusable(call, exc, response)
    raise error  # unchained: the cause and its frames hold the body, which may echo secrets


def unusable(
    call: PreparedCall[Any], exc: Exception, response: httpx.Response | None = None
) -> errors.TrueMarketsError:
    """The typed error for what else escaped a call: a request that cannot be built (a
    `ValidationError`) or an answer that cannot be read."""
    errors.scrub_transport_error(exc)
    what = f"{call.method} {call.path}"
    known = isinstance(exc, ValueError | httpx.HTTPError | httpx.InvalidURL)  # no secrets in these
    why = f"{type(exc).__name__}: {str(exc)[:200]}" if known else type(exc).__name__
    if response is None and isinstance(exc, httpx.InvalidURL | UnicodeEncodeError):
        return errors.ValidationError("url", f"{what} cannot be sent ({why})", **call.context)
    answered = f"answered {response.status_code}" if response is not None else "was answered"
    message = f"{what} {answered} with a body this SDK could not read ({why})"
    if not call.op.idempotent and call.op.reconcile:
        message += f". {call.op.reconcile}"
    return errors.UnexpectedResponseError(message, response=response, **call.context)
