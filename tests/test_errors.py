"""Error mapping: each status, each envelope the fact sheet records, through a real client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from _facade_stub import Stub, sync_gateway

from truemarkets_gateway import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    QuoteStaleError,
    RateLimitError,
    ServiceUnavailableError,
    TrueMarketsError,
    UnprocessableEntityError,
)
from truemarkets_gateway.errors import (
    ErrorEnvelope,
    FieldViolation,
    error_from_response,
    parse_error_body,
)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, ServiceUnavailableError),
        (520, InternalServerError),
        (418, APIError),
    ],
)
def test_status_maps_to_class(status: int, cls: type[APIError]) -> None:
    stub = Stub().on("POST", "/orders/o1/execute", httpx.Response(status, json={"message": "m"}))
    with pytest.raises(cls) as info:
        sync_gateway(stub).execute_order("o1", signatures=["s"])
    err = info.value
    assert type(err) is cls and isinstance(err, TrueMarketsError)
    assert err.status_code == status and err.message == "m"
    assert err.response is not None and err.response.status_code == status
    assert len(stub.requests) == 1


def test_rich_envelope() -> None:
    body = {
        "type": "invalid_argument",
        "code": "bad_qty",
        "message": "qty is invalid",
        "field_violations": [{"field": "qty", "message": "must be positive"}],
        "request_id": "req-1",
        "extra": True,
    }
    stub = Stub().json("GET", "/orders/o1", body, status=400)
    with pytest.raises(BadRequestError) as info:
        sync_gateway(stub).get_order("o1")
    err = info.value
    assert (err.type, err.code, err.request_id, err.reason) == (
        "invalid_argument",
        "bad_qty",
        "req-1",
        "bad_qty",
    )
    assert err.field_violations == (FieldViolation("qty", "must be positive"),)
    assert err.body == body
    assert "qty: must be positive" in str(err) and "request_id=req-1" in str(err)


@pytest.mark.parametrize("status", [409, 422])
def test_quote_stale(status: int) -> None:
    body = {"type": "failed_precondition", "code": "quote_stale", "message": "stale"}
    stub = Stub().json("POST", "/orders/o1/execute", body, status=status)
    with pytest.raises(QuoteStaleError) as info:
        sync_gateway(stub).execute_order("o1", signatures=["s"])
    assert info.value.status_code == status


def test_legacy_envelope_with_integer_code() -> None:
    body = {"error": "", "message": "internal server error", "code": 500}
    stub = Stub().json("GET", "/orders/o1", body, status=500)
    with pytest.raises(InternalServerError) as info:
        sync_gateway(stub, max_retries=0).get_order("o1")
    assert info.value.code == 500 and info.value.message == "internal server error"


def test_legacy_error_field_only() -> None:
    env = parse_error_body(b'{"error": "order not found"}')
    assert env.message == "order not found"


def test_plain_text_and_empty_bodies() -> None:
    stub = Stub().on("GET", "/orders/o1", httpx.Response(502, text="bad gateway"))
    with pytest.raises(InternalServerError) as info:
        sync_gateway(stub, max_retries=0).get_order("o1")
    assert info.value.message == "bad gateway" and info.value.body == "bad gateway"
    assert parse_error_body(b"").message == ""
    assert parse_error_body(b"[1, 2]").body == [1, 2]


def test_html_403_is_an_edge_block() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head></html>"
    )
    stub = Stub().on("GET", "/orders/o1", httpx.Response(403, content=page))
    with pytest.raises(PermissionDeniedError) as info:
        sync_gateway(stub).get_order("o1")
    err = info.value
    assert err.is_edge_block
    assert "Cloudflare" in err.message
    assert "User-Agent" in str(err) and "not an account permission" in str(err)


def test_json_403_is_a_permission() -> None:
    stub = Stub().json("GET", "/orders/o1", {"message": "forbidden"}, status=403)
    with pytest.raises(PermissionDeniedError) as info:
        sync_gateway(stub).get_order("o1")
    assert not info.value.is_edge_block


def test_non_standard_status_520_does_not_crash() -> None:
    stub = Stub().on("GET", "/orders/o1", httpx.Response(520, text="unknown"))
    with pytest.raises(InternalServerError) as info:
        sync_gateway(stub).get_order("o1")
    assert info.value.status_code == 520
    assert stub.count("GET", "/orders/o1") == 3  # retried like any 5xx on a read


def test_rate_limit_error_carries_retry_after() -> None:
    response = httpx.Response(
        429, json={"message": "slow"}, request=httpx.Request("GET", "http://x")
    )
    err = error_from_response(response, retry_after=2.5)
    assert isinstance(err, RateLimitError) and err.retry_after == 2.5


def test_repr_is_short_and_safe() -> None:
    response = httpx.Response(401, json={"message": "bad token", "type": "unauthenticated"})
    err = error_from_response(response)
    assert repr(err).startswith("AuthenticationError(status_code=401")
    assert "Bearer" not in repr(err)


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


def test_transport_errors_have_default_messages() -> None:
    assert str(APIConnectionError()) == "Connection error."
    assert str(APITimeoutError()) == "Request timed out."
    assert APITimeoutError().message == "Request timed out." and APITimeoutError().request is None
    assert str(APITimeoutError("slow")) == "slow"
    assert APIConnectionError().gateway_request_sent is None  # only token failures set it


def test_error_request_without_auth_keeps_other_headers() -> None:
    request = httpx.Request("GET", "http://x/y", headers={"TM-On-Behalf-Of": "u1", "A": "b"})
    request.headers["Authorization"] = "Bearer secret-bearer-token-xyz"
    err = error_from_response(httpx.Response(404, json={}, request=request))
    assert err.response is not None
    kept = err.response.request.headers
    assert "authorization" not in kept and kept["tm-on-behalf-of"] == "u1"


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


def test_rate_limit_retry_after_is_read_from_the_response_when_not_given() -> None:
    import httpx

    from truemarkets_gateway.errors import RateLimitError, error_from_response

    request = httpx.Request("POST", "https://api.test/v1/auth/api-key/token")
    response = httpx.Response(429, headers={"Retry-After": "7"}, json={}, request=request)
    error = error_from_response(response, source="auth")
    assert isinstance(error, RateLimitError) and error.retry_after == 7.0


# --- typed context --------------------------------------------------------------------------


def _mypy(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
        check=False,
    )


def test_error_context_type_checks_for_users(tmp_path: Path) -> None:
    result = _mypy(Path(__file__).parent / "_typing_errors.py")
    assert result.returncode == 0, result.stdout

    # The attributes are typed, not Any: misuse is caught.
    bad = tmp_path / "typing_misuse.py"
    bad.write_text(
        "from truemarkets_gateway.errors import APIError, OrderTimeoutError\n\n\n"
        "def misuse(e: APIError, t: OrderTimeoutError) -> None:\n"
        "    e.order_id.upper()\n"
        "    t.order.order_id\n"
        "    n: int = e.replaced_order_ids\n"
    )
    result = _mypy(bad)
    assert result.returncode == 1, result.stdout
    for line in (5, 6, 7):
        assert f"typing_misuse.py:{line}: error" in result.stdout


def test_context_is_given_when_the_error_is_made() -> None:
    from truemarkets_gateway.errors import OrderTimeoutError, QuoteIssuesError

    error = QuoteIssuesError("issues", issues=["x"], order_id="o1", replaced_order_ids=("o0",))
    assert (error.order_id, error.replaced_order_ids, error.issues) == ("o1", ("o0",), ("x",))
    timeout = OrderTimeoutError("late", last_status="pending", order_id="o2")
    assert timeout.resource_id == "o2" and timeout.order is None and timeout.cause is None


def test_with_context_makes_a_new_error_of_the_same_class() -> None:
    original = RateLimitError(ErrorEnvelope("slow down"), status_code=429, retry_after=2.0)
    original.add_note("first")
    named = original._with_context("second", order_id="o1", replaced_order_ids=("o0",))
    assert type(named) is RateLimitError and named is not original
    assert (named.order_id, named.replaced_order_ids, named.retry_after) == ("o1", ("o0",), 2.0)
    assert named.__notes__ == ["first", "second"] and original.__notes__ == ["first"]
    assert str(named) == str(original) and original.order_id is None


def test_one_except_clause_catches_insufficient_funds_on_either_venue() -> None:
    from _facade_stub import ORDER

    from truemarkets_gateway import (
        InsufficientBalanceError,
        InsufficientFundsError,
        OrderFailedError,
        OrderNotCreatedError,
        OrderUnfundedError,
    )

    buy = {"side": "buy", "type": "market", "qty": "10", "qty_unit": "quote"}
    stub = Stub()
    unfunded = {"order_id": "", "quote": {"issues": ["Insufficient balance"]}}
    stub.json("POST", "/orders", unfunded, status=201)
    gw = sync_gateway(stub)
    with pytest.raises(InsufficientFundsError) as defi:
        gw.place_order(**buy, base_asset="SOL", chain="solana")
    assert isinstance(defi.value, InsufficientBalanceError | OrderNotCreatedError)

    stub.routes.clear()
    failed = {**ORDER, "status": "failed", "failure_reason": "insufficient balance"}
    stub.json("POST", "/orders", {"order_id": ORDER["order_id"], "status": "pending"}, 201)
    stub.json("GET", f"/orders/{ORDER['order_id']}/status", {"status": "failed"})
    stub.json("GET", f"/orders/{ORDER['order_id']}", failed)
    with pytest.raises(InsufficientFundsError) as cefi:
        gw.place_order(**buy, base_asset="BTC", quote_asset="USD")
    assert isinstance(cefi.value, OrderUnfundedError) and isinstance(cefi.value, OrderFailedError)
    assert cefi.value.order_id == ORDER["order_id"]

    stub.routes[("GET", f"/v1/gateway/orders/{ORDER['order_id']}")].clear()
    stub.json("GET", f"/orders/{ORDER['order_id']}", {**failed, "failure_reason": "venue halted"})
    with pytest.raises(OrderFailedError) as other:
        gw.place_order(**buy, base_asset="BTC", quote_asset="USD")
    assert not isinstance(other.value, InsufficientFundsError)
