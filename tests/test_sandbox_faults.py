"""Sandbox fault injection as an httpx client sees it, plus the optional rate limit."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest
import test_sandbox_kit as kit
from test_sandbox_kit import LOOPBACK, Clock, Session, open_session

from truemarkets_gateway.sandbox import Fault, FaultRule, Sandbox, SandboxConfig

pytestmark = LOOPBACK
clock, sandbox = kit.clock, kit.sandbox

QUOTE = {
    "base_asset": "BTC",
    "quote_asset": "USD",
    "qty": "100",
    "qty_unit": "quote",
    "side": "buy",
}
ORDER = {"base_asset": "BTC", "qty": "100", "qty_unit": "quote", "type": "market", "side": "buy"}


@pytest.fixture
def raw(sandbox: Sandbox) -> Session:
    """A session whose answers are not checked against the spec (faults break it on purpose)."""
    return open_session(sandbox, checked=False)


def quote(session: Session) -> httpx.Response:
    return session.http.post("/v1/gateway/quotes", json=QUOTE)


def test_a_500_burst_then_recovery(raw: Session) -> None:
    rule = raw.sandbox.faults.burst("POST", "/quotes", count=2)
    statuses = [quote(raw).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert rule.fired == 2
    assert raw.sandbox.state.request_count("POST /quotes") == 3


def test_error_bodies_use_the_envelope(raw: Session) -> None:
    raw.sandbox.faults.add("*", "/v1/conductor/*", Fault.unavailable(), times=1)
    response = raw.http.get("/v1/conductor/orders", headers=raw.headers)
    assert response.status_code == 503
    body = response.json()
    assert body["type"] == "unavailable"
    assert body["request_id"].startswith("req_")
    assert raw.http.get("/v1/gateway/orders", headers=raw.headers).status_code == 200


def test_429_carries_retry_after_and_rate_headers(raw: Session) -> None:
    raw.sandbox.faults.add("GET", "/orders", Fault.rate_limited(retry_after=7), times=1)
    response = raw.get("/orders")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.headers["x-ratelimit-limit"] == "100"
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert response.headers["x-ratelimit-reset"] == "7"
    assert response.json()["type"] == "resource_exhausted"


def test_added_latency_trips_a_client_timeout(raw: Session) -> None:
    raw.sandbox.faults.add("GET", "/assets", Fault.latency(0.6), times=1)
    with pytest.raises(httpx.ReadTimeout):
        raw.http.get("/v1/gateway/assets", timeout=0.1)
    assert raw.http.get("/v1/gateway/assets").status_code == 200


def test_a_dropped_connection_before_processing_leaves_no_order(raw: Session) -> None:
    raw.sandbox.faults.add("POST", "/orders", Fault.drop(), times=1)
    with pytest.raises(httpx.TransportError):
        raw.post("/orders", ORDER)
    assert raw.sandbox.state.orders == {}
    assert raw.sandbox.state.request_count("POST /orders") == 1
    assert raw.post("/orders", ORDER).status_code == 201


@pytest.mark.parametrize(
    "fault", [Fault.drop(after_processing=True), Fault.error(500, after_processing=True)]
)
def test_faults_after_processing_keep_the_order(raw: Session, fault: Fault) -> None:
    raw.sandbox.faults.add("POST", "/orders", fault, times=1)
    try:
        response: Any = raw.post("/orders", ORDER)
    except httpx.TransportError as exc:
        response = exc
    if isinstance(response, httpx.Response):
        assert response.status_code == 500
    orders = raw.sandbox.state.orders
    assert len(orders) == 1
    listed = raw.get("/orders").json()["data"]
    assert [o["order_id"] for o in listed] == list(orders)


def test_server_clock_skew_moves_the_date_header_and_the_mint_window(
    raw: Session, clock: Clock
) -> None:
    raw.sandbox.faults.skew_clock(120)
    response = raw.http.get("/v1/gateway/assets")
    assert parsedate_to_datetime(response.headers["date"]).timestamp() == clock.now + 120
    assert raw.login(int(clock.now)).status_code == 401
    assert raw.login(int(clock.now) + 120).status_code == 200


def test_early_token_expiry_rejects_tokens_before_exp(raw: Session, clock: Clock) -> None:
    raw.sandbox.faults.expire_tokens_after(10)
    assert raw.get("/orders").status_code == 200
    clock.advance(10)
    expired = raw.get("/orders")
    assert expired.status_code == 401
    refreshed = raw.http.post(
        "/v1/auth/token/refresh", json={"refresh_token": raw.tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200
    raw.tokens = refreshed.json()
    assert raw.get("/orders").status_code == 200


def test_sub_second_early_expiry_counts_from_the_exact_issue_time(
    raw: Session, clock: Clock
) -> None:
    raw.sandbox.faults.expire_tokens_after(0.5)
    clock.advance(0.7)  # mid-second: `iat` (whole seconds) says the token is 0.7 s old
    refreshed = raw.http.post(
        "/v1/auth/token/refresh", json={"refresh_token": raw.tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200
    raw.tokens = refreshed.json()
    assert raw.get("/orders").status_code == 200  # fresh: 0 s old
    clock.advance(0.4)
    assert raw.get("/orders").status_code == 200
    clock.advance(0.1)
    assert raw.get("/orders").status_code == 401


def test_scripted_sequence(raw: Session) -> None:
    raw.sandbox.faults.script("POST", "/quotes", [None, Fault.error(503), Fault.error(502)])
    assert [quote(raw).status_code for _ in range(5)] == [200, 503, 502, 200, 200]


def test_probabilities_are_seeded(clock: Clock) -> None:
    def pattern() -> list[int]:
        rule = FaultRule("POST", "/quotes", fault=Fault.error(500), probability=0.5)
        with Sandbox(SandboxConfig(clock=clock, seed=7, faults=[rule])) as sb:
            http = httpx.Client(base_url=sb.gateway_url)
            return [http.post("/quotes", json=QUOTE).status_code for _ in range(16)]

    first = pattern()
    assert first == pattern()
    assert {200, 500} == set(first)


def test_rate_limit_is_off_by_default_and_100_per_minute_per_key_when_on(clock: Clock) -> None:
    with Sandbox(SandboxConfig(clock=clock, rate_limit=True)) as sb:
        s = open_session(sb, checked=False)  # the mint counts against the caller's address
        statuses = [s.get("/orders/x/status").status_code for _ in range(100)]
        assert set(statuses) == {404}
        limited = s.get("/orders")
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) == 60
        assert limited.headers["x-ratelimit-remaining"] == "0"
        other = open_session(sb, checked=False)
        assert other.get("/orders").status_code == 200  # another key, another bucket
        clock.advance(60)
        ok = s.get("/orders")
        assert ok.status_code == 200
        assert ok.headers["x-ratelimit-remaining"] == "99"


def test_clear_removes_every_fault(raw: Session) -> None:
    faults = raw.sandbox.faults
    faults.add("*", "*", Fault.error(500))
    faults.skew_clock(500)
    assert quote(raw).status_code == 500
    faults.clear()
    assert quote(raw).status_code == 200
    assert faults.rules == ()
