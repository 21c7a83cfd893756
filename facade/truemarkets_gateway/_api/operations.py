"""The operation table (one `Operation` per endpoint) and the request builders: validated
arguments in, a `PreparedCall` out. No I/O; generated modules load on first use."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

import httpx

from . import validate as _validate
from .secret import Secret, reveal

if TYPE_CHECKING:
    from .. import models as m
    from ..errors import ErrorContext
    from .money import Amount

__all__ = ["OPERATIONS", "Ctx", "Operation", "OrderRequest", "PreparedCall"]

T = TypeVar("T")

# NamedTuples, not attrs: this module loads with the SDK and a PreparedCall is made per call.


class Operation(NamedTuple):
    """One endpoint and its policy: `idempotent` ones retry any transient failure, the others
    only when the request never left; `public` ones go without a token; `reconcile` says
    what to check after an ambiguous failure."""

    name: str
    module: str
    idempotent: bool
    public: bool = False
    reconcile: str = ""

    def build(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The generated `_get_kwargs(...)`: method, relative url, params, json."""
        builder = _BUILDERS.get(self.module)
        if builder is None:
            package = "account" if self.name in _ACCOUNT else "gateway"
            module = importlib.import_module(f"truemarkets_{package}_client.api.{self.module}")
            builder = _BUILDERS[self.module] = module._get_kwargs
        result: dict[str, Any] = builder(*args, **kwargs)
        return result


_BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {}

_CHECK = "check get_order_status(order_id) before trying again"
# What to check after an ambiguous failure of each non-idempotent operation (the rest retry).
_RECONCILE = {
    "createOrder": "The order may have been created: reconcile with list_orders (or get_order) "
    "before placing it again",
    "executeOrder": f"The order may have been executed: {_CHECK}",
    "modifyOrder": "The change may have been accepted: check get_order(order_id)",
    "prepareCancelOrder": f"The cancel may have been accepted: {_CHECK}",
    "executeCancelOrder": f"The cancel may have been submitted: {_CHECK}",
    "cancelOrder": f"The cancel may have been accepted: {_CHECK}",
    "createTransfer": "The transfer may have been created: reconcile with list_transfers before "
    "sending it again",
    "executeTransfer": "The transfer may have been executed: check get_transfer(transfer_id) "
    "before trying again",
}
_PUBLIC = {"computeQuote", "listAssets"}
_ACCOUNT = {"createOrganizationUser"}  # idempotent on external_ref_id, so it retries a 503


def _operation(module: str) -> Operation:
    first, *rest = module.split(".")[1].split("_")  # orders.get_order_status: getOrderStatus
    name = first + "".join(word.title() for word in rest)
    return Operation(
        name, module, name not in _RECONCILE, name in _PUBLIC, _RECONCILE.get(name, "")
    )


_MODULES = """
quotes.compute_quote orders.create_order orders.list_orders orders.get_order
orders.get_order_status orders.execute_order orders.modify_order orders.prepare_cancel_order
orders.execute_cancel_order orders.cancel_order transfers.create_transfer
transfers.list_transfers transfers.get_transfer transfers.execute_transfer assets.list_assets
balances.get_balances balances.list_balances portfolio.get_portfolio
portfolio.list_transactions organizations.create_organization_user
"""
OPERATIONS: dict[str, Operation] = {op.name: op for op in map(_operation, _MODULES.split())}


class Ctx(NamedTuple):
    """The roots, and the venue and networks of assets seen (to check transfers against)."""

    gateway_url: str
    asset_info: dict[str, tuple[str | None, frozenset[str]]]
    account_url: str = ""


class OrderRequest(NamedTuple):
    """The fields of `create_order` (and of `place_order`): declared once, here."""

    side: m.OrderSideInput
    type: m.OrderTypeInput
    qty: Amount
    qty_unit: m.QtyUnitInput
    base_asset: str | None = None
    quote_asset: str | None = None
    price: Amount | None = None
    chain: m.ChainInput | None = None
    leverage: int | None = None
    reduce_only: bool | None = None
    asset_id: str | None = None


class PreparedCall(NamedTuple, Generic[T]):
    """A validated request (to send, and send again), its reader, and its error context."""

    op: Operation
    method: str
    path: str
    url: str
    params: Mapping[str, Any] | None
    json: Secret[Any]  # the body: an execute call's holds payload stamps
    parse: Callable[[httpx.Response], T]
    context: ErrorContext

    def __repr__(self) -> str:
        return f"PreparedCall(op={self.op.name!r}, method={self.method!r}, path={self.path!r})"


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
        (ctx.account_url if name in _ACCOUNT else ctx.gateway_url) + path,
        built.get("params") or None,
        Secret(built.get("json")),
        parse,
        context or {},
    )


