"""The workflow mixins on stand-in clients (sync and async) with scripted primitives."""

from __future__ import annotations

import asyncio
import base64
import collections
import json
import threading
import types
import weakref
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from conftest import execute_order_stamps
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from truemarkets_gateway._api.secret import reveal
from truemarkets_gateway.async_client import AsyncGateway
from truemarkets_gateway.client import Gateway
from truemarkets_gateway.errors import (
    ErrorEnvelope,
    InsufficientBalanceError,
    OrderFailedError,
    OrderTimeoutError,
    OrderWaitError,
    QuoteIssuesError,
    QuoteStaleError,
    ServiceUnavailableError,
    TransferWaitError,
    ValidationError,
)
from truemarkets_gateway.models import (
    Asset,
    CancelPrepared,
    CreatedOrder,
    ExecutedOrder,
    Order,
    OrderStatus,
    QuoteDetails,
    Transfer,
    TransferStatus,
    UnsignedPayload,
)
from truemarkets_gateway.signing import PayloadSigner

CLIENT_KEY = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
OTHER_KEY = "00" * 31 + "07"
T1 = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
T2 = "2b4e28ba-2fa1-11d2-883f-0016d3cca427"
A1 = "3b4e28ba-2fa1-11d2-883f-0016d3cca427"


class Script:
    """Canned answers per primitive, recorded calls, and fake time."""

    def __init__(self, **answers: Iterable[Any]) -> None:
        self.answers = {name: list(items) for name, items in answers.items()}
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.now = 0.0
        self.sleeps: list[float] = []
        self.signer_reads = 0

    def answer(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((name, args, kwargs))
        queue = self.answers.get(name)
        if not queue:
            raise AssertionError(f"unexpected {name}{args}{kwargs}")
        item = queue.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    def names(self) -> list[str]:
        return [name for name, _, _ in self.calls]

    def kwargs(self, name: str, index: int = 0) -> dict[str, Any]:
        return [k for n, _, k in self.calls if n == name][index]

    def args(self, name: str, index: int = 0) -> tuple[Any, ...]:
        return [a for n, a, _ in self.calls if n == name][index]


def _given(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is not None}


def _stamps(gateway: Any, order: Any, signer: Any, accept_issues: bool) -> list[str]:
    """What the real execute_order does before sending (refuse quote issues, else stamp)."""
    return execute_order_stamps(
        order, signer=signer, accept_issues=accept_issues, client_signer=lambda: gateway.signer
    )


class StandInGateway(Gateway):
    """`Gateway` with its primitives answered from a script (its workflow methods run)."""

    closed = False  # the real clients derive it from close()

    def __init__(self, script: Script, signer: PayloadSigner | None = None) -> None:
        self.script = script
        self._signer = signer
        self._sleep = self._fake_sleep  # type: ignore[method-assign,assignment]
        self._cfg: Any = types.SimpleNamespace(
            monotonic=lambda: script.now, clock=lambda: 2e9, tokens=None
        )
        self._intents: Any = weakref.WeakValueDictionary()
        self._intents_guard: Any = threading.Lock()
        self._server_now = lambda: 2e9
        self._handed: Any = collections.deque()

    @property
    def signer(self) -> PayloadSigner:
        self.script.signer_reads += 1
        if self._signer is None:
            raise AssertionError("no signer configured")
        return self._signer

    def _fake_sleep(self, seconds: float) -> None:
        self.script.sleeps.append(seconds)
        self.script.now += seconds

    def _send_create_order(self, **kwargs: Any) -> Any:
        return self.script.answer("create_order", **_given(kwargs))

    def execute_order(
        self, order: Any, *, signatures: Any = None, signer: Any = None, accept_issues: bool = False
    ) -> Any:
        stamps = signatures or _stamps(self, order, signer, accept_issues)
        return self.script.answer("execute_order", order, signatures=stamps)

    def get_order(self, order_id: str, *, max_retries: int | None = None) -> Any:
        return self.script.answer("get_order", order_id)

    def get_order_status(self, order_id: str) -> Any:
        return self.script.answer("get_order_status", order_id)

    def prepare_cancel_order(self, order_id: str) -> Any:
        return self.script.answer("prepare_cancel_order", order_id)

    def execute_cancel_order(self, order_id: str, *, signatures: Any) -> Any:
        return self.script.answer("execute_cancel_order", order_id, signatures=signatures)

    def _send_create_transfer(self, **kwargs: Any) -> Any:
        return self.script.answer("create_transfer", **_given(kwargs))

    def execute_transfer(self, transfer: Any, *, signatures: Any = None, signer: Any = None) -> Any:
        return self.script.answer("execute_transfer", transfer, signatures=signatures)

    def _send_execute_order(self, order_id: str, stamps: Any) -> Any:
        return self.script.answer("execute_order", order_id, signatures=list(stamps))

    def _send_execute_transfer(self, transfer_id: str, stamps: Any) -> Any:
        return self.script.answer("execute_transfer", transfer_id, signatures=list(stamps))

    def get_transfer(self, transfer_id: str) -> Any:
        return self.script.answer("get_transfer", transfer_id)


class AsyncStandInGateway(AsyncGateway):
    """`AsyncGateway` with its primitives answered from a script (coroutines)."""

    closed = False  # the real clients derive it from close()

    def __init__(self, script: Script, signer: PayloadSigner | None = None) -> None:
        self.script = script
        self._signer = signer
        self._sleep = self._fake_sleep  # type: ignore[method-assign,assignment]
        self._cfg: Any = types.SimpleNamespace(
            monotonic=lambda: script.now, clock=lambda: 2e9, tokens=None
        )
        self._intents: Any = weakref.WeakValueDictionary()
        self._intents_guard: Any = asyncio.Lock()
        self._server_now = lambda: 2e9
        self._handed: Any = collections.deque()

    @property
    def signer(self) -> PayloadSigner:
        self.script.signer_reads += 1
        if self._signer is None:
            raise AssertionError("no signer configured")
        return self._signer

    async def _fake_sleep(self, seconds: float) -> None:
        self.script.sleeps.append(seconds)
        self.script.now += seconds

    async def _send_create_order(self, **kwargs: Any) -> Any:
        return self.script.answer("create_order", **_given(kwargs))

    async def execute_order(
        self, order: Any, *, signatures: Any = None, signer: Any = None, accept_issues: bool = False
    ) -> Any:
        stamps = signatures or _stamps(self, order, signer, accept_issues)
        return self.script.answer("execute_order", order, signatures=stamps)

    async def get_order(self, order_id: str, *, max_retries: int | None = None) -> Any:
        return self.script.answer("get_order", order_id)

    async def get_order_status(self, order_id: str) -> Any:
        return self.script.answer("get_order_status", order_id)

    async def prepare_cancel_order(self, order_id: str) -> Any:
        return self.script.answer("prepare_cancel_order", order_id)

    async def execute_cancel_order(self, order_id: str, *, signatures: Any) -> Any:
        return self.script.answer("execute_cancel_order", order_id, signatures=signatures)

    async def _send_create_transfer(self, **kwargs: Any) -> Any:
        return self.script.answer("create_transfer", **_given(kwargs))

    async def execute_transfer(
        self, transfer: Any, *, signatures: Any = None, signer: Any = None
    ) -> Any:
        return self.script.answer("execute_transfer", transfer, signatures=signatures)

    async def _send_execute_order(self, order_id: str, stamps: Any) -> Any:
        return self.script.answer("execute_order", order_id, signatures=list(stamps))

    async def _send_execute_transfer(self, transfer_id: str, stamps: Any) -> Any:
        return self.script.answer("execute_transfer", transfer_id, signatures=list(stamps))

    async def get_transfer(self, transfer_id: str) -> Any:
        return self.script.answer("get_transfer", transfer_id)


@pytest.fixture(params=["sync", "async"])
def make(request: pytest.FixtureRequest) -> Any:
    """make(script, signer) -> call(method_name, *args, **kwargs) on a sync or async client."""
    import asyncio

    def factory(script: Script, signer: PayloadSigner | None = None) -> Any:
        if request.param == "sync":
            gw: Any = StandInGateway(script, signer)
            return lambda name, *a, **k: getattr(gw, name)(*a, **k)
        agw: Any = AsyncStandInGateway(script, signer)
        return lambda name, *a, **k: asyncio.run(getattr(agw, name)(*a, **k))

    return factory


# --- helpers ---------------------------------------------------------------------------------


def payloads(n: int, tag: str = "p") -> tuple[UnsignedPayload, ...]:
    return tuple(
        UnsignedPayload(payload=base64.b64encode(f"{tag}{i}".encode()).decode(), digest="")
        for i in range(n)
    )


def quote(*issues: str) -> QuoteDetails:
    return QuoteDetails(
        base_asset="SOL",
        quote_asset="USDC",
        qty=Decimal("10"),
        qty_out=Decimal("0.05"),
        fee=Decimal("0.01"),
        fee_asset="USDC",
        issues=issues,
    )


def created(order_id: str = "o1", n: int = 1, *issues: str) -> CreatedOrder:
    return CreatedOrder(
        order_id=order_id,
        status=OrderStatus.INITIALIZED if n else OrderStatus.PENDING,
        payloads=payloads(n, order_id),
        quote=quote(*issues),
    )


def order(order_id: str = "o1", status: str = "complete") -> Order:
    return Order(order_id=order_id, status=OrderStatus(status), side=None, type=None, venue=None)


def verifies(signer: PayloadSigner, stamp: Any, payload: str) -> bool:
    stamp = reveal(stamp)  # the flows hold stamps as Secrets
    data = json.loads(base64.urlsafe_b64decode(stamp + "=" * (-len(stamp) % 4)))
    if data["publicKey"] != signer.public_key_hex:
        return False
    key = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), bytes.fromhex(data["publicKey"])
    )
    try:
        key.verify(bytes.fromhex(data["signature"]), payload.encode(), ec.ECDSA(hashes.SHA256()))
    except Exception:
        return False
    return True


