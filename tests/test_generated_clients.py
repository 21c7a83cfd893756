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

import truemarkets_account_client
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
    # beyond the vendor's published spec (x-tmgw-beyond-upstream)
    "getPortfolio": "portfolio.get_portfolio",
    "listTransactions": "portfolio.list_transactions",
}
AUTH_OPS: dict[str, str] = {
    "exchangeApiKeyToken": "api_key_authentication.exchange_api_key_token",
    "refreshToken": "token.refresh_token",
}
ACCOUNT_OPS: dict[str, str] = {
    "createOrganizationUser": "organizations.create_organization_user",
}
BEYOND_UPSTREAM_OPS = {"getPortfolio", "listTransactions", "createOrganizationUser"}
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
ACCOUNT = _load("account.yaml")


# --------------------------------------------------------------------------- packages


def test_twenty_two_operations_in_all() -> None:
    assert len(GATEWAY_OPS) == 19
    assert len(AUTH_OPS) == 2
    assert len(ACCOUNT_OPS) == 1


@pytest.mark.parametrize(
    ("package", "module"),
    [("truemarkets_gateway_client", m) for m in GATEWAY_OPS.values()]
    + [("truemarkets_auth_client", m) for m in AUTH_OPS.values()]
    + [("truemarkets_account_client", m) for m in ACCOUNT_OPS.values()],
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
    for package in (
        truemarkets_gateway_client,
        truemarkets_auth_client,
        truemarkets_account_client,
    ):
        assert {"Client", "AuthenticatedClient"} <= set(package.__all__)


def test_no_unexpected_endpoint_modules() -> None:
    for package, ops in (
        (truemarkets_gateway_client, GATEWAY_OPS),
        (truemarkets_auth_client, AUTH_OPS),
        (truemarkets_account_client, ACCOUNT_OPS),
    ):
        api = Path(package.__file__).parent / "api"
        found = {f"{p.parent.name}.{p.stem}" for p in api.glob("*/*.py") if p.name != "__init__.py"}
        assert found == set(ops.values())


# --------------------------------------------------------------------------- the spec


def test_specs_have_exactly_the_listed_operations() -> None:
    assert set(_operations(GATEWAY)) == set(GATEWAY_OPS)
    assert set(_operations(AUTH)) == set(AUTH_OPS)
    assert set(_operations(ACCOUNT)) == set(ACCOUNT_OPS)


def test_operations_beyond_the_vendor_spec_are_marked() -> None:
    for doc in (GATEWAY, AUTH, ACCOUNT):
        for op_id, op in _operations(doc).items():
            assert bool(op.get("x-tmgw-beyond-upstream")) == (op_id in BEYOND_UPSTREAM_OPS), op_id


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


@pytest.mark.parametrize(
    ("name", "doc"), [("gateway", GATEWAY), ("auth", AUTH), ("account", ACCOUNT)]
)
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
    [
        (truemarkets_gateway_client, GATEWAY),
        (truemarkets_auth_client, AUTH),
        (truemarkets_account_client, ACCOUNT),
    ],
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


def test_account_client_creates_a_user_and_reads_the_503() -> None:
    from truemarkets_account_client import AuthenticatedClient as AccountClient
    from truemarkets_account_client.api.organizations import create_organization_user
    from truemarkets_account_client.models import (
        CreateUserRequest,
        OrganizationUser,
    )
    from truemarkets_account_client.models import ErrorResponse as AccountError

    seen: list[httpx.Request] = []
    answers = [
        httpx.Response(503, json={"type": "unavailable", "message": "provisioning"}),
        httpx.Response(
            201,
            json={
                "user_id": "u-1",
                "external_ref_id": "cust_1",
                "created_at": "2026-01-01T00:00:00Z",
                "wallets": [{"address": "So1", "chain_family": "solana", "extra": 1}],
            },
        ),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[len(seen) - 1]

    client = AccountClient(
        base_url="https://host.test/v1/account",
        token="tok",
        httpx_args={"transport": httpx.MockTransport(handler)},
    )
    body = CreateUserRequest(external_ref_id="cust_1", signer_public_key="02" + "ab" * 32)
    busy = create_organization_user.sync(organization_id="org-1", client=client, body=body)
    assert isinstance(busy, AccountError) and busy.type_ == "unavailable"
    user = create_organization_user.sync(organization_id="org-1", client=client, body=body)
    assert isinstance(user, OrganizationUser)
    assert user.user_id == "u-1" and user.wallets[0].chain_family == "solana"
    assert seen[0].url.path == "/v1/account/organizations/org-1/users"
    assert seen[0].method == "POST"
    assert json.loads(seen[0].content) == {
        "external_ref_id": "cust_1",
        "signer_public_key": "02" + "ab" * 32,
    }


def test_portfolio_and_transactions_parse_unknown_fields_and_values() -> None:
    from truemarkets_gateway_client.api.portfolio import get_portfolio, list_transactions
    from truemarkets_gateway_client.models import (
        ListTransactionsResponse,
        PortfolioResponse,
        TransactionType,
    )

    portfolio = {
        "total_usd": "10.00",
        "balances": [{"symbol": "SOL", "total": "1", "price": "10", "value": "10.00", "new": 1}],
        "positions": [],
        "brand_new": True,
    }
    seen: list[httpx.Request] = []
    client = _recording_client(200, portfolio, seen)
    parsed = get_portfolio.sync(client=client)
    assert isinstance(parsed, PortfolioResponse)
    assert parsed.balances[0].value == "10.00" and parsed.total_usd == "10.00"
    feed = {
        "data": [
            {
                "id": "t1",
                "type": "airdrop",
                "asset_flow": "in",
                "status": "completed",
                "created_at": "2026-01-01T00:00:00Z",
                "explorer_url": None,
            }
        ],
        "pagination": {"next_cursor": None, "limit": 1},
    }
    client = _recording_client(200, feed, seen)
    page = list_transactions.sync(client=client, limit=1, cursor="2026-01-01T00:00:00Z")
    assert isinstance(page, ListTransactionsResponse)
    assert isinstance(page.data[0].type_, TransactionType)
    assert not page.data[0].type_.is_known
    assert seen[-1].url.params["limit"] == "1"
    assert seen[-1].url.path == "/v1/gateway/transactions"
