"""Waiting for an order or a transfer to settle: back-off polling within a time budget."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .. import errors as _errors
from ..errors import TrueMarketsError
from .steps import Call, Flow, Now, Sleep, StatusCallback, check_seconds

if TYPE_CHECKING:
    from ..models import Order, Transfer

logger = logging.getLogger("truemarkets_gateway")
R = TypeVar("R")

POLL_INITIAL, POLL_FACTOR, POLL_CAP = 0.5, 1.5, 5.0
ORDER_TIMEOUT, TRANSFER_TIMEOUT = 60.0, 120.0
NOT_FOUND_GRACE = 10.0  # this long into a wait a 404 means "not visible yet"
ORDER_TERMINAL = frozenset({"complete", "canceled", "failed"})
ORDER_RESTING = frozenset({"active"})
TRANSFER_TERMINAL = frozenset({"completed", "failed"})
_HEADS = {  # what exists, by what the caller was doing
    "place": "order {id} was created and submitted",
    "cancel": "the cancel of order {id} was submitted",
    "transfer": "transfer {id} was created",
}
_TRANSIENT = (_errors.APIConnectionError, _errors.InternalServerError, _errors.RateLimitError)


class _Watch:
    """One wait: the last status seen (each new one told to `on_status`) and resource read."""

    def __init__(self, kind: str, id: str, purpose: str, on_status: StatusCallback | None):
        self.kind, self.id, self.purpose, self._on_status = kind, id, purpose, on_status
        self.status: str | None = None
        self._reported: str | None = None
        self.resource: Any = None

    def saw(self, status: object) -> None:
        """Note `status`: an open-enum status, a string, or an object with `.status`."""
        if status is not None and not isinstance(status, str):
            status = getattr(status, "status", None)
        self.status = None if status is None else str(getattr(status, "value", status))
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
        status, id = self.status, self.id
        if self.kind == "order":
            return _errors.OrderWaitError(message, last_status=status, cause=cause, order_id=id)
        return _errors.TransferWaitError(
            message, last_status=status, cause=cause, transfer_id=id, transfer=self.resource
        )

    def poll(
        self, look: Callable[[], Flow[R | None]], timeout: float, pause: bool
    ) -> Flow[R | None]:
        """`look()` until it returns a result (None once `timeout` passed), through transient
        errors. Time spent is the larger of clock and sleeps: a stopped clock cannot spin it."""
        start: float = yield Now()
        delay, slept, elapsed, last_error = POLL_INITIAL, 0.0, 0.0, None
        while True:
            if pause:
                elapsed = max((yield Now()) - start, slept)
                if elapsed >= timeout:
                    if last_error is not None:
                        raise self.wait_error(last_error) from last_error
                    return None
                retry_after = getattr(last_error, "retry_after", None) or 0.0
                seconds = min(max(delay, float(retry_after)), timeout - elapsed)
                yield Sleep(seconds)
                slept, delay = slept + seconds, min(delay * POLL_FACTOR, POLL_CAP)
            pause, last_error = True, None
            try:
                result = yield from look()
            except TrueMarketsError as exc:
                early_404 = isinstance(exc, _errors.NotFoundError) and elapsed < NOT_FOUND_GRACE
                if not (isinstance(exc, _TRANSIENT) or early_404):
                    raise self.wait_error(exc) from exc
                last_error = exc
                logger.info("%s %s: %s while waiting", self.kind, self.id, type(exc).__name__)
                continue
            if result is not None:
                return result


def wait_order_flow(
    order_id: str,
    *,
    timeout: float = ORDER_TIMEOUT,
    wait_for_fill: bool = False,
    raise_on_failure: bool = True,
    known_status: object = None,
    on_status: StatusCallback | None = None,
    purpose: str = "wait",
) -> Flow[Order]:
    """Poll `get_order_status` until terminal (or `active`, unless `wait_for_fill`), then
    `get_order`; `purpose` ("place", "cancel", "wait") words the errors."""
    timeout = check_seconds("timeout", timeout)
    settled = ORDER_TERMINAL if wait_for_fill else ORDER_TERMINAL | ORDER_RESTING
    watch = _Watch("order", order_id, purpose, on_status)
    watch.saw(known_status)

    def look() -> Flow[Order | None]:
        if watch.status not in settled:
            watch.saw((yield Call("get_order_status", (order_id,))))
        if watch.status not in settled:
            return None
        found: Order = yield Call("get_order", (order_id,))
        return found

    pause = watch.status is not None and watch.status not in settled  # else a free look
    order = yield from watch.poll(look, timeout, pause)
    if order is None:  # timed out
        status, live = watch.status, None
        message = f"order {order_id} did not settle within {timeout:g} s"
        message += f" (last status: {status or 'unknown'})"
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
        raise _errors.OrderTimeoutError(message, last_status=status, order_id=order_id, order=live)
    watch.saw(order.status)
    if raise_on_failure and watch.status == "failed":
        reason = f": {order.failure_reason}" if order.failure_reason else ""
        message = f"order {order_id} failed{reason}"
        raise _errors.OrderFailedError.for_order(message, order, order_id)
    return order


def wait_transfer_flow(
    transfer_id: str,
    *,
    timeout: float = TRANSFER_TIMEOUT,
    raise_on_failure: bool = True,
    known: Transfer | None = None,
    on_status: StatusCallback | None = None,
    purpose: str = "wait",
) -> Flow[Transfer]:
    """Poll `get_transfer` until `completed` or `failed`, as for orders."""
    timeout = check_seconds("timeout", timeout)
    watch = _Watch("transfer", transfer_id, purpose, on_status)
    watch.saw(None if known is None else known.status)
    watch.resource = known

    def look() -> Flow[Transfer | None]:
        watch.resource = yield Call("get_transfer", (transfer_id,))
        watch.saw(watch.resource.status)
        return watch.resource if watch.status in TRANSFER_TERMINAL else None

    transfer: Transfer | None = watch.resource
    if transfer is None or watch.status not in TRANSFER_TERMINAL:
        transfer = yield from watch.poll(look, timeout, known is not None)
    if transfer is None:  # timed out
        status, after = watch.status, f"after {timeout:g} s"
        message = f"transfer {transfer_id} did not finish within {timeout:g} s"
        if status == "awaiting_signature":
            message = f"transfer {transfer_id} still awaits its signature {after}: it will "
            message += "not complete until it is executed (execute_transfer)"
        elif status is not None:
            message = f"transfer {transfer_id} is still pending (status {status}) {after}: it "
            message += f"may yet complete; keep waiting with wait_for_transfer({transfer_id!r})"
        raise _errors.TransferTimeoutError(
            message, last_status=status, transfer_id=transfer_id, transfer=watch.resource
        )
    if raise_on_failure and watch.status == "failed":
        message = f"transfer {transfer_id} failed"
        raise _errors.TransferFailedError(message, transfer_id=transfer_id, transfer=transfer)
    return transfer
