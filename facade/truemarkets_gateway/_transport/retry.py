"""Retry decisions as pure functions. Reads retry on connection errors, timeouts, 408, 429
and 5xx (backoff with full jitter, or the server's advised wait); orders and transfers (no
idempotency key) only when the request provably never left this machine."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import httpx

from .._headers import server_wait

DEFAULT_MAX_RETRIES = 2
DEFAULT_MAX_RETRY_WAIT = 10.0  # a quote half a minute late is stale: let the caller decide

# httpx raises these before a single byte of the request is written.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class RetryPolicy(NamedTuple):
    """Backoff shape; over `max_wait` a server-advised wait is not slept: the error is raised."""

    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_wait: float = DEFAULT_MAX_RETRY_WAIT


class RetryDecision(NamedTuple):
    retry: bool
    delay: float = 0.0
    reason: str = ""


def is_retryable_status(status: int) -> bool:
    return status in (408, 429) or status >= 500


def never_sent(exc: object) -> bool:
    """True when the failure happened before the request was written (safe to resend)."""
    return isinstance(exc, _NEVER_SENT)


def backoff_delay(retry_index: int, rand: Callable[[], float], policy: RetryPolicy) -> float:
    """Full jitter: uniform in [0, min(max_delay, initial * 2**retry_index)]."""
    ceiling = min(policy.max_delay, policy.initial_delay * (2.0**retry_index))
    return float(rand()) * ceiling


def decide_after_response(
    *,
    idempotent: bool,
    retries_done: int,
    max_retries: int,
    status: int,
    headers: Mapping[str, str],
    now: float,
    rand: Callable[[], float],
    policy: RetryPolicy,
) -> RetryDecision:
    """Whether to resend after an error status; only idempotent operations ever do."""
    if not is_retryable_status(status):
        return RetryDecision(False, reason=f"status {status} is not retryable")
    if not idempotent:
        return RetryDecision(False, reason="not idempotent and the server received it")
    if retries_done >= max_retries:
        return RetryDecision(False, reason=f"gave up after {retries_done} retries")
    wait = server_wait(headers, status, now)
    if wait is not None:
        if wait > policy.max_wait:
            return RetryDecision(False, reason=f"server asked to wait {wait:.1f}s, over the cap")
        return RetryDecision(True, wait, f"status {status}, server asked {wait:.2f}s")
    delay = backoff_delay(retries_done, rand, policy)
    return RetryDecision(True, delay, f"status {status}, backoff")


def decide_after_error(
    *,
    idempotent: bool,
    retries_done: int,
    max_retries: int,
    exc: BaseException,
    rand: Callable[[], float],
    policy: RetryPolicy,
) -> RetryDecision:
    """Whether to resend after a transport failure (`httpx.TransportError`)."""
    name = type(exc).__name__
    if isinstance(exc, httpx.UnsupportedProtocol):
        return RetryDecision(False, reason=f"{name} cannot succeed on a resend")
    if not idempotent and not never_sent(exc):
        return RetryDecision(False, reason=f"{name} after the request may have been sent")
    if retries_done >= max_retries:
        return RetryDecision(False, reason=f"gave up after {retries_done} retries")
    return RetryDecision(True, backoff_delay(retries_done, rand, policy), f"{name}, backoff")
