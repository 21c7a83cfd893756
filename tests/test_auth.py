"""Token lifecycle: mint, expiry formats, proactive refresh, rotation, re-mint, 401 replay,
single flight across threads and tasks, clock skew, static tokens, on-behalf-of, secrecy."""

from __future__ import annotations

import asyncio
import base64
import inspect
import logging
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import FAKE_HOST, FakeClock, FakeTrueMarkets, make_jwt
from cryptography.hazmat.primitives.asymmetric import ec

from truemarkets_gateway._transport.auth import (
    NO_GATEWAY_REQUEST,
    REPLAY,
    TOKEN_FAILED,
    GatewayAuth,
    TokenManager,
)
from truemarkets_gateway._transport.expiry import token_expiry
from truemarkets_gateway._transport.token_cache import TokenCache
from truemarkets_gateway.credentials import Credentials
from truemarkets_gateway.environments import Environment
from truemarkets_gateway.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CredentialsError,
    InternalServerError,
    ServiceUnavailableError,
    TrueMarketsError,
    UnexpectedResponseError,
    ValidationError,
)

ENV = Environment.custom(FAKE_HOST)


@pytest.fixture
def manager(credentials: Credentials, fake_clock: FakeClock) -> TokenManager:
    return TokenManager(ENV, credentials=credentials, clock=fake_clock)


@pytest.fixture
def client(fake_tm: FakeTrueMarkets) -> Iterator[httpx.Client]:
    with fake_tm.client() as http:
        yield http


def gateway_get(
    http: httpx.Client, auth: httpx.Auth | None, path: str = "orders", replay: bool = True
) -> httpx.Response:
    """A GET as the send loop makes it: marked safe to replay after a 401 (idempotent)."""
    request = http.build_request("GET", f"{ENV.gateway_url}/{path}")
    request.extensions[REPLAY] = replay
    return http.send(request, auth=auth)


# --- mint and expiry -------------------------------------------------------------------------


