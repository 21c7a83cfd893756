"""The auth flow's edges. A 401's replay is a send the rate limiter did not pace: it is
counted, so the calls after it wait for the budget it used (the replay itself cannot wait: it
runs inside httpx's auth). A failure while getting the token, before anything left, is typed
and says nothing was sent."""

from __future__ import annotations

import httpx
from conftest import FAKE_HOST, FakeClock, FakeTrueMarkets

from truemarkets_gateway._transport.auth import REPLAY, GatewayAuth, TokenManager
from truemarkets_gateway._transport.ratelimit import Priority, RateLimiter
from truemarkets_gateway.credentials import Credentials
from truemarkets_gateway.environments import Environment

ENV = Environment.custom(FAKE_HOST)


def test_a_counted_send_uses_the_budget() -> None:
    limiter = RateLimiter(2, 10.0, margin=0.0)
    assert limiter.reserve(Priority.READ, 0.0) == 0.0
    limiter.count(1.0)  # the replay
    assert limiter.reserve(Priority.READ, 2.0) == 8.0  # until the first send leaves the window
    assert limiter.reserve(Priority.READ, 10.0) == 0.0


def test_only_a_replay_is_reported(
    credentials: Credentials, fake_clock: FakeClock, fake_tm: FakeTrueMarkets
) -> None:
    replays: list[str] = []
    manager = TokenManager(ENV, credentials=credentials, clock=fake_clock)
    with fake_tm.client() as http:
        auth = GatewayAuth(manager, http=http, on_replay=lambda: replays.append("replay"))
        for replay in (True, False):
            manager.get_token_sync(http)
            fake_tm.revoke_access_tokens()
            request = http.build_request("GET", f"{ENV.gateway_url}/orders")
            request.extensions[REPLAY] = replay
            http.send(request, auth=auth)
    assert replays == ["replay"]  # the marked read was replayed; the unmarked 401 returned
    assert len(fake_tm.gateway_requests) == 3


async def test_the_async_flow_reports_its_replay(
    credentials: Credentials, fake_clock: FakeClock, fake_tm: FakeTrueMarkets
) -> None:
    replays: list[str] = []
    manager = TokenManager(ENV, credentials=credentials, clock=fake_clock)
    async with fake_tm.async_client() as http:
        auth = GatewayAuth(manager, http=http, on_replay=lambda: replays.append("replay"))
        await manager.get_token_async(http)
        fake_tm.revoke_access_tokens()
        request = http.build_request("GET", f"{ENV.gateway_url}/orders")
        request.extensions[REPLAY] = True
        assert (await http.send(request, auth=auth)).status_code == 200
    assert replays == ["replay"]


def test_a_clients_replay_counts_against_its_rate_limit(
    credentials: Credentials, fake_clock: FakeClock, fake_tm: FakeTrueMarkets
) -> None:
    from truemarkets_gateway import Gateway

    now, sleeps = [1000.0], []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    gw = Gateway(
        base_url=FAKE_HOST,
        credentials=credentials,
        http_client=fake_tm.client(),
        environ={},
        sleep=sleep,
        monotonic=lambda: now[0],
        clock=fake_clock,
        rate_limit=(3, 60.0),
    )
    gw.get_balances()
    fake_tm.revoke_access_tokens()
    gw.get_balances()  # answered 401, renewed and replayed: two sends
    assert len(fake_tm.gateway_requests) == 3 and sleeps == []
    gw.get_balances()  # the fourth send in the window waits for the first to leave
    assert len(fake_tm.gateway_requests) == 4 and sum(sleeps) >= 60.0


def test_an_unforeseen_token_failure_is_typed_and_marked_unsent() -> None:
    """A bug or odd input inside token handling, before the create leaves: a typed error that
    says nothing was sent, so no reconcile starts and no listing is read."""
    import pytest

    from truemarkets_gateway import Gateway
    from truemarkets_gateway.errors import TrueMarketsError

    seen: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        return httpx.Response(500)

    gw = Gateway(
        base_url=FAKE_HOST,
        access_token="t",
        http_client=httpx.Client(transport=httpx.MockTransport(server)),
        environ={},
    )

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("unforeseen")

    gw._cfg.tokens.get_token_sync = broken  # type: ignore[union-attr,method-assign]
    with pytest.raises(TrueMarketsError) as info:
        gw.create_order(side="buy", type="market", base_asset="BTC", qty="5", qty_unit="quote")
    assert info.value.gateway_request_sent is False
    assert "no Gateway request was sent" in str(info.value)
    assert seen == []
