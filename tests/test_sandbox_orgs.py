"""Sandbox organisation mode: org keys, users with signer keys, TM-On-Behalf-Of, /portfolio,
/transactions, and the 503 while a user's wallets are provisioned. Plain httpx, every answer
checked against openapi/*.yaml."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import test_sandbox_kit as kit
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwt
from test_sandbox_kit import LOOPBACK, SOL_MINT, USDC_SOLANA_ID, Clock, Session, execute_body
from test_sandbox_orders import defi_buy, market_buy
from test_sandbox_transfers import transfer

from truemarkets_gateway.sandbox import Sandbox, SandboxConfig

pytestmark = LOOPBACK
clock, sandbox, session = kit.clock, kit.sandbox, kit.session


def compressed(key: ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
        .hex()
    )


class Org:
    """An organisation key's session that acts for its users through the header."""

    def __init__(self, sb: Sandbox) -> None:
        key_id, self.org_id, private_key = sb.create_org_key()
        assert isinstance(private_key, ec.EllipticCurvePrivateKey)
        self.session = Session(sb, key_id, private_key, kit.client(sb.base_url))
        assert self.session.login().status_code == 200
        self.signers: dict[str, ec.EllipticCurvePrivateKey] = {}

    def create_user(self, ref: str, signer: ec.EllipticCurvePrivateKey | None = None) -> Any:
        signer = signer or ec.generate_private_key(ec.SECP256R1())
        response = self.session.http.post(
            f"/v1/account/organizations/{self.org_id}/users",
            json={"external_ref_id": ref, "signer_public_key": compressed(signer)},
            headers=self.session.headers,
        )
        if response.status_code in (200, 201):
            self.signers[response.json()["user_id"]] = signer
        return response

    def user(self, ref: str) -> str:
        response = self.create_user(ref)
        assert response.status_code == 201, response.text
        return str(response.json()["user_id"])

    def call(self, method: str, path: str, user: str | None, **kwargs: Any) -> httpx.Response:
        headers = dict(self.session.headers)
        if user is not None:
            headers["TM-On-Behalf-Of"] = user
        return self.session.http.request(method, "/v1/gateway" + path, headers=headers, **kwargs)


@pytest.fixture
def org(sandbox: Sandbox) -> Org:
    return Org(sandbox)


def test_org_tokens_carry_the_organization_claim(org: Org, session: Session) -> None:
    claims = jwt.get_unverified_claims(org.session.tokens["access_token"])
    assert claims["tm.organization_id"] == org.org_id
    personal = jwt.get_unverified_claims(session.tokens["access_token"])
    assert "tm.organization_id" not in personal


def test_create_user_returns_wallets_and_is_idempotent(org: Org, sandbox: Sandbox) -> None:
    signer = ec.generate_private_key(ec.SECP256R1())
    first = org.create_user("cust_1", signer)
    assert first.status_code == 201
    user = first.json()
    assert {w["chain_family"] for w in user["wallets"]} == {"solana", "evm"}
    assert user["external_ref_id"] == "cust_1"
    again = org.create_user("cust_1", signer)
    assert again.status_code == 200 and again.json() == user
    other = org.create_user("cust_1")  # same ref, another signer key
    assert other.status_code == 409 and other.json()["type"] == "already_exists"
    assert sandbox.state.request_count("POST /organizations/{id}/users") == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"signer_public_key": "02" + "ab" * 32}, "external_ref_id"),
        ({"external_ref_id": "c", "signer_public_key": "04" + "ab" * 64}, "signer_public_key"),
        ({"external_ref_id": "c", "signer_public_key": "zz"}, "signer_public_key"),
    ],
)
def test_create_user_rejects_bad_bodies(org: Org, body: dict[str, Any], field: str) -> None:
    response = org.session.http.post(
        f"/v1/account/organizations/{org.org_id}/users", json=body, headers=org.session.headers
    )
    assert response.status_code == 400
    assert response.json()["field_violations"][0]["field"] == field


def test_create_user_needs_an_org_token_for_that_org(
    org: Org, session: Session, sandbox: Sandbox
) -> None:
    body = {"external_ref_id": "c", "signer_public_key": "02" + "ab" * 32}
    personal = session.http.post(
        f"/v1/account/organizations/{org.org_id}/users", json=body, headers=session.headers
    )
    assert personal.status_code == 403 and personal.json()["type"] == "permission_denied"
    other = Org(sandbox)
    foreign = other.session.http.post(
        f"/v1/account/organizations/{org.org_id}/users", json=body, headers=other.session.headers
    )
    assert foreign.status_code == 403
    assert sandbox.state.orgs.users == {}


