"""Sign-and-execute workflows as sans-I/O generator flows, and the two runners that drive them.

A flow yields steps (`Call` a client primitive, `Sleep`, read the clock with `Now`) and
returns its result; `run_sync` and `run_async` perform the steps. All policy lives here once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Generator, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from .errors import (
    InsufficientBalanceError,
    OrderFailedError,
    OrderNotCreatedError,
    OrderTimeoutError,
    QuoteIssuesError,
    QuoteStaleError,
    TransferFailedError,
    TransferTimeoutError,
    TrueMarketsError,
    ValidationError,
)

if TYPE_CHECKING:
    from .models import (
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
    from .signing import PayloadSigner

__all__ = [
    "Call",
    "CancelResult",
    "Flow",
    "Now",
    "PlaceOptions",
    "PlacedOrder",
    "Sleep",
    "Step",
    "TransferResult",
    "cancel_order_flow",
    "place_order_flow",
    "run_async",
    "run_sync",
    "transfer_flow",
    "wait_order_flow",
    "wait_transfer_flow",
]

logger = logging.getLogger("truemarkets_gateway")

T = TypeVar("T")

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

ORDER_TERMINAL = frozenset({"complete", "canceled", "failed"})
ORDER_RESTING = frozenset({"active"})
TRANSFER_TERMINAL = frozenset({"completed", "failed"})


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


class _PlaceOptionValues(NamedTuple):
    wait: bool = True
    wait_for_fill: bool = False
    timeout: float = ORDER_TIMEOUT
    accept_issues: bool = False
    max_payload_age: float = MAX_PAYLOAD_AGE
    recreate_stale: bool = True
    raise_on_failure: bool = True


class PlaceOptions(_PlaceOptionValues):
    """The place_order knobs beyond the order itself (see `place_order`)."""

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
        if timeout < 0:
            raise ValueError("timeout must be >= 0")
        if max_payload_age <= 0:
            raise ValueError("max_payload_age must be > 0")
        values = (
            wait,
            wait_for_fill,
            timeout,
            accept_issues,
            max_payload_age,
            recreate_stale,
            raise_on_failure,
        )
        return tuple.__new__(cls, values)


# --- waiting ---------------------------------------------------------------------------------


def wait_order_flow(
    order_id: str,
    *,
    timeout: float = ORDER_TIMEOUT,
    wait_for_fill: bool = False,
    raise_on_failure: bool = True,
    known_status: object = None,
    targets: frozenset[str] | None = None,
) -> Flow[Order]:
    """Poll `get_order_status` (backing off) until a settled status, then `get_order` once.

    Settled means terminal, or `active` (resting) unless `wait_for_fill`; `targets`
    overrides that. With `known_status` (from create/execute) the first poll waits a delay.
    """
    if targets is None:
        targets = ORDER_TERMINAL if wait_for_fill else ORDER_TERMINAL | ORDER_RESTING
    start: float = yield Now()
    delays = _poll_delays()
    status = _status_text(known_status)
    polled = status is not None
    while status not in targets:
        if polled:  # the first look is free; later ones are bounded by the timeout
            remaining = timeout - ((yield Now()) - start)
            if remaining <= 0:
                raise OrderTimeoutError(
                    f"order {order_id} did not settle within {timeout:g} s "
                    f"(last status: {status or 'unknown'})",
                    resource_id=order_id,
                    last_status=status,
                )
            yield Sleep(min(next(delays), remaining))
        status = _status_text((yield Call("get_order_status", (order_id,))))
        polled = True
    order: Order = yield Call("get_order", (order_id,))
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
) -> Flow[Transfer]:
    """Poll `get_transfer` (backing off) until `completed` or `failed`."""
    start: float = yield Now()
    delays = _poll_delays()
    transfer = known
    while transfer is None or _status_text(transfer.status) not in TRANSFER_TERMINAL:
        if transfer is not None:  # the first look is free; later ones are bounded
            remaining = timeout - ((yield Now()) - start)
            if remaining <= 0:
                last = _status_text(transfer.status)
                raise TransferTimeoutError(
                    f"transfer {transfer_id} did not finish within {timeout:g} s "
                    f"(last status: {last or 'unknown'})",
                    resource_id=transfer_id,
                    last_status=last,
                )
            yield Sleep(min(next(delays), remaining))
        transfer = yield Call("get_transfer", (transfer_id,))
    if raise_on_failure and _status_text(transfer.status) == "failed":
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


def _refuse_issues(created: CreatedOrder) -> None:
    issues = _issues(created)
    raise QuoteIssuesError(
        f"order {created.order_id} was created but not signed: the quote reports "
        + "; ".join(repr(i) for i in issues)
        + ". Pass accept_issues=True to sign anyway.",
        order_id=created.order_id,
        issues=issues,
        quote=created.quote,
    )


def place_order_flow(
    order_request: Mapping[str, Any],
    options: PlaceOptions,
    signer: SignerSource,
) -> Flow[PlacedOrder]:
    """Create, check, stamp, execute (re-creating once if stale), then wait.

    Re-creation happens only before an execute was sent (payload age) or when execute
    answered `quote_stale` (nothing traded): never after an execute may have been accepted.
    """
    replaced: list[str] = []
    created_at: float = yield Now()
    created: CreatedOrder = yield Call("create_order", kwargs=order_request)
    _require_order(created)
    status: object = created.status
    executed = False
    while created.payloads:
        if _issues(created) and not options.accept_issues:
            _refuse_issues(created)
        stamps = signer().sign_payloads(created.payloads)
        may_recreate = options.recreate_stale and not replaced
        age = (yield Now()) - created_at
        stale = age > options.max_payload_age
        if stale and may_recreate:
            logger.warning(
                "order %s: payloads are %.1f s old (limit %g s); creating a fresh order",
                created.order_id,
                age,
                options.max_payload_age,
            )
        else:
            try:
                result: ExecutedOrder = yield Call(
                    "execute_order", (created,), {"signatures": stamps}
                )
            except QuoteStaleError as exc:
                if not may_recreate:
                    exc.add_note(f"order {created.order_id} was not executed (stale quote)")
                    raise
                logger.warning(
                    "order %s: execute answered quote_stale; creating a fresh order",
                    created.order_id,
                )
            except ValidationError:
                raise  # refused before sending: nothing to reconcile
            except TrueMarketsError as exc:
                exc.add_note(
                    f"while executing order {created.order_id}: it may have been accepted; "
                    f"check get_order({created.order_id!r}) before placing it again"
                )
                raise
            else:
                executed = True
                status = result.status
                break
        replaced.append(created.order_id)
        created_at = yield Now()
        created = yield Call("create_order", kwargs=order_request)
        _require_order(created)
        status = created.status
        logger.warning("order %s replaces stale order %s", created.order_id, replaced[-1])

    order: Order | None = None
    if options.wait:
        try:
            order = yield from wait_order_flow(
                created.order_id,
                timeout=options.timeout,
                wait_for_fill=options.wait_for_fill,
                raise_on_failure=options.raise_on_failure,
                known_status=status,
            )
        except TrueMarketsError as exc:
            if replaced:
                exc.add_note(f"order {created.order_id} replaced stale order(s) {replaced}")
            raise
        status = order.status
    from .models import PlacedOrder

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
    from .models import OrderStatus

    text = _status_text(value)
    return None if text is None else OrderStatus(text)


# --- cancel, transfer ------------------------------------------------------------------------


def cancel_order_flow(
    order_id: str,
    *,
    wait: bool,
    timeout: float,
    signer: SignerSource,
) -> Flow[CancelResult]:
    """Venue-polymorphic cancel: a CeFi cancel is accepted as is; a DeFi cancel comes back
    with payloads to stamp and send to cancel-execute. Waiting ends at `canceled`, or at
    `complete`/`failed` if the order finished first."""
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
        )
        status = order.status
    from .models import CancelResult

    return CancelResult(
        order_id=order_id,
        status=_as_order_status(status),
        signed=signed,
        accepted=prepared.accepted,
        order=order,
    )


def transfer_flow(
    transfer_request: Mapping[str, Any],
    *,
    wait: bool,
    timeout: float,
    raise_on_failure: bool,
    signer: SignerSource,
) -> Flow[TransferResult]:
    """Create a transfer; stamp and execute it if it awaits a signature; then wait."""
    transfer: Transfer = yield Call("create_transfer", kwargs=transfer_request)
    signed = False
    if transfer.payloads:
        stamps = signer().sign_payloads(transfer.payloads)
        try:
            transfer = yield Call("execute_transfer", (transfer,), {"signatures": stamps})
        except TrueMarketsError as exc:
            exc.add_note(
                f"while executing transfer {transfer.id}: it may have been accepted; "
                f"check get_transfer({transfer.id!r}) before sending again"
            )
            raise
        signed = True
    if wait:
        transfer = yield from wait_transfer_flow(
            transfer.id, timeout=timeout, raise_on_failure=raise_on_failure, known=transfer
        )
    from .models import TransferResult

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
        from . import models

        value = getattr(models, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
