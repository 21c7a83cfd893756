"""Executing a created order or transfer: the one place payloads are checked and stamped.

`execute_order` / `execute_transfer` run these flows, and `place_order` / `transfer` yield
from them, so the quote-issues refusal and the signing happen in exactly one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .._api import validate as _validate
from ..errors import OrderNotCreatedError, QuoteIssuesError, ValidationError
from .flows import Call, Flow, SignerSource

if TYPE_CHECKING:
    from ..models import CreatedOrder, ExecutedOrder, Transfer, UnsignedPayload

__all__ = ["execute_order_flow", "execute_transfer_flow"]


def _stamps(
    payloads: Sequence[UnsignedPayload],
    signatures: Sequence[str] | None,
    signer: SignerSource,
    what: str,
) -> list[str]:
    if signatures is None:
        if not payloads:
            raise ValidationError(
                "signatures", f"{what} has no payloads to sign; pass signatures= explicitly"
            )
        signatures = signer().sign_payloads(payloads)
    stamps = _validate.signatures_list(signatures)
    if payloads and len(stamps) != len(payloads):
        raise ValidationError(
            "signatures", f"need one stamp per payload: {len(payloads)}, got {len(stamps)}"
        )
    return stamps


def execute_order_flow(
    order: CreatedOrder | str,
    signatures: Sequence[str] | None,
    signer: SignerSource,
    accept_issues: bool = False,
) -> Flow[ExecutedOrder]:
    """Refuse over quote issues (unless accepted), stamp, then send the execute.

    Yields `Call("_send_execute_order", (order_id, stamps))`.
    """
    if isinstance(order, str):
        order_id = _validate.require_id("order_id", order)
        if signatures is None:
            raise ValidationError(
                "signatures", "required when the order is given by id (no payloads to sign)"
            )
        stamps = _validate.signatures_list(signatures)
    else:
        if not order.order_created:
            raise OrderNotCreatedError(
                "no order was created (empty order_id), so there is nothing to execute; "
                "see quote.issues",
                quote=order.quote,
            )
        order_id = order.order_id
        issues = order.quote.issues if order.quote is not None else ()
        if issues and signatures is None and not accept_issues:
            raise QuoteIssuesError(
                f"order {order_id} was created but not signed: the quote reports "
                + "; ".join(repr(i) for i in issues)
                + ". Pass accept_issues=True to sign anyway.",
                order_id=order_id,
                issues=issues,
                quote=order.quote,
            )
        stamps = _stamps(order.payloads, signatures, signer, "the order")
    executed: ExecutedOrder = yield Call("_send_execute_order", (order_id, stamps))
    return executed


def execute_transfer_flow(
    transfer: Transfer | str,
    signatures: Sequence[str] | None,
    signer: SignerSource,
) -> Flow[Transfer]:
    """Stamp the transfer's payloads (unless `signatures` are given), then send the execute.

    Yields `Call("_send_execute_transfer", (transfer_id, stamps))`.
    """
    if isinstance(transfer, str):
        transfer_id = _validate.require_id("transfer_id", transfer)
        if signatures is None:
            raise ValidationError(
                "signatures", "required when the transfer is given by id (no payloads)"
            )
        stamps = _validate.signatures_list(signatures)
    else:
        transfer_id = _validate.require_id("transfer_id", transfer.id)
        stamps = _stamps(transfer.payloads, signatures, signer, "the transfer")
    executed: Transfer = yield Call("_send_execute_transfer", (transfer_id, stamps))
    return executed