def test_a_new_users_wallets_answer_503_until_provisioned(clock: Clock) -> None:
    with Sandbox(SandboxConfig(clock=clock, provision_delay=3)) as sb:
        org = Org(sb)
        signer = ec.generate_private_key(ec.SECP256R1())
        busy = org.create_user("cust_9", signer)
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == "3"
        assert busy.json()["type"] == "unavailable"
        clock.advance(1)
        assert org.create_user("cust_9", signer).status_code == 503
        clock.advance(2)
        ready = org.create_user("cust_9", signer)
        assert ready.status_code == 201  # the retry gets the one user, not a second
        assert len(sb.state.orgs.users) == 1


def test_each_user_has_its_own_balances_orders_and_transfers(org: Org, clock: Clock) -> None:
    alice, bob = org.user("cust_a"), org.user("cust_b")
    order = org.call("POST", "/orders", alice, json=market_buy("1000"))
    assert order.status_code == 201
    sent = org.call("POST", "/transfers", alice, json=transfer(USDC_SOLANA_ID, "25"))
    assert sent.status_code == 201
    clock.advance(2)

    def usdc(user: str) -> str:
        rows = org.call("GET", "/balances", user).json()["data"]
        return str(next(r for r in rows if r["symbol"] == "USDC" and r["chain"] is None)["total"])

    assert Decimal(usdc(alice)) == Decimal("99000")
    assert Decimal(usdc(bob)) == Decimal("100000")
    assert org.call("GET", "/orders", bob).json()["data"] == []
    assert org.call("GET", "/transfers", bob).json()["data"] == []
    order_id, transfer_id = order.json()["order_id"], sent.json()["id"]
    assert org.call("GET", f"/orders/{order_id}", bob).status_code == 404
    assert org.call("GET", f"/transfers/{transfer_id}", bob).status_code == 404
    assert org.call("GET", f"/orders/{order_id}", alice).json()["status"] == "complete"
    # The organisation's own account (no header) sees none of it and holds nothing.
    assert org.call("GET", "/orders", None).json()["data"] == []
    assert org.call("GET", "/balances", None).json()["data"] == []


def test_a_user_cannot_execute_another_users_order(org: Org) -> None:
    alice, bob = org.user("cust_a"), org.user("cust_b")
    created = org.call("POST", "/orders", alice, json=defi_buy()).json()
    body = execute_body(org.signers[bob], created["payloads"])
    as_bob = org.call("POST", f"/orders/{created['order_id']}/execute", bob, json=body)
    assert as_bob.status_code == 404
    assert org.session.sandbox.state.orders[created["order_id"]].status == "initialized"


def test_stamps_must_come_from_the_acting_users_signer_key(org: Org, clock: Clock) -> None:
    alice = org.user("cust_a")
    created = org.call("POST", "/orders", alice, json=defi_buy()).json()
    path = f"/orders/{created['order_id']}/execute"
    with_org_key = execute_body(org.session.private_key, created["payloads"])
    refused = org.call("POST", path, alice, json=with_org_key)
    assert refused.status_code == 401
    assert "signer key" in refused.json()["message"]
    signed = execute_body(org.signers[alice], created["payloads"])
    assert org.call("POST", path, alice, json=signed).status_code == 200
    # Transfers too.
    sent = org.call("POST", "/transfers", alice, json=transfer(USDC_SOLANA_ID, "5")).json()
    execute = execute_body(org.signers[alice], sent["payloads"])
    done = org.call("POST", f"/transfers/{sent['id']}/execute", alice, json=execute)
    assert done.status_code == 200 and done.json()["status"] == "pending"
    clock.advance(2)
    listed = org.call("GET", f"/transfers/{sent['id']}", alice).json()
    assert listed["explorer_url"] == f"https://solscan.io/tx/{listed['tx_hash']}"


@pytest.mark.parametrize("who", ["unknown", "foreign"])
def test_an_unknown_or_foreign_user_is_403(org: Org, sandbox: Sandbox, who: str) -> None:
    other = Org(sandbox)
    target = other.user("theirs") if who == "foreign" else "7c1e7a52-0000-4000-8000-000000000000"
    for method, path in (("GET", "/balances"), ("GET", "/orders"), ("GET", "/portfolio")):
        response = org.call(method, path, target)
        assert response.status_code == 403, (method, path)
        body = response.json()
        assert body["type"] == "permission_denied" and target in body["message"]
        assert body["request_id"]
    created = org.call("POST", "/orders", target, json=market_buy())
    assert created.status_code == 403 and sandbox.state.orders == {}


def test_the_header_with_a_personal_key_is_refused(session: Session, org: Org) -> None:
    alice = org.user("cust_a")
    headers = {**session.headers, "TM-On-Behalf-Of": alice}
    response = session.http.get("/v1/gateway/balances", headers=headers)
    assert response.status_code == 403
    assert "organisation token" in response.json()["message"]


def test_assets_and_quotes_ignore_the_header(org: Org) -> None:
    assert org.call("GET", "/assets", "not-a-user").status_code == 200


