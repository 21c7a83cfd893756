"""Known-answer and property tests for the Turnkey payload stamps."""

from __future__ import annotations

import base64
import hashlib
import json
import pickle
import re
from dataclasses import dataclass

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from truemarkets_gateway.errors import CredentialsError
from truemarkets_gateway.signing import (
    SIGNATURE_SCHEME,
    PayloadSigner,
    execute_body,
    sign_payloads,
)

# RFC 6979 appendix A.2.5 (P-256) private key and its public point; Uy is odd, so 03 prefix.
RFC6979_D = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
RFC6979_PUB = "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
# d = 1 gives the generator G; Gy is odd.
G_COMPRESSED = "036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"

PAYLOAD = "AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzA="
STAMP_RE = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Payload:
    digest: str
    payload: str


def decode_stamp(stamp: str) -> dict[str, str]:
    assert STAMP_RE.match(stamp), "stamp must be base64url without padding"
    raw = base64.urlsafe_b64decode(stamp + "=" * (-len(stamp) % 4))
    data = json.loads(raw)
    assert isinstance(data, dict)
    return data


def public_key(hex_key: str) -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), bytes.fromhex(hex_key))


def verifies(hex_key: str, signature_hex: str, message: bytes) -> bool:
    try:
        public_key(hex_key).verify(bytes.fromhex(signature_hex), message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


@pytest.fixture
def signer() -> PayloadSigner:
    return PayloadSigner.from_key(RFC6979_D)


# --- known answers ---------------------------------------------------------------------------


def test_public_key_known_answers() -> None:
    assert PayloadSigner.from_key(RFC6979_D).public_key_hex == RFC6979_PUB
    assert PayloadSigner.from_key("00" * 31 + "01").public_key_hex == G_COMPRESSED


def test_stamp_fields_and_signature_over_exact_payload_bytes(signer: PayloadSigner) -> None:
    stamp = signer.stamp(PAYLOAD)
    data = decode_stamp(stamp)
    assert set(data) == {"publicKey", "signature", "scheme"}
    assert data["publicKey"] == RFC6979_PUB
    assert data["scheme"] == SIGNATURE_SCHEME == "SIGNATURE_SCHEME_TK_API_P256"
    sig = data["signature"]
    assert re.fullmatch(r"[0-9a-f]+", sig) and sig.startswith("30"), "DER, lower-case hex"
    assert verifies(RFC6979_PUB, sig, PAYLOAD.encode("utf-8"))
    # Not the base64-decoded bytes, not the digest.
    assert not verifies(RFC6979_PUB, sig, base64.b64decode(PAYLOAD))
    digest_hex = hashlib.sha256(PAYLOAD.encode()).hexdigest()
    assert not verifies(RFC6979_PUB, sig, digest_hex.encode())
    assert not verifies(RFC6979_PUB, sig, bytes.fromhex(digest_hex))


def test_non_ascii_payload_is_signed_as_utf8(signer: PayloadSigner) -> None:
    text = "ünïcødé payload ✓"
    data = decode_stamp(signer.stamp(text))
    assert verifies(RFC6979_PUB, data["signature"], text.encode("utf-8"))


def test_three_payloads_one_stamp_each_in_order(signer: PayloadSigner) -> None:
    payloads = [Payload(digest=f"d{i}", payload=f"cGF5bG9hZC0{i}") for i in range(3)]
    stamps = signer.sign_payloads(payloads)
    assert len(stamps) == 3
    for item, stamp in zip(payloads, stamps, strict=True):
        sig = decode_stamp(stamp)["signature"]
        assert verifies(RFC6979_PUB, sig, item.payload.encode())
        others = [p for p in payloads if p is not item]
        assert not any(verifies(RFC6979_PUB, sig, o.payload.encode()) for o in others)
    # Strings work as well, and the module-level function is the same thing.
    assert len(sign_payloads([p.payload for p in payloads], signer)) == 3
    assert signer.sign_payloads([]) == []


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=200))
def test_any_payload_text_verifies(text: str) -> None:
    s = PayloadSigner.from_key(RFC6979_D)
    data = decode_stamp(s.stamp(text))
    assert verifies(RFC6979_PUB, data["signature"], text.encode("utf-8"))


def test_execute_body() -> None:
    assert execute_body(["a", "b", "c"]) == {"signatures": ["a", "b", "c"], "auth_type": "api_key"}
    with pytest.raises(ValueError):
        execute_body([])
    with pytest.raises(TypeError):
        execute_body("abc")


def test_stamp_refuses_non_string(signer: PayloadSigner) -> None:
    with pytest.raises(TypeError):
        signer.stamp(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        signer.sign_payloads([object()])  # type: ignore[list-item]


# --- key forms -------------------------------------------------------------------------------


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int(RFC6979_D, 16), ec.SECP256R1())


def _b64url(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes(32, "big")).decode().rstrip("=")


def _jwk() -> dict[str, str]:
    numbers = _key().private_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64url(numbers.public_numbers.x),
        "y": _b64url(numbers.public_numbers.y),
        "d": _b64url(numbers.private_value),
    }


