"""Retry policy: the pure decisions, and the matrix of operations x failures on a client."""

from __future__ import annotations

from email.utils import formatdate

import httpx
import pytest
from _facade_stub import ORDER, Stub, async_gateway, sync_gateway

from truemarkets_gateway import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
    ServiceUnavailableError,
)
from truemarkets_gateway._headers import server_wait
from truemarkets_gateway._transport.retry import (
    RetryPolicy,
    backoff_delay,
    decide_after_error,
    decide_after_response,
    never_sent,
)

NOW = 1_700_000_000.0
ASSET_ID = "b2538174-aae3-4b55-b79f-ac177c99f816"
POLICY = RetryPolicy()


def _decide(status: int, *, idempotent: bool = True, retries: int = 0, headers=None):  # type: ignore[no-untyped-def]
    return decide_after_response(
        idempotent=idempotent,
        retries_done=retries,
        max_retries=2,
        status=status,
        headers=httpx.Headers(headers or {}),
        now=NOW,
        rand=lambda: 1.0,
        policy=POLICY,
    )


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 520])
def test_retryable_statuses_retry_reads(status: int) -> None:
    assert _decide(status).retry


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_client_errors_never_retry(status: int) -> None:
    assert not _decide(status).retry


@pytest.mark.parametrize("status", [408, 429, 500, 503])
def test_non_idempotent_never_retries_after_an_answer(status: int) -> None:
    decision = _decide(status, idempotent=False)
    assert not decision.retry and "not idempotent" in decision.reason


def test_budget_runs_out() -> None:
    assert _decide(500, retries=1).retry
    assert not _decide(500, retries=2).retry


def test_full_jitter_backoff_is_capped() -> None:
    assert backoff_delay(0, lambda: 1.0, POLICY) == 0.5
    assert backoff_delay(1, lambda: 1.0, POLICY) == 1.0
    assert backoff_delay(10, lambda: 1.0, POLICY) == 8.0
    assert backoff_delay(3, lambda: 0.0, POLICY) == 0.0
    assert backoff_delay(2, lambda: 0.25, POLICY) == 0.5


def test_server_wait_forms() -> None:
    h = httpx.Headers
    assert server_wait(h({"retry-after": "3"}), 503, NOW) == 3.0
    assert server_wait(h({"retry-after-ms": "1500"}), 429, NOW) == 1.5
    date = formatdate(NOW + 7, usegmt=True)
    assert server_wait(h({"retry-after": date}), 429, NOW) == pytest.approx(7.0)
    assert server_wait(h({"retry-after": formatdate(NOW - 60, usegmt=True)}), 429, NOW) == 0.0
    assert server_wait(h({"x-ratelimit-reset": str(int(NOW) + 12)}), 429, NOW) == 12.0
    assert server_wait(h({"x-ratelimit-reset": "4"}), 429, NOW) == 4.0
    assert server_wait(h({"x-ratelimit-reset": "4"}), 503, NOW) is None  # only on 429
    assert server_wait(h({"retry-after": "soon"}), 429, NOW) is None
    assert server_wait(h({}), 429, NOW) is None


def test_a_retry_after_date_without_a_zone_is_read_as_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "America/New_York")  # a naive datetime would be read as local
    time.tzset()
    try:
        date = formatdate(NOW + 7)  # "-0000": no zone named
        assert server_wait({"retry-after": date}, 429, NOW) == pytest.approx(7.0)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_server_wait_is_used_and_capped() -> None:
    assert _decide(429, headers={"retry-after": "2"}).delay == 2.0
    over = _decide(429, headers={"retry-after": "600"})
    assert not over.retry and "over the cap" in over.reason


def test_transport_failures() -> None:
    connect = httpx.ConnectError("refused")
    read = httpx.ReadTimeout("slow")
    assert never_sent(connect) and never_sent(httpx.ConnectTimeout("x"))
    assert never_sent(httpx.PoolTimeout("x"))
    assert not never_sent(read) and not never_sent(httpx.RemoteProtocolError("x"))

    def decide(exc: Exception, idempotent: bool) -> bool:
        return decide_after_error(
            idempotent=idempotent,
            retries_done=0,
            max_retries=2,
            exc=exc,
            rand=lambda: 0.5,
            policy=POLICY,
        ).retry

    assert decide(connect, True) and decide(read, True)
    assert decide(connect, False) and not decide(read, False)
    assert not decide(httpx.UnsupportedProtocol("ftp"), True)


