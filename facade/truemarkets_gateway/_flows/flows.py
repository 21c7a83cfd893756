"""Sign-and-execute workflows as sans-I/O generator flows, and the two runners that drive them.

A flow yields steps (`Call` a client primitive, `Sleep`, read the clock with `Now`) and
returns its result; `run_sync` and `run_async` perform the steps. All policy lives here once.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable, Generator, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from ..errors import (
    APIConnectionError,
    CredentialsError,
    InsufficientBalanceError,
    InternalServerError,
    NotFoundError,
    OrderFailedError,
    OrderNotCreatedError,
    OrderTimeoutError,
    OrderWaitError,
    QuoteIssuesError,
    QuoteStaleError,
    RateLimitError,
    TransferFailedError,
    TransferTimeoutError,
    TransferWaitError,
    TrueMarketsError,
    ValidationError,
)

if TYPE_CHECKING:
    from ..models import (
        CancelPrepared,
        CancelResult,
        CreatedOrder,
        ExecutedOrder,
        Order,
        OrderStatus,
        PlacedOrder,
        Transfer,
        TransferResult,
    )
    from ..signing import PayloadSigner

__all__ = [
    "Call",
    "CancelResult",
    "Flow",
    "Now",
    "OrderWaitError",
    "PlaceOptions",
    "PlacedOrder",
    "Sleep",
    "StatusCallback",
    "Step",
    "TransferResult",
    "TransferWaitError",
    "cancel_order_flow",
    "check_seconds",
    "place_order_flow",
    "run_async",
    "run_sync",
    "transfer_flow",
    "wait_order_flow",
    "wait_transfer_flow",
]

logger = logging.getLogger("truemarkets_gateway")

T = TypeVar("T")
R = TypeVar("R")

# --- steps -----------------------------------------------------------------------------------
#
# Steps and options are plain immutable values, not attrs classes: this module loads on
# import of the SDK (the workflows are mixed into the clients), attrs only with a result.

_NO_KWARGS: Mapping[str, Any] = MappingProxyType({})


class Call(NamedTuple):
    """Run `client.<name>(*args, **kwargs)`; the flow receives its result or its exception.

    Arguments may hold stamps, so they are kept out of the repr.
    """

    name: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = _NO_KWARGS

    def __repr__(self) -> str:
        return f"Call(name={self.name!r})"


class Sleep(NamedTuple):
    """Wait this many seconds; the flow receives None."""

    seconds: float


class Now(NamedTuple):
    """Read the monotonic clock; the flow receives seconds as a float."""


Step = Call | Sleep | Now
Flow = Generator[Step, Any, T]
SignerSource = Callable[[], "PayloadSigner"]
"""Called only when something must be signed (so CeFi flows never need a signer key)."""

# --- polling policy --------------------------------------------------------------------------

POLL_INITIAL = 0.5
POLL_FACTOR = 1.5
POLL_CAP = 5.0
ORDER_TIMEOUT = 60.0
TRANSFER_TIMEOUT = 120.0
MAX_PAYLOAD_AGE = 20.0
NOT_FOUND_GRACE = 10.0
"""For this long after a wait starts, a 404 means "not visible yet", not "no such order"."""

ORDER_TERMINAL = frozenset({"complete", "canceled", "failed"})
ORDER_RESTING = frozenset({"active"})
TRANSFER_TERMINAL = frozenset({"completed", "failed"})

StatusCallback = Callable[[str], None]
"""Told each newly observed status value while a workflow waits (e.g. to drive a spinner)."""


def _poll_delays() -> Iterator[float]:
    delay = POLL_INITIAL
    while True:
        yield delay
        delay = min(delay * POLL_FACTOR, POLL_CAP)


def _status_text(value: object) -> str | None:
    """An open-enum status, a plain string, or an object with `.status`, as its string."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = getattr(value, "status", None)
        if value is None:
            return None
    return str(getattr(value, "value", value))


