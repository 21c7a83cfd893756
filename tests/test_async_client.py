"""AsyncGateway: every operation, awaited, against the same scripted transport."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from _facade_stub import (
    ASSET_CEFI,
    DEFI_TRANSFER,
    ORDER,
    TRANSFER,
    CountingSigner,
    ScriptedAuth,
    Stub,
    async_gateway,
    create_market_order,
    created_with_issues,
)
from conftest import FAKE_HOST, FakeClock, FakeTrueMarkets

from truemarkets_gateway import (
    AsyncGateway,
    AuthenticationError,
    CredentialsError,
    NotFoundError,
    OrderStatus,
    QuoteIssuesError,
    RateLimitError,
    TransferStatus,
    ValidationError,
)
from truemarkets_gateway.credentials import Credentials
from truemarkets_gateway.models import CreatedOrder, UnsignedPayload


@pytest.fixture
def stub() -> Stub:
    stub = Stub()
    stub.json("POST", "/quotes", {"qty": "0.5", "price": "100.25"})
    stub.json("POST", "/orders", {"order_id": "o1", "status": "initialized",
                                  "payloads": [{"digest": "d", "payload": "p"}]}, status=201)  # fmt: skip
    stub.json("POST", "/orders/o1/execute", {"status": "pending"})
    stub.json("GET", "/orders/o1", {**ORDER, "order_id": "o1"})
    stub.json("GET", "/orders/o1/status", {"status": "active"})
    stub.json("GET", "/orders", {"data": [ORDER], "pagination": {"next_cursor": None}})
    stub.json("PATCH", "/orders/o1", {}, status=202)
    stub.on("POST", "/orders/o1/cancel", httpx.Response(202))
    stub.json("POST", "/orders/o1/cancel/execute", {"status": "cancel_pending"})
    stub.json("DELETE", "/orders/o1", {}, status=202)
    stub.json("POST", "/transfers", TRANSFER, status=201)
    stub.json("GET", f"/transfers/{TRANSFER['id']}", TRANSFER)
    stub.json("POST", f"/transfers/{DEFI_TRANSFER['id']}/execute", {**DEFI_TRANSFER,
                                                                    "status": "pending"})  # fmt: skip
    stub.json("GET", "/transfers", {"data": [TRANSFER], "pagination": {"next_cursor": None}})
    stub.json("GET", "/assets", {"data": [ASSET_CEFI], "pagination": {"next_cursor": None}})
    stub.json("GET", "/balances", {"data": [{"symbol": "USDC", "total": "1", "available": "1",
                                             "held": "0"}]})  # fmt: skip
    stub.json("GET", "/balances/unified", {"data": []})
    return stub


async def test_every_operation(stub: Stub) -> None:
    async with async_gateway(stub) as gw:
        quote = await gw.quote(
            base_asset="BTC", quote_asset="USD", qty="50", side="buy", qty_unit="quote"
        )
        assert quote.price == Decimal("100.25")
        assert "authorization" not in stub.requests[-1].headers

        created = await gw.create_order(
            side="buy", type="market", qty="5", qty_unit="quote", base_asset="mint", chain="solana"
        )
        assert created.needs_signature
        executed = await gw.execute_order(created, signatures=["s"])
        assert executed.status is OrderStatus.PENDING and executed.order_id == "o1"
        assert (await gw.get_order("o1")).fee == Decimal("0.1284")
        assert await gw.get_order_status("o1") is OrderStatus.ACTIVE
        assert [o.order_id async for o in gw.list_orders(status="complete")] == [ORDER["order_id"]]
        assert len(await gw.list_orders_page(limit=5)) == 1
        assert await gw.modify_order("o1", price=Decimal("10")) is None
        assert (await gw.prepare_cancel_order("o1")).accepted
        cancel = await gw.execute_cancel_order("o1", signatures=["s"])
        assert cancel.status is OrderStatus.CANCEL_PENDING
        assert await gw.cancel_order_deprecated("o1") is None

        transfer = await gw.create_transfer(
            asset_id=ASSET_CEFI["id"], qty="0.0001", to="x", network="bitcoin"
        )
        assert transfer.status is TransferStatus.PENDING
        assert (await gw.get_transfer(TRANSFER["id"])).qty == Decimal("0.0001")
        done = await gw.execute_transfer(DEFI_TRANSFER["id"], signatures=["s"])
        assert done.status is TransferStatus.PENDING
        assert len(await gw.list_transfers().to_list()) == 1
        assert len(await gw.list_transfers_page(status="pending")) == 1

        assets = await gw.list_assets(venue="cefi").to_list()
        assert assets[0].symbol == "BTC"
        assert (await gw.list_assets_page()).items[0].id == ASSET_CEFI["id"]
        assert (await gw.get_balances())["USDC"].total == Decimal("1")
        assert len(await gw.list_balances()) == 0

    auth_headers = [r.headers.get("authorization") for r in stub.requests]
    assert auth_headers.count(None) == 3  # quote and the two asset calls are public


async def test_errors_and_validation(stub: Stub) -> None:
    stub.json("GET", "/orders/missing", {"message": "no such order"}, status=404)
    gw = async_gateway(stub)
    with pytest.raises(NotFoundError):
        await gw.get_order("missing")
    with pytest.raises(ValidationError):
        await gw.create_order(side="buy", type="market", qty="5", qty_unit="base", base_asset="B")
    order = CreatedOrder("o1", OrderStatus.INITIALIZED, payloads=(UnsignedPayload("p"),))
    with pytest.raises(CredentialsError):
        await gw.execute_order(order)  # no signer configured
    await gw.close()


async def test_public_only_and_own_client_lifecycle() -> None:
    gw = AsyncGateway(environ={})
    with pytest.raises(CredentialsError):
        await gw.get_balances()
    assert isinstance(gw.http_client, httpx.AsyncClient)
    await gw.close()
    assert gw.http_client.is_closed
    with pytest.raises(TypeError):
        AsyncGateway(http_client=httpx.Client(), environ={})  # type: ignore[arg-type]


async def test_generated_client_for_unwrapped_calls(stub: Stub) -> None:
    from truemarkets_gateway_client.api.orders import get_order_status

    gw = async_gateway(stub)
    response = await get_order_status.asyncio_detailed("o1", client=gw.generated)
    assert response.status_code == 200
    assert stub.requests[-1].headers["authorization"] == "Bearer test-token"
    await gw.close()


async def test_async_access_token() -> None:
    gw = async_gateway(Stub(), access_token="secret-bearer-token-xyz")
    assert await gw.access_token() == "secret-bearer-token-xyz"
    assert gw.token_expires_at is None


async def test_async_execute_order_refuses_quote_issues_unless_accepted() -> None:
    stub = Stub().json("POST", "/orders/o9/execute", {"status": "pending"})
    gw = async_gateway(stub)
    signer = CountingSigner()
    with pytest.raises(QuoteIssuesError):
        await gw.execute_order(created_with_issues(), signer=signer)  # type: ignore[arg-type]
    assert signer.calls == 0 and stub.requests == []
    await gw.execute_order(created_with_issues(), signer=signer, accept_issues=True)  # type: ignore[arg-type]
    assert signer.calls == 1 and len(stub.requests) == 1


def _scripted(
    script: ScriptedAuth, credentials: Credentials, clock: FakeClock, sleeps: list[float]
) -> AsyncGateway:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return AsyncGateway(
        base_url=FAKE_HOST,
        credentials=credentials,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(script.handle_async)),
        environ={},
        sleep=sleep,
        rand=lambda: 0.5,
        clock=clock,
    )


async def test_async_mint_503_then_ok_before_create_order(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    script = ScriptedAuth(fake_tm, 503)
    sleeps: list[float] = []
    gw = _scripted(script, credentials, fake_clock, sleeps)
    assert (await create_market_order(gw)).order_id == "o1"
    assert script.mint_attempts == 2 and len(script.gateway) == 1 and sleeps == [0.25]

    script.failures.extend([401])
    gw2 = _scripted(script, credentials, fake_clock, sleeps)
    with pytest.raises(AuthenticationError) as info:
        await gw2.get_order_status("o1")
    assert info.value.source == "auth"


async def test_async_mint_429_over_the_cap_raises_at_once_and_under_it_retries(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    def slow_down(seconds: int) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": str(seconds)}, json={"message": "x"})

    script = ScriptedAuth(fake_tm, slow_down(30))
    sleeps: list[float] = []
    with pytest.raises(RateLimitError) as info:
        await create_market_order(_scripted(script, credentials, fake_clock, sleeps))
    assert info.value.source == "auth" and info.value.gateway_request_sent is False
    assert script.mint_attempts == 1 and script.gateway == [] and sleeps == []

    script = ScriptedAuth(fake_tm, slow_down(2))
    assert (await create_market_order(_scripted(script, credentials, fake_clock, sleeps))).order_id
    assert script.mint_attempts == 2 and len(script.gateway) == 1 and sleeps == [2.0]


# --- a closed client ----------------------------------------------------------------------------


async def test_a_closed_async_gateway_raises_client_closed_error() -> None:
    from truemarkets_gateway import AsyncGateway, ClientClosedError

    stub = Stub().json("GET", "/orders/o1", ORDER)
    async with async_gateway(stub) as gw:
        pass
    with pytest.raises(ClientClosedError, match="this AsyncGateway is closed; create a new one"):
        await gw.get_order("o1")
    with pytest.raises(ClientClosedError):
        await gw.wait_for_order("o1")
    with pytest.raises(ClientClosedError):
        await gw.access_token()
    assert stub.requests == []

    own = AsyncGateway(base_url="https://x.test", access_token="t", environ={})
    await own.close()
    with pytest.raises(ClientClosedError):
        await own.quote(base_asset="BTC", quote_asset="USD", qty="1", qty_unit="quote", side="buy")
    assert "one event loop" in (AsyncGateway.__doc__ or "")
