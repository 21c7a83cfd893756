"""Executing an order or transfer: the one place payloads are checked and stamped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Unpack

from .. import errors as _errors
from .._api import validate as _validate
from .._api.secret import Secret
from .steps import Call, Flow, SignerSource

if TYPE_CHECKING:
    from ..errors import ErrorContext, TrueMarketsError
    from ..models import CreatedOrder, ExecutedOrder, Transfer, UnsignedPayload


def sent_nothing(exc: TrueMarketsError) -> bool:
    """Whether `exc`, raised by an execute flow, provably left the server untouched."""
    refused = (_errors.ValidationError, _errors.QuoteIssuesError, _errors.CredentialsError)
    return isinstance(exc, refused) or exc.gateway_request_sent is False


def require_order(created: CreatedOrder) -> str:
    """Its `order_id`; none means no order was created (e.g. an unfundable DeFi order)."""
    issues = "; ".join(created.quote.issues if created.quote else ())
    if issues and not created.order_id:
        message = f"no order was created: {issues}"
        raise _errors.InsufficientBalanceError(message, quote=created.quote)
    if not created.order_id:
        message = "no order was created (empty order_id, no quote issues given)"
        raise _errors.OrderNotCreatedError(message, quote=created.quote)
    return created.order_id


def stamps(
    payloads: Sequence[UnsignedPayload] | None,
    signatures: Sequence[str] | None,
    signer: SignerSource | None,
    what: str,
    **context: Unpack[ErrorContext],
) -> Flow[list[Secret[str]]]:
    """One `Secret` stamp per payload: `signatures` as given, else signed by `signer()` or
    the client's signer (`Call("sign_payloads")`). `payloads` None: given by id."""
    if signatures is None:
        if not payloads:
            given_by_id = f"required when {what} is given by id (no payloads to sign)"
            rule = given_by_id if payloads is None else f"{what} has no payloads to sign"
            raise _errors.ValidationError("signatures", rule)
        for i, item in enumerate(payloads):  # refused here, not inside a signer
            if not item.payload.isascii():
                try:
                    item.payload.encode()
                except UnicodeEncodeError:
                    rule = f"{what}'s payload is not UTF-8 text: nothing was signed or sent"
                    raise _errors.ValidationError(f"payloads[{i}]", rule, **context) from None
        if signer is None:
            signatures = yield Call("sign_payloads", (payloads,))
        else:
            signatures = signer().sign_payloads(payloads)
    checked = [Secret(s) for s in _validate.signatures_list(signatures)]
    if payloads and len(checked) != len(payloads):
        rule = f"need one stamp per payload: {len(payloads)}, got {len(checked)}"
        raise _errors.ValidationError("signatures", rule)
    return checked


def execute_order_flow(
    order: CreatedOrder | str,
    signatures: Sequence[str] | None,
    signer: SignerSource | None,
    accept_issues: bool = False,
) -> Flow[ExecutedOrder]:
    """Refuse over quote issues (unless accepted or `signatures` given), stamp, then
    `Call("_send_execute_order", ...)`. `signer` None: the client's signer."""
    if isinstance(order, str):
        order_id, payloads = _validate.require_id("order_id", order), None
    else:
        order_id, payloads = require_order(order), order.payloads
        issues = order.quote.issues if order.quote is not None else ()
        if issues and signatures is None and not accept_issues:
            listed = "; ".join(repr(i) for i in issues)
            message = f"order {order_id} was created but not signed: the quote reports {listed}."
            message += " Pass accept_issues=True to sign anyway."
            raise _errors.QuoteIssuesError(
                message, issues=issues, order_id=order_id, quote=order.quote
            )
    sent = yield from stamps(payloads, signatures, signer, "the order", order_id=order_id)
    executed: ExecutedOrder = yield Call("_send_execute_order", (order_id, sent))
    return executed


def execute_transfer_flow(
    transfer: Transfer | str, signatures: Sequence[str] | None, signer: SignerSource | None
) -> Flow[Transfer]:
    """Stamp (unless `signatures` given), then `Call("_send_execute_transfer", ...)`."""
    transfer_id, payloads = (
        (transfer, None) if isinstance(transfer, str) else (transfer.id, transfer.payloads)
    )
    transfer_id = _validate.require_id("transfer_id", transfer_id)
    sent = yield from stamps(payloads, signatures, signer, "the transfer", transfer_id=transfer_id)
    executed: Transfer = yield Call("_send_execute_transfer", (transfer_id, sent))
    return executed