# --- the matrix on a real client loop ---------------------------------------------------------

READS = [
    ("GET", "/orders/o1", lambda gw: gw.get_order("o1"), ORDER),
    ("GET", "/orders/o1/status", lambda gw: gw.get_order_status("o1"), {"status": "active"}),
    ("POST", "/quotes", lambda gw: gw.quote(base_asset="BTC", quote_asset="USD", qty="1",
                                            side="buy", qty_unit="quote"), {"qty": "1"}),
    ("GET", "/assets", lambda gw: gw.list_assets_page(), {"data": []}),
    ("GET", "/balances", lambda gw: gw.get_balances(), {"data": []}),
    ("GET", "/orders", lambda gw: gw.list_orders_page(), {"data": []}),
    ("GET", "/transfers", lambda gw: gw.list_transfers_page(), {"data": []}),
]  # fmt: skip

WRITES = [
    ("POST", "/orders", lambda gw: gw.create_order(side="sell", type="market", qty="1",
                                                   qty_unit="base", base_asset="BTC", reconcile=False)),
    ("POST", "/orders/o1/execute", lambda gw: gw.execute_order("o1", signatures=["s"])),
    ("PATCH", "/orders/o1", lambda gw: gw.modify_order("o1", qty="2")),
    ("POST", "/orders/o1/cancel", lambda gw: gw.prepare_cancel_order("o1")),
    ("POST", "/orders/o1/cancel/execute", lambda gw: gw.execute_cancel_order("o1", signatures=["s"])),
    ("DELETE", "/orders/o1", lambda gw: gw.cancel_order_deprecated("o1")),
    ("POST", "/transfers", lambda gw: gw.create_transfer(asset_id=ASSET_ID, qty="1", to="x", reconcile=False)),
    ("POST", "/transfers/t1/execute", lambda gw: gw.execute_transfer("t1", signatures=["s"])),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "call", "body"), READS)
@pytest.mark.parametrize("status", [408, 429, 500, 503, 520])
def test_reads_retry_then_succeed(method, path, call, body, status) -> None:  # type: ignore[no-untyped-def]
    stub = Stub().on(
        method,
        path,
        httpx.Response(status, text="busy"),
        httpx.Response(status, text="busy"),
        httpx.Response(200, json=body),
    )
    call(sync_gateway(stub, rate_limit=None))  # the limiter's pause on a 429: test_client_ratelimit
    assert stub.count(method, path) == 3
    assert stub.sleeps == [0.25, 0.5]  # full jitter with rand=0.5: 0.5 * (0.5, 1.0)


@pytest.mark.parametrize(("method", "path", "call", "body"), READS[:2])
def test_reads_give_up_after_max_retries(method, path, call, body) -> None:  # type: ignore[no-untyped-def]
    stub = Stub().on(method, path, httpx.Response(503, json={"message": "down"}))
    with pytest.raises(ServiceUnavailableError):
        call(sync_gateway(stub))
    assert stub.count(method, path) == 3
    stub = Stub().on(method, path, httpx.Response(500, json={"message": "boom"}))
    with pytest.raises(InternalServerError):
        call(sync_gateway(stub, max_retries=0))
    assert stub.count(method, path) == 1


def test_max_retries_per_call() -> None:
    stub = Stub().on("GET", "/orders/o1", httpx.Response(500))
    gw = sync_gateway(stub)
    with pytest.raises(InternalServerError):
        gw.get_order("o1", max_retries=5)
    assert stub.count("GET", "/orders/o1") == 6


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")])
def test_reads_retry_transport_errors(exc: Exception) -> None:
    stub = Stub().on("GET", "/orders/o1", exc, exc, httpx.Response(200, json=ORDER))
    sync_gateway(stub).get_order("o1")
    assert stub.count("GET", "/orders/o1") == 3


@pytest.mark.parametrize(("method", "path", "call"), WRITES)
@pytest.mark.parametrize(
    ("status", "cls"),
    [(500, InternalServerError), (503, ServiceUnavailableError), (502, InternalServerError)],
)
def test_writes_are_sent_exactly_once_on_error_status(method, path, call, status, cls) -> None:  # type: ignore[no-untyped-def]
    stub = Stub().on(method, path, httpx.Response(status, json={"message": "x"}))
    with pytest.raises(APIError) as info:
        call(sync_gateway(stub))
    assert type(info.value) is cls
    assert stub.count(method, path) == 1 and len(stub.requests) == 1
    text = str(info.value)
    assert "may have been" in text and ("reconcile" in text or "check" in text)


