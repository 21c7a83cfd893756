"""Sandbox Auth Service: mint, refresh rotation and reuse, the challenge window, bearer checks."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import test_sandbox_kit as kit
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwt
from test_sandbox_kit import LOOPBACK, Clock, Session, challenge, client, open_session

from truemarkets_gateway.sandbox import Sandbox, SandboxConfig
from truemarkets_gateway.sandbox.values import parse_time_micros

pytestmark = LOOPBACK
clock, sandbox, session = kit.clock, kit.sandbox, kit.session


def test_mint_issues_an_es256_pair_with_the_documented_claims(
    session: Session, clock: Clock
) -> None:
    tokens = session.tokens
    assert tokens["token_type"] == "Bearer"
    claims = jwt.get_unverified_claims(tokens["access_token"])
    assert {"uid", "sub", "exp", "iat"} <= claims.keys()
    assert claims["iat"] == int(clock.now)
    assert claims["exp"] == int(clock.now) + 3600
    assert parse_time_micros(tokens["expires_in"]) == claims["exp"] * 1_000_000
    assert claims["uid"] == session.sandbox.account_of(session.key_id)
    assert jwt.get_unverified_header(tokens["access_token"])["alg"] == "ES256"


def test_tokens_verify_with_the_published_jwks(session: Session) -> None:
    # The JWKS document sits outside both specs: read it with an unchecked client.
    with client(session.sandbox.base_url, checked=False) as http:
        keys = http.get("/.well-known/jwks.json").json()
    claims = jwt.decode(
        session.tokens["access_token"],
        keys["keys"][0],
        algorithms=["ES256"],
        options={"verify_exp": False},
    )
    assert claims["uid"]


def test_responses_carry_a_date_header_from_the_sandbox_clock(
    session: Session, clock: Clock
) -> None:
    response = session.get("/balances")
    assert parsedate_to_datetime(response.headers["date"]).timestamp() == int(clock.now)


def test_token_lifetime_is_configurable(clock: Clock) -> None:
    with Sandbox(SandboxConfig(clock=clock, token_lifetime=120)) as sb:
        s = open_session(sb)
        claims = jwt.get_unverified_claims(s.tokens["access_token"])
        assert claims["exp"] - claims["iat"] == 120


def test_refresh_rotates_and_a_reused_refresh_token_gets_401(session: Session) -> None:
    old = session.tokens
    first = session.http.post(
        "/v1/auth/token/refresh", json={"refresh_token": old["refresh_token"]}
    )
    assert first.status_code == 200
    assert first.json()["refresh_token"] != old["refresh_token"]
    again = session.http.post(
        "/v1/auth/token/refresh", json={"refresh_token": old["refresh_token"]}
    )
    assert again.status_code == 401
    assert again.json()["type"] == "unauthenticated"
    assert again.json()["request_id"].startswith("req_")
    newest = session.http.post(
        "/v1/auth/token/refresh", json={"refresh_token": first.json()["refresh_token"]}
    )
    assert newest.status_code == 200


def test_an_access_token_is_not_a_refresh_token(session: Session) -> None:
    response = session.http.post(
        "/v1/auth/token/refresh", json={"refresh_token": session.tokens["access_token"]}
    )
    assert response.status_code == 401


def test_challenge_window_is_30_seconds_around_the_server_clock(
    session: Session, clock: Clock
) -> None:
    now = int(clock.now)
    assert session.login(now - 30).status_code == 200
    assert session.login(now + 30).status_code == 200
    late = session.login(now - 31)
    assert late.status_code == 401
    assert "timestamp" in late.json()["message"]
    assert session.login(now + 31).status_code == 401


def test_signature_must_be_raw_rs_base64url_for_this_key(session: Session, clock: Clock) -> None:
    ts = int(clock.now)
    good = challenge(session.private_key, session.key_id, ts)
    bodies = [
        {"signature": good + "=="},  # padded
        {"signature": challenge(ec.generate_private_key(ec.SECP256R1()), session.key_id, ts)},
        {"signature": challenge(session.private_key, session.key_id, ts + 1)},  # other message
    ]
    for body in bodies:
        response = session.http.post(
            "/v1/auth/api-key/token", json={"key_id": session.key_id, "timestamp": ts, **body}
        )
        assert response.status_code == 401, body


def test_unknown_key_is_401_and_missing_fields_are_400(sandbox: Sandbox, clock: Clock) -> None:
    http = client(sandbox.base_url)
    ts = int(clock.now)
    key = ec.generate_private_key(ec.SECP256R1())
    unknown = http.post(
        "/v1/auth/api-key/token",
        json={
            "key_id": "5d1c9a43-1111-4222-8333-444455556666",
            "timestamp": ts,
            "signature": challenge(key, "x", ts),
        },
    )
    assert unknown.status_code == 401
    missing = http.post("/v1/auth/api-key/token", json={"key_id": "abc"})
    assert missing.status_code == 400
    fields = {v["field"] for v in missing.json()["field_violations"]}
    assert fields == {"timestamp", "signature"}
    assert http.post("/v1/auth/api-key/token", content=b"{nope").status_code == 400
    assert http.post("/v1/auth/token/refresh", json={}).status_code == 400


def test_secured_routes_need_a_live_bearer_token(session: Session, clock: Clock) -> None:
    http = session.http
    bare = http.get("/v1/gateway/orders")
    assert bare.status_code == 401
    assert bare.json()["type"] == "unauthenticated"
    assert (
        http.get("/v1/gateway/orders", headers={"Authorization": "Bearer nonsense"}).status_code
        == 401
    )
    assert http.get("/v1/gateway/orders", headers={"Authorization": "Basic abc"}).status_code == 401
    assert session.get("/orders").status_code == 200
    clock.advance(3600)
    expired = session.get("/orders")
    assert expired.status_code == 401
    assert expired.json()["message"] == "token expired"


def test_public_routes_need_no_token_and_the_legacy_base_works(session: Session) -> None:
    http = session.http
    assert http.get("/v1/gateway/assets").status_code == 200
    quote = http.post(
        "/v1/gateway/quotes",
        json={
            "base_asset": "BTC",
            "quote_asset": "USD",
            "qty": "1000",
            "qty_unit": "quote",
            "side": "buy",
        },
    )
    assert quote.status_code == 200
    assert set(quote.json()) == {"qty", "price"}
    assert http.get("/v1/conductor/orders", headers=session.headers).status_code == 200


def test_a_revoked_key_can_neither_mint_nor_use_its_tokens(session: Session) -> None:
    session.sandbox.state.auth.revoke(session.key_id)
    assert session.get("/orders").status_code == 401
    assert session.login().status_code == 401
