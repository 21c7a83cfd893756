"""A minimal, fast HTTP/1.1 keep-alive server answering the Gateway routes with fixed bodies.

It exists so that the benchmark measures the client, not the server: one `asyncio.Protocol`
parses just enough HTTP (request line, Content-Length) and writes a precomputed response
chosen by method and path. It runs in its own process (`start_server`), so client and
server do not share a GIL. Both gateway prefixes (`/v1/gateway`, legacy `/v1/conductor`)
and the auth routes (`/v1/auth/api-key/token`, `/v1/auth/token/refresh`) are served.

Counters (mints, refreshes, requests) live in shared memory and are readable from the
parent process.
"""

from __future__ import annotations

import asyncio
import base64
import json
import multiprocessing as mp
import socket
import time
from collections.abc import Callable
from multiprocessing.sharedctypes import Synchronized
from typing import Any

ORDER_ID = "2b8d7058-22a2-4b18-bdb9-071f9db9495f"
TRANSFER_ID = "9770b836-0d6c-4a4c-9a7e-3a3d1f1e2b10"
ASSET_ID = "b2538174-aae3-4b55-b79f-ac177c99f816"
GATEWAY_PREFIXES = (b"/v1/gateway", b"/v1/conductor")


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def fixed_token(kind: str = "access") -> str:
    """A JWT-shaped token (unsigned, far-future exp); clients only read its claims."""
    header = _b64({"alg": "ES256", "typ": "JWT"})
    claims = _b64(
        {
            "uid": "8d0f8c5e-0000-4000-8000-000000000001",
            "sub": "bench@example.invalid",
            "exp": 4102444800,
            "typ": kind,
        }
    )
    return f"{header}.{claims}.c2ln"


ACCESS_TOKEN = fixed_token("access")
REFRESH_TOKEN = fixed_token("refresh")

TOKENS = {
    "access_token": ACCESS_TOKEN,
    "refresh_token": REFRESH_TOKEN,
    # An hour from server start, like the real service: long enough for every run, and
    # short enough that the SDK takes it as given (it caps absurd expiries with a warning).
    "expires_in": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600)),
    "token_type": "Bearer",
}
QUOTE = {"qty": "0.01485", "price": "67340.25"}
ORDER = {
    "order_id": ORDER_ID,
    "base_asset": "BTC",
    "quote_asset": "USD",
    "type": "limit",
    "side": "buy",
    "price": "67500.00",
    "qty": "0.5",
    "executed_qty": "0",
    "leaves_qty": "0.5",
    "executed_vwap": "0",
    "fee": "0",
    "venue": "cefi",
    "status": "active",
    "created_at": "2026-01-01T00:00:00Z",
}
TRANSFER = {
    "id": TRANSFER_ID,
    "status": "pending",
    "venue": "cefi",
    "asset_id": ASSET_ID,
    "asset_symbol": "BTC",
    "chain": None,
    "network": "bitcoin",
    "to": "3PRzexampleaddress",
    "qty": "0.0001",
    "qty_unit": "base",
    "sent": "0",
    "fee": "0",
    "received": "0",
    "tx_hash": "",
    "payloads": [],
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-01T00:00:00Z",
}
ASSET = {
    "id": ASSET_ID,
    "chain": None,
    "address": None,
    "symbol": "BTC",
    "name": "Bitcoin",
    "decimals": 8,
    "is_active": True,
    "tradeable": True,
    "stable": False,
    "venue": "cefi",
    "networks": [{"network": "bitcoin", "compatible_networks": ["bitcoin"]}],
}
BALANCE = {
    "symbol": "USD",
    "name": "US Dollar",
    "chain": None,
    "address": None,
    "decimals": 2,
    "total": "1000000.00",
    "available": "1000000.00",
    "held": "0",
    "stable": True,
    "tradeable": True,
}
PAGE = {"next_cursor": None, "limit": 50}

_REASONS = {200: b"OK", 201: b"Created", 202: b"Accepted", 404: b"Not Found"}


def _response(status: int, body: Any) -> bytes:
    payload = json.dumps(body, separators=(",", ":")).encode()
    head = b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (
        status,
        _REASONS[status],
        len(payload),
    )
    return head + payload


