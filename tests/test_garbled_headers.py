"""Headers a server (or an edge) garbles never fail a call with a non-SDK error: a Retry-After
or Date whose year or zone overflows is read as absent."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from truemarkets_gateway import AsyncGateway, Gateway
from truemarkets_gateway._headers import http_date, server_wait
from truemarkets_gateway._transport.ratelimit import RateLimiter
from truemarkets_gateway.errors import RateLimitError

HUGE_YEAR = "Mon, 01 Jan 99999999999999999999 00:00:00 GMT"
HUGE_ZONE = "Mon, 01 Jan 2024 00:00:00 +99999999999999"
QUOTE: dict[str, Any] = dict(
    base_asset="BTC", quote_asset="USD", qty="10", qty_unit="quote", side="buy"
)


@pytest.mark.parametrize("text", [HUGE_YEAR, HUGE_ZONE])
def test_an_overflowing_date_reads_as_absent(text: str) -> None:
    assert http_date(text) is None
    assert server_wait({"retry-after": text}, 429, 1.7e9) is None
    limiter = RateLimiter(10, 60.0)
    limiter.observe(429, {"retry-after": text, "date": text}, 0.0, wall=1.7e9)  # no raise


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(429, headers={"Retry-After": HUGE_YEAR}, json={"message": "slow"})


def test_a_429_with_a_garbled_retry_after_is_a_typed_error() -> None:
    http = httpx.Client(transport=httpx.MockTransport(_answer))
    with Gateway(
        base_url="https://gw.test", http_client=http, environ={}, sleep=lambda s: None
    ) as gw:
        with pytest.raises(RateLimitError):
            gw.quote(**QUOTE)


def test_the_async_client_too() -> None:
    async def main() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(_answer))

        async def no_wait(seconds: float) -> None:
            return None

        gw = AsyncGateway(base_url="https://gw.test", http_client=http, environ={}, sleep=no_wait)
        with pytest.raises(RateLimitError):
            await gw.quote(**QUOTE)
        await gw.close()

    asyncio.run(main())
