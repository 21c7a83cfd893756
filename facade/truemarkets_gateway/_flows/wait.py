"""Waiting for an order or a transfer to settle: back-off polling within a time budget,
polling through transient errors, and errors that name what was awaited."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import (
    APIConnectionError,
    InternalServerError,
    NotFoundError,
    OrderFailedError,
    OrderTimeoutError,
    OrderWaitError,
    RateLimitError,
    TransferFailedError,
    TransferTimeoutError,
    TransferWaitError,
    TrueMarketsError,
)
from .steps import Call, Flow, Now, Sleep, StatusCallback, check_seconds, status_text

if TYPE_CHECKING:
    from ..models import Order, Transfer

__all__ = ["ORDER_TIMEOUT", "TRANSFER_TIMEOUT", "wait_order_flow", "wait_transfer_flow"]

logger = logging.getLogger("truemarkets_gateway")
R = TypeVar("R")

POLL_INITIAL = 0.5
POLL_FACTOR = 1.5
POLL_CAP = 5.0
ORDER_TIMEOUT = 60.0
TRANSFER_TIMEOUT = 120.0
NOT_FOUND_GRACE = 10.0
"""For this long after a wait starts, a 404 means "not visible yet", not "no such order"."""

ORDER_TERMINAL = frozenset({"complete", "canceled", "failed"})
ORDER_RESTING = frozenset({"active"})
TRANSFER_TERMINAL = frozenset({"completed", "failed"})

# What the caller was doing, for the wait error: (what exists, what not to repeat blindly).
_PURPOSES = {
    "place": ("order {id} was created and submitted", "before placing it again"),
    "cancel": ("the cancel of order {id} was submitted", "before cancelling or placing again"),
    "transfer": ("transfer {id} was created", "before sending again"),
    "wait": ("{what} {id} was being awaited", "before {again}"),
}


def _poll_delays() -> Iterator[float]:
    delay = POLL_INITIAL
    while True:
        yield delay
        delay = min(delay * POLL_FACTOR, POLL_CAP)


def _transient(exc: Exception, elapsed: float) -> bool:
    """Worth polling through: the server or the network hiccuped, or a new resource is not
    visible yet (404 within `NOT_FOUND_GRACE` of the start of the wait)."""
    if isinstance(exc, APIConnectionError | InternalServerError | RateLimitError):
        return True
    return isinstance(exc, NotFoundError) and elapsed < NOT_FOUND_GRACE


class _Watch:
    """What a wait has seen: the last status (each new value is told to `on_status`) and
    the last resource read."""

    def __init__(self, status: object, on_status: StatusCallback | None, kind: str) -> None:
        self.status: str | None = None
        self.resource: Any = None
        self.kind = kind  # "order" or "transfer", for messages
        self._on_status = on_status
        self._reported: str | None = None
        self.saw(status)

    def saw(self, status: object) -> None:
        self.status = status_text(status)
        if self._on_status and self.status is not None and self.status != self._reported:
            self._reported = self.status
            self._on_status(self.status)

    def message(self, purpose: str, resource_id: str, cause: BaseException) -> str:
        head, advice = _PURPOSES.get(purpose, _PURPOSES["wait"])
        again = "placing it again" if self.kind == "order" else "sending again"
        return (
            f"{head.format(id=resource_id, what=self.kind)}; it is not known to have finished "
            f"(last status: {self.status or 'unknown'}): check get_{self.kind}({resource_id!r}) "
            f"{advice.format(again=again)}. Waiting ended in {type(cause).__name__}: {cause}"
        )


def _poll(
    look: Callable[[], Flow[R | None]],
    timeout: float,
    pause: bool,
    what: str,
    wait_error: Callable[[Exception], TrueMarketsError],
    timed_out: Callable[[], Flow[TrueMarketsError]],
) -> Flow[R]:
    """`look()` until it returns a result, pausing with back-off within `timeout` (`pause`:
    whether the first look waits too). Transient errors are polled through; any other
    `TrueMarketsError` ends the wait as `wait_error(cause)`, as does a transient one still
    there at the deadline. Time up otherwise raises `timed_out()`.

    Time spent is the larger of the clock and the sum of the sleeps asked for, so a clock
    that does not move (a fake, or a no-op sleep) cannot make the loop spin.
    """
    start: float = yield Now()
    delays, slept, elapsed = _poll_delays(), 0.0, 0.0
    last_error: Exception | None = None
    while True:
        if pause:
            elapsed = max((yield Now()) - start, slept)
            if elapsed >= timeout:
                if last_error is not None:
                    raise wait_error(last_error) from last_error
                raise (yield from timed_out())
            retry_after = getattr(last_error, "retry_after", None) or 0.0
            seconds = min(max(next(delays), float(retry_after)), timeout - elapsed)
            yield Sleep(seconds)
            slept += seconds
        pause = True
        try:
            result = yield from look()
        except TrueMarketsError as exc:
            if not _transient(exc, elapsed):
                raise wait_error(exc) from exc
            last_error = exc
            logger.info("%s: %s while waiting; polling on", what, type(exc).__name__)
            continue
        last_error = None
        if result is not None:
            return result


def wait_order_flow(
    order_id: str,
    *,
    timeout: float = ORDER_TIMEOUT,
    wait_for_fill: bool = False,
    raise_on_failure: bool = True,
    known_status: object = None,
    targets: frozenset[str] | None = None,
    on_status: StatusCallback | None = None,
    purpose: str = "wait",
) -> Flow[Order]:
    """Poll `get_order_status` (backing off) until a settled status, then `get_order` once.

    Settled means terminal, or `active` (resting) unless `wait_for_fill`; `targets`
    overrides that. With `known_status` (from create/execute) the first poll waits a delay.
    Transient errors (connection, 5xx, 429, a 404 early on) are polled through until the
    deadline; an error that ends the wait raises `OrderWaitError`. A timeout while the
    order is still open reads it once more (best effort) for `OrderTimeoutError.order`.
    `purpose` ("place", "cancel" or "wait") words the errors. `timeout` is checked here.
    """
    timeout = check_seconds("timeout", timeout)
    if targets is None:
        targets = ORDER_TERMINAL if wait_for_fill else ORDER_TERMINAL | ORDER_RESTING
    settled, watch = targets, _Watch(known_status, on_status, "order")

    def look() -> Flow[Order | None]:
        if watch.status not in settled:
            watch.saw((yield Call("get_order_status", (order_id,))))
        if watch.status not in settled:
            return None
        found: Order = yield Call("get_order", (order_id,))
        return found

    def wait_error(cause: Exception) -> OrderWaitError:
        message = watch.message(purpose, order_id, cause)
        return OrderWaitError(message, last_status=watch.status, cause=cause, order_id=order_id)

    def timed_out() -> Flow[TrueMarketsError]:
        status, live = watch.status, None
        if status is None or status in ORDER_TERMINAL:
            message = f"order {order_id} did not settle within {timeout:g} s (last status: "
            message += f"{status or 'unknown'})"
        else:
            try:  # Still open: one best-effort read, so the error carries the live order.
                live = yield Call("get_order", (order_id,), {"max_retries": 0})
            except TrueMarketsError as exc:
                logger.info("order %s: reading it after the timeout failed (%s)", order_id, exc)
            message = f"order {order_id} is still open (status {status}) " + (
                f"{timeout:g} s after its cancel was submitted: keep waiting with "
                f"wait_for_order({order_id!r}) or check get_order({order_id!r})"
                if purpose == "cancel"
                else f"after {timeout:g} s: cancel_order({order_id!r}) or keep waiting "
                f"with wait_for_order({order_id!r})"
            )
        return OrderTimeoutError(message, last_status=status, order_id=order_id, order=live)

    def flow() -> Flow[Order]:
        # The first look is free unless create/execute just told us an unsettled status.
        pause = watch.status is not None and watch.status not in settled
        order = yield from _poll(look, timeout, pause, f"order {order_id}", wait_error, timed_out)
        watch.saw(order.status)
        if raise_on_failure and watch.status == "failed":
            reason = f": {order.failure_reason}" if order.failure_reason else ""
            message = f"order {order_id} failed{reason}"
            raise OrderFailedError(message, order_id=order_id, order=order)
        return order

    return flow()


def wait_transfer_flow(
    transfer_id: str,
    *,
    timeout: float = TRANSFER_TIMEOUT,
    raise_on_failure: bool = True,
    known: Transfer | None = None,
    on_status: StatusCallback | None = None,
    purpose: str = "wait",
) -> Flow[Transfer]:
    """Poll `get_transfer` (backing off) until `completed` or `failed`. Transient errors
    are polled through as for orders; an error that ends the wait raises
    `TransferWaitError`. `timeout` is checked here."""
    timeout = check_seconds("timeout", timeout)
    watch = _Watch(None if known is None else known.status, on_status, "transfer")
    watch.resource = known

    def look() -> Flow[Transfer | None]:
        watch.resource = yield Call("get_transfer", (transfer_id,))
        watch.saw(watch.resource.status)
        return watch.resource if watch.status in TRANSFER_TERMINAL else None

    def wait_error(cause: Exception) -> TransferWaitError:
        return TransferWaitError(
            watch.message(purpose, transfer_id, cause),
            last_status=watch.status,
            cause=cause,
            transfer_id=transfer_id,
            transfer=watch.resource,
        )

    def timed_out() -> Flow[TrueMarketsError]:
        status = watch.status
        message = f"transfer {transfer_id} did not finish within {timeout:g} s"
        if status == "awaiting_signature":
            message = (
                f"transfer {transfer_id} still awaits its signature after {timeout:g} s: "
                f"it will not complete until it is executed (execute_transfer)"
            )
        elif status is not None:
            message = (
                f"transfer {transfer_id} is still pending (status {status}) after {timeout:g} s:"
                f" it may yet complete; keep waiting with wait_for_transfer({transfer_id!r})"
            )
        return TransferTimeoutError(
            message, last_status=status, transfer_id=transfer_id, transfer=watch.resource
        )
        yield  # a generator, like the order's (which reads once more)

    def flow() -> Flow[Transfer]:
        transfer: Transfer | None = watch.resource
        if transfer is None or watch.status not in TRANSFER_TERMINAL:
            # The first look is free; later ones are bounded.
            what = f"transfer {transfer_id}"
            transfer = yield from _poll(
                look, timeout, known is not None, what, wait_error, timed_out
            )
        if raise_on_failure and watch.status == "failed":
            message = f"transfer {transfer_id} failed"
            raise TransferFailedError(message, transfer_id=transfer_id, transfer=transfer)
        return transfer

    return flow()
