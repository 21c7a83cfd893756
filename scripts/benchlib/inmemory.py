"""Per-call cost with no network: raw httpx and our Gateway over one in-memory transport.

Both clients get an `httpx.MockTransport` answering from the bench server's precomputed
responses (benchlib/server.py `route`), so what differs is only the work each client does
per call: building the request, auth, parsing and converting the response.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from .server import ACCESS_TOKEN, route

BASE_URL = "http://bench.invalid"
# Our client's limiter stays on (its per-call work is measured) but never makes a call wait.
UNPACED = (10**9, 1.0)


def _handler(request: httpx.Request) -> httpx.Response:
    raw = route(request.method.encode(), request.url.raw_path.split(b"?")[0])
    head, _, body = raw.partition(b"\r\n\r\n")
    return httpx.Response(
        int(head[9:12]), headers={"Content-Type": "application/json"}, content=body
    )


def transport() -> httpx.MockTransport:
    return httpx.MockTransport(_handler)


def contenders(
    gateway_cls: Any, key_file: Path, user_agent: Callable[[Any], str], quote: dict[str, Any]
) -> tuple[dict[str, Callable[[], Any]], Callable[[], None]]:
    """`{"raw": fn, "ours": fn}` quoting through the in-memory transport, and a closer."""
    ours_http = httpx.Client(transport=transport(), timeout=30)
    ours = gateway_cls(
        base_url=BASE_URL, key_file=str(key_file), http_client=ours_http, rate_limit=UNPACED
    )
    raw = httpx.Client(
        transport=transport(),
        timeout=30,
        headers={"User-Agent": user_agent(ours), "Authorization": f"Bearer {ACCESS_TOKEN}"},
    )
    url = f"{BASE_URL}/v1/gateway/quotes"

    def raw_quote() -> Any:
        r = raw.post(url, json=quote)
        r.raise_for_status()
        return r.json()

    def ours_quote() -> Any:
        return ours.quote(**quote)

    def close() -> None:
        raw.close()
        ours.close()
        ours_http.close()

    return {"raw": raw_quote, "ours": ours_quote}, close