def _read(
    name: str, *extra: Any, empty_ok: bool = False, status: bool = False
) -> Callable[[httpx.Response], Any]:
    """`convert.<name>([status code,] json body, *extra)`; `empty_ok`: an empty body as None."""

    def parse(response: httpx.Response) -> Any:
        reader = _READERS.get(name)
        if reader is None:  # convert loads on the first answer, not with the SDK
            from . import convert

            reader = _READERS[name] = getattr(convert, name)
        body = None if empty_ok and not response.content else response.json()
        return reader(response.status_code, body, *extra) if status else reader(body, *extra)

    return parse


_READERS: dict[str, Callable[..., Any]] = {}


class _Json(dict[str, Any]):
    """A validated body in the shape the generated `_get_kwargs` takes (it calls `to_dict`).
    Tests check that each body survives the generated model's round trip unchanged, so that
    costly round trip is not paid per call."""

    def to_dict(self) -> dict[str, Any]:
        return self


def _execute_body(stamps: Sequence[str | Secret[str]]) -> _Json:
    """The execute endpoints' body (the same for orders, cancels and transfers); the
    flows' `Secret` stamps are revealed only here."""
    from ..signing import execute_body

    stamps = [reveal(s) for s in stamps] if isinstance(stamps, list | tuple) else stamps
    return _Json(execute_body(_validate.signatures_list(stamps)))


def build_quote(ctx: Ctx, **fields: Any) -> PreparedCall[m.Quote]:
    """computeQuote from `quote`'s keyword arguments."""
    body = _Json(_validate.quote_body(**fields))
    return _call(ctx, "computeQuote", _read("quote"), body=body)


def build_create_order(ctx: Ctx, order: OrderRequest) -> PreparedCall[m.CreatedOrder]:
    body = _Json(_validate.create_order_body(**order._asdict()))
    return _call(ctx, "createOrder", _read("created_order"), body=body)


def _order(
    ctx: Ctx,
    name: str,
    order_id: str,
    parse: Callable[[httpx.Response], T] | str,
    status: bool = False,
    **kw: Any,
) -> PreparedCall[T]:
    """A call on one order (its id checked; errors about it name it). `parse` as a string:
    `convert.<parse>([status code,] body or None, order_id)`."""
    order_id = _validate.require_id("order_id", order_id)
    if isinstance(parse, str):
        parse = _read(parse, order_id, empty_ok=True, status=status)
    return _call(ctx, name, parse, order_id, context={"order_id": order_id}, **kw)


def build_execute_order(
    ctx: Ctx, order_id: str, stamps: Sequence[str | Secret[str]], name: str = "executeOrder"
) -> PreparedCall[m.ExecutedOrder]:
    """executeOrder (or executeCancelOrder) with stamps made already (the flows sign)."""
    body = _execute_body(stamps)
    return _order(ctx, name, order_id, "executed_order", body=body)


def build_get_order(ctx: Ctx, order_id: str) -> PreparedCall[m.Order]:
    return _order(ctx, "getOrder", order_id, _read("order"))


def build_get_order_status(ctx: Ctx, order_id: str) -> PreparedCall[m.OrderStatus]:
    return _order(ctx, "getOrderStatus", order_id, _read("order_status"))


def build_prepare_cancel(ctx: Ctx, order_id: str) -> PreparedCall[m.CancelPrepared]:
    return _order(ctx, "prepareCancelOrder", order_id, "cancel_prepared", status=True)


def build_cancel_deprecated(ctx: Ctx, order_id: str) -> PreparedCall[None]:
    return _order(ctx, "cancelOrder", order_id, lambda r: None)


def build_modify(
    ctx: Ctx, order_id: str, price: Amount | None, qty: Amount | None
) -> PreparedCall[None]:
    body = _Json(_validate.modify_order_body(price=price, qty=qty))
    return _order(ctx, "modifyOrder", order_id, lambda r: None, body=body)


def orders_query(
    status: m.OrderStatusInput | Sequence[m.OrderStatusInput] | None,
    venue: m.VenueInput | Sequence[m.VenueInput] | None,
    limit: int | None,
) -> dict[str, Any]:
    return {
        "status": _validate.csv_filter("status", status),
        "venue": _validate.csv_filter("venue", venue, allowed=_validate.VENUES),
        "limit": _validate.limit_param(limit),
    }


def _one_filter(field: str, value: Any, param: str, limit: int | None, **kw: Any) -> dict[str, Any]:
    """`limit`, and one filter `field` as the generated enum `convert.<param>(value)`."""
    checked = _validate.csv_filter(field, value, single=True, **kw)
    query: dict[str, Any] = {"limit": _validate.limit_param(limit)}
    if checked is not None:
        from . import convert

        query[field] = getattr(convert, param)(checked)
    return query


