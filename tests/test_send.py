"""The send loop's seams: replay marking, error context, declared-once order fields."""

from __future__ import annotations

import asyncio
import inspect

import httpx
import pytest
from _facade_stub import ORDER, TRANSFER, Stub, sync_gateway

from truemarkets_gateway import (
    APIConnectionError,
    APIError,
    UnexpectedResponseError,
    ValidationError,
)
from truemarkets_gateway._api.operations import OPERATIONS, OrderRequest
from truemarkets_gateway.async_client import AsyncGateway
from truemarkets_gateway.client import Gateway

O1 = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"


def test_only_idempotent_requests_are_marked_replayable() -> None:
    stub = Stub().json("GET", f"/orders/{O1}", ORDER).on("POST", "/orders", httpx.Response(500))
    gw = sync_gateway(stub)
    gw.get_order(O1)
    with pytest.raises(APIError):
        gw.create_order(
            side="buy", type="market", qty="10", qty_unit="quote", base_asset="BTC", reconcile=False
        )
    read, create = stub.requests
    assert read.extensions.get("truemarkets_replay") is True
    assert "truemarkets_replay" not in create.extensions  # a create answered 401 is not replayed


@pytest.mark.parametrize("status", [404, 500])
def test_errors_about_an_order_name_it(status: int) -> None:
    stub = Stub().on("GET", f"/orders/{O1}", httpx.Response(status, json={"message": "x"}))
    with pytest.raises(APIError) as info:
        sync_gateway(stub, max_retries=0).get_order(O1)
    assert info.value.order_id == O1 and info.value.transfer_id is None


def test_execute_errors_name_the_order_or_transfer() -> None:
    stub = Stub().on("POST", f"/orders/{O1}/execute", httpx.ReadError("boom"))  # may have arrived
    with pytest.raises(APIConnectionError) as conn:
        sync_gateway(stub).execute_order(O1, signatures=["c3RhbXA="])
    assert conn.value.order_id == O1 and stub.count("POST", f"/orders/{O1}/execute") == 1
    stub = Stub().on("POST", f"/transfers/{O1}/execute", httpx.Response(200, text="{not json"))
    with pytest.raises(UnexpectedResponseError) as bad:
        sync_gateway(stub).execute_transfer(O1, signatures=["c3RhbXA="])
    assert bad.value.transfer_id == O1


def test_execute_sends_through_the_execute_flow_primitive() -> None:
    stub = Stub().json("POST", f"/transfers/{O1}/execute", TRANSFER)
    gw = sync_gateway(stub)
    sent = gw._send_execute_transfer(O1, ["c3RhbXA="])
    assert sent.id and stub.body()["signatures"] == ["c3RhbXA="]
    assert not OPERATIONS["executeTransfer"].idempotent


@pytest.mark.parametrize("cls", [Gateway, AsyncGateway])
def test_order_fields_are_declared_once(cls: type) -> None:
    """create_order and place_order take exactly the fields of OrderRequest."""
    fields = list(OrderRequest._fields)
    create = [p for p in inspect.signature(cls.create_order).parameters if p != "self"]
    assert create == [*fields, "max_retries", "reconcile", "on_created"]
    place = list(inspect.signature(cls.place_order).parameters)[1 : len(fields) + 1]
    assert place == fields


def test_async_gateway_runs_the_same_loop() -> None:
    stub = Stub().json("GET", f"/orders/{O1}", ORDER)

    async def main() -> str:
        transport = httpx.MockTransport(stub)
        async with AsyncGateway(
            access_token="t", environ={}, http_client=httpx.AsyncClient(transport=transport)
        ) as gw:
            order = await gw.get_order(O1)
        return order.order_id

    assert asyncio.run(main())
    assert stub.requests[0].extensions.get("truemarkets_replay") is True


def test_a_missing_order_field_is_a_validation_error_and_sends_nothing() -> None:
    stub = Stub()
    with pytest.raises(ValidationError) as info:
        sync_gateway(stub).create_order(side=None, type="market", qty="1", qty_unit="base")  # type: ignore[arg-type]
    assert info.value.field == "side" and not stub.requests