CLIENT_SIGNER = PayloadSigner.from_key(CLIENT_KEY)
OTHER_SIGNER = PayloadSigner.from_key(OTHER_KEY)

MARKET_BUY = {
    "side": "buy",
    "type": "market",
    "qty": Decimal("25"),
    "qty_unit": "quote",
    "base_asset": "So11111111111111111111111111111111111111112",
    "chain": "solana",
}


# --- place_order -----------------------------------------------------------------------------


def test_place_order_signs_three_payloads_in_order(make: Any) -> None:
    c = created("o1", 3)
    script = Script(
        create_order=[c],
        execute_order=[ExecutedOrder("o1", OrderStatus.PENDING)],
        get_order_status=[OrderStatus.COMPLETE],
        get_order=[order("o1")],
    )
    result = make(script, CLIENT_SIGNER)("place_order", **MARKET_BUY)
    # Only the fields given are passed on; workflow knobs are not.
    assert script.kwargs("create_order") == MARKET_BUY
    stamps = script.kwargs("execute_order")["signatures"]
    assert script.args("execute_order") == ("o1",)  # sent by id with its stamps
    assert len(stamps) == 3
    assert all(
        verifies(CLIENT_SIGNER, s, p.payload) for s, p in zip(stamps, c.payloads, strict=True)
    )
    assert result.executed and result.status == OrderStatus.COMPLETE
    assert result.order == order("o1") and result.created is c
    assert script.sleeps == [0.5]


