"""API-key credentials from a key file, PEM, JWK or the environment; never shows key material."""

from __future__ import annotations

import base64
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
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
from jose.backends.cryptography_backend import CryptographyECKey

from .environments import _caller_stacklevel
from .errors import CredentialsError

__all__ = ["Credentials", "KeyFilePermissionWarning", "load_private_key", "private_key_to_jwk"]
__all__ += ["signer_key_from_env", "write_key_file"]

_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_MAX_KEY_FILE = 64 * 1024


class KeyFilePermissionWarning(UserWarning):
    """The key file can be read or changed by users other than its owner."""


def _error(source: object, problem: str) -> CredentialsError:
    return CredentialsError(f"{source}: {problem}")


def _json_object(text: str, source: str, expected: str = "a JSON object (a JWK)") -> Any:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        where = f"line {getattr(exc, 'lineno', '?')}, column {getattr(exc, 'colno', '?')}"
        raise _error(source, f"malformed JSON ({where})") from None
    if not isinstance(data, Mapping):
        raise _error(source, f"expected {expected}")
    return data


def _b64url_decode(value: object) -> bytes | None:
    with contextlib.suppress(ValueError):
        if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_-]*", value):
            return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    return None


def _normalise_key_id(key_id: object, *, source: str) -> str:
    if key_id is not None and not isinstance(key_id, str):
        raise _error(source, f"key_id must be a string (UUID), got {type(key_id).__name__}")
    if key_id is None or not key_id.strip():
        raise _error(source, "missing key_id (the id shown on the API Keys page)")
    try:
        return str(uuid.UUID(key_id.strip()))
    except ValueError:  # not shown: a private key pasted in the wrong field must not leak
        raise _error(source, "key_id is not a UUID (copy it from the API Keys page)") from None


def _check_p256(key: object, *, source: str) -> EllipticCurvePrivateKey:
    if not isinstance(key, EllipticCurvePrivateKey):
        raise _error(source, "not an EC private key (True Markets API keys are EC P-256)")
    if not isinstance(key.curve, ec.SECP256R1):
        raise _error(source, f"the key is on curve {key.curve.name}, expected P-256 (secp256r1)")
    return key


def _compressed_hex(key: EllipticCurvePrivateKey) -> str:
    point = serialization.PublicFormat.CompressedPoint
    return key.public_key().public_bytes(serialization.Encoding.X962, point).hex()


def _key_from_scalar(d: int, *, source: str) -> EllipticCurvePrivateKey:
    if not 0 < d < _P256_ORDER:
        raise _error(source, "the private scalar is out of range for P-256")
    return ec.derive_private_key(d, ec.SECP256R1())


def _key_from_jwk(jwk: Mapping[str, Any], *, source: str) -> EllipticCurvePrivateKey:
    for name, want in (("kty", "EC"), ("crv", "P-256"), ("alg", "ES256")):
        if (got := jwk.get(name, want if name == "alg" else None)) != want:
            label = "curve (crv)" if name == "crv" else name
            raise _error(source, f"private_key {label} is {got!r}, expected {want!r}")
    if jwk.get("d") in (None, ""):
        raise _error(source, "private_key has no 'd': a public key, the private key is needed")
    if (d := _b64url_decode(jwk["d"])) is None:
        raise _error(source, "private_key 'd' is not valid base64url")
    if not 0 < len(d) <= 32:
        raise _error(source, "private_key 'd' is not a P-256 private scalar")
    key = _key_from_scalar(int.from_bytes(d, "big"), source=source)
    public = key.public_key().public_numbers()
    xy = [_b64url_decode(jwk.get(c)) for c in "xy"]
    if ("x" in jwk or "y" in jwk) and xy != [n.to_bytes(32, "big") for n in (public.x, public.y)]:
        raise _error(source, "private_key x/y do not belong to its 'd' (the key is corrupted)")
    return key


