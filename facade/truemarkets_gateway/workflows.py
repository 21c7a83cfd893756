"""One-call sign-and-execute workflows, mixed into `Gateway` and `AsyncGateway`.

The policy lives in `_flows`; `_WorkflowBase` builds each flow once from the public
arguments, and the two mixins only pick the runner. They rely on the client's primitives
(`create_order`, `execute_order`, `get_order_status`, `get_order`, `prepare_cancel_order`,
`execute_cancel_order`, `create_transfer`, `execute_transfer`, `get_transfer`), its
`signer` property, its `_monotonic` clock and its `_workflow_sleep`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from . import _flows
from ._flows import (
    MAX_PAYLOAD_AGE,
    ORDER_TIMEOUT,
    TRANSFER_TIMEOUT,
    Flow,
    PlaceOptions,
    SignerSource,
    StatusCallback,
)
from .errors import OrderWaitError, TransferWaitError

if TYPE_CHECKING:
    from ._api.money import Amount
    from .errors import ClientClosedError
    from .models import (
        Asset,
        CancelResult,
        ChainInput,
        Order,
        OrderSideInput,
        OrderTypeInput,
        PlacedOrder,
        QtyUnitInput,
        Transfer,
        TransferResult,
    )
    from .signing import PayloadSigner, SignablePayload

__all__ = [
    "AsyncWorkflows",
    "CancelResult",
    "OrderWaitError",
    "PlacedOrder",
    "SyncWorkflows",
    "TransferResult",
    "TransferWaitError",
]

T = TypeVar("T")


class _WorkflowBase:
    """What both mixins share: the signer choice, the clock, `sign_payloads`, and building
    each flow from the public arguments (so no argument handling is written twice)."""

    _monotonic: Callable[[], float]  # the clock the flows read (deadlines, payload age)
    if TYPE_CHECKING:

        @property
        def closed(self) -> bool: ...

        @property
        def signer(self) -> PayloadSigner: ...

        def _closed_error(self) -> ClientClosedError: ...

    def _signer_source(self, signer: PayloadSigner | None) -> SignerSource:
        # Resolved lazily: CeFi orders and withdrawals must work without any signer key.
        if signer is not None:
            return lambda: signer
        return lambda: self.signer

    def sign_payloads(
        self, payloads: Sequence[SignablePayload], signer: PayloadSigner | None = None
    ) -> list[str]:
        """Stamps for these payloads (one each, in order) for a manual execute call.

        Uses `signer`, else the client's signer (the signer key, or the API key).
        """
        return (signer if signer is not None else self.signer).sign_payloads(payloads)

    # --- flow builders (argument checks happen here, before anything is sent) ---------------

    def _place_flow(
        self, signer: PayloadSigner | None, on_status: StatusCallback | None, **arguments: Any
    ) -> Flow[PlacedOrder]:
        """`arguments`: the public place_order keywords, order fields and `PlaceOptions`."""
        options = PlaceOptions(**{name: arguments.pop(name) for name in PlaceOptions._fields})
        # Unset optional fields are left out, so create_order applies its own defaults.
        request = {name: value for name, value in arguments.items() if value is not None}
        return _flows.place_order_flow(request, options, signer, on_status=on_status)

    def _transfer_flow(
        self,
        *,
        asset_id: str | Asset,
        qty: Amount,
        to: str,
        qty_unit: QtyUnitInput,
        network: str | None,
        wait: bool,
        timeout: float,
        raise_on_failure: bool,
        signer: PayloadSigner | None,
        on_status: StatusCallback | None,
    ) -> Flow[TransferResult]:
        # An `Asset` is passed on as is: create_transfer then checks `network` against it.
        request: dict[str, Any] = {"asset_id": asset_id, "qty": qty, "to": to, "qty_unit": qty_unit}
        if network is not None:
            request["network"] = network
        return _flows.transfer_flow(
            request,
            wait=wait,
            timeout=timeout,
            raise_on_failure=raise_on_failure,
            signer=self._signer_source(signer),
            on_status=on_status,
        )


class SyncWorkflows(_WorkflowBase):
    """`place_order`, `cancel_order`, `transfer`, `wait_for_order`, `wait_for_transfer`."""

    if TYPE_CHECKING:

        def _workflow_sleep(self, seconds: float) -> None: ...  # the client's (fake) sleep

    def _run_flow(self, flow: Flow[T]) -> T:
        if self.closed:  # before the flow starts, so a wait does not wrap it
            raise self._closed_error()
        return _flows.run_sync(flow, self, sleep=self._workflow_sleep, clock=self._monotonic)

    # Until the clients get their own (engineer api1): the flows' execute primitives.
    def _send_execute_order(self, order_id: str, stamps: list[str]) -> Any:
        return self.execute_order(order_id, signatures=stamps)  # type: ignore[attr-defined]

    def _send_execute_transfer(self, transfer_id: str, stamps: list[str]) -> Any:
        return self.execute_transfer(transfer_id, signatures=stamps)  # type: ignore[attr-defined]

    def place_order(
        self,
        *,
        side: OrderSideInput,
        type: OrderTypeInput,
        qty: Amount,
        qty_unit: QtyUnitInput,
        base_asset: str | None = None,
        quote_asset: str | None = None,
        price: Amount | None = None,
        chain: ChainInput | None = None,
        leverage: int | None = None,
        reduce_only: bool | None = None,
        asset_id: str | None = None,
        wait: bool = True,
        wait_for_fill: bool = False,
        timeout: float = ORDER_TIMEOUT,
        accept_issues: bool = False,
        max_payload_age: float = MAX_PAYLOAD_AGE,
        recreate_stale: bool = True,
        raise_on_failure: bool = True,
        signer: PayloadSigner | None = None,
        on_status: StatusCallback | None = None,
    ) -> PlacedOrder:
        """Create an order and see it through: sign and execute its payloads, then wait.

        - No order created (empty `order_id`): `InsufficientBalanceError` when the quote
          lists issues, else `OrderNotCreatedError`; nothing is signed.
        - Payloads and quote issues: `QuoteIssuesError` (nothing signed) unless
          `accept_issues=True`.
        - Payloads: stamped (with `signer`, else the client's) and executed. If more than
          `max_payload_age` seconds passed since the create was sent (checked before
          signing), or execute answers `quote_stale`, one fresh order is created and signed
          instead (unless `recreate_stale=False`); `replaced_order_ids` names the abandoned
          order. Never after an execute may have been accepted: other execute errors
          surface, naming the order.
        - No payloads: the order was submitted already.
        - Unless `wait=False`, polls (0.5 s backing off to 5 s) until `complete`,
          `canceled`, `failed`, or `active` (a resting order; not with
          `wait_for_fill=True`), for at most `timeout` seconds (`OrderTimeoutError`), then
          reads the full order. `failed` raises `OrderFailedError` unless
          `raise_on_failure=False`. Connection errors, 5xx, 429 and an early 404 are polled
          through; if the wait still ends in an error, `OrderWaitError` (an
          `OrderTimeoutError`) names the order: check `get_order` before placing again.
        - A timeout with the order still open (e.g. a limit order resting on the book
          with `wait_for_fill=True`) says so: cancel it or keep waiting (`wait_for_order`).
        - Any `TrueMarketsError` raised once an order exists carries `order_id` (the last
          order created) and `replaced_order_ids` (stale orders abandoned unexecuted), with
          a note saying whether the order was executed.
        - `on_status` is called with each newly observed status value while waiting.
        - `timeout` (finite, >= 0) and `max_payload_age` (finite, > 0) are checked before
          anything is sent (`ValidationError`).
        """
        return self._run_flow(
            self._place_flow(
                signer,
                on_status,
                side=side,
                type=type,
                qty=qty,
                qty_unit=qty_unit,
                base_asset=base_asset,
                quote_asset=quote_asset,
                price=price,
                chain=chain,
                leverage=leverage,
                reduce_only=reduce_only,
                asset_id=asset_id,
                wait=wait,
                wait_for_fill=wait_for_fill,
                timeout=timeout,
                accept_issues=accept_issues,
                max_payload_age=max_payload_age,
                recreate_stale=recreate_stale,
                raise_on_failure=raise_on_failure,
            )
        )

    def cancel_order(
        self,
        order_id: str,
        *,
        wait: bool = False,
        timeout: float = ORDER_TIMEOUT,
        signer: PayloadSigner | None = None,
        on_status: StatusCallback | None = None,
    ) -> CancelResult:
        """Cancel a resting order on either venue.

        CeFi: the cancel is taken as is (202). DeFi: its payloads are stamped and sent to
        cancel-execute (`signed`). Either way `accepted` is True once the cancel was
        submitted. With `wait=True`, polls until `canceled` (or `complete`/`failed` if the
        order finished first), at most `timeout` seconds, calling `on_status` with each
        newly observed status; an error ending the wait raises `OrderWaitError`.
        """
        return self._run_flow(
            _flows.cancel_order_flow(
                order_id,
                wait=wait,
                timeout=timeout,
                signer=self._signer_source(signer),
                on_status=on_status,
            )
        )

    def transfer(
        self,
        *,
        asset_id: str | Asset,
        qty: Amount,
        to: str,
        qty_unit: QtyUnitInput = "base",
        network: str | None = None,
        wait: bool = True,
        timeout: float = TRANSFER_TIMEOUT,
        raise_on_failure: bool = True,
        signer: PayloadSigner | None = None,
        on_status: StatusCallback | None = None,
    ) -> TransferResult:
        """Send assets: create the transfer (`asset_id` may be an `Asset`, as for
        `create_transfer`); stamp and execute it when it awaits a signature (DeFi); unless
        `wait=False`, poll until `completed` or `failed` (at most `timeout` seconds:
        `TransferTimeoutError`; `failed`: `TransferFailedError` unless
        `raise_on_failure=False`; an error ending the wait: `TransferWaitError`), calling
        `on_status` with each newly observed status."""
        return self._run_flow(
            self._transfer_flow(
                asset_id=asset_id,
                qty=qty,
                to=to,
                qty_unit=qty_unit,
                network=network,
                wait=wait,
                timeout=timeout,
                raise_on_failure=raise_on_failure,
                signer=signer,
                on_status=on_status,
            )
        )

    def wait_for_order(
        self,
        order_id: str,
        *,
        timeout: float = ORDER_TIMEOUT,
        wait_for_fill: bool = False,
        raise_on_failure: bool = True,
        on_status: StatusCallback | None = None,
    ) -> Order:
        """Poll until the order is terminal, or resting (`active`) unless `wait_for_fill`;
        return the full order. `OrderTimeoutError` after `timeout` seconds; `OrderWaitError`
        when an error ends the wait. `on_status` sees each newly observed status."""
        return self._run_flow(
            _flows.wait_order_flow(
                order_id,
                timeout=timeout,
                wait_for_fill=wait_for_fill,
                raise_on_failure=raise_on_failure,
                on_status=on_status,
            )
        )

    def wait_for_transfer(
        self,
        transfer_id: str,
        *,
        timeout: float = TRANSFER_TIMEOUT,
        raise_on_failure: bool = True,
        on_status: StatusCallback | None = None,
    ) -> Transfer:
        """Poll until the transfer is `completed` or `failed`; `TransferTimeoutError` after
        `timeout` seconds, `TransferWaitError` when an error ends the wait. `on_status` sees
        each newly observed status."""
        return self._run_flow(
            _flows.wait_transfer_flow(
                transfer_id,
                timeout=timeout,
                raise_on_failure=raise_on_failure,
                on_status=on_status,
            )
        )


class AsyncWorkflows(_WorkflowBase):
    """The same workflows for `AsyncGateway`; see `SyncWorkflows` for what each does."""

    if TYPE_CHECKING:

        async def _workflow_sleep(self, seconds: float) -> None: ...  # the client's (fake) sleep

    async def _run_flow(self, flow: Flow[T]) -> T:
        if self.closed:  # before the flow starts, so a wait does not wrap it
            raise self._closed_error()
        return await _flows.run_async(flow, self, sleep=self._workflow_sleep, clock=self._monotonic)

    # Until the clients get their own (engineer api1): the flows' execute primitives.
    async def _send_execute_order(self, order_id: str, stamps: list[str]) -> Any:
        return await self.execute_order(order_id, signatures=stamps)  # type: ignore[attr-defined]

    async def _send_execute_transfer(self, transfer_id: str, stamps: list[str]) -> Any:
        return await self.execute_transfer(transfer_id, signatures=stamps)  # type: ignore[attr-defined]

    async def place_order(
        self,
        *,
        side: OrderSideInput,
        type: OrderTypeInput,
        qty: Amount,
        qty_unit: QtyUnitInput,
        base_asset: str | None = None,
        quote_asset: str | None = None,
        price: Amount | None = None,
        chain: ChainInput | None = None,
        leverage: int | None = None,
        reduce_only: bool | None = None,
        asset_id: str | None = None,
        wait: bool = True,
        wait_for_fill: bool = False,
        timeout: float = ORDER_TIMEOUT,
        accept_issues: bool = False,
        max_payload_age: float = MAX_PAYLOAD_AGE,
        recreate_stale: bool = True,
        raise_on_failure: bool = True,
        signer: PayloadSigner | None = None,
        on_status: StatusCallback | None = None,
    ) -> PlacedOrder:
        """See `SyncWorkflows.place_order`."""
        return await self._run_flow(
            self._place_flow(
                signer,
                on_status,
                side=side,
                type=type,
                qty=qty,
                qty_unit=qty_unit,
                base_asset=base_asset,
                quote_asset=quote_asset,
                price=price,
                chain=chain,
                leverage=leverage,
                reduce_only=reduce_only,
                asset_id=asset_id,
                wait=wait,
                wait_for_fill=wait_for_fill,
                timeout=timeout,
                accept_issues=accept_issues,
                max_payload_age=max_payload_age,
                recreate_stale=recreate_stale,
                raise_on_failure=raise_on_failure,
            )
        )

    async def cancel_order(
        self,
        order_id: str,
        *,
        wait: bool = False,
        timeout: float = ORDER_TIMEOUT,
        signer: PayloadSigner | None = None,
        on_status: StatusCallback | None = None,
    ) -> CancelResult:
        """See `SyncWorkflows.cancel_order`."""
        return await self._run_flow(
            _flows.cancel_order_flow(
                order_id,
                wait=wait,
                timeout=timeout,
                signer=self._signer_source(signer),
                on_status=on_status,
            )
        )

    async def transfer(
        self,
        *,
        asset_id: str | Asset,
        qty: Amount,
        to: str,
        qty_unit: QtyUnitInput = "base",
        network: str | None = None,
        wait: bool = True,
        timeout: float = TRANSFER_TIMEOUT,
        raise_on_failure: bool = True,
        signer: PayloadSigner | None = None,
        on_status: StatusCallback | None = None,
    ) -> TransferResult:
        """See `SyncWorkflows.transfer`."""
        return await self._run_flow(
            self._transfer_flow(
                asset_id=asset_id,
                qty=qty,
                to=to,
                qty_unit=qty_unit,
                network=network,
                wait=wait,
                timeout=timeout,
                raise_on_failure=raise_on_failure,
                signer=signer,
                on_status=on_status,
            )
        )

    async def wait_for_order(
        self,
        order_id: str,
        *,
        timeout: float = ORDER_TIMEOUT,
        wait_for_fill: bool = False,
        raise_on_failure: bool = True,
        on_status: StatusCallback | None = None,
    ) -> Order:
        """See `SyncWorkflows.wait_for_order`."""
        return await self._run_flow(
            _flows.wait_order_flow(
                order_id,
                timeout=timeout,
                wait_for_fill=wait_for_fill,
                raise_on_failure=raise_on_failure,
                on_status=on_status,
            )
        )

    async def wait_for_transfer(
        self,
        transfer_id: str,
        *,
        timeout: float = TRANSFER_TIMEOUT,
        raise_on_failure: bool = True,
        on_status: StatusCallback | None = None,
    ) -> Transfer:
        """See `SyncWorkflows.wait_for_transfer`."""
        return await self._run_flow(
            _flows.wait_transfer_flow(
                transfer_id,
                timeout=timeout,
                raise_on_failure=raise_on_failure,
                on_status=on_status,
            )
        )


_RESULTS = frozenset({"CancelResult", "PlacedOrder", "TransferResult"})


def __getattr__(name: str) -> Any:
    """The result classes live in `models` (attrs), loaded on first use (PEP 562)."""
    if name in _RESULTS:
        from . import models

        value = getattr(models, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