def test_place_order_explicit_signer_overrides_client_signer(make: Any) -> None:
    c = created("o1", 1)
    script = Script(create_order=[c], execute_order=[ExecutedOrder("o1", OrderStatus.PENDING)])
    make(script, CLIENT_SIGNER)("place_order", wait=False, signer=OTHER_SIGNER, **MARKET_BUY)
    stamp = script.kwargs("execute_order")["signatures"][0]
    assert verifies(OTHER_SIGNER, stamp, c.payloads[0].payload)
    assert script.signer_reads == 0


def test_cefi_order_never_reads_the_signer(make: Any) -> None:
    script = Script(
        create_order=[created("c1", 0)],
        get_order_status=[OrderStatus.ACTIVE],
        get_order=[order("c1", "active")],
    )
    request = {
        "side": "sell",
        "type": "limit",
        "qty": "0.01",
        "qty_unit": "base",
        "base_asset": "BTC",
        "quote_asset": "USD",
        "price": "70000",
    }
    result = make(script, None)("place_order", **request)
    assert not result.executed and result.status == OrderStatus.ACTIVE
    assert script.signer_reads == 0


def test_place_order_insufficient_balance(make: Any) -> None:
    script = Script(
        create_order=[CreatedOrder("", OrderStatus.INITIALIZED, (), quote("Insufficient balance"))]
    )
    with pytest.raises(InsufficientBalanceError):
        make(script, CLIENT_SIGNER)("place_order", **MARKET_BUY)
    assert script.names() == ["create_order"] and script.signer_reads == 0


def test_place_order_issues_refused_then_accepted(make: Any) -> None:
    script = Script(create_order=[created("o1", 1, "Price impact 3%")])
    with pytest.raises(QuoteIssuesError) as info:
        make(script, CLIENT_SIGNER)("place_order", **MARKET_BUY)
    assert info.value.issues == ("Price impact 3%",) and script.names() == ["create_order"]

    script = Script(
        create_order=[created("o1", 1, "Price impact 3%")],
        execute_order=[ExecutedOrder("o1", OrderStatus.PENDING)],
    )
    result = make(script, CLIENT_SIGNER)(
        "place_order", accept_issues=True, wait=False, **MARKET_BUY
    )
    assert result.executed and result.issues == ("Price impact 3%",)


def test_place_order_stale_then_one_recreate(make: Any) -> None:
    stale = QuoteStaleError(ErrorEnvelope("stale", code="quote_stale"), status_code=409)
    script = Script(
        create_order=[created("o1", 2), created("o2", 2)],
        execute_order=[stale, ExecutedOrder("o2", OrderStatus.COMPLETE)],
        get_order=[order("o2")],
    )
    result = make(script, CLIENT_SIGNER)("place_order", **MARKET_BUY)
    assert result.order_id == "o2" and result.replaced_order_ids == ("o1",)
    assert script.kwargs("create_order", 1) == MARKET_BUY


def test_place_order_timeout(make: Any) -> None:
    script = Script(
        create_order=[created("o1", 0)],
        get_order_status=[OrderStatus.PENDING] * 100,
        get_order=[order("o1", "pending")],
    )
    with pytest.raises(OrderTimeoutError) as info:
        make(script, None)("place_order", timeout=3, **MARKET_BUY)
    assert info.value.order_id == "o1" and info.value.last_status == "pending"
    assert info.value.order is not None and info.value.order.order_id == "o1"  # live
    assert sum(script.sleeps) == pytest.approx(3)


