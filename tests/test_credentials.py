"""Credentials: key files, PEM, JWK, environment; the ES256 challenge signature."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
import warnings
from pathlib import Path
from typing import Any

import ecdsa  # a second, independent ECDSA implementation, used only to verify
import jose.backends
import pytest
from conftest import FIXED_KEY_ID, RFC6979_D
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st
from jose.backends.cryptography_backend import CryptographyECKey

from truemarkets_gateway.credentials import (
    Credentials,
    KeyFilePermissionWarning,
    load_private_key,
    private_key_to_jwk,
    signer_key_from_env,
    write_key_file,
)
from truemarkets_gateway.errors import CredentialsError

# RFC 6979 A.2.5: the public point (compressed: Uy is odd, so 03) and the key as a JWK,
# written out from the RFC's hex (x, Ux, Uy), not computed by the code under test.
RFC6979_PUB = "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
RFC6979_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "YP7UuiVanTHJYet0xjVtaMBJuJI7Yfps5mliLmDyn7Y",
    "y": "eQP-EAi4vJmkGunpVii8ZPLxsgwtfp9Rd6PClNRGIpk",
    "d": "ya-p2EW6dRZrXCFXZ7HWk05Qw9s26JsSe4piKxIPZyE",
}


@pytest.fixture
def fixed() -> Credentials:
    return Credentials(FIXED_KEY_ID, ec.derive_private_key(RFC6979_D, ec.SECP256R1()))


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _verify_with_cryptography(
    public: ec.EllipticCurvePublicKey, raw: bytes, message: bytes
) -> None:
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, message, ec.ECDSA(hashes.SHA256()))


# --- the challenge signature -------------------------------------------------------------------


def test_known_answer_key_and_message(fixed: Credentials) -> None:
    assert fixed.public_key_compressed_hex == RFC6979_PUB
    assert private_key_to_jwk(fixed.private_key) == RFC6979_JWK
    assert (
        Credentials.challenge_message(FIXED_KEY_ID, 1767225600)
        == b"8f0c3d2e-5b7a-4c1e-9d3f-2a6b8c4e1f70.1767225600"
    )


def test_known_answer_signature_verifies_independently(fixed: Credentials) -> None:
    timestamp = 1767225600
    signature = fixed.sign_challenge(timestamp)
    assert len(signature) == 86
    assert "=" not in signature and "+" not in signature and "/" not in signature
    raw = _b64url_decode(signature)
    assert len(raw) == 64  # raw r||s (DER would be 70-72 bytes)
    message = f"{FIXED_KEY_ID}.{timestamp}".encode()
    _verify_with_cryptography(fixed.private_key.public_key(), raw, message)
    # The pure-Python ecdsa package, from the RFC 6979 public point alone, agrees.
    verifier = ecdsa.VerifyingKey.from_string(bytes.fromhex(RFC6979_PUB), curve=ecdsa.NIST256p)
    assert verifier.verify(raw, message, hashfunc=hashlib.sha256)
    # ...and refuses the same signature over another timestamp.
    with pytest.raises(ecdsa.BadSignatureError):
        verifier.verify(raw, f"{FIXED_KEY_ID}.{timestamp + 1}".encode(), hashfunc=hashlib.sha256)


@settings(max_examples=25, deadline=None)
@given(timestamp=st.integers(min_value=0, max_value=2**40))
def test_signature_round_trip(timestamp: int) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    creds = Credentials(str(uuid.uuid4()), key)
    signature = creds.sign_challenge(timestamp)
    raw = _b64url_decode(signature)
    assert len(raw) == 64 and len(signature) == 86 and "=" not in signature
    _verify_with_cryptography(key.public_key(), raw, f"{creds.key_id}.{timestamp}".encode())
    with pytest.raises(InvalidSignature):
        _verify_with_cryptography(key.public_key(), raw, f"{creds.key_id}.{timestamp}x".encode())


def test_signatures_are_randomised_but_all_verify(fixed: Credentials) -> None:
    signatures = {fixed.sign_challenge(42) for _ in range(5)}
    assert len(signatures) == 5  # ECDSA nonces: never compare signature bytes


def test_jose_uses_the_cryptography_backend(fixed: Credentials) -> None:
    assert jose.backends.ECKey is CryptographyECKey
    assert type(fixed._jose_key) is CryptographyECKey
    assert fixed._jose_key.prepared_key is fixed.private_key


# --- key files -----------------------------------------------------------------------------------


def _write(path: Path, content: Any, mode: int = 0o600) -> Path:
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    os.chmod(path, mode)
    return path


def _bundle(**changes: Any) -> dict[str, Any]:
    bundle: dict[str, Any] = {
        "key_id": FIXED_KEY_ID,
        "private_key": dict(RFC6979_JWK),
        "algorithm": "ES256",
        "label": "bot",
        "fingerprint": "SHA256:abc",
        "created_at": "2026-01-01T00:00:00Z",
    }
    for name, value in changes.items():
        if value is _DROP:
            bundle.pop(name, None)
        else:
            bundle[name] = value
    return bundle


_DROP = object()


def _jwk(**changes: Any) -> dict[str, Any]:
    jwk = dict(RFC6979_JWK)
    for name, value in changes.items():
        if value is _DROP:
            jwk.pop(name, None)
        else:
            jwk[name] = value
    return jwk


def test_loads_the_downloaded_key_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "truemarkets-api-key-edd1691b.json", _bundle())
    creds = Credentials.from_key_file(path)
    assert creds.key_id == FIXED_KEY_ID
    assert creds.public_key_compressed_hex == RFC6979_PUB


def test_minimal_key_file_without_algorithm_or_xy(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "k.json",
        {
            "key_id": FIXED_KEY_ID.upper(),
            "private_key": {"kty": "EC", "crv": "P-256", "d": RFC6979_JWK["d"]},
        },
    )
    creds = Credentials.from_key_file(path)
    assert creds.key_id == FIXED_KEY_ID  # normalised, as the wire form will be
    assert creds.public_key_compressed_hex == RFC6979_PUB


def test_key_file_path_expands_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    _write(tmp_path / "k.json", _bundle())
    assert Credentials.from_key_file("~/k.json").key_id == FIXED_KEY_ID


BAD_FILES = [
    ("malformed JSON", '{"key_id": "x", ', "malformed JSON"),
    ("deeply nested JSON", "[" * 60_000, "malformed JSON"),
    ("not an object", "[1, 2]", "expected a JSON object"),
    ("missing key_id", _bundle(key_id=_DROP), "missing key_id"),
    ("empty key_id", _bundle(key_id=""), "missing key_id"),
    ("numeric key_id", _bundle(key_id=5), "key_id must be a string (UUID)"),
    ("key_id an object", _bundle(key_id={"id": 1}), "key_id must be a string (UUID)"),
    ("key_id not a UUID", _bundle(key_id="my-key"), "key_id is not a UUID"),
    ("wrong kty", _bundle(private_key=_jwk(kty="RSA")), "kty is 'RSA', expected 'EC'"),
    ("wrong curve", _bundle(private_key=_jwk(crv="P-384")), "curve (crv) is 'P-384'"),
    ("missing d", _bundle(private_key=_jwk(d=_DROP)), "has no 'd'"),
    ("algorithm", _bundle(algorithm="RS256"), "unsupported algorithm 'RS256', expected 'ES256'"),
    ("missing private_key", _bundle(private_key=_DROP), "missing private_key"),
    ("private_key not an object", _bundle(private_key=5), "must be a JWK object"),
    ("d not base64url", _bundle(private_key=_jwk(d="!!!")), "not valid base64url"),
    ("d too long", _bundle(private_key=_jwk(d="A" * 60)), "not a P-256 private scalar"),
    ("d zero", _bundle(private_key=_jwk(d="AAAA")), "out of range"),
    ("x/y of another key", _bundle(private_key=_jwk(x=RFC6979_JWK["y"])), "do not belong"),
    ("jwk alg", _bundle(private_key=_jwk(alg="ES384")), "alg is 'ES384'"),
]


@pytest.mark.parametrize(("case", "content", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_key_files_have_specific_errors(
    tmp_path: Path, case: str, content: Any, message: str
) -> None:
    path = _write(tmp_path / "key.json", content)
    with pytest.raises(CredentialsError) as info:
        Credentials.from_key_file(path)
    text = str(info.value)
    assert message in text
    assert str(path) in text  # names the file
    assert RFC6979_JWK["d"] not in text and RFC6979_JWK["d"][:12] not in text
    assert info.value.__cause__ is None  # nothing chained that could carry key bytes


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="API key file not found"):
        Credentials.from_key_file(tmp_path / "nope.json")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="is a directory"):
        Credentials.from_key_file(tmp_path)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "key.json", _bundle())

    def refuse(*args: Any, **kwargs: Any) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)  # root ignores chmod 000
    with pytest.raises(
        CredentialsError, match=r"cannot read the API key file \(Permission denied\)"
    ):
        Credentials.from_key_file(path)


def test_binary_and_oversized_files(tmp_path: Path) -> None:
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    os.chmod(binary, 0o600)
    with pytest.raises(CredentialsError, match="not a text file"):
        Credentials.from_key_file(binary)
    big = _write(tmp_path / "big.json", " " * 100_000)
    with pytest.raises(CredentialsError, match="too large"):
        Credentials.from_key_file(big)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_fifo_and_devices_are_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "key.fifo"
    os.mkfifo(fifo, 0o600)  # no writer: a plain open() would block forever
    for path in (fifo, Path("/dev/zero"), Path("/dev/null")):
        if path.exists():
            with pytest.raises(CredentialsError, match="not a regular file"):
                Credentials.from_key_file(path)
    env = {"TM_KEY_FILE": str(fifo)}
    with pytest.raises(CredentialsError, match="not a regular file"):
        Credentials.from_env(env)


def test_key_file_is_read_with_a_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "k.json", _bundle())
    asked: list[int] = []
    real_read = os.read

    def read(fd: int, n: int) -> bytes:
        asked.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(os, "read", read)
    Credentials.from_key_file(path)
    assert asked and max(asked) <= 64 * 1024 + 1


def test_utf8_bom_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_bundle()).encode())
    os.chmod(path, 0o600)
    assert Credentials.from_key_file(path).key_id == FIXED_KEY_ID


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_warns_when_group_or_others_can_read(tmp_path: Path, mode: int) -> None:
    path = _write(tmp_path / "key.json", _bundle(), mode)
    with pytest.warns(KeyFilePermissionWarning, match="chmod 600") as record:
        Credentials.from_key_file(path)
    assert record[0].filename == __file__  # points at the caller


def test_no_warning_for_0600(tmp_path: Path) -> None:
    path = _write(tmp_path / "key.json", _bundle(), 0o600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Credentials.from_key_file(path)


def test_write_key_file_round_trip(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    key_id = str(uuid.uuid4())
    path = write_key_file(tmp_path / "sub" / "key.json", key_id, key, label="sandbox")
    assert path.stat().st_mode & 0o777 == 0o600
    data = json.loads(path.read_text())
    assert data["key_id"] == key_id and data["algorithm"] == "ES256" and data["label"] == "sandbox"
    assert set(data["private_key"]) == {"kty", "crv", "x", "y", "d"}
    loaded = Credentials.from_key_file(path)
    assert loaded.private_key.private_numbers() == key.private_numbers()
    # Overwriting keeps 0600 and leaves no temporary file behind.
    write_key_file(path, key_id, key)
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["key.json"]


def test_non_string_key_id_says_so(p256_key: ec.EllipticCurvePrivateKey) -> None:
    with pytest.raises(CredentialsError, match=r"key_id must be a string \(UUID\), got int"):
        Credentials(5, p256_key)  # type: ignore[arg-type]
    with pytest.raises(CredentialsError, match="missing key_id"):
        Credentials(None, p256_key)  # type: ignore[arg-type]


def test_write_key_file_creates_private_folders(
    tmp_path: Path, p256_key: ec.EllipticCurvePrivateKey
) -> None:
    previous = os.umask(0o022)
    try:
        path = write_key_file(tmp_path / "a" / "b" / "key.json", str(uuid.uuid4()), p256_key)
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "a" / "b").stat().st_mode & 0o777 == 0o700


def test_write_key_file_leaves_existing_folders_alone(
    tmp_path: Path, p256_key: ec.EllipticCurvePrivateKey
) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o755)
    write_key_file(folder / "key.json", str(uuid.uuid4()), p256_key)
    assert folder.stat().st_mode & 0o777 == 0o755


# --- PEM, JWK, scalars ---------------------------------------------------------------------------


def _pem(key: Any, fmt: serialization.PrivateFormat, password: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption)


@pytest.mark.parametrize(
    "fmt", [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL]
)
def test_from_pem(fixed: Credentials, fmt: serialization.PrivateFormat) -> None:
    pem = _pem(fixed.private_key, fmt)
    for value in (pem, pem.decode()):
        creds = Credentials.from_pem(FIXED_KEY_ID, value)
        assert creds.public_key_compressed_hex == RFC6979_PUB


def test_from_pem_encrypted(fixed: Credentials) -> None:
    pem = _pem(fixed.private_key, serialization.PrivateFormat.PKCS8, b"pw")
    with pytest.raises(CredentialsError, match="encrypted"):
        Credentials.from_pem(FIXED_KEY_ID, pem)
    assert Credentials.from_pem(FIXED_KEY_ID, pem, password=b"pw").key_id == FIXED_KEY_ID
    with pytest.raises(CredentialsError, match="wrong password"):
        Credentials.from_pem(FIXED_KEY_ID, pem, password=b"nope")


def test_from_pem_refuses_other_curves_and_key_types() -> None:
    p384 = _pem(ec.generate_private_key(ec.SECP384R1()), serialization.PrivateFormat.PKCS8)
    with pytest.raises(CredentialsError, match="secp384r1, expected P-256"):
        Credentials.from_pem(FIXED_KEY_ID, p384)
    rsa_pem = _pem(
        rsa.generate_private_key(public_exponent=65537, key_size=1024),
        serialization.PrivateFormat.PKCS8,
    )
    with pytest.raises(CredentialsError, match="not an EC private key"):
        Credentials.from_pem(FIXED_KEY_ID, rsa_pem)
    with pytest.raises(CredentialsError, match="not a readable PEM"):
        Credentials.from_pem(
            FIXED_KEY_ID, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"
        )


def test_from_pem_checks_the_key_id(fixed: Credentials) -> None:
    pem = _pem(fixed.private_key, serialization.PrivateFormat.PKCS8)
    with pytest.raises(CredentialsError, match="not a UUID"):
        Credentials.from_pem("nope", pem)


def test_from_jwk_dict_and_text() -> None:
    assert Credentials.from_jwk(FIXED_KEY_ID, RFC6979_JWK).public_key_compressed_hex == RFC6979_PUB
    text = json.dumps(RFC6979_JWK)
    assert Credentials.from_jwk(FIXED_KEY_ID, text).public_key_compressed_hex == RFC6979_PUB
    with pytest.raises(CredentialsError, match="malformed JSON"):
        Credentials.from_jwk(FIXED_KEY_ID, "{nope")
    with pytest.raises(CredentialsError, match="has no 'd'"):
        Credentials.from_jwk(FIXED_KEY_ID, _jwk(d=_DROP))


def test_load_private_key_accepts_every_form(fixed: Credentials) -> None:
    pem = _pem(fixed.private_key, serialization.PrivateFormat.PKCS8).decode()
    forms: list[Any] = [
        pem,
        pem.encode(),
        pem.replace("\n", "\\n"),  # squeezed onto one line in an env file
        RFC6979_JWK,
        json.dumps(RFC6979_JWK),
        _bundle(),  # a whole key file
        json.dumps(_bundle()),
        f"{RFC6979_D:064x}",
        f"0x{RFC6979_D:064X}",
    ]
    for form in forms:
        key = load_private_key(form)
        assert key.private_numbers().private_value == RFC6979_D


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("hello", "not a PEM private key, a JWK or a 64-hex-digit private scalar"),
        ("ab" * 31, "not a PEM private key"),
        ("0" * 64, "out of range"),
        ("f" * 64, "out of range"),
        ("{bad json", "malformed JSON"),
        ("[1]", "not a PEM private key"),
        (b"\xff\xfe", "not UTF-8"),
        ({"private_key": 3}, "must be a JWK object"),
    ],
)
def test_load_private_key_errors_name_the_source(value: Any, message: str) -> None:
    with pytest.raises(CredentialsError, match=r"^TM_SIGNER_KEY: ") as info:
        load_private_key(value, source="TM_SIGNER_KEY")
    assert message in str(info.value)


# --- environment ---------------------------------------------------------------------------------


def test_from_env_key_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "k.json", _bundle())
    creds = Credentials.from_env({"TM_KEY_FILE": str(path)})
    assert creds is not None and creds.key_id == FIXED_KEY_ID


def test_from_env_key_id_and_private_key(fixed: Credentials) -> None:
    pem = _pem(fixed.private_key, serialization.PrivateFormat.PKCS8).decode()
    for private in (pem, json.dumps(RFC6979_JWK)):
        creds = Credentials.from_env({"TM_KEY_ID": FIXED_KEY_ID, "TM_PRIVATE_KEY": private})
        assert creds is not None and creds.public_key_compressed_hex == RFC6979_PUB


def test_from_env_nothing_set() -> None:
    assert Credentials.from_env({}) is None
    assert Credentials.from_env({"TM_KEY_FILE": "  "}) is None


def test_from_env_half_set() -> None:
    with pytest.raises(CredentialsError, match="TM_PRIVATE_KEY is not"):
        Credentials.from_env({"TM_KEY_ID": FIXED_KEY_ID})
    with pytest.raises(CredentialsError, match="TM_KEY_ID is not"):
        Credentials.from_env({"TM_PRIVATE_KEY": json.dumps(RFC6979_JWK)})
    with pytest.raises(CredentialsError, match=r"^TM_KEY_ID: key_id is not a UUID"):
        Credentials.from_env({"TM_KEY_ID": "x", "TM_PRIVATE_KEY": json.dumps(RFC6979_JWK)})
    with pytest.raises(CredentialsError, match=r"^TM_PRIVATE_KEY: "):
        Credentials.from_env({"TM_KEY_ID": FIXED_KEY_ID, "TM_PRIVATE_KEY": "nonsense"})


def test_from_env_reads_os_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "k.json", _bundle())
    monkeypatch.setenv("TM_KEY_FILE", str(path))
    creds = Credentials.from_env()
    assert creds is not None and creds.key_id == FIXED_KEY_ID


def test_signer_key_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert signer_key_from_env({}) is None
    key = signer_key_from_env({"TM_SIGNER_KEY": f"{RFC6979_D:064x}"})
    assert key is not None and key.private_numbers().private_value == RFC6979_D
    monkeypatch.setenv("TM_SIGNER_KEY", json.dumps(RFC6979_JWK))
    assert signer_key_from_env() is not None
    with pytest.raises(CredentialsError, match=r"^TM_SIGNER_KEY: "):
        signer_key_from_env({"TM_SIGNER_KEY": "zzz"})


# --- secrecy -------------------------------------------------------------------------------------


def test_repr_and_str_hide_the_key(fixed: Credentials) -> None:
    d_hex = f"{RFC6979_D:064x}"
    expected = f"Credentials(key_id='{FIXED_KEY_ID}')"
    assert repr(fixed) == expected
    assert str(fixed) == expected
    assert f"{fixed}" == expected
    assert repr([fixed]) == f"[{expected}]"
    for text in (repr(fixed), str(fixed), f"{fixed}", repr([fixed])):
        assert RFC6979_JWK["d"] not in text and d_hex not in text


def test_constructor_validates(fixed: Credentials) -> None:
    with pytest.raises(CredentialsError, match="not a UUID"):
        Credentials("abc", fixed.private_key)
    with pytest.raises(CredentialsError, match="secp384r1"):
        Credentials(FIXED_KEY_ID, ec.generate_private_key(ec.SECP384R1()))  # type: ignore[arg-type]
