"""Sandbox orders: the documented create rules, CeFi and DeFi lifecycles, stamps, quote_stale."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import pytest
import test_sandbox_kit as kit
from cryptography.hazmat.primitives.asymmetric import ec
from test_sandbox_kit import (
    BASE_WETH,
    HL_BTC,
    LOOPBACK,
    SOL_MINT,
    Clock,
    Session,
    execute_body,
    open_session,
    stamp,
)

from truemarkets_gateway.sandbox import Sandbox

pytestmark = LOOPBACK
clock, sandbox, session = kit.clock, kit.sandbox, kit.session


def market_buy(qty: str = "1000", **extra: Any) -> dict[str, Any]:
    return {
        "base_asset": "BTC",
        "quote_asset": "USD",
        "qty": qty,
        "qty_unit": "quote",
        "type": "market",
        "side": "buy",
        **extra,
    }


def limit(side: str, price: str, qty: str = "0.1", **extra: Any) -> dict[str, Any]:
    return {
        "base_asset": "BTC",
        "quote_asset": "USD",
        "qty": qty,
        "qty_unit": "base",
        "type": "limit",
        "side": side,
        "price": price,
        **extra,
    }


def defi_buy(chain: str = "solana", token: str = SOL_MINT, qty: str = "100") -> dict[str, Any]:
    return {
        "base_asset": token,
        "chain": chain,
        "qty": qty,
        "qty_unit": "quote",
        "type": "market",
        "side": "buy",
    }


def status(session: Session, order_id: str) -> str:
    response = session.get(f"/orders/{order_id}/status")
    assert response.status_code == 200
    return str(response.json()["status"])


# --- CeFi -------------------------------------------------------------------------------------


def test_cefi_market_buy_goes_pending_then_complete_and_moves_balances(
    session: Session, clock: Clock
) -> None:
    session.sandbox.set_mid("BTC", "50000")
    created = session.post("/orders", market_buy("1000"))
    assert created.status_code == 201
    assert created.json()["status"] == "pending"
    assert not created.json().get("payloads")
    order_id = created.json()["order_id"]
    assert session.balance("USDC")["held"] == "1000"
    clock.advance(0.5)
    assert status(session, order_id) == "pending"
    clock.advance(0.5)
    order = session.order(order_id)
    assert order["status"] == "complete"
    assert Decimal(order["executed_qty"]) > 0
    assert Decimal(order["executed_vwap"]) == Decimal("50025.00")  # mid plus the half spread
    assert Decimal(order["fee"]) == Decimal("1")
    assert "tx_hash" not in order
    assert session.balance("USDC") == {**session.balance("USDC"), "total": "99000", "held": "0"}
    assert Decimal(session.balance("BTC")["total"]) == Decimal(2) + Decimal(order["executed_qty"])


def test_cefi_market_sell_completes(session: Session, clock: Clock) -> None:
    body = {
        "base_asset": "BTC",
        "quote_asset": "USD",
        "qty": "0.5",
        "qty_unit": "base",
        "type": "market",
        "side": "sell",
    }
    order_id = session.post("/orders", body).json()["order_id"]
    clock.advance(1)
    order = session.order(order_id)
    assert order["status"] == "complete"
    assert order["executed_qty"] == "0.5"
    assert session.balance("BTC")["total"] == "1.5"


def test_unfunded_cefi_sell_fails_with_a_reason(session: Session, clock: Clock) -> None:
    body = {"base_asset": "BTC", "qty": "50", "qty_unit": "base", "type": "market", "side": "sell"}
    order_id = session.post("/orders", body).json()["order_id"]
    clock.advance(1)
    order = session.order(order_id)
    assert order["status"] == "failed"
    assert order["failure_reason"]


def test_limit_order_rests_then_fills_when_the_mid_crosses(session: Session, clock: Clock) -> None:
    session.sandbox.set_mid("BTC", "60000")
    order_id = session.post("/orders", limit("buy", "55000")).json()["order_id"]
    assert status(session, order_id) == "pending"
    clock.advance(1)
    assert status(session, order_id) == "active"
    assert session.order(order_id)["leaves_qty"] == "0.1"
    session.sandbox.set_mid("BTC", "54000")
    order = session.order(order_id)
    assert order["status"] == "complete"
    assert order["executed_vwap"] == "55000"
    assert order["leaves_qty"] == "0"


def test_limit_cancel_goes_cancel_pending_then_canceled_and_releases_holds(
    session: Session, clock: Clock
) -> None:
    session.sandbox.set_mid("BTC", "60000")
    order_id = session.post("/orders", limit("sell", "90000", qty="1")).json()["order_id"]
    clock.advance(1)
    assert session.balance("BTC")["held"] == "1"
    cancel = session.post(f"/orders/{order_id}/cancel")
    assert cancel.status_code == 202
    assert cancel.json() == {}
    assert status(session, order_id) == "cancel_pending"
    clock.advance(1)
    assert status(session, order_id) == "canceled"
    assert session.balance("BTC")["held"] == "0"
    again = session.post(f"/orders/{order_id}/cancel")
    assert again.status_code == 400


def test_deprecated_delete_cancels_cefi_limit_orders(session: Session, clock: Clock) -> None:
    order_id = session.post("/orders", limit("buy", "1000")).json()["order_id"]
    response = session.request("DELETE", f"/orders/{order_id}")
    assert response.status_code == 202
    clock.advance(1)
    assert status(session, order_id) == "canceled"


def test_market_orders_cannot_be_canceled(session: Session) -> None:
    order_id = session.post("/orders", market_buy()).json()["order_id"]
    assert session.post(f"/orders/{order_id}/cancel").status_code == 400


def test_modify_only_active_limit_orders(session: Session, clock: Clock) -> None:
    session.sandbox.set_mid("BTC", "60000")
    order_id = session.post("/orders", limit("buy", "50000")).json()["order_id"]
    early = session.request("PATCH", f"/orders/{order_id}", json={"price": "51000"})
    assert early.status_code == 400  # still pending
    clock.advance(1)
    empty = session.request("PATCH", f"/orders/{order_id}", json={})
    assert empty.status_code == 400
    accepted = session.request(
        "PATCH", f"/orders/{order_id}", json={"price": "51000", "qty": "0.2"}
    )
    assert accepted.status_code == 202
    assert accepted.json() == {}
    clock.advance(1)
    order = session.order(order_id)
    assert (order["price"], order["qty"]) == ("51000", "0.2")
    market_id = session.post("/orders", market_buy()).json()["order_id"]
    assert session.request("PATCH", f"/orders/{market_id}", json={"price": "1"}).status_code == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**limit("buy", "1")} | {"price": None}, "price"),
        (limit("buy", "100", qty_unit="quote"), "qty_unit"),
        (market_buy(price="100"), "price"),
        (market_buy(qty_unit="base"), "qty_unit"),
        ({**defi_buy(), "side": "sell", "qty_unit": "quote"}, "qty_unit"),
        (market_buy(leverage=5), "leverage"),
        ({**defi_buy(chain="hypercore-perp", token="BTC"), "leverage": 51}, "leverage"),
        ({**defi_buy(chain="hypercore-perp", token="BTC")}, "leverage"),
        (market_buy(reduce_only=True), "reduce_only"),
        ({**defi_buy(), "reduce_only": False}, "reduce_only"),
        (market_buy(qty="-1"), "qty"),
        (market_buy(qty="abc"), "qty"),
        ({"qty": "1", "qty_unit": "quote", "type": "market", "side": "buy"}, "base_asset"),
        (market_buy(type="stop"), "type"),
        (market_buy(base_asset="DOGE"), "base_asset"),
        ({**defi_buy(), "chain": "ethereum"}, "chain"),
        (limit("buy", "100", chain="solana"), "chain"),
    ],
)
def test_create_rules_answer_400_with_field_violations(
    session: Session, body: dict[str, Any], field: str
) -> None:
    body = {k: v for k, v in body.items() if v is not None}
    response = session.post("/orders", body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["type"] == "invalid_argument"
    assert field in {v["field"] for v in error["field_violations"]}
    assert session.sandbox.state.orders == {}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/orders", market_buy(qty=str(10**30)), "qty"),
        ("/orders", market_buy(qty="1" + "0" * 12), "qty"),
        ("/orders", market_buy(qty="0." + "0" * 18 + "1"), "qty"),
        ("/orders", limit("buy", str(10**30)), "price"),
        ("/orders", limit("sell", "0." + "0" * 18 + "1"), "price"),
        ("/quotes", {**market_buy(qty=str(10**30)), "type": None}, "qty"),
    ],
)
def test_amounts_beyond_a_sane_size_or_precision_are_400(
    session: Session, path: str, body: dict[str, Any], field: str
) -> None:
    body = {k: v for k, v in body.items() if v is not None}
    response = session.post(path, body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["type"] == "invalid_argument"
    assert field in {v["field"] for v in error["field_violations"]}
    assert session.sandbox.state.orders == {}


def test_largest_accepted_amounts_do_not_overflow_the_arithmetic(session: Session) -> None:
    big, fine = "9" * 12 + "." + "9" * 18, "0." + "0" * 17 + "1"
    trailing_zeros = "0.5" + "0" * 30  # not precision: one decimal place
    answers = [
        session.post("/orders", limit("buy", big, qty=big)),
        session.post("/orders", limit("buy", fine, qty=big)),
        session.post("/orders", market_buy(qty=trailing_zeros)),
        session.post(
            "/orders",
            {**defi_buy(chain="hypercore-perp", token="BTC", qty=big), "leverage": 50},
        ),
        session.post("/quotes", {**market_buy(qty=big), "type": None} | {"qty_unit": "base"}),
    ]
    assert all(a.status_code < 500 for a in answers), [a.text for a in answers]
    order_id = answers[1].json()["order_id"]
    patched = session.request("PATCH", f"/orders/{order_id}", json={"price": big})
    assert patched.status_code < 500
    assert session.get(f"/orders/{order_id}").status_code == 200


def test_perp_orders_with_leverage_are_accepted(session: Session) -> None:
    body = {**defi_buy(chain="hypercore-perp", token="BTC"), "leverage": 10}
    response = session.post("/orders", body)
    assert response.status_code == 201
    assert response.json()["status"] == "initialized"


def test_unknown_order_ids_are_404_and_other_accounts_orders_are_invisible(
    session: Session,
) -> None:
    assert session.get("/orders/nope").status_code == 404
    assert session.get("/orders/nope/status").json()["type"] == "not_found"
    order_id = session.post("/orders", market_buy()).json()["order_id"]
    other = open_session(session.sandbox)
    assert other.get(f"/orders/{order_id}").status_code == 404


# --- DeFi ----------------------------------------------------------------------------------------


def test_defi_market_order_signs_executes_and_completes(session: Session, clock: Clock) -> None:
    session.sandbox.set_mid("SOL", "200")
    created = session.post("/orders", defi_buy(qty="100"))
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "initialized"
    assert len(body["payloads"]) == 1
    quote = body["quote"]
    assert quote["issues"] == []
    assert (quote["qty"], quote["fee"], quote["fee_asset"]) == ("100", "0.5", "USDC")
    assert quote["qty_out"] == "0.4975"
    payload = body["payloads"][0]
    assert payload["digest"] == hashlib.sha256(payload["payload"].encode()).hexdigest()
    executed = session.post(
        f"/orders/{body['order_id']}/execute", execute_body(session.private_key, body["payloads"])
    )
    assert executed.status_code == 200, executed.text
    assert executed.json()["status"] == "pending"
    clock.advance(1)
    order = session.order(body["order_id"])
    assert order["status"] == "complete"
    assert order["tx_hash"]
    assert order["executed_qty"] == "0.4975"
    assert session.balance("SOL", "solana")["total"] == "10.4975"
    assert session.balance("USDC", "solana")["total"] == "4900"
    again = session.post(
        f"/orders/{body['order_id']}/execute", execute_body(session.private_key, body["payloads"])
    )
    assert again.status_code == 409


def test_defi_order_bridges_from_cefi_with_two_payloads(sandbox: Sandbox, clock: Clock) -> None:
    s = open_session(sandbox, fund_defi=False)  # CeFi USDC only
    body = s.post("/orders", defi_buy(chain="base", token=BASE_WETH, qty="500")).json()
    assert len(body["payloads"]) == 2
    assert (
        s.post(
            f"/orders/{body['order_id']}/execute", execute_body(s.private_key, body["payloads"])
        ).status_code
        == 200
    )
    clock.advance(1)
    assert s.order(body["order_id"])["status"] == "complete"
    assert s.balance("USDC")["total"] == "99500"
    assert s.balance("USDC", "base")["total"] == "0"


def test_execute_checks_every_stamp(session: Session) -> None:
    # 5000 USDC on solana, 100000 on the exchange: a 6000 buy needs a bridge, so 2 payloads.
    body = session.post("/orders", defi_buy(qty="6000")).json()
    payloads = body["payloads"]
    assert len(payloads) == 2
    url = f"/orders/{body['order_id']}/execute"
    good = execute_body(session.private_key, payloads)

    missing = session.post(url, {"auth_type": "api_key"})
    assert missing.status_code == 400
    assert missing.json()["field_violations"][0]["field"] == "signatures"
    too_few = session.post(url, {**good, "signatures": good["signatures"][:1]})
    assert too_few.status_code == 400
    assert "expected 2" in too_few.json()["message"]
    misordered = session.post(url, {**good, "signatures": good["signatures"][::-1]})
    assert misordered.status_code == 400
    assert "out of order" in misordered.json()["message"]
    stranger = ec.generate_private_key(ec.SECP256R1())
    wrong_key = session.post(url, execute_body(stranger, payloads))
    assert wrong_key.status_code == 401
    assert "signer" in wrong_key.json()["message"]
    forged = session.post(
        url,
        {**good, "signatures": [good["signatures"][0], stamp(session.private_key, "other text")]},
    )
    assert forged.status_code == 401
    assert "signature" in forged.json()["message"]
    assert session.post(url, {**good, "signatures": ["!!"] * 2}).status_code == 400
    assert status(session, body["order_id"]) == "initialized"
    assert session.post(url, good).status_code == 200


def test_stale_payloads_answer_422_quote_stale(session: Session, clock: Clock) -> None:
    body = session.post("/orders", defi_buy()).json()
    clock.advance(61)
    response = session.post(
        f"/orders/{body['order_id']}/execute", execute_body(session.private_key, body["payloads"])
    )
    assert response.status_code == 422
    error = response.json()
    assert (error["type"], error["code"]) == ("failed_precondition", "quote_stale")
    assert status(session, body["order_id"]) == "initialized"


def test_unfundable_defi_order_creates_nothing(sandbox: Sandbox) -> None:
    s = open_session(sandbox, fund_defi=False)
    sandbox.fund("USDC", "-100000", key_id=s.key_id)
    response = s.post("/orders", defi_buy())
    assert response.status_code == 201
    body = response.json()
    assert body["order_id"] == ""
    assert "Insufficient balance" in body["quote"]["issues"]
    assert not body.get("payloads")
    assert sandbox.state.orders == {}


def test_resting_defi_order_cancels_with_signed_payloads(session: Session, clock: Clock) -> None:
    session.sandbox.set_mid("BTC", "60000")
    body = {
        "base_asset": HL_BTC,
        "chain": "hypercore-spot",
        "qty": "0.01",
        "qty_unit": "base",
        "type": "limit",
        "side": "buy",
        "price": "50000",
    }
    created = session.post("/orders", body).json()
    order_id = created["order_id"]
    assert (
        session.post(
            f"/orders/{order_id}/execute", execute_body(session.private_key, created["payloads"])
        ).status_code
        == 200
    )
    clock.advance(1)
    assert status(session, order_id) == "active"
    assert session.request("DELETE", f"/orders/{order_id}").status_code == 400
    cancel = session.post(f"/orders/{order_id}/cancel")
    assert cancel.status_code == 200
    payloads = cancel.json()["payloads"]
    assert len(payloads) == 1
    assert (
        session.post(
            f"/orders/{order_id}/cancel/execute", {"signatures": ["x"], "auth_type": "api_key"}
        ).status_code
        == 400
    )
    done = session.post(
        f"/orders/{order_id}/cancel/execute", execute_body(session.private_key, payloads)
    )
    assert done.status_code == 200
    assert done.json()["status"] == "cancel_pending"
    clock.advance(1)
    assert status(session, order_id) == "canceled"
    assert session.balance("USDC", "hypercore-spot")["held"] == "0"


def test_cancel_execute_without_a_prepared_cancel_is_409(session: Session) -> None:
    order_id = session.post("/orders", limit("buy", "100")).json()["order_id"]
    response = session.post(
        f"/orders/{order_id}/cancel/execute", {"signatures": ["x"], "auth_type": "api_key"}
    )
    assert response.status_code == 409


def test_cefi_buy_short_of_cash_is_funded_by_a_bridge_payload(
    session: Session, clock: Clock
) -> None:
    session.sandbox.fund("USDC", "-99990", key_id=session.key_id)  # 10 USDC left on the exchange
    created = session.post("/orders", market_buy("1000")).json()
    assert created["status"] == "initialized"
    assert len(created["payloads"]) == 1
    executed = session.post(
        f"/orders/{created['order_id']}/execute",
        execute_body(session.private_key, created["payloads"]),
    )
    assert executed.json()["status"] == "pending"
    clock.advance(1)
    assert session.order(created["order_id"])["status"] == "complete"
    assert session.balance("USDC", "solana")["total"] == "4010"  # 990 bridged from solana


def test_execute_accepts_only_api_key_stamps(session: Session, clock: Clock) -> None:
    # The sandbox has no passkeys: auth_type web_authn with API-key stamps is refused.
    body = session.post("/orders", defi_buy()).json()
    url = f"/orders/{body['order_id']}/execute"
    signed = execute_body(session.private_key, body["payloads"])
    for auth_type in ("web_authn", "passkey", None):
        refused = session.post(url, {**signed, "auth_type": auth_type})
        assert refused.status_code == 400, auth_type
        error = refused.json()
        assert error["type"] == "invalid_argument"
        assert [v["field"] for v in error["field_violations"]] == ["auth_type"]
    assert status(session, body["order_id"]) == "initialized"
    assert session.post(url, signed).status_code == 200
    transfer = session.post(
        "/transfers",
        {"asset_id": kit.USDC_SOLANA_ID, "qty": "5", "qty_unit": "base", "to": "Dest1111"},
    ).json()
    signed = execute_body(session.private_key, transfer["payloads"])
    refused = session.post(
        f"/transfers/{transfer['id']}/execute", {**signed, "auth_type": "web_authn"}
    )
    assert refused.status_code == 400
    assert refused.json()["field_violations"][0]["field"] == "auth_type"


def test_only_listed_orders_carry_chain_and_explorer_url(session: Session, clock: Clock) -> None:
    # As the real API (API-FACTS 4.5): the single-order read leaves both out.
    body = session.post("/orders", defi_buy(chain="base", token=BASE_WETH)).json()
    assert (
        session.post(
            f"/orders/{body['order_id']}/execute",
            execute_body(session.private_key, body["payloads"]),
        ).status_code
        == 200
    )
    cefi = session.post("/orders", market_buy()).json()
    clock.advance(2)
    for order_id in (body["order_id"], cefi["order_id"]):
        single = session.order(order_id)
        assert "chain" not in single and "explorer_url" not in single
        assert single["status"] == "complete"
    listed = {o["order_id"]: o for o in session.get("/orders").json()["data"]}
    defi, cex = listed[body["order_id"]], listed[cefi["order_id"]]
    assert defi["chain"] == "base"
    assert defi["explorer_url"] == f"https://basescan.org/tx/{defi['tx_hash']}"
    assert cex["chain"] is None and cex["explorer_url"] is None


@pytest.mark.parametrize(
    ("side", "limit_price", "fill"),
    [("buy", "51000", "50000"), ("sell", "49000", "50000")],
)
def test_a_marketable_limit_order_fills_at_the_better_mid(
    session: Session, clock: Clock, side: str, limit_price: str, fill: str
) -> None:
    session.sandbox.set_mid("BTC", "50000")
    created = session.post("/orders", limit(side, limit_price)).json()
    clock.advance(1)
    order = session.order(created["order_id"])
    assert order["status"] == "complete"
    assert order["executed_vwap"] == fill
    assert order["price"] == limit_price  # the limit itself is what the order asked for


def test_a_resting_limit_order_fills_at_its_limit_when_the_mid_gaps_past(
    session: Session, clock: Clock
) -> None:
    session.sandbox.set_mid("BTC", "50000")
    created = session.post("/orders", limit("buy", "49000")).json()
    clock.advance(1)
    assert status(session, created["order_id"]) == "active"
    session.sandbox.set_mid("BTC", "48000")
    clock.advance(1)
    order = session.order(created["order_id"])
    assert (order["status"], order["executed_vwap"]) == ("complete", "49000")


_BASE58_RE = r"^[1-9A-HJ-NP-Za-km-z]{64,90}$"
_EVM_RE = r"^0x[0-9a-f]{64}$"


@pytest.mark.parametrize(
    ("chain", "token", "shape"), [("solana", SOL_MINT, _BASE58_RE), ("base", BASE_WETH, _EVM_RE)]
)
def test_defi_order_tx_hash_has_the_chain_shape(
    session: Session, clock: Clock, chain: str, token: str, shape: str
) -> None:
    import re

    body = session.post("/orders", defi_buy(chain=chain, token=token)).json()
    url = f"/orders/{body['order_id']}/execute"
    assert session.post(url, execute_body(session.private_key, body["payloads"])).status_code == 200
    clock.advance(1)
    assert re.match(shape, session.order(body["order_id"])["tx_hash"])
