"""The outermost ASGI layer: what a real edge and flaky network do to every request.

It counts requests per route, stamps the `Date` header from the (skewed) sandbox clock,
applies the optional per-key rate limit, and injects faults: error statuses, 429s, added
latency, dropped connections and garbled bodies, either before the request is applied or
after it (the answer is then thrown away).
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from truemarkets_gateway.sandbox.faults import Fault, FaultKind, Phase, relative_path
from truemarkets_gateway.sandbox.problems import envelope
from truemarkets_gateway.sandbox.state import SandboxState

__all__ = ["ConnectionDropped", "EdgeLayer", "route_key"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID_KEY = "sandbox.request_id"
_ID_PARENTS = ("orders", "transfers", "organizations")
_FAULT_MESSAGES = {
    500: ("internal", "internal server error (injected)"),
    502: ("unavailable", "bad gateway (injected)"),
    503: ("unavailable", "service unavailable (injected)"),
    504: ("unavailable", "gateway timeout (injected)"),
}


class ConnectionDropped(Exception):
    """Raised when a dropped connection cannot be aborted at the transport (not uvicorn)."""


def route_key(method: str, path: str) -> str:
    """`"POST /orders/{id}/execute"`: the route of a request, ids replaced, base removed."""
    parts = relative_path(path).split("/")
    for i in range(1, len(parts) - 1):
        if parts[i] in _ID_PARENTS and parts[i + 1]:
            parts[i + 1] = "{id}"
    return f"{method.upper()} {'/'.join(parts)}"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class EdgeLayer:
    def __init__(self, state: SandboxState, app: ASGIApp) -> None:
        self.state = state
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = str(scope["method"]), str(scope["path"])
        self.state.count_request(route_key(method, path))
        request_id = "req_" + secrets.token_hex(8)
        scope[REQUEST_ID_KEY] = request_id
        extra_headers = [(b"x-request-id", request_id.encode())]
        dated = self._dated(send, extra_headers)

        if self.state.config.rate_limit:
            bucket = self.state.auth.peek_key_id(_header(scope, b"authorization"))
            if bucket is None:
                client = scope.get("client")
                bucket = f"ip:{client[0] if client else 'unknown'}"
            allowed, remaining, reset = self.state.rate_limit(bucket)
            limit = self.state.config.rate_limit_requests
            extra_headers += _rate_headers(limit, remaining, reset)
            if not allowed:
                await _answer(dated, 429, request_id, [(b"retry-after", str(reset).encode())])
                return

        fault = self.state.faults.pick(method, path)
        if fault is not None and fault.kind is FaultKind.LATENCY:
            await asyncio.sleep(fault.delay)
            fault = None
        if fault is None:
            await self.app(scope, receive, dated)
            return
        if fault.phase is Phase.AFTER:
            await self.app(scope, receive, _discard)
        await self._inject(fault, send, dated, request_id)

    def _dated(self, send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
        async def dated_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                now = self.state.now()
                headers = [
                    (k, v) for k, v in message.get("headers", []) if bytes(k).lower() != b"date"
                ]
                headers.append((b"date", email.utils.formatdate(now, usegmt=True).encode()))
                headers.extend(extra)
                message = {**message, "headers": headers}
            await send(message)

        return dated_send

    async def _inject(self, fault: Fault, raw_send: Send, dated: Send, request_id: str) -> None:
        if fault.kind is FaultKind.DROP:
            await _drop(raw_send)
            return
        if fault.kind is FaultKind.GARBLED:  # cut short, as a proxy losing the tail might
            body = b'{"order_id": "'
            headers = [(b"content-type", b"application/json")]
            await dated({"type": "http.response.start", "status": 200, "headers": headers})
            await dated({"type": "http.response.body", "body": body, "more_body": False})
            return
        if fault.kind is FaultKind.RATE_LIMITED:
            limit = self.state.config.rate_limit_requests
            headers = [(b"retry-after", str(fault.retry_after).encode())]
            headers += _rate_headers(limit, 0, fault.retry_after)
            await _answer(dated, 429, request_id, headers)
            return
        await _answer(dated, fault.status, request_id, [])


def _rate_headers(limit: int, remaining: int, reset: int) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-ratelimit-limit", str(limit).encode()),
        (b"x-ratelimit-remaining", str(remaining).encode()),
        (b"x-ratelimit-reset", str(reset).encode()),
    ]


async def _answer(
    send: Send, status: int, request_id: str, headers: list[tuple[bytes, bytes]]
) -> None:
    if status == 429:
        err_type, message = "resource_exhausted", "rate limit exceeded"
    else:
        err_type, message = _FAULT_MESSAGES.get(status, ("internal", f"HTTP {status} (injected)"))
    body = json.dumps(envelope(err_type, message, request_id)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _discard(message: Message) -> None:
    """The answer of a request whose response is replaced by an after-processing fault."""


async def _drop(raw_send: Send) -> None:
    """Close the connection without a byte of response.

    uvicorn hands the app its cycle's bound `send`; its owner holds the asyncio transport.
    Aborting it makes the client see a transport error (connection reset / server
    disconnected). The two yields let uvicorn notice the loss before it would send a 500.
    """
    cycle = getattr(raw_send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        raise ConnectionDropped("connection dropped (injected)")
    transport.abort()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
