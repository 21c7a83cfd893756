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
