"""The sandbox Auth Service: API keys, challenge checks, JWT issue and bearer checks.

Tokens are ES256 JWTs signed with a key the sandbox generates at start (python-jose), with
claims `uid`, `sub`, `iat`, `exp` (plus `typ` and `jti`), and `tm.organization_id` for an
organisation key's tokens. Expiry is checked against the
sandbox clock, not the wall clock, so a fake clock drives it. Refresh tokens are single-use.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from jose import JWTError, jwt

from truemarkets_gateway.sandbox.problems import Problem, Violation, invalid
from truemarkets_gateway.sandbox.values import IdSource

__all__ = ["ORG_CLAIM", "ApiKey", "AuthService", "Principal", "TokenPair"]

ORG_CLAIM = "tm.organization_id"

_ALGORITHM = "ES256"
_RAW_SIGNATURE_CHARS = 86  # 64 bytes, base64url without padding


@attrs.frozen
class ApiKey:
    key_id: str
    uid: str
    public_key: ec.EllipticCurvePublicKey = attrs.field(repr=False)
    revoked: bool = False
    org_id: str | None = None


@attrs.frozen
class Principal:
    """Who a valid bearer token speaks for."""

    uid: str
    key_id: str
    org_id: str | None = None


@attrs.frozen
class TokenPair:
    access_token: str = attrs.field(repr=False)
    refresh_token: str = attrs.field(repr=False)
    expires_at: int

    def to_json(self) -> dict[str, Any]:
        expiry = datetime.fromtimestamp(self.expires_at, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": expiry,
            "token_type": "Bearer",
        }


def _unauthenticated(message: str) -> Problem:
    return Problem(401, message, type="unauthenticated")


def _decode_raw_signature(text: str) -> bytes | None:
    """64 raw r||s bytes from base64url without padding, or None for any other form."""
    if len(text) != _RAW_SIGNATURE_CHARS or "=" in text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "==")
    except ValueError:
        return None
    return raw if len(raw) == 64 else None


class AuthService:
    """Keys and tokens of one sandbox. `now` is the (possibly skewed) server clock."""

    def __init__(
        self,
        *,
        ids: IdSource,
        now: Callable[[], float],
        token_lifetime: float,
        refresh_token_lifetime: float,
        challenge_window: float,
        early_expiry: Callable[[], float | None],
    ) -> None:
        self._ids = ids
        self._now = now
        self._token_lifetime = token_lifetime
        self._refresh_lifetime = refresh_token_lifetime
        self._window = challenge_window
        self._early_expiry = early_expiry
        self._lock = threading.Lock()
        self._keys: dict[str, ApiKey] = {}
        self._live_refresh: set[str] = set()
        # Exact issue time and `exp` of each live access token, by jti: the `iat` claim is
        # whole seconds, too coarse for an early expiry under a second.
        self._issued_at: dict[str, tuple[float, int]] = {}
        self._signing_key = ec.generate_private_key(ec.SECP256R1())
        self._signing_pem = self._signing_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        self._verify_pem = (
            self._signing_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        self.kid = ids.hex(8)

    def configure(
        self, *, token_lifetime: float, refresh_token_lifetime: float, challenge_window: float
    ) -> None:
        """New lifetimes and mint window for tokens issued from now on."""
        with self._lock:
            self._token_lifetime = token_lifetime
            self._refresh_lifetime = refresh_token_lifetime
            self._window = challenge_window

    # --- keys -------------------------------------------------------------------------

    def register(
        self,
        key_id: str,
        uid: str,
        public_key: ec.EllipticCurvePublicKey,
        org_id: str | None = None,
    ) -> ApiKey:
        if not isinstance(public_key.curve, ec.SECP256R1):
            raise ValueError("API keys must be P-256")
        key = ApiKey(key_id, uid, public_key, org_id=org_id)
        with self._lock:
            self._keys[key_id] = key
        return key

    def revoke(self, key_id: str) -> None:
        with self._lock:
            key = self._keys[key_id]
            self._keys[key_id] = attrs.evolve(key, revoked=True)

    def key(self, key_id: str) -> ApiKey | None:
        with self._lock:
            return self._keys.get(key_id)

    def keys(self) -> list[ApiKey]:
        with self._lock:
            return list(self._keys.values())

    # --- mint and refresh ---------------------------------------------------------------

    def mint(self, body: object) -> TokenPair:
        """Check a `{key_id, timestamp, signature}` challenge and issue a token pair."""
        fields = _require_object(body)
        violations: list[Violation] = []
        key_id = fields.get("key_id")
        timestamp = fields.get("timestamp")
        signature = fields.get("signature")
        if not isinstance(key_id, str) or not key_id:
            violations.append(("key_id", "required string"))
        if not isinstance(timestamp, int) or isinstance(timestamp, bool):
            violations.append(("timestamp", "required integer (Unix seconds)"))
        if not isinstance(signature, str) or not signature:
            violations.append(("signature", "required string"))
        if violations:
            raise invalid(violations)
        assert isinstance(key_id, str) and isinstance(timestamp, int)
        assert isinstance(signature, str)
        key = self.key(key_id)
        if key is None or key.revoked:
            raise _unauthenticated("unknown or revoked API key")
        now = self._now()
        if abs(now - timestamp) > self._window:
            raise _unauthenticated(
                f"timestamp out of range: must be within {int(self._window)} s of server time"
            )
        raw = _decode_raw_signature(signature)
        if raw is None:
            raise _unauthenticated(
                "invalid signature: expected 64-byte raw r||s, base64url without padding"
            )
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        message = f"{key_id}.{timestamp}".encode()
        try:
            key.public_key.verify(der, message, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise _unauthenticated("invalid signature") from None
        return self._issue(key)

    def refresh(self, body: object) -> TokenPair:
        """Trade a live refresh token for a new pair; the old one stops working."""
        fields = _require_object(body)
        token = fields.get("refresh_token")
        if not isinstance(token, str) or not token:
            raise invalid([("refresh_token", "required string")])
        claims = self._decode(token)
        if claims.get("typ") != "refresh":
            raise _unauthenticated("not a refresh token")
        if int(claims.get("exp", 0)) <= self._now():
            raise _unauthenticated("refresh token expired")
        jti = str(claims.get("jti", ""))
        with self._lock:
            if jti not in self._live_refresh:
                raise _unauthenticated("refresh token already used or revoked")
            self._live_refresh.discard(jti)
        key = self.key(str(claims.get("key_id", "")))
        if key is None or key.revoked:
            raise _unauthenticated("unknown or revoked API key")
        return self._issue(key)

    def _issue(self, key: ApiKey) -> TokenPair:
        issued_at = self._now()
        now = int(issued_at)
        subject = f"{key.uid[:8]}@sandbox.truemarkets.invalid"
        access_exp = now + int(self._token_lifetime)
        base: dict[str, Any] = {"uid": key.uid, "sub": subject, "iat": now, "key_id": key.key_id}
        if key.org_id is not None:
            base[ORG_CLAIM] = key.org_id
        access_jti = self._ids.uuid()
        access = {**base, "exp": access_exp, "typ": "access", "jti": access_jti}
        refresh_jti = self._ids.uuid()
        refresh = {
            **base,
            "exp": now + int(self._refresh_lifetime),
            "typ": "refresh",
            "jti": refresh_jti,
        }
        with self._lock:
            self._live_refresh.add(refresh_jti)
            # Forget the issue times of tokens past their `exp`: they are refused anyway.
            for jti in [j for j, (_, exp) in self._issued_at.items() if exp <= issued_at]:
                del self._issued_at[jti]
            self._issued_at[access_jti] = (issued_at, access_exp)
        return TokenPair(self._encode(access), self._encode(refresh), access_exp)

    # --- bearer checks --------------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> Principal:
        """The principal of an `Authorization: Bearer` header, or a 401 Problem."""
        if not authorization:
            raise _unauthenticated("missing bearer token")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthenticated("authorization must be a Bearer token")
        claims = self._decode(token.strip())
        if claims.get("typ") != "access":
            raise _unauthenticated("not an access token")
        now = self._now()
        if int(claims.get("exp", 0)) <= now:
            raise _unauthenticated("token expired")
        early = self._early_expiry()
        if early is not None and now - self._issue_time(claims) >= early:
            raise _unauthenticated("token expired")
        key = self.key(str(claims.get("key_id", "")))
        if key is None or key.revoked:
            raise _unauthenticated("API key revoked")
        return Principal(uid=str(claims["uid"]), key_id=key.key_id, org_id=key.org_id)

    def _issue_time(self, claims: Mapping[str, Any]) -> float:
        """When the token was issued, exactly when this service issued it, else its `iat`."""
        with self._lock:
            known = self._issued_at.get(str(claims.get("jti", "")))
        return known[0] if known is not None else float(claims.get("iat", 0))

    def peek_key_id(self, authorization: str | None) -> str | None:
        """The key id in a bearer token without any checks (for rate-limit buckets)."""
        if not authorization or " " not in authorization:
            return None
        try:
            claims = jwt.get_unverified_claims(authorization.split(" ", 1)[1].strip())
        except JWTError:
            return None
        kid = claims.get("key_id")
        return kid if isinstance(kid, str) else None

    def jwks(self) -> dict[str, Any]:
        numbers = self._signing_key.public_key().public_numbers()

        def b64(value: int) -> str:
            return base64.urlsafe_b64encode(value.to_bytes(32, "big")).rstrip(b"=").decode()

        jwk = {"kty": "EC", "crv": "P-256", "x": b64(numbers.x), "y": b64(numbers.y)}
        return {"keys": [{**jwk, "kid": self.kid, "alg": _ALGORITHM, "use": "sig"}]}

    def _encode(self, claims: Mapping[str, Any]) -> str:
        return str(
            jwt.encode(
                dict(claims), self._signing_pem, algorithm=_ALGORITHM, headers={"kid": self.kid}
            )
        )

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            claims = jwt.decode(
                token,
                self._verify_pem,
                algorithms=[_ALGORITHM],
                options={"verify_exp": False, "verify_aud": False, "verify_iat": False},
            )
        except JWTError:
            raise _unauthenticated("invalid token") from None
        if not isinstance(claims, dict) or "uid" not in claims:
            raise _unauthenticated("invalid token")
        return claims


def _require_object(body: object) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise Problem(400, "request body must be a JSON object")
    return body