def transfers_query(status: m.TransferStatusInput | None, limit: int | None) -> dict[str, Any]:
    return _one_filter("status", status, "transfer_status_param", limit)


def assets_query(venue: m.VenueInput | None, limit: int | None) -> dict[str, Any]:
    return _one_filter("venue", venue, "venue_param", limit, allowed=_validate.VENUES)


def build_list_orders(
    ctx: Ctx, query: Mapping[str, Any], cursor: str | None
) -> PreparedCall[m.Page[m.Order]]:
    cursor = _validate.cursor_param(cursor)
    return _call(ctx, "listOrders", _read("orders_page"), cursor=cursor, **query)


def build_list_transfers(
    ctx: Ctx, query: Mapping[str, Any], cursor: str | None
) -> PreparedCall[m.Page[m.Transfer]]:
    cursor = _validate.cursor_param(cursor)
    return _call(ctx, "listTransfers", _read("transfers_page"), cursor=cursor, **query)


def _asset_info(asset: m.Asset) -> tuple[str | None, frozenset[str]]:
    return (asset.venue.value if asset.venue is not None else None), asset.network_names


def build_list_assets(
    ctx: Ctx, query: Mapping[str, Any], cursor: str | None
) -> PreparedCall[m.Page[m.Asset]]:
    read = _read("assets_page")

    def parse(response: httpx.Response) -> m.Page[m.Asset]:
        page: m.Page[m.Asset] = read(response)
        for asset in page.items:  # remembered, to check transfers of these assets
            if asset.id:
                ctx.asset_info[asset.id] = _asset_info(asset)
        return page

    cursor = _validate.cursor_param(cursor)
    return _call(ctx, "listAssets", parse, cursor=cursor, **query)


def build_balances(ctx: Ctx, name: str) -> PreparedCall[m.Balances]:
    return _call(ctx, name, _read("balances"))


def build_portfolio(ctx: Ctx) -> PreparedCall[m.Portfolio]:
    return _call(ctx, "getPortfolio", _read("portfolio"))


def build_list_transactions(
    ctx: Ctx, query: Mapping[str, Any], cursor: str | None
) -> PreparedCall[m.Page[m.TransactionDetail]]:
    limit, cursor = _validate.limit_param(query.get("limit")), _validate.cursor_param(cursor)
    return _call(ctx, "listTransactions", _read("transactions_page"), cursor=cursor, limit=limit)


def build_create_user(
    ctx: Ctx, organization_id: str, external_ref_id: str, public_key_hex: str
) -> PreparedCall[m.OrganizationUser]:
    """createOrganizationUser: register a user's signer key (its compressed public key)."""
    org = _validate.require_id("organization_id", organization_id)
    body = _Json(
        external_ref_id=_validate.require_id("external_ref_id", external_ref_id),
        signer_public_key=public_key_hex,
    )
    return _call(ctx, "createOrganizationUser", _read("organization_user"), org, body=body)


def build_create_transfer(
    ctx: Ctx, *, asset_id: str | m.Asset, network: str | None, **fields: Any
) -> PreparedCall[m.Transfer]:
    """createTransfer; `network` is checked against what is known of the asset."""
    from .. import models as m

    info = None
    if isinstance(asset_id, m.Asset):
        info, asset_id = _asset_info(asset_id), asset_id.id
    elif isinstance(asset_id, str):
        info = ctx.asset_info.get(asset_id)
    venue, networks = info or (None, frozenset())
    body = _validate.create_transfer_body(
        asset_id=asset_id, network=network, venue=venue, known_networks=networks, **fields
    )
    return _call(ctx, "createTransfer", _read("transfer"), body=_Json(body))


def _transfer(ctx: Ctx, name: str, transfer_id: str, **kw: Any) -> PreparedCall[m.Transfer]:
    transfer_id = _validate.require_id("transfer_id", transfer_id)
    context: ErrorContext = {"transfer_id": transfer_id}
    return _call(ctx, name, _read("transfer"), transfer_id, context=context, **kw)


def build_execute_transfer(
    ctx: Ctx, transfer_id: str, stamps: Sequence[str | Secret[str]]
) -> PreparedCall[m.Transfer]:
    """executeTransfer with stamps made already (the execute flow signs)."""
    body = _execute_body(stamps)
    return _transfer(ctx, "executeTransfer", transfer_id, body=body)


def build_get_transfer(ctx: Ctx, transfer_id: str) -> PreparedCall[m.Transfer]:
    return _transfer(ctx, "getTransfer", transfer_id)