def test_place_order_rejects_bad_options_before_sending(make: Any) -> None:
    script = Script()
    with pytest.raises(ValueError):
        make(script, CLIENT_SIGNER)("place_order", max_payload_age=0, **MARKET_BUY)
    assert script.calls == []


# --- cancel, transfer, waits, sign_payloads -------------------------------------------------


def test_cancel_cefi_and_defi(make: Any) -> None:
    script = Script(prepare_cancel_order=[CancelPrepared("l1", accepted=True)])
    result = make(script, None)("cancel_order", "l1")
    assert result.accepted and not result.signed and script.names() == ["prepare_cancel_order"]

    prepared = CancelPrepared("d1", payloads=payloads(1, "cx"))
    script = Script(
        prepare_cancel_order=[prepared],
        execute_cancel_order=[ExecutedOrder("d1", OrderStatus.CANCEL_PENDING)],
        get_order_status=[OrderStatus.CANCELED],
        get_order=[order("d1", "canceled")],
    )
    result = make(script, CLIENT_SIGNER)("cancel_order", "d1", wait=True)
    stamp = script.kwargs("execute_cancel_order")["signatures"][0]
    assert verifies(CLIENT_SIGNER, stamp, prepared.payloads[0].payload)
    assert result.signed and result.status == OrderStatus.CANCELED


def test_transfer_defi_and_cefi(make: Any) -> None:
    pending = Transfer(id=T1, status=TransferStatus.AWAITING_SIGNATURE, payloads=payloads(1, "tx"))
    script = Script(
        create_transfer=[pending],
        execute_transfer=[Transfer(id=T1, status=TransferStatus.COMPLETED)],
    )
    result = make(script, CLIENT_SIGNER)("transfer", asset_id="a1", qty="5", to="addr")
    assert script.kwargs("create_transfer") == {
        "asset_id": "a1",
        "qty": "5",
        "to": "addr",
        "qty_unit": "base",
    }
    assert verifies(
        CLIENT_SIGNER,
        script.kwargs("execute_transfer")["signatures"][0],
        pending.payloads[0].payload,
    )
    assert result.signed and result.status == TransferStatus.COMPLETED
    assert "get_transfer" not in script.names()

    script = Script(
        create_transfer=[Transfer(id=T2, status=TransferStatus.PENDING)],
        get_transfer=[Transfer(id=T2, status=TransferStatus.COMPLETED)],
    )
    result = make(script, None)("transfer", asset_id="a2", qty="0.1", to="bc1", network="bitcoin")
    assert script.kwargs("create_transfer")["network"] == "bitcoin"
    assert not result.signed and result.status == TransferStatus.COMPLETED


def test_public_waits(make: Any) -> None:
    script = Script(
        get_order_status=[OrderStatus.PENDING, OrderStatus.COMPLETE],
        get_order=[order("o9")],
    )
    assert make(script, None)("wait_for_order", "o9") == order("o9")
    assert script.sleeps == [0.5]

    script = Script(
        get_transfer=[
            Transfer(id="t9", status=TransferStatus.PENDING),
            Transfer(id="t9", status=TransferStatus.COMPLETED),
        ]
    )
    assert make(script, None)("wait_for_transfer", "t9").status == TransferStatus.COMPLETED


def test_sign_payloads_method() -> None:
    gw = StandInGateway(Script(), CLIENT_SIGNER)
    items = payloads(3)
    stamps = gw.sign_payloads(items)
    assert all(verifies(CLIENT_SIGNER, s, p.payload) for s, p in zip(stamps, items, strict=True))
    other = gw.sign_payloads([p.payload for p in items], signer=OTHER_SIGNER)
    assert all(verifies(OTHER_SIGNER, s, p.payload) for s, p in zip(other, items, strict=True))
    agw = AsyncStandInGateway(Script(), CLIENT_SIGNER)
    assert len(agw.sign_payloads(items)) == 3


# --- through the real clients, over httpx.MockTransport ----------------------------------------

BASE = "https://api.example.test"


class ScriptedServer:
    """Answers (method, path under /v1/gateway) from queues of (status, json); logs requests."""

    def __init__(
        self,
        routes: dict[tuple[str, str], list[tuple[int, Any]]],
        on_request: Any = None,
    ) -> None:
        self.routes = {key: list(value) for key, value in routes.items()}
        self.requests: list[httpx.Request] = []
        self.on_request = on_request

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.on_request is not None:
            self.on_request(request)
        path = request.url.path.removeprefix("/v1/gateway")
        queue = self.routes.get((request.method, path))
        if not queue:
            raise AssertionError(f"unexpected request {request.method} {path}")
        status, body = queue.pop(0)
        return httpx.Response(status, json=body)

    def seen(self) -> list[str]:
        return [f"{r.method} {r.url.path.removeprefix('/v1/gateway')}" for r in self.requests]

    def body(self, method: str, path: str, index: int = 0) -> Any:
        found = [r for r in self.requests if r.method == method and r.url.path.endswith(path)]
        return json.loads(found[index].content)