def test_constructor_does_no_io(
    credentials: Credentials,
    fake_tm: FakeTrueMarkets,
    fake_clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = tmp_path / "token.json"
    with fake_tm.client() as http:  # a valid cache file, which a constructor could read
        writer = TokenManager(ENV, credentials=credentials, clock=fake_clock, token_cache=cache)
        cached = writer.get_token_sync(http)
    assert cache.is_file() and fake_tm.mints == 1
    touched: list[str] = []

    def refuse(name: str) -> Callable[..., Any]:
        def fail(*args: Any, **kwargs: Any) -> Any:
            touched.append(name)
            raise AssertionError(f"the constructor did I/O: {name}")

        return fail

    with fake_tm.client() as http:
        with monkeypatch.context() as patch:
            for name in ("load", "save", "clear"):
                patch.setattr(TokenCache, name, refuse(f"TokenCache.{name}"))
            for name in ("open", "stat", "read_text", "read_bytes", "exists"):
                patch.setattr(Path, name, refuse(f"Path.{name}"))
            manager = TokenManager(
                ENV, credentials=credentials, clock=fake_clock, token_cache=cache
            )
            GatewayAuth(manager, http=http, on_behalf_of="user-1")
            GatewayAuth(manager, on_behalf_of="user-1")
        assert touched == [] and manager.mint_count == 0
        # The cache was there to be read: the first use reads it.
        assert manager.get_token_sync(http) == cached
        assert fake_tm.mints == 1 and manager.mint_count == 0


def test_constructor_no_io_test_can_fail(
    credentials: Credentials, fake_clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The guard above does catch a read: a constructor that loaded the cache would fail it.
    monkeypatch.setattr(TokenCache, "load", lambda *a, **k: pytest.fail("read"))
    manager = TokenManager(ENV, credentials=credentials, clock=fake_clock, token_cache=tmp_path)
    with pytest.raises(pytest.fail.Exception):
        manager._load_cache()


def test_mints_on_first_need_with_a_valid_challenge(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    token = manager.get_token_sync(client)
    assert fake_tm.mints == 1 and manager.mint_count == 1
    body = fake_tm.mint_bodies[0]
    assert body["key_id"] == fake_tm.key_id
    assert body["timestamp"] == int(fake_clock())
    assert len(body["signature"]) == 86 and "=" not in body["signature"]
    request = fake_tm.auth_requests[0]
    assert str(request.url) == f"{FAKE_HOST}/v1/auth/api-key/token"
    assert "authorization" not in request.headers
    assert token in fake_tm.access_tokens
    # A second call reuses it.
    assert manager.get_token_sync(client) == token
    assert fake_tm.mints == 1


@pytest.mark.parametrize("expiry_format", ["rfc3339", "seconds", "string-seconds", "none"])
def test_each_expiry_format_gives_the_same_expiry(
    manager: TokenManager,
    client: httpx.Client,
    fake_tm: FakeTrueMarkets,
    fake_clock: FakeClock,
    expiry_format: str,
) -> None:
    fake_tm.expiry_format = expiry_format
    manager.get_token_sync(client)
    assert manager.expires_at == pytest.approx(fake_clock() + 3600, abs=1)


NOW = 1_767_225_600.0
JWT_EXP = make_jwt({"exp": NOW + 900})
OPAQUE = "opaque-token"


@pytest.mark.parametrize(
    ("expires_in", "token", "expected"),
    [
        # RFC 3339, as the service sends it (despite the name)
        (datetime.fromtimestamp(NOW + 3600, UTC), OPAQUE, NOW + 3600),
        ("2026-01-01T01:00:00Z", OPAQUE, NOW + 3600),
        ("2026-01-01T02:00:00+01:00", OPAQUE, NOW + 3600),
        ("2026-01-01T01:00:00.123456789Z", OPAQUE, NOW + 3600.123456),
        (datetime(2026, 1, 1, 1, 0, 0), OPAQUE, NOW + 3600),  # naive means UTC
        (datetime(2026, 1, 1, 2, 0, 0, tzinfo=timezone(timedelta(hours=1))), OPAQUE, NOW + 3600),
        # integer seconds, then numeric strings; an epoch-sized number is absolute
        (3600, OPAQUE, NOW + 3600),
        ("3600", OPAQUE, NOW + 3600),
        (int(NOW + 1800), OPAQUE, NOW + 1800),
        # else the JWT exp claim, read without verification
        (None, JWT_EXP, NOW + 900),
        ("soon", JWT_EXP, NOW + 900),
        (True, JWT_EXP, NOW + 900),
        (-5, JWT_EXP, NOW + 900),
        # nothing usable at all
        (None, OPAQUE, None),
        ("garbage", "a.b.c", None),
        # absurd values are capped: at the JWT exp when there is one, else at 24 h
        (1e20, JWT_EXP, NOW + 900),
        (1e20, OPAQUE, NOW + 86400),
        pytest.param(10**400, JWT_EXP, NOW + 900, id="int-too-big-for-a-float"),
        pytest.param(10**5000, JWT_EXP, NOW + 900, id="int-too-long-for-a-str"),
        ("1e400", JWT_EXP, NOW + 900),
        ("20300101", JWT_EXP, NOW + 900),  # not a date: a number of seconds, capped
        ("20300101", OPAQUE, NOW + 86400),
        ("9999-12-31T23:59:59Z", JWT_EXP, NOW + 900),
        ("9999-12-31T23:59:59Z", OPAQUE, NOW + 86400),
        (int(NOW + 3600), JWT_EXP, NOW + 900),  # never after the token's own exp
        (10 * 86400, OPAQUE, NOW + 86400),
        pytest.param(None, make_jwt({"exp": 10**400}), None, id="exp-too-big-for-a-float"),
    ],
)
def test_expiry_parsing(expires_in: Any, token: str, expected: float | None) -> None:
    found = token_expiry(expires_in, token, NOW)
    if expected is None:
        assert found is None
    else:
        assert found == pytest.approx(expected, abs=0.001)


def test_unknown_expiry_relies_on_the_401_path(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    fake_tm.expiry_format = "none"
    original = fake_tm._issue

    def opaque_issue() -> httpx.Response:
        response = original()
        body = response.json()
        token = "opaque-" + body["access_token"][-10:]
        fake_tm.access_tokens[token] = fake_tm.access_tokens.pop(body["access_token"])
        body["access_token"] = token
        return fake_tm._json(200, body)

    fake_tm._issue = opaque_issue  # type: ignore[method-assign]
    auth = GatewayAuth(manager, http=client)
    assert gateway_get(client, auth).status_code == 200
    assert manager.expires_at is None
    fake_clock.advance(3601)  # the server's token expired; we could not know
    assert gateway_get(client, auth).status_code == 200
    assert fake_tm.refreshes == 1 and len(fake_tm.gateway_requests) == 3


def test_200_without_access_token_is_an_error(manager: TokenManager, fake_clock: FakeClock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"refresh_token": "r-secret", "expires_in": 60})

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(UnexpectedResponseError, match="without an access token") as info:
            manager.get_token_sync(http)
    assert "r-secret" not in str(info.value)


# --- refresh -----------------------------------------------------------------------------------


def test_proactive_refresh_inside_the_margin(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    first = manager.get_token_sync(client)
    fake_clock.advance(3600 - 61)
    assert manager.get_token_sync(client) == first
    assert fake_tm.refreshes == 0
    fake_clock.advance(2)  # 59 s left: inside the 60 s margin
    second = manager.get_token_sync(client)
    assert second != first
    assert fake_tm.refreshes == 1 and manager.refresh_count == 1 and fake_tm.mints == 1
    assert fake_tm.refresh_bodies[0]["refresh_token"] == fake_tm.issued_refresh_tokens[0]


def test_refresh_margin_is_configurable(
    credentials: Credentials, client: httpx.Client, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    manager = TokenManager(ENV, credentials=credentials, clock=fake_clock, refresh_margin=600)
    manager.get_token_sync(client)
    fake_clock.advance(3600 - 601)
    manager.get_token_sync(client)
    assert fake_tm.refreshes == 0
    fake_clock.advance(2)
    manager.get_token_sync(client)
    assert fake_tm.refreshes == 1


def test_margin_never_exceeds_half_a_short_lifetime(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    fake_tm.lifetime = 30  # shorter than the 60 s margin: do not refresh on every call
    manager.get_token_sync(client)
    fake_clock.advance(10)
    manager.get_token_sync(client)
    assert fake_tm.refreshes == 0
    fake_clock.advance(6)  # 14 s left < 15 s (half the lifetime)
    manager.get_token_sync(client)
    assert fake_tm.refreshes == 1


def test_short_lived_tokens_are_renewed_ahead_without_blaming_the_clock(
    manager: TokenManager,
    client: httpx.Client,
    fake_tm: FakeTrueMarkets,
    fake_clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_tm.lifetime = 4  # shorter than the 60 s margin and the 5 s in-flight floor
    caplog.set_level(logging.DEBUG, logger="truemarkets_gateway")
    first = manager.get_token_sync(client)
    assert manager.expires_at == fake_clock() + 4
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "short-lived" in caplog.text and "clock" not in caplog.text
    fake_clock.advance(1.5)  # 2.5 s left: more than half its life, keep it
    assert manager.get_token_sync(client) == first and fake_tm.refreshes == 0
    fake_clock.advance(1)  # 1.5 s left: renewed ahead of expiry, not after a 401
    second = manager.get_token_sync(client)
    assert second != first and fake_tm.refreshes == 1
    assert manager.expires_at == int(fake_clock()) + 4  # the fake server's whole seconds
    fake_clock.advance(1.5)  # 2 s left of the new one (3.5 s by our clock): still fresh
    assert manager.get_token_sync(client) == second and fake_tm.refreshes == 1


def test_short_lived_tokens_last_safe_moment_shrinks_with_the_lifetime(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    # A 4 s token is renewed ahead at half its life; a failed renewal then keeps the
    # still-valid token. Only when a third is left (4/3 s) must callers wait for a new one.
    fake_tm.lifetime = 4
    first = manager.get_token_sync(client)
    fake_tm.refresh_status = 500
    fake_clock.advance(2.5)  # 1.5 s left
    assert manager.get_token_sync(client) == first and fake_tm.refreshes == 1
    fake_clock.advance(0.3)  # 1.2 s left: it could die in flight
    with pytest.raises(InternalServerError):
        manager.get_token_sync(client)
    assert fake_tm.refreshes == 2


@pytest.mark.parametrize("lifetime", [1, 0, -30])
def test_an_expiry_at_or_past_now_still_blames_the_clock(
    manager: TokenManager,
    client: httpx.Client,
    fake_tm: FakeTrueMarkets,
    caplog: pytest.LogCaptureFixture,
    lifetime: int,
) -> None:
    fake_tm.lifetime = lifetime
    caplog.set_level(logging.WARNING, logger="truemarkets_gateway")
    manager.get_token_sync(client)
    assert manager.expires_at is None
    assert "check the system clock" in caplog.text


def test_rotated_refresh_tokens_are_used_next(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    manager.get_token_sync(client)
    for _ in range(4):
        fake_clock.advance(3600 - 30)
        manager.get_token_sync(client)
    # The server's refresh tokens are single-use: any reuse would have forced a mint.
    assert fake_tm.mints == 1 and fake_tm.refreshes == 4
    sent = [body["refresh_token"] for body in fake_tm.refresh_bodies]
    assert sent == fake_tm.issued_refresh_tokens[:4]
    assert len(set(sent)) == 4


@pytest.mark.parametrize("status", [400, 401])
def test_refresh_refused_then_mint_again(
    manager: TokenManager,
    client: httpx.Client,
    fake_tm: FakeTrueMarkets,
    fake_clock: FakeClock,
    status: int,
) -> None:
    manager.get_token_sync(client)
    fake_tm.refresh_status = status
    fake_clock.advance(3600 - 10)
    token = manager.get_token_sync(client)
    assert fake_tm.refreshes == 1 and fake_tm.mints == 2
    assert token in fake_tm.access_tokens


def test_no_refresh_token_means_mint(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    fake_tm.issue_refresh_tokens = False
    manager.get_token_sync(client)
    fake_clock.advance(3600 - 10)
    manager.get_token_sync(client)
    assert fake_tm.refreshes == 0 and fake_tm.mints == 2


def test_refresh_server_error_on_an_expired_token_raises(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    manager.get_token_sync(client)
    fake_tm.refresh_status = 500
    fake_clock.advance(3600)
    with pytest.raises(InternalServerError):
        manager.get_token_sync(client)
    assert fake_tm.mints == 1


def test_failed_proactive_refresh_keeps_the_valid_token(
    manager: TokenManager,
    client: httpx.Client,
    fake_tm: FakeTrueMarkets,
    fake_clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = manager.get_token_sync(client)
    fake_tm.refresh_status = 503
    fake_clock.advance(3600 - 40)
    with caplog.at_level(logging.WARNING, logger="truemarkets_gateway"):
        assert manager.get_token_sync(client) == first
    assert "ahead of expiry" in caplog.text
    # It does not hammer the auth service on every call...
    assert manager.get_token_sync(client) == first
    assert fake_tm.refreshes == 1
    # ...and tries again a little later.
    fake_tm.refresh_status = None
    fake_clock.advance(6)
    assert manager.get_token_sync(client) != first
    assert fake_tm.refreshes == 2


# --- 401 from the gateway ------------------------------------------------------------------------


def test_gateway_401_refreshes_once_and_replays(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    auth = GatewayAuth(manager, http=client)
    assert gateway_get(client, auth).status_code == 200
    fake_tm.revoke_access_tokens()  # e.g. the server logged the session out
    response = gateway_get(client, auth)
    assert response.status_code == 200
    assert fake_tm.refreshes == 1 and fake_tm.mints == 1
    first, rejected, replay = fake_tm.gateway_requests
    assert rejected.headers["authorization"] == first.headers["authorization"]
    assert replay.headers["authorization"] != rejected.headers["authorization"]


def test_post_body_is_replayed_after_a_401_when_marked_safe(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    auth = GatewayAuth(manager, http=client)
    manager.get_token_sync(client)
    fake_tm.revoke_access_tokens()
    request = client.build_request("POST", f"{ENV.gateway_url}/orders", json={"qty": "1.5"})
    request.extensions[REPLAY] = True
    assert client.send(request, auth=auth).status_code == 200
    assert [r.content for r in fake_tm.gateway_requests] == [b'{"qty":"1.5"}'] * 2


@pytest.mark.parametrize("mark", [{}, {REPLAY: False}])
def test_a_401_on_an_unmarked_create_is_returned_never_replayed(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets, mark: dict[str, Any]
) -> None:
    # The server may have applied the order before answering 401: a replay could double it.
    auth = GatewayAuth(manager, http=client)
    old = manager.get_token_sync(client)
    fake_tm.revoke_access_tokens()
    request = client.build_request("POST", f"{ENV.gateway_url}/orders", json={"qty": "1.5"})
    request.extensions.update(mark)
    assert client.send(request, auth=auth).status_code == 401
    assert len(fake_tm.gateway_requests) == 1 and fake_tm.refreshes == 1
    # Renewed all the same: the next call uses the new token without another renewal.
    assert gateway_get(client, auth).status_code == 200
    assert fake_tm.gateway_requests[1].headers["authorization"] != f"Bearer {old}"
    assert fake_tm.refreshes == 1 and len(fake_tm.gateway_requests) == 2


@pytest.mark.parametrize("driver", ["sync", "async"])
def test_a_failed_renewal_after_an_unmarked_401_returns_the_401(
    manager: TokenManager,
    fake_tm: FakeTrueMarkets,
    caplog: pytest.LogCaptureFixture,
    driver: str,
) -> None:
    fake_tm.gateway_always_401 = True
    fake_tm.refresh_status = 503
    url = f"{ENV.gateway_url}/orders"
    with caplog.at_level(logging.WARNING, logger="truemarkets_gateway"):
        if driver == "sync":
            with fake_tm.client() as http:
                request = http.build_request("POST", url, json={"qty": "1"})
                status = http.send(request, auth=GatewayAuth(manager, http=http)).status_code
        else:

            async def send() -> int:
                async with fake_tm.async_client() as http:
                    request = http.build_request("POST", url, json={"qty": "1"})
                    auth = GatewayAuth(manager, http=http)
                    return (await http.send(request, auth=auth)).status_code

            status = asyncio.run(send())
    assert status == 401 and len(fake_tm.gateway_requests) == 1 and fake_tm.refreshes == 1
    assert "could not renew the rejected access token" in caplog.text


def test_gateway_401_never_loops(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    fake_tm.gateway_always_401 = True
    response = gateway_get(client, GatewayAuth(manager, http=client))
    assert response.status_code == 401
    assert len(fake_tm.gateway_requests) == 2
    assert fake_tm.mints == 1 and fake_tm.refreshes == 1


def test_a_stale_401_does_not_renew_a_token_already_replaced(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    old = manager.get_token_sync(client)
    new = manager.get_token_sync(client, rejected=old)
    assert new != old and fake_tm.refreshes == 1
    # Another thread reports the old token as rejected: the new one is reused.
    assert manager.get_token_sync(client, rejected=old) == new
    assert fake_tm.refreshes == 1


def test_401_with_a_dead_refresh_token_mints(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    auth = GatewayAuth(manager, http=client)
    gateway_get(client, auth)
    fake_tm.revoke_access_tokens()
    fake_tm.refresh_tokens.clear()
    assert gateway_get(client, auth).status_code == 200
    assert fake_tm.refreshes == 1 and fake_tm.mints == 2


def test_revoked_key_surfaces_as_authentication_error(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    auth = GatewayAuth(manager, http=client)
    gateway_get(client, auth)
    fake_tm.revoke_access_tokens()
    fake_tm.refresh_tokens.clear()
    fake_tm.mint_status = 401
    with pytest.raises(AuthenticationError, match="API key was refused") as info:
        gateway_get(client, auth)
    assert info.value.status_code == 401
    # The dead token is forgotten: the next call mints instead of replaying it.
    fake_tm.mint_status = None
    assert gateway_get(client, auth).status_code == 200


def test_mint_bad_request_is_mapped(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    fake_tm.mint_status = 400
    with pytest.raises(BadRequestError):
        manager.get_token_sync(client)


def test_transport_failure_on_mint(manager: TokenManager) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(APIConnectionError, match="could not reach the Auth Service") as info:
            manager.get_token_sync(http)
    assert info.value.may_have_reached_server is False
    assert info.value.request is not None and info.value.request.content == b""


# --- token failures say so ----------------------------------------------------------------


def _assert_token_failure(exc: BaseException, what: str) -> None:
    assert getattr(exc, "source", None) == "auth"
    assert TOKEN_FAILED in str(exc) and what in str(exc)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (500, InternalServerError),
        (503, ServiceUnavailableError),
    ],
)
def test_mint_http_errors_carry_source_auth(
    manager: TokenManager,
    client: httpx.Client,
    fake_tm: FakeTrueMarkets,
    status: int,
    cls: type[APIError],
) -> None:
    fake_tm.mint_status = status
    with pytest.raises(cls) as info:
        manager.get_token_sync(client)
    _assert_token_failure(info.value, "token mint")
    assert info.value.status_code == status
    assert NO_GATEWAY_REQUEST not in str(info.value)  # no Gateway request was in question


@pytest.mark.parametrize("status", [500, 502, 503])
def test_refresh_5xx_on_an_expired_token_says_it_was_the_refresh(
    manager: TokenManager,
    client: httpx.Client,
    fake_tm: FakeTrueMarkets,
    fake_clock: FakeClock,
    status: int,
) -> None:
    manager.get_token_sync(client)
    fake_tm.refresh_status = status
    fake_clock.advance(3600)
    with pytest.raises(InternalServerError) as info:
        manager.get_token_sync(client)
    _assert_token_failure(info.value, "token refresh")
    assert fake_tm.mints == 1 and fake_tm.refreshes == 1


@pytest.mark.parametrize(
    ("failure", "cls", "where"),
    [
        (httpx.ConnectError, APIConnectionError, "could not reach the Auth Service"),
        (httpx.ReadError, APIConnectionError, "could not reach the Auth Service"),
        (httpx.ConnectTimeout, APITimeoutError, "the Auth Service timed out"),
        (httpx.ReadTimeout, APITimeoutError, "the Auth Service timed out"),
    ],
)
@pytest.mark.parametrize("what", ["token mint", "token refresh"])
def test_transport_failures_carry_source_auth(
    manager: TokenManager,
    fake_tm: FakeTrueMarkets,
    fake_clock: FakeClock,
    failure: type[httpx.TransportError],
    cls: type[APIConnectionError],
    where: str,
    what: str,
) -> None:
    failing = "/v1/auth/api-key/token" if what == "token mint" else "/v1/auth/token/refresh"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == failing:
            raise failure("down", request=request)
        return fake_tm.handle(request)

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        if what == "token refresh":
            manager.get_token_sync(http)
            fake_clock.advance(3600)
        with pytest.raises(cls) as info:
            manager.get_token_sync(http)
    assert type(info.value) is cls
    _assert_token_failure(info.value, what)
    assert where in str(info.value)


def test_unreadable_token_answer_carries_source_auth(
    manager: TokenManager, fake_clock: FakeClock
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>maintenance</html>")

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(UnexpectedResponseError) as info:
            manager.get_token_sync(http)
    _assert_token_failure(info.value, "without an access token")


def _failing_mint(fake_tm: FakeTrueMarkets, how: str) -> None:
    if how == "http":
        fake_tm.mint_status = 503
    else:
        original = fake_tm.handle

        def handle(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/v1/auth/api-key/token":
                raise httpx.ConnectError("down", request=request)
            return original(request)

        fake_tm.handle = handle  # type: ignore[method-assign]


@pytest.mark.parametrize("how", ["http", "transport"])
def test_auth_flow_says_no_gateway_request_was_sent(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets, how: str
) -> None:
    _failing_mint(fake_tm, how)
    with pytest.raises(TrueMarketsError) as info:
        gateway_get(client, GatewayAuth(manager, http=client))
    _assert_token_failure(info.value, "token mint")
    assert info.value.gateway_request_sent is False
    assert NO_GATEWAY_REQUEST in str(info.value)
    assert str(info.value).count(NO_GATEWAY_REQUEST) == 1
    assert fake_tm.gateway_requests == []


def test_auth_flow_transport_failure_did_not_reach_the_gateway(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    _failing_mint(fake_tm, "transport")
    with pytest.raises(APIConnectionError) as info:
        gateway_get(client, GatewayAuth(manager, http=client))
    assert info.value.may_have_reached_server is False  # the Gateway request, that is
    assert info.value.gateway_request_sent is False


@pytest.mark.parametrize("failure", [httpx.ReadTimeout, httpx.RemoteProtocolError])
def test_a_token_request_that_may_have_reached_the_auth_service_still_sent_no_gateway_request(
    manager: TokenManager, fake_tm: FakeTrueMarkets, failure: type[httpx.TransportError]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/auth/api-key/token":
            raise failure("lost", request=request)
        return fake_tm.handle(request)

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(APIConnectionError) as info:
            gateway_get(http, GatewayAuth(manager, http=http))
    assert info.value.may_have_reached_server is False  # the Gateway request, that is
    assert info.value.gateway_request_sent is False and info.value.source == "auth"
    assert str(info.value).count(NO_GATEWAY_REQUEST) == 1
    assert info.value.request is not None and info.value.request.content == b""  # no signature
    assert fake_tm.gateway_requests == []


@pytest.mark.parametrize("driver", ["sync", "async"])
def test_missing_api_key_is_marked_as_not_sent(fake_tm: FakeTrueMarkets, driver: str) -> None:
    manager = TokenManager(ENV)  # no credentials, no token
    if driver == "sync":
        with fake_tm.client() as http, pytest.raises(CredentialsError) as info:
            gateway_get(http, GatewayAuth(manager, http=http))
    else:

        async def send() -> None:
            async with fake_tm.async_client() as http:
                request = http.build_request("GET", f"{ENV.gateway_url}/orders")
                await http.send(request, auth=GatewayAuth(manager, http=http))

        with pytest.raises(CredentialsError) as info:
            asyncio.run(send())
    assert info.value.gateway_request_sent is False
    assert fake_tm.gateway_requests == []


@pytest.mark.parametrize("how", ["http", "transport"])
async def test_async_auth_flow_says_no_gateway_request_was_sent(
    manager: TokenManager, fake_tm: FakeTrueMarkets, how: str
) -> None:
    _failing_mint(fake_tm, how)
    async with fake_tm.async_client() as http:
        auth = GatewayAuth(manager, http=http)
        with pytest.raises(TrueMarketsError) as info:
            await http.send(http.build_request("GET", f"{ENV.gateway_url}/orders"), auth=auth)
    _assert_token_failure(info.value, "token mint")
    assert info.value.gateway_request_sent is False
    assert NO_GATEWAY_REQUEST in str(info.value)
    assert str(info.value).count(NO_GATEWAY_REQUEST) == 1
    assert fake_tm.gateway_requests == []


def test_renewal_after_a_401_does_not_claim_nothing_was_sent(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    auth = GatewayAuth(manager, http=client)
    gateway_get(client, auth)
    fake_tm.revoke_access_tokens()
    fake_tm.refresh_status = 500
    with pytest.raises(InternalServerError) as info:
        gateway_get(client, auth)
    _assert_token_failure(info.value, "token refresh")
    assert NO_GATEWAY_REQUEST not in str(info.value)  # the Gateway did get (and refuse) it
    assert info.value.gateway_request_sent is None


async def test_async_renewal_after_a_401_does_not_claim_nothing_was_sent(
    manager: TokenManager, fake_tm: FakeTrueMarkets
) -> None:
    async with fake_tm.async_client() as http:
        auth = GatewayAuth(manager, http=http)
        request = http.build_request("GET", f"{ENV.gateway_url}/orders")
        assert (await http.send(request, auth=auth)).status_code == 200
        fake_tm.revoke_access_tokens()
        fake_tm.refresh_status = 500
        request = http.build_request("GET", f"{ENV.gateway_url}/orders", extensions={REPLAY: 1})
        with pytest.raises(InternalServerError) as info:
            await http.send(request, auth=auth)
    _assert_token_failure(info.value, "token refresh")
    assert info.value.gateway_request_sent is None
    assert NO_GATEWAY_REQUEST not in str(info.value)


# --- absurd expiries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expires_in",
    [1e20, "20300101", "9999-12-31T00:00:00Z", pytest.param(10**400, id="huge-int")],
)
def test_absurd_expiry_is_still_refreshed_ahead(
    manager: TokenManager,
    client: httpx.Client,
    fake_tm: FakeTrueMarkets,
    fake_clock: FakeClock,
    expires_in: Any,
) -> None:
    original = fake_tm._issue

    def issue() -> httpx.Response:
        body = original().json()
        body["expires_in"] = expires_in
        return fake_tm._json(200, body)

    fake_tm._issue = issue  # type: ignore[method-assign]
    first = manager.get_token_sync(client)
    assert manager.expires_at == pytest.approx(fake_clock() + 3600, abs=1)  # the JWT's exp
    fake_clock.advance(3600 - 30)
    assert manager.get_token_sync(client) != first
    assert fake_tm.refreshes == 1


def test_absurd_expiry_of_an_opaque_token_is_capped_at_a_day(
    manager: TokenManager, fake_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"access_token": "opaque", "expires_in": "20300101"})

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        with caplog.at_level(logging.WARNING, logger="truemarkets_gateway"):
            manager.get_token_sync(http)
    assert manager.expires_at == pytest.approx(fake_clock() + 86400)
    assert "claims an expiry" in caplog.text


# --- single flight ---------------------------------------------------------------------------


def _run_threads(count: int, target: Callable[[], Any] | Callable[[int], Any]) -> list[Any]:
    """Run `target` in `count` threads released together; `target(index)` if it takes one."""
    takes_index = bool(inspect.signature(target).parameters)
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        barrier.wait()
        try:
            results[index] = target(index) if takes_index else target()  # type: ignore[call-arg]
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results[index] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_50_threads_share_one_mint(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    fake_tm.latency = 0.05
    results = _run_threads(50, lambda: manager.get_token_sync(client))
    assert fake_tm.mints == 1 and manager.mint_count == 1
    assert len(set(results)) == 1 and results[0] in fake_tm.access_tokens


def test_50_threads_hitting_expiry_share_one_renewal_and_all_succeed(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    auth = GatewayAuth(manager, http=client)
    manager.get_token_sync(client)
    fake_clock.advance(3600)  # expired for everyone at once
    fake_tm.latency = 0.05
    results = _run_threads(50, lambda: gateway_get(client, auth).status_code)
    assert results == [200] * 50
    assert fake_tm.mints == 1 and fake_tm.refreshes == 1


def test_50_threads_hitting_a_revoked_token_share_one_renewal(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    auth = GatewayAuth(manager, http=client)
    manager.get_token_sync(client)
    fake_tm.revoke_access_tokens()
    fake_tm.latency = 0.02
    results = _run_threads(50, lambda: gateway_get(client, auth).status_code)
    assert results == [200] * 50
    assert fake_tm.refreshes == 1 and fake_tm.mints == 1


def test_threads_inside_the_margin_do_not_wait_for_the_refresh(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    first = manager.get_token_sync(client)
    fake_clock.advance(3600 - 30)
    fake_tm.latency = 0.2
    results = _run_threads(20, lambda: manager.get_token_sync(client))
    assert fake_tm.refreshes == 1
    assert set(results) <= {first, *fake_tm.access_tokens}
    assert first in results  # the ones that found a refresh in flight kept the valid token


async def test_50_tasks_share_one_mint(manager: TokenManager, fake_tm: FakeTrueMarkets) -> None:
    fake_tm.latency = 0.05
    async with fake_tm.async_client() as http:
        results = await asyncio.gather(*(manager.get_token_async(http) for _ in range(50)))
    assert fake_tm.mints == 1 and manager.mint_count == 1
    assert len(set(results)) == 1


async def test_50_tasks_hitting_expiry_share_one_refresh(
    manager: TokenManager, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    async with fake_tm.async_client() as http:
        auth = GatewayAuth(manager, http=http)
        await manager.get_token_async(http)
        fake_clock.advance(3600)
        fake_tm.latency = 0.05

        async def call() -> int:
            request = http.build_request("GET", f"{ENV.gateway_url}/balances")
            return (await http.send(request, auth=auth)).status_code

        results = await asyncio.gather(*(call() for _ in range(50)))
    assert results == [200] * 50
    assert fake_tm.mints == 1 and fake_tm.refreshes == 1


async def test_async_path_does_not_block_the_event_loop(
    manager: TokenManager, fake_tm: FakeTrueMarkets
) -> None:
    fake_tm.latency = 0.2
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async with fake_tm.async_client() as http:
        task = asyncio.create_task(ticker())
        await asyncio.gather(*(manager.get_token_async(http) for _ in range(5)))
        task.cancel()
    assert ticks >= 10


async def test_async_401_refreshes_once_and_replays(
    manager: TokenManager, fake_tm: FakeTrueMarkets
) -> None:
    async with fake_tm.async_client() as http:
        auth = GatewayAuth(manager, http=http)
        post = {"json": {"qty": "1"}, "extensions": {REPLAY: True}}
        request = http.build_request("POST", f"{ENV.gateway_url}/orders", **post)
        assert (await http.send(request, auth=auth)).status_code == 200
        fake_tm.revoke_access_tokens()
        post["json"] = {"qty": "2"}
        request = http.build_request("POST", f"{ENV.gateway_url}/orders", **post)
        assert (await http.send(request, auth=auth)).status_code == 200
        fake_tm.gateway_always_401 = True
        request = http.build_request("GET", f"{ENV.gateway_url}/orders", extensions={REPLAY: 1})
        assert (await http.send(request, auth=auth)).status_code == 401
    assert fake_tm.mints == 1 and fake_tm.refreshes == 2
    assert len(fake_tm.gateway_requests) == 5
    assert fake_tm.gateway_requests[2].content == b'{"qty":"2"}'


def test_sync_and_async_share_one_manager(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    fake_tm.latency = 0.05

    async def in_loop() -> str:
        async with fake_tm.async_client() as http:
            return await manager.get_token_async(http)

    results = _run_threads(
        6, lambda i: asyncio.run(in_loop()) if i % 2 else manager.get_token_sync(client)
    )
    assert fake_tm.mints == 1 and len(set(results)) == 1


# --- the floor: a token about to die in flight is never handed out ------------------------------


@pytest.fixture
def no_margin(credentials: Credentials, fake_clock: FakeClock) -> TokenManager:
    return TokenManager(ENV, credentials=credentials, clock=fake_clock, refresh_margin=0)


def test_floor_holds_without_a_refresh_margin(
    no_margin: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    first = no_margin.get_token_sync(client)
    fake_clock.advance(3600 - 6)  # 6 s left: no margin asked for, so it is still used
    assert no_margin.get_token_sync(client) == first and fake_tm.refreshes == 0
    fake_clock.advance(2)  # 4 s left: under the 5 s floor, it could die in flight
    fake_tm.latency = 0.05
    results = _run_threads(20, lambda: no_margin.get_token_sync(client))
    assert fake_tm.refreshes == 1 and fake_tm.mints == 1  # one renewal for everyone
    assert first not in results and len(set(results)) == 1  # nobody got the dying token
    assert results[0] in fake_tm.access_tokens


async def test_floor_holds_without_a_refresh_margin_for_tasks(
    no_margin: TokenManager, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    async with fake_tm.async_client() as http:
        first = await no_margin.get_token_async(http)
        fake_clock.advance(3600 - 4)
        fake_tm.latency = 0.05
        results = await asyncio.gather(*(no_margin.get_token_async(http) for _ in range(20)))
    assert fake_tm.refreshes == 1 and first not in results and len(set(results)) == 1


async def test_task_waiting_for_a_thread_renewal_does_not_block_its_loop(
    manager: TokenManager, fake_tm: FakeTrueMarkets, client: httpx.Client
) -> None:
    fake_tm.latency = 0.3
    holder = threading.Thread(target=manager.get_token_sync, args=(client,))
    holder.start()
    while not manager._lock.locked():
        await asyncio.sleep(0.001)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    running = asyncio.create_task(ticker())
    async with fake_tm.async_client() as http:
        token = await manager.get_token_async(http)
    running.cancel()
    holder.join(5)
    assert ticks >= 5  # the loop kept running while the thread renewed
    assert token in fake_tm.access_tokens and fake_tm.mints == 1


async def test_task_cancelled_while_waiting_for_the_thread_lock_leaves_it_free(
    manager: TokenManager, fake_tm: FakeTrueMarkets, client: httpx.Client
) -> None:
    fake_tm.latency = 0.3
    holder = threading.Thread(target=manager.get_token_sync, args=(client,))
    holder.start()
    while not manager._lock.locked():
        await asyncio.sleep(0.001)
    token = None
    async with fake_tm.async_client() as http:
        waiting = asyncio.create_task(manager.get_token_async(http, rejected="revoked"))
        await asyncio.sleep(0.05)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        holder.join(5)
        # The executor's wait ended in the lock and gave it back: others get it.
        assert await asyncio.to_thread(manager._lock.acquire, True, 2)
        manager._lock.release()
        token = await asyncio.wait_for(manager.get_token_async(http), 2)
    assert token in fake_tm.access_tokens


async def test_cancelled_mint_releases_the_lock(
    manager: TokenManager, fake_tm: FakeTrueMarkets
) -> None:
    fake_tm.latency = 0.5
    async with fake_tm.async_client() as http:
        task = asyncio.create_task(manager.get_token_async(http))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        fake_tm.latency = 0.0
        token = await asyncio.wait_for(manager.get_token_async(http), 2)
    assert token in fake_tm.access_tokens
    assert not manager._renewing
    # The thread lock was released too: a sync caller does not hang.
    assert manager._lock.acquire(timeout=1)
    manager._lock.release()


def test_transport_failure_leaves_no_state_behind(
    manager: TokenManager, fake_tm: FakeTrueMarkets
) -> None:
    calls = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ReadTimeout("slow", request=request)
        return fake_tm.handle(request)

    with httpx.Client(transport=httpx.MockTransport(flaky)) as http:
        with pytest.raises(APIConnectionError, match="timed out"):
            manager.get_token_sync(http)
        assert not manager._renewing
        assert manager.get_token_sync(http) in fake_tm.access_tokens


# --- auth requests go through the same client, with its headers and without auth ------------


def test_auth_requests_use_the_sending_client(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    manager = TokenManager(ENV, credentials=credentials, clock=fake_clock)
    with httpx.Client(transport=fake_tm.transport(), headers={"User-Agent": "tm-test/1"}) as http:
        http.auth = GatewayAuth(manager, http=http)  # even as the client's default auth
        assert http.get(f"{ENV.gateway_url}/orders").status_code == 200
        fake_tm.revoke_access_tokens()
        response = http.get(f"{ENV.gateway_url}/orders", extensions={REPLAY: True})
        assert response.status_code == 200
    assert fake_tm.mints == 1 and fake_tm.refreshes == 1
    assert {r.headers["user-agent"] for r in fake_tm.auth_requests} == {"tm-test/1"}
    assert all("authorization" not in r.headers for r in fake_tm.auth_requests)


async def test_auth_requests_use_the_sending_async_client(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    manager = TokenManager(ENV, credentials=credentials, clock=fake_clock)
    async with httpx.AsyncClient(transport=fake_tm.async_transport()) as http:
        http.auth = GatewayAuth(manager, http=http)
        results = await asyncio.gather(*(http.get(f"{ENV.gateway_url}/orders") for _ in range(10)))
        assert [r.status_code for r in results] == [200] * 10
        fake_tm.revoke_access_tokens()
        response = await http.get(f"{ENV.gateway_url}/orders", extensions={REPLAY: True})
        assert response.status_code == 200
    assert fake_tm.mints == 1 and fake_tm.refreshes == 1


def test_a_client_of_the_wrong_kind_is_refused(manager: TokenManager) -> None:
    with httpx.Client() as http, pytest.raises(AssertionError, match="needs http=Client"):
        next(GatewayAuth(manager).sync_auth_flow(http.build_request("GET", "http://x.test")))


# --- clock skew ----------------------------------------------------------------------------------


def test_clock_skew_is_corrected_once_and_kept(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    fake_tm.server_skew = 120.0  # our clock is two minutes slow
    token = manager.get_token_sync(client)
    assert fake_tm.mints == 2  # refused, then accepted with the server's time
    assert fake_tm.mint_bodies[1]["timestamp"] == int(fake_clock() + 120)
    assert manager.clock_offset == pytest.approx(120, abs=1)
    assert token in fake_tm.access_tokens
    # Expiry is judged in server time: with 100 s left by the server, no refresh yet...
    fake_clock.advance(3600 - 100)
    manager.get_token_sync(client)
    assert fake_tm.refreshes == 0
    # ...and later mints use the offset straight away.
    fake_tm.refresh_tokens.clear()  # the next renewal must mint
    manager.get_token_sync(client, rejected=manager._state.access_token)  # type: ignore[union-attr]
    assert fake_tm.mints == 3
    assert fake_tm.mint_bodies[2]["timestamp"] == int(fake_clock() + 120)


def test_clock_skew_behind_is_corrected_too(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    fake_tm.server_skew = -3600.0
    manager.get_token_sync(client)
    assert fake_tm.mints == 2
    assert manager.clock_offset == pytest.approx(-3600, abs=1)


def test_small_skew_is_not_retried(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    fake_tm.server_skew = 5.0
    fake_tm.mint_status = 401
    with pytest.raises(AuthenticationError):
        manager.get_token_sync(client)
    assert fake_tm.mints == 1


def test_skew_retry_happens_once(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    fake_tm.server_skew = 300.0
    fake_tm.mint_status = 401  # refused whatever the time
    with pytest.raises(AuthenticationError, match=r"differs from ours by \+300 s"):
        manager.get_token_sync(client)
    assert fake_tm.mints == 2


def test_mint_401_without_date_is_not_retried(manager: TokenManager) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": "invalid signature"})

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(AuthenticationError):
            manager.get_token_sync(http)
    assert manager.mint_count == 1


# --- modes ---------------------------------------------------------------------------------------


def test_static_token_mode(client: httpx.Client, fake_tm: FakeTrueMarkets) -> None:
    manager = TokenManager(ENV, access_token="minted-elsewhere")
    auth = GatewayAuth(manager, http=client)
    assert manager.mode == "static" and not manager.can_renew
    response = gateway_get(client, auth)
    assert response.status_code == 401  # returned as is; the facade maps it
    assert len(fake_tm.gateway_requests) == 1
    assert fake_tm.gateway_requests[0].headers["authorization"] == "Bearer minted-elsewhere"
    assert fake_tm.auth_requests == []


def test_static_token_that_works(client: httpx.Client, fake_tm: FakeTrueMarkets) -> None:
    # Seed the fake server with a token minted "elsewhere".
    fake_tm.access_tokens["elsewhere"] = fake_tm.server_now() + 60
    auth = GatewayAuth(TokenManager(ENV, access_token="elsewhere"), http=client)
    assert gateway_get(client, auth).status_code == 200


def test_public_operations_need_no_credentials(
    client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    manager = TokenManager(ENV)
    assert manager.mode == "none"
    assert gateway_get(client, None, "assets").status_code == 200
    quote = client.build_request("POST", f"{ENV.gateway_url}/quotes", json={"qty": "1"})
    assert client.send(quote, auth=None).status_code == 200
    assert all("authorization" not in r.headers for r in fake_tm.gateway_requests)
    with pytest.raises(CredentialsError, match="needs an API key"):
        gateway_get(client, GatewayAuth(manager, http=client))
    assert fake_tm.auth_requests == []


def test_constructor_validation(credentials: Credentials) -> None:
    with pytest.raises(ValidationError, match="not both"):
        TokenManager(ENV, credentials=credentials, access_token="x")
    with pytest.raises(ValidationError, match="access_token"):
        TokenManager(ENV, access_token="two words")
    with pytest.raises(ValidationError, match="refresh_margin"):
        TokenManager(ENV, credentials=credentials, refresh_margin=-1)
    with pytest.raises(ValidationError, match="on_behalf_of"):
        GatewayAuth(TokenManager(ENV), on_behalf_of="a\r\nInjected: 1")


def test_on_behalf_of_on_user_scoped_calls_only(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    auth = GatewayAuth(manager, http=client, on_behalf_of="8d7c2b1a-0000-4000-8000-000000000001")
    for path in ("orders", "transfers", "balances"):
        assert gateway_get(client, auth, path).status_code == 200
    gateway_get(client, None, "assets")  # public: sent with auth=None
    headers = [r.headers.get("tm-on-behalf-of") for r in fake_tm.gateway_requests]
    assert headers == ["8d7c2b1a-0000-4000-8000-000000000001"] * 3 + [None]
    assert all(
        "tm-on-behalf-of" not in r.headers for r in fake_tm.auth_requests
    )  # never on auth calls


def test_legacy_gateway_path_uses_the_same_auth(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        legacy = Environment.custom(FAKE_HOST, legacy=True)
    manager = TokenManager(legacy, credentials=credentials, clock=fake_clock)
    with fake_tm.client() as http:
        response = http.send(
            http.build_request("GET", f"{legacy.gateway_url}/orders"),
            auth=GatewayAuth(manager, http=http),
        )
    assert response.status_code == 200
    assert fake_tm.gateway_requests[0].url.path == "/v1/conductor/orders"
    assert fake_tm.auth_requests[0].url.path == "/v1/auth/api-key/token"


# --- token cache -----------------------------------------------------------------------------


def test_token_cache_lets_a_new_process_reuse_the_token(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock, tmp_path: Path
) -> None:
    cache = tmp_path / "cache" / "token.json"
    with fake_tm.client() as http:
        first = TokenManager(ENV, credentials=credentials, clock=fake_clock, token_cache=cache)
        token = first.get_token_sync(http)
        assert cache.stat().st_mode & 0o777 == 0o600
        second = TokenManager(ENV, credentials=credentials, clock=fake_clock, token_cache=cache)
        assert second.get_token_sync(http) == token
        assert fake_tm.mints == 1
        # The rotated refresh token is written back, so a third process can refresh.
        fake_clock.advance(3600 - 30)
        refreshed = second.get_token_sync(http)
        third = TokenManager(ENV, credentials=credentials, clock=fake_clock, token_cache=cache)
        assert third.get_token_sync(http) == refreshed
        fake_clock.advance(3600 - 30)
        third.get_token_sync(http)
    assert fake_tm.mints == 1 and fake_tm.refreshes == 2


async def test_token_cache_async(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock, tmp_path: Path
) -> None:
    cache = tmp_path / "token.json"
    async with fake_tm.async_client() as http:
        first = TokenManager(ENV, credentials=credentials, clock=fake_clock, token_cache=cache)
        token = await first.get_token_async(http)
        second = TokenManager(ENV, credentials=credentials, clock=fake_clock, token_cache=cache)
        assert await second.get_token_async(http) == token
    assert fake_tm.mints == 1


def test_token_cache_of_another_key_or_host_is_ignored(
    credentials: Credentials,
    fake_tm: FakeTrueMarkets,
    fake_clock: FakeClock,
    tmp_path: Path,
    p256_key: Any,
) -> None:
    cache = tmp_path / "token.json"
    with fake_tm.client() as http:
        TokenManager(
            ENV, credentials=credentials, clock=fake_clock, token_cache=cache
        ).get_token_sync(http)
        other_key = Credentials("11111111-2222-4333-8444-555555555555", p256_key)
        other = TokenManager(ENV, credentials=other_key, clock=fake_clock, token_cache=cache)
        other._load_cache()
        assert other._state is None
        # The same key id with another private key (a re-issued key file): not ours either.
        swapped = Credentials(credentials.key_id, ec.generate_private_key(ec.SECP256R1()))
        other = TokenManager(ENV, credentials=swapped, clock=fake_clock, token_cache=cache)
        other._load_cache()
        assert other._state is None
        same = TokenManager(ENV, credentials=credentials, clock=fake_clock, token_cache=cache)
        same._load_cache()
        assert same._state is not None  # the test can fail: the right key does load it
        other_host = TokenManager(
            Environment.custom("http://elsewhere.test"),
            credentials=credentials,
            clock=fake_clock,
            token_cache=cache,
        )
        other_host._load_cache()
        assert other_host._state is None


def test_rejected_token_is_dropped_from_the_cache(
    credentials: Credentials, fake_tm: FakeTrueMarkets, fake_clock: FakeClock, tmp_path: Path
) -> None:
    cache = tmp_path / "token.json"
    with fake_tm.client() as http:
        manager = TokenManager(ENV, credentials=credentials, clock=fake_clock, token_cache=cache)
        token = manager.get_token_sync(http)
        fake_tm.revoke_access_tokens()
        fake_tm.refresh_tokens.clear()
        fake_tm.mint_status = 401
        with pytest.raises(AuthenticationError):
            manager.get_token_sync(http, rejected=token)
    assert not cache.exists()


# --- secrets -------------------------------------------------------------------------------------


def _secret_fragments(fake_tm: FakeTrueMarkets, credentials: Credentials) -> set[str]:
    """Every 16-character window of every secret: a partial leak counts as a leak."""
    d = credentials.private_key.private_numbers().private_value.to_bytes(32, "big")
    secrets = [
        base64.urlsafe_b64encode(d).rstrip(b"=").decode(),
        d.hex(),
        *(body["signature"] for body in fake_tm.mint_bodies),
    ]
    for token in fake_tm.secrets():
        secrets += token.split(".")[1:]  # the JWT header is the same for every token
    return {s[i : i + 16] for s in secrets for i in range(len(s) - 15)}


def test_debug_log_of_a_full_session_holds_no_secret(
    credentials: Credentials,
    fake_tm: FakeTrueMarkets,
    fake_clock: FakeClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx included
    caplog.set_level(logging.DEBUG, logger="truemarkets_gateway")
    errors: list[str] = []
    with fake_tm.client() as http:
        manager = TokenManager(
            ENV, credentials=credentials, clock=fake_clock, token_cache=tmp_path / "t.json"
        )
        auth = GatewayAuth(manager, http=http, on_behalf_of="user-1")
        fake_tm.server_skew = 60.0  # skew correction
        gateway_get(http, auth)
        fake_clock.advance(3600 - 30)  # proactive refresh
        gateway_get(http, auth)
        fake_tm.revoke_access_tokens()  # 401, refresh, replay
        gateway_get(http, auth)
        fake_tm.refresh_status = 401  # refresh refused, re-mint
        fake_clock.advance(3600)
        gateway_get(http, auth)
        fake_tm.refresh_status = 503  # failed proactive refresh
        fake_clock.advance(3600 - 30)
        gateway_get(http, auth)
        fake_tm.refresh_status = 401
        fake_tm.mint_status = 401  # final failure, raised
        fake_clock.advance(3600)
        with pytest.raises(AuthenticationError) as info:
            gateway_get(http, auth)
        exc = info.value
        assert exc.response is not None and exc.response.request.content == b""
        errors += [str(exc), repr(exc), exc.response.text]
        errors += [repr(manager), str(manager), repr(auth), repr(credentials), repr(manager._state)]
    assert fake_tm.mints >= 3 and fake_tm.refreshes >= 3
    text = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    assert "minting an access token" in text and "renew" in text
    haystack = text + "\n".join(errors)
    leaked = [s for s in _secret_fragments(fake_tm, credentials) if s in haystack]
    assert leaked == []


def test_echoed_secrets_are_masked_in_errors(
    credentials: Credentials, fake_clock: FakeClock
) -> None:
    seen: dict[str, str] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        import json

        body = json.loads(request.content)
        seen["signature"] = body["signature"]
        return httpx.Response(400, json={"message": f"bad signature {body['signature']}"})

    manager = TokenManager(ENV, credentials=credentials, clock=fake_clock)
    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(BadRequestError) as info:
            manager.get_token_sync(http)
    assert seen["signature"] not in str(info.value)
    assert "[redacted]" in str(info.value)


def test_reprs_hide_tokens(
    manager: TokenManager, client: httpx.Client, fake_tm: FakeTrueMarkets
) -> None:
    token = manager.get_token_sync(client)
    for text in (repr(manager), repr(manager._state), repr(GatewayAuth(manager))):
        assert token not in text
        assert all(secret not in text for secret in fake_tm.secrets())


# --- import cost ---------------------------------------------------------------------------------

_BLOCKING_CALL = """
import sys
import httpx
from truemarkets_gateway import Gateway

gateway = Gateway(
    base_url="http://tm.test",
    access_token="x",
    environ={},
    http_client=httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"status": "pending"}))
    ),
)
assert str(gateway.get_order_status("o1")) == "pending"
print("asyncio" in sys.modules)
"""


def test_a_blocking_gateway_with_a_token_never_loads_asyncio() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _BLOCKING_CALL], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
