"""Unsigned payloads the sandbox hands out, and the checks on the stamps that come back.

A payload is base64 text of a small JSON description of the would-be transaction; its
digest is the hex SHA-256 of that text. A stamp is Turnkey's API-key stamp: base64url (no
padding) of `{"publicKey", "signature", "scheme"}`, where `signature` is a DER hex ECDSA
P-256/SHA-256 signature over the payload text's UTF-8 bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from truemarkets_gateway.sandbox.problems import Problem, invalid

__all__ = ["SCHEME", "Payload", "compressed_hex", "make_payload", "verify_execute_body"]

SCHEME = "SIGNATURE_SCHEME_TK_API_P256"


@attrs.frozen
class Payload:
    digest: str
    payload: str
    created_at: float

    def to_json(self) -> dict[str, str]:
        return {"digest": self.digest, "payload": self.payload}


def make_payload(description: Mapping[str, Any], nonce: str, now: float) -> Payload:
    """A payload whose text encodes `description`, unique through `nonce`."""
    document = json.dumps({**description, "nonce": nonce}, sort_keys=True, separators=(",", ":"))
    text = base64.b64encode(document.encode()).decode()
    return Payload(hashlib.sha256(text.encode()).hexdigest(), text, now)


def compressed_hex(public_key: ec.EllipticCurvePublicKey) -> str:
    """The compressed SEC1 form, lower-case hex (66 characters), as stamps carry it."""
    return public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    ).hex()


@attrs.frozen
class _Stamp:
    public_key: str
    signature: bytes


def _decode_stamp(index: int, text: object) -> _Stamp:
    where = f"signatures[{index}]"
    if not isinstance(text, str) or not text:
        raise invalid([(where, "must be a non-empty stamp string")])
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        document = json.loads(raw)
    except (ValueError, binascii.Error):
        raise invalid([(where, "not a base64url JSON stamp")]) from None
    if not isinstance(document, dict):
        raise invalid([(where, "not a base64url JSON stamp")])
    public_key = document.get("publicKey")
    signature = document.get("signature")
    scheme = document.get("scheme")
    if scheme != SCHEME:
        raise invalid([(where, f"scheme must be {SCHEME}")])
    if not isinstance(public_key, str) or not isinstance(signature, str):
        raise invalid([(where, "stamp needs publicKey and signature")])
    try:
        der = bytes.fromhex(signature)
    except ValueError:
        raise invalid([(where, "signature must be DER hex")]) from None
    return _Stamp(public_key.lower(), der)


def _verifies(public_key: ec.EllipticCurvePublicKey, stamp: _Stamp, payload: Payload) -> bool:
    try:
        public_key.verify(stamp.signature, payload.payload.encode(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_execute_body(
    body: object,
    payloads: Sequence[Payload],
    signer: ec.EllipticCurvePublicKey,
) -> None:
    """Check `{signatures, auth_type}` against `payloads` and the account's signer key.

    400 for a malformed body, an `auth_type` other than `api_key`, a wrong count or stamps in
    the wrong order; 401 when a stamp
    was made with another key or its signature does not verify.
    """
    if not isinstance(body, Mapping):
        raise Problem(400, "request body must be a JSON object")
    signatures = body.get("signatures")
    auth_type = body.get("auth_type")
    violations = []
    if not isinstance(signatures, list) or not signatures:
        violations.append(("signatures", "required: one stamp per payload, in payload order"))
    if auth_type != "api_key":
        # The sandbox has no passkeys: web_authn assertions cannot be checked here.
        violations.append(("auth_type", "must be api_key (the sandbox has no passkeys)"))
    if violations:
        raise invalid(violations)
    assert isinstance(signatures, list)
    if len(signatures) != len(payloads):
        raise invalid(
            [
                (
                    "signatures",
                    f"expected {len(payloads)} stamps (one per payload), got {len(signatures)}",
                )
            ]
        )
    stamps = [_decode_stamp(i, text) for i, text in enumerate(signatures)]
    expected_key = compressed_hex(signer)
    for i, stamp in enumerate(stamps):
        if stamp.public_key != expected_key:
            raise Problem(
                401,
                f"signatures[{i}] was not made by the account's registered signer key",
                type="unauthenticated",
            )
    for i, stamp in enumerate(stamps):
        if _verifies(signer, stamp, payloads[i]):
            continue
        for j, other in enumerate(payloads):
            if j != i and _verifies(signer, stamp, other):
                raise invalid(
                    [
                        (
                            "signatures",
                            f"signatures[{i}] signs payloads[{j}]: stamps are out of order",
                        )
                    ],
                    message="stamps are out of order: send one stamp per payload, in payload order",
                )
        raise Problem(
            401,
            f"invalid signature: signatures[{i}] does not verify over payloads[{i}]",
            type="unauthenticated",
        )