def wire_payloads(n: int, tag: str) -> list[dict[str, str]]:
    return [
        {"digest": f"{i:064x}", "payload": base64.b64encode(f"{tag}-tx-{i}".encode()).decode()}
        for i in range(n)
    ]


def wire_order(order_id: str, status: str) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "status": status,
        "side": "buy",
        "type": "market",
        "venue": "defi",
        "qty": "25",
        "executed_qty": "0.1234",
        "fee": "0.05",
    }


def wire_transfer(transfer_id: str, status: str, payloads: list[Any]) -> dict[str, Any]:
    return {
        "id": transfer_id,
        "status": status,
        "venue": "defi",
        "asset_id": A1,
        "asset_symbol": "USDC",
        "chain": "solana",
        "network": None,
        "to": "addr",
        "qty": "5",
        "qty_unit": "base",
        "sent": "0",
        "fee": "0",
        "received": "0",
        "tx_hash": "",
        "payloads": payloads,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture(params=["Gateway", "AsyncGateway"])
def real(request: pytest.FixtureRequest) -> Any:
    """real(server) -> (call(method, *args, **kwargs), clock) on Gateway or AsyncGateway."""
    import asyncio

    def factory(
        server: ScriptedServer, signer: PayloadSigner = CLIENT_SIGNER, clock: Clock | None = None
    ) -> Any:
        clock = clock or Clock()
        if request.param == "Gateway":
            from truemarkets_gateway.client import Gateway

            gw: Any = Gateway(
                access_token="test-token",
                signer=signer,
                base_url=BASE,
                environ={},
                http_client=httpx.Client(transport=httpx.MockTransport(server)),
                sleep=clock.sleep,
                monotonic=lambda: clock.now,
            )
            return (lambda name, *a, **k: getattr(gw, name)(*a, **k)), clock
        async_client = pytest.importorskip("truemarkets_gateway.async_client")
        agw: Any = async_client.AsyncGateway(
            access_token="test-token",
            signer=signer,
            base_url=BASE,
            environ={},
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(server)),
            sleep=clock.asleep,
            monotonic=lambda: clock.now,
        )
        return (lambda name, *a, **k: asyncio.run(getattr(agw, name)(*a, **k))), clock

    return factory


def test_real_place_order_execute_body_for_three_payloads(real: Any) -> None:
    payloads_wire = wire_payloads(3, "o1")
    server = ScriptedServer(
        {
            ("POST", "/orders"): [
                (
                    201,
                    {
                        "order_id": "o1",
                        "status": "initialized",
                        "payloads": payloads_wire,
                        "quote": {"qty": "25", "qty_out": "0.1234", "issues": []},
                    },
                )
            ],
            ("POST", "/orders/o1/execute"): [(200, {"status": "pending"})],
            ("GET", "/orders/o1/status"): [
                (200, {"status": "pending"}),
                (200, {"status": "complete"}),
            ],
            ("GET", "/orders/o1"): [(200, wire_order("o1", "complete"))],
        }
    )
    call, clock = real(server)
    result = call("place_order", **MARKET_BUY)
    body = server.body("POST", "/orders/o1/execute")
    assert set(body) == {"signatures", "auth_type"} and body["auth_type"] == "api_key"
    assert len(body["signatures"]) == 3
    for stamp, item in zip(body["signatures"], payloads_wire, strict=True):
        assert verifies(CLIENT_SIGNER, stamp, item["payload"])
    assert not verifies(CLIENT_SIGNER, body["signatures"][0], payloads_wire[1]["payload"])
    assert server.body("POST", "/orders") == {
        "side": "buy",
        "type": "market",
        "qty": "25",
        "qty_unit": "quote",
        "base_asset": MARKET_BUY["base_asset"],
        "chain": "solana",
    }
    assert result.status == OrderStatus.COMPLETE and result.order.executed_qty == Decimal("0.1234")
    assert clock.sleeps == [0.5, 0.75]


def test_real_quote_stale_recreates_once(real: Any) -> None:
    stale_body = {"type": "failed_precondition", "code": "quote_stale", "message": "stale"}
    server = ScriptedServer(
        {
            ("POST", "/orders"): [
                (
                    201,
                    {"order_id": "o1", "status": "initialized", "payloads": wire_payloads(1, "a")},
                ),
                (
                    201,
                    {"order_id": "o2", "status": "initialized", "payloads": wire_payloads(1, "b")},
                ),
            ],
            ("POST", "/orders/o1/execute"): [(422, stale_body)],
            ("POST", "/orders/o2/execute"): [(200, {"status": "complete"})],
            ("GET", "/orders/o2"): [(200, wire_order("o2", "complete"))],
        }
    )
    call, _ = real(server)
    result = call("place_order", **MARKET_BUY)
    assert server.seen() == [
        "POST /orders",
        "POST /orders/o1/execute",
        "POST /orders",
        "POST /orders/o2/execute",
        "GET /orders/o2",
    ]
    assert result.order_id == "o2" and result.replaced_order_ids == ("o1",)


