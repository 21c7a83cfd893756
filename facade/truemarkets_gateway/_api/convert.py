"""Generated models and JSON bodies -> public result types (Decimal, datetime, open enums).

The only module that knows generated model classes (`_operations.py` names the request
body models it asks `body_model` for), so a regeneration touches one adapter layer.
Request bodies go through the generated models' `from_dict` (so our field names are
checked against the spec) and 2xx bodies are parsed by them.
This module is itself imported on first use, so `import truemarkets_gateway` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from truemarkets_gateway_client.types import Unset

from ..models import (
    Asset,
    AssetNetwork,
    Balance,
    Balances,
    CancelPrepared,
    Chain,
    CreatedOrder,
    ExecutedOrder,
    Order,
    OrderSide,
    OrderStatus,
    OrderType,
    Page,
    QtyUnit,
    Quote,
    QuoteDetails,
    Transfer,
    TransferStatus,
    UnsignedPayload,
    Venue,
)
from .money import parse_amount, parse_decimal

__all__ = [
    "assets_page",
    "balances",
    "body_model",
    "cancel_prepared",
    "created_order",
    "executed_order",
    "order",
    "order_status",
    "orders_page",
    "quote",
    "transfer",
    "transfer_status_param",
    "transfers_page",
    "venue_param",
]

E = TypeVar("E", OrderStatus, TransferStatus, OrderSide, OrderType, QtyUnit, Venue, Chain)


def _get(value: Any) -> Any:
    """The generated `UNSET` (and None) as None; anything else as is."""
    return None if value is None or value.__class__ is Unset else value


def _str(value: Any) -> str | None:
    if value is None or value.__class__ is Unset:
        return None
    return value if value.__class__ is str else str(value)


def _int(value: Any) -> int | None:
    value = _get(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _bool(value: Any) -> bool | None:
    value = _get(value)
    return value if isinstance(value, bool) else None


def _enum(cls: type[E], value: Any) -> E | None:
    if value is None or value.__class__ is Unset:
        return None
    text = value if value.__class__ is str else str(value)
    if not text:
        return None
    # A known value straight from the member map (what `cls(text)` looks up first); an
    # unknown one through `cls(text)`, which makes the open-enum member.
    member = cls._value2member_map_.get(text)
    return cls(text) if member is None else member  # type: ignore[return-value]


def _time(value: Any) -> datetime | None:
    value = _get(value)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _extra(model: Any) -> dict[str, Any]:
    extra = getattr(model, "additional_properties", None)
    return dict(extra) if extra else {}


def _payloads(items: Any) -> tuple[UnsignedPayload, ...]:
    items = _get(items)
    if not items:
        return ()
    out = []
    for item in items:
        if isinstance(item, Mapping):
            text, digest = item.get("payload"), item.get("digest")
        else:
            text, digest = _get(item.payload), _get(item.digest)
        if not isinstance(text, str) or not text:
            # Signing anything else would approve the wrong bytes; refuse to read it.
            raise ValueError("a payload without its text")
        out.append(UnsignedPayload(text, digest if isinstance(digest, str) else ""))
    return tuple(out)


def _issues(items: Any) -> tuple[str, ...]:
    """Issues as text: the current API sends strings, the older DeFi API `{message, ...}`."""
    items = _get(items)
    if not items:
        return ()
    out = []
    for item in items:
        if isinstance(item, Mapping):
            out.append(str(item.get("message", "")) or str(dict(item)))
        else:
            out.append(str(item))
    return tuple(out)


# --- request bodies ---------------------------------------------------------------------------


def body_model(name: str, body: Mapping[str, Any]) -> Any:
    """A generated request model built from a validated JSON body."""
    from truemarkets_gateway_client import models

    from ..errors import ValidationError

    try:
        return getattr(models, name).from_dict(body)
    except (ValueError, TypeError, KeyError) as exc:  # a rule _validate does not know yet
        raise ValidationError("body", f"{name} refused it: {exc}") from None


def transfer_status_param(status: str) -> Any:
    """The generated `TransferStatus` for a validated `status` query value."""
    from truemarkets_gateway_client.models import TransferStatus as GeneratedTransferStatus

    return GeneratedTransferStatus(status)


def venue_param(venue: str) -> Any:
    """The generated `Venue` for a validated `venue` query value."""
    from truemarkets_gateway_client.models import Venue as GeneratedVenue

    return GeneratedVenue(venue)


# --- results ----------------------------------------------------------------------------------


def quote(data: Any) -> Quote:
    from truemarkets_gateway_client.models import QuoteResponse

    model = QuoteResponse.from_dict(data)
    extra = _extra(model)
    return Quote(
        qty=parse_amount(_get(model.qty), "qty", extra),
        price=parse_amount(_get(model.price), "price", extra),
        extra=extra,
    )


def _quote_details(model: Any) -> QuoteDetails | None:
    model = _get(model)
    if model is None:
        return None
    extra = _extra(model)
    return QuoteDetails(
        base_asset=_str(model.base_asset),
        quote_asset=_str(model.quote_asset),
        qty=parse_amount(_get(model.qty), "qty", extra),
        qty_out=parse_amount(_get(model.qty_out), "qty_out", extra),
        fee=parse_amount(_get(model.fee), "fee", extra),
        fee_asset=_str(model.fee_asset),
        issues=_issues(model.issues),
        extra=extra,
    )


def created_order(data: Any) -> CreatedOrder:
    from truemarkets_gateway_client.models import CreateOrderResponse

    model = CreateOrderResponse.from_dict(data)
    return CreatedOrder(
        order_id=_str(model.order_id) or "",
        status=_enum(OrderStatus, model.status),
        payloads=_payloads(model.payloads),
        quote=_quote_details(model.quote),
        extra=_extra(model),
    )


def executed_order(data: Any, order_id: str) -> ExecutedOrder:
    from truemarkets_gateway_client.models import ExecuteOrderResponse

    model = ExecuteOrderResponse.from_dict(data if isinstance(data, Mapping) else {})
    return ExecutedOrder(
        order_id=order_id, status=_enum(OrderStatus, model.status), extra=_extra(model)
    )


def order_status(data: Any) -> OrderStatus | None:
    from truemarkets_gateway_client.models import GetOrderStatusResponse

    return _enum(OrderStatus, GetOrderStatusResponse.from_dict(data).status)


def _order(model: Any) -> Order:
    extra = _extra(model)
    return Order(
        order_id=_str(model.order_id) or "",
        status=_enum(OrderStatus, model.status),
        side=_enum(OrderSide, model.side),
        type=_enum(OrderType, model.type_),
        venue=_enum(Venue, model.venue),
        base_asset=_str(model.base_asset),
        quote_asset=_str(model.quote_asset),
        price=parse_amount(_get(model.price), "price", extra),
        qty=parse_amount(_get(model.qty), "qty", extra),
        executed_qty=parse_amount(_get(model.executed_qty), "executed_qty", extra),
        leaves_qty=parse_amount(_get(model.leaves_qty), "leaves_qty", extra),
        executed_vwap=parse_amount(_get(model.executed_vwap), "executed_vwap", extra),
        fee=parse_amount(_get(model.fee), "fee", extra),
        tx_hash=_str(model.tx_hash),
        created_at=_time(model.created_at),
        asset_id=_str(model.asset_id),
        asset_symbol=_str(model.asset_symbol),
        qty_unit=_enum(QtyUnit, model.qty_unit),
        chain=_enum(Chain, model.chain),
        explorer_url=_str(model.explorer_url),
        failure_reason=_str(model.failure_reason),
        extra=extra,
    )


def order(data: Any) -> Order:
    from truemarkets_gateway_client.models import OrderDetail

    return _order(OrderDetail.from_dict(data))


def cancel_prepared(status_code: int, data: Any, order_id: str) -> CancelPrepared:
    """202: a CeFi cancel taken as is. 200: payloads to stamp (a resting DeFi order)."""
    from truemarkets_gateway_client.models import CancelOrderResponse

    body = data if isinstance(data, Mapping) else {}
    model = CancelOrderResponse.from_dict(body)
    payloads = _payloads(model.payloads)
    return CancelPrepared(
        order_id=order_id,
        payloads=payloads,
        accepted=status_code == 202 or not payloads,
        extra=_extra(model),
    )


def _transfer(model: Any) -> Transfer:
    extra = _extra(model)
    return Transfer(
        id=_str(model.id) or "",
        status=_enum(TransferStatus, model.status),
        venue=_enum(Venue, model.venue),
        asset_id=_str(model.asset_id),
        asset_symbol=_str(model.asset_symbol),
        chain=_enum(Chain, model.chain),
        network=_str(model.network),
        to=_str(model.to),
        qty=parse_amount(_get(model.qty), "qty", extra),
        qty_unit=_enum(QtyUnit, model.qty_unit),
        sent=parse_amount(_get(model.sent), "sent", extra),
        fee=parse_amount(_get(model.fee), "fee", extra),
        received=parse_amount(_get(model.received), "received", extra),
        tx_hash=_str(model.tx_hash),
        payloads=_payloads(model.payloads),
        created_at=_time(model.created_at),
        updated_at=_time(model.updated_at),
        explorer_url=_str(getattr(model, "explorer_url", None)),
        extra=extra,
    )


def transfer(data: Any) -> Transfer:
    from truemarkets_gateway_client.models import TransferDetail

    return _transfer(TransferDetail.from_dict(data))


def _asset(model: Any) -> Asset:
    extra = _extra(model)
    for nested in ("image", "market_data", "socials"):
        value = _get(getattr(model, nested, None))
        if value is not None:
            extra[nested] = value.to_dict()
    networks = tuple(
        AssetNetwork(
            network=_str(rail.network) or "",
            compatible_networks=tuple(str(n) for n in (_get(rail.compatible_networks) or ())),
        )
        for rail in (_get(model.networks) or ())
    )
    return Asset(
        id=_str(model.id) or "",
        symbol=_str(model.symbol),
        venue=_enum(Venue, model.venue),
        name=_str(model.name),
        chain=_enum(Chain, model.chain),
        address=_str(model.address),
        decimals=_int(model.decimals),
        networks=networks,
        is_active=_bool(model.is_active),
        tradeable=_bool(model.tradeable),
        stable=_bool(model.stable),
        slug=_str(model.slug),
        description=_str(model.description),
        website=_str(model.website),
        icon=_str(model.icon),
        extra=extra,
    )


T = TypeVar("T")
_ZERO = Decimal(0)


def _page(model: Any, items: Iterable[T]) -> Page[T]:
    pagination = _get(model.pagination)
    next_cursor = _str(pagination.next_cursor) if pagination is not None else None
    limit = _int(pagination.limit) if pagination is not None else None
    return Page(items=tuple(items), next_cursor=next_cursor or None, limit=limit)


def orders_page(data: Any) -> Page[Order]:
    from truemarkets_gateway_client.models import GetOrdersResponse

    model = GetOrdersResponse.from_dict(data)
    return _page(model, (_order(item) for item in (_get(model.data) or ())))


def transfers_page(data: Any) -> Page[Transfer]:
    from truemarkets_gateway_client.models import ListTransfersResponse

    model = ListTransfersResponse.from_dict(data)
    return _page(model, (_transfer(item) for item in (_get(model.data) or ())))


def assets_page(data: Any) -> Page[Asset]:
    from truemarkets_gateway_client.models import ListAssetsResponse

    model = ListAssetsResponse.from_dict(data)
    return _page(model, (_asset(item) for item in (_get(model.data) or ())))


def _balance_amount(value: Any, field: str, symbol: str) -> Decimal:
    """A balance amount: absent or null reads as 0; a present value that cannot be read
    (text that is no number, NaN, Infinity) fails the response (`UnexpectedResponseError`)
    rather than reading as 0 next to readable amounts."""
    if value is None or value == "":
        return _ZERO
    number = parse_decimal(value)
    if number is None:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "..."
        raise ValueError(f"the {symbol or '?'} balance has an unreadable {field}: {shown}")
    return number


def _balance(model: Any) -> Balance:
    symbol = _str(model.symbol) or ""
    return Balance(
        symbol=symbol,
        total=_balance_amount(_get(model.total), "total", symbol),
        available=_balance_amount(_get(model.available), "available", symbol),
        held=_balance_amount(_get(model.held), "held", symbol),
        name=_str(model.name),
        chain=_enum(Chain, model.chain),
        address=_str(model.address),
        decimals=_int(model.decimals),
        stable=_bool(model.stable),
        tradeable=_bool(model.tradeable),
        asset_id=_str(model.asset_id),
        venue=_enum(Venue, model.venue),
        extra=_extra(model),
    )


def _legacy_balance(row: Mapping[str, Any]) -> Balance:
    """The older `{asset_name, asset_id, balance}` row: the amount is all available."""
    amount = _balance_amount(row.get("balance"), "balance", str(row.get("asset_name") or ""))
    known = {"asset_name", "asset_id", "balance"}
    return Balance(
        symbol=str(row.get("asset_name") or ""),
        total=amount,
        available=amount,
        held=amount - amount,
        asset_id=_str(row.get("asset_id")),
        extra={k: v for k, v in row.items() if k not in known},
    )


def balances(data: Any) -> Balances:
    """`{data: [BalanceItem]}`, or the older `{balances: [{asset_name, asset_id, balance}]}`."""
    if isinstance(data, Mapping) and "data" not in data and "balances" in data:
        rows = tuple(
            _legacy_balance(row) for row in (data.get("balances") or ()) if isinstance(row, Mapping)
        )
        return Balances.from_rows(rows)
    from truemarkets_gateway_client.models import ListBalancesResponse

    model = ListBalancesResponse.from_dict(data)
    return Balances.from_rows(tuple(_balance(item) for item in (_get(model.data) or ())))
