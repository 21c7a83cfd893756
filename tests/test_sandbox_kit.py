"""Shared helpers for the sandbox tests: a fake clock, token minting, Turnkey stamps, a
logged-in gateway session, and a checker that validates every response against our specs.

(Named test_sandbox_* so it sits with the sandbox tests; it holds one self-check.)
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from turnkey_api_key_stamper import ApiKeyStamper, ApiKeyStamperConfig

from truemarkets_gateway.sandbox import Sandbox, SandboxConfig

LOOPBACK = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])
pytestmark = LOOPBACK

ROOT = Path(__file__).resolve().parents[1]
SOL_MINT = "So11111111111111111111111111111111111111112"
BASE_WETH = "0x4200000000000000000000000000000000000006"
HL_BTC = "0x8f254b963e8468305d409b33aa137c67"
BTC_ID = "b2538174-aae3-4b55-b79f-ac177c99f816"
USDC_CEFI_ID = "a1c3e5f7-9b2d-4f6a-8c0e-1a3c5e7f9b2d"
USDC_SOLANA_ID = "c0a80101-0000-4000-8000-000000000002"


class Clock:
    """A settable clock (Unix seconds) for `SandboxConfig(clock=...)`."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def challenge(private_key: ec.EllipticCurvePrivateKey, key_id: str, timestamp: int) -> str:
    """ES256 over "{key_id}.{timestamp}", raw r||s, base64url without padding."""
    der = private_key.sign(f"{key_id}.{timestamp}".encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def stamp(private_key: ec.EllipticCurvePrivateKey, payload: str) -> str:
    """A Turnkey API-key stamp over the payload text, made by Turnkey's own stamper."""
    public_hex = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
        .hex()
    )
    private_hex = format(private_key.private_numbers().private_value, "064x")
    stamper = ApiKeyStamper(ApiKeyStamperConfig(public_hex, private_hex))
    return str(stamper.stamp(payload).stamp_header_value)


def execute_body(
    private_key: ec.EllipticCurvePrivateKey, payloads: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "signatures": [stamp(private_key, p["payload"]) for p in payloads],
        "auth_type": "api_key",
    }


# --- response checks against openapi/*.yaml ---------------------------------------------------


class SpecChecker:
    """Validates a response body against the schema our spec gives for its operation and status.

    Strict: both specs must load, and a response fails the check when its route is not in a
    spec, its status is not documented for that operation, or the documented status has no
    JSON schema. A test that means to step off the spec uses an unchecked client.
    """

    PREFIXES = (
        ("/v1/gateway", "gateway"),
        ("/v1/conductor", "gateway"),
        ("/v1/auth", "auth"),
        ("/v1/account", "account"),
    )

    def __init__(self, root: Path = ROOT) -> None:
        self._specs: dict[str, dict[str, Any]] = {}
        resources = []
        for name in ("gateway", "auth", "account"):
            path = root / "openapi" / f"{name}.yaml"
            if not path.is_file():
                raise FileNotFoundError(f"{path} is missing: the sandbox checks need our specs")
            spec = yaml.safe_load(path.read_text())
            self._specs[name] = spec
            resources.append(
                (f"urn:{name}", Resource.from_contents(spec, default_specification=DRAFT202012))
            )
        self._registry: Registry[Any] = Registry().with_resources(resources)
        self.checked = 0

    def _operation(self, method: str, path: str) -> tuple[str, str, dict[str, Any]]:
        for prefix, name in self.PREFIXES:
            if path.startswith(prefix + "/"):
                rel = path[len(prefix) :]
                for template, item in self._specs[name]["paths"].items():
                    pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
                    if re.match(pattern, rel) and method.lower() in item:
                        return name, template, item[method.lower()]
                raise AssertionError(f"{method} {path}: no such operation in openapi/{name}.yaml")
        raise AssertionError(f"{method} {path}: not under a specified base ({self.PREFIXES})")

    def check(self, response: httpx.Response) -> None:
        name, template, operation = self._operation(
            response.request.method, response.request.url.path
        )
        status = str(response.status_code)
        responses = operation["responses"]
        assert status in responses or "default" in responses, (
            f"{response.request.method} {template} answered {status}, not in the spec"
        )
        key = status if status in responses else "default"
        entry = responses[key]
        pointer = f"/paths/{template.replace('/', '~1')}/{response.request.method.lower()}/responses/{key}"
        if "$ref" in entry:
            pointer = entry["$ref"].removeprefix("#")
            entry = self._resolve(name, pointer)
        content = entry.get("content", {}).get("application/json")
        assert content is not None and "schema" in content, (
            f"{response.request.method} {template} {status}: the spec gives no JSON schema"
        )
        schema_ref = f"urn:{name}#{pointer}/content/application~1json/schema"
        validator = Draft202012Validator({"$ref": schema_ref}, registry=self._registry)
        errors = sorted(validator.iter_errors(response.json()), key=lambda e: e.path)
        assert not errors, (
            f"{response.request.method} {template} {status}: {errors[0].message} at {list(errors[0].path)}"
        )
        self.checked += 1

    def _resolve(self, name: str, pointer: str) -> dict[str, Any]:
        node: Any = self._specs[name]
        for part in pointer.strip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return dict(node)

    def hook(self, response: httpx.Response) -> None:
        response.read()
        self.check(response)


