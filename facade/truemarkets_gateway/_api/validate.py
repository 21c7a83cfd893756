"""The documented order, transfer and list rules, checked before anything is sent.

Each function takes user arguments and returns the JSON body (or query) to send, with money
as decimal strings. A broken rule raises `ValidationError(field, rule)`; a float amount
raises `TypeError`. Nothing here does I/O.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from ..errors import ValidationError
from .money import to_decimal, wire_decimal

__all__ = [
    "PERP_CHAIN",
    "create_order_body",
    "create_transfer_body",
    "csv_filter",
    "cursor_param",
    "limit_param",
    "modify_order_body",
    "quote_body",
    "require_id",
    "require_uuid",
    "signatures_list",
]

PERP_CHAIN = "hypercore-perp"
MAX_LEVERAGE = 50
MAX_PAGE_LIMIT = 100

_SIDES = ("buy", "sell")
_TYPES = ("market", "limit")
_QTY_UNITS = ("base", "quote")
_VENUES = ("cefi", "defi")
_CHAINS = ("solana", "base", "hypercore-spot", "hypercore-perp")


def _text(value: object) -> str | None:
    if isinstance(value, StrEnum):
        return value.value
    return value if isinstance(value, str) else None


def require_id(field: str, value: object) -> str:
    """An id or other required string: non-empty after stripping whitespace."""
    text = _text(value)
    if text is None:
        raise ValidationError(field, f"must be a string, got {type(value).__name__}")
    if not text.strip():
        raise ValidationError(field, "must not be empty")
    return text


def require_uuid(field: str, value: object) -> str:
    """An asset id: the API documents these as UUIDs."""
    text = require_id(field, value).strip()
    try:
        uuid.UUID(text)
    except ValueError:
        raise ValidationError(field, f"must be a UUID (from list_assets), got {text!r}") from None
    return text


def _optional_text(field: str, value: object) -> str | None:
    return None if value is None else require_id(field, value)


def _choice(field: str, value: object, allowed: Sequence[str]) -> str:
    text = _text(value)
    if text is None or text not in allowed:
        raise ValidationError(field, f"must be one of {', '.join(allowed)}; got {value!r}")
    return text


def quote_body(
    *, base_asset: object, quote_asset: object, qty: object, qty_unit: object, side: object
) -> dict[str, Any]:
    """`POST /quotes`: every field is required."""
    return {
        "base_asset": require_id("base_asset", base_asset),
        "quote_asset": require_id("quote_asset", quote_asset),
        "qty": wire_decimal(to_decimal(qty, "qty")),
        "qty_unit": _choice("qty_unit", qty_unit, _QTY_UNITS),
        "side": _choice("side", side, _SIDES),
    }


def create_order_body(
    *,
    side: object,
    type: object,
    qty: object,
    qty_unit: object,
    base_asset: object = None,
    quote_asset: object = None,
    price: object = None,
    chain: object = None,
    leverage: object = None,
    reduce_only: object = None,
    asset_id: object = None,
) -> dict[str, Any]:
    """`POST /orders`, with the rules of the newer spec (Hyperliquid perps included).

    Limit: price required, qty_unit base. Market: no price; buys in quote units (except
    perps, where either unit is allowed); DeFi sells (chain given) in base units. Leverage
    (integer 1-50) and reduce_only only on hypercore-perp.
    """
    side_v = _choice("side", side, _SIDES)
    type_v = _choice("type", type, _TYPES)
    unit_v = _choice("qty_unit", qty_unit, _QTY_UNITS)
    body: dict[str, Any] = {"side": side_v, "type": type_v, "qty_unit": unit_v}
    body["qty"] = wire_decimal(to_decimal(qty, "qty"))

    base_v = _optional_text("base_asset", base_asset)
    asset_v = None if asset_id is None else require_uuid("asset_id", asset_id)
    if base_v is None and asset_v is None:
        raise ValidationError("base_asset", "base_asset or asset_id is required")
    if base_v is not None:
        body["base_asset"] = base_v
    if asset_v is not None:
        body["asset_id"] = asset_v
    quote_v = _optional_text("quote_asset", quote_asset)
    if quote_v is not None:
        body["quote_asset"] = quote_v

    chain_v = None if chain is None else _choice("chain", chain, _CHAINS)
    is_perp = chain_v == PERP_CHAIN
    if chain_v is not None:
        body["chain"] = chain_v

    if type_v == "limit":
        if price is None:
            raise ValidationError("price", "is required for limit orders")
        if unit_v != "base":
            raise ValidationError("qty_unit", "must be 'base' for limit orders")
        body["price"] = wire_decimal(to_decimal(price, "price"))
    else:
        if price is not None:
            raise ValidationError("price", "must not be given for market orders")
        if side_v == "buy" and unit_v != "quote" and not is_perp:
            raise ValidationError("qty_unit", "must be 'quote' for market buys")
    if chain_v is not None and side_v == "sell" and unit_v != "base" and not is_perp:
        raise ValidationError("qty_unit", "must be 'base' for DeFi sells (chain given)")

    if leverage is not None:
        if not is_perp:
            raise ValidationError("leverage", f"is only allowed with chain={PERP_CHAIN!r}")
        if isinstance(leverage, bool) or not isinstance(leverage, int):
            raise ValidationError("leverage", f"must be an integer, got {leverage!r}")
        if not 1 <= leverage <= MAX_LEVERAGE:
            raise ValidationError("leverage", f"must be from 1 to {MAX_LEVERAGE}, got {leverage}")
        body["leverage"] = leverage
    if reduce_only is not None:
        if not is_perp:
            raise ValidationError("reduce_only", f"is only allowed with chain={PERP_CHAIN!r}")
        if not isinstance(reduce_only, bool):
            raise ValidationError("reduce_only", f"must be a bool, got {reduce_only!r}")
        body["reduce_only"] = reduce_only
    return body


def modify_order_body(*, price: object = None, qty: object = None) -> dict[str, Any]:
    """`PATCH /orders/{id}`: at least one of price and qty, each positive."""
    if price is None and qty is None:
        raise ValidationError("price", "modify_order needs price or qty (or both)")
    body: dict[str, Any] = {}
    if price is not None:
        body["price"] = wire_decimal(to_decimal(price, "price"))
    if qty is not None:
        body["qty"] = wire_decimal(to_decimal(qty, "qty"))
    return body


def create_transfer_body(
    *,
    asset_id: object,
    qty: object,
    to: object,
    qty_unit: object = "base",
    network: object = None,
    venue: str | None = None,
    known_networks: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """`POST /transfers`. When the asset's `venue` is known, network is required for CeFi
    and refused for DeFi; when its networks are known, network must be one of them."""
    body: dict[str, Any] = {
        "asset_id": require_uuid("asset_id", asset_id),
        "qty": wire_decimal(to_decimal(qty, "qty")),
        "qty_unit": _choice("qty_unit", qty_unit, _QTY_UNITS),
        "to": require_id("to", to),
    }
    network_v = _optional_text("network", network)
    if venue == "cefi" and network_v is None:
        raise ValidationError("network", "is required for CeFi assets")
    if venue == "defi" and network_v is not None:
        raise ValidationError("network", "must not be given for DeFi assets")
    if network_v is not None:
        if known_networks and network_v.lower() not in known_networks:
            allowed = ", ".join(sorted(known_networks))
            raise ValidationError("network", f"must be one of the asset's networks: {allowed}")
        body["network"] = network_v
    return body


def signatures_list(signatures: object) -> list[str]:
    """One stamp per payload: a non-empty sequence of non-empty strings."""
    if isinstance(signatures, str | bytes) or not isinstance(signatures, Sequence):
        raise ValidationError("signatures", "must be a list of stamp strings")
    if not signatures:
        raise ValidationError("signatures", "must not be empty")
    out = []
    for i, stamp in enumerate(signatures):
        if not isinstance(stamp, str) or not stamp:
            raise ValidationError(f"signatures[{i}]", "must be a non-empty string")
        out.append(stamp)
    return out


def limit_param(limit: object) -> int | None:
    """Page size: an integer from 1 to 100."""
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise ValidationError("limit", f"must be an integer, got {limit!r}")
    if not 1 <= limit <= MAX_PAGE_LIMIT:
        raise ValidationError("limit", f"must be from 1 to {MAX_PAGE_LIMIT}, got {limit}")
    return limit


def cursor_param(cursor: object) -> str | None:
    return _optional_text("cursor", cursor)


def csv_filter(
    field: str,
    value: object,
    *,
    allowed: Sequence[str] | None = None,
    single: bool = False,
) -> str | None:
    """A filter given as one value or a sequence, sent comma-separated.

    `allowed` restricts the values (venues); statuses stay open so that a newer server's
    value can be asked for. `single` refuses more than one value.
    """
    if value is None:
        return None
    text = _text(value)
    if text is not None:
        items = [part.strip() for part in text.split(",")]
    elif isinstance(value, Sequence) and not isinstance(value, bytes):
        items = [require_id(field, item) for item in value]
    else:
        raise ValidationError(field, "must be a string or a list of strings")
    if not items or not all(items):
        raise ValidationError(field, "must not be empty")
    if allowed is not None:
        for item in items:
            _choice(field, item, allowed)
    if single and len(items) > 1:
        raise ValidationError(field, "accepts a single value")
    return ",".join(items)


VENUES = _VENUES