def check_seconds(name: str, value: object, *, positive: bool = False) -> float:
    """`value` as seconds, or `ValidationError` naming `name`: a finite number, >= 0 (or > 0).

    NaN and infinity are refused: a NaN deadline never passes, so a poll would never end.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(name, f"must be a number of seconds, not {type(value).__name__}")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0 or (positive and seconds == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValidationError(name, f"must be a finite number of seconds {bound} (got {value!r})")
    return seconds


class _PlaceOptionValues(NamedTuple):
    wait: bool = True
    wait_for_fill: bool = False
    timeout: float = ORDER_TIMEOUT
    accept_issues: bool = False
    max_payload_age: float = MAX_PAYLOAD_AGE
    recreate_stale: bool = True
    raise_on_failure: bool = True


class PlaceOptions(_PlaceOptionValues):
    """The place_order knobs beyond the order itself (see `place_order`).

    `timeout` must be finite and >= 0, `max_payload_age` finite and > 0
    (`ValidationError` otherwise, before anything is sent).
    """

    __slots__ = ()

    def __new__(
        cls,
        wait: bool = True,
        wait_for_fill: bool = False,
        timeout: float = ORDER_TIMEOUT,
        accept_issues: bool = False,
        max_payload_age: float = MAX_PAYLOAD_AGE,
        recreate_stale: bool = True,
        raise_on_failure: bool = True,
    ) -> PlaceOptions:
        values = (
            wait,
            wait_for_fill,
            check_seconds("timeout", timeout),
            accept_issues,
            check_seconds("max_payload_age", max_payload_age, positive=True),
            recreate_stale,
            raise_on_failure,
        )
        return tuple.__new__(cls, values)


# --- errors while waiting --------------------------------------------------------------------


_TRANSIENT = (APIConnectionError, InternalServerError, RateLimitError)

# What the caller was doing, for the wait error: (what exists, what not to repeat blindly).
_ORDER_PURPOSE = {
    "place": ("order {id} was created and submitted", "before placing it again"),
    "cancel": ("the cancel of order {id} was submitted", "before cancelling or placing again"),
    "wait": ("order {id} was being awaited", "before placing it again"),
}
_TRANSFER_PURPOSE = {
    "transfer": ("transfer {id} was created", "before sending again"),
    "wait": ("transfer {id} was being awaited", "before sending again"),
}


def _transient(exc: Exception, elapsed: float) -> bool:
    """Worth polling through: the server or the network hiccuped, or a new resource is not
    visible yet (404 within `NOT_FOUND_GRACE` of the start of the wait)."""
    if isinstance(exc, _TRANSIENT):
        return True
    return isinstance(exc, NotFoundError) and elapsed < NOT_FOUND_GRACE


def _wait_message(
    purposes: Mapping[str, tuple[str, str]],
    purpose: str,
    resource_id: str,
    getter: str,
    last_status: str | None,
    cause: BaseException,
) -> str:
    head, advice = purposes.get(purpose, purposes["wait"])
    return (
        f"{head.format(id=resource_id)}; it is not known to have finished "
        f"(last status: {last_status or 'unknown'}): check {getter}({resource_id!r}) "
        f"{advice}. Waiting ended in {type(cause).__name__}: {cause}"
    )


def _order_timeout(
    order_id: str, timeout: float, status: str | None, purpose: str, order: Order | None
) -> OrderTimeoutError:
    """The timeout of an order wait; an order not known to have finished is called open."""
    if status is None or status in ORDER_TERMINAL:
        message = (
            f"order {order_id} did not settle within {timeout:g} s "
            f"(last status: {status or 'unknown'})"
        )
    elif purpose == "cancel":
        message = (
            f"order {order_id} is still open (status {status}) {timeout:g} s after its cancel "
            f"was submitted: keep waiting with wait_for_order({order_id!r}) or check "
            f"get_order({order_id!r})"
        )
    else:
        message = (
            f"order {order_id} is still open (status {status}) after {timeout:g} s: "
            f"cancel_order({order_id!r}) or keep waiting with wait_for_order({order_id!r})"
        )
    return OrderTimeoutError(message, resource_id=order_id, last_status=status, order=order)


class _Pacer:
    """Backing-off pauses within a time budget.

    Time spent is the larger of what the clock says and the sum of the sleeps asked for,
    so a clock that does not move (a fake, or a no-op sleep) cannot make a poll loop spin.
    """

    def __init__(self, start: float, timeout: float) -> None:
        self.start = start
        self.timeout = timeout
        self.slept = 0.0
        self.elapsed = 0.0
        self._delays = _poll_delays()

    def pause(self, at_least: float = 0.0) -> Generator[Step, Any, bool]:
        """Sleep the next back-off delay (at least `at_least`); False when time is up."""
        now: float = yield Now()
        self.elapsed = max(now - self.start, self.slept)
        remaining = self.timeout - self.elapsed
        if remaining <= 0:
            return False
        seconds = min(max(next(self._delays), at_least), remaining)
        yield Sleep(seconds)
        self.slept += seconds
        return True


class _Watch:
    """What a wait has seen: the last status (each newly observed value is told to
    `on_status`) and, for transfers, the last one read."""

    def __init__(self, status: str | None, on_status: StatusCallback | None) -> None:
        self.status: str | None = None
        self.resource: Any = None
        self._on_status = on_status
        self._reported: str | None = None
        self.saw(status)

    def saw(self, status: str | None) -> None:
        self.status = status
        if self._on_status is not None and status is not None and status != self._reported:
            self._reported = status
            self._on_status(status)


def _retry_after(exc: Exception | None) -> float:
    value = getattr(exc, "retry_after", None) if isinstance(exc, RateLimitError) else None
    return float(value) if value else 0.0


def _poll(
    look: Callable[[], Generator[Step, Any, R | None]],
    *,
    timeout: float,
    pause: bool,
    what: str,
    check: str,
    wait_error: Callable[[Exception], TrueMarketsError],
    timed_out: Callable[[], Generator[Step, Any, TrueMarketsError]],
) -> Flow[R]:
    """The polling skeleton both waits share: `look()` until it returns a result.

    Pauses back off within `timeout` (`pause`: whether the first look waits too). Transient
    errors are polled through; any other `TrueMarketsError` ends the wait as
    `wait_error(cause)`, as does a transient one still there at the deadline. Time up
    otherwise raises `timed_out()`. Other exceptions get a note naming `what` and `check`.
    """
    pacer = _Pacer((yield Now()), timeout)
    last_error: Exception | None = None
    while True:
        if pause and not (yield from pacer.pause(_retry_after(last_error))):
            if last_error is not None:
                raise wait_error(last_error) from last_error
            raise (yield from timed_out())
        pause = True
        try:
            result = yield from look()
        except TrueMarketsError as exc:
            if not _transient(exc, pacer.elapsed):
                raise wait_error(exc) from exc
            last_error = exc
            logger.info("%s: %s while waiting; polling on", what, type(exc).__name__)
            continue
        except Exception as exc:
            exc.add_note(f"while waiting for {what}: check {check}")
            raise
        last_error = None
        if result is not None:
            return result


# --- waiting ---------------------------------------------------------------------------------


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
    deadline; an error that ends the wait raises `OrderWaitError` naming the order. A
    timeout while the order is still open reads it once more (best effort) for
    `OrderTimeoutError.order`. `purpose` ("place", "cancel" or "wait") words the errors.
    `timeout` is checked here.
    """
    timeout = check_seconds("timeout", timeout)
    if targets is None:
        targets = ORDER_TERMINAL if wait_for_fill else ORDER_TERMINAL | ORDER_RESTING
    return _wait_order(
        order_id, timeout, targets, raise_on_failure, known_status, on_status, purpose
    )


