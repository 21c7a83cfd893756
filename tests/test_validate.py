"""The documented rules: each valid and invalid, and no request sent when invalid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from _facade_stub import ASSET_CEFI, ASSET_DEFI, Stub, async_gateway, sync_gateway

from truemarkets_gateway import BadRequestError, ValidationError
from truemarkets_gateway._api.validate import (
    create_order_body,
    csv_filter,
    cursor_param,
    header_value,
    limit_param,
    require_id,
)

ASSET_ID = ASSET_CEFI["id"]
MARKET_BUY = {
    "side": "buy",
    "type": "market",
    "qty": "10",
    "qty_unit": "quote",
    "base_asset": "BTC",
}
LIMIT_SELL = {
    "side": "sell", "type": "limit", "qty": "1", "qty_unit": "base", "base_asset": "BTC",
    "price": "65000",
}  # fmt: skip
PERP = {"side": "buy", "type": "market", "qty": "100", "qty_unit": "quote", "base_asset": "BTC",
        "chain": "hypercore-perp"}  # fmt: skip


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = {**base, **changes}
    return {k: v for k, v in out.items() if v is not None}


VALID_ORDERS = [
    MARKET_BUY,
    LIMIT_SELL,
    _with(LIMIT_SELL, side="buy"),
    _with(MARKET_BUY, side="sell", qty_unit="base"),
    _with(MARKET_BUY, side="sell", qty_unit="quote"),  # CeFi market sell in quote units
    _with(MARKET_BUY, chain="solana"),
    _with(MARKET_BUY, side="sell", qty_unit="base", chain="solana"),
    _with(LIMIT_SELL, chain="hypercore-spot"),  # newer spec: limit orders may rest on chain
    _with(PERP, leverage=10),
    _with(PERP, leverage=1, side="sell", qty_unit="base"),  # perps: either unit, either side
    _with(PERP, leverage=50, qty_unit="base"),
    _with(PERP, reduce_only=True),
    _with(MARKET_BUY, base_asset=None, asset_id=ASSET_ID, chain="solana"),
    _with(MARKET_BUY, qty=Decimal("0.000001")),
    _with(MARKET_BUY, qty=5),
]

INVALID_ORDERS = [
    (_with(LIMIT_SELL, price=None), "price", "required for limit"),
    (_with(LIMIT_SELL, qty_unit="quote"), "qty_unit", "'base' for limit"),
    (_with(MARKET_BUY, price="1"), "price", "must not be given for market"),
    (_with(MARKET_BUY, qty_unit="base"), "qty_unit", "'quote' for market buys"),
    (_with(MARKET_BUY, side="sell", qty_unit="quote", chain="solana"), "qty_unit", "DeFi sells"),
    (_with(MARKET_BUY, leverage=5), "leverage", "only allowed with chain='hypercore-perp'"),
    (_with(MARKET_BUY, chain="solana", leverage=5), "leverage", "only allowed"),
    (_with(PERP, leverage=0), "leverage", "from 1 to 50"),
    (_with(PERP, leverage=51), "leverage", "from 1 to 50"),
    (_with(PERP, leverage=True), "leverage", "integer"),
    (_with(PERP, leverage="10"), "leverage", "integer"),
    (_with(MARKET_BUY, reduce_only=True), "reduce_only", "only allowed"),
    (_with(PERP, reduce_only="yes"), "reduce_only", "bool"),
    (_with(MARKET_BUY, qty="0"), "qty", "positive"),
    (_with(MARKET_BUY, qty="-1"), "qty", "positive"),
    (_with(MARKET_BUY, qty="NaN"), "qty", "plain decimal number"),
    (_with(MARKET_BUY, qty=Decimal("NaN")), "qty", "finite"),
    (_with(MARKET_BUY, qty=Decimal("-Infinity")), "qty", "finite"),
    (_with(MARKET_BUY, qty="1e3"), "qty", "no exponent"),
    (_with(MARKET_BUY, qty="abc"), "qty", "decimal number"),
    (_with(LIMIT_SELL, price="0"), "price", "positive"),
    (_with(LIMIT_SELL, price="-5"), "price", "positive"),
    (_with(MARKET_BUY, side="long"), "side", "one of buy, sell"),
    (_with(MARKET_BUY, type="stop"), "type", "one of market, limit"),
    (_with(MARKET_BUY, qty_unit="lots"), "qty_unit", "one of base, quote"),
    (_with(MARKET_BUY, chain="ethereum"), "chain", "one of solana"),
    (_with(MARKET_BUY, base_asset=None), "base_asset", "base_asset or asset_id"),
    (_with(MARKET_BUY, base_asset="  "), "base_asset", "must not be empty"),
    (_with(MARKET_BUY, base_asset=None, asset_id="not-a-uuid"), "asset_id", "UUID"),
]


@pytest.mark.parametrize("fields", VALID_ORDERS)
def test_valid_orders_are_sent(fields: dict[str, Any]) -> None:
    stub = Stub().json("POST", "/orders", {"order_id": "o1", "status": "pending"}, status=201)
    sync_gateway(stub).create_order(**fields)
    assert len(stub.requests) == 1
    body = stub.body()
    assert body["qty"] == str(fields["qty"])
    assert all(isinstance(v, str | bool | int) for v in body.values())


@pytest.mark.parametrize(("fields", "field", "rule"), INVALID_ORDERS)
def test_invalid_orders_send_nothing(fields: dict[str, Any], field: str, rule: str) -> None:
    stub = Stub()
    with pytest.raises(ValidationError) as info:
        sync_gateway(stub).create_order(**fields)
    assert isinstance(info.value, ValueError)
    assert info.value.field == field
    assert rule in info.value.rule
    assert stub.requests == []


@pytest.mark.parametrize("field", ["qty", "price"])
def test_float_is_refused_with_a_reason(field: str) -> None:
    stub = Stub()
    fields = _with(LIMIT_SELL, **{field: 0.1})
    with pytest.raises(TypeError, match=r"float is not accepted.*inexact"):
        sync_gateway(stub).create_order(**fields)
    with pytest.raises(TypeError, match="float"):
        sync_gateway(stub).quote(
            base_asset="BTC", quote_asset="USD", qty=0.5, side="buy", qty_unit="quote"
        )
    assert stub.requests == []


def test_decimal_strings_on_the_wire() -> None:
    body = create_order_body(**_with(LIMIT_SELL, qty=Decimal("1E-7"), price=Decimal("6.50E+4")))
    assert body["qty"] == "0.0000001" and body["price"] == "65000"


def _invalid_calls() -> list[tuple[str, Any]]:
    return [
        ("order_id", lambda gw: gw.get_order("")),
        ("order_id", lambda gw: gw.get_order_status("  ")),
        ("order_id", lambda gw: gw.prepare_cancel_order("")),
        ("order_id", lambda gw: gw.cancel_order_deprecated("")),
        ("order_id", lambda gw: gw.execute_cancel_order("", signatures=["s"])),
        ("signatures", lambda gw: gw.execute_cancel_order("o1", signatures=[])),
        ("signatures", lambda gw: gw.execute_order("o1", signatures="stamp")),
        ("signatures[1]", lambda gw: gw.execute_order("o1", signatures=["a", ""])),
        ("transfer_id", lambda gw: gw.get_transfer("")),
        ("transfer_id", lambda gw: gw.execute_transfer("", signatures=["s"])),
        ("price", lambda gw: gw.modify_order("o1")),
        ("qty", lambda gw: gw.modify_order("o1", qty="0")),
        ("order_id", lambda gw: gw.modify_order("", price="1")),
        ("quote_asset", lambda gw: gw.quote(base_asset="BTC", quote_asset="", qty="1",
                                             side="buy", qty_unit="quote")),
        ("asset_id", lambda gw: gw.create_transfer(asset_id="", qty="1", to="x")),
        ("to", lambda gw: gw.create_transfer(asset_id=ASSET_ID, qty="1", to="")),
        ("qty", lambda gw: gw.create_transfer(asset_id=ASSET_ID, qty="-1", to="x")),
        ("qty_unit", lambda gw: gw.create_transfer(asset_id=ASSET_ID, qty="1", to="x",
                                                   qty_unit="lots")),
        ("network", lambda gw: gw.create_transfer(asset_id=ASSET_ID, qty="1", to="x",
                                                  network="")),
        ("limit", lambda gw: gw.list_orders(limit=0)),
        ("limit", lambda gw: gw.list_orders_page(limit=101)),
        ("venue", lambda gw: gw.list_orders(venue="moon")),
        ("status", lambda gw: gw.list_orders(status=[])),
        ("status", lambda gw: gw.list_transfers(status=["pending", "failed"])),
        ("venue", lambda gw: gw.list_assets(venue="cefi,defi")),
        ("cursor", lambda gw: gw.list_orders(cursor="")),
    ]  # fmt: skip


@pytest.mark.parametrize(("field", "call"), _invalid_calls())
def test_other_rules_send_nothing(field: str, call: Any) -> None:
    stub = Stub()
    with pytest.raises(ValidationError) as info:
        call(sync_gateway(stub))
    assert info.value.field == field
    assert stub.requests == []


@pytest.mark.parametrize(("field", "call"), _invalid_calls()[:6])
async def test_async_rules_send_nothing(field: str, call: Any) -> None:
    stub = Stub()
    gw = async_gateway(stub)
    with pytest.raises(ValidationError):
        result = call(gw)
        if hasattr(result, "__await__"):
            await result
    assert stub.requests == []
    await gw.close()


def test_transfer_network_rules_when_the_venue_is_known() -> None:
    stub = Stub().json(
        "GET", "/assets", {"data": [ASSET_CEFI, ASSET_DEFI], "pagination": {"next_cursor": None}}
    )
    stub.json("POST", "/transfers", {**ASSET_CEFI}, status=201)
    gw = sync_gateway(stub)
    # Unknown venue: the server decides.
    stub.routes[("POST", "/v1/gateway/transfers")].clear()
    stub.on("POST", "/transfers", httpx.Response(400, json={"message": "network required"}))
    sent = len(stub.requests)
    with pytest.raises(BadRequestError, match="network required"):
        gw.create_transfer(asset_id=ASSET_ID, qty="1", to="addr")
    assert len(stub.requests) == sent + 1  # sent once: the server decided
    gw.list_assets_page()
    sent = len(stub.requests)
    with pytest.raises(ValidationError, match="required for CeFi"):
        gw.create_transfer(asset_id=ASSET_ID, qty="1", to="addr")
    with pytest.raises(ValidationError, match="must not be given for DeFi"):
        gw.create_transfer(asset_id=ASSET_DEFI["id"], qty="1", to="addr", network="solana")
    assert len(stub.requests) == sent


def test_filters() -> None:
    assert csv_filter("status", "pending, active") == "pending,active"
    assert csv_filter("status", ("pending",)) == "pending"
    assert csv_filter("status", None) is None
    assert limit_param(None) is None and limit_param(100) == 100
    with pytest.raises(ValidationError):
        limit_param(True)


BAD_IDS = ["", "   ", ".", "..", "x" * 1025, "ab\ud800", "\udfff"]


@pytest.mark.parametrize("value", BAD_IDS)
def test_bad_ids_and_cursors_send_nothing(value: str) -> None:
    stub = Stub()
    gw = sync_gateway(stub)
    for field, call in [
        ("order_id", lambda: gw.get_order(value)),
        ("transfer_id", lambda: gw.get_transfer(value)),
        ("order_id", lambda: gw.execute_order(value, signatures=["s"])),
        ("cursor", lambda: gw.list_orders_page(cursor=value)),
        ("cursor", lambda: gw.list_assets_page(cursor=value)),
    ]:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.field == field
    assert stub.requests == []


def test_ids_at_the_limits_are_accepted() -> None:
    assert require_id("order_id", "x" * 1024) == "x" * 1024
    assert require_id("order_id", "...") == "..." and require_id("order_id", "é😀") == "é😀"
    assert cursor_param(None) is None and cursor_param("c/2") == "c/2"


@pytest.mark.parametrize(
    "value",
    ["a\r\nX-Evil: 1", "a\nb", "a\rb", "a\x00b", "a\x0bb", "a\tb", "a\x7fb", "a\x1bb", "tök€n",
     "\ud800", "", " ", "a\x85b", "a\x9bb"],
)  # fmt: skip
def test_header_values_refuse_control_and_non_latin1(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        header_value("access_token", value)
    assert info.value.field == "access_token"
    assert value.strip() == "" or value not in str(info.value)  # never echoed: may be a token


def test_header_values_accepted() -> None:
    assert header_value("user_agent", "my-app/1.0 (+https://x)") == "my-app/1.0 (+https://x)"
    assert header_value("on_behalf_of", "Zoë") == "Zoë"  # Latin-1 is fine
    with pytest.raises(ValidationError, match="string"):
        header_value("on_behalf_of", b"bytes")
