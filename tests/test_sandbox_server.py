"""Running the sandbox: the in-process context manager, key files, the bare ASGI app."""

from __future__ import annotations

import errno
import json
import re
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from test_sandbox_kit import LOOPBACK, Clock, challenge

from truemarkets_gateway.sandbox import Sandbox, SandboxConfig, SandboxState, create_app
from truemarkets_gateway.sandbox.problems import Problem

pytestmark = LOOPBACK


def test_context_manager_starts_serves_and_frees_the_port() -> None:
    with Sandbox() as sb:
        port = sb.port
        assert sb.base_url == f"http://127.0.0.1:{port}"
        assert httpx.get(sb.gateway_url + "/assets").status_code == 200
        assert httpx.get(sb.base_url + "/v1/conductor/assets").status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/v1/gateway/assets")
    with socket.socket() as probe:  # the port is free again
        probe.bind(("127.0.0.1", port))
    with pytest.raises(RuntimeError):
        _ = sb.base_url


def test_two_sandboxes_run_side_by_side_with_separate_state() -> None:
    with Sandbox() as first, Sandbox() as second:
        assert first.port != second.port
        first.register_key(ec.generate_private_key(ec.SECP256R1()).public_key())
        assert len(first.state.accounts) == 1
        assert second.state.accounts == {}


def test_create_api_key_writes_the_vendor_key_file(tmp_path: Path) -> None:
    clock = Clock()
    with Sandbox(SandboxConfig(clock=clock)) as sb:
        key_id, path = sb.create_api_key(tmp_path / "key.json", label="ci")
        assert isinstance(path, Path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        document = json.loads(path.read_text())
        assert document["key_id"] == key_id
        assert document["algorithm"] == "ES256"
        assert document["label"] == "ci"
        assert document["created_at"] == "2026-01-01T00:00:00.000000Z"
        assert set(document["private_key"]) == {"kty", "crv", "x", "y", "d"}
        from truemarkets_gateway.credentials import Credentials

        credentials = Credentials.from_key_file(path)
        ts = int(clock.now)
        minted = httpx.post(
            sb.auth_url + "/api-key/token",
            json={"key_id": key_id, "timestamp": ts, "signature": credentials.sign_challenge(ts)},
        )
        assert minted.status_code == 200


def test_register_key_accepts_pem_and_hex_and_can_skip_funding() -> None:
    from cryptography.hazmat.primitives import serialization

    with Sandbox() as sb:
        public = ec.generate_private_key(ec.SECP256R1()).public_key()
        pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        compressed = public.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        ).hex()
        unfunded = sb.register_key(pem, fund=False)
        funded = sb.register_key(compressed)
        assert sb.state.balance(sb.account_of(unfunded), "USDC") == 0
        assert sb.state.balance(sb.account_of(funded), "USDC") == 100000
        sb.fund("BTC", "0.5", key_id=unfunded)
        assert str(sb.state.balance(sb.account_of(unfunded), "BTC")) == "0.5"
        with pytest.raises(TypeError):
            sb.fund("BTC", 0.5)  # type: ignore[arg-type]


async def test_create_app_serves_in_process_over_asgi() -> None:
    clock = Clock()
    app = create_app(SandboxConfig(clock=clock))
    key = ec.generate_private_key(ec.SECP256R1())
    key_id = app.state.sandbox.register_key(key.public_key())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        ts = int(clock.now)
        minted = await http.post(
            "/v1/auth/api-key/token",
            json={"key_id": key_id, "timestamp": ts, "signature": challenge(key, key_id, ts)},
        )
        assert minted.status_code == 200
        token = minted.json()["access_token"]
        balances = await http.get(
            "/v1/gateway/balances/unified", headers={"Authorization": f"Bearer {token}"}
        )
        assert {row["symbol"] for row in balances.json()["data"]} >= {"USDC", "BTC", "SOL"}


def test_main_module_parses_its_options(monkeypatch: pytest.MonkeyPatch) -> None:
    from truemarkets_gateway.sandbox import __main__ as entry

    seen = {}

    def fake_serve(host: str, port: int, config: SandboxConfig, **_: Any) -> None:
        seen.update(host=host, port=port, config=config)

    monkeypatch.setattr(entry, "serve", fake_serve)
    entry.main(["--port", "8700", "--seed", "3", "--rate-limit"])
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8700)
    assert seen["config"].seed == 3 and seen["config"].rate_limit


