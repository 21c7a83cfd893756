"""The operation table (one `Operation` per Gateway endpoint) and the request builders:
validated arguments in, a `PreparedCall` (request plus how to read its answer) out.

`GatewayBase` inherits `RequestBuilders`; what happens to a call's outcome (retry, error,
logging) lives in `_base.py`. Generated endpoint modules are imported on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

import httpx

from ..errors import OrderNotCreatedError, QuoteIssuesError, ValidationError
from . import validate as _validate

if TYPE_CHECKING:
    from ..models import (
        Asset,
        Balances,
        CancelPrepared,
        ChainInput,
        CreatedOrder,
        ExecutedOrder,
        Order,
        OrderSideInput,
        OrderStatus,
        OrderStatusInput,
        OrderTypeInput,
        Page,
        QtyUnitInput,
        Quote,
        Transfer,
        TransferStatusInput,
        UnsignedPayload,
        VenueInput,
    )
    from ..signing import PayloadSigner
    from .money import Amount

__all__ = ["OPERATIONS", "Operation", "PreparedCall", "RequestBuilders"]

T = TypeVar("T")

# --- the operation table ---------------------------------------------------------------------


# Operation and PreparedCall are plain immutable values (not attrs classes): this module loads
# on import of the SDK, and a PreparedCall is built on every call.


class Operation(NamedTuple):
    """One Gateway endpoint and the policy that follows from it.

    `idempotent` operations retry on any transient failure; the others (orders, transfers:
    the API has no idempotency key) only when the request never left. `public` ones are
    sent without a token. `reconcile` tells the caller what to check after an ambiguous
    failure of a non-idempotent call.
    """

    name: str
    module: str
    idempotent: bool
    public: bool = False
    reconcile: str = ""

    def build(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The generated `_get_kwargs(...)`: method, relative url, params, json."""
        builder = _BUILDERS.get(self.module)
        if builder is None:
            module = importlib.import_module(f"truemarkets_gateway_client.api.{self.module}")
            builder = _BUILDERS[self.module] = module._get_kwargs
        result: dict[str, Any] = builder(*args, **kwargs)
        return result


_BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {}

_ORDER_CHECK = "check get_order_status(order_id) before trying again"
OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation("computeQuote", "quotes.compute_quote", idempotent=True, public=True),
        Operation(
            "createOrder",
            "orders.create_order",
            idempotent=False,
            reconcile="The order may have been created: reconcile with list_orders "
            "(or get_order) before placing it again",
        ),
        Operation("listOrders", "orders.list_orders", idempotent=True),
        Operation("getOrder", "orders.get_order", idempotent=True),
        Operation("getOrderStatus", "orders.get_order_status", idempotent=True),
        Operation(
            "executeOrder",
            "orders.execute_order",
            idempotent=False,
            reconcile=f"The order may have been executed: {_ORDER_CHECK}",
        ),
        Operation(
            "modifyOrder",
            "orders.modify_order",
            idempotent=False,
            reconcile="The change may have been accepted: check get_order(order_id)",
        ),
        Operation(
            "prepareCancelOrder",
            "orders.prepare_cancel_order",
            idempotent=False,
            reconcile=f"The cancel may have been accepted: {_ORDER_CHECK}",
        ),
        Operation(
            "executeCancelOrder",
            "orders.execute_cancel_order",
            idempotent=False,
            reconcile=f"The cancel may have been submitted: {_ORDER_CHECK}",
        ),
        Operation(
            "cancelOrder",
            "orders.cancel_order",
            idempotent=False,
            reconcile=f"The cancel may have been accepted: {_ORDER_CHECK}",
        ),
        Operation(
            "createTransfer",
            "transfers.create_transfer",
            idempotent=False,
            reconcile="The transfer may have been created: reconcile with list_transfers "
            "before sending it again",
        ),
        Operation("listTransfers", "transfers.list_transfers", idempotent=True),
        Operation("getTransfer", "transfers.get_transfer", idempotent=True),
        Operation(
            "executeTransfer",
            "transfers.execute_transfer",
            idempotent=False,
            reconcile="The transfer may have been executed: check get_transfer(transfer_id) "
            "before trying again",
        ),
        Operation("listAssets", "assets.list_assets", idempotent=True, public=True),
        Operation("getBalances", "balances.get_balances", idempotent=True),
        Operation("listBalances", "balances.list_balances", idempotent=True),
    )
}


