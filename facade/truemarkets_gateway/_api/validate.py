"""The documented order, transfer and list rules: bodies and queries checked before sending."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from ..errors import ValidationError
from .money import to_decimal, wire_decimal

PERP_CHAIN = "hypercore-perp"
VENUES = ("cefi", "defi")
_SIDES = ("buy", "sell")
_QTY_UNITS = ("base", "quote")
_HEADER_TEXT = re.compile(r"[\x20-\x7e\xa0-\xff]+")  # printable Latin-1


def _text(value: object) -> str | None:
    return value.value if isinstance(value, StrEnum) else value if isinstance(value, str) else None


def require_id(field: str, value: object) -> str:
    """A string for a URL or body; refused: blank, "." or "..", over 1,024 chars, unencodable."""
    text = _text(value)
    if text is None:
        raise ValidationError(field, f"must be a string, got {type(value).__name__}")
    if not text.strip():
        raise ValidationError(field, "must not be empty")
    if text in (".", ".."):
        raise ValidationError(field, f"must not be {text!r}")
    if len(text) > 1024:
        raise ValidationError(field, "must be at most 1024 characters")
    try:
        text.encode()
    except UnicodeEncodeError:
        raise ValidationError(field, "must be valid text (it holds a lone surrogate)") from None
    return text


def header_value(field: str, value: object) -> str:
    """A value sent as an HTTP header: printable Latin-1. Never echoed: it may be a token."""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a string, got {type(value).__name__}")
    if not value.strip() or not _HEADER_TEXT.fullmatch(value):
        raise ValidationError(field, "must be non-empty printable Latin-1 (no control characters)")
    return value


def require_uuid(field: str, value: object) -> str:
    text = require_id(field, value).strip()
    try:
        uuid.UUID(text)
    except ValueError:
        raise ValidationError(field, f"must be a UUID (from list_assets), got {text!r}") from None
    return text


def _choice(field: str, value: object, allowed: Sequence[str]) -> str:
    text = _text(value)
    if text is None or text not in allowed:
        raise ValidationError(field, f"must be one of {', '.join(allowed)}; got {value!r}")
    return text


def _amount(value: object, field: str) -> str:
    return wire_decimal(to_decimal(value, field))


def _int_in(field: str, value: object, top: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"must be an integer, got {value!r}")
    if not 1 <= value <= top:
        raise ValidationError(field, f"must be from 1 to {top}, got {value}")
    return value


def quote_body(
    *, base_asset: object, quote_asset: object, qty: object, qty_unit: object, side: object
) -> dict[str, Any]:
    return {
        "base_asset": require_id("base_asset", base_asset),
        "quote_asset": require_id("quote_asset", quote_asset),
        "qty": _amount(qty, "qty"),
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
    """`POST /orders`. Limit: price required, qty_unit base. Market: no price; buys in quote
    units, DeFi sells in base units (perps: either). Leverage 1-50 and reduce_only: perps only."""
    side_v, type_v = _choice("side", side, _SIDES), _choice("type", type, ("market", "limit"))
    unit_v = _choice("qty_unit", qty_unit, _QTY_UNITS)
    chains = ("solana", "base", "hypercore-spot", PERP_CHAIN)
    chain_v = None if chain is None else _choice("chain", chain, chains)
    body: dict[str, Any] = {
        "side": side_v,
        "type": type_v,
        "qty_unit": unit_v,
        "qty": _amount(qty, "qty"),
        "base_asset": None if base_asset is None else require_id("base_asset", base_asset),
        "asset_id": None if asset_id is None else require_uuid("asset_id", asset_id),
        "quote_asset": None if quote_asset is None else require_id("quote_asset", quote_asset),
        "chain": chain_v,
    }
    if body["base_asset"] is None and body["asset_id"] is None:
        raise ValidationError("base_asset", "base_asset or asset_id is required")
    is_perp = chain_v == PERP_CHAIN
    if type_v == "limit":
        if price is None:
            raise ValidationError("price", "is required for limit orders")
        if unit_v != "base":
            raise ValidationError("qty_unit", "must be 'base' for limit orders")
        body["price"] = _amount(price, "price")
    elif price is not None:
        raise ValidationError("price", "must not be given for market orders")
    elif side_v == "buy" and unit_v != "quote" and not is_perp:
        raise ValidationError("qty_unit", "must be 'quote' for market buys")
    if chain_v is not None and side_v == "sell" and unit_v != "base" and not is_perp:
        raise ValidationError("qty_unit", "must be 'base' for DeFi sells (chain given)")
    for field, value in (("leverage", leverage), ("reduce_only", reduce_only)):
        if value is not None and not is_perp:
            raise ValidationError(field, f"is only allowed with chain={PERP_CHAIN!r}")
    body["leverage"] = None if leverage is None else _int_in("leverage", leverage, 50)
    if reduce_only is not None and not isinstance(reduce_only, bool):
        raise ValidationError("reduce_only", f"must be a bool, got {reduce_only!r}")
    body["reduce_only"] = reduce_only
    return {key: value for key, value in body.items() if value is not None}


def modify_order_body(*, price: object = None, qty: object = None) -> dict[str, Any]:
    """`PATCH /orders/{id}`: at least one of price and qty."""
    if price is None and qty is None:
        raise ValidationError("price", "modify_order needs price or qty (or both)")
    amounts = {"price": price, "qty": qty}
    return {key: _amount(value, key) for key, value in amounts.items() if value is not None}


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
    """`POST /transfers`. A known `venue` makes network required (CeFi) or refused (DeFi)."""
    body = {
        "asset_id": require_uuid("asset_id", asset_id),
        "qty": _amount(qty, "qty"),
        "qty_unit": _choice("qty_unit", qty_unit, _QTY_UNITS),
        "to": require_id("to", to),
    }
    network_v = None if network is None else require_id("network", network)
    if venue == "cefi" and network_v is None:
        raise ValidationError("network", "is required for CeFi assets")
    if venue == "defi" and network_v is not None:
        raise ValidationError("network", "must not be given for DeFi assets")
    if network_v is not None and known_networks and network_v.lower() not in known_networks:
        allowed = ", ".join(sorted(known_networks))
        raise ValidationError("network", f"must be one of the asset's networks: {allowed}")
    return body if network_v is None else {**body, "network": network_v}


def signatures_list(signatures: object) -> list[str]:
    """One stamp per payload: a non-empty sequence of non-empty strings."""
    if isinstance(signatures, str | bytes) or not (isinstance(signatures, Sequence) and signatures):
        raise ValidationError("signatures", "must be a non-empty list of stamp strings")
    for i, stamp in enumerate(signatures):
        if not isinstance(stamp, str) or not stamp:
            raise ValidationError(f"signatures[{i}]", "must be a non-empty string")
    return list(signatures)


def limit_param(limit: object) -> int | None:
    return None if limit is None else _int_in("limit", limit, 100)


def cursor_param(cursor: object) -> str | None:
    return None if cursor is None else require_id("cursor", cursor)


def csv_filter(
    field: str, value: object, *, allowed: Sequence[str] | None = None, single: bool = False
) -> str | None:
    """One value or a sequence, sent comma-separated. `allowed` restricts the values (statuses
    stay open, so a newer server's can be asked for); `single` refuses more than one."""
    if value is None:
        return None
    text = _text(value)
    if text is not None:
        items = [require_id(field, part.strip()) for part in text.split(",")]
    elif isinstance(value, Sequence) and not isinstance(value, bytes) and value:
        items = [require_id(field, item) for item in value]
    else:
        raise ValidationError(field, "must be a non-empty string or list of strings")
    if allowed is not None:
        for item in items:
            _choice(field, item, allowed)
    if single and len(items) > 1:
        raise ValidationError(field, "accepts a single value")
    return ",".join(items)
