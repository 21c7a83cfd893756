"""Fresh P-256 API keys and key files in the vendor's download format.

`{"key_id", "private_key": {kty, crv, x, y, d}, "algorithm": "ES256", "label", "created_at"}`,
written with mode 0600 because it holds the private key.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from truemarkets_gateway.sandbox.values import format_time

__all__ = ["key_file_document", "private_jwk", "write_key_file"]


def _b64(value: int) -> str:
    return base64.urlsafe_b64encode(value.to_bytes(32, "big")).rstrip(b"=").decode()


def private_jwk(private_key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    numbers = private_key.private_numbers()
    public = numbers.public_numbers
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64(public.x),
        "y": _b64(public.y),
        "d": _b64(numbers.private_value),
    }


def key_file_document(
    key_id: str, private_key: ec.EllipticCurvePrivateKey, created_at: float, label: str
) -> dict[str, Any]:
    return {
        "key_id": key_id,
        "private_key": private_jwk(private_key),
        "algorithm": "ES256",
        "label": label,
        "created_at": format_time(created_at),
    }


def write_key_file(path: str | os.PathLike[str], document: dict[str, Any]) -> Path:
    """Write the key file readable by its owner only (created 0600, never wider)."""
    target = Path(path)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    os.chmod(target, 0o600)
    return target
