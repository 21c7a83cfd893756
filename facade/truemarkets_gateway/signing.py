"""Turnkey API-key stamps (`SIGNATURE_SCHEME_TK_API_P256`) over DeFi payloads: ECDSA P-256
over SHA-256 of the UTF-8 bytes, as Turnkey's stamper (tests/test_signing.py) but faster:
that re-derives the key on every stamp, this keeps the key object."""

from __future__ import annotations

import json
from base64 import urlsafe_b64encode
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from . import credentials as _credentials
from .credentials import Credentials

__all__ = ["AUTH_TYPE_API_KEY", "SIGNATURE_SCHEME", "SIGNER_KEY_ENV", "PayloadSigner"]
__all__ += ["SignablePayload", "execute_body", "sign_payloads"]

SIGNATURE_SCHEME = "SIGNATURE_SCHEME_TK_API_P256"
AUTH_TYPE_API_KEY = "api_key"
SIGNER_KEY_ENV = "TM_SIGNER_KEY"
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


class _HasPayload(Protocol):
    @property
    def payload(self) -> str: ...


SignablePayload = _HasPayload | str
"""An `UnsignedPayload` (anything with a `payload` string) or the payload string itself."""


class PayloadSigner:
    """Stamps payloads with one P-256 private key: the API key (`from_credentials`) or a
    wallet signer key (`from_key`, `from_env`). Only the public key is ever shown."""

    __slots__ = ("_head", "_key", "_public_key_hex")

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        self._key = _credentials._check_p256(private_key, source="signer key")
        self._public_key_hex = _credentials._compressed_hex(self._key)
        # Turnkey's json.dumps text up to the signature (ASCII hex needs no escaping).
        self._head = json.dumps({"publicKey": self._public_key_hex, "scheme": SIGNATURE_SCHEME})
        self._head = f'{self._head[:-1]}, "signature": "'

    @classmethod
    def from_key(
        cls, value: ec.EllipticCurvePrivateKey | str | bytes | Mapping[str, Any]
    ) -> PayloadSigner:
        """A signer from a key object, PEM, JWK, a key file's JSON or a 64-hex scalar."""
        if not isinstance(value, ec.EllipticCurvePrivateKey):
            value = _credentials.load_private_key(value, source="signer key")
        return cls(value)

    @classmethod
    def from_credentials(cls, credentials: Credentials) -> PayloadSigner:
        """A signer using the API key itself (the key that mints the tokens)."""
        return cls(getattr(credentials, "private_key", None))  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PayloadSigner | None:
        """The signer key in `TM_SIGNER_KEY` (any form `from_key` accepts), or None if unset."""
        key = _credentials.signer_key_from_env(environ)
        return None if key is None else cls(key)

    @property
    def public_key_hex(self) -> str:
        """The compressed SEC1 public key, lower-case hex (66 characters)."""
        return self._public_key_hex

    def stamp(self, payload: str) -> str:
        """The stamp for one payload string, signed over its UTF-8 bytes as given."""
        if not isinstance(payload, str):
            raise TypeError(f"cannot sign {type(payload).__name__}: not a payload string")
        der = self._key.sign(payload.encode(), _ECDSA_SHA256)
        return urlsafe_b64encode(f'{self._head}{der.hex()}"}}'.encode()).decode().rstrip("=")

    def sign_payloads(self, payloads: Sequence[SignablePayload]) -> list[str]:
        """One stamp per payload (a string or an `UnsignedPayload`), in the same order."""
        texts: list[Any] = [getattr(item, "payload", item) for item in payloads]  # str has none
        return [self.stamp(text) for text in texts]

    def __repr__(self) -> str:
        return f"PayloadSigner(public_key={self._public_key_hex!r})"

    def __reduce__(self) -> Any:
        raise TypeError("PayloadSigner holds a private key and cannot be pickled")


def sign_payloads(payloads: Sequence[SignablePayload], signer: PayloadSigner) -> list[str]:
    """One stamp per payload, in payload order (the same as `signer.sign_payloads`)."""
    return signer.sign_payloads(payloads)


def execute_body(stamps: Sequence[str]) -> dict[str, Any]:
    """The body of the execute endpoints (order, cancel, transfer) for these stamps."""
    if isinstance(stamps, str):
        raise TypeError("stamps must be a sequence of stamp strings, not one string")
    signatures = list(stamps)
    if not signatures:
        raise ValueError("execute needs at least one signature")
    return {"signatures": signatures, "auth_type": AUTH_TYPE_API_KEY}
