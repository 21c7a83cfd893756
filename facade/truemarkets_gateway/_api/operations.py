"""The operation table (one `Operation` per Gateway endpoint) and the request builders:
validated arguments in, a `PreparedCall` (request, how to read its answer, error context)
out. Nothing here sends anything; generated endpoint modules load on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

import httpx

from . import validate as _validate

if TYPE_CHECKING:
    from ..errors import ErrorContext
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
        VenueInput,
    )
    from .money import Amount

__all__ = ["OPERATIONS", "Ctx", "Operation", "OrderRequest", "PreparedCall"]

T = TypeVar("T")

# Plain immutable NamedTuples, not attrs classes: this module loads on import of the SDK and a
# PreparedCall is built on every call.


class Operation(NamedTuple):
    """One Gateway endpoint and the policy that follows from it.

    `idempotent` operations retry on any transient failure; the others (orders, transfers:
    the API has no idempotency key) only when the request never left. `public` ones go
    without a token. `reconcile` says what to check after an ambiguous failure.
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

_CHECK = "check get_order_status(order_id) before trying again"
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
            reconcile=f"The order may have been executed: {_CHECK}",
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
            reconcile=f"The cancel may have been accepted: {_CHECK}",
        ),
        Operation(
            "executeCancelOrder",
            "orders.execute_cancel_order",
            idempotent=False,
            reconcile=f"The cancel may have been submitted: {_CHECK}",
        ),
        Operation(
            "cancelOrder",
            "orders.cancel_order",
            idempotent=False,
            reconcile=f"The cancel may have been accepted: {_CHECK}",
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


class Ctx(NamedTuple):
    """What builders read from the client: the Gateway root, and the venue and network
    names of assets seen in list_assets (to check transfers against)."""

    gateway_url: str
    asset_info: dict[str, tuple[str | None, frozenset[str]]]


class OrderRequest(NamedTuple):
    """The fields of `create_order` (and of `place_order`): declared once, here."""

    side: OrderSideInput
    type: OrderTypeInput
    qty: Amount
    qty_unit: QtyUnitInput
    base_asset: str | None = None
    quote_asset: str | None = None
    price: Amount | None = None
    chain: ChainInput | None = None
    leverage: int | None = None
    reduce_only: bool | None = None
    asset_id: str | None = None


class PreparedCall(NamedTuple, Generic[T]):
    """A validated request, ready to send (and to send again), how to read its answer, and
    what an error about it names (`context`: order_id / transfer_id)."""

    op: Operation
    method: str
    path: str
    url: str
    params: Mapping[str, Any] | None
    json: Any
    parse: Callable[[httpx.Response], T]
    context: ErrorContext

    def __repr__(self) -> str:
        # Never the JSON body: an execute call's body holds payload stamps.
        return f"PreparedCall(op={self.op.name!r}, method={self.method!r}, path={self.path!r})"


def _json(response: httpx.Response) -> Any:
    """The JSON body; None for an empty body (202 answers)."""
    return response.json() if response.content else None


def _call(
    ctx: Ctx,
    name: str,
    parse: Callable[[httpx.Response], T],
    *args: Any,
    context: ErrorContext | None = None,
    **kwargs: Any,
) -> PreparedCall[T]:
    op = OPERATIONS[name]
    built = op.build(*args, **kwargs)
    path = built["url"]
    return PreparedCall(
        op,
        built["method"].upper(),
        path,
        ctx.gateway_url + path,
        built.get("params") or None,
        built.get("json"),
        parse,
        context or {},
    )


def _by_order(
    ctx: Ctx, name: str, order_id: str, parse: Callable[[httpx.Response], T], **kw: Any
) -> PreparedCall[T]:
    order_id = _validate.require_id("order_id", order_id)
    return _call(ctx, name, parse, order_id, context={"order_id": order_id}, **kw)


def _execute_body(model: str, stamps: Sequence[str]) -> Any:
    """The execute endpoints' body (the same for orders, cancels and transfers)."""
    from ..signing import execute_body
    from . import convert

    return convert.body_model(model, execute_body(_validate.signatures_list(stamps)))


def build_quote(
    ctx: Ctx,
    *,
    base_asset: str,
    quote_asset: str,
    qty: Amount,
    side: OrderSideInput,
    qty_unit: QtyUnitInput,
) -> PreparedCall[Quote]:
    from . import convert

    body = _validate.quote_body(
        base_asset=base_asset, quote_asset=quote_asset, qty=qty, qty_unit=qty_unit, side=side
    )
    parse = lambda r: convert.quote(r.json())  # noqa: E731
    return _call(ctx, "computeQuote", parse, body=convert.body_model("QuoteRequest", body))


def build_create_order(ctx: Ctx, order: OrderRequest) -> PreparedCall[CreatedOrder]:
    from . import convert

    body = convert.body_model("CreateOrderRequest", _validate.create_order_body(**order._asdict()))
    return _call(ctx, "createOrder", lambda r: convert.created_order(r.json()), body=body)


def build_execute_order(
    ctx: Ctx, order_id: str, stamps: Sequence[str]
) -> PreparedCall[ExecutedOrder]:
    """executeOrder with stamps made already (the execute flow signs)."""
    from . import convert

    order_id = _validate.require_id("order_id", order_id)
    parse = lambda r: convert.executed_order(_json(r), order_id)  # noqa: E731
    body = _execute_body("ExecuteOrderRequest", stamps)
    return _by_order(ctx, "executeOrder", order_id, parse, body=body)


def build_execute_cancel(
    ctx: Ctx, order_id: str, stamps: Sequence[str]
) -> PreparedCall[ExecutedOrder]:
    from . import convert

    order_id = _validate.require_id("order_id", order_id)
    parse = lambda r: convert.executed_order(_json(r), order_id)  # noqa: E731
    body = _execute_body("ExecuteOrderRequest", stamps)
    return _by_order(ctx, "executeCancelOrder", order_id, parse, body=body)


def build_get_order(ctx: Ctx, order_id: str) -> PreparedCall[Order]:
    from . import convert

    return _by_order(ctx, "getOrder", order_id, lambda r: convert.order(r.json()))


def build_get_order_status(ctx: Ctx, order_id: str) -> PreparedCall[OrderStatus]:
    from . import convert

    def parse(response: httpx.Response) -> OrderStatus:
        status = convert.order_status(response.json())
        if status is None:
            raise ValueError("the response has no status")
        return status

    return _by_order(ctx, "getOrderStatus", order_id, parse)


def build_prepare_cancel(ctx: Ctx, order_id: str) -> PreparedCall[CancelPrepared]:
    from . import convert

    order_id = _validate.require_id("order_id", order_id)
    parse = lambda r: convert.cancel_prepared(r.status_code, _json(r), order_id)  # noqa: E731
    return _by_order(ctx, "prepareCancelOrder", order_id, parse)


def build_cancel_deprecated(ctx: Ctx, order_id: str) -> PreparedCall[None]:
    return _by_order(ctx, "cancelOrder", order_id, lambda r: None)


def build_modify(
    ctx: Ctx, order_id: str, price: Amount | None, qty: Amount | None
) -> PreparedCall[None]:
    from . import convert

    body = _validate.modify_order_body(price=price, qty=qty)
    return _by_order(
        ctx,
        "modifyOrder",
        order_id,
        lambda r: None,
        body=convert.body_model("ModifyOrderRequest", body),
    )


def orders_query(
    status: OrderStatusInput | Sequence[OrderStatusInput] | None,
    venue: VenueInput | Sequence[VenueInput] | None,
    limit: int | None,
) -> dict[str, Any]:
    return {
        "status": _validate.csv_filter("status", status),
        "venue": _validate.csv_filter("venue", venue, allowed=_validate.VENUES),
        "limit": _validate.limit_param(limit),
    }


def transfers_query(status: TransferStatusInput | None, limit: int | None) -> dict[str, Any]:
    status_v = _validate.csv_filter("status", status, single=True)
    query: dict[str, Any] = {"limit": _validate.limit_param(limit)}
    if status_v is not None:
        from . import convert

        query["status"] = convert.transfer_status_param(status_v)
    return query


def assets_query(venue: VenueInput | None, limit: int | None) -> dict[str, Any]:
    venue_v = _validate.csv_filter("venue", venue, allowed=_validate.VENUES, single=True)
    query: dict[str, Any] = {"limit": _validate.limit_param(limit)}
    if venue_v is not None:
        from . import convert

        query["venue"] = convert.venue_param(venue_v)
    return query


def build_list_orders(
    ctx: Ctx, query: Mapping[str, Any], cursor: str | None
) -> PreparedCall[Page[Order]]:
    from . import convert

    parse = lambda r: convert.orders_page(r.json())  # noqa: E731
    return _call(ctx, "listOrders", parse, cursor=_validate.cursor_param(cursor), **query)


def build_list_transfers(
    ctx: Ctx, query: Mapping[str, Any], cursor: str | None
) -> PreparedCall[Page[Transfer]]:
    from . import convert

    parse = lambda r: convert.transfers_page(r.json())  # noqa: E731
    return _call(ctx, "listTransfers", parse, cursor=_validate.cursor_param(cursor), **query)


def build_list_assets(
    ctx: Ctx, query: Mapping[str, Any], cursor: str | None
) -> PreparedCall[Page[Asset]]:
    from . import convert

    def parse(response: httpx.Response) -> Page[Asset]:
        page = convert.assets_page(response.json())
        for asset in page.items:
            if asset.id:
                venue = asset.venue.value if asset.venue is not None else None
                ctx.asset_info[asset.id] = (venue, asset.network_names)
        return page

    return _call(ctx, "listAssets", parse, cursor=_validate.cursor_param(cursor), **query)


def build_balances(ctx: Ctx, name: str) -> PreparedCall[Balances]:
    from . import convert

    return _call(ctx, name, lambda r: convert.balances(r.json()))


def build_create_transfer(
    ctx: Ctx,
    *,
    asset_id: str | Asset,
    qty: Amount,
    to: str,
    qty_unit: QtyUnitInput,
    network: str | None,
) -> PreparedCall[Transfer]:
    from ..models import Asset
    from . import convert

    venue: str | None = None
    networks: frozenset[str] = frozenset()
    if isinstance(asset_id, Asset):
        venue = asset_id.venue.value if asset_id.venue is not None else None
        networks = asset_id.network_names
        asset_id = asset_id.id
    elif isinstance(asset_id, str) and asset_id in ctx.asset_info:
        venue, networks = ctx.asset_info[asset_id]
    body = _validate.create_transfer_body(
        asset_id=asset_id,
        qty=qty,
        to=to,
        qty_unit=qty_unit,
        network=network,
        venue=venue,
        known_networks=networks,
    )
    body = convert.body_model("CreateTransferRequest", body)
    return _call(ctx, "createTransfer", lambda r: convert.transfer(r.json()), body=body)


def _by_transfer(ctx: Ctx, name: str, transfer_id: str, **kw: Any) -> PreparedCall[Transfer]:
    from . import convert

    transfer_id = _validate.require_id("transfer_id", transfer_id)
    parse = lambda r: convert.transfer(r.json())  # noqa: E731
    return _call(ctx, name, parse, transfer_id, context={"transfer_id": transfer_id}, **kw)


def build_execute_transfer(
    ctx: Ctx, transfer_id: str, stamps: Sequence[str]
) -> PreparedCall[Transfer]:
    """executeTransfer with stamps made already (the execute flow signs)."""
    body = _execute_body("ExecuteTransferRequest", stamps)
    return _by_transfer(ctx, "executeTransfer", transfer_id, body=body)


def build_get_transfer(ctx: Ctx, transfer_id: str) -> PreparedCall[Transfer]:
    return _by_transfer(ctx, "getTransfer", transfer_id)
