"""API-key credentials: loading the key (key file, PEM, JWK, environment) and the challenge.

Every error names the source and the problem, never key material; `repr()` shows only the
key id. The challenge signature is ES256 through python-jose's `cryptography` backend.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import re
import stat
import tempfile
import uuid
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose.backends.cryptography_backend import CryptographyECKey
from jose.constants import ALGORITHMS
from jose.utils import base64url_encode

from .environments import _caller_stacklevel
from .errors import CredentialsError

__all__ = [
    "Credentials",
    "KeyFilePermissionWarning",
    "load_private_key",
    "private_key_to_jwk",
    "signer_key_from_env",
    "write_key_file",
]

_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_MAX_KEY_FILE_BYTES = 64 * 1024
_HEX_SCALAR = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class KeyFilePermissionWarning(UserWarning):
    """The key file can be read or changed by users other than its owner."""


def _json_object(
    text: str, source: str, expected: str = "a JSON object (a JWK)"
) -> Mapping[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        where = f"line {getattr(exc, 'lineno', '?')}, column {getattr(exc, 'colno', '?')}"
        raise CredentialsError(f"{source}: malformed JSON ({where})") from None
    if not isinstance(data, Mapping):
        raise CredentialsError(f"{source}: expected {expected}")
    return data


def _b64url_decode(value: object) -> bytes | None:
    if not isinstance(value, str) or not _B64URL.match(value):
        return None
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def _b64url_int(value: int) -> str:
    return str(base64url_encode(value.to_bytes(32, "big")).decode("ascii"))


def _normalise_key_id(key_id: object, *, source: str) -> str:
    if key_id is not None and not isinstance(key_id, str):
        got = type(key_id).__name__
        raise CredentialsError(f"{source}: key_id must be a string (UUID), got {got}")
    if key_id is None or not key_id.strip():
        raise CredentialsError(f"{source}: missing key_id (the id shown on the API Keys page)")
    try:
        return str(uuid.UUID(key_id.strip()))
    except ValueError:
        # The value is not shown: a pasted private key in the wrong field must not leak.
        raise CredentialsError(
            f"{source}: key_id is not a UUID (expected the form "
            "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx from the API Keys page)"
        ) from None


def _check_p256(key: object, *, source: str) -> ec.EllipticCurvePrivateKey:
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise CredentialsError(
            f"{source}: not an EC private key (True Markets API keys are EC P-256)"
        )
    if not isinstance(key.curve, ec.SECP256R1):
        raise CredentialsError(
            f"{source}: the key is on curve {key.curve.name}, expected P-256 (secp256r1)"
        )
    return key


def _key_from_scalar(d: int, *, source: str) -> ec.EllipticCurvePrivateKey:
    if not 0 < d < _P256_ORDER:
        raise CredentialsError(f"{source}: the private scalar is out of range for P-256")
    return ec.derive_private_key(d, ec.SECP256R1())


def _key_from_jwk(jwk: Mapping[str, Any], *, source: str) -> ec.EllipticCurvePrivateKey:
    for name, label, want in (("kty", "kty", "EC"), ("crv", "curve (crv)", "P-256")):
        if jwk.get(name) != want:
            got = jwk.get(name)
            raise CredentialsError(f"{source}: private_key {label} is {got!r}, expected {want!r}")
    if jwk.get("alg", "ES256") != "ES256":
        raise CredentialsError(f"{source}: private_key alg is {jwk['alg']!r}, expected 'ES256'")
    if jwk.get("d") in (None, ""):
        raise CredentialsError(
            f"{source}: private_key has no 'd': this is a public key, the private key is needed"
        )
    if (d_bytes := _b64url_decode(jwk["d"])) is None:
        raise CredentialsError(f"{source}: private_key 'd' is not valid base64url")
    if not 0 < len(d_bytes) <= 32:
        raise CredentialsError(f"{source}: private_key 'd' is not a P-256 private scalar")
    key = _key_from_scalar(int.from_bytes(d_bytes, "big"), source=source)
    public = key.public_key().public_numbers()
    if ("x" in jwk or "y" in jwk) and (
        _b64url_decode(jwk.get("x")) != public.x.to_bytes(32, "big")
        or _b64url_decode(jwk.get("y")) != public.y.to_bytes(32, "big")
    ):
        raise CredentialsError(
            f"{source}: private_key x/y do not belong to its 'd' (the key is corrupted)"
        )
    return key


def _key_from_pem(
    pem: bytes, *, source: str, password: bytes | None = None
) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except TypeError:
        raise CredentialsError(
            f"{source}: the PEM key is encrypted; pass its password or decrypt it first"
            if password is None
            else f"{source}: the PEM key is not encrypted, yet a password was given"
        ) from None
    except Exception:
        # Not chained: the parser's message is unhelpful and should never echo key bytes.
        raise CredentialsError(
            f"{source}: not a readable PEM private key (wrong password, or damaged text)"
        ) from None
    return _check_p256(key, source=source)


def load_private_key(
    value: str | bytes | Mapping[str, Any], *, source: str = "private key"
) -> ec.EllipticCurvePrivateKey:
    """Load a P-256 private key from PEM, a JWK (dict or JSON text) or a 64-hex-digit scalar.

    A key-file JSON (`{"key_id": ..., "private_key": {...}}`) is accepted too, its JWK used.
    `source` names the value in error messages (e.g. `"TM_SIGNER_KEY"`).
    """
    if isinstance(value, Mapping):
        jwk = value.get("private_key", value)
        if isinstance(jwk, Mapping):
            return _key_from_jwk(jwk, source=source)
        if isinstance(jwk, str | bytes):
            return load_private_key(jwk, source=source)
        raise CredentialsError(f"{source}: private_key must be a JWK object")
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise CredentialsError(f"{source}: not UTF-8 text") from None
    if not isinstance(value, str):
        raise CredentialsError(f"{source}: expected PEM text, a JWK or a hex private scalar")
    text = value.strip()
    if text.startswith("-----BEGIN"):
        if "\\n" in text and "\n" not in text:
            text = text.replace("\\n", "\n")  # a PEM squeezed onto one line in an env file
        return _key_from_pem(text.encode("ascii", "replace"), source=source)
    if text.startswith("{"):
        return load_private_key(_json_object(text, source), source=source)
    if _HEX_SCALAR.match(text):
        return _key_from_scalar(int(text.removeprefix("0x"), 16), source=source)
    raise CredentialsError(
        f"{source}: not a PEM private key, a JWK or a 64-hex-digit private scalar"
    )


def private_key_to_jwk(private_key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    """The JWK (kty, crv, x, y, d) of a P-256 private key, as in the vendor's key file."""
    n = _check_p256(private_key, source="private_key").private_numbers()
    x, y, d = (_b64url_int(v) for v in (n.public_numbers.x, n.public_numbers.y, n.private_value))
    return {"kty": "EC", "crv": "P-256", "x": x, "y": y, "d": d}


