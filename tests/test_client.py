"""Gateway (sync): every operation against a scripted transport; requests and results."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from _facade_stub import (
    ASSET_CEFI,
    ASSET_DEFI,
    BASE,
    DEFI_TRANSFER,
    ORDER,
    TRANSFER,
    CountingSigner,
    ScriptedAuth,
    Stub,
    create_market_order,
    created_with_issues,
    strings_within,
    sync_gateway,
)
from conftest import FAKE_HOST, FakeClock, FakeTrueMarkets

from truemarkets_gateway import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    CredentialsError,
    Gateway,
    InternalServerError,
    OrderNotCreatedError,
    OrderStatus,
    QuoteIssuesError,
    RateLimitError,
    ValidationError,
    __version__,
)
from truemarkets_gateway.credentials import Credentials
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


def test_with_options_overrides_per_call_and_shares_the_rest(stub: Stub) -> None:
    from truemarkets_gateway.errors import ClientClosedError, InternalServerError

    stub.on(
        "GET",
        "/orders/o1/status",
        httpx.Response(503, json={"message": "busy"}),
        httpx.Response(200, json={"status": "active"}),
    )
    gw = sync_gateway(stub, max_retries=2)
    quick = gw.with_options(timeout=1.5, max_retries=0, max_retry_wait=0)
    with pytest.raises(InternalServerError):
        quick.get_order_status("o1")  # no retry through the view
    assert len(stub.requests) == 1
    assert stub.requests[0].extensions["timeout"]["read"] == 1.5
    assert stub.requests[0].headers["authorization"] == "Bearer test-token"  # shared tokens
    assert gw.get_order_status("o1").value == "active"  # the original keeps its settings
    assert stub.requests[1].extensions["timeout"]["read"] != 1.5
    quick.close()  # a view does not close the shared pool
    assert not gw.closed and quick.closed
    gw.close()
    with pytest.raises(ClientClosedError):
        gw.with_options(max_retries=1).get_order_status("o1")  # closing the original closes views
    with pytest.raises(ValidationError):
        gw.with_options(max_retries=-1)


async def test_async_with_options(stub: Stub) -> None:
    from _facade_stub import async_gateway

    stub.json("GET", "/orders/o1/status", {"status": "active"})
    gw = async_gateway(stub)
    await gw.with_options(timeout=3.0).get_order_status("o1")
    assert stub.requests[0].extensions["timeout"]["read"] == 3.0


def test_timeout_option_reaches_every_request(stub: Stub) -> None:
    stub.json("GET", "/orders/o1/status", {"status": "pending"})
    gw = sync_gateway(stub, timeout=2.5)
    gw.get_order_status("o1")
    assert stub.requests[0].extensions["timeout"]["read"] == 2.5
    fine = sync_gateway(stub, timeout=httpx.Timeout(9.0, connect=1.0))
    fine.get_order_status("o1")
    timeout = stub.requests[1].extensions["timeout"]
    assert timeout["connect"] == 1.0 and timeout["read"] == 9.0


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
    assert re.search(r"GET /orders/o1 -> 200 in \d+\.\d ms", text)  # latency is logged
    assert "retrying GET /orders/o1" in text
    assert "very-secret-token" not in text


def test_unreadable_success_body(stub: Stub) -> None:
    from truemarkets_gateway import UnexpectedResponseError

    stub.on("POST", "/orders", httpx.Response(201, text="not json"))
    gw = sync_gateway(stub)
    with pytest.raises(
        UnexpectedResponseError, match="list_orders"
    ):  # reconciling: test_reconcile.py
        gw.create_order(side="sell", type="market", qty="1", qty_unit="base", base_asset="BTC",
                        reconcile=False)  # fmt: skip


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


def test_prepared_call_repr_hides_the_body() -> None:
    from truemarkets_gateway._api.operations import Ctx, build_execute_order

    call = build_execute_order(Ctx("https://gateway.test", {}), "o1", ["stamp-secret-abc"])
    assert "stamp-secret-abc" not in repr(call) and "stamp-secret-abc" not in str(call)
    assert "executeOrder" in repr(call)
    assert call.json is not None  # the body is still there to send


def test_unicode_digits_send_nothing() -> None:
    stub = Stub()
    with pytest.raises(ValidationError):
        sync_gateway(stub).create_order(side="buy", type="market", qty="١٢", qty_unit="quote",
                                        base_asset="BTC", quote_asset="USD")  # fmt: skip
    assert stub.requests == []


def test_execute_order_refuses_quote_issues_unless_accepted() -> None:
    stub = Stub().json("POST", "/orders/o9/execute", {"status": "pending"})
    gw = sync_gateway(stub)
    signer = CountingSigner()
    with pytest.raises(QuoteIssuesError) as info:
        gw.execute_order(created_with_issues(), signer=signer)  # type: ignore[arg-type]
    assert info.value.issues == ("price moved 3%",) and info.value.order_id == "o9"
    assert "price moved 3%" in str(info.value) and "accept_issues=True" in str(info.value)
    assert signer.calls == 0 and stub.requests == []

    gw.execute_order(created_with_issues(), signer=signer, accept_issues=True)  # type: ignore[arg-type]
    assert signer.calls == 1 and stub.body()["signatures"] == ["stamp-p1"]


# --- the bearer token never travels with an exception -----------------------------------------

TOKEN = "secret-bearer-token-xyz"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 429, 500, 503])
def test_api_error_request_has_no_token(status: int) -> None:
    stub = Stub().json("POST", "/orders/o1/execute", {"message": "no"}, status=status)
    gw = sync_gateway(stub, access_token=TOKEN, max_retries=0)
    with pytest.raises(APIError) as info:
        gw.execute_order("o1", signatures=["stamp-secret-abc"])
    err = info.value
    assert err.status_code == status and len(stub.requests) == 1
    assert stub.requests[0].headers["authorization"] == f"Bearer {TOKEN}"  # it was sent
    texts = strings_within(err)
    assert texts, "the walk found nothing"
    assert not any(TOKEN in t for t in texts)
    assert not any("stamp-secret-abc" in t for t in texts)
    assert err.response is not None
    request = err.response.request
    assert "authorization" not in request.headers
    assert request.url == stub.requests[0].url and request.method == "POST"


def test_connection_error_request_has_no_token() -> None:
    stub = Stub().on("POST", "/orders", httpx.ReadError("reset"))
    gw = sync_gateway(stub, access_token=TOKEN, max_retries=0)
    with pytest.raises(APIConnectionError) as info:
        gw.create_order(side="buy", type="market", qty="1", qty_unit="quote",
                        base_asset="BTC", quote_asset="USD", reconcile=False)  # fmt: skip
    assert info.value.request is not None
    assert "authorization" not in info.value.request.headers
    assert not any(TOKEN in t for t in strings_within(info.value))


# --- access_token() / token_expires_at ----------------------------------------------------------


def test_access_token_and_expiry_static() -> None:
    gw = sync_gateway(Stub(), access_token=TOKEN)
    assert gw.access_token() == TOKEN
    assert gw.token_expires_at is None or isinstance(gw.token_expires_at, datetime)
    assert TOKEN not in repr(gw)


def test_access_token_without_credentials() -> None:
    gw = Gateway(environ={})
    with pytest.raises(CredentialsError):
        gw.access_token()
    assert gw.token_expires_at is None


def test_token_expires_at_is_utc_datetime() -> None:
    gw = sync_gateway(Stub(), access_token=TOKEN)

    class _Fake:
        expires_at = 1_700_000_600.0

    gw._cfg = gw._cfg._replace(tokens=_Fake())  # type: ignore[arg-type]
    assert gw.token_expires_at == datetime.fromtimestamp(1_700_000_600, tz=UTC)


# --- token failures before the Gateway request (through the auth flow) ---------------------------


def _scripted(
    script: ScriptedAuth, credentials: Credentials, clock: FakeClock, **kw: Any
) -> Gateway:
    sleeps: list[float] = []
    gw = Gateway(
        base_url=FAKE_HOST,
        credentials=credentials,
        http_client=httpx.Client(transport=httpx.MockTransport(script)),
        environ={},
        sleep=sleeps.append,
        rand=lambda: 0.5,
        clock=clock,
        **kw,
    )
    gw.test_sleeps = sleeps  # type: ignore[attr-defined]
    return gw


def test_mint_503_then_ok_before_create_order_sends_one_create(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    script = ScriptedAuth(fake_tm, 503)
    gw = _scripted(script, credentials, fake_clock)
    created = create_market_order(gw)
    assert created.order_id == "o1"
    assert script.mint_attempts == 2
    assert len(script.gateway) == 1 and script.gateway[0].method == "POST"
    assert gw.test_sleeps == [0.25]  # type: ignore[attr-defined]


@pytest.mark.parametrize("failure", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")])
def test_mint_transport_failure_before_create_order_is_retried(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock, failure: Exception
) -> None:
    script = ScriptedAuth(fake_tm, failure)
    assert create_market_order(_scripted(script, credentials, fake_clock)).order_id == "o1"
    assert script.mint_attempts == 2 and len(script.gateway) == 1


def test_mint_429_with_retry_after_over_the_cap_raises_at_once(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    slow_down = httpx.Response(429, headers={"Retry-After": "30"}, json={"message": "slow"})
    script = ScriptedAuth(fake_tm, slow_down)
    gw = _scripted(script, credentials, fake_clock, max_retry_wait=10)
    with pytest.raises(RateLimitError) as info:
        create_market_order(gw)
    err = info.value
    assert script.mint_attempts == 1 and script.gateway == []
    assert gw.test_sleeps == []  # type: ignore[attr-defined]
    assert err.source == "auth" and err.gateway_request_sent is False
    assert err.response is not None and err.response.headers["retry-after"] == "30"
    assert str(err).lower().count("no gateway request was sent") == 1


def test_mint_429_with_a_short_retry_after_is_slept_and_retried(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    slow_down = httpx.Response(429, headers={"Retry-After": "2"}, json={"message": "slow"})
    script = ScriptedAuth(fake_tm, slow_down)
    gw = _scripted(script, credentials, fake_clock, max_retry_wait=10)
    assert create_market_order(gw).order_id == "o1"
    assert script.mint_attempts == 2 and len(script.gateway) == 1
    assert gw.test_sleeps == [2.0]  # type: ignore[attr-defined]


def test_mint_500_on_get_order_status_retries_then_surfaces(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    script = ScriptedAuth(fake_tm, 500, 500, 500, 500)
    gw = _scripted(script, credentials, fake_clock, max_retries=2)
    with pytest.raises(InternalServerError) as info:
        gw.get_order_status("o1")
    assert script.mint_attempts == 3 and script.gateway == []
    assert info.value.source == "auth" and info.value.gateway_request_sent is False
    assert "no Gateway request was sent" in str(info.value)

    script = ScriptedAuth(fake_tm, 500)
    assert str(_scripted(script, credentials, fake_clock).get_order_status("o1")) == "pending"
    assert script.mint_attempts == 2 and len(script.gateway) == 1


def test_mint_401_surfaces_as_authentication_error_from_auth(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    script = ScriptedAuth(fake_tm, 401, 401, 401, 401)
    gw = _scripted(script, credentials, fake_clock)
    with pytest.raises(AuthenticationError) as info:
        create_market_order(gw)
    err = info.value
    assert err.source == "auth" and script.gateway == []
    assert str(err).lower().count("no gateway request was sent") == 1  # said once, not twice
    assert "may have been created" not in str(err)
    assert gw.test_sleeps == []  # type: ignore[attr-defined]


def test_mint_connect_error_exhausted_says_not_sent(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    refused = httpx.ConnectError("refused")
    script = ScriptedAuth(fake_tm, refused, refused, refused)
    with pytest.raises(APIConnectionError) as info:
        create_market_order(_scripted(script, credentials, fake_clock))
    assert script.mint_attempts == 3 and script.gateway == []
    assert info.value.source == "auth" and not info.value.may_have_reached_server
    assert info.value.gateway_request_sent is False
    assert str(info.value).lower().count("no gateway request was sent") == 1


def test_clock_reaches_token_manager_and_monotonic_is_kept(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    script = ScriptedAuth(fake_tm)
    gw = _scripted(script, credentials, fake_clock, monotonic=lambda: 42.0)
    token = gw.access_token()
    assert token in fake_tm.access_tokens
    assert fake_tm.mints == 1  # no skew retry: the mint was signed with the injected clock
    expected = datetime.fromtimestamp(int(fake_clock()) + fake_tm.lifetime, tz=UTC)
    assert gw.token_expires_at == expected
    assert gw._cfg.monotonic() == 42.0


def test_workflow_results_are_exported_from_the_package_root() -> None:
    import truemarkets_gateway
    from truemarkets_gateway import models

    for name in ("PlacedOrder", "CancelResult", "TransferResult"):
        assert name in truemarkets_gateway.__all__
        assert getattr(truemarkets_gateway, name) is getattr(models, name)


# --- a closed client ----------------------------------------------------------------------------


def test_a_closed_gateway_raises_client_closed_error() -> None:
    from truemarkets_gateway import ClientClosedError, TrueMarketsError

    stub = Stub().json("GET", "/orders/o1", ORDER)
    with sync_gateway(stub) as gw:
        pager = gw.list_orders()
    for call in (
        lambda: gw.get_order("o1"),
        lambda: list(pager),
        lambda: gw.wait_for_order("o1"),
        gw.access_token,
    ):
        with pytest.raises(ClientClosedError, match="this Gateway is closed; create a new one"):
            call()
    assert issubclass(ClientClosedError, TrueMarketsError)
    assert stub.requests == []


def test_a_gateway_owning_its_pool_raises_client_closed_error_not_runtime_error() -> None:
    from truemarkets_gateway import ClientClosedError, Gateway

    gw = Gateway(base_url="https://x.test", access_token="t", environ={})
    gw.close()
    with pytest.raises(ClientClosedError):
        gw.quote(base_asset="BTC", quote_asset="USD", qty="1", qty_unit="quote", side="buy")
    gw.close()  # closing twice is harmless


# --- literal types for fixed choices ------------------------------------------------------------


def _mypy(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
        check=False,
    )


def test_fixed_choice_arguments_type_check_as_literals(tmp_path: Path) -> None:
    good = Path(__file__).parent / "_typing_literals.py"
    result = _mypy(good)
    assert result.returncode == 0, result.stdout

    bad = tmp_path / "typing_typo.py"
    bad.write_text(
        "from truemarkets_gateway import Gateway\n\n\n"
        "def typo(gw: Gateway) -> None:\n"
        '    gw.create_order(side="bye", type="market", qty="1", qty_unit="base")\n'
        '    gw.list_orders(venue="cex")\n'
    )
    result = _mypy(bad)
    assert result.returncode == 1, result.stdout
    assert 'typing_typo.py:5: error: Argument "side"' in result.stdout
    assert 'typing_typo.py:6: error: Argument "venue"' in result.stdout
