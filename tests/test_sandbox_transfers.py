"""Sandbox transfers (DeFi signed, CeFi with a network) and cursor pagination."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import test_sandbox_kit as kit
from test_sandbox_kit import (
    BTC_ID,
    LOOPBACK,
    USDC_CEFI_ID,
    USDC_SOLANA_ID,
    Clock,
    Session,
    execute_body,
)

pytestmark = LOOPBACK
clock, sandbox, session = kit.clock, kit.sandbox, kit.session

TRANSFER_FIELDS = {
    "id", "status", "venue", "asset_id", "asset_symbol", "chain", "network", "to", "qty",
    "qty_unit", "sent", "fee", "received", "tx_hash", "payloads", "created_at", "updated_at",
    "explorer_url",
}  # fmt: skip


def transfer(asset_id: str, qty: str = "10", **extra: Any) -> dict[str, Any]:
    return {
        "asset_id": asset_id,
        "qty": qty,
        "qty_unit": "base",
        "to": "DestinationAddr1111",
        **extra,
    }


def test_defi_transfer_awaits_signature_then_completes(session: Session, clock: Clock) -> None:
    created = session.post("/transfers", transfer(USDC_SOLANA_ID, "25"))
    assert created.status_code == 201
    body = created.json()
    assert set(body) == TRANSFER_FIELDS
    assert (body["status"], body["venue"], body["chain"], body["network"]) == (
        "awaiting_signature",
        "defi",
        "solana",
        None,
    )
    assert len(body["payloads"]) == 1
    assert body["tx_hash"] == ""
    stranger = session.post(f"/transfers/{body['id']}/execute", {"auth_type": "api_key"})
    assert stranger.status_code == 400
    executed = session.post(
        f"/transfers/{body['id']}/execute", execute_body(session.private_key, body["payloads"])
    )
    assert executed.status_code == 200
    assert executed.json()["status"] == "pending"
    assert executed.json()["payloads"] == []
    assert executed.json()["tx_hash"]
    clock.advance(1)
    done = session.get(f"/transfers/{body['id']}").json()
    assert (done["status"], done["sent"], done["received"]) == ("completed", "25", "25")
    assert session.balance("USDC", "solana")["total"] == "4975"
    again = session.post(
        f"/transfers/{body['id']}/execute", execute_body(session.private_key, body["payloads"])
    )
    assert again.status_code == 409


def test_cefi_transfer_needs_a_matching_network_any_case(session: Session, clock: Clock) -> None:
    assert (
        session.post("/transfers", transfer(BTC_ID, "0.1")).json()["field_violations"][0]["field"]
        == "network"
    )
    wrong = session.post("/transfers", transfer(BTC_ID, "0.1", network="solana"))
    assert wrong.status_code == 400
    assert "bitcoin" in wrong.json()["field_violations"][0]["message"]
    created = session.post("/transfers", transfer(BTC_ID, "0.1", network="Bitcoin"))
    assert created.status_code == 201
    body = created.json()
    assert set(body) == TRANSFER_FIELDS
    assert (body["status"], body["payloads"], body["tx_hash"], body["chain"]) == (
        "pending",
        [],
        "",
        None,
    )
    assert body["network"] == "bitcoin"
    assert session.balance("BTC")["held"] == "0.1"
    clock.advance(1)
    done = session.get(f"/transfers/{body['id']}").json()
    assert done["status"] == "completed"
    assert (done["sent"], done["fee"], done["received"]) == ("0.1", "0.00002", "0.09998")
    assert done["tx_hash"]
    assert session.balance("BTC") | {} == session.balance("BTC")
    assert session.balance("BTC")["total"] == "1.9"


def test_compatible_networks_are_accepted(session: Session) -> None:
    assert session.post("/transfers", transfer(USDC_CEFI_ID, network="ARBITRUM")).status_code == 201


def test_defi_transfer_with_a_network_is_400(session: Session) -> None:
    response = session.post("/transfers", transfer(USDC_SOLANA_ID, network="solana"))
    assert response.status_code == 400
    assert response.json()["field_violations"][0]["field"] == "network"


@pytest.mark.parametrize(
    "body",
    [
        {"qty": "1", "qty_unit": "base", "to": "x"},
        transfer("00000000-0000-4000-8000-000000000000"),
        transfer(USDC_SOLANA_ID, qty="0"),
        transfer(USDC_SOLANA_ID, qty_unit="lots"),
        {**transfer(USDC_SOLANA_ID), "to": ""},
        transfer(USDC_SOLANA_ID, qty="1000000"),  # more than the balance
        transfer(USDC_SOLANA_ID, qty=str(10**30)),  # beyond any sane size
        transfer(USDC_SOLANA_ID, qty="0." + "0" * 18 + "1"),  # finer than any token unit
    ],
)
def test_bad_transfers_are_400_and_create_nothing(session: Session, body: dict[str, Any]) -> None:
    assert session.post("/transfers", body).status_code == 400
    assert session.sandbox.state.transfers == {}


def test_unknown_transfer_is_404(session: Session) -> None:
    assert session.get("/transfers/00000000-0000-4000-8000-000000000000").status_code == 404


def test_transfer_status_filter(session: Session) -> None:
    session.post("/transfers", transfer(USDC_SOLANA_ID, "1"))
    session.post("/transfers", transfer(BTC_ID, "0.1", network="bitcoin"))
    waiting = session.get("/transfers", params={"status": "awaiting_signature"}).json()["data"]
    assert [t["venue"] for t in waiting] == ["defi"]
    # Our spec lists no 400 for listTransfers (upstream neither); the sandbox still refuses
    # an unknown status, so read this one answer without the spec check.
    bogus = httpx.get(
        session.sandbox.gateway_url + "/transfers",
        params={"status": "bogus"},
        headers=session.headers,
    )
    assert bogus.status_code == 400


# --- pagination ---------------------------------------------------------------------------------


def walk(session: Session, path: str, limit: int, **params: str) -> list[list[dict[str, Any]]]:
    pages, cursor = [], None
    while True:
        query = {"limit": str(limit), **params, **({"cursor": cursor} if cursor else {})}
        body = session.get(path, params=query).json()
        pages.append(body["data"])
        assert body["pagination"]["limit"] == limit
        cursor = body["pagination"]["next_cursor"]
        if cursor is None:
            return pages


def test_orders_paginate_newest_first_across_three_pages(session: Session) -> None:
    # A frozen clock: creation times still differ, so the cursor never skips or repeats.
    ids = []
    for _ in range(7):
        body = {
            "base_asset": "BTC",
            "qty": "0.01",
            "qty_unit": "base",
            "type": "limit",
            "side": "buy",
            "price": "100",
        }
        ids.append(session.post("/orders", body).json()["order_id"])
    pages = walk(session, "/orders", 3)
    assert [len(p) for p in pages] == [3, 3, 1]
    seen = [o["order_id"] for page in pages for o in page]
    assert seen == ids[::-1]
    assert walk(session, "/orders", 100) == [[session.get("/orders").json()["data"]][0]]


def test_transfers_paginate_across_three_pages(session: Session) -> None:
    ids = [session.post("/transfers", transfer(USDC_SOLANA_ID, "1")).json()["id"] for _ in range(5)]
    pages = walk(session, "/transfers", 2)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [t["id"] for page in pages for t in page] == ids[::-1]


def test_assets_paginate_and_filter_by_venue(session: Session) -> None:
    pages = walk(session, "/assets", 5)
    assert [len(p) for p in pages] == [5, 5, 3]
    rows = [a for page in pages for a in page]
    assert len({a["id"] for a in rows}) == 13
    defi = walk(session, "/assets", 100, venue="defi")[0]
    assert {(a["symbol"], a["chain"]) for a in defi} >= {
        ("SOL", "solana"),
        ("USDC", "solana"),
        ("USDC", "base"),
        ("ETH", "base"),
    }
    assert all(a["address"] for a in defi)
    btc = next(a for a in rows if a["id"] == BTC_ID)
    assert btc["networks"] == [{"network": "bitcoin", "compatible_networks": ["bitcoin"]}]
    assert (btc["chain"], btc["address"], btc["venue"]) == (None, None, "cefi")


def test_order_filters_and_bad_page_parameters(session: Session) -> None:
    session.post(
        "/orders",
        {"base_asset": "BTC", "qty": "10", "qty_unit": "quote", "type": "market", "side": "buy"},
    )
    session.post(
        "/orders",
        {
            "base_asset": kit.SOL_MINT,
            "chain": "solana",
            "qty": "10",
            "qty_unit": "quote",
            "type": "market",
            "side": "buy",
        },
    )
    assert len(session.get("/orders", params={"venue": "defi"}).json()["data"]) == 1
    assert len(session.get("/orders", params={"venue": "cefi,defi"}).json()["data"]) == 2
    assert len(session.get("/orders", params={"status": "pending,initialized"}).json()["data"]) == 2
    assert session.get("/orders", params={"status": "complete"}).json()["data"] == []
    for params in (
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "x"},
        {"cursor": "yesterday"},
        {"status": "done"},
        {"venue": "otc"},
    ):
        response = session.get("/orders", params=params)
        assert response.status_code == 400, params
        assert response.json()["field_violations"]


_BASE58 = r"^[1-9A-HJ-NP-Za-km-z]{64,90}$"
_EVM = r"^0x[0-9a-f]{64}$"
_BITCOIN = r"^[0-9a-f]{64}$"
ETH_CEFI_ID = "742f90d4-b0db-45a4-9c21-813c152aad15"
USDC_BASE_ID = "c0a80101-0000-4000-8000-000000000003"


@pytest.mark.parametrize(
    ("body", "shape"),
    [
        (transfer(USDC_SOLANA_ID, "5"), _BASE58),
        (transfer(USDC_BASE_ID, "5"), _EVM),
        (transfer(BTC_ID, "0.1", network="bitcoin"), _BITCOIN),
        (transfer(ETH_CEFI_ID, "1", network="ethereum"), _EVM),
        (transfer(USDC_CEFI_ID, "10", network="solana"), _BASE58),
    ],
    ids=["defi-solana", "defi-base", "cefi-bitcoin", "cefi-ethereum", "cefi-solana"],
)
def test_transfer_tx_hash_has_the_shape_of_its_chain(
    session: Session, clock: Clock, body: dict[str, Any], shape: str
) -> None:
    import re

    created = session.post("/transfers", body).json()
    if created["status"] == "awaiting_signature":
        executed = session.post(
            f"/transfers/{created['id']}/execute",
            execute_body(session.private_key, created["payloads"]),
        )
        assert re.match(shape, executed.json()["tx_hash"])
    clock.advance(1)
    done = session.get(f"/transfers/{created['id']}").json()
    assert done["status"] == "completed"
    assert re.match(shape, done["tx_hash"]), done["tx_hash"]
