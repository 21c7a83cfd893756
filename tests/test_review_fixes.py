"""Review fixes in the core facade: error sources, scrubbed requests, HTML detection,
token access for the CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from _facade_stub import Stub, async_gateway, sync_gateway

from truemarkets_gateway import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    CredentialsError,
    Gateway,
    PermissionDeniedError,
    RateLimitError,
)
from truemarkets_gateway.errors import ErrorEnvelope, error_from_response

TOKEN = "secret-bearer-token-xyz"


def _walk(obj: Any, seen: set[int], depth: int = 0) -> list[str]:
    """Every string reachable through vars()/headers/containers of an object (bounded)."""
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
            out += _walk(k, seen, depth + 1) + _walk(v, seen, depth + 1)
        return out
    if isinstance(obj, list | tuple | set | frozenset):
        for v in obj:
            out += _walk(v, seen, depth + 1)
        return out
    if hasattr(obj, "__dict__"):
        out += _walk(vars(obj), seen, depth + 1)
    return out


# --- source= ---------------------------------------------------------------------------------


def test_source_defaults_to_gateway_and_can_be_auth() -> None:
    response = httpx.Response(429, json={"message": "slow"})
    assert error_from_response(response).source == "gateway"
    err = error_from_response(response, source="auth", retry_after=1.0)
    assert isinstance(err, RateLimitError) and err.source == "auth" and err.retry_after == 1.0
    assert APIConnectionError("x").source == "gateway"
    assert APIConnectionError("x", source="auth").source == "auth"
    assert APITimeoutError("x", source="auth").source == "auth"
    env = ErrorEnvelope(message="m")
    assert AuthenticationError(env, status_code=401, source="auth").source == "auth"


# --- finding 1: the bearer token never travels with an exception --------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 429, 500, 503])
def test_api_error_request_has_no_token(status: int) -> None:
    stub = Stub().json("POST", "/orders/o1/execute", {"message": "no"}, status=status)
    gw = sync_gateway(stub, access_token=TOKEN, max_retries=0)
    with pytest.raises(Exception) as info:
        gw.execute_order("o1", signatures=["stamp-secret-abc"])
    err = info.value
    assert stub.requests[0].headers["authorization"] == f"Bearer {TOKEN}"  # it was sent
    texts = _walk(err, set())
    assert texts, "the walk found nothing"
    assert not any(TOKEN in t for t in texts)
    assert not any("stamp-secret-abc" in t for t in texts)
    request = err.response.request  # type: ignore[attr-defined]
    assert "authorization" not in request.headers
    assert request.url == stub.requests[0].url and request.method == "POST"


def test_connection_error_request_has_no_token() -> None:
    stub = Stub().on("POST", "/orders", httpx.ReadError("reset"))
    gw = sync_gateway(stub, access_token=TOKEN, max_retries=0)
    with pytest.raises(APIConnectionError) as info:
        gw.create_order(side="buy", type="market", qty="1", qty_unit="quote",
                        base_asset="BTC", quote_asset="USD")  # fmt: skip
    assert info.value.request is not None
    assert "authorization" not in info.value.request.headers
    assert not any(TOKEN in t for t in _walk(info.value, set()))


def test_error_request_without_auth_keeps_other_headers() -> None:
    request = httpx.Request("GET", "http://x/y", headers={"TM-On-Behalf-Of": "u1", "A": "b"})
    request.headers["Authorization"] = f"Bearer {TOKEN}"
    err = error_from_response(httpx.Response(404, json={}, request=request))
    kept = err.response.request.headers  # type: ignore[union-attr]
    assert "authorization" not in kept and kept["tm-on-behalf-of"] == "u1"


# --- finding 3: HTML detection ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"\xef\xbb\xbf<!DOCTYPE html><html><title>Blocked</title></html>", None),
        (b"<!-- edge -->\n<html><head><title>Blocked</title></head></html>", None),
        (b"<div>Access denied by the <b>edge</b></div>", "text/html; charset=utf-8"),
        (b"  \n<p>x</p><body>denied</body>", None),
    ],
)
def test_html_403_variants_are_edge_blocks(content: bytes, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    stub = Stub().on("GET", "/orders/o1", httpx.Response(403, content=content, headers=headers))
    with pytest.raises(PermissionDeniedError) as info:
        sync_gateway(stub).get_order("o1")
    err = info.value
    assert err.is_edge_block
    assert "<" not in err.message and "<" not in str(err)


def test_json_403_quoting_a_tag_is_not_html() -> None:
    stub = Stub().json("GET", "/orders/o1", {"message": "bad <title> field"}, status=403)
    with pytest.raises(PermissionDeniedError) as info:
        sync_gateway(stub).get_order("o1")
    assert not info.value.is_edge_block


# --- access_token() / token_expires_at ------------------------------------------------------


def test_access_token_and_expiry_static() -> None:
    gw = sync_gateway(Stub(), access_token=TOKEN)
    assert gw.access_token() == TOKEN
    assert gw.token_expires_at is None or isinstance(gw.token_expires_at, datetime)
    assert TOKEN not in repr(gw)


def test_access_token_without_credentials() -> None:
    gw = Gateway(environ={})
    with pytest.raises(CredentialsError):
        gw.access_token()
    assert gw.token_expires_at is None


def test_token_expires_at_is_utc_datetime() -> None:
    gw = sync_gateway(Stub(), access_token=TOKEN)

    class _Fake:
        expires_at = 1_700_000_600.0

    gw._tokens = _Fake()  # type: ignore[assignment]
    assert gw.token_expires_at == datetime.fromtimestamp(1_700_000_600, tz=UTC)


async def test_async_access_token() -> None:
    gw = async_gateway(Stub(), access_token=TOKEN)
    assert await gw.access_token() == TOKEN
    assert gw.token_expires_at is None


# --- finding 2: token failures before the Gateway request -----------------------------------

from collections import deque  # noqa: E402

from conftest import FAKE_HOST, FakeClock, FakeTrueMarkets  # noqa: E402

from truemarkets_gateway import AsyncGateway, InternalServerError  # noqa: E402
from truemarkets_gateway.credentials import Credentials  # noqa: E402

_CREATED = {"order_id": "o1", "status": "pending"}
_STATUS = {"order_id": "o1", "status": "pending"}
_MINT = "/v1/auth/api-key/token"


class _Scripted:
    """Auth from a FakeTrueMarkets, with scripted mint failures first; gateway answers fixed."""

    def __init__(self, fake: FakeTrueMarkets, *mint_failures: int | Exception) -> None:
        self.fake = fake
        self.failures: deque[int | Exception] = deque(mint_failures)
        self.mint_attempts = 0
        self.gateway: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == _MINT:
            self.mint_attempts += 1
            if self.failures:
                failure = self.failures.popleft()
                if isinstance(failure, Exception):
                    raise failure
                return httpx.Response(failure, json={"message": "auth says no"})
            return self.fake.handle(request)
        self.gateway.append(request)
        if path.endswith("/orders"):
            return httpx.Response(201, json=_CREATED)
        return httpx.Response(200, json=_STATUS)

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self(request)


def _gw(script: _Scripted, credentials: Credentials, clock: FakeClock, **kw: Any) -> Gateway:
    sleeps: list[float] = []
    gw = Gateway(
        base_url=FAKE_HOST,
        credentials=credentials,
        http_client=httpx.Client(transport=httpx.MockTransport(script)),
        environ={},
        sleep=sleeps.append,
        rand=lambda: 0.5,
        clock=clock,
        **kw,
    )
    gw.test_sleeps = sleeps  # type: ignore[attr-defined]
    return gw


def _create(gw: Any) -> Any:
    return gw.create_order(side="buy", type="market", qty="10", qty_unit="quote",
                           base_asset="BTC", quote_asset="USD")  # fmt: skip


def test_mint_503_then_ok_before_create_order_sends_one_create(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    script = _Scripted(fake_tm, 503)
    gw = _gw(script, credentials, fake_clock)
    created = _create(gw)
    assert created.order_id == "o1"
    assert script.mint_attempts == 2
    assert len(script.gateway) == 1 and script.gateway[0].method == "POST"
    assert gw.test_sleeps == [0.25]  # type: ignore[attr-defined]


@pytest.mark.parametrize("failure", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")])
def test_mint_transport_failure_before_create_order_is_retried(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock, failure: Exception
) -> None:
    script = _Scripted(fake_tm, failure)
    assert _create(_gw(script, credentials, fake_clock)).order_id == "o1"
    assert script.mint_attempts == 2 and len(script.gateway) == 1


def test_mint_500_on_get_order_status_retries_then_surfaces(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    script = _Scripted(fake_tm, 500, 500, 500, 500)
    gw = _gw(script, credentials, fake_clock, max_retries=2)
    with pytest.raises(InternalServerError) as info:
        gw.get_order_status("o1")
    assert script.mint_attempts == 3 and script.gateway == []
    assert info.value.source == "auth"
    assert "no Gateway request was sent" in str(info.value)

    script = _Scripted(fake_tm, 500)
    assert str(_gw(script, credentials, fake_clock).get_order_status("o1")) == "pending"
    assert script.mint_attempts == 2 and len(script.gateway) == 1


def test_mint_401_surfaces_as_authentication_error_from_auth(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    script = _Scripted(fake_tm, 401, 401, 401, 401)
    gw = _gw(script, credentials, fake_clock)
    with pytest.raises(AuthenticationError) as info:
        _create(gw)
    err = info.value
    assert err.source == "auth" and script.gateway == []
    assert str(err).lower().count("no gateway request was sent") == 1  # said once, not twice
    assert "may have been created" not in str(err)
    assert gw.test_sleeps == []  # type: ignore[attr-defined]


def test_mint_connect_error_exhausted_says_not_sent(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    refused = httpx.ConnectError("refused")
    script = _Scripted(fake_tm, refused, refused, refused)
    with pytest.raises(APIConnectionError) as info:
        _create(_gw(script, credentials, fake_clock))
    assert script.mint_attempts == 3 and script.gateway == []
    assert info.value.source == "auth" and not info.value.may_have_reached_server
    assert str(info.value).lower().count("no gateway request was sent") == 1


async def test_async_mint_503_then_ok_before_create_order(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    script = _Scripted(fake_tm, 503)
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    gw = AsyncGateway(
        base_url=FAKE_HOST,
        credentials=credentials,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(script.handle_async)),
        environ={},
        sleep=sleep,
        rand=lambda: 0.5,
        clock=fake_clock,
    )
    assert (await _create(gw)).order_id == "o1"
    assert script.mint_attempts == 2 and len(script.gateway) == 1 and sleeps == [0.25]

    script.failures.extend([401])
    gw2 = AsyncGateway(
        base_url=FAKE_HOST,
        credentials=credentials,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(script.handle_async)),
        environ={},
        sleep=sleep,
        clock=fake_clock,
    )
    with pytest.raises(AuthenticationError) as info:
        await gw2.get_order_status("o1")
    assert info.value.source == "auth"


# --- finding 9: clock reaches the token manager; monotonic= is an option ---------------------


def test_clock_reaches_token_manager_and_monotonic_is_kept(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    script = _Scripted(fake_tm)
    gw = _gw(script, credentials, fake_clock, monotonic=lambda: 42.0)
    token = gw.access_token()
    assert token in fake_tm.access_tokens
    assert fake_tm.mints == 1  # no skew retry: the mint was signed with the injected clock
    expected = datetime.fromtimestamp(int(fake_clock()) + fake_tm.lifetime, tz=UTC)
    assert gw.token_expires_at == expected
    assert gw._monotonic() == 42.0


# --- finding 4: answers with NaN / Infinity / unreadable amounts ----------------------------

import logging  # noqa: E402
from decimal import Decimal  # noqa: E402

from truemarkets_gateway import (  # noqa: E402
    UnexpectedResponseError,
    ValidationError,
    _convert,
)
from truemarkets_gateway._money import parse_decimal, to_decimal  # noqa: E402


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "sNaN", "abc"])
def test_non_finite_answer_amount_is_none_kept_in_extra_and_warned(
    raw: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert parse_decimal(raw) is None
    with caplog.at_level(logging.WARNING, logger="truemarkets_gateway"):
        q = _convert.quote({"qty": raw, "price": "10"})
    assert q.qty is None and q.price == Decimal("10")
    assert q.extra["qty"] == raw
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "qty" in warnings[0].getMessage()


def test_non_finite_order_and_transfer_amounts() -> None:
    order = _convert.order({"order_id": "o1", "price": "NaN", "fee": "Infinity", "qty": "1"})
    assert order.price is None and order.fee is None and order.qty == Decimal(1)
    assert order.extra["price"] == "NaN" and order.extra["fee"] == "Infinity"
    transfer = _convert.transfer({"id": "t1", "qty": "NaN"})
    assert transfer.qty is None and transfer.extra["qty"] == "NaN"


def test_absent_amounts_are_none_without_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="truemarkets_gateway"):
        q = _convert.quote({"qty": None})
    assert q.qty is None and q.price is None and "qty" not in q.extra
    assert not caplog.records


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "lots"])
def test_unreadable_balance_fails_the_response(raw: str) -> None:
    row = {"symbol": "USDC", "total": raw, "available": "1", "held": "0"}
    stub = Stub().json("GET", "/balances", {"data": [row]})
    with pytest.raises(UnexpectedResponseError) as info:
        sync_gateway(stub).get_balances()
    assert "USDC" in str(info.value) and "total" in str(info.value)


def test_absent_balance_amount_still_reads_as_zero() -> None:
    stub = Stub().json("GET", "/balances", {"data": [{"symbol": "USDC", "available": "1"}]})
    usdc = sync_gateway(stub).get_balances()["USDC"]
    assert usdc.available == Decimal(1) and usdc.total == Decimal(0)


def test_unreadable_legacy_balance_fails() -> None:
    with pytest.raises(ValueError, match="unreadable balance"):
        _convert.balances({"balances": [{"asset_name": "BTC", "balance": "NaN"}]})


# --- finding 5: amount inputs ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["1_000", "١٢", "１", "1.2.3", "1e", "0x10", "1" * 41, "1e41", "1e-41", "0." + "0" * 40 + "1"],
)
def test_amount_inputs_refused(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        to_decimal(value, "qty")
    assert info.value.field == "qty"


@pytest.mark.parametrize(
    "value", [10**41, Decimal("1e41"), Decimal("1e-41"), Decimal("1." + "1" * 41)]
)
def test_amount_bounds_apply_to_int_and_decimal(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        to_decimal(value, "price")
    assert info.value.field == "price"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", "1"), (" 2.5 ", "2.5"), (".5", "0.5"), ("1E+3", "1E+3"), ("1e-8", "1E-8"),
     ("1" * 40, "1" * 40), ("1e40", "1E+40"), ("1e-40", "1E-40"), (7, "7")],
)  # fmt: skip
def test_amount_inputs_accepted(value: object, expected: str) -> None:
    assert to_decimal(value, "qty") == Decimal(expected)


def test_unicode_digits_send_nothing() -> None:
    stub = Stub()
    with pytest.raises(ValidationError):
        sync_gateway(stub).create_order(side="buy", type="market", qty="١٢", qty_unit="quote",
                                        base_asset="BTC", quote_asset="USD")  # fmt: skip
    assert stub.requests == []


# --- finding 7: execute_order(created) refuses to sign over quote issues ----------------------

from truemarkets_gateway import QuoteIssuesError  # noqa: E402
from truemarkets_gateway.models import (  # noqa: E402
    CreatedOrder,
    OrderStatus,
    QuoteDetails,
    UnsignedPayload,
)


class _CountingSigner:
    def __init__(self) -> None:
        self.calls = 0

    def sign_payloads(self, payloads: Any) -> list[str]:
        self.calls += 1
        return [f"stamp-{p.payload}" for p in payloads]


def _created_with_issues() -> CreatedOrder:
    return CreatedOrder(
        order_id="o9",
        status=OrderStatus.INITIALIZED,
        payloads=(UnsignedPayload("p1"),),
        quote=QuoteDetails(None, None, None, None, None, None, issues=("price moved 3%",)),
    )


def test_execute_order_refuses_quote_issues_unless_accepted() -> None:
    stub = Stub().json("POST", "/orders/o9/execute", {"status": "pending"})
    gw = sync_gateway(stub)
    signer = _CountingSigner()
    with pytest.raises(QuoteIssuesError) as info:
        gw.execute_order(_created_with_issues(), signer=signer)  # type: ignore[arg-type]
    assert info.value.issues == ("price moved 3%",) and info.value.order_id == "o9"
    assert "price moved 3%" in str(info.value) and "accept_issues=True" in str(info.value)
    assert signer.calls == 0 and stub.requests == []

    gw.execute_order(_created_with_issues(), signer=signer, accept_issues=True)  # type: ignore[arg-type]
    assert signer.calls == 1 and stub.body()["signatures"] == ["stamp-p1"]


async def test_async_execute_order_refuses_quote_issues_unless_accepted() -> None:
    stub = Stub().json("POST", "/orders/o9/execute", {"status": "pending"})
    gw = async_gateway(stub)
    signer = _CountingSigner()
    with pytest.raises(QuoteIssuesError):
        await gw.execute_order(_created_with_issues(), signer=signer)  # type: ignore[arg-type]
    assert signer.calls == 0 and stub.requests == []
    await gw.execute_order(_created_with_issues(), signer=signer, accept_issues=True)  # type: ignore[arg-type]
    assert signer.calls == 1 and len(stub.requests) == 1


# --- findings 10 and 11: PreparedCall repr, repeated violations ------------------------------


def test_prepared_call_repr_hides_the_body() -> None:
    gw = sync_gateway(Stub())
    call = gw._prep_execute_order("o1", ["stamp-secret-abc"], None)
    assert "stamp-secret-abc" not in repr(call) and "stamp-secret-abc" not in str(call)
    assert "executeOrder" in repr(call)
    assert call.json is not None  # the body is still there to send


def test_violation_repeating_the_message_is_not_repeated() -> None:
    body = {
        "message": "qty must be positive",
        "field_violations": [
            {"field": "qty", "message": "qty must be positive"},
            {"field": "price", "message": "price is required"},
        ],
    }
    err = error_from_response(httpx.Response(400, json=body))
    text = str(err)
    assert text.count("qty must be positive") == 1
    assert "price: price is required" in text
    assert len(err.field_violations) == 2  # the data keeps both
