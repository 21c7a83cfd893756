"""Done-when checks for the generated clients and the spec they come from."""

from __future__ import annotations

import importlib
import inspect
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

import truemarkets_auth_client
import truemarkets_gateway_client
from truemarkets_gateway_client import AuthenticatedClient
from truemarkets_gateway_client.api.orders import create_order, execute_order
from truemarkets_gateway_client.models import (
    Chain,
    CreateOrderRequest,
    CreateOrderResponse,
    ErrorResponse,
    ExecuteOrderRequest,
    OrderSide,
    OrderStatus,
    OrderType,
    QtyUnit,
    SigningMethod,
)

ROOT = Path(__file__).resolve().parents[1]
OPENAPI = ROOT / "openapi"
BASE = "https://gateway.test/v1/gateway"

# operationId -> module under <package>.api
GATEWAY_OPS: dict[str, str] = {
    "computeQuote": "quotes.compute_quote",
    "createOrder": "orders.create_order",
    "listOrders": "orders.list_orders",
    "executeOrder": "orders.execute_order",
    "getOrderStatus": "orders.get_order_status",
    "cancelOrder": "orders.cancel_order",
    "getOrder": "orders.get_order",
    "modifyOrder": "orders.modify_order",
    "prepareCancelOrder": "orders.prepare_cancel_order",
    "executeCancelOrder": "orders.execute_cancel_order",
    "createTransfer": "transfers.create_transfer",
    "listTransfers": "transfers.list_transfers",
    "executeTransfer": "transfers.execute_transfer",
    "getTransfer": "transfers.get_transfer",
    "listAssets": "assets.list_assets",
    "listBalances": "balances.list_balances",
    "getBalances": "balances.get_balances",
}
AUTH_OPS: dict[str, str] = {
    "exchangeApiKeyToken": "api_key_authentication.exchange_api_key_token",
    "refreshToken": "token.refresh_token",
}
PUBLIC_GATEWAY_OPS = {"computeQuote", "listAssets"}
METHODS = ("get", "put", "post", "delete", "patch")


def _load(name: str) -> dict[str, Any]:
    with (OPENAPI / name).open(encoding="utf-8") as fh:
        doc: dict[str, Any] = yaml.safe_load(fh)
    return doc


def _operations(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        op["operationId"]: op
        for item in doc["paths"].values()
        for method, op in item.items()
        if method in METHODS
    }


