"""cancel_order: venue-polymorphic (a DeFi cancel is stamped and executed), then wait."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import TrueMarketsError
from .execute import stamps
from .steps import Call, Flow, SignerSource, StatusCallback, check_seconds, order_status
from .wait import ORDER_TERMINAL, wait_order_flow

if TYPE_CHECKING:
    from ..models import CancelPrepared, CancelResult, ExecutedOrder, Order

__all__ = ["cancel_order_flow"]


def cancel_order_flow(
    order_id: str,
    *,
    wait: bool,
    timeout: float,
    signer: SignerSource | None,
    on_status: StatusCallback | None = None,
) -> Flow[CancelResult]:
    """A CeFi cancel is accepted as is; a DeFi cancel comes back with payloads to stamp and
    send to cancel-execute. Either way `accepted` is True once the cancel was submitted.
    Waiting ends at `canceled`, or `complete`/`failed` if the order finished first.
    `timeout` is checked here, before anything is sent."""
    return _cancel_order(order_id, wait, check_seconds("timeout", timeout), signer, on_status)


def _cancel_order(
    order_id: str,
    wait: bool,
    timeout: float,
    signer: SignerSource | None,
    on_status: StatusCallback | None,
) -> Flow[CancelResult]:
    prepared: CancelPrepared = yield Call("prepare_cancel_order", (order_id,))
    status: object = None
    if prepared.payloads:
        sent = yield from stamps(prepared.payloads, None, signer, "the cancel")
        try:
            executed: ExecutedOrder = yield Call(
                "execute_cancel_order", (order_id,), {"signatures": sent}
            )
        except TrueMarketsError as exc:
            note = f"while executing the cancel of order {order_id}"
            raise exc._with_context(note, order_id=exc.order_id or order_id) from exc
        status = executed.status
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
        status=order_status(status),
        signed=bool(prepared.payloads),
        accepted=prepared.accepted or bool(prepared.payloads),
        order=order,
    )