def _wait_order(
    order_id: str,
    timeout: float,
    targets: frozenset[str],
    raise_on_failure: bool,
    known_status: object,
    on_status: StatusCallback | None,
    purpose: str,
) -> Flow[Order]:
    watch = _Watch(_status_text(known_status), on_status)

    def look() -> Generator[Step, Any, Order | None]:
        if watch.status not in targets:
            watch.saw(_status_text((yield Call("get_order_status", (order_id,)))))
        if watch.status in targets:
            found: Order = yield Call("get_order", (order_id,))
            return found
        return None

    def wait_error(cause: Exception) -> OrderWaitError:
        message = _wait_message(_ORDER_PURPOSE, purpose, order_id, "get_order", watch.status, cause)
        return OrderWaitError(message, order_id=order_id, last_status=watch.status, cause=cause)

    def timed_out() -> Generator[Step, Any, TrueMarketsError]:
        status = watch.status
        live: Order | None = None
        if status is not None and status not in ORDER_TERMINAL:
            # Still open: one best-effort read, so the error carries the live order.
            try:
                live = yield Call("get_order", (order_id,), {"max_retries": 0})
            except TrueMarketsError as exc:
                logger.info("order %s: reading it after the timeout failed (%s)", order_id, exc)
        return _order_timeout(order_id, timeout, status, purpose, live)

    # The first look is free unless create/execute just told us an unsettled status.
    order = yield from _poll(
        look,
        timeout=timeout,
        pause=watch.status is not None and watch.status not in targets,
        what=f"order {order_id}",
        check=f"get_order({order_id!r})",
        wait_error=wait_error,
        timed_out=timed_out,
    )
    watch.saw(_status_text(order.status))
    if raise_on_failure and _status_text(order.status) == "failed":
        reason = f": {order.failure_reason}" if order.failure_reason else ""
        raise OrderFailedError(f"order {order_id} failed{reason}", order_id=order_id, order=order)
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
    """Poll `get_transfer` (backing off) until `completed` or `failed`.

    Transient errors are polled through as for orders; an error that ends the wait raises
    `TransferWaitError` naming the transfer. `timeout` is checked here.
    """
    timeout = check_seconds("timeout", timeout)
    return _wait_transfer(transfer_id, timeout, raise_on_failure, known, on_status, purpose)


