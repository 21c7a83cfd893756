"""cancel_order: a DeFi cancel is stamped and executed, a CeFi one accepted; then wait."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import TrueMarketsError
from .execute import sent_nothing, stamps
from .steps import Call, Flow, SignerSource, StatusCallback, check_seconds, order_status
from .wait import ORDER_TERMINAL, wait_order_flow

if TYPE_CHECKING:
    from ..models import CancelPrepared, CancelResult, ExecutedOrder, Order


def cancel_order_flow(
    order_id: str,
    *,
    wait: bool,
    timeout: float,
    signer: SignerSource | None,
    on_status: StatusCallback | None = None,
) -> Flow[CancelResult]:
    """`accepted` is True once the cancel was submitted; waiting ends at `canceled`, or
    `complete`/`failed` if the order finished first. `timeout` is checked here."""
    timeout = check_seconds("timeout", timeout)

    def flow() -> Flow[CancelResult]:
        prepared: CancelPrepared = yield Call("prepare_cancel_order", (order_id,))
        status: object = None
        if prepared.payloads:
            try:
                sent = yield from stamps(
                    prepared.payloads, None, signer, "the cancel", order_id=order_id
                )
                executed: ExecutedOrder = yield Call(
                    "execute_cancel_order", (order_id,), {"signatures": sent}
                )
            except TrueMarketsError as exc:
                note = (
                    f"the cancel of order {order_id} was not sent: the order stands"
                    if sent_nothing(exc)
                    else f"while executing the cancel of order {order_id}: it may have been "
                    f"accepted; check get_order({order_id!r})"
                )
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

        signed = bool(prepared.payloads)
        accepted = prepared.accepted or signed
        status = order_status(status)
        return CancelResult(
            order_id=order_id, status=status, signed=signed, accepted=accepted, order=order
        )

    return flow()