R_TOKENS = _response(200, TOKENS)
R_QUOTE = _response(200, QUOTE)
R_ORDER = _response(200, ORDER)
R_STATUS = _response(200, {"status": "active"})
R_CREATED = _response(201, {"order_id": ORDER_ID, "status": "pending", "payloads": []})
R_ORDERS = _response(200, {"data": [ORDER], "pagination": PAGE})
R_ACCEPTED = _response(202, {})
R_TRANSFER = _response(200, TRANSFER)
R_TRANSFER_CREATED = _response(201, TRANSFER)
R_TRANSFERS = _response(200, {"data": [TRANSFER], "pagination": PAGE})
R_ASSETS = _response(200, {"data": [ASSET], "pagination": PAGE})
R_BALANCES = _response(200, {"data": [BALANCE]})
R_NOT_FOUND = _response(404, {"message": "not found"})

# Shared counters, indexed: 0 requests, 1 mints, 2 refreshes.
COUNTER_NAMES = ("requests", "mints", "refreshes")


def _gateway_route(method: bytes, rest: bytes) -> bytes:
    if rest == b"/quotes":
        return R_QUOTE if method == b"POST" else R_NOT_FOUND
    if rest == b"/orders":
        return R_CREATED if method == b"POST" else R_ORDERS
    if rest.startswith(b"/orders/"):
        tail = rest[8:]
        if tail.endswith(b"/status"):
            return R_STATUS
        if b"/" in tail:  # /cancel, /execute, /cancel/execute
            return R_ACCEPTED
        if method == b"GET":
            return R_ORDER
        return R_ACCEPTED  # PATCH, DELETE
    if rest == b"/transfers":
        return R_TRANSFER_CREATED if method == b"POST" else R_TRANSFERS
    if rest.startswith(b"/transfers/"):
        return R_TRANSFER
    if rest == b"/assets":
        return R_ASSETS
    if rest.startswith(b"/balances"):
        return R_BALANCES
    return R_NOT_FOUND


class _Protocol(asyncio.Protocol):
    __slots__ = ("_buf", "_count", "_transport")

    def __init__(self, count: Callable[[int], None]) -> None:
        self._buf = b""
        self._count = count
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        buf = self._buf + data if self._buf else data
        out = []
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buf[:end]
            length = 0
            pos = head.lower().find(b"\r\ncontent-length:")
            if pos >= 0:
                stop = head.find(b"\r\n", pos + 2)
                length = int(head[pos + 17 : stop if stop >= 0 else len(head)])
            total = end + 4 + length
            if len(buf) < total:
                break
            line_end = head.find(b"\r\n")
            method, target, _ = head[: line_end if line_end >= 0 else len(head)].split(b" ", 2)
            path = target.split(b"?", 1)[0]
            out.append(self._route(method, path))
            buf = buf[total:]
        self._buf = buf
        if out and self._transport is not None:
            self._transport.write(b"".join(out))

    def _route(self, method: bytes, path: bytes) -> bytes:
        return route(method, path, self._count)


def route(method: bytes, path: bytes, count: Callable[[int], None] = lambda _: None) -> bytes:
    """The whole precomputed HTTP/1.1 response for one request (also used in memory)."""
    count(0)
    for prefix in GATEWAY_PREFIXES:
        if path.startswith(prefix):
            return _gateway_route(method, path[len(prefix) :])
    if path == b"/v1/auth/api-key/token":
        count(1)
        return R_TOKENS
    if path == b"/v1/auth/token/refresh":
        count(2)
        return R_TOKENS
    return R_NOT_FOUND


def _serve(sock: socket.socket, counters: Any) -> None:
    def count(index: int) -> None:
        counters[index] += 1

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _Protocol(count), sock=sock, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


class BenchServer:
    """The server process; use as a context manager. `base_url` is the host root."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(1024)
        self.port: int = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        ctx = mp.get_context("fork")
        self._counters: Any = ctx.RawArray("q", len(COUNTER_NAMES))
        self._process = ctx.Process(target=_serve, args=(self._sock, self._counters), daemon=True)

    def counter(self, name: str) -> int:
        return int(self._counters[COUNTER_NAMES.index(name)])

    def __enter__(self) -> BenchServer:
        self._process.start()
        self._sock.close()  # the child holds its own copy of the listening socket
        return self

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.join(5)


__all__ = ["ACCESS_TOKEN", "ORDER_ID", "BenchServer", "Synchronized", "fixed_token"]