@pytest.mark.parametrize(
    "form",
    ["object", "pkcs8", "sec1", "pem-bytes", "jwk", "jwk-json", "key-file", "hex", "0xhex"],
)
def test_key_forms(form: str) -> None:
    key = _key()
    value: object
    if form == "object":
        value = key
    elif form in ("pkcs8", "pem-bytes"):
        value = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        if form == "pkcs8":
            value = value.decode()
    elif form == "sec1":
        value = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()
    elif form == "jwk":
        value = _jwk()
    elif form == "jwk-json":
        value = json.dumps(_jwk())
    elif form == "key-file":
        value = json.dumps({"key_id": "k", "private_key": _jwk(), "algorithm": "ES256"})
    elif form == "hex":
        value = RFC6979_D.upper()
    else:
        value = "0x" + RFC6979_D
    assert PayloadSigner.from_key(value).public_key_hex == RFC6979_PUB  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "not a key",
        "zz" * 32,
        "00" * 32,
        "ff" * 32,  # above the group order
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
        '{"kty": "RSA", "d": "AAAA"}',
        '{"kty": "EC", "crv": "P-256"}',
        "{not json",
    ],
)
def test_bad_keys_raise_credentials_error_without_echo(bad: str) -> None:
    with pytest.raises(CredentialsError) as info:
        PayloadSigner.from_key(bad)
    if len(bad) > 8:
        assert bad not in str(info.value)


def test_wrong_curve_refused() -> None:
    with pytest.raises(CredentialsError):
        PayloadSigner(ec.generate_private_key(ec.SECP384R1()))


def test_from_credentials_uses_the_api_key() -> None:
    @dataclass
    class Creds:
        key_id: str
        private_key: ec.EllipticCurvePrivateKey

    assert PayloadSigner.from_credentials(Creds("k", _key())).public_key_hex == RFC6979_PUB
    with pytest.raises(CredentialsError):
        PayloadSigner.from_credentials(object())


def test_from_env() -> None:
    assert PayloadSigner.from_env({}) is None
    assert PayloadSigner.from_env({"TM_SIGNER_KEY": "  "}) is None
    signer = PayloadSigner.from_env({"TM_SIGNER_KEY": RFC6979_D})
    assert signer is not None and signer.public_key_hex == RFC6979_PUB
    with pytest.raises(CredentialsError) as info:
        PayloadSigner.from_env({"TM_SIGNER_KEY": "nonsense-value"})
    assert "TM_SIGNER_KEY" in str(info.value)
    assert "nonsense-value" not in str(info.value)


# --- secrecy ---------------------------------------------------------------------------------


def test_repr_shows_only_public_key(signer: PayloadSigner) -> None:
    text = repr(signer) + str(signer)
    assert RFC6979_PUB in text
    assert RFC6979_D not in text.lower()
    assert not hasattr(signer, "__dict__")
    with pytest.raises(TypeError):
        pickle.dumps(signer)


# --- compatibility with Turnkey's own stamper ----------------------------------------------


def _turnkey_stamp(private_hex: str, public_hex: str, payload: str) -> str:
    from turnkey_api_key_stamper import ApiKeyStamper, ApiKeyStamperConfig

    stamper = ApiKeyStamper(ApiKeyStamperConfig(public_hex, private_hex))
    return stamper.stamp(payload).stamp_header_value


def _raw(stamp: str) -> bytes:
    return base64.urlsafe_b64decode(stamp + "=" * (-len(stamp) % 4))


@pytest.mark.parametrize("payload", [PAYLOAD, "", "ünïcødé ✓", '{"a": "b\\"}'])
@pytest.mark.parametrize("private_hex", [RFC6979_D, "00" * 31 + "01", "7f" * 32])
def test_stamps_are_byte_compatible_with_turnkeys_stamper(private_hex: str, payload: str) -> None:
    ours = PayloadSigner.from_key(private_hex)
    theirs = _turnkey_stamp(private_hex, ours.public_key_hex, payload)
    mine = ours.stamp(payload)
    ours_data, their_data = decode_stamp(mine), decode_stamp(theirs)
    # Same fields in the same order, same public key and scheme; signatures differ per call.
    assert list(ours_data) == list(their_data) == ["publicKey", "scheme", "signature"]
    assert ours_data["publicKey"] == their_data["publicKey"] == ours.public_key_hex
    assert ours_data["scheme"] == their_data["scheme"]
    # Byte-identical JSON once the signature is swapped in: same spacing, quoting, encoding.
    assert _raw(mine) == _raw(theirs).replace(
        their_data["signature"].encode(), ours_data["signature"].encode()
    )
    assert mine == base64.urlsafe_b64encode(_raw(mine)).decode().rstrip("=")
    # Each verifies the other's signature with the one public key, over the payload bytes.
    for sig in (ours_data["signature"], their_data["signature"]):
        assert verifies(ours.public_key_hex, sig, payload.encode("utf-8"))
        assert not verifies(ours.public_key_hex, sig, (payload + " ").encode("utf-8"))


def test_signer_keeps_the_key_object_and_says_why(signer: PayloadSigner) -> None:
    assert isinstance(signer._key, ec.EllipticCurvePrivateKey)
    doc = __import__("truemarkets_gateway.signing", fromlist=["x"]).__doc__ or ""
    assert "re-derives the key" in doc and "tests/test_signing.py" in doc