def _resolve(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = doc
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


GATEWAY = _load("gateway.yaml")
AUTH = _load("auth.yaml")


# --------------------------------------------------------------------------- packages


def test_nineteen_operations_in_all() -> None:
    assert len(GATEWAY_OPS) == 17
    assert len(AUTH_OPS) == 2


@pytest.mark.parametrize(
    ("package", "module"),
    [("truemarkets_gateway_client", m) for m in GATEWAY_OPS.values()]
    + [("truemarkets_auth_client", m) for m in AUTH_OPS.values()],
)
def test_every_operation_has_a_generated_module(package: str, module: str) -> None:
    mod = importlib.import_module(f"{package}.api.{module}")
    for name in ("sync", "sync_detailed"):
        assert inspect.isfunction(getattr(mod, name)), name
    for name in ("asyncio", "asyncio_detailed"):
        assert inspect.iscoroutinefunction(getattr(mod, name)), name
    # the facade builds its requests from this
    assert inspect.isfunction(mod._get_kwargs)


def test_packages_expose_their_clients() -> None:
    for package in (truemarkets_gateway_client, truemarkets_auth_client):
        assert {"Client", "AuthenticatedClient"} <= set(package.__all__)


def test_no_unexpected_endpoint_modules() -> None:
    for package, ops in (
        (truemarkets_gateway_client, GATEWAY_OPS),
        (truemarkets_auth_client, AUTH_OPS),
    ):
        api = Path(package.__file__).parent / "api"
        found = {f"{p.parent.name}.{p.stem}" for p in api.glob("*/*.py") if p.name != "__init__.py"}
        assert found == set(ops.values())


# --------------------------------------------------------------------------- the spec


def test_gateway_spec_has_exactly_the_17_operations() -> None:
    assert set(_operations(GATEWAY)) == set(GATEWAY_OPS)
    assert set(_operations(AUTH)) == set(AUTH_OPS)


def test_public_operations_and_bearer_inheritance() -> None:
    assert GATEWAY["security"] == [{"bearerAuth": []}]
    scheme = GATEWAY["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    for op_id, op in _operations(GATEWAY).items():
        if op_id in PUBLIC_GATEWAY_OPS:
            assert op.get("security") == [], op_id
        else:
            assert "security" not in op, f"{op_id} should inherit bearer auth"
    for op_id, op in _operations(AUTH).items():
        assert op.get("security") == [], op_id


@pytest.mark.parametrize(("name", "doc"), [("gateway", GATEWAY), ("auth", AUTH)])
def test_every_error_response_uses_the_one_error_schema(name: str, doc: dict[str, Any]) -> None:
    assert "ErrorResponse" in doc["components"]["schemas"]
    for op_id, op in _operations(doc).items():
        for code, response in op["responses"].items():
            if int(code) < 400:
                continue
            response = _resolve(doc, response)
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (op_id, code)


@pytest.mark.parametrize(
    ("package", "doc"),
    [(truemarkets_gateway_client, GATEWAY), (truemarkets_auth_client, AUTH)],
)
def test_generated_models_are_exactly_the_component_schemas(package: Any, doc: Any) -> None:
    """No per-operation (error or inline) models: one class per named schema, nothing else."""
    models = importlib.import_module(f"{package.__name__}.models")
    assert set(models.__all__) == set(doc["components"]["schemas"])
    files = {p.stem for p in (Path(models.__file__).parent).glob("*.py")} - {"__init__"}
    assert len(files) == len(models.__all__)
    assert not [f for f in files if re.search(r"_response_\d{3}|_error(_|$)", f)]
    assert [f for f in files if "error" in f] == ["error_response"]


# --------------------------------------------------------------------------- on the wire


def _recording_client(status: int, payload: Any, seen: list[httpx.Request]) -> AuthenticatedClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=payload)

    return AuthenticatedClient(
        base_url=BASE, token="tok-123", httpx_args={"transport": httpx.MockTransport(handler)}
    )


def test_create_order_sends_method_path_and_json_body() -> None:
    seen: list[httpx.Request] = []
    answer = {
        "order_id": "o-1",
        "status": "initialized",
        "payloads": [{"digest": "d1", "payload": "cDE="}],
        "quote": {"qty": "10", "qty_out": "0.06", "issues": []},
    }
    client = _recording_client(201, answer, seen)
    body = CreateOrderRequest(
        base_asset="So11111111111111111111111111111111111111112",
        qty="10.50",
        qty_unit=QtyUnit.QUOTE,
        type_=OrderType.MARKET,
        side=OrderSide.BUY,
        chain=Chain.SOLANA,
    )
    response = create_order.sync_detailed(client=client, body=body)

    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == f"{BASE}/orders"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == "Bearer tok-123"
    assert json.loads(request.content) == {
        "base_asset": "So11111111111111111111111111111111111111112",
        "qty": "10.50",
        "qty_unit": "quote",
        "type": "market",
        "side": "buy",
        "chain": "solana",
    }
    assert response.status_code == 201
    parsed = response.parsed
    assert isinstance(parsed, CreateOrderResponse)
    assert parsed.status is OrderStatus.INITIALIZED
    assert parsed.payloads[0].payload == "cDE="  # type: ignore[index]


def test_error_answers_parse_into_the_shared_error_model() -> None:
    seen: list[httpx.Request] = []
    envelope = {
        "type": "failed_precondition",
        "code": "quote_stale",
        "message": "quote is stale",
        "request_id": "r",
    }
    client = _recording_client(422, envelope, seen)
    body = ExecuteOrderRequest(signatures=["stamp"], auth_type=SigningMethod.API_KEY)
    response = execute_order.sync_detailed(client=client, id="o-1", body=body)
    (request,) = seen
    assert request.method == "POST"
    assert request.url.path == "/v1/gateway/orders/o-1/execute"
    assert json.loads(request.content) == {"signatures": ["stamp"], "auth_type": "api_key"}
    assert isinstance(response.parsed, ErrorResponse)
    assert response.parsed.code == "quote_stale"
    assert response.parsed.request_id == "r"


async def test_async_create_order_uses_the_same_request() -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"order_id": "o-2", "status": "pending"})

    client = AuthenticatedClient(
        base_url=BASE, token="t", httpx_args={"transport": httpx.MockTransport(handler)}
    )
    body = CreateOrderRequest(
        base_asset="BTC",
        quote_asset="USD",
        qty="0.005",
        qty_unit=QtyUnit.BASE,
        type_=OrderType.LIMIT,
        side=OrderSide.SELL,
        price="63199",
    )
    parsed = await create_order.asyncio(client=client, body=body)
    (request,) = seen
    assert (request.method, request.url.path) == ("POST", "/v1/gateway/orders")
    assert json.loads(request.content)["price"] == "63199"
    assert isinstance(parsed, CreateOrderResponse)
    assert parsed.order_id == "o-2"