def _key_from_pem(pem: bytes, *, source: str, password: bytes | None) -> EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except TypeError:
        problem = "is encrypted; pass its password or decrypt it first"
        if password is not None:
            problem = "is not encrypted, yet a password was given"
        raise _error(source, f"the PEM key {problem}") from None
    except Exception:  # not chained: the parser's message is unhelpful and may echo key bytes
        problem = "not a readable PEM private key (wrong password, damaged text)"
        raise _error(source, problem) from None
    return _check_p256(key, source=source)


def load_private_key(
    value: str | bytes | Mapping[str, Any], *, source: str = "private key"
) -> EllipticCurvePrivateKey:
    """A P-256 private key from PEM, a JWK or key file (dict or JSON) or a 64-hex-digit scalar."""
    if isinstance(value, Mapping):
        jwk = value.get("private_key", value)
        if isinstance(jwk, Mapping):
            return _key_from_jwk(jwk, source=source)
        if isinstance(jwk, str | bytes):
            return load_private_key(jwk, source=source)
        raise _error(source, "private_key must be a JWK object")
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise _error(source, "not UTF-8 text") from None
    if not isinstance(value, str):
        raise _error(source, "expected PEM text, a JWK or a hex private scalar")
    text = value.strip()
    if text.startswith("-----BEGIN"):
        if "\\n" in text and "\n" not in text:
            text = text.replace("\\n", "\n")  # a PEM squeezed onto one line in an env file
        return _key_from_pem(text.encode("ascii", "replace"), source=source, password=None)
    if text.startswith("{"):
        return load_private_key(_json_object(text, source), source=source)
    if re.fullmatch(r"(0x)?[0-9a-fA-F]{64}", text):
        return _key_from_scalar(int(text.removeprefix("0x"), 16), source=source)
    raise _error(source, "not a PEM private key, a JWK or a 64-hex-digit private scalar")


def private_key_to_jwk(private_key: EllipticCurvePrivateKey) -> dict[str, str]:
    """The JWK (kty, crv, x, y, d) of a P-256 private key, as in the vendor's key file."""
    n = _check_p256(private_key, source="private_key").private_numbers()
    x, y, d = (
        base64.urlsafe_b64encode(v.to_bytes(32, "big")).rstrip(b"=").decode()
        for v in (n.public_numbers.x, n.public_numbers.y, n.private_value)
    )
    return {"kty": "EC", "crv": "P-256", "x": x, "y": y, "d": d}


