"""Gateway (sync): every operation against a scripted transport; requests and results."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from _facade_stub import (
    ASSET_CEFI,
    ASSET_DEFI,
    BASE,
    DEFI_TRANSFER,
    ORDER,
    TRANSFER,
    Stub,
    sync_gateway,
)

from truemarkets_gateway import (
    CredentialsError,
    Gateway,
    OrderNotCreatedError,
    OrderStatus,
    ValidationError,
    __version__,
)
from truemarkets_gateway.models import CreatedOrder, UnsignedPayload


@pytest.fixture
def stub() -> Stub:
    return Stub()


def test_quote_is_public_and_sends_decimal_strings(stub: Stub) -> None:
    stub.json("POST", "/quotes", {"qty": "0.01485", "price": "67340.25"})
    gw = sync_gateway(stub)
    quote = gw.quote(
        base_asset="BTC", quote_asset="USD", qty=Decimal("100.50"), side="buy", qty_unit="quote"
    )
    assert quote.qty == Decimal("0.01485") and quote.price == Decimal("67340.25")
    request = stub.requests[0]
    assert str(request.url) == BASE + "/quotes"
    assert "authorization" not in request.headers
    assert request.headers["user-agent"] == f"truemarkets-gateway-python/{__version__}"
    assert stub.body() == {
        "base_asset": "BTC",
        "quote_asset": "USD",
        "qty": "100.50",
        "qty_unit": "quote",
        "side": "buy",
    }


def test_create_order_cefi_and_defi(stub: Stub) -> None:
    stub.json("POST", "/orders", {"order_id": "o1", "status": "pending"}, status=201)
    gw = sync_gateway(stub)
    created = gw.create_order(
        side="sell", type="limit", qty="0.005", qty_unit="base", base_asset="BTC",
        quote_asset="USD", price=63199,
    )  # fmt: skip
    assert created.order_id == "o1" and created.status is OrderStatus.PENDING
    assert not created.needs_signature and created.order_created
    assert stub.requests[0].headers["authorization"] == "Bearer test-token"
    assert stub.body() == {
        "side": "sell",
        "type": "limit",
        "qty": "0.005",
        "qty_unit": "base",
        "base_asset": "BTC",
        "quote_asset": "USD",
        "price": "63199",
    }

    stub.routes.clear()
    stub.json(
        "POST",
        "/orders",
        {
            "order_id": "o2",
            "status": "initialized",
            "payloads": [{"digest": "d1", "payload": "p1"}, {"digest": "d2", "payload": "p2"}],
            "quote": {
                "base_asset": "SOL",
                "quote_asset": "USDC",
                "qty": "10",
                "qty_out": "0.05",
                "fee": "0.01",
                "fee_asset": "USDC",
                "issues": ["High price impact", {"message": "Low liquidity"}],
            },
        },
        status=201,
    )
    created = gw.create_order(
        side="buy", type="market", qty="10", qty_unit="quote", base_asset="So1addr",
        chain="solana",
    )  # fmt: skip
    assert created.needs_signature and len(created.payloads) == 2
    assert created.payloads[0] == UnsignedPayload(payload="p1", digest="d1")
    assert created.quote is not None
    assert created.quote.qty_out == Decimal("0.05")
    assert created.quote.issues == ("High price impact", "Low liquidity")
    assert created.payload_age >= 0


def test_unfundable_defi_order_is_not_created(stub: Stub) -> None:
    stub.json(
        "POST",
        "/orders",
        {"order_id": "", "quote": {"issues": ["Insufficient balance"]}},
        status=201,
    )
    gw = sync_gateway(stub)
    created = gw.create_order(
        side="buy", type="market", qty="5", qty_unit="quote", base_asset="x", chain="base"
    )
    assert not created.order_created and not created.needs_signature
    with pytest.raises(OrderNotCreatedError):
        gw.execute_order(created, signatures=["s"])
    assert len(stub.requests) == 1


def test_execute_order_with_signatures_and_with_signer(stub: Stub) -> None:
    stub.json("POST", "/orders/o2/execute", {"status": "pending"})
    gw = sync_gateway(stub)
    executed = gw.execute_order("o2", signatures=["stamp1"])
    assert executed.order_id == "o2" and executed.status is OrderStatus.PENDING
    assert stub.body() == {"signatures": ["stamp1"], "auth_type": "api_key"}

    class FakeSigner:
        def sign_payloads(self, payloads: object) -> list[str]:
            return [f"stamp-{p.payload}" for p in payloads]  # type: ignore[attr-defined]

    order = CreatedOrder(
        order_id="o2",
        status=OrderStatus.INITIALIZED,
        payloads=(UnsignedPayload("p1"), UnsignedPayload("p2")),
    )
    gw.execute_order(order, signer=FakeSigner())  # type: ignore[arg-type]
    assert stub.body()["signatures"] == ["stamp-p1", "stamp-p2"]


def test_execute_order_by_id_needs_signatures_and_no_signer_is_lazy(stub: Stub) -> None:
    gw = sync_gateway(stub)
    with pytest.raises(ValidationError) as info:
        gw.execute_order("o2")
    assert info.value.field == "signatures"
    order = CreatedOrder("o2", OrderStatus.INITIALIZED, payloads=(UnsignedPayload("p"),))
    with pytest.raises(CredentialsError):
        gw.execute_order(order)  # a static token has no key to sign with
    with pytest.raises(ValidationError, match="one stamp per payload"):
        gw.execute_order(order, signatures=["a", "b"])
    assert stub.requests == []


def test_signer_from_signer_key_environment(stub: Stub) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    gw = Gateway(access_token="t", environ={"TM_SIGNER_KEY": pem})
    assert len(gw.signer.public_key_hex) == 66
    gw.close()


def test_get_order_and_status(stub: Stub) -> None:
    stub.json("GET", "/orders/abc", {**ORDER, "failure_reason": None, "brand_new": {"x": 1}})
    stub.json("GET", "/orders/abc/status", {"status": "cancel_pending"})
    gw = sync_gateway(stub)
    order = gw.get_order("abc")
    assert order.price == Decimal("63199") and order.fee == Decimal("0.1284")
    assert order.created_at == datetime(2026, 7, 11, 6, 37, 58, 193418, tzinfo=UTC)
    assert order.status is OrderStatus.COMPLETE and order.is_terminal
    assert order.extra == {"brand_new": {"x": 1}}
    assert gw.get_order_status("abc") is OrderStatus.CANCEL_PENDING


def test_order_id_is_escaped_in_the_path(stub: Stub) -> None:
    stub.json("GET", "/orders/a/b", ORDER)  # the stub routes on the decoded path
    gw = sync_gateway(stub)
    gw.get_order("a/b")
    assert stub.requests[0].url.raw_path == b"/v1/gateway/orders/a%2Fb"


def test_modify_prepare_execute_cancel_and_deprecated_delete(stub: Stub) -> None:
    stub.json("PATCH", "/orders/o1", {}, status=202)
    stub.on("POST", "/orders/o1/cancel", httpx.Response(202))
    stub.json("POST", "/orders/o2/cancel", {"payloads": [{"digest": "d", "payload": "p"}]})
    stub.json("POST", "/orders/o2/cancel/execute", {"status": "cancel_pending"})
    stub.json("DELETE", "/orders/o3", {}, status=202)
    gw = sync_gateway(stub)

    assert gw.modify_order("o1", price="65000.5") is None
    assert stub.body() == {"price": "65000.5"}

    cefi = gw.prepare_cancel_order("o1")
    assert cefi.accepted and not cefi.needs_signature
    defi = gw.prepare_cancel_order("o2")
    assert not defi.accepted and defi.payloads == (UnsignedPayload("p", "d"),)
    done = gw.execute_cancel_order("o2", signatures=["s"])
    assert done.status is OrderStatus.CANCEL_PENDING
    assert gw.cancel_order_deprecated("o3") is None
    assert [r.method for r in stub.requests] == ["PATCH", "POST", "POST", "POST", "DELETE"]


def test_list_orders_sends_filters(stub: Stub) -> None:
    stub.json("GET", "/orders", {"data": [ORDER], "pagination": {"next_cursor": None}})
    gw = sync_gateway(stub)
    orders = list(gw.list_orders(status=["pending", OrderStatus.ACTIVE], venue="cefi", limit=10))
    assert [o.order_id for o in orders] == [ORDER["order_id"]]
    params = stub.requests[0].url.params
    assert params["status"] == "pending,active"
    assert params["venue"] == "cefi" and params["limit"] == "10"
    page = gw.list_orders_page(cursor="2026-01-01T00:00:00Z")
    assert stub.requests[1].url.params["cursor"] == "2026-01-01T00:00:00Z"
    assert "venue" not in stub.requests[1].url.params
    assert page.next_cursor is None and not page.has_more


def test_transfers(stub: Stub) -> None:
    stub.json("POST", "/transfers", TRANSFER, status=201)
    stub.json("GET", f"/transfers/{TRANSFER['id']}", TRANSFER)
    stub.json(
        "POST", f"/transfers/{DEFI_TRANSFER['id']}/execute", {**DEFI_TRANSFER, "payloads": []}
    )
    stub.json("GET", "/transfers", {"data": [TRANSFER], "pagination": {"next_cursor": None}})
    gw = sync_gateway(stub)
    created = gw.create_transfer(
        asset_id=ASSET_CEFI["id"], qty="0.0001", to="3PRz", network="bitcoin"
    )
    assert created.qty == Decimal("0.0001") and created.network == "bitcoin"
    assert stub.body() == {
        "asset_id": ASSET_CEFI["id"],
        "qty": "0.0001",
        "qty_unit": "base",
        "to": "3PRz",
        "network": "bitcoin",
    }
    assert gw.get_transfer(TRANSFER["id"]).transfer_id == TRANSFER["id"]
    done = gw.execute_transfer(DEFI_TRANSFER["id"], signatures=["s"])
    assert done.payloads == ()
    assert [t.id for t in gw.list_transfers(status="pending", limit=5)] == [TRANSFER["id"]]
    assert stub.requests[-1].url.params["status"] == "pending"
    assert gw.list_transfers_page().items[0].fee == Decimal("0")


def test_assets_are_public_and_teach_transfer_validation(stub: Stub) -> None:
    stub.json(
        "GET",
        "/assets",
        {"data": [ASSET_CEFI, ASSET_DEFI], "pagination": {"next_cursor": None, "limit": 100}},
    )
    gw = sync_gateway(stub)
    assets = list(gw.list_assets(venue="cefi", limit=100))
    assert "authorization" not in stub.requests[0].headers
    assert stub.requests[0].url.params["venue"] == "cefi"
    assert assets[0].network_names == frozenset({"bitcoin"})
    assert gw.list_assets_page().limit == 100
    with pytest.raises(ValidationError, match="required for CeFi"):
        gw.create_transfer(asset_id=ASSET_CEFI["id"], qty="1", to="addr")
    with pytest.raises(ValidationError, match="must not be given for DeFi"):
        gw.create_transfer(asset_id=assets[1], qty="1", to="addr", network="solana")
    with pytest.raises(ValidationError, match="asset's networks"):
        gw.create_transfer(asset_id=assets[0], qty="1", to="addr", network="ethereum")
    assert len(stub.requests) == 2


def test_balances_both_shapes_and_unified(stub: Stub) -> None:
    rows = [
        {"symbol": "PYUSD", "chain": None, "total": "10", "available": "8", "held": "2"},
        {"symbol": "PYUSD", "chain": "solana", "total": "5.5", "available": "5.5", "held": "0"},
        {"symbol": "BTC", "chain": None, "total": "0.1", "available": "0.1", "held": "0"},
    ]
    stub.on(
        "GET",
        "/balances",
        httpx.Response(200, json={"data": rows}),
        httpx.Response(200, json={"balances": [{"asset_name": "BTC", "balance": "0.5"}]}),
    )
    stub.json("GET", "/balances/unified", {"data": rows[:1]})
    gw = sync_gateway(stub)
    balances = gw.get_balances()
    assert balances.symbols == ("PYUSD", "BTC")
    pyusd = balances["PYUSD"]
    assert (pyusd.total, pyusd.available, pyusd.held) == (
        Decimal("15.5"),
        Decimal("13.5"),
        Decimal("2"),
    )
    assert [b.chain for b in pyusd.buckets] == [None, "solana"]
    assert "ETH" not in balances and balances.get("ETH") is None
    legacy = gw.get_balances()
    assert legacy["BTC"].available == Decimal("0.5") and legacy["BTC"].held == 0
    assert len(gw.list_balances()) == 1


def test_public_client_without_credentials(stub: Stub) -> None:
    stub.json("POST", "/quotes", {"qty": "1", "price": "2"})
    gw = Gateway(http_client=httpx.Client(transport=httpx.MockTransport(stub)), environ={})
    assert gw.credentials is None
    gw.quote(base_asset="BTC", quote_asset="USD", qty=1, side="sell", qty_unit="base")
    with pytest.raises(CredentialsError, match="needs credentials"):
        gw.get_order("o1")
    assert len(stub.requests) == 1


def test_constructor_options(stub: Stub) -> None:
    stub.json("GET", "/orders/o1/status", {"status": "pending"})
    gw = sync_gateway(stub, base_url="http://127.0.0.1:8080", user_agent="my-bot/1.0", legacy=False)
    gw.get_order_status("o1")
    request = stub.requests[0]
    assert str(request.url) == "http://127.0.0.1:8080/v1/gateway/orders/o1/status"
    assert request.headers["user-agent"] == "my-bot/1.0"
    with pytest.raises(TypeError):
        Gateway(http_client=httpx.AsyncClient(), environ={})  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Gateway(max_retries=-1, environ={})
    with Gateway(env="uat", environ={}) as uat:
        assert uat.environment.gateway_url == "https://api.uat.truemarkets.co/v1/gateway"
        assert "uat" in repr(uat)


def test_on_behalf_of_header(stub: Stub) -> None:
    stub.json("GET", "/orders/o1/status", {"status": "pending"})
    gw = sync_gateway(stub, on_behalf_of="user-7")
    gw.get_order_status("o1")
    assert stub.requests[0].headers["tm-on-behalf-of"] == "user-7"


def test_generated_client_shares_transport_and_auth(stub: Stub) -> None:
    from truemarkets_gateway_client.api.orders import get_order_status

    stub.json("GET", "/orders/o1/status", {"status": "active"})
    gw = sync_gateway(stub)
    response = get_order_status.sync_detailed("o1", client=gw.generated)
    assert response.status_code == 200
    request = stub.requests[0]
    assert request.headers["authorization"] == "Bearer test-token"
    assert request.headers["user-agent"].startswith("truemarkets-gateway-python/")


def test_debug_logging_has_no_secret(stub: Stub, caplog: pytest.LogCaptureFixture) -> None:
    stub.on(
        "GET",
        "/orders/o1",
        httpx.Response(503, json={"message": "busy"}),
        httpx.Response(200, json=ORDER),
    )
    gw = sync_gateway(stub, access_token="very-secret-token")
    with caplog.at_level(logging.DEBUG, logger="truemarkets_gateway"):
        gw.get_order("o1")
    text = caplog.text
    assert "GET /orders/o1 -> 503" in text and "GET /orders/o1 -> 200" in text
    assert "retrying GET /orders/o1" in text
    assert "very-secret-token" not in text


def test_unreadable_success_body(stub: Stub) -> None:
    from truemarkets_gateway import UnexpectedResponseError

    stub.on("POST", "/orders", httpx.Response(201, text="not json"))
    gw = sync_gateway(stub)
    with pytest.raises(UnexpectedResponseError, match="list_orders"):
        gw.create_order(side="sell", type="market", qty="1", qty_unit="base", base_asset="BTC")


def test_credentials_default_from_environment(api_key_file, key_id) -> None:  # type: ignore[no-untyped-def]
    gw = Gateway(environ={"TM_KEY_FILE": str(api_key_file)})
    assert gw.credentials is not None and gw.credentials.key_id == key_id
    assert gw.signer.public_key_hex == gw.credentials.public_key_compressed_hex
    assert "PRIVATE" not in repr(gw) and "api_key" in repr(gw)
    gw.close()


def test_workflows_run_on_the_real_primitives(stub: Stub) -> None:
    stub.json("POST", "/orders", {"order_id": "o9", "status": "pending"}, status=201)
    stub.on(
        "GET",
        "/orders/o9/status",
        httpx.Response(200, json={"status": "pending"}),
        httpx.Response(200, json={"status": "complete"}),
    )
    stub.json("GET", "/orders/o9", {**ORDER, "order_id": "o9"})
    stub.on("POST", "/orders/o9/cancel", httpx.Response(202))
    gw = sync_gateway(stub)
    placed = gw.place_order(
        side="sell", type="market", qty="0.01", qty_unit="base", base_asset="BTC"
    )
    assert placed.order_id == "o9" and placed.order is not None
    assert placed.order.status is OrderStatus.COMPLETE
    assert stub.sleeps  # polling slept through the injected sleep, not for real