CHECKER = SpecChecker()


def client(base_url: str, *, checked: bool = True, **kwargs: Any) -> httpx.Client:
    """An httpx client on the sandbox; `checked` validates every answer against the spec."""
    hooks = {"response": [CHECKER.hook]} if checked else {}
    return httpx.Client(base_url=base_url, event_hooks=hooks, **kwargs)


# --- sessions ---------------------------------------------------------------------------------


@dataclass
class Session:
    """One account on a running sandbox, logged in, with a gateway client."""

    sandbox: Sandbox
    key_id: str
    private_key: ec.EllipticCurvePrivateKey
    http: httpx.Client
    tokens: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    def login(self, timestamp: int | None = None) -> httpx.Response:
        ts = int(self.sandbox.state.config.clock()) if timestamp is None else timestamp
        response = self.http.post(
            "/v1/auth/api-key/token",
            json={
                "key_id": self.key_id,
                "timestamp": ts,
                "signature": challenge(self.private_key, self.key_id, ts),
            },
        )
        if response.status_code == 200:
            self.tokens = response.json()
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get("/v1/gateway" + path, headers=self.headers, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.http.post("/v1/gateway" + path, json=json, headers=self.headers, **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, "/v1/gateway" + path, headers=self.headers, **kwargs)

    def order(self, order_id: str) -> dict[str, Any]:
        response = self.get(f"/orders/{order_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def balance(self, symbol: str, chain: str | None = None) -> dict[str, Any]:
        rows = self.get("/balances").json()["data"]
        return next(r for r in rows if r["symbol"] == symbol and r["chain"] == chain)


def open_session(
    sb: Sandbox, *, checked: bool = True, fund_defi: bool = True, **kwargs: Any
) -> Session:
    key_id, private_key = sb.create_api_key(fund_defi=fund_defi)
    assert isinstance(private_key, ec.EllipticCurvePrivateKey)
    session = Session(sb, key_id, private_key, client(sb.base_url, checked=checked, **kwargs))
    assert session.login().status_code == 200
    return session


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(clock=clock)) as sb:
        yield sb


@pytest.fixture
def session(sandbox: Sandbox) -> Iterator[Session]:
    s = open_session(sandbox)
    yield s
    s.http.close()


def test_kit_mints_and_checks_against_the_spec(session: Session) -> None:
    before = CHECKER.checked
    assert session.get("/balances").status_code == 200
    assert CHECKER.checked == before + 1


def _answer(method: str, path: str, status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request(method, "http://sb" + path))


def test_the_checker_fails_loudly_off_the_spec(tmp_path: Path) -> None:
    before = CHECKER.checked
    CHECKER.check(_answer("GET", "/v1/gateway/orders/x/status", 200, {"status": "pending"}))
    assert CHECKER.checked == before + 1
    with pytest.raises(AssertionError, match="no such operation"):
        CHECKER.check(_answer("GET", "/v1/gateway/positions", 200, {}))
    with pytest.raises(AssertionError, match="no such operation"):
        CHECKER.check(_answer("PUT", "/v1/gateway/orders", 200, {}))
    with pytest.raises(AssertionError, match="not under a specified base"):
        CHECKER.check(_answer("GET", "/.well-known/jwks.json", 200, {"keys": []}))
    with pytest.raises(AssertionError, match="not in the spec"):
        CHECKER.check(_answer("GET", "/v1/gateway/orders/x/status", 418, {"message": "teapot"}))
    with pytest.raises(AssertionError, match="status"):
        CHECKER.check(_answer("GET", "/v1/gateway/orders/x/status", 200, {"status": 7}))
    with pytest.raises(FileNotFoundError):
        SpecChecker(tmp_path)


def test_the_checker_fails_on_a_documented_status_without_a_schema(tmp_path: Path) -> None:
    (tmp_path / "openapi").mkdir()
    for name in ("gateway", "auth", "account"):
        spec = yaml.safe_load((ROOT / "openapi" / f"{name}.yaml").read_text())
        if name == "gateway":
            spec["paths"]["/orders/{id}/status"]["get"]["responses"]["200"] = {"description": "ok"}
        (tmp_path / "openapi" / f"{name}.yaml").write_text(yaml.safe_dump(spec))
    bare = SpecChecker(tmp_path)
    with pytest.raises(AssertionError, match="no JSON schema"):
        bare.check(_answer("GET", "/v1/gateway/orders/x/status", 200, {"status": "pending"}))
