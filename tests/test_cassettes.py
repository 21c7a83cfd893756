"""Recorded sessions: every scenario replays from its cassette, and no cassette holds a secret.

The scenarios and the cassette rules live in scripts/ (shared with scripts/record_sessions),
loaded here by path. Replay uses vcrpy with record mode "none": a request the cassette does
not hold fails the test, and so does a recorded interaction left unplayed. Run under
`pytest --block-network` (as `make test` does), nothing can reach a real server.
"""

from __future__ import annotations

import importlib
import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwt

from truemarkets_gateway import AsyncGateway, NotFoundError, OrderStatus

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _load(name: str) -> ModuleType:
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    return importlib.import_module(name)


cassettes = _load("_cassettes")
scenarios = _load("_scenarios")
sessions = _load("_sessions")

CASSETTE_DIR: Path = cassettes.CASSETTE_DIR
NAMES = [s.name for s in scenarios.SCENARIOS]


# --- completeness ------------------------------------------------------------------------------


def test_every_scenario_has_a_cassette() -> None:
    missing = [n for n in NAMES if not (CASSETTE_DIR / f"{n}.yaml").exists()]
    assert not missing, f"scenarios without a cassette (run `make record`): {missing}"


def test_every_cassette_belongs_to_a_scenario() -> None:
    orphans = sorted(p.stem for p in CASSETTE_DIR.glob("*.yaml") if p.stem not in NAMES)
    assert not orphans, f"cassettes with no scenario: {orphans}"


def test_the_issue_scenarios_are_all_listed() -> None:
    required = {
        "auth_mint", "auth_refresh", "auth_401_refresh_replay", "quote_buy_sell",
        "cefi_market_sell", "cefi_limit_lifecycle", "defi_market_buy",
        "defi_insufficient_balance", "defi_quote_stale_recreate", "list_orders_pages",
        "assets_and_balances", "defi_transfer", "cefi_transfer_network",
        "error_400", "error_404", "error_429", "error_503",
        "org_create_user", "org_customers_isolated",
    }  # fmt: skip
    assert required <= set(NAMES)


def test_the_organisation_cassette_names_the_user_on_user_calls_only() -> None:
    """As recorded: TM-On-Behalf-Of on orders, transfers, balances, portfolio and
    transactions; never on the public asset list, the token or the user creation."""
    import yaml

    data = yaml.safe_load(sessions.cassette_path("org_customers_isolated").read_text())
    seen: dict[str, set[bool]] = {}
    for interaction in data["interactions"]:
        request = interaction["request"]
        path = request["uri"].split("?")[0].rsplit("/v1/", 1)[1]
        headers = {k.lower() for k in request["headers"]}
        seen.setdefault(path.split("/")[1], set()).add("tm-on-behalf-of" in headers)
    assert seen.pop("api-key") == seen.pop("organizations") == seen.pop("assets") == {False}
    assert set(seen) >= {"orders", "transfers", "balances", "portfolio", "transactions"}
    assert all(marks == {True} for marks in seen.values()), seen


# --- replay ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_replay(name: str, tmp_path: Path) -> None:
    scenario = scenarios.by_name(name)
    outcome, metadata = sessions.replay_scenario(scenario, tmp_path)
    assert metadata["scenario"] == name
    assert outcome.as_json() == metadata["outcome"], "replay saw something else than recording"


def test_replay_refuses_an_unrecorded_request(tmp_path: Path) -> None:
    """A scenario whose requests drift from its cassette fails instead of going online."""

    def drifted(ctx: object, out: object) -> None:
        with ctx.gateway() as gw:  # type: ignore[attr-defined]
            gw.quote(base_asset="ETH", quote_asset="USD", qty="1", qty_unit="base", side="sell")

    scenario = scenarios.Scenario("quote_buy_sell", "drifted", drifted)
    with pytest.raises(Exception, match=r"(?i)cassette|match"):
        sessions.replay_scenario(scenario, tmp_path)


# --- the secret scan -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_cassette_holds_no_secret(name: str) -> None:
    path = CASSETTE_DIR / f"{name}.yaml"
    if not path.exists():
        pytest.skip("no cassette (reported by test_every_scenario_has_a_cassette)")
    findings = cassettes.find_secrets(path.read_text(encoding="utf-8"))
    assert not findings, f"{path.name}: {findings}"


