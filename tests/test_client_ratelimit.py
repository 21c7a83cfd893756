"""The rate limiter inside the clients: on by default, shared by views and threads, learns
from the server's headers, paces before a send (a create never waits after it)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from truemarkets_gateway import AsyncGateway, Gateway, ValidationError
from truemarkets_gateway._transport.ratelimit import Priority, priority

HOST = "https://gw.test"


class Server:
    """Answers order-status polls and creates; records when (by `clock`) each arrived."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.seen: list[tuple[str, float]] = []
        self.headers: dict[str, str] = {}
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.seen.append((request.method, self.clock()))
        if request.method == "POST":
            body: dict[str, Any] = {"order_id": "o1", "status": "pending"}
            return httpx.Response(201, json=body, headers=self.headers)
        return httpx.Response(200, json={"status": "pending"}, headers=self.headers)


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def gateway(server: Server, t: FakeTime, **options: Any) -> Gateway:
    return Gateway(
        base_url=HOST,
        access_token="tok",
        http_client=httpx.Client(transport=httpx.MockTransport(server)),
        sleep=t.sleep,
        monotonic=lambda: t.now,
        **options,
    )


def test_on_by_default_off_with_none_and_checked() -> None:
    t = FakeTime()
    gw = gateway(Server(lambda: t.now), t)
    limiter = gw._cfg.limiter
    assert limiter is not None and (limiter.requests, limiter.seconds) == (100, 60.0)
    assert gateway(Server(lambda: t.now), t, rate_limit=None)._cfg.limiter is None
    for bad in ((0, 60), (10, 0), 100, (1.5, 1)):
        with pytest.raises(ValidationError, match="rate_limit"):
            gateway(Server(lambda: t.now), t, rate_limit=bad)


def test_views_share_the_clients_limiter() -> None:
    t = FakeTime()
    gw = gateway(Server(lambda: t.now), t)
    assert gw.with_options(max_retries=0)._cfg.limiter is gw._cfg.limiter
    assert gw.with_raw_response._client._cfg.limiter is gw._cfg.limiter


def test_paces_instead_of_failing_and_a_create_waits_before_it_is_sent() -> None:
    t = FakeTime()
    server = Server(lambda: t.now)
    gw = gateway(server, t, rate_limit=(2, 10.0))
    gw.get_order_status("o1")
    gw.get_order_status("o1")
    gw.create_order(
        side="buy", type="market", base_asset="BTC", quote_asset="USD", qty=1, qty_unit="quote"
    )
    assert [m for m, _ in server.seen] == ["GET", "GET", "POST"]  # sent once, after the wait
    assert server.seen[2][1] - server.seen[0][1] >= 10.0
    assert sum(t.sleeps) >= 10.0


def test_learns_from_the_servers_remaining_and_reset() -> None:
    t = FakeTime()
    server = Server(lambda: t.now)
    server.headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "7"}
    gw = gateway(server, t)
    gw.get_order_status("o1")
    server.headers = {}
    gw.get_order_status("o1")
    assert server.seen[1][1] - server.seen[0][1] >= 7.0


def test_a_429_blocks_every_caller_until_retry_after() -> None:
    t = FakeTime()
    answers = iter([httpx.Response(429, headers={"retry-after": "4"}), None])

    class Limited(Server):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            answer = next(answers, None)
            super().__call__(request)
            return answer or httpx.Response(200, json={"status": "pending"})

    server = Limited(lambda: t.now)
    gw = gateway(server, t)
    assert gw.get_order_status("o1") == "pending"  # a read waits and retries, as before
    assert len(server.seen) == 2 and server.seen[1][1] - server.seen[0][1] >= 4.0


def test_executes_go_first_and_defi_creates_hold_a_slot_for_theirs() -> None:
    assert priority("executeOrder", None) == (Priority.EXECUTE, False)
    assert priority("executeCancelOrder", None) == (Priority.EXECUTE, False)
    assert priority("executeTransfer", None) == (Priority.EXECUTE, False)
    assert priority("createOrder", {"chain": "solana"}) == (Priority.CREATE, True)
    assert priority("createOrder", {"base_asset": "BTC"}) == (Priority.CREATE, False)
    assert priority("createTransfer", {}) == (Priority.CREATE, False)
    assert priority("getOrderStatus", None) == (Priority.READ, False)
    assert priority("computeQuote", {"chain": "solana"}) == (Priority.READ, False)


def test_threads_sharing_one_client_stay_under_the_limit() -> None:
    server = Server(time.monotonic)
    with Gateway(
        base_url=HOST,
        access_token="tok",
        http_client=httpx.Client(transport=httpx.MockTransport(server)),
        rate_limit=(5, 0.4),
    ) as gw:
        views = [gw, gw.with_options(max_retries=1)]

        def work(i: int) -> None:
            for _ in range(3):
                views[i % 2].get_order_status("o1")

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    times = sorted(when for _, when in server.seen)
    assert len(times) == 12
    for i in range(len(times) - 5):
        assert times[i + 5] - times[i] >= 0.4  # never 6 sends inside one window


def test_the_async_client_paces_too() -> None:
    t = FakeTime()
    server = Server(lambda: t.now)

    async def sleep(seconds: float) -> None:
        t.sleep(seconds)

    async def main() -> None:
        async with AsyncGateway(
            base_url=HOST,
            access_token="tok",
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(server)),
            sleep=sleep,
            monotonic=lambda: t.now,
            rate_limit=(1, 5.0),
        ) as gw:
            await gw.get_order_status("o1")
            await gw.get_order_status("o1")

    asyncio.run(main())
    assert server.seen[1][1] - server.seen[0][1] >= 5.0


def test_a_bare_429_pauses_a_retrying_read_for_one_requests_share_of_the_window() -> None:
    t = FakeTime()
    answers = iter([httpx.Response(429), None])

    class Limited(Server):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            super().__call__(request)
            return next(answers, None) or httpx.Response(200, json={"status": "pending"})

    server = Limited(lambda: t.now)
    gateway(server, t, rand=lambda: 0.5).get_order_status("o1")
    assert t.sleeps[0] == 0.25  # the backoff, then the limiter's rest of 60 s / 100
    assert server.seen[1][1] - server.seen[0][1] == pytest.approx(0.6, abs=0.01)