def test_portfolio_is_priced_from_the_sandbox_market(org: Org, sandbox: Sandbox) -> None:
    alice = org.user("cust_a")
    sandbox.set_mid("BTC", "50000")
    sandbox.set_mid("SOL", "100")
    body = org.call("GET", "/portfolio", alice).json()
    rows = {(r["symbol"], r["chain"]): r for r in body["balances"]}
    btc = rows[("BTC", None)]
    assert (btc["total"], btc["price"], btc["value"]) == ("2", "50000", "100000.00")
    assert rows[("SOL", "solana")]["value"] == "1000.00"
    values = [Decimal(r["value"]) for r in body["balances"] if r["value"] is not None]
    assert Decimal(body["total_usd"]) == sum(values)
    assert Decimal(body["cash_usd"]) + Decimal(body["balances_usd"]) == Decimal(body["total_usd"])
    assert body["positions"] == []


def test_portfolio_503_is_an_injectable_fault(org: Org, sandbox: Sandbox) -> None:
    alice = org.user("cust_a")
    sandbox.faults.apply("GET /portfolio=503x1")
    assert org.call("GET", "/portfolio", alice).status_code == 503
    assert org.call("GET", "/portfolio", alice).status_code == 200


def test_transactions_merge_orders_and_transfers_newest_first(org: Org, clock: Clock) -> None:
    alice = org.user("cust_a")
    first = org.call("POST", "/orders", alice, json=market_buy("100")).json()["order_id"]
    moved = org.call("POST", "/transfers", alice, json=transfer(USDC_SOLANA_ID, "5")).json()
    last = org.call("POST", "/orders", alice, json=market_buy("200")).json()["order_id"]
    clock.advance(2)
    feed = org.call("GET", "/transactions", alice, params={"limit": 2}).json()
    assert [row["id"] for row in feed["data"]] == [last, moved["id"]]
    assert feed["data"][0]["type"] == "order" and feed["data"][0]["status"] == "completed"
    assert feed["data"][0]["asset_flow"] == "in" and feed["data"][0]["order"]["order_id"] == last
    pending = feed["data"][1]
    assert pending["type"] == "transfer" and pending["status"] == "pending"
    assert pending["asset_flow"] == "out" and pending["completed_at"] is None
    cursor = feed["pagination"]["next_cursor"]
    rest = org.call("GET", "/transactions", alice, params={"cursor": cursor}).json()
    assert [row["id"] for row in rest["data"]] == [first]
    assert rest["pagination"]["next_cursor"] is None
    other = org.user("cust_b")
    assert org.call("GET", "/transactions", other).json()["data"] == []


def test_sandbox_helpers_make_ready_users(sandbox: Sandbox) -> None:
    key_id, org_id, _key = sandbox.create_org_key()
    user_id, signer = sandbox.create_user(org_id, "cust_x", fund=False)
    assert signer is not None
    assert sandbox.state.accounts[user_id].signer.public_numbers() == (
        signer.public_key().public_numbers()
    )
    assert sandbox.state.balance(user_id, "USDC") == 0
    assert sandbox.state.auth.key(key_id) is not None
    with pytest.raises(KeyError):
        sandbox.create_user("no-such-org", "cust_x")


# --- the SDK against it ----------------------------------------------------------------------


def test_the_sdk_acts_for_a_user_with_its_signer_key(tmp_path: Path) -> None:
    from truemarkets_gateway import Gateway

    with Sandbox(SandboxConfig(settle_delay=0.05)) as sandbox:  # the real clock
        _key_id, org_id, key_file = sandbox.create_org_key(tmp_path / "org.json")
        alice, alice_signer = sandbox.create_user(org_id, "cust_a")
        bob, _ = sandbox.create_user(org_id, "cust_b")
        with Gateway(
            base_url=sandbox.base_url, key_file=key_file, on_behalf_of=alice, signer=alice_signer
        ) as gw:
            placed = gw.place_order(
                side="buy", type="market", qty="100", qty_unit="quote", base_asset=SOL_MINT,
                chain="solana", timeout=20,
            )  # fmt: skip
            order_id = placed.order.order_id
            single = gw.get_order(order_id)  # the single read has no chain: the SDK copes
            assert single.chain is None and single.status == "complete"
            listed = [o for o in gw.list_orders() if o.order_id == order_id]
            assert listed and listed[0].chain is not None and listed[0].explorer_url
            sent = gw.transfer(asset_id=USDC_SOLANA_ID, qty="5", to="Dest111", timeout=20)
            assert sent.transfer.explorer_url
        assert {o.uid for o in sandbox.state.orders.values()} == {alice}
        assert {t.uid for t in sandbox.state.transfers.values()} == {alice}
        assert sandbox.state.request_count("POST /orders/{id}/execute") == 1
        assert bob != alice