@pytest.mark.parametrize(("method", "path", "call"), WRITES)
def test_writes_answered_429_may_have_been_applied(method, path, call) -> None:  # type: ignore[no-untyped-def]
    busy = httpx.Response(429, json={"message": "slow down"}, headers={"Retry-After": "7"})
    stub = Stub().on(method, path, busy)
    with pytest.raises(RateLimitError) as info:
        call(sync_gateway(stub))
    assert type(info.value) is RateLimitError and info.value.retry_after == 7.0
    assert stub.count(method, path) == 1 and len(stub.requests) == 1
    text = str(info.value)
    assert "nothing was created" not in text  # an edge may answer 429 after applying it
    assert "may have been" in text and "try again in 7 s" in text


def test_write_429_without_retry_after_says_when() -> None:
    stub = Stub().on("POST", "/orders", httpx.Response(429, json={"message": "slow"}))
    with pytest.raises(RateLimitError) as info:
        WRITES[0][2](sync_gateway(stub))
    assert info.value.retry_after is None and "after a short wait" in str(info.value)


def test_create_order_500_is_sent_exactly_once_and_says_reconcile() -> None:
    stub = Stub().on("POST", "/orders", httpx.Response(500, json={"message": "internal"}))
    with pytest.raises(InternalServerError) as info:
        WRITES[0][2](sync_gateway(stub))
    assert stub.count("POST", "/orders") == 1
    assert "list_orders" in str(info.value)


@pytest.mark.parametrize(("method", "path", "call"), WRITES)
def test_writes_never_resend_after_read_timeout(method, path, call) -> None:  # type: ignore[no-untyped-def]
    stub = Stub().on(method, path, httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError) as info:
        call(sync_gateway(stub))
    assert stub.count(method, path) == 1
    assert info.value.may_have_reached_server


@pytest.mark.parametrize(("method", "path", "call"), WRITES)
def test_writes_retry_when_never_sent(method, path, call) -> None:  # type: ignore[no-untyped-def]
    ok = httpx.Response(200, json={"status": "pending", "id": "t1", "order_id": "o1"})
    stub = Stub().on(method, path, httpx.ConnectError("refused"), ok)
    call(sync_gateway(stub))  # succeeds on the second send
    assert stub.count(method, path) == 2 and len(stub.requests) == 2
    assert stub.sleeps == [0.25]


