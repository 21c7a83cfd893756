"""Shared fixtures: ephemeral API keys and key files, a fake clock, and a fake True Markets
(auth service + gateway) served through httpx.MockTransport. No network anywhere."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from truemarkets_gateway.credentials import Credentials, write_key_file

# RFC 6979 appendix A.2.5: a P-256 private key everyone can recompute.
RFC6979_D = 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721
FIXED_KEY_ID = "8f0c3d2e-5b7a-4c1e-9d3f-2a6b8c4e1f70"
FAKE_HOST = "http://tm.test"


# --- keys -----------------------------------------------------------------------------------


@pytest.fixture
def p256_key() -> ec.EllipticCurvePrivateKey:
    """A fresh P-256 private key."""
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def key_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def api_key_file(tmp_path: Path, key_id: str, p256_key: ec.EllipticCurvePrivateKey) -> Path:
    """An API key file in the vendor's download format (0600), for `key_id` / `p256_key`."""
    return write_key_file(tmp_path / "truemarkets-api-key.json", key_id, p256_key)


@pytest.fixture
def credentials(key_id: str, p256_key: ec.EllipticCurvePrivateKey) -> Credentials:
    return Credentials(key_id, p256_key)


# --- time -----------------------------------------------------------------------------------


class FakeClock:
    """A settable wall clock (Unix seconds); call it to read the time."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


# --- a fake True Markets --------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(claims: dict[str, Any]) -> str:
    """An (unsigned-looking) JWT carrying `claims`; the SDK reads claims without verifying."""
    header = _b64url(json.dumps({"alg": "ES256", "typ": "JWT"}).encode())
    payload = _b64url(json.dumps(claims).encode())
    signature = _b64url(hashlib.sha256(f"{header}.{payload}".encode()).digest() * 2)
    return f"{header}.{payload}.{signature}"


class FakeTrueMarkets:
    """Auth service and gateway, strict like the real ones, as an httpx.MockTransport handler.

    - Mint verifies the ES256 challenge (raw r||s) against the registered public key and a
      +/-30 s window around the server clock (the fake clock plus `server_skew`); every
      response carries a `Date` header in server time.
    - Refresh tokens are single-use and rotate; access tokens live `lifetime` seconds.
    - `expiry_format`: "rfc3339", "seconds", "string-seconds" or "none" (JWT exp only).
    - Gateway paths under /v1/gateway (and /v1/conductor) need a live token, except
      `GET /assets` and `POST /quotes`.
    - `latency`: seconds each auth call takes (sleeping), so concurrent callers overlap.
    """

    def __init__(
        self,
        clock: FakeClock,
        public_key: ec.EllipticCurvePublicKey,
        key_id: str,
        *,
        host: str = FAKE_HOST,
    ) -> None:
        self.clock = clock
        self.public_key = public_key
        self.key_id = key_id
        self.host = host
        self.server_skew = 0.0
        self.lifetime = 3600
        self.expiry_format = "rfc3339"
        self.issue_refresh_tokens = True
        self.latency = 0.0
        self.refresh_status: int | None = None  # force this status on refresh
        self.mint_status: int | None = None  # force this status on mint
        self.gateway_always_401 = False
        self.lock = threading.Lock()
        self.serial = itertools.count(1)
        self.access_tokens: dict[str, float] = {}  # token -> expiry (server time)
        self.refresh_tokens: set[str] = set()
        self.issued_refresh_tokens: list[str] = []
        self.mint_bodies: list[dict[str, Any]] = []
        self.refresh_bodies: list[dict[str, Any]] = []
        self.gateway_requests: list[httpx.Request] = []
        self.auth_requests: list[httpx.Request] = []

    # what tests read
    @property
    def mints(self) -> int:
        return len(self.mint_bodies)

    @property
    def refreshes(self) -> int:
        return len(self.refresh_bodies)

    def server_now(self) -> float:
        return self.clock() + self.server_skew

    def revoke_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens.clear()

    def secrets(self) -> set[str]:
        """Every token this server issued."""
        with self.lock:
            return set(self.access_tokens) | set(self.issued_refresh_tokens)

    # transports
    def transport(self) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            if self.latency and request.url.path.startswith("/v1/auth"):
                time.sleep(self.latency)
            return self.handle(request)

        return httpx.MockTransport(handler)

    def async_transport(self) -> httpx.MockTransport:
        async def handler(request: httpx.Request) -> httpx.Response:
            if self.latency and request.url.path.startswith("/v1/auth"):
                await asyncio.sleep(self.latency)
            await request.aread()
            return self.handle(request)

        return httpx.MockTransport(handler)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=self.transport())

    def async_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.async_transport())

    # the server
    def _json(self, status: int, body: Any) -> httpx.Response:
        return httpx.Response(
            status,
            json=body,
            headers={"Date": formatdate(self.server_now(), usegmt=True)},
        )

    def _issue(self) -> httpx.Response:
        n = next(self.serial)
        now = self.server_now()
        expires_at = int(now) + self.lifetime
        access = make_jwt({"uid": "user-1", "exp": expires_at, "jti": f"a{n}"})
        body: dict[str, Any] = {"access_token": access, "token_type": "Bearer"}
        if self.issue_refresh_tokens:
            refresh = make_jwt({"typ": "refresh", "jti": f"r{n}-{uuid.uuid4()}"})
            self.refresh_tokens.add(refresh)
            self.issued_refresh_tokens.append(refresh)
            body["refresh_token"] = refresh
        self.access_tokens[access] = expires_at
        if self.expiry_format == "rfc3339":
            body["expires_in"] = datetime.fromtimestamp(expires_at, UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
        elif self.expiry_format == "seconds":
            body["expires_in"] = self.lifetime
        elif self.expiry_format == "string-seconds":
            body["expires_in"] = str(self.lifetime)
        return self._json(200, body)

    def _verify(self, body: dict[str, Any]) -> bool:
        try:
            raw = base64.urlsafe_b64decode(body["signature"] + "=" * (-len(body["signature"]) % 4))
            if len(raw) != 64 or "=" in body["signature"]:
                return False
            der = encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
            message = f"{body['key_id']}.{body['timestamp']}".encode()
            self.public_key.verify(der, message, ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, KeyError, TypeError, ValueError):
            return False
        return True

    def handle(self, request: httpx.Request) -> httpx.Response:
        # Keep a snapshot: a replayed request is the same object with new headers.
        request = httpx.Request(
            request.method, request.url, headers=request.headers.copy(), content=request.content
        )
        path = request.url.path
        with self.lock:
            if path == "/v1/auth/api-key/token":
                self.auth_requests.append(request)
                body = json.loads(request.content)
                self.mint_bodies.append(body)
                if self.mint_status is not None:
                    return self._json(self.mint_status, {"message": "forced failure"})
                if body.get("key_id") != self.key_id or not self._verify(body):
                    return self._json(401, {"message": "invalid signature"})
                if abs(body["timestamp"] - self.server_now()) > 30:
                    return self._json(401, {"message": "timestamp out of range"})
                return self._issue()
            if path == "/v1/auth/token/refresh":
                self.auth_requests.append(request)
                body = json.loads(request.content)
                self.refresh_bodies.append(body)
                if self.refresh_status is not None:
                    return self._json(self.refresh_status, {"message": "forced failure"})
                token = body.get("refresh_token")
                if token not in self.refresh_tokens:
                    return self._json(401, {"message": "invalid refresh token"})
                self.refresh_tokens.discard(token)  # single use
                return self._issue()
            if path.startswith(("/v1/gateway", "/v1/conductor")):
                self.gateway_requests.append(request)
                relative = path.split("/", 3)[3] if path.count("/") >= 3 else ""
                if (request.method, relative) in (("GET", "assets"), ("POST", "quotes")):
                    return self._json(200, {"public": True})
                header = request.headers.get("authorization", "")
                token = header.removeprefix("Bearer ")
                expiry = self.access_tokens.get(token)
                if (
                    self.gateway_always_401
                    or not header.startswith("Bearer ")
                    or expiry is None
                    or expiry <= self.server_now()
                ):
                    return self._json(401, {"message": "unauthorized"})
                return self._json(200, {"ok": True, "path": relative})
        return self._json(404, {"message": "not found"})


@pytest.fixture
def fake_tm(
    fake_clock: FakeClock, p256_key: ec.EllipticCurvePrivateKey, key_id: str
) -> FakeTrueMarkets:
    """A fake True Markets that knows the `credentials` fixture's key, on `FAKE_HOST`."""
    return FakeTrueMarkets(fake_clock, p256_key.public_key(), key_id)


# --- what execute_order does before it sends ------------------------------------------------


class _ClientSigner:
    """Stands for a client's own signer, read only when something is stamped."""

    def __init__(self, source: Any) -> None:
        self._source = source

    def sign_payloads(self, payloads: Any) -> list[str]:
        signer = self._source()
        stamps: list[str] = signer.sign_payloads(payloads)
        return stamps


def execute_order_stamps(
    order: Any, *, signer: Any, accept_issues: bool, client_signer: Any
) -> list[str]:
    """The stamps a real `execute_order(order, signer=..., accept_issues=...)` would send.

    Runs the clients' own preparation, so a fake client refuses quote issues
    (`QuoteIssuesError`) exactly as `Gateway` does. `client_signer()` is the fake's own
    signer, read only when `signer` is None and something is stamped.
    """
    from truemarkets_gateway._flows import Call, execute_order_flow

    chosen = signer if signer is not None else _ClientSigner(client_signer)
    step = next(execute_order_flow(order, None, lambda: chosen, accept_issues))
    assert isinstance(step, Call) and step.name == "_send_execute_order"
    return list(step.args[1])