def test_real_quote_issues_are_refused_by_execute_order_then_accepted(real: Any) -> None:
    created_wire = {
        "order_id": "o1",
        "status": "initialized",
        "payloads": wire_payloads(1, "o1"),
        "quote": {"qty": "25", "qty_out": "0.1", "issues": ["Price impact 3%"]},
    }
    server = ScriptedServer({("POST", "/orders"): [(201, created_wire)]})
    call, _ = real(server)
    with pytest.raises(QuoteIssuesError) as info:
        call("place_order", **MARKET_BUY)
    assert info.value.order_id == "o1" and info.value.issues == ("Price impact 3%",)
    assert "accept_issues=True" in str(info.value)
    assert server.seen() == ["POST /orders"]  # nothing signed, nothing sent

    server = ScriptedServer(
        {
            ("POST", "/orders"): [(201, created_wire)],
            ("POST", "/orders/o1/execute"): [(200, {"status": "pending"})],
        }
    )
    call, _ = real(server)
    result = call("place_order", accept_issues=True, wait=False, **MARKET_BUY)
    assert result.executed and result.issues == ("Price impact 3%",)
    assert server.seen() == ["POST /orders", "POST /orders/o1/execute"]


def test_real_insufficient_balance(real: Any) -> None:
    server = ScriptedServer(
        {
            ("POST", "/orders"): [
                (201, {"order_id": "", "quote": {"issues": ["Insufficient balance"]}})
            ]
        }
    )
    call, _ = real(server)
    with pytest.raises(InsufficientBalanceError) as info:
        call("place_order", **MARKET_BUY)
    assert info.value.quote.issues == ("Insufficient balance",)
    assert server.seen() == ["POST /orders"]


def test_real_cancel_cefi_and_defi(real: Any) -> None:
    server = ScriptedServer(
        {
            ("POST", "/orders/l1/cancel"): [(202, {})],
            ("GET", "/orders/l1/status"): [(200, {"status": "canceled"})],
            ("GET", "/orders/l1"): [(200, wire_order("l1", "canceled"))],
        }
    )
    call, _ = real(server)
    result = call("cancel_order", "l1", wait=True)
    assert result.accepted and not result.signed and result.status == OrderStatus.CANCELED
    assert server.seen() == ["POST /orders/l1/cancel", "GET /orders/l1/status", "GET /orders/l1"]

    cancel_payloads = wire_payloads(2, "cancel")
    server = ScriptedServer(
        {
            ("POST", "/orders/d1/cancel"): [(200, {"payloads": cancel_payloads})],
            ("POST", "/orders/d1/cancel/execute"): [(200, {"status": "cancel_pending"})],
        }
    )
    call, _ = real(server)
    result = call("cancel_order", "d1")
    body = server.body("POST", "/orders/d1/cancel/execute")
    assert body["auth_type"] == "api_key"
    assert [
        verifies(CLIENT_SIGNER, s, p["payload"])
        for s, p in zip(body["signatures"], cancel_payloads, strict=True)
    ] == [True, True]
    assert result.signed and result.status == OrderStatus.CANCEL_PENDING


def test_real_transfer_defi_and_cefi(real: Any) -> None:
    tx = wire_payloads(1, T1)
    server = ScriptedServer(
        {
            ("POST", "/transfers"): [(201, wire_transfer(T1, "awaiting_signature", tx))],
            ("POST", f"/transfers/{T1}/execute"): [(200, wire_transfer(T1, "pending", []))],
            ("GET", f"/transfers/{T1}"): [(200, wire_transfer(T1, "completed", []))],
        }
    )
    call, clock = real(server)
    result = call("transfer", asset_id=A1, qty="5", to="addr")
    body = server.body("POST", f"/transfers/{T1}/execute")
    assert body["auth_type"] == "api_key" and verifies(
        CLIENT_SIGNER, body["signatures"][0], tx[0]["payload"]
    )
    assert result.signed and result.status == TransferStatus.COMPLETED
    assert clock.sleeps == [0.5]

    cefi = wire_transfer(T2, "pending", []) | {"venue": "cefi", "chain": None, "network": "bitcoin"}
    server = ScriptedServer(
        {
            ("POST", "/transfers"): [(201, cefi)],
            ("GET", f"/transfers/{T2}"): [(200, cefi | {"status": "completed"})],
        }
    )
    call, _ = real(server)
    result = call("transfer", asset_id=A1, qty="0.1", to="bc1", network="bitcoin")
    assert not result.signed and result.status == TransferStatus.COMPLETED
    assert server.seen() == ["POST /transfers", f"GET /transfers/{T2}"]