def test_never_sent_failure_reports_it() -> None:
    stub = Stub().on("POST", "/orders", httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as info:
        WRITES[0][2](sync_gateway(stub))
    assert stub.count("POST", "/orders") == 3
    assert not info.value.may_have_reached_server
    assert "not sent" in str(info.value)


def test_rate_limit_honours_retry_after_and_exposes_it() -> None:
    limited = httpx.Response(429, headers={"retry-after": "3"}, json={"message": "slow down"})
    stub = Stub().on("GET", "/orders/o1", limited, httpx.Response(200, json=ORDER))
    sync_gateway(stub).get_order("o1")
    assert stub.sleeps == [3.0]

    stub = Stub().on("GET", "/orders/o1", httpx.Response(429, headers={"retry-after": "120"}))
    with pytest.raises(RateLimitError) as info:
        sync_gateway(stub).get_order("o1")
    assert info.value.retry_after == 120.0
    assert stub.count("GET", "/orders/o1") == 1 and stub.sleeps == []


async def test_async_matrix_matches_sync() -> None:
    stub = Stub().on(
        "GET",
        "/orders/o1",
        httpx.Response(503),
        httpx.ConnectError("x"),
        httpx.Response(200, json=ORDER),
    )
    gw = async_gateway(stub)
    await gw.get_order("o1")
    assert stub.count("GET", "/orders/o1") == 3 and stub.sleeps == [0.25, 0.5]

    stub = Stub().on("POST", "/orders", httpx.Response(500, json={"message": "x"}))
    gw = async_gateway(stub)
    with pytest.raises(InternalServerError):
        await gw.create_order(
            side="sell", type="market", qty="1", qty_unit="base", base_asset="B", reconcile=False
        )
    assert stub.count("POST", "/orders") == 1
    await gw.close()


def _rate_limited_then_ok(retry_after: str) -> tuple[list[httpx.Request], httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(
                429, headers={"Retry-After": retry_after}, json={"message": "slow"}
            )
        return httpx.Response(200, json={"qty": "1", "price": "2"})

    return seen, httpx.MockTransport(handler)


def test_a_retry_after_beyond_max_retry_wait_reaches_the_caller_at_once() -> None:
    from truemarkets_gateway import Gateway
    from truemarkets_gateway.errors import RateLimitError

    seen, transport = _rate_limited_then_ok("30")
    sleeps: list[float] = []
    gw = Gateway(
        base_url="https://x.test",
        http_client=httpx.Client(transport=transport),
        sleep=sleeps.append,
    )
    with pytest.raises(RateLimitError) as info:
        gw.quote(base_asset="BTC", quote_asset="USD", qty="1", qty_unit="quote", side="buy")
    assert info.value.retry_after == 30 and len(seen) == 1 and sleeps == []


def test_max_retry_wait_can_allow_a_longer_server_wait() -> None:
    from truemarkets_gateway import Gateway

    seen, transport = _rate_limited_then_ok("30")
    sleeps: list[float] = []
    gw = Gateway(
        base_url="https://x.test",
        http_client=httpx.Client(transport=transport),
        sleep=sleeps.append,
        max_retry_wait=60,
    )
    gw.quote(base_asset="BTC", quote_asset="USD", qty="1", qty_unit="quote", side="buy")
    assert len(seen) == 2 and sleeps == [30.0]


@pytest.mark.parametrize("bad", [-1, float("nan"), "5", True])
def test_max_retry_wait_is_checked(bad: object) -> None:
    from truemarkets_gateway import Gateway
    from truemarkets_gateway.errors import ValidationError

    with pytest.raises(ValidationError, match="max_retry_wait"):
        Gateway(base_url="https://x.test", max_retry_wait=bad)  # type: ignore[arg-type]


# --- how hard the SDK tried, in the error text ------------------------------------------------


def test_error_after_retries_says_how_many_attempts() -> None:
    stub = Stub().on("GET", "/orders/o1", httpx.Response(503))
    with pytest.raises(ServiceUnavailableError) as info:
        sync_gateway(stub).get_order("o1")
    assert stub.count("GET", "/orders/o1") == 3
    assert "after 3 attempts over " in str(info.value) and " s" in str(info.value)
    assert "after 3 attempts" in (info.value.hint or "")

    stub = Stub().on("GET", "/orders/o1", httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError) as timeout_info:
        sync_gateway(stub).get_order("o1")
    assert "after 3 attempts over " in str(timeout_info.value)
    assert "after 3 attempts over " in timeout_info.value.message


def test_error_without_retries_says_nothing_about_attempts() -> None:
    stub = Stub().on("GET", "/orders/o1", httpx.Response(503))
    with pytest.raises(ServiceUnavailableError) as info:
        sync_gateway(stub, max_retries=0).get_order("o1")
    assert "attempts" not in str(info.value)


def test_a_capped_server_wait_says_what_was_asked_and_the_cap() -> None:
    stub = Stub().on("GET", "/orders/o1", httpx.Response(429, headers={"retry-after": "120"}))
    with pytest.raises(RateLimitError) as info:
        sync_gateway(stub).get_order("o1")
    text = str(info.value)
    assert "the server asked to wait 120 s, over max_retry_wait=10 s" in text
    assert info.value.retry_after == 120.0 and "attempts" not in text


async def test_async_errors_say_attempts_and_capped_waits() -> None:
    stub = Stub().on("GET", "/orders/o1", httpx.Response(503))
    gw = async_gateway(stub)
    with pytest.raises(ServiceUnavailableError) as info:
        await gw.get_order("o1")
    assert "after 3 attempts over " in str(info.value)

    stub = Stub().on("GET", "/orders/o1", httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as conn_info:
        await async_gateway(stub).get_order("o1")
    assert "after 3 attempts over " in str(conn_info.value)

    stub = Stub().on("GET", "/orders/o1", httpx.Response(429, headers={"retry-after": "120"}))
    with pytest.raises(RateLimitError) as rate_info:
        await async_gateway(stub, max_retry_wait=5).get_order("o1")
    assert "the server asked to wait 120 s, over max_retry_wait=5 s" in str(rate_info.value)
    assert rate_info.value.retry_after == 120.0