def _cassette_text(
    *,
    request_body: str = "",
    response_body: str = '{"status":"ok"}',
    authorization: str = "Bearer <ACCESS_TOKEN_1>",
) -> str:
    """A minimal YAML cassette in vcrpy's layout."""
    import yaml

    document = {
        "interactions": [
            {
                "request": {
                    "body": request_body,
                    "headers": {"authorization": [authorization]},
                    "method": "POST",
                    "uri": "http://sandbox.invalid/v1/gateway/orders",
                },
                "response": {
                    "body": {"string": response_body},
                    "headers": {"content-type": ["application/json"]},
                    "status": {"code": 200, "message": "OK"},
                },
            }
        ],
        "version": 1,
    }
    return str(yaml.safe_dump(document))


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _planted(key: ec.EllipticCurvePrivateKey) -> Iterator[tuple[str, str]]:
    from truemarkets_gateway.credentials import Credentials, private_key_to_jwk
    from truemarkets_gateway.signing import PayloadSigner

    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    token = jwt.encode({"uid": "u", "exp": 2_000_000_000}, pem, algorithm="ES256")
    key_id = str(uuid.uuid4())
    stamp = PayloadSigner(key).stamp("cGF5bG9hZA==")
    challenge = Credentials(key_id, key).sign_challenge(1_700_000_000)
    stamp_json = base64_json(stamp)
    der_hex = json.loads(stamp_json)["signature"]
    yield "bearer header", _cassette_text(authorization=f"Bearer {token}")
    yield (
        "JWT in a response",
        _cassette_text(
            response_body=json.dumps({"access_token": token, "expires_in": "2030-01-01T00:00:00Z"})
        ),
    )
    yield "JWT anywhere", _cassette_text(response_body=json.dumps({"note": token}))
    unsigned = token.rsplit(".", 1)[0]  # header.payload, signature cut off
    yield "JWT without its signature", _cassette_text(response_body=json.dumps({"n": unsigned}))
    yield (
        "refresh token",
        _cassette_text(request_body=json.dumps({"refresh_token": "opaque-refresh-value"})),
    )
    yield "private JWK", _cassette_text(response_body=json.dumps(private_key_to_jwk(key)))
    yield "PEM", _cassette_text(response_body=json.dumps({"key": pem}))
    yield "stamp", _cassette_text(request_body=json.dumps({"signatures": [stamp]}))
    yield "stamp elsewhere", _cassette_text(response_body=json.dumps({"echo": stamp}))
    yield "stamp document", _cassette_text(response_body=stamp_json)
    yield "DER signature", _cassette_text(response_body=json.dumps({"sig": der_hex}))
    yield (
        "challenge signature",
        _cassette_text(
            request_body=json.dumps(
                {"key_id": cassettes.KEY_ID_PLACEHOLDER, "signature": challenge}
            )
        ),
    )
    yield "raw signature anywhere", _cassette_text(response_body=json.dumps({"x": challenge}))
    yield "key id field", _cassette_text(request_body=json.dumps({"key_id": key_id}))


def base64_json(stamp: str) -> str:
    import base64

    return base64.urlsafe_b64decode(stamp + "=" * (-len(stamp) % 4)).decode()


def test_scanner_passes_a_clean_cassette() -> None:
    clean = _cassette_text(
        request_body=json.dumps(
            {
                "key_id": cassettes.KEY_ID_PLACEHOLDER,
                "signature": "<CHALLENGE_SIGNATURE>",
                "signatures": ["<STAMP_1>"],
                "refresh_token": "<REFRESH_TOKEN_1>",
            }
        ),
        response_body=json.dumps(
            {
                "access_token": "<ACCESS_TOKEN_2>",
                "tx_hash": "4" * 86,  # a Solana signature: public, and sometimes 86 chars
                "explorer_url": "https://solscan.io/tx/" + "4" * 86,
            }
        ),
    )
    assert cassettes.find_secrets(clean) == []


def test_scanner_finds_every_planted_secret(key: ec.EllipticCurvePrivateKey) -> None:
    missed = [label for label, text in _planted(key) if not cassettes.find_secrets(text)]
    assert not missed, f"the scanner missed: {missed}"


def test_scanner_finds_a_known_key_id_anywhere() -> None:
    key_id = str(uuid.uuid4())
    text = _cassette_text(response_body=json.dumps({"note": f"key {key_id} used"}))
    assert cassettes.find_secrets(text) == []
    assert cassettes.find_secrets(text, key_ids=[key_id])


def test_scanner_never_echoes_a_whole_secret(key: ec.EllipticCurvePrivateKey) -> None:
    for _, text in _planted(key):
        for finding in cassettes.find_secrets(text):
            assert len(finding.excerpt) <= 40


# --- scrubbing ------------------------------------------------------------------------------------------


def test_scrubber_gives_tokens_stable_placeholders() -> None:
    import vcr.request

    scrubber = cassettes.Scrubber(
        origin=("http://127.0.0.1:5555", cassettes.SANDBOX_ORIGIN), key_ids=["kid-1"]
    )
    minted = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"date": ["Thu, 01 Jan 2026 00:00:00 GMT"]},
        "body": {
            "string": json.dumps(
                {"access_token": "eyA.eyB.c", "refresh_token": "eyR.eyS.t", "expires_in": "x"}
            ).encode()
        },
    }
    stored = scrubber.before_record_response(minted)
    assert json.loads(stored["body"]["string"])["access_token"] == "<ACCESS_TOKEN_1>"
    request = vcr.request.Request(
        "POST",
        "http://127.0.0.1:5555/v1/auth/token/refresh",
        json.dumps({"refresh_token": "eyR.eyS.t"}).encode(),
        {"Authorization": "Bearer eyA.eyB.c", "Host": "127.0.0.1:5555"},
    )
    cleaned = scrubber.before_record_request(request)
    assert cleaned.uri == "http://sandbox.invalid/v1/auth/token/refresh"
    assert json.loads(cleaned.body) == {"refresh_token": "<REFRESH_TOKEN_1>"}
    assert cleaned.headers["Authorization"] == "Bearer <ACCESS_TOKEN_1>"
    assert cleaned.headers["Host"] == "sandbox.invalid"