def _transfer_timeout(
    transfer_id: str, timeout: float, status: str | None, transfer: Transfer | None
) -> TransferTimeoutError:
    if status is None:
        message = f"transfer {transfer_id} did not finish within {timeout:g} s"
    elif status == "awaiting_signature":
        message = (
            f"transfer {transfer_id} still awaits its signature after {timeout:g} s: "
            f"it will not complete until it is executed (execute_transfer)"
        )
    else:
        message = (
            f"transfer {transfer_id} is still pending (status {status}) after "
            f"{timeout:g} s: it may yet complete; keep waiting with "
            f"wait_for_transfer({transfer_id!r})"
        )
    return TransferTimeoutError(
        message, resource_id=transfer_id, last_status=status, transfer=transfer
    )


def _wait_transfer(
    transfer_id: str,
    timeout: float,
    raise_on_failure: bool,
    known: Transfer | None,
    on_status: StatusCallback | None,
    purpose: str,
) -> Flow[Transfer]:
    watch = _Watch(None if known is None else _status_text(known.status), on_status)
    watch.resource = known

    def look() -> Generator[Step, Any, Transfer | None]:
        read: Transfer = yield Call("get_transfer", (transfer_id,))
        watch.resource = read
        watch.saw(_status_text(read.status))
        return read if watch.status in TRANSFER_TERMINAL else None

    def wait_error(cause: Exception) -> TransferWaitError:
        message = _wait_message(
            _TRANSFER_PURPOSE, purpose, transfer_id, "get_transfer", watch.status, cause
        )
        error = TransferWaitError(
            message, transfer_id=transfer_id, last_status=watch.status, cause=cause
        )
        error.transfer = watch.resource
        return error

    def timed_out() -> Generator[Step, Any, TrueMarketsError]:
        return _transfer_timeout(transfer_id, timeout, watch.status, watch.resource)
        yield  # pragma: no cover - a generator that reads nothing

    if known is not None and watch.status in TRANSFER_TERMINAL:
        transfer = known
    else:
        transfer = yield from _poll(
            look,
            timeout=timeout,
            pause=known is not None,  # the first look is free; later ones are bounded
            what=f"transfer {transfer_id}",
            check=f"get_transfer({transfer_id!r})",
            wait_error=wait_error,
            timed_out=timed_out,
        )
    if raise_on_failure and watch.status == "failed":
        raise TransferFailedError(
            f"transfer {transfer_id} failed", transfer_id=transfer_id, transfer=transfer
        )
    return transfer