def test_real_age_based_recreate(real: Any) -> None:
    clock = Clock()

    def slow_first_create(request: httpx.Request) -> None:
        if len(server.requests) == 1:
            clock.now += 21.0  # the first create outlived max_payload_age (20 s)

    server = ScriptedServer(
        {
            ("POST", "/orders"): [
                (
                    201,
                    {"order_id": "o1", "status": "initialized", "payloads": wire_payloads(1, "a")},
                ),
                (
                    201,
                    {"order_id": "o2", "status": "initialized", "payloads": wire_payloads(1, "b")},
                ),
            ],
            ("POST", "/orders/o2/execute"): [(200, {"status": "pending"})],
        },
        on_request=slow_first_create,
    )
    call, _ = real(server, clock=clock)
    result = call("place_order", wait=False, **MARKET_BUY)
    assert server.seen() == ["POST /orders", "POST /orders", "POST /orders/o2/execute"]
    assert result.order_id == "o2" and result.replaced_order_ids == ("o1",)
    assert result.status == OrderStatus.PENDING and result.order is None


def test_real_timeout_and_failed(real: Any) -> None:
    server = ScriptedServer(
        {
            ("POST", "/orders"): [(201, {"order_id": "c1", "status": "pending"})],
            ("GET", "/orders/c1/status"): [(200, {"status": "pending"})] * 50,
            ("GET", "/orders/c1"): [(503, {"error": "busy"})] * 5,
        }
    )
    call, clock = real(server)
    with pytest.raises(OrderTimeoutError) as info:
        call("place_order", timeout=4, **MARKET_BUY)
    assert info.value.order_id == "c1" and info.value.last_status == "pending"
    assert sum(clock.sleeps) == pytest.approx(4)
    # The order is still open: read once more, best effort (no retries, its 503 swallowed).
    assert server.seen()[-1] == "GET /orders/c1" and server.seen().count("GET /orders/c1") == 1
    assert type(info.value) is OrderTimeoutError and info.value.order is None

    server = ScriptedServer(
        {
            ("POST", "/orders"): [(201, {"order_id": "c2", "status": "pending"})],
            ("GET", "/orders/c2/status"): [(200, {"status": "failed"})],
            ("GET", "/orders/c2"): [(200, wire_order("c2", "failed"))],
        }
    )
    call, _ = real(server)
    with pytest.raises(OrderFailedError) as failed:
        call("place_order", **MARKET_BUY)
    assert failed.value.order_id == "c2"


# --- on_status, argument checks, Asset, clock ----------------------------------------------------


def test_on_status_on_every_workflow(make: Any) -> None:
    seen: list[str] = []
    script = Script(
        create_order=[created("o1", 1)],
        execute_order=[ExecutedOrder("o1", OrderStatus.PENDING)],
        get_order_status=[OrderStatus.PENDING, OrderStatus.COMPLETE],
        get_order=[order("o1")],
    )
    make(script, CLIENT_SIGNER)("place_order", on_status=seen.append, **MARKET_BUY)
    assert seen == ["pending", "complete"]

    seen.clear()
    script = Script(
        prepare_cancel_order=[CancelPrepared("l1", accepted=True)],
        get_order_status=[OrderStatus.CANCEL_PENDING, OrderStatus.CANCELED],
        get_order=[order("l1", "canceled")],
    )
    make(script, None)("cancel_order", "l1", wait=True, on_status=seen.append)
    assert seen == ["cancel_pending", "canceled"]

    seen.clear()
    script = Script(
        create_transfer=[Transfer(id=T1, status=TransferStatus.PENDING)],
        get_transfer=[Transfer(id=T1, status=TransferStatus.COMPLETED)],
    )
    make(script, None)("transfer", asset_id="a1", qty="1", to="x", on_status=seen.append)
    assert seen == ["pending", "completed"]

    seen.clear()
    script = Script(get_order_status=[OrderStatus.ACTIVE], get_order=[order("o9", "active")])
    make(script, None)("wait_for_order", "o9", on_status=seen.append)
    assert seen == ["active"]

    seen.clear()
    script = Script(get_transfer=[Transfer(id="t9", status=TransferStatus.FAILED)])
    make(script, None)("wait_for_transfer", "t9", raise_on_failure=False, on_status=seen.append)
    assert seen == ["failed"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -5.0])
def test_bad_timeouts_refused_before_sending(make: Any, bad: float) -> None:
    script = Script()
    call = make(script, CLIENT_SIGNER)
    for name, args, kwargs in (
        ("place_order", (), {"timeout": bad, **MARKET_BUY}),
        ("place_order", (), {"max_payload_age": bad, **MARKET_BUY}),
        ("cancel_order", ("l1",), {"timeout": bad}),
        ("transfer", (), {"asset_id": "a1", "qty": "1", "to": "x", "timeout": bad}),
        ("wait_for_order", ("o1",), {"timeout": bad}),
        ("wait_for_transfer", ("t1",), {"timeout": bad}),
    ):
        with pytest.raises(ValidationError) as info:
            call(name, *args, **kwargs)
        assert info.value.field in ("timeout", "max_payload_age")
    assert script.calls == []