def _read_key_file(path: Path) -> Any:
    # A regular file of at most 64 KiB: never a FIFO or a device, which could hang or never end.
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        try:
            mode, raw = os.fstat(fd).st_mode, b""
            while stat.S_ISREG(mode) and (chunk := os.read(fd, _MAX_KEY_FILE + 1 - len(raw))):
                raw += chunk
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise _error(path, "API key file not found") from None
    except OSError as exc:
        raise _error(path, f"cannot read the API key file ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        what = "a directory" if stat.S_ISDIR(mode) else "a device, FIFO or socket"
        raise _error(path, f"is {what}, not a regular file")
    if len(raw) > _MAX_KEY_FILE:
        raise _error(path, "too large to be an API key file (over 64 KiB)")
    if os.name == "posix" and mode & 0o077:
        shared = f"accessible by group or others (mode {stat.S_IMODE(mode):04o})"
        message = f"{path}: the API key file is {shared}; run: chmod 600 {path}"
        warnings.warn(message, KeyFilePermissionWarning, stacklevel=_caller_stacklevel())
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _error(path, "not a text file (expected the JSON key file)") from None
    return _json_object(text, str(path), "a JSON object with key_id and private_key")


class Credentials:
    """A True Markets API key: `key_id` (a UUID) and its P-256 `private_key`."""

    __slots__ = ("_jose_key", "key_id", "private_key")

    def __init__(self, key_id: str, private_key: EllipticCurvePrivateKey) -> None:
        self.key_id = _normalise_key_id(key_id, source="key_id")
        self.private_key = _check_p256(private_key, source="private_key")
        # The cryptography backend by name, so that it never falls back to pure-Python ecdsa.
        self._jose_key = CryptographyECKey(self.private_key, "ES256")

    def __repr__(self) -> str:
        return f"Credentials(key_id={self.key_id!r})"

    __str__ = __repr__

    @property
    def public_key_compressed_hex(self) -> str:
        """The public key as compressed SEC1 hex (66 characters), as Turnkey and the API use."""
        return _compressed_hex(self.private_key)

    @staticmethod
    def challenge_message(key_id: str, timestamp: int) -> bytes:
        """The exact bytes signed for a token mint: UTF-8 of `"{key_id}.{timestamp}"`."""
        return f"{key_id}.{int(timestamp)}".encode()

    def sign_challenge(self, timestamp: int) -> str:
        """ES256 over `"{key_id}.{timestamp}"`: raw 64-byte r||s, base64url, no padding."""
        raw = self._jose_key.sign(self.challenge_message(self.key_id, timestamp))
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @classmethod
    def from_key_file(cls, path: str | os.PathLike[str]) -> Credentials:
        """The key file as downloaded from the API Keys page; warns if others can access it."""
        file = Path(path).expanduser()
        data, source = _read_key_file(file), str(file)
        key_id = _normalise_key_id(data.get("key_id"), source=source)
        if (algorithm := data.get("algorithm")) not in (None, "ES256"):
            raise _error(source, f"unsupported algorithm {repr(algorithm)[:24]}, expected 'ES256'")
        if data.get("private_key") is None:
            raise _error(source, "missing private_key (the JWK with the 'd' value)")
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
        env = os.environ if environ is None else environ
        if key_file := env.get("TM_KEY_FILE", "").strip():
            return cls.from_key_file(key_file)
        key_id, private = env.get("TM_KEY_ID", "").strip(), env.get("TM_PRIVATE_KEY", "").strip()
        if not key_id and not private:
            return None
        if not private:
            raise CredentialsError("TM_KEY_ID is set but TM_PRIVATE_KEY is not")
        if not key_id:
            raise CredentialsError("TM_PRIVATE_KEY is set but TM_KEY_ID is not")
        key_id = _normalise_key_id(key_id, source="TM_KEY_ID")
        return cls(key_id, load_private_key(private, source="TM_PRIVATE_KEY"))


def signer_key_from_env(environ: Mapping[str, str] | None = None) -> EllipticCurvePrivateKey | None:
    """The separate payload-stamp key in `TM_SIGNER_KEY` (PEM, JWK or hex scalar), if set."""
    value = (os.environ if environ is None else environ).get("TM_SIGNER_KEY", "").strip()
    return load_private_key(value, source="TM_SIGNER_KEY") if value else None


def write_key_file(
    path: str | os.PathLike[str],
    key_id: str,
    private_key: EllipticCurvePrivateKey,
    *,
    label: str | None = None,
) -> Path:
    """Write a key file in the vendor's format, readable by its owner only (0600), atomically."""
    document = {
        "key_id": _normalise_key_id(key_id, source="key_id"),
        "private_key": private_key_to_jwk(private_key),
        "algorithm": "ES256",
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **({} if label is None else {"label": label}),
    }
    target = Path(path).expanduser()
    _write_private_file(target, json.dumps(document, indent=2) + "\n")
    return target


def _write_private_file(target: Path, text: str) -> None:
    """Write `text` atomically with mode 0600 (the token cache too); new folders get 0700."""
    for folder in reversed((target.parent, *target.parent.parents)):
        if not folder.exists():
            with contextlib.suppress(FileExistsError):  # made meanwhile: not ours to change
                folder.mkdir(mode=0o700)
                os.chmod(folder, 0o700)  # whatever the umask
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