def test_body_matching_ignores_volatile_fields_only() -> None:
    normalise = cassettes.normalise_body
    a = {"key_id": "a", "timestamp": 1, "signature": "s1"}
    b = {"key_id": "b", "timestamp": 2, "signature": "s2"}
    assert normalise(json.dumps(a)) == normalise(json.dumps(b))
    one = {"signatures": ["x"], "auth_type": "api_key"}
    two = {"signatures": ["x", "y"], "auth_type": "api_key"}
    assert normalise(json.dumps(one)) != normalise(json.dumps(two)), "stamp count matters"
    assert normalise(json.dumps({"qty": "1"})) != normalise(json.dumps({"qty": "2"}))


# --- the async client speaks the same sessions ------------------------------------------------------


async def _no_sleep(seconds: float) -> None:
    del seconds


async def _async_defi_market_buy(gw: AsyncGateway) -> None:
    placed = await gw.place_order(
        side="buy", type="market", base_asset=scenarios.SOL_MINT, chain="solana",
        qty="25", qty_unit="quote",
    )  # fmt: skip
    assert placed.executed and placed.status == OrderStatus.COMPLETE


async def _async_cefi_market_sell(gw: AsyncGateway) -> None:
    placed = await gw.place_order(
        side="sell", type="market", base_asset="BTC", quote_asset="USD",
        qty="0.001", qty_unit="base",
    )  # fmt: skip
    assert placed.status == OrderStatus.COMPLETE


async def _async_auth_401(gw: AsyncGateway) -> None:
    await gw.get_balances()
    await gw.get_balances()  # the cassette answers 401; refresh and replay


async def _async_error_404(gw: AsyncGateway) -> None:
    with pytest.raises(NotFoundError):
        await gw.get_order(scenarios.MISSING_ORDER_ID)


ASYNC_SESSIONS = {
    "defi_market_buy": _async_defi_market_buy,
    "cefi_market_sell": _async_cefi_market_sell,
    "auth_401_refresh_replay": _async_auth_401,
    "error_404": _async_error_404,
}


@pytest.mark.parametrize("name", sorted(ASYNC_SESSIONS))
async def test_async_client_replays_the_same_session(name: str, tmp_path: Path) -> None:
    """AsyncGateway sends exactly the requests the sync client recorded, in order."""
    seen: list[str] = []

    async def hook(response: httpx.Response) -> None:
        url = response.request.url
        target = url.path + (f"?{url.query.decode()}" if url.query else "")
        seen.append(f"{response.request.method} {target} -> {response.status_code}")

    with sessions.open_replay(name, tmp_path) as (key_file, cassette):
        async with AsyncGateway(
            base_url=sessions.REPLAY_BASE_URL, key_file=key_file, environ={}, sleep=_no_sleep
        ) as gw:
            gw.http_client.event_hooks["response"].append(hook)
            await ASYNC_SESSIONS[name](gw)
        recorded = cassette.get_metadata("session", None)["outcome"]["requests"]
    assert seen == recorded


# --- the recorder --------------------------------------------------------------------------------------


def _recorder() -> ModuleType:
    from importlib.machinery import SourceFileLoader
    from importlib.util import module_from_spec, spec_from_loader

    loader = SourceFileLoader("record_sessions", str(SCRIPTS / "record_sessions"))
    spec = spec_from_loader("record_sessions", loader)
    assert spec is not None
    module = module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_recorder_refuses_production_without_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert _recorder().main(["--target", "prod"]) == 2
    assert "refusing to record against production" in capsys.readouterr().err


def test_recorder_needs_a_key_file_for_uat(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TM_KEY_FILE", raising=False)
    assert _recorder().main(["--target", "uat"]) == 2
    assert "TM_KEY_FILE" in capsys.readouterr().err


def test_recorder_plans_without_faults_on_uat(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TM_KEY_FILE", "/nonexistent/key.json")
    assert _recorder().main(["--target", "uat", "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "error_503" in printed.split("Not recorded on uat")[1]
    assert "defi_market_buy" in printed.split("Not recorded on uat")[0]


@pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])
@pytest.mark.parametrize("name", ["auth_401_refresh_replay", "defi_quote_stale_recreate"])
def test_record_then_replay_round_trip(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recording still works against today's sandbox, and what it writes replays."""
    monkeypatch.setattr(cassettes, "CASSETTE_DIR", tmp_path / "cassettes")
    scenario = scenarios.by_name(name)
    recorded = sessions.record_scenario(scenario)
    written = tmp_path / "cassettes" / f"{name}.yaml"
    assert cassettes.find_secrets(written.read_text(encoding="utf-8")) == []
    replayed, metadata = sessions.replay_scenario(scenario, tmp_path)
    assert replayed.as_json() == recorded.as_json() == metadata["outcome"]