def test_transfer_accepts_an_asset(make: Any) -> None:
    asset = Asset(id=A1, symbol="USDC", venue=None)
    script = Script(create_transfer=[Transfer(id=T1, status=TransferStatus.PENDING)])
    make(script, None)("transfer", asset_id=asset, qty="1", to="addr", wait=False)
    assert script.kwargs("create_transfer")["asset_id"] is asset


def test_signed_defi_cancel_reports_accepted(make: Any) -> None:
    script = Script(
        prepare_cancel_order=[CancelPrepared("d1", payloads=payloads(1, "cx"))],
        execute_cancel_order=[ExecutedOrder("d1", OrderStatus.CANCEL_PENDING)],
    )
    result = make(script, CLIENT_SIGNER)("cancel_order", "d1")
    assert result.signed and result.accepted


def test_wait_errors_are_exported_as_timeout_errors() -> None:
    assert issubclass(OrderWaitError, OrderTimeoutError)
    from truemarkets_gateway.errors import TransferTimeoutError

    assert issubclass(TransferWaitError, TransferTimeoutError)


# --- wait errors through the real clients ----------------------------------------------------------

UNAVAILABLE = (503, {"message": "try later"})


def test_real_place_order_polls_through_503_and_404(real: Any) -> None:
    server = ScriptedServer(
        {
            ("POST", "/orders"): [(201, {"order_id": "c1", "status": "pending"})],
            # 503 beyond the client's own retries (2), then a 404 while not yet visible.
            ("GET", "/orders/c1/status"): [
                UNAVAILABLE,
                UNAVAILABLE,
                UNAVAILABLE,
                (404, {"message": "order not found"}),
                (200, {"status": "complete"}),
            ],
            ("GET", "/orders/c1"): [UNAVAILABLE] * 3 + [(200, wire_order("c1", "complete"))],
        }
    )
    call, _ = real(server)
    result = call("place_order", **MARKET_BUY)
    assert result.order_id == "c1" and result.status == OrderStatus.COMPLETE
    assert server.seen().count("POST /orders") == 1  # never placed twice


def test_real_wait_error_names_the_order(real: Any) -> None:
    server = ScriptedServer(
        {
            ("POST", "/orders"): [(201, {"order_id": "c1", "status": "pending"})],
            ("GET", "/orders/c1/status"): [UNAVAILABLE] * 200,
        }
    )
    call, _ = real(server)
    with pytest.raises(OrderWaitError) as info:
        call("place_order", timeout=10, **MARKET_BUY)
    assert info.value.order_id == "c1" and info.value.last_status == "pending"
    assert isinstance(info.value.__cause__, ServiceUnavailableError)
    assert "order c1 was created and submitted" in str(info.value)
    assert server.seen().count("POST /orders") == 1

    server = ScriptedServer(
        {
            ("POST", "/orders"): [(201, {"order_id": "c2", "status": "pending"})],
            ("GET", "/orders/c2/status"): [(404, {"message": "order not found"})] * 200,
        }
    )
    call, _ = real(server)
    with pytest.raises(OrderTimeoutError) as not_found:  # an existing handler catches it
        call("place_order", **MARKET_BUY)
    assert isinstance(not_found.value, OrderWaitError) and not_found.value.order_id == "c2"


def test_real_transfer_wait_error_names_the_transfer(real: Any) -> None:
    server = ScriptedServer(
        {
            ("POST", "/transfers"): [(201, wire_transfer(T1, "pending", []))],
            ("GET", f"/transfers/{T1}"): [UNAVAILABLE] * 200,
        }
    )
    call, _ = real(server)
    with pytest.raises(TransferWaitError) as info:
        call("transfer", asset_id=A1, qty="5", to="addr", timeout=10)
    assert info.value.transfer_id == T1 and info.value.last_status == "pending"


def test_real_gateway_reads_monotonic_and_cannot_spin() -> None:
    from truemarkets_gateway.client import Gateway

    server = ScriptedServer(
        {
            ("GET", "/orders/o1/status"): [(200, {"status": "pending"})] * 100,
            ("GET", "/orders/o1"): [(200, wire_order("o1", "pending"))],
        }
    )
    gw = Gateway(
        access_token="test-token",
        base_url=BASE,
        environ={},
        http_client=httpx.Client(transport=httpx.MockTransport(server)),
        sleep=lambda seconds: None,  # no-op sleep ...
        monotonic=lambda: 5.0,  # ... and a clock that never moves
    )
    with pytest.raises(OrderTimeoutError) as info:
        gw.wait_for_order("o1", timeout=10)
    assert len(server.requests) < 20
    assert info.value.order is not None and info.value.order.status == OrderStatus.PENDING
