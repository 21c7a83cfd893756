"""Executing a created order or transfer: the one place payloads are checked and stamped.

The public `execute_order` / `execute_transfer` run these flows, and `place_order` /
`transfer` yield from them, so the quote-issues refusal and the signing happen once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .._api import validate as _validate
from ..errors import (
    CredentialsError,
    OrderNotCreatedError,
    QuoteIssuesError,
    TrueMarketsError,
    ValidationError,
)
from .steps import Call, Flow, SignerSource

if TYPE_CHECKING:
    from ..models import CreatedOrder, ExecutedOrder, Transfer, UnsignedPayload

__all__ = ["execute_order_flow", "execute_transfer_flow", "sent_nothing", "stamps"]


def sent_nothing(exc: TrueMarketsError) -> bool:
    """Whether `exc`, raised by an execute flow, provably left the server untouched: its
    argument checks, the quote-issues refusal, a missing signer key, a failed token request."""
    refused = (ValidationError, QuoteIssuesError, CredentialsError)
    return isinstance(exc, refused) or exc.gateway_request_sent is False


def stamps(
    payloads: Sequence[UnsignedPayload],
    signatures: Sequence[str] | None,
    signer: SignerSource | None,
    what: str,
) -> Flow[list[str]]:
    """The stamps to send: `signatures` as given, else the payloads signed by `signer()`,
    else by the client's own signer (`Call("sign_payloads")`). One per payload."""
    if signatures is None:
        if not payloads:
            raise ValidationError(
                "signatures", f"{what} has no payloads to sign; pass signatures= explicitly"
            )
        if signer is None:
            signatures = yield Call("sign_payloads", (payloads,))
        else:
            signatures = signer().sign_payloads(payloads)
    checked = _validate.signatures_list(signatures)
    if payloads and len(checked) != len(payloads):
        raise ValidationError(
            "signatures", f"need one stamp per payload: {len(payloads)}, got {len(checked)}"
        )
    return checked


def execute_order_flow(
    order: CreatedOrder | str,
    signatures: Sequence[str] | None,
    signer: SignerSource | None,
    accept_issues: bool = False,
) -> Flow[ExecutedOrder]:
    """Refuse over quote issues (unless accepted or `signatures` are given), stamp, then
    `Call("_send_execute_order", (order_id, stamps))`. `signer` None: the client's signer."""
    if isinstance(order, str):
        order_id = _validate.require_id("order_id", order)
        if signatures is None:
            raise ValidationError(
                "signatures", "required when the order is given by id (no payloads to sign)"
            )
        sent = _validate.signatures_list(signatures)
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
                issues=issues,
                order_id=order_id,
                quote=order.quote,
            )
        sent = yield from stamps(order.payloads, signatures, signer, "the order")
    executed: ExecutedOrder = yield Call("_send_execute_order", (order_id, sent))
    return executed


def execute_transfer_flow(
    transfer: Transfer | str,
    signatures: Sequence[str] | None,
    signer: SignerSource | None,
) -> Flow[Transfer]:
    """Stamp the transfer's payloads (unless `signatures` are given), then
    `Call("_send_execute_transfer", (transfer_id, stamps))`."""
    if isinstance(transfer, str):
        transfer_id = _validate.require_id("transfer_id", transfer)
        if signatures is None:
            raise ValidationError(
                "signatures", "required when the transfer is given by id (no payloads)"
            )
        sent = _validate.signatures_list(signatures)
    else:
        transfer_id = _validate.require_id("transfer_id", transfer.id)
        sent = yield from stamps(transfer.payloads, signatures, signer, "the transfer")
    executed: Transfer = yield Call("_send_execute_transfer", (transfer_id, sent))
    return executed
