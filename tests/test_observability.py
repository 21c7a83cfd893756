"""TM_LOG, request ids in the log, and `with_raw_response` (sync and async)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from truemarkets_gateway import AsyncGateway, Gateway, OrderStatus
from truemarkets_gateway._raw import RawResponse
from truemarkets_gateway._transport import options

HOST = "https://gw.test"
LOGGER = logging.getLogger("truemarkets_gateway")


def handler(request: httpx.Request) -> httpx.Response:
    if "/missing/" in request.url.path:
        body = {"type": "not_found", "message": "no such order", "request_id": "req_9"}
        return httpx.Response(404, json=body, headers={"x-request-id": "req_9"})
    if "/busy/" in request.url.path:
        return httpx.Response(503, headers={"x-request-id": "req_5", "retry-after": "0"})
    return httpx.Response(200, json={"status": "active"}, headers={"x-request-id": "req_1"})


def gateway(**kw: Any) -> Gateway:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return Gateway(base_url=HOST, access_token="tok", http_client=http, environ={}, **kw)


@pytest.fixture
def fresh_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(options, "_logging_on", False)
    handlers, level = list(LOGGER.handlers), LOGGER.level
    yield
    LOGGER.handlers[:] = handlers
    LOGGER.setLevel(level)


@pytest.mark.usefixtures("fresh_logging")
def test_tm_log_turns_on_the_sdk_log_once_at_the_first_client() -> None:
    before = len(LOGGER.handlers)
    Gateway(base_url=HOST, environ={"TM_LOG": "debug"})
    Gateway(base_url=HOST, environ={"TM_LOG": "debug"})
    assert len(LOGGER.handlers) == before + 1 and LOGGER.level == logging.DEBUG


@pytest.mark.usefixtures("fresh_logging")
@pytest.mark.parametrize("value", ["", "verbose", "warning"])
def test_without_tm_log_nothing_is_set_up(value: str) -> None:
    before = len(LOGGER.handlers)
    Gateway(base_url=HOST, environ={"TM_LOG": value})
    assert len(LOGGER.handlers) == before


@pytest.mark.usefixtures("fresh_logging")
def test_tm_log_info_shows_retries_not_each_request(capsys: pytest.CaptureFixture[str]) -> None:
    Gateway(base_url=HOST, environ={"TM_LOG": "info"})
    gw = gateway(sleep=lambda s: None)
    gw.get_order_status("o1")
    with pytest.raises(Exception, match="503"):
        gw.get_order_status("busy", max_retries=1)
    err = capsys.readouterr().err
    assert "retrying GET /orders/busy/status (request_id=req_5)" in err
    assert "req_1" not in err  # successful requests log at DEBUG only


def test_every_request_log_line_carries_the_request_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="truemarkets_gateway")
    gw = gateway(sleep=lambda s: None)
    gw.get_order_status("o1")
    with pytest.raises(Exception, match="503"):
        gw.get_order_status("busy", max_retries=1)
    lines = [r.getMessage() for r in caplog.records if "/orders/" in r.getMessage()]
    assert lines and all("request_id=req_" in line for line in lines), lines
    assert any("retrying" in line for line in lines)


def test_with_raw_response_returns_the_result_with_status_headers_and_request_id() -> None:
    raw = gateway().with_raw_response.get_order_status("o1")
    assert isinstance(raw, RawResponse)
    assert raw.parsed == raw.parse() == OrderStatus.ACTIVE
    assert raw.status_code == 200 and raw.headers["x-request-id"] == raw.request_id == "req_1"
    assert "req_1" in repr(raw)


def test_errors_through_with_raw_response_still_raise_with_their_request_id() -> None:
    from truemarkets_gateway import NotFoundError

    with pytest.raises(NotFoundError) as caught:
        gateway().with_raw_response.get_order_status("missing")
    assert caught.value.request_id == "req_9"


def test_with_raw_response_leaves_the_client_and_has_no_workflows() -> None:
    gw = gateway()
    view = gw.with_raw_response
    assert gw.get_order_status("o1") == OrderStatus.ACTIVE  # the client itself is unchanged
    for name in ("place_order", "transfer", "list_orders", "wait_for_order", "execute_order"):
        with pytest.raises(AttributeError, match="single-request"):
            getattr(view, name)
    assert "get_order" in dir(view) and "place_order" not in dir(view)
    gw.close()
    with pytest.raises(Exception, match="closed"):
        view.get_order_status("o1")


def test_with_raw_response_on_the_async_client() -> None:
    async def main() -> RawResponse[Any]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with AsyncGateway(base_url=HOST, access_token="tok", http_client=http) as gw:
            result: RawResponse[Any] = await gw.with_raw_response.get_order_status("o1")
            return result

    raw = asyncio.run(main())
    assert raw.parsed == OrderStatus.ACTIVE and raw.request_id == "req_1"


def test_the_sandbox_sends_a_request_id() -> None:
    from truemarkets_gateway.sandbox import Sandbox

    with Sandbox() as sb, Gateway(base_url=sb.base_url, environ={}) as gw:
        raw = gw.with_raw_response.list_assets_page(limit=1)
        assert raw.status_code == 200 and (raw.request_id or "").startswith("req_")
        assert len(raw.parsed.items) == 1


def test_with_raw_response_has_no_creates_and_returns_modify_and_cancel_answers() -> None:
    # Creates run the reconcile flow, so they are not single requests: refused before sending.
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={}, headers={"x-request-id": "req_7"})

    http = httpx.Client(transport=httpx.MockTransport(record))
    view = Gateway(base_url=HOST, access_token="tok", http_client=http, environ={})
    raw_view = view.with_raw_response
    for name in ("create_order", "create_transfer"):
        with pytest.raises(AttributeError, match="single-request"):
            getattr(raw_view, name)
    assert sent == []
    modified = raw_view.modify_order("o1", price="10")
    cancelled = raw_view.cancel_order_deprecated("o1")
    assert isinstance(modified, RawResponse) and modified.parsed is None
    assert isinstance(cancelled, RawResponse) and cancelled.request_id == "req_7"
