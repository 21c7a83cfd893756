"""What the send loop decides after each attempt, as plain functions: the request's
arguments, then parse, retry (after how long) or raise the typed error, and the DEBUG log.

The clients' `_run` only does the I/O: build, send, ask here, sleep, repeat.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    TrueMarketsError,
    UnexpectedResponseError,
    error_from_response,
    scrub_transport_error,
)
from . import retry as _retry
from .options import NOT_GIVEN

if TYPE_CHECKING:
    from .._api.operations import PreparedCall
    from .options import Config

__all__ = ["Attempts", "after_error", "after_response", "after_token_failure", "parse"]

T = TypeVar("T")
logger = logging.getLogger("truemarkets_gateway")


class Attempts:
    """The tries of one call so far: retries made, the budget, and when each began."""

    __slots__ = ("budget", "first", "retries", "started")

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.retries = 0
        self.first = self.started = time.perf_counter()

    def start(self) -> None:
        self.started = time.perf_counter()


def request_args(config: Config, call: PreparedCall[Any]) -> dict[str, Any]:
    # Our own pool carries headers and timeout already; a caller's client gets them each time.
    args: dict[str, Any] = {"params": call.params}
    if not config.owns_http:
        args["headers"] = config.headers
    if call.json is not None:
        args["json"] = call.json
    if config.timeout is not NOT_GIVEN:
        args["timeout"] = config.timeout
    if call.op.idempotent:  # the auth may replay it after a 401; never a create
        args["extensions"] = {"truemarkets_replay": True}
    return args


def _log(call: PreparedCall[Any], decision: _retry.RetryDecision, tries: Attempts) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    if decision.retry:
        logger.debug(
            "retrying %s %s in %.2f s (retry %d of %d): %s",
            call.method,
            call.path,
            decision.delay,
            tries.retries + 1,
            tries.budget,
            decision.reason,
        )
    else:
        logger.debug("not retrying %s %s: %s", call.method, call.path, decision.reason)


def _effort(
    config: Config, call: PreparedCall[Any], tries: Attempts, server_wait: float | None = None
) -> str:
    """How hard the call tried, for the error text: attempts and time, and a server-advised
    wait longer than `max_retry_wait`."""
    parts = []
    if tries.retries:
        elapsed = time.perf_counter() - tries.first
        parts.append(f"after {tries.retries + 1} attempts over {elapsed:.1f} s")
    cap = config.policy.max_wait
    if server_wait is not None and server_wait > cap and call.op.idempotent:
        if tries.retries < tries.budget:
            parts.append(
                f"the server asked to wait {server_wait:g} s, over max_retry_wait={cap:g} s"
            )
    return "; ".join(parts)


def after_response(
    config: Config, call: PreparedCall[Any], response: httpx.Response, tries: Attempts
) -> _retry.RetryDecision | None:
    """None on success; a decision to retry; or raises the mapped `APIError`."""
    status = response.status_code
    if logger.isEnabledFor(logging.DEBUG):
        elapsed = (time.perf_counter() - tries.started) * 1000.0
        logger.debug("%s %s -> %d in %.1f ms", call.method, call.path, status, elapsed)
    if 200 <= status < 300:
        return None
    decision = _retry.decide_after_response(
        idempotent=call.op.idempotent,
        retries_done=tries.retries,
        max_retries=tries.budget,
        status=status,
        headers=response.headers,
        now=config.clock(),
        rand=config.rand,
        policy=config.policy,
    )
    _log(call, decision, tries)
    if decision.retry:
        return decision
    retry_after = (
        _retry.server_wait(response.headers, status, config.clock()) if status == 429 else None
    )
    hint = None
    if call.op.idempotent or not call.op.reconcile:
        pass
    elif status == 429:  # turned away by the rate limit: nothing was processed
        wait = f"in {retry_after:g} s" if retry_after is not None else "after a short wait"
        hint = (
            "The server turned the request away (rate limit), so nothing was created or "
            f"executed; try again {wait}"
        )
    elif _retry.is_retryable_status(status):
        hint = call.op.reconcile
    effort = _effort(config, call, tries, retry_after)
    if effort:
        hint = f"{hint}. {effort[0].upper()}{effort[1:]}" if hint else effort
    raise error_from_response(response, hint=hint, retry_after=retry_after, **call.context)


def after_error(
    config: Config, call: PreparedCall[Any], exc: httpx.TransportError, tries: Attempts
) -> _retry.RetryDecision:
    """A decision to retry, or raises `APIConnectionError` / `APITimeoutError`."""
    if logger.isEnabledFor(logging.DEBUG):
        elapsed = (time.perf_counter() - tries.started) * 1000.0
        name = type(exc).__name__
        logger.debug("%s %s failed after %.1f ms: %s", call.method, call.path, elapsed, name)
    decision = _retry.decide_after_error(
        idempotent=call.op.idempotent,
        retries_done=tries.retries,
        max_retries=tries.budget,
        exc=exc,
        rand=config.rand,
        policy=config.policy,
    )
    _log(call, decision, tries)
    if decision.retry:
        return decision
    sent = not _retry.never_sent(exc)
    timed_out = isinstance(exc, httpx.TimeoutException)
    what = "timed out" if timed_out else "failed"
    message = f"{call.method} {call.path} {what} ({type(exc).__name__}: {exc})"
    if not sent:
        message += "; the request was not sent"
    elif not call.op.idempotent and call.op.reconcile:
        message += f". {call.op.reconcile}"
    if tries.retries:
        message += f"; {_effort(config, call, tries)}"
    cls = APITimeoutError if timed_out else APIConnectionError
    scrub_transport_error(exc)  # it stays chained as the cause: no token on its request
    try:
        request: httpx.Request | None = exc.request
    except RuntimeError:
        request = None
    raise cls(message, request=request, may_have_reached_server=sent, **call.context) from exc


def after_token_failure(
    config: Config,
    call: PreparedCall[Any],
    exc: TrueMarketsError,
    request: httpx.Request,
    tries: Attempts,
) -> _retry.RetryDecision:
    """Getting a token failed inside the auth flow.

    Before the Gateway request went out (no `Authorization` yet) nothing reached the
    Gateway, so a transient token failure is retried as for an idempotent call, orders
    included. Otherwise the exception, already marked by the auth flow (`source="auth"`,
    `gateway_request_sent=False`), is raised unchanged.
    """
    if "authorization" in request.headers or not isinstance(exc, APIError | APIConnectionError):
        raise exc
    if isinstance(exc, APIError):
        decision = _retry.decide_after_response(
            idempotent=True,
            retries_done=tries.retries,
            max_retries=tries.budget,
            status=exc.status_code,
            headers=exc.response.headers if exc.response is not None else {},
            now=config.clock(),
            rand=config.rand,
            policy=config.policy,
        )
    else:
        cause = exc.__cause__
        decision = _retry.decide_after_error(
            idempotent=True,
            retries_done=tries.retries,
            max_retries=tries.budget,
            exc=cause if isinstance(cause, httpx.TransportError) else exc,
            rand=config.rand,
            policy=config.policy,
        )
    decision = decision._replace(reason=f"token request: {decision.reason}")
    _log(call, decision, tries)
    if decision.retry:
        return decision
    raise exc


def parse(call: PreparedCall[T], response: httpx.Response) -> T:
    """The call's answer read into public models, or `UnexpectedResponseError`."""
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
        raise UnexpectedResponseError(message, response=response, **call.context) from exc
