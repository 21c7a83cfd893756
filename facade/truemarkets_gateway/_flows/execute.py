"""Executing an order or transfer (the one place payloads are checked and stamped), and
the cancel and transfer workflows built on it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Unpack

from .. import errors as _errors
from .._api import validate as _validate
from .._api.secret import Secret
from ..errors import TrueMarketsError
from .create import create_flow
from .steps import Call, Flow, Note, SignerSource, StatusCallback, check_seconds
from .wait import wait_order_flow, wait_transfer_flow

if TYPE_CHECKING:
    from .. import models as m
    from ..errors import ErrorContext


def sent_nothing(exc: TrueMarketsError) -> bool:
    """Whether `exc`, raised by an execute flow, provably left the server untouched."""
    refused = (_errors.ValidationError, _errors.QuoteIssuesError, _errors.CredentialsError)
    return isinstance(exc, refused) or exc.gateway_request_sent is False


def require_order(created: m.CreatedOrder) -> str:
    """Its `order_id`; none means no order was created (e.g. an unfundable DeFi order)."""
    if created.order_id:
        return created.order_id
    if issues := "; ".join(created.quote.issues if created.quote else ()):
        message = f"no order was created: {issues}"
        raise _errors.InsufficientBalanceError(message, quote=created.quote)
    message = "no order was created (empty order_id, no quote issues given)"
    raise _errors.OrderNotCreatedError(message, quote=created.quote)


def stamps(
    payloads: Sequence[m.UnsignedPayload] | None,
    signatures: Sequence[str] | None,
    signer: SignerSource | None,
    what: str,
    **context: Unpack[ErrorContext],
) -> Flow[list[Secret[str]]]:
    """One `Secret` stamp per payload: `signatures`, else signed by `signer()` or the
    client's signer. `payloads` None: given by id."""
    if signatures is None:
        if not payloads:
            given_by_id = f"required when {what} is given by id (no payloads to sign)"
            rule = given_by_id if payloads is None else f"{what} has no payloads to sign"
            raise _errors.ValidationError("signatures", rule)
        for i, item in enumerate(payloads):  # refused here, not inside a signer
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
    order: m.CreatedOrder | str,
    signatures: Sequence[str] | None,
    signer: SignerSource | None,
    accept_issues: bool = False,
) -> Flow[m.ExecutedOrder]:
    """Refuse over quote issues (unless accepted or `signatures` given), stamp, send."""
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
    executed: m.ExecutedOrder = yield Call("_send_execute_order", (order_id, sent))
    return executed


def execute_transfer_flow(
    transfer: m.Transfer | str, signatures: Sequence[str] | None, signer: SignerSource | None
) -> Flow[m.Transfer]:
    """Stamp (unless `signatures` given), then send."""
    payloads = None if isinstance(transfer, str) else transfer.payloads
    transfer_id = _validate.require_id("transfer_id", getattr(transfer, "id", transfer))
    sent = yield from stamps(payloads, signatures, signer, "the transfer", transfer_id=transfer_id)
    executed: m.Transfer = yield Call("_send_execute_transfer", (transfer_id, sent))
    return executed


def cancel_order_flow(
    order_id: str,
    *,
    wait: bool,
    timeout: float,
    signer: SignerSource | None,
    on_status: StatusCallback | None = None,
) -> Flow[m.CancelResult]:
    """Submit a cancel (stamped if DeFi), then wait for `canceled` or another end."""
    timeout = check_seconds("timeout", timeout)
    prepared: m.CancelPrepared = yield Call("prepare_cancel_order", (order_id,))
    status: m.OrderStatus | None = None
    if signed := bool(prepared.payloads):
        try:
            sent = yield from stamps(
                prepared.payloads, None, signer, "the cancel", order_id=order_id
            )
            executed: m.ExecutedOrder = yield Call(
                "execute_cancel_order", (order_id,), {"signatures": sent}
            )
        except TrueMarketsError as exc:
            note = f"the cancel of order {order_id} was not sent: the order stands"
            if not sent_nothing(exc):
                note = f"while executing the cancel of order {order_id}: it may have been "
                note += f"accepted; check get_order({order_id!r})"
            raise exc._with_context(note, order_id=exc.order_id or order_id) from exc
        status = executed.status
    order: m.Order | None = None
    if wait:
        order = yield from wait_order_flow(
            order_id,
            timeout=timeout,
            raise_on_failure=False,
            known_status=status,
            wait_for_fill=True,
            on_status=on_status,
            purpose="cancel",
        )
        status = order.status
    from ..models import CancelResult

    accepted = prepared.accepted or signed
    return CancelResult(
        order_id=order_id, status=status, signed=signed, accepted=accepted, order=order
    )


def transfer_flow(
    transfer_request: Mapping[str, Any],
    *,
    wait: bool,
    timeout: float,
    raise_on_failure: bool,
    signer: SignerSource | None,
    on_status: StatusCallback | None = None,
    reconcile: bool = True,
    on_created: Callable[[str], None] | None = None,
) -> Flow[m.TransferResult]:
    """Create a transfer, stamp and execute it if it awaits a signature, then wait."""
    timeout = check_seconds("timeout", timeout)
    transfer: m.Transfer = yield from create_flow(
        "transfer", transfer_request, reconcile, on_created
    )
    transfer_id, signed = transfer.id, bool(transfer.payloads)
    check = f"check get_transfer({transfer_id!r}) before sending again"
    yield Note(f"transfer {transfer_id} was created: {check}")
    if signed:
        try:
            transfer = yield from execute_transfer_flow(transfer, None, signer)
        except TrueMarketsError as exc:
            note = f"while executing transfer {transfer_id}: it may have been accepted; {check}"
            if sent_nothing(exc):
                note = f"transfer {transfer_id} was created but not executed"
            transfer_id = exc.transfer_id or transfer_id
            raise exc._with_context(note, transfer_id=transfer_id, transfer=transfer) from exc
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