class PreparedCall(NamedTuple, Generic[T]):
    """A validated request, ready to send (and to send again), and how to read its answer."""

    op: Operation
    method: str
    path: str
    url: str
    params: Mapping[str, Any] | None
    json: Any
    parse: Callable[[httpx.Response], T]

    def __repr__(self) -> str:
        # Never the JSON body: an execute call's body holds payload stamps.
        return f"PreparedCall(op={self.op.name!r}, method={self.method!r}, path={self.path!r})"


def _json(response: httpx.Response) -> Any:
    """The JSON body; None for an empty body (202 answers)."""
    if not response.content:
        return None
    return response.json()


# --- the request builders ----------------------------------------------------------------------


class RequestBuilders:
    """One `_prep_*` method per operation: validate, build the body, return a `PreparedCall`.

    Nothing here sends anything; `GatewayBase` supplies the attributes declared below.
    """

    _gateway_url: str
    # Venue and network names of assets seen in list_assets, to check transfers against.
    _asset_info: dict[str, tuple[str | None, frozenset[str]]]

    if TYPE_CHECKING:

        @property
        def signer(self) -> PayloadSigner: ...

    def _call(
        self, op: Operation, parse: Callable[[httpx.Response], T], *args: Any, **kwargs: Any
    ) -> PreparedCall[T]:
        built = op.build(*args, **kwargs)
        path = built["url"]
        return PreparedCall(
            op=op,
            method=built["method"].upper(),
            path=path,
            url=self._gateway_url + path,
            params=built.get("params") or None,
            json=built.get("json"),
            parse=parse,
        )

    def _prep_quote(
        self,
        *,
        base_asset: str,
        quote_asset: str,
        qty: Amount,
        side: OrderSideInput,
        qty_unit: QtyUnitInput,
    ) -> PreparedCall[Quote]:
        from . import convert as _convert

        body = _validate.quote_body(
            base_asset=base_asset, quote_asset=quote_asset, qty=qty, qty_unit=qty_unit, side=side
        )
        return self._call(
            OPERATIONS["computeQuote"],
            lambda r: _convert.quote(r.json()),
            body=_convert.body_model("QuoteRequest", body),
        )

    def _prep_create_order(
        self,
        *,
        side: OrderSideInput,
        type: OrderTypeInput,
        qty: Amount,
        qty_unit: QtyUnitInput,
        base_asset: str | None,
        quote_asset: str | None,
        price: Amount | None,
        chain: ChainInput | None,
        leverage: int | None,
        reduce_only: bool | None,
        asset_id: str | None,
    ) -> PreparedCall[CreatedOrder]:
        from . import convert as _convert

        body = _validate.create_order_body(
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
        )
        return self._call(
            OPERATIONS["createOrder"],
            lambda r: _convert.created_order(r.json()),
            body=_convert.body_model("CreateOrderRequest", body),
        )

    def _stamps(
        self,
        payloads: Sequence[UnsignedPayload],
        signatures: Sequence[str] | None,
        signer: PayloadSigner | None,
        what: str,
    ) -> list[str]:
        if signatures is None:
            if not payloads:
                raise ValidationError(
                    "signatures", f"{what} has no payloads to sign; pass signatures= explicitly"
                )
            signatures = (signer or self.signer).sign_payloads(payloads)
        stamps = _validate.signatures_list(signatures)
        if payloads and len(stamps) != len(payloads):
            raise ValidationError(
                "signatures", f"need one stamp per payload: {len(payloads)}, got {len(stamps)}"
            )
        return stamps

    def _prep_execute_order(
        self,
        order: CreatedOrder | str,
        signatures: Sequence[str] | None,
        signer: PayloadSigner | None,
        accept_issues: bool = False,
    ) -> PreparedCall[ExecutedOrder]:
        from ..models import CreatedOrder
        from . import convert as _convert

        if isinstance(order, CreatedOrder):
            if not order.order_created:
                raise OrderNotCreatedError(
                    "no order was created (empty order_id), so there is nothing to execute; "
                    "see quote.issues",
                    quote=order.quote,
                )
            order_id = order.order_id
            issues = order.quote.issues if order.quote is not None else ()
            if issues and signatures is None and not accept_issues:
                # The same rule as place_order: never sign over a quote that reports issues.
                raise QuoteIssuesError(
                    f"order {order_id} was created but not signed: the quote reports "
                    + "; ".join(repr(i) for i in issues)
                    + ". Pass accept_issues=True to sign anyway.",
                    order_id=order_id,
                    issues=issues,
                    quote=order.quote,
                )
            stamps = self._stamps(order.payloads, signatures, signer, "the order")
        else:
            order_id = _validate.require_id("order_id", order)
            if signatures is None:
                raise ValidationError(
                    "signatures", "required when the order is given by id (no payloads to sign)"
                )
            stamps = _validate.signatures_list(signatures)
        return self._call(
            OPERATIONS["executeOrder"],
            lambda r: _convert.executed_order(_json(r), order_id),
            order_id,
            body=_execute_body("ExecuteOrderRequest", stamps),
        )

    def _prep_by_id(self, name: str, order_id: str, parse: Callable[[Any], T]) -> PreparedCall[T]:
        order_id = _validate.require_id("order_id", order_id)
        return self._call(OPERATIONS[name], lambda r: parse(r.json()), order_id)

    def _prep_get_order(self, order_id: str) -> PreparedCall[Order]:
        from . import convert as _convert

        return self._prep_by_id("getOrder", order_id, _convert.order)

    def _prep_get_order_status(self, order_id: str) -> PreparedCall[OrderStatus]:
        from . import convert as _convert

        def parse(data: Any) -> OrderStatus:
            status = _convert.order_status(data)
            if status is None:
                raise ValueError("the response has no status")
            return status

        return self._prep_by_id("getOrderStatus", order_id, parse)

    def _prep_prepare_cancel(self, order_id: str) -> PreparedCall[CancelPrepared]:
        from . import convert as _convert

        order_id = _validate.require_id("order_id", order_id)
        return self._call(
            OPERATIONS["prepareCancelOrder"],
            lambda r: _convert.cancel_prepared(r.status_code, _json(r), order_id),
            order_id,
        )

    def _prep_execute_cancel(
        self, order_id: str, signatures: Sequence[str]
    ) -> PreparedCall[ExecutedOrder]:
        from . import convert as _convert

        order_id = _validate.require_id("order_id", order_id)
        stamps = _validate.signatures_list(signatures)
        return self._call(
            OPERATIONS["executeCancelOrder"],
            lambda r: _convert.executed_order(_json(r), order_id),
            order_id,
            body=_execute_body("ExecuteOrderRequest", stamps),
        )

    def _prep_cancel_deprecated(self, order_id: str) -> PreparedCall[None]:
        order_id = _validate.require_id("order_id", order_id)
        return self._call(OPERATIONS["cancelOrder"], lambda r: None, order_id)

    def _prep_modify(
        self, order_id: str, price: Amount | None, qty: Amount | None
    ) -> PreparedCall[None]:
        from . import convert as _convert

        order_id = _validate.require_id("order_id", order_id)
        body = _validate.modify_order_body(price=price, qty=qty)
        return self._call(
            OPERATIONS["modifyOrder"],
            lambda r: None,
            order_id,
            body=_convert.body_model("ModifyOrderRequest", body),
        )

    def _orders_query(
        self,
        status: OrderStatusInput | Sequence[OrderStatusInput] | None,
        venue: VenueInput | Sequence[VenueInput] | None,
        limit: int | None,
    ) -> dict[str, Any]:
        return {
            "status": _validate.csv_filter("status", status),
            "venue": _validate.csv_filter("venue", venue, allowed=_validate.VENUES),
            "limit": _validate.limit_param(limit),
        }

    def _prep_list_orders(
        self, query: Mapping[str, Any], cursor: str | None
    ) -> PreparedCall[Page[Order]]:
        from . import convert as _convert

        return self._call(
            OPERATIONS["listOrders"],
            lambda r: _convert.orders_page(r.json()),
            cursor=_validate.cursor_param(cursor),
            **query,
        )

    def _transfers_query(
        self, status: TransferStatusInput | None, limit: int | None
    ) -> dict[str, Any]:
        status_v = _validate.csv_filter("status", status, single=True)
        query: dict[str, Any] = {"limit": _validate.limit_param(limit)}
        if status_v is not None:
            from . import convert as _convert

            query["status"] = _convert.transfer_status_param(status_v)
        return query

    def _prep_list_transfers(
        self, query: Mapping[str, Any], cursor: str | None
    ) -> PreparedCall[Page[Transfer]]:
        from . import convert as _convert

        return self._call(
            OPERATIONS["listTransfers"],
            lambda r: _convert.transfers_page(r.json()),
            cursor=_validate.cursor_param(cursor),
            **query,
        )

    def _assets_query(self, venue: VenueInput | None, limit: int | None) -> dict[str, Any]:
        venue_v = _validate.csv_filter("venue", venue, allowed=_validate.VENUES, single=True)
        query: dict[str, Any] = {"limit": _validate.limit_param(limit)}
        if venue_v is not None:
            from . import convert as _convert

            query["venue"] = _convert.venue_param(venue_v)
        return query

    def _prep_list_assets(
        self, query: Mapping[str, Any], cursor: str | None
    ) -> PreparedCall[Page[Asset]]:
        from . import convert as _convert

        def parse(response: httpx.Response) -> Page[Asset]:
            page = _convert.assets_page(response.json())
            for asset in page.items:
                if asset.id:
                    venue = asset.venue.value if asset.venue is not None else None
                    self._asset_info[asset.id] = (venue, asset.network_names)
            return page

        return self._call(
            OPERATIONS["listAssets"], parse, cursor=_validate.cursor_param(cursor), **query
        )

    def _prep_balances(self, name: str) -> PreparedCall[Balances]:
        from . import convert as _convert

        return self._call(OPERATIONS[name], lambda r: _convert.balances(r.json()))

    def _prep_create_transfer(
        self,
        *,
        asset_id: str | Asset,
        qty: Amount,
        to: str,
        qty_unit: QtyUnitInput,
        network: str | None,
    ) -> PreparedCall[Transfer]:
        from ..models import Asset
        from . import convert as _convert

        venue: str | None = None
        networks: frozenset[str] = frozenset()
        if isinstance(asset_id, Asset):
            venue = asset_id.venue.value if asset_id.venue is not None else None
            networks = asset_id.network_names
            asset_id = asset_id.id
        elif isinstance(asset_id, str) and asset_id in self._asset_info:
            venue, networks = self._asset_info[asset_id]
        body = _validate.create_transfer_body(
            asset_id=asset_id,
            qty=qty,
            to=to,
            qty_unit=qty_unit,
            network=network,
            venue=venue,
            known_networks=networks,
        )
        return self._call(
            OPERATIONS["createTransfer"],
            lambda r: _convert.transfer(r.json()),
            body=_convert.body_model("CreateTransferRequest", body),
        )

    def _prep_execute_transfer(
        self,
        transfer: Transfer | str,
        signatures: Sequence[str] | None,
        signer: PayloadSigner | None,
    ) -> PreparedCall[Transfer]:
        from ..models import Transfer
        from . import convert as _convert

        if isinstance(transfer, Transfer):
            transfer_id = _validate.require_id("transfer_id", transfer.id)
            stamps = self._stamps(transfer.payloads, signatures, signer, "the transfer")
        else:
            transfer_id = _validate.require_id("transfer_id", transfer)
            if signatures is None:
                raise ValidationError(
                    "signatures", "required when the transfer is given by id (no payloads)"
                )
            stamps = _validate.signatures_list(signatures)
        return self._call(
            OPERATIONS["executeTransfer"],
            lambda r: _convert.transfer(r.json()),
            transfer_id,
            body=_execute_body("ExecuteTransferRequest", stamps),
        )

    def _prep_get_transfer(self, transfer_id: str) -> PreparedCall[Transfer]:
        from . import convert as _convert

        transfer_id = _validate.require_id("transfer_id", transfer_id)
        return self._call(
            OPERATIONS["getTransfer"], lambda r: _convert.transfer(r.json()), transfer_id
        )


def _execute_body(model: str, stamps: list[str]) -> Any:
    """The execute endpoints' body (the same for orders, cancels and transfers)."""
    from ..signing import execute_body
    from . import convert as _convert

    return _convert.body_model(model, execute_body(stamps))
