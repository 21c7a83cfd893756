"""Open enums and unknown fields in the generated gateway models.

A newer server may send an enum value our spec does not list, or fields we have never seen.
Parsing must not raise, the value must be kept and readable, and `to_dict` must give it back.
"""

from __future__ import annotations

import copy
import enum
import inspect
from typing import Any

import httpx
import pytest

import truemarkets_gateway_client.models as models
from truemarkets_gateway_client import Client
from truemarkets_gateway_client.api.orders import get_order_status, list_orders
from truemarkets_gateway_client.models import (
    AssetItem,
    BalanceItem,
    Chain,
    CreateOrderRequest,
    CreateOrderResponse,
    GetOrdersResponse,
    GetOrderStatusResponse,
    ListAssetsResponse,
    ListTransfersResponse,
    OrderDetail,
    OrderStatus,
    TransferDetail,
    TransferStatus,
    Venue,
)

ORDER: dict[str, Any] = {
    "order_id": "39f39d12-0000-4000-8000-000000000001",
    "base_asset": "BTC",
    "quote_asset": "PYUSD",
    "type": "limit",
    "side": "sell",
    "price": "63199",
    "qty": "0.005",
    "executed_qty": "0.005",
    "leaves_qty": "0",
    "executed_vwap": "64200",
    "fee": "0.1284",
    "venue": "otc",
    "status": "expired",
    "created_at": "2026-07-11T06:37:58.193418+00:00",
}

TRANSFER: dict[str, Any] = {
    "id": "9770b836-0000-4000-8000-000000000002",
    "status": "reversed",
    "venue": "cefi",
    "asset_id": "b2538174-aae3-4b55-b79f-ac177c99f816",
    "asset_symbol": "BTC",
    "chain": "arbitrum",
    "network": "bitcoin",
    "to": "3PRzExampleAddress",
    "qty": "0.0001",
    "qty_unit": "base",
    "sent": "0",
    "fee": "0",
    "received": "0",
    "tx_hash": "",
    "payloads": [],
    "created_at": "2026-06-24T18:38:30.075569+00:00",
    "updated_at": "2026-06-24T18:38:31+00:00",
}

ASSET: dict[str, Any] = {
    "id": "742f90d4-b0db-45a4-9c21-813c152aad15",
    "chain": "arbitrum",
    "address": "0x0000000000000000000000000000000000000001",
    "symbol": "ETH",
    "name": "Ether",
    "decimals": 18,
    "venue": "otc",
    "networks": [{"network": "arbitrum", "compatible_networks": ["arbitrum-one"]}],
}


def _assert_unknown(member: enum.Enum, value: str, cls: type[enum.Enum]) -> None:
    assert isinstance(member, cls)
    assert member.value == value
    assert str(member) == value
    assert f"{member}" == value
    assert member == value
    assert member.is_known is False  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- enum values


def test_order_with_unknown_status_and_venue() -> None:
    order = OrderDetail.from_dict(copy.deepcopy(ORDER))
    _assert_unknown(order.status, "expired", OrderStatus)  # type: ignore[arg-type]
    _assert_unknown(order.venue, "otc", Venue)  # type: ignore[arg-type]
    assert order.side.is_known  # type: ignore[union-attr]
    assert order.to_dict() == ORDER


def test_transfer_with_unknown_status_and_chain() -> None:
    transfer = TransferDetail.from_dict(copy.deepcopy(TRANSFER))
    _assert_unknown(transfer.status, "reversed", TransferStatus)
    assert transfer.chain == "arbitrum"  # a free string in responses
    assert transfer.to_dict() == TRANSFER


def test_asset_with_unknown_venue_and_chain() -> None:
    asset = AssetItem.from_dict(copy.deepcopy(ASSET))
    _assert_unknown(asset.venue, "otc", Venue)  # type: ignore[arg-type]
    assert asset.chain == "arbitrum"
    assert asset.to_dict() == ASSET


def test_chain_enum_is_open() -> None:
    body = {
        "base_asset": "0xabc",
        "qty": "1",
        "qty_unit": "quote",
        "type": "market",
        "side": "buy",
        "chain": "arbitrum",
    }
    request = CreateOrderRequest.from_dict(dict(body))
    _assert_unknown(request.chain, "arbitrum", Chain)  # type: ignore[arg-type]
    assert request.to_dict() == body
    assert Chain("hypercore-perp") is Chain.HYPERCORE_PERP
    assert Chain.HYPERCORE_PERP.is_known


def test_small_wrappers_keep_unknown_status() -> None:
    created = CreateOrderResponse.from_dict({"order_id": "o1", "status": "expired"})
    _assert_unknown(created.status, "expired", OrderStatus)  # type: ignore[arg-type]
    assert created.to_dict() == {"order_id": "o1", "status": "expired"}
    polled = GetOrderStatusResponse.from_dict({"status": "expired"})
    _assert_unknown(polled.status, "expired", OrderStatus)  # type: ignore[arg-type]