def _warn_if_shared(path: Path, mode: int) -> None:
    if os.name == "posix" and mode & 0o077:
        warnings.warn(
            f"{path}: the API key file is accessible by group or others "
            f"(mode {stat.S_IMODE(mode):04o}); run: chmod 600 {path}",
            KeyFilePermissionWarning,
            stacklevel=_caller_stacklevel(),
        )


def _read_key_file(path: Path) -> Any:
    """The parsed key file: a regular file of at most 64 KiB (never a FIFO or a device,
    which could hang or never end)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise CredentialsError(f"{path}: API key file not found") from None
    except OSError as exc:
        raise CredentialsError(f"{path}: cannot read the API key file ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise CredentialsError(f"{path}: is a directory, not an API key file")
        if not stat.S_ISREG(info.st_mode):
            raise CredentialsError(f"{path}: not a regular file (a device, FIFO or socket)")
        raw = b""
        while len(raw) <= _MAX_KEY_FILE_BYTES:
            if not (chunk := os.read(fd, _MAX_KEY_FILE_BYTES + 1 - len(raw))):
                break
            raw += chunk
    except OSError as exc:
        raise CredentialsError(f"{path}: cannot read the API key file ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(raw) > _MAX_KEY_FILE_BYTES:
        raise CredentialsError(f"{path}: too large to be an API key file (over 64 KiB)")
    _warn_if_shared(path, info.st_mode)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CredentialsError(f"{path}: not a text file (expected the JSON key file)") from None
    return _json_object(text, str(path), "a JSON object with key_id and private_key")


class Credentials:
    """A True Markets API key: its `key_id` (UUID) and its P-256 private key.

    `repr()` and `str()` show the key id only. Build one with `from_key_file()`,
    `from_pem()`, `from_jwk()` or `from_env()`.
    """

    __slots__ = ("_jose_key", "key_id", "private_key")

    key_id: str
    private_key: ec.EllipticCurvePrivateKey

    def __init__(self, key_id: str, private_key: ec.EllipticCurvePrivateKey) -> None:
        self.key_id = _normalise_key_id(key_id, source="key_id")
        self.private_key = _check_p256(private_key, source="private_key")
        # python-jose's cryptography backend, imported by name so it can never fall back to
        # the pure-Python ecdsa backend.
        self._jose_key = CryptographyECKey(self.private_key, ALGORITHMS.ES256)

    def __repr__(self) -> str:
        return f"Credentials(key_id={self.key_id!r})"

    __str__ = __repr__

    @property
    def public_key_compressed_hex(self) -> str:
        """The public key as compressed SEC1 hex (66 characters), as Turnkey and the API use."""
        return (
            self.private_key.public_key()
            .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
            .hex()
        )

    @staticmethod
    def challenge_message(key_id: str, timestamp: int) -> bytes:
        """The exact bytes signed for a token mint: UTF-8 of `"{key_id}.{timestamp}"`."""
        return f"{key_id}.{int(timestamp)}".encode()

    def sign_challenge(self, timestamp: int) -> str:
        """ES256 over `"{key_id}.{timestamp}"`: raw 64-byte r||s, base64url, no padding."""
        raw = self._jose_key.sign(self.challenge_message(self.key_id, timestamp))
        if len(raw) != 64:  # pragma: no cover - guaranteed for P-256
            raise CredentialsError("challenge signature has an unexpected length")
        return str(base64url_encode(raw).decode("ascii"))

    @classmethod
    def from_key_file(cls, path: str | os.PathLike[str]) -> Credentials:
        """Load the JSON key file exactly as downloaded from the API Keys page.

        `{"key_id": "<uuid>", "private_key": {"kty": "EC", "crv": "P-256", "x", "y", "d"},
        "algorithm": "ES256"}` (`algorithm` optional). Warns (`KeyFilePermissionWarning`)
        when the file is accessible by group or others.
        """
        file = Path(path).expanduser()
        data, source = _read_key_file(file), str(file)
        key_id = _normalise_key_id(data.get("key_id"), source=source)
        algorithm = data.get("algorithm")
        if algorithm is not None and algorithm != "ES256":
            shown = repr(algorithm)[:24]
            raise CredentialsError(f"{source}: unsupported algorithm {shown}, expected 'ES256'")
        if data.get("private_key") is None:
            raise CredentialsError(f"{source}: missing private_key (the JWK with the 'd' value)")
        return cls(key_id, load_private_key(data, source=source))

    @classmethod
    def from_pem(
        cls, key_id: str, pem: str | bytes, *, password: bytes | None = None
    ) -> Credentials:
        """A PEM private key (PKCS#8 or SEC1 "EC PRIVATE KEY") plus its key id."""
        key_id = _normalise_key_id(key_id, source="key_id")
        data = pem.encode("utf-8") if isinstance(pem, str) else pem
        return cls(key_id, _key_from_pem(data, source="PEM key", password=password))

    @classmethod
    def from_jwk(cls, key_id: str, jwk: Mapping[str, Any] | str) -> Credentials:
        """A private JWK (dict or JSON text) plus its key id."""
        key_id = _normalise_key_id(key_id, source="key_id")
        data = _json_object(jwk, "JWK") if isinstance(jwk, str) else jwk
        return cls(key_id, _key_from_jwk(data, source="JWK"))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials | None:
        """`TM_KEY_FILE`, else `TM_KEY_ID` with `TM_PRIVATE_KEY` (PEM or JWK JSON); else None."""
        source = os.environ if environ is None else environ
        key_file = source.get("TM_KEY_FILE", "").strip()
        if key_file:
            return cls.from_key_file(key_file)
        key_id = source.get("TM_KEY_ID", "").strip()
        private = source.get("TM_PRIVATE_KEY", "").strip()
        if not key_id and not private:
            return None
        if not private:
            raise CredentialsError("TM_KEY_ID is set but TM_PRIVATE_KEY is not")
        if not key_id:
            raise CredentialsError("TM_PRIVATE_KEY is set but TM_KEY_ID is not")
        key_id = _normalise_key_id(key_id, source="TM_KEY_ID")
        return cls(key_id, load_private_key(private, source="TM_PRIVATE_KEY"))


def signer_key_from_env(
    environ: Mapping[str, str] | None = None,
) -> ec.EllipticCurvePrivateKey | None:
    """The separate payload-stamp key in `TM_SIGNER_KEY` (PEM, JWK or hex scalar), if set."""
    value = (os.environ if environ is None else environ).get("TM_SIGNER_KEY", "").strip()
    return load_private_key(value, source="TM_SIGNER_KEY") if value else None


def write_key_file(
    path: str | os.PathLike[str],
    key_id: str,
    private_key: ec.EllipticCurvePrivateKey,
    *,
    label: str | None = None,
) -> Path:
    """Write a key file in the vendor's format, readable by its owner only (0600).

    The file is written to a temporary name in the same folder and renamed into place.
    """
    key_id = _normalise_key_id(key_id, source="key_id")
    document: dict[str, Any] = {
        "key_id": key_id,
        "private_key": private_key_to_jwk(private_key),
        "algorithm": "ES256",
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if label is not None:
        document["label"] = label
    target = Path(path).expanduser()
    _write_private_file(target, json.dumps(document, indent=2) + "\n")
    return target


def _make_private_dirs(folder: Path) -> None:
    """Create `folder` and any missing parents with mode 0700 (whatever the umask)."""
    for path in reversed((folder, *folder.parents)):
        if path.exists():
            continue
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            continue  # created meanwhile by someone else: not ours to change
        os.chmod(path, 0o700)


def _write_private_file(target: Path, text: str) -> None:
    """Atomically write `text` to `target` with mode 0600 (shared with the token cache).

    Folders that do not exist yet are created 0700; existing ones are left as they are.
    """
    _make_private_dirs(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp made it 0600
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
