"""Waiting for an order or a transfer to settle: back-off polling within a time budget,
polling through transient errors, and errors that name what was awaited."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .. import errors as _errors
from ..errors import OrderTimeoutError, OrderWaitError, TrueMarketsError
from .steps import Call, Flow, Now, Sleep, StatusCallback, check_seconds, status_text

if TYPE_CHECKING:
    from ..models import Order, Transfer

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

# What exists, by what the caller was doing, for the wait error.
_HEADS = {
    "place": "order {id} was created and submitted",
    "cancel": "the cancel of order {id} was submitted",
    "transfer": "transfer {id} was created",
}
# Worth polling through: the server or the network hiccuped (or a 404 early on: below).
_TRANSIENT = (_errors.APIConnectionError, _errors.InternalServerError, _errors.RateLimitError)


class _Watch:
    """What a wait has seen of its order or transfer: the last status (each new value is
    told to `on_status`) and the last one read; it words the error that ends the wait."""

    def __init__(self, kind: str, id: str, purpose: str, on_status: StatusCallback | None):
        self.kind, self.id, self.purpose, self._on_status = kind, id, purpose, on_status
        self.status: str | None = None
        self._reported: str | None = None
        self.resource: Any = None

    def saw(self, status: object) -> None:
        self.status = status_text(status)
        if self._on_status and self.status is not None and self.status != self._reported:
            self._reported = self.status
            self._on_status(self.status)

    def wait_error(self, cause: Exception) -> TrueMarketsError:
        head = _HEADS.get(self.purpose, "{kind} {id} was being awaited")
        again = "sending again" if self.kind == "transfer" else "placing it again"
        message = (
            f"{head.format(id=self.id, kind=self.kind)}; it is not known to have finished "
            f"(last status: {self.status or 'unknown'}): check get_{self.kind}({self.id!r}) "
            f"before {'cancelling or placing again' if self.purpose == 'cancel' else again}. "
            f"Waiting ended in {type(cause).__name__}: {cause}"
        )
        if self.kind == "order":
            return OrderWaitError(message, last_status=self.status, cause=cause, order_id=self.id)
        return _errors.TransferWaitError(
            message,
            last_status=self.status,
            cause=cause,
            transfer_id=self.id,
            transfer=self.resource,
        )


def _poll(
    look: Callable[[], Flow[R | None]],
    watch: _Watch,
    timeout: float,
    pause: bool,
    timed_out: Callable[[], Flow[TrueMarketsError]],
) -> Flow[R]:
    """`look()` until it returns a result, pausing with back-off within `timeout` (`pause`:
    whether the first look waits too). Transient errors are polled through; any other
    ends the wait as `watch.wait_error`, as does a transient one still there at the
    deadline. Time up otherwise raises `timed_out()`. Time spent is the larger of the clock
    and the sum of the sleeps, so a clock that does not move cannot make the loop spin.
    """
    start: float = yield Now()
    delay, slept, elapsed = POLL_INITIAL, 0.0, 0.0
    last_error: Exception | None = None
    while True:
        if pause:
            elapsed = max((yield Now()) - start, slept)
            if elapsed >= timeout:
                if last_error is not None:
                    raise watch.wait_error(last_error) from last_error
                raise (yield from timed_out())
            retry_after = getattr(last_error, "retry_after", None) or 0.0
            seconds = min(max(delay, float(retry_after)), timeout - elapsed)
            yield Sleep(seconds)
            slept, delay = slept + seconds, min(delay * POLL_FACTOR, POLL_CAP)
        pause = True
        try:
            result = yield from look()
        except TrueMarketsError as exc:
            # A new resource may not be visible yet: a 404 early on is polled through too.
            early_404 = isinstance(exc, _errors.NotFoundError) and elapsed < NOT_FOUND_GRACE
            if not (isinstance(exc, _TRANSIENT) or early_404):
                raise watch.wait_error(exc) from exc
            last_error = exc
            logger.info("%s %s: %s while waiting", watch.kind, watch.id, type(exc).__name__)
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
    """Poll `get_order_status` (backing off) until terminal, or `active` unless
    `wait_for_fill` (or a status in `targets`), then `get_order` once. With `known_status`
    the first poll waits a delay. Transient errors (connection, 5xx, 429, an early 404) are
    polled through; an error ending the wait raises `OrderWaitError`. A timeout while the
    order is open reads it once more for `OrderTimeoutError.order`. `purpose` ("place",
    "cancel", "wait") words the errors. `timeout` is checked here."""
    timeout = check_seconds("timeout", timeout)
    if targets is None:
        targets = ORDER_TERMINAL if wait_for_fill else ORDER_TERMINAL | ORDER_RESTING
    settled, watch = targets, _Watch("order", order_id, purpose, on_status)
    watch.saw(known_status)

    def look() -> Flow[Order | None]:
        if watch.status not in settled:
            watch.saw((yield Call("get_order_status", (order_id,))))
        if watch.status not in settled:
            return None
        found: Order = yield Call("get_order", (order_id,))
        return found

    def timed_out() -> Flow[TrueMarketsError]:
        status, live = watch.status, None
        last = status or "unknown"
        message = f"order {order_id} did not settle within {timeout:g} s (last status: {last})"
        if status is not None and status not in ORDER_TERMINAL:
            try:  # Still open: one best-effort read, so the error carries the live order.
                live = yield Call("get_order", (order_id,), {"max_retries": 0})
            except TrueMarketsError as exc:
                logger.info("order %s: reading it after the timeout failed (%s)", order_id, exc)
            cancel = purpose == "cancel"
            message = (
                f"order {order_id} is still open (status {status}) {timeout:g} s after "
                f"{'its cancel was submitted' if cancel else 'it was submitted'}: keep waiting "
                f"with wait_for_order({order_id!r})"
                f"{'' if cancel else f' or cancel_order({order_id!r})'}"
            )
        return OrderTimeoutError(message, last_status=status, order_id=order_id, order=live)

    def flow() -> Flow[Order]:
        # The first look is free unless create/execute just told us an unsettled status.
        pause = watch.status is not None and watch.status not in settled
        order = yield from _poll(look, watch, timeout, pause, timed_out)
        watch.saw(order.status)
        if raise_on_failure and watch.status == "failed":
            reason = f": {order.failure_reason}" if order.failure_reason else ""
            message = f"order {order_id} failed{reason}"
            raise _errors.OrderFailedError.for_order(message, order, order_id)
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
    watch = _Watch("transfer", transfer_id, purpose, on_status)
    watch.saw(None if known is None else known.status)
    watch.resource = known

    def look() -> Flow[Transfer | None]:
        watch.resource = yield Call("get_transfer", (transfer_id,))
        watch.saw(watch.resource.status)
        return watch.resource if watch.status in TRANSFER_TERMINAL else None

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
        return _errors.TransferTimeoutError(
            message, last_status=status, transfer_id=transfer_id, transfer=watch.resource
        )
        yield  # a generator, like the order's (which reads once more)

    def flow() -> Flow[Transfer]:
        transfer: Transfer | None = watch.resource
        if transfer is None or watch.status not in TRANSFER_TERMINAL:
            # The first look is free; later ones are bounded.
            transfer = yield from _poll(look, watch, timeout, known is not None, timed_out)
        if raise_on_failure and watch.status == "failed":
            message = f"transfer {transfer_id} failed"
            raise _errors.TransferFailedError(message, transfer_id=transfer_id, transfer=transfer)
        return transfer

    return flow()