# --- place_order -----------------------------------------------------------------------------


def _issues(created: CreatedOrder) -> tuple[str, ...]:
    return () if created.quote is None else tuple(created.quote.issues)


def _require_order(created: CreatedOrder) -> None:
    """No order exists when `order_id` is empty (documented for unfundable DeFi orders)."""
    if created.order_id:
        return
    issues = _issues(created)
    if issues:
        raise InsufficientBalanceError(
            "no order was created: " + "; ".join(issues), quote=created.quote
        )
    raise OrderNotCreatedError(
        "no order was created (empty order_id, no quote issues given)", quote=created.quote
    )


# What execute_order raises before it sends anything: its argument checks, its refusal of
# quote issues, and a missing signer key.
_REFUSED_BEFORE_SENDING = (ValidationError, QuoteIssuesError, CredentialsError)


class _Placement:
    """What place_order has done so far, to name on the error that ends it."""

    def __init__(self) -> None:
        self.order_id: str | None = None  # the last order created
        self.replaced: list[str] = []  # stale orders abandoned unexecuted
        # "create" (no order yet), "created" (not executed), "executing" (execute sent,
        # outcome unknown), "recreating" (a fresh order being created), "waiting".
        self.stage = "create"

    def name_orders(self, exc: TrueMarketsError) -> None:
        """Attach `order_id` and `replaced_order_ids`, and a note saying where things stand.

        An error that already names the order (`QuoteIssuesError`, the wait errors) keeps
        its own `order_id`, which is the same order.
        """
        if self.order_id is None:
            return
        if exc.order_id is None:
            exc.order_id = self.order_id
        exc.replaced_order_ids = tuple(self.replaced)
        order_id = self.order_id
        never_sent = exc.gateway_request_sent is False  # e.g. the token request failed
        if (self.stage == "created" or (self.stage == "executing" and never_sent)) and (
            not isinstance(exc, QuoteIssuesError)
        ):
            exc.add_note(f"order {order_id} was created but not executed: nothing was traded")
        elif self.stage == "executing":
            exc.add_note(
                f"while executing order {order_id}: it may have been accepted; "
                f"check get_order({order_id!r}) before placing it again"
            )
        elif self.stage == "recreating":
            exc.add_note(f"while creating a fresh order to replace stale order {order_id}")
        if self.replaced:
            note = f"stale order(s) {', '.join(self.replaced)} were abandoned unexecuted"
            if order_id not in self.replaced:
                note += f" and order {order_id} created instead"
            exc.add_note(note)


def place_order_flow(
    order_request: Mapping[str, Any],
    options: PlaceOptions,
    signer: PayloadSigner | None = None,
    *,
    on_status: StatusCallback | None = None,
) -> Flow[PlacedOrder]:
    """Create, then execute (re-creating once if stale), then wait.

    `execute_order` checks the quote (refusing issues unless `options.accept_issues`) and
    stamps the payloads with `signer`, else the client's signer (read only when signing, so
    CeFi orders need no signer key).

    Re-creation happens only before an execute was sent (payload age, checked before
    signing) or when execute answered `quote_stale` (nothing traded): never after an execute
    may have been accepted. Any `TrueMarketsError` raised once an order exists carries
    `order_id` (the last order created) and `replaced_order_ids` (the abandoned ones), and
    a note saying whether it was executed.
    """
    placement = _Placement()
    try:
        return (yield from _place_order(order_request, options, signer, on_status, placement))
    except TrueMarketsError as exc:
        placement.name_orders(exc)
        raise


