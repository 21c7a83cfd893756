"""The sandbox's Python controls a test plugin drives: runtime settings, rate limit, fault
specs, and saving/loading state (organisations and users included)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import test_sandbox_kit as kit
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwt
from test_sandbox_kit import LOOPBACK, Clock, Session, open_session

from truemarkets_gateway.sandbox import FaultRule, Sandbox, SandboxConfig
from truemarkets_gateway.sandbox.faults import FAULT_SPEC_HELP, parse_fault

pytestmark = LOOPBACK
clock, sandbox, session = kit.clock, kit.sandbox, kit.session


def test_configure_changes_a_running_sandbox(sandbox: Sandbox, clock: Clock) -> None:
    sandbox.configure(token_lifetime=60, settle_delay=5)
    s = open_session(sandbox)
    claims = jwt.get_unverified_claims(s.tokens["access_token"])
    assert claims["exp"] - claims["iat"] == 60
    order = s.post("/orders", {"base_asset": "BTC", "quote_asset": "USD", "qty": "10",
                               "qty_unit": "quote", "type": "market", "side": "buy"}).json()  # fmt: skip
    clock.advance(2)
    assert s.order(order["order_id"])["status"] == "pending"
    clock.advance(4)
    assert s.order(order["order_id"])["status"] == "complete"
    with pytest.raises(ValueError, match="seed"):
        sandbox.configure(seed=3)


def test_set_rate_limit_at_run_time(sandbox: Sandbox, session: Session) -> None:
    sandbox.set_rate_limit(2, 60)
    answers = [session.get("/balances").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    sandbox.set_rate_limit(None)
    assert session.get("/balances").status_code == 200


def test_fault_specs_match_the_python_api(sandbox: Sandbox, session: Session) -> None:
    rule = sandbox.faults.apply("GET /balances=429:3x2")
    assert isinstance(rule, FaultRule)
    answers = [session.get("/balances") for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["retry-after"] == "3"
    assert rule.fired == 2
    assert sandbox.faults.apply("tokens=expire:0") is None
    assert session.get("/balances").status_code == 401
    for example in ("POST /orders=503x2", "/quotes=429:5", "*=latency:0.5@0.1"):
        assert example in FAULT_SPEC_HELP
        assert isinstance(parse_fault(example), FaultRule)


def test_state_round_trip_keeps_keys_orgs_users_and_balances(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with Sandbox() as first:
        key_id, private_key = first.create_api_key()
        assert isinstance(private_key, ec.EllipticCurvePrivateKey)
        first.fund("BTC", "3", key_id=key_id)
        org_key, org_id, org_private = first.create_org_key()
        user_id, _signer = first.create_user(org_id, "cust_1")
        first.state.fund(user_id, "SOL", "7", "solana")
        first.save_state(path)
    assert path.stat().st_mode & 0o777 == 0o600
    with Sandbox() as second:
        second.load_state(path)
        s = Session(second, key_id, private_key, kit.client(second.base_url))
        assert s.login().status_code == 200  # the same key file keeps working
        assert Decimal(s.balance("BTC")["total"]) == Decimal(5)
        assert isinstance(org_private, ec.EllipticCurvePrivateKey)
        org = Session(second, org_key, org_private, kit.client(second.base_url))
        assert org.login().status_code == 200
        assert jwt.get_unverified_claims(org.tokens["access_token"])["tm.organization_id"] == org_id
        rows = org.http.get(
            "/v1/gateway/balances", headers={**org.headers, "TM-On-Behalf-Of": user_id}
        ).json()["data"]
        sol = next(r for r in rows if r["symbol"] == "SOL" and r["chain"] == "solana")
        assert Decimal(sol["total"]) == Decimal(17)
        assert second.state.orgs.users[user_id].external_ref_id == "cust_1"


def test_loading_a_foreign_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"format": "something-else"}')
    with pytest.raises(ValueError, match="not a sandbox state file"):
        Sandbox(SandboxConfig()).load_state(path)


def test_a_seeded_sandbox_never_reissues_a_loaded_id(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with Sandbox(SandboxConfig(seed=7)) as first:
        first_key, _ = first.create_api_key()
        first.save_state(path)
    with Sandbox(SandboxConfig(seed=7)) as second:
        second.load_state(path)
        again, _ = second.create_api_key()
        assert again != first_key
        assert second.account_of(again) != second.account_of(first_key)