def test_pages_keep_unknown_values() -> None:
    orders = GetOrdersResponse.from_dict(
        {"data": [ORDER], "pagination": {"next_cursor": None, "limit": 50}}
    )
    assert orders.data[0].status == "expired"  # type: ignore[index]
    transfers = ListTransfersResponse.from_dict(
        {"data": [TRANSFER], "pagination": {"next_cursor": "2026-06-24T18:38:30.075569Z"}}
    )
    assert transfers.data[0].status.value == "reversed"  # type: ignore[index]
    # the cursor is opaque: it comes back byte for byte
    assert transfers.to_dict()["pagination"]["next_cursor"] == "2026-06-24T18:38:30.075569Z"
    assets = ListAssetsResponse.from_dict({"data": [ASSET]})
    assert assets.data[0].venue == "otc"  # type: ignore[index]


def _all_enums() -> list[type[enum.Enum]]:
    return [
        obj for _, obj in inspect.getmembers(models, inspect.isclass) if issubclass(obj, enum.Enum)
    ]


def test_every_generated_enum_is_open() -> None:
    enums = _all_enums()
    assert {e.__name__ for e in enums} >= {
        "OrderStatus",
        "TransferStatus",
        "Chain",
        "Venue",
        "OrderSide",
        "OrderType",
        "SigningMethod",
        "QtyUnit",
    }
    for cls in enums:
        for member in cls:
            assert member.is_known, member  # type: ignore[attr-defined]
            assert cls(member.value) is member
        new = cls("zz-new-value")
        _assert_unknown(new, "zz-new-value", cls)
        assert cls("zz-new-value") == new
        assert len(list(cls)) == len(cls.__members__)  # pseudo-members do not join the class


def test_non_string_values_are_still_rejected() -> None:
    with pytest.raises(ValueError):
        OrderStatus(5)  # type: ignore[arg-type]


def test_unknown_value_spelled_like_a_member_name_is_not_known() -> None:
    assert OrderStatus("ACTIVE").is_known is False
    assert OrderStatus("cancel-pending").is_known is False


# --------------------------------------------------------------------------- unknown fields


def test_unknown_fields_are_kept_and_round_trip() -> None:
    raw = dict(
        ORDER,
        asset_class="crypto",
        fills=[{"qty": "0.005", "price": "64200"}],
        routing={"venue": "x", "hops": 2},
    )
    order = OrderDetail.from_dict(copy.deepcopy(raw))
    assert order.additional_properties == {
        "asset_class": "crypto",
        "fills": [{"qty": "0.005", "price": "64200"}],
        "routing": {"venue": "x", "hops": 2},
    }
    assert order["asset_class"] == "crypto"
    assert "routing" in order
    assert order.to_dict() == raw


def test_unknown_fields_in_nested_models_round_trip() -> None:
    raw = dict(
        TRANSFER,
        status="awaiting_signature",
        payloads=[{"digest": "ab", "payload": "cGF5", "expires_at": "soon"}],
        memo="x",
    )
    transfer = TransferDetail.from_dict(copy.deepcopy(raw))
    assert transfer.status.is_known  # type: ignore[attr-defined]
    assert transfer.payloads[0].additional_properties == {"expires_at": "soon"}  # type: ignore[index]
    assert transfer.additional_properties == {"memo": "x"}
    assert transfer.to_dict() == raw

    asset = dict(
        ASSET,
        status="listed",
        networks=[{"network": "n", "compatible_networks": [], "memo_required": True}],
    )
    assert AssetItem.from_dict(copy.deepcopy(asset)).to_dict() == asset
    balance = {"symbol": "PYUSD", "chain": None, "address": None, "total": "1", "bucket": "x"}
    parsed = BalanceItem.from_dict(dict(balance))
    assert parsed.chain is None
    assert parsed.to_dict() == balance


# --------------------------------------------------------------------------- over the wire


def _client(payload: Any) -> Client:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=payload)

    return Client(
        base_url="https://gateway.test/v1/gateway",
        httpx_args={"transport": httpx.MockTransport(handler)},
    )


def test_generated_endpoint_parses_unknown_status() -> None:
    parsed = get_order_status.sync(client=_client({"status": "expired"}), id="o1")
    assert isinstance(parsed, GetOrderStatusResponse)
    _assert_unknown(parsed.status, "expired", OrderStatus)  # type: ignore[arg-type]


def test_generated_list_endpoint_parses_unknown_values_and_fields() -> None:
    page = {"data": [dict(ORDER, surprise=1)], "pagination": {"next_cursor": None}}
    parsed = list_orders.sync(client=_client(page))
    assert isinstance(parsed, GetOrdersResponse)
    order = parsed.data[0]  # type: ignore[index]
    assert order.status.value == "expired"  # type: ignore[union-attr]
    assert order.venue.value == "otc"  # type: ignore[union-attr]
    assert order["surprise"] == 1