def _place_order(
    order_request: Mapping[str, Any],
    options: PlaceOptions,
    signer: PayloadSigner | None,
    on_status: StatusCallback | None,
    placement: _Placement,
) -> Flow[PlacedOrder]:
    replaced = placement.replaced
    created_at: float = yield Now()
    created: CreatedOrder = yield Call("create_order", kwargs=order_request)
    _require_order(created)
    placement.order_id, placement.stage = created.order_id, "created"
    status: object = created.status
    executed = False
    while created.payloads:
        # execute_order itself refuses a quote with issues (QuoteIssuesError; nothing signed
        # or sent) unless accept_issues: such an order goes there as it is, never re-created.
        refused = bool(_issues(created)) and not options.accept_issues
        may_recreate = options.recreate_stale and not replaced
        age = (yield Now()) - created_at
        if age > options.max_payload_age and may_recreate and not refused:
            logger.warning(
                "order %s: payloads are %.1f s old (limit %g s); creating a fresh order",
                created.order_id,
                age,
                options.max_payload_age,
            )
        else:
            placement.stage = "executing"
            try:
                # Stamped inside execute_order, with `signer` or else the client's signer.
                result: ExecutedOrder = yield Call(
                    "execute_order",
                    (created,),
                    {"signer": signer, "accept_issues": options.accept_issues},
                )
            except QuoteStaleError:
                placement.stage = "created"  # refused as stale: nothing traded
                if not may_recreate:
                    raise
                logger.warning(
                    "order %s: execute answered quote_stale; creating a fresh order",
                    created.order_id,
                )
            except _REFUSED_BEFORE_SENDING:
                placement.stage = "created"  # nothing was sent: nothing to reconcile
                raise
            else:
                executed = True
                status = result.status
                break
        replaced.append(created.order_id)
        placement.stage = "recreating"
        created_at = yield Now()
        created = yield Call("create_order", kwargs=order_request)
        _require_order(created)
        placement.order_id, placement.stage = created.order_id, "created"
        status = created.status
        logger.warning("order %s replaces stale order %s", created.order_id, replaced[-1])

    order: Order | None = None
    if options.wait:
        placement.stage = "waiting"
        order = yield from wait_order_flow(
            created.order_id,
            timeout=options.timeout,
            wait_for_fill=options.wait_for_fill,
            raise_on_failure=options.raise_on_failure,
            known_status=status,
            on_status=on_status,
            purpose="place",
        )
        status = order.status
    from ..models import PlacedOrder

    return PlacedOrder(
        order_id=created.order_id,
        status=_as_order_status(status),
        created=created,
        executed=executed,
        order=order,
        replaced_order_ids=tuple(replaced),
        issues=_issues(created),
    )


def _as_order_status(value: object) -> OrderStatus | None:
    from ..models import OrderStatus

    text = _status_text(value)
    return None if text is None else OrderStatus(text)


# --- cancel, transfer ------------------------------------------------------------------------


def cancel_order_flow(
    order_id: str,
    *,
    wait: bool,
    timeout: float,
    signer: SignerSource,
    on_status: StatusCallback | None = None,
) -> Flow[CancelResult]:
    """Venue-polymorphic cancel: a CeFi cancel is accepted as is; a DeFi cancel comes back
    with payloads to stamp and send to cancel-execute. Either way `accepted` is True once
    the cancel was submitted. Waiting ends at `canceled`, or at `complete`/`failed` if the
    order finished first. `timeout` is checked here, before anything is sent."""
    timeout = check_seconds("timeout", timeout)
    return _cancel_order(order_id, wait, timeout, signer, on_status)


def _cancel_order(
    order_id: str,
    wait: bool,
    timeout: float,
    signer: SignerSource,
    on_status: StatusCallback | None,
) -> Flow[CancelResult]:
    prepared: CancelPrepared = yield Call("prepare_cancel_order", (order_id,))
    status: object = None
    signed = False
    if prepared.payloads:
        stamps = signer().sign_payloads(prepared.payloads)
        try:
            executed: ExecutedOrder = yield Call(
                "execute_cancel_order", (order_id,), {"signatures": stamps}
            )
        except TrueMarketsError as exc:
            exc.add_note(f"while executing the cancel of order {order_id}")
            raise
        status = executed.status
        signed = True
    order: Order | None = None
    if wait:
        order = yield from wait_order_flow(
            order_id,
            timeout=timeout,
            raise_on_failure=False,
            known_status=status,
            targets=ORDER_TERMINAL,
            on_status=on_status,
            purpose="cancel",
        )
        status = order.status
    from ..models import CancelResult

    return CancelResult(
        order_id=order_id,
        status=_as_order_status(status),
        signed=signed,
        accepted=prepared.accepted or signed,
        order=order,
    )


