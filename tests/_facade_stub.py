"""A scripted Gateway for facade tests: queue responses per (method, path), record requests.

No network and no keys: clients use a static access token and injected sleep/random.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from truemarkets_gateway import AsyncGateway, Gateway
from truemarkets_gateway.models import CreatedOrder, OrderStatus, QuoteDetails, UnsignedPayload

if TYPE_CHECKING:
    from conftest import FakeTrueMarkets

HOST = "https://api.truemarkets.co"
BASE = HOST + "/v1/gateway"

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Stub:
    """Answers requests from per-route queues (the last reply repeats)."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], deque[Reply]] = defaultdict(deque)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def on(self, method: str, path: str, *replies: Reply) -> Stub:
        self.routes[(method.upper(), "/v1/gateway" + path)].extend(replies)
        return self

    def json(self, method: str, path: str, body: Any, status: int = 200) -> Stub:
        return self.on(method, path, httpx.Response(status, json=body))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queue = self.routes.get((request.method, request.url.path))
        if not queue:
            return httpx.Response(599, text=f"no stub for {request.method} {request.url.path}")
        reply = queue.popleft() if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply) and not isinstance(reply, httpx.Response):
            return reply(request)
        return reply

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self(request)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def count(self, method: str, path: str) -> int:
        full = "/v1/gateway" + path
        return sum(1 for r in self.requests if r.method == method and r.url.path == full)

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def sync_gateway(stub: Stub, **options: Any) -> Gateway:
    options.setdefault("access_token", "test-token")
    return Gateway(
        http_client=httpx.Client(transport=httpx.MockTransport(stub)),
        environ={},
        sleep=stub.sleep,
        rand=lambda: 0.5,
        clock=lambda: 1_700_000_000.0,
        **options,
    )


def async_gateway(stub: Stub, **options: Any) -> AsyncGateway:
    options.setdefault("access_token", "test-token")
    return AsyncGateway(
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(stub.handle_async)),
        environ={},
        sleep=stub.async_sleep,
        rand=lambda: 0.5,
        clock=lambda: 1_700_000_000.0,
        **options,
    )


ORDER = {
    "order_id": "39f39d12-0000-4000-8000-000000000001",
    "base_asset": "BTC",
    "quote_asset": "PYUSD",
    "asset_id": "b2538174-aae3-4b55-b79f-ac177c99f816",
    "asset_symbol": "BTC",
    "type": "limit",
    "side": "sell",
    "price": "63199",
    "qty": "0.005",
    "executed_qty": "0.005",
    "leaves_qty": "0",
    "executed_vwap": "64200",
    "fee": "0.1284",
    "venue": "cefi",
    "status": "complete",
    "created_at": "2026-07-11T06:37:58.193418Z",
}

TRANSFER = {
    "id": "9770b836-0000-4000-8000-000000000002",
    "status": "pending",
    "venue": "cefi",
    "asset_id": "b2538174-aae3-4b55-b79f-ac177c99f816",
    "asset_symbol": "BTC",
    "chain": None,
    "network": "bitcoin",
    "to": "3PRzexample",
    "qty": "0.0001",
    "qty_unit": "base",
    "sent": "0",
    "fee": "0",
    "received": "0",
    "tx_hash": "",
    "payloads": [],
    "created_at": "2026-06-24T18:38:30.075569Z",
    "updated_at": "2026-06-24T18:38:31Z",
}

DEFI_TRANSFER = {
    **TRANSFER,
    "id": "1c1c1c1c-0000-4000-8000-000000000003",
    "status": "awaiting_signature",
    "venue": "defi",
    "chain": "solana",
    "network": None,
    "asset_symbol": "USDC",
    "payloads": [{"digest": "ab", "payload": "cGF5bG9hZA=="}],
}

ASSET_CEFI = {
    "id": "b2538174-aae3-4b55-b79f-ac177c99f816",
    "symbol": "BTC",
    "name": "Bitcoin",
    "venue": "cefi",
    "chain": None,
    "address": None,
    "decimals": 8,
    "networks": [{"network": "bitcoin", "compatible_networks": []}],
}

ASSET_DEFI = {
    "id": "5d5d5d5d-0000-4000-8000-000000000004",
    "symbol": "USDC",
    "venue": "defi",
    "chain": "solana",
    "address": "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
    "decimals": 6,
    "networks": [],
}


# --- token failures before the Gateway request (auth through the clients) --------------------

MINT_PATH = "/v1/auth/api-key/token"


class ScriptedAuth:
    """Auth from a FakeTrueMarkets after scripted mint failures (a status, with optional
    headers, or an exception); the gateway answers every create 201 and every read 200."""

    def __init__(
        self, fake: FakeTrueMarkets, *mint_failures: int | Exception | httpx.Response
    ) -> None:
        self.fake = fake
        self.failures: deque[int | Exception | httpx.Response] = deque(mint_failures)
        self.mint_attempts = 0
        self.gateway: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == MINT_PATH:
            self.mint_attempts += 1
            if self.failures:
                failure = self.failures.popleft()
                if isinstance(failure, Exception):
                    raise failure
                if isinstance(failure, httpx.Response):
                    return failure
                return httpx.Response(failure, json={"message": "auth says no"})
            return self.fake.handle(request)
        self.gateway.append(request)
        if path.endswith("/orders"):
            return httpx.Response(201, json={"order_id": "o1", "status": "pending"})
        return httpx.Response(200, json={"order_id": "o1", "status": "pending"})

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self(request)


def create_market_order(gw: Any) -> Any:
    """A CeFi market buy (the result, or the coroutine on an AsyncGateway)."""
    return gw.create_order(side="buy", type="market", qty="10", qty_unit="quote",
                           base_asset="BTC", quote_asset="USD")  # fmt: skip


# --- signing over quote issues -----------------------------------------------------------------


class CountingSigner:
    """Stamps `stamp-<payload>` and counts how often it was asked."""

    def __init__(self) -> None:
        self.calls = 0

    def sign_payloads(self, payloads: Any) -> list[str]:
        self.calls += 1
        return [f"stamp-{p.payload}" for p in payloads]


def created_with_issues() -> CreatedOrder:
    return CreatedOrder(
        order_id="o9",
        status=OrderStatus.INITIALIZED,
        payloads=(UnsignedPayload("p1"),),
        quote=QuoteDetails(None, None, None, None, None, None, issues=("price moved 3%",)),
    )


def strings_within(obj: Any, seen: set[int] | None = None, depth: int = 0) -> list[str]:
    """Every string reachable through vars()/headers/containers of an object (bounded)."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 6:
        return []
    seen.add(id(obj))
    out: list[str] = []
    if isinstance(obj, str | bytes):
        return [obj.decode("latin-1") if isinstance(obj, bytes) else obj]
    if isinstance(obj, httpx.Headers):
        return [f"{k}: {v}" for k, v in obj.multi_items()]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += strings_within(k, seen, depth + 1) + strings_within(v, seen, depth + 1)
        return out
    if isinstance(obj, list | tuple | set | frozenset):
        for v in obj:
            out += strings_within(v, seen, depth + 1)
        return out
    if hasattr(obj, "__dict__"):
        out += strings_within(vars(obj), seen, depth + 1)
    return out
