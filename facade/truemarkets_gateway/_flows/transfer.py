"""transfer: create, stamp and execute if it awaits a signature, then wait."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import TrueMarketsError
from .create import create_flow
from .execute import execute_transfer_flow, sent_nothing
from .steps import Flow, Note, SignerSource, StatusCallback, check_seconds
from .wait import wait_transfer_flow

if TYPE_CHECKING:
    from ..models import Transfer, TransferResult


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
) -> Flow[TransferResult]:
    """Create a transfer (reconciling an ambiguous outcome); stamp and execute it if it
    awaits a signature; then wait. `timeout` is checked here, before anything is sent."""
    timeout = check_seconds("timeout", timeout)

    def flow() -> Flow[TransferResult]:
        transfer: Transfer = yield from create_flow(
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

    return flow()