def transfer_flow(
    transfer_request: Mapping[str, Any],
    *,
    wait: bool,
    timeout: float,
    raise_on_failure: bool,
    signer: SignerSource,
    on_status: StatusCallback | None = None,
) -> Flow[TransferResult]:
    """Create a transfer; stamp and execute it if it awaits a signature; then wait.
    `timeout` is checked here, before anything is sent."""
    timeout = check_seconds("timeout", timeout)
    return _transfer(transfer_request, wait, timeout, raise_on_failure, signer, on_status)


def _transfer(
    transfer_request: Mapping[str, Any],
    wait: bool,
    timeout: float,
    raise_on_failure: bool,
    signer: SignerSource,
    on_status: StatusCallback | None,
) -> Flow[TransferResult]:
    transfer: Transfer = yield Call("create_transfer", kwargs=transfer_request)
    signed = False
    if transfer.payloads:
        stamps = signer().sign_payloads(transfer.payloads)
        try:
            transfer = yield Call("execute_transfer", (transfer,), {"signatures": stamps})
        except TrueMarketsError as exc:
            if exc.gateway_request_sent is False:
                exc.add_note(f"transfer {transfer.id} was created but not executed")
            else:
                exc.add_note(
                    f"while executing transfer {transfer.id}: it may have been accepted; "
                    f"check get_transfer({transfer.id!r}) before sending again"
                )
            raise
        signed = True
    if wait:
        transfer = yield from wait_transfer_flow(
            transfer.id,
            timeout=timeout,
            raise_on_failure=raise_on_failure,
            known=transfer,
            on_status=on_status,
            purpose="transfer",
        )
    from ..models import TransferResult

    return TransferResult(transfer=transfer, signed=signed)


# --- runners ---------------------------------------------------------------------------------


def run_sync(
    flow: Flow[T],
    client: object,
    *,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Drive a flow with blocking calls. A failing `Call` is thrown into the flow."""
    value: Any = None
    error: Exception | None = None
    try:
        while True:
            try:
                step = flow.send(value) if error is None else flow.throw(error)
            except StopIteration as stop:
                result: T = stop.value
                return result
            value, error = None, None
            if isinstance(step, Call):
                try:
                    value = getattr(client, step.name)(*step.args, **step.kwargs)
                except Exception as exc:
                    error = exc
            elif isinstance(step, Sleep):
                sleep(step.seconds)
            elif isinstance(step, Now):
                value = clock()
            else:
                raise TypeError(f"unknown flow step {step!r}")
    finally:
        flow.close()


async def run_async(
    flow: Flow[T],
    client: object,
    *,
    sleep: Callable[[float], Awaitable[object]] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Drive a flow with awaited calls (primitives may be coroutines or plain functions).

    `sleep` defaults to `asyncio.sleep` (asyncio is imported here, not on import of the SDK).
    """
    import asyncio
    import inspect

    if sleep is None:
        sleep = asyncio.sleep
    value: Any = None
    error: Exception | None = None
    try:
        while True:
            try:
                step = flow.send(value) if error is None else flow.throw(error)
            except StopIteration as stop:
                result: T = stop.value
                return result
            value, error = None, None
            if isinstance(step, Call):
                try:
                    value = getattr(client, step.name)(*step.args, **step.kwargs)
                    if inspect.isawaitable(value):
                        value = await value
                except Exception as exc:
                    error = exc
            elif isinstance(step, Sleep):
                await sleep(step.seconds)
            elif isinstance(step, Now):
                value = clock()
            else:
                raise TypeError(f"unknown flow step {step!r}")
    finally:
        flow.close()


_RESULTS = frozenset({"CancelResult", "PlacedOrder", "TransferResult"})


def __getattr__(name: str) -> Any:
    """The result classes live in `models` (attrs), loaded on first use (PEP 562)."""
    if name in _RESULTS:
        from .. import models

        value = getattr(models, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
