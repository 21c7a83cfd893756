"""Generated models <-> public types (Decimal, datetime, open enums): the one adapter of the
generated classes. A reader fails only with `ValueError` (`UnexpectedResponseError`)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ParamSpec, TypeVar

from truemarkets_account_client.types import Unset as AccountUnset
from truemarkets_gateway_client import models as gen
from truemarkets_gateway_client.types import Unset

from .. import models as pub
from ..errors import ValidationError
from . import validate
from .money import parse_amount, parse_decimal

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")
P = ParamSpec("P")
_UNSET = (Unset, AccountUnset)


def _reader(func: Callable[P, T]) -> Callable[P, T]:
    """Decimal, recursion and encoding failures in odd data become `ValueError`."""

    @functools.wraps(func)
    def read(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return func(*args, **kwargs)
        except (ArithmeticError, RecursionError) as exc:
            raise ValueError(f"the data could not be read ({type(exc).__name__})") from None

    return read


def json_body(content: bytes) -> Any:
    """The JSON in `content` (None when empty); too deep or not UTF-8: `ValueError`."""
    if not content:
        return None
    try:
        return json.loads(content)
    except RecursionError:
        raise ValueError("the JSON body is nested too deeply") from None


def _get(value: Any) -> Any:
    return None if value is None or value.__class__ in _UNSET else value


def _str(value: Any) -> str | None:
    """Text as sent, lone surrogates (which cannot be printed or encoded) as U+FFFD."""
    if (value := _get(value)) is None:
        return None
    text = value if value.__class__ is str else str(value)
    if text.isascii():
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _id(value: Any, field: str) -> str:
    """An id (or cursor) the SDK may send back: it must pass `validate.require_id`."""
    text = _get(value)
    if text is None or text == "":
        return ""
    try:
        return validate.require_id(field, text if isinstance(text, str) else str(text))
    except ValidationError as exc:  # not the caller's input: the answer is unreadable
        raise ValueError(f"the response's {exc}") from None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _enum(cls: type[E], value: Any) -> E | None:
    text = _str(value)
    if not text:
        return None
    member = cls._value2member_map_.get(text)  # known values without the enum machinery
    return cls(text) if member is None else member  # type: ignore[return-value]


def _time(value: Any) -> datetime | None:
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


def _payloads(items: Any) -> tuple[pub.UnsignedPayload, ...]:
    out = []
    for item in _get(items) or ():
        if isinstance(item, Mapping):
            text, digest = item.get("payload"), item.get("digest")
        else:
            text, digest = _get(item.payload), _get(item.digest)
        if not isinstance(text, str) or not text:
            # Signing anything else would approve the wrong bytes; refuse to read it.
            raise ValueError("a payload without its text")
        text.encode()  # a lone surrogate cannot be signed: UnicodeEncodeError (a ValueError)
        out.append(pub.UnsignedPayload(text, digest if isinstance(digest, str) else ""))
    return tuple(out)


def _issues(items: Any) -> tuple[str, ...]:
    """Issues as text: the current API sends strings, the older DeFi API `{message, ...}`."""
    out = []
    for item in _get(items) or ():
        if isinstance(item, Mapping):
            item = item.get("message") or dict(item)
        out.append(_str(item) or "")
    return tuple(out)


transfer_status_param: Callable[[str], Any] = gen.TransferStatus  # query filters
venue_param: Callable[[str], Any] = gen.Venue


def _fields(
    model: Any, extra: dict[str, Any], texts: str, amounts: str = "", times: str = "", **enums: Any
) -> dict[str, Any]:
    """Keyword arguments for a public model: texts, Decimal amounts, datetimes, open enums
    (`type` is the generated `type_`)."""
    out: dict[str, Any] = {name: _str(getattr(model, name, None)) for name in texts.split()}
    for name in amounts.split():
        out[name] = parse_amount(_get(getattr(model, name, None)), name, extra)
    out |= {name: _time(getattr(model, name, None)) for name in times.split()}
    out |= {k: _enum(cls, getattr(model, k + "_" * (k == "type"))) for k, cls in enums.items()}
    return out


@_reader
def quote(data: Any) -> pub.Quote:
    model = gen.QuoteResponse.from_dict(data)  # read directly: the hottest reader
    extra = _extra(model)
    qty = parse_amount(_get(model.qty), "qty", extra)
    return pub.Quote(qty=qty, price=parse_amount(_get(model.price), "price", extra), extra=extra)


def _quote_details(model: Any) -> pub.QuoteDetails | None:
    if (model := _get(model)) is None:
        return None
    extra = _extra(model)
    return pub.QuoteDetails(
        **_fields(model, extra, "base_asset quote_asset fee_asset", "qty qty_out fee"),
        issues=_issues(model.issues),
        extra=extra,
    )


@_reader
def created_order(data: Any) -> pub.CreatedOrder:
    model = gen.CreateOrderResponse.from_dict(data)
    return pub.CreatedOrder(
        order_id=_id(model.order_id, "order_id"),
        status=_enum(pub.OrderStatus, model.status),
        payloads=_payloads(model.payloads),
        quote=_quote_details(model.quote),
        extra=_extra(model),
    )


@_reader
def executed_order(data: Any, order_id: str) -> pub.ExecutedOrder:
    model = gen.ExecuteOrderResponse.from_dict(data if isinstance(data, Mapping) else {})
    status = _enum(pub.OrderStatus, model.status)
    return pub.ExecutedOrder(order_id=order_id, status=status, extra=_extra(model))


@_reader
def order_status(data: Any) -> pub.OrderStatus:
    if status := _enum(pub.OrderStatus, gen.GetOrderStatusResponse.from_dict(data).status):
        return status
    raise ValueError("the response has no status")


_ORDER_ENUMS = {"status": pub.OrderStatus, "side": pub.OrderSide, "type": pub.OrderType}
_ORDER_ENUMS |= {"venue": pub.Venue, "qty_unit": pub.QtyUnit, "chain": pub.Chain}
_TRANSFER_ENUMS = {"status": pub.TransferStatus, "venue": pub.Venue, "chain": pub.Chain}
_TRANSFER_ENUMS["qty_unit"] = pub.QtyUnit


def _order(model: Any) -> pub.Order:
    extra = _extra(model)
    texts = "base_asset quote_asset tx_hash asset_id asset_symbol explorer_url failure_reason"
    amounts = "price qty executed_qty leaves_qty executed_vwap fee"
    return pub.Order(
        order_id=_id(model.order_id, "order_id"),
        **_fields(model, extra, texts, amounts, "created_at", **_ORDER_ENUMS),
        extra=extra,
    )


@_reader
def order(data: Any) -> pub.Order:
    return _order(gen.OrderDetail.from_dict(data))


@_reader
def cancel_prepared(status_code: int, data: Any, order_id: str) -> pub.CancelPrepared:
    """202: a CeFi cancel taken as is. 200: payloads to stamp (a resting DeFi order)."""
    model = gen.CancelOrderResponse.from_dict(data if isinstance(data, Mapping) else {})
    payloads = _payloads(model.payloads)
    accepted = status_code == 202 or not payloads
    return pub.CancelPrepared(order_id, payloads, accepted, extra=_extra(model))


def _transfer(model: Any) -> pub.Transfer:
    extra = _extra(model)
    texts = "asset_id asset_symbol network to tx_hash explorer_url"
    return pub.Transfer(
        id=_id(model.id, "transfer_id"),
        payloads=_payloads(model.payloads),
        **_fields(
            model, extra, texts, "qty sent fee received", "created_at updated_at", **_TRANSFER_ENUMS
        ),
        extra=extra,
    )


@_reader
def transfer(data: Any) -> pub.Transfer:
    return _transfer(gen.TransferDetail.from_dict(data))


def _asset(model: Any) -> pub.Asset:
    extra = _extra(model)
    for nested in ("image", "market_data", "socials"):
        if (value := _get(getattr(model, nested, None))) is not None:
            extra[nested] = value.to_dict()
    networks = tuple(
        pub.AssetNetwork(
            network=_str(rail.network) or "",
            compatible_networks=tuple(_str(n) or "" for n in _get(rail.compatible_networks) or ()),
        )
        for rail in (_get(model.networks) or ())
    )
    texts = "symbol name address slug description website icon"
    return pub.Asset(
        id=_id(model.id, "asset_id"),
        decimals=_int(model.decimals),
        networks=networks,
        is_active=_bool(model.is_active),
        tradeable=_bool(model.tradeable),
        stable=_bool(model.stable),
        **_fields(model, extra, texts, venue=pub.Venue, chain=pub.Chain),
        extra=extra,
    )


def _balance_amount(value: Any, field: str, symbol: str) -> Decimal:
    """Absent or null: 0; an unreadable value fails the response (not 0 beside real amounts)."""
    if value is None or value == "":
        return Decimal(0)
    if (number := parse_decimal(value)) is None:
        raise ValueError(f"the {symbol or '?'} balance has an unreadable {field}: {value!r:.40}")
    return number


def _balance(model: Any) -> pub.Balance:  # also a PortfolioBalance
    symbol = _str(model.symbol) or ""
    return pub.Balance(
        symbol,
        total=_balance_amount(_get(model.total), "total", symbol),
        available=_balance_amount(_get(model.available), "available", symbol),
        held=_balance_amount(_get(model.held), "held", symbol),
        decimals=_int(model.decimals),
        stable=_bool(model.stable),
        tradeable=_bool(model.tradeable),
        **_fields(model, {}, "name address asset_id", chain=pub.Chain, venue=pub.Venue),
        extra=_extra(model),
    )


def _legacy_balance(row: Mapping[str, Any]) -> pub.Balance:
    """The older `{asset_name, asset_id, balance}` row: the amount is all available."""
    symbol = _str(row.get("asset_name")) or ""
    amount = _balance_amount(row.get("balance"), "balance", symbol)
    extra = {k: v for k, v in row.items() if k not in ("asset_name", "asset_id", "balance")}
    asset_id = _str(row.get("asset_id"))
    return pub.Balance(symbol, amount, amount, amount - amount, asset_id=asset_id, extra=extra)


@_reader
def balances(data: Any) -> pub.Balances:
    """`{data: [BalanceItem]}`, or the older `{balances: [{asset_name, asset_id, balance}]}`."""
    if isinstance(data, Mapping) and "data" not in data and "balances" in data:
        rows = (row for row in data.get("balances") or () if isinstance(row, Mapping))
        return pub.Balances.from_rows(tuple(_legacy_balance(row) for row in rows))
    model = gen.ListBalancesResponse.from_dict(data)
    return pub.Balances.from_rows(tuple(_balance(item) for item in (_get(model.data) or ())))


@_reader
def portfolio(data: Any) -> pub.Portfolio:
    model = gen.PortfolioResponse.from_dict(data)
    amounts = "price value change_24h_pct"
    rows = tuple(
        pub.PortfolioPosition(_balance(row), **_fields(row, {}, "icon", amounts))
        for row in _get(model.balances) or ()
    )
    extra = _extra(model)
    usd = "total_usd balances_usd cash_usd change_24h_usd change_24h_pct unrealized_pnl_usd"
    return pub.Portfolio(
        **_fields(model, extra, "", usd + " realized_pnl_usd"),
        balances=rows,
        positions=tuple(p.to_dict() for p in _get(model.positions) or ()),
        extra=extra,
    )


def _transaction(model: Any) -> pub.TransactionDetail:
    extra = _extra(model)
    order, transfer = _get(model.order), _get(model.transfer)
    texts = "asset_flow asset_id asset_symbol tx_hash explorer_url failure_reason"
    enums = {"type": pub.TransactionType, "status": pub.TransactionStatus}
    return pub.TransactionDetail(
        id=_id(model.id, "id"),
        order=_order(order) if order is not None else None,
        transfer=_transfer(transfer) if transfer is not None else None,
        **_fields(model, extra, texts, "qty", "created_at completed_at", **enums),
        extra=extra,
    )


@_reader
def organization_user(data: Any) -> pub.OrganizationUser:
    from truemarkets_account_client.models import OrganizationUser

    model = OrganizationUser.from_dict(data)
    wallets = tuple(
        pub.Wallet(_str(w.address) or "", _str(w.chain_family), extra=_extra(w))
        for w in _get(model.wallets) or ()
    )
    user_id = _id(model.user_id, "user_id")
    ref, created = _str(model.external_ref_id) or "", _time(model.created_at)
    return pub.OrganizationUser(user_id, ref, created, wallets, extra=_extra(model))


def _pages(model: Any, item: Callable[[Any], T]) -> Callable[[Any], pub.Page[T]]:
    @_reader
    def read(data: Any) -> pub.Page[T]:
        parsed = model.from_dict(data)
        items = tuple(item(row) for row in (_get(parsed.data) or ()))
        if (pagination := _get(parsed.pagination)) is None:
            return pub.Page(items=items)
        cursor = _id(pagination.next_cursor, "next_cursor") or None
        return pub.Page(items=items, next_cursor=cursor, limit=_int(pagination.limit))

    return read


orders_page = _pages(gen.GetOrdersResponse, _order)
transfers_page = _pages(gen.ListTransfersResponse, _transfer)
assets_page = _pages(gen.ListAssetsResponse, _asset)
transactions_page = _pages(gen.ListTransactionsResponse, _transaction)


def token_claim(token: str, name: str) -> Any:
    """An unverified JWT claim (e.g. "tm.organization_id"); None if absent or opaque."""
    from jose import jwt

    try:
        return jwt.get_unverified_claims(token).get(name)
    except Exception:  # an opaque token has no claims
        return None