def _identity(config: SandboxConfig, public: ec.EllipticCurvePublicKey) -> tuple[str, str, str]:
    app = create_app(config)
    key_id = app.state.sandbox.register_key(public)
    uid = app.state.sandbox.account_of(key_id).uid
    return key_id, uid, app.state.sandbox.auth.jwks()["keys"][0]["kid"]


def test_ids_and_signing_keys_are_random_per_instance_unless_seeded() -> None:
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    first, second = _identity(SandboxConfig(), public), _identity(SandboxConfig(), public)
    assert all(a != b for a, b in zip(first, second, strict=True)), (first, second)
    assert _identity(SandboxConfig(seed=5), public) == _identity(SandboxConfig(seed=5), public)
    assert _identity(SandboxConfig(seed=5), public) != _identity(SandboxConfig(seed=6), public)


def test_a_token_from_one_sandbox_is_refused_by_the_next() -> None:
    # A cached token must not survive a restart: the signing key is new each time, and
    # without a seed the key id is new too.
    clock = Clock()
    key = ec.generate_private_key(ec.SECP256R1())

    def mint(config: SandboxConfig) -> tuple[SandboxState, str]:
        state = create_app(config).state.sandbox
        key_id = state.register_key(key.public_key())
        ts = int(clock.now)
        pair = state.auth.mint(
            {"key_id": key_id, "timestamp": ts, "signature": challenge(key, key_id, ts)}
        )
        return state, pair.access_token

    for config in (SandboxConfig(clock=clock), SandboxConfig(clock=clock, seed=1)):
        _, old_token = mint(config)
        state, new_token = mint(config)
        assert state.authenticate(f"Bearer {new_token}").uid
        with pytest.raises(Problem) as refused:
            state.authenticate(f"Bearer {old_token}")
        assert refused.value.status == 401


def test_the_price_walk_stays_repeatable_without_a_seed() -> None:
    clock = Clock()
    first, second = create_app(SandboxConfig(clock=clock)), create_app(SandboxConfig(clock=clock))
    clock.advance(600)
    assert first.state.sandbox.market.mid("BTC", clock.now) == second.state.sandbox.market.mid(
        "BTC", clock.now
    )


def test_main_module_leaves_the_seed_unset_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from truemarkets_gateway.sandbox import __main__ as entry

    seen: dict[str, Any] = {}
    monkeypatch.setattr(entry, "serve", lambda host, port, config, **_: seen.update(config=config))
    entry.main([])
    assert seen["config"].seed is None


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def test_serve_on_a_busy_port_raises_a_one_line_os_error(busy_port: int) -> None:
    from truemarkets_gateway.sandbox import PortInUseError, SandboxBindError, serve

    ready: list[str] = []
    with pytest.raises(PortInUseError) as refused:
        serve("127.0.0.1", busy_port, on_ready=ready.append)
    error = refused.value
    assert isinstance(error, SandboxBindError) and isinstance(error, OSError)
    assert error.errno == errno.EADDRINUSE
    assert (error.host, error.port) == ("127.0.0.1", busy_port)
    assert str(error) == (
        f"cannot listen on 127.0.0.1:{busy_port}: the port is already in use "
        "(choose another, or --port 0)"
    )
    assert ready == []


def test_main_module_reports_a_busy_port_in_one_line(
    busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    from truemarkets_gateway.sandbox import __main__ as entry

    with pytest.raises(SystemExit) as exited:
        entry.main(["--port", str(busy_port)])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"127.0.0.1:{busy_port}" in err and "in use" in err


def test_serve_on_port_0_reports_the_real_port_when_ready() -> None:
    # serve() blocks until a signal, so run it as `python -m` and stop that process.
    process = subprocess.Popen(
        [sys.executable, "-m", "truemarkets_gateway.sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.fullmatch(r"True Markets sandbox on (http://127\.0\.0\.1:(\d+))\n", first)
        assert match, first
        assert int(match.group(2)) != 0
        assert process.stdout.readline() == f"  auth:    {match.group(1)}/v1/auth\n"
        assert httpx.get(match.group(1) + "/v1/gateway/assets", timeout=10).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_importing_without_the_extra_names_it() -> None:
    code = (
        "import sys; sys.modules['starlette'] = None\n"
        "try:\n"
        "    import truemarkets_gateway.sandbox\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 'pip install "truemarkets-gateway[sandbox]"' in out.stdout
