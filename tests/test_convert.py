"""Conversion to public results: Decimal money, aware datetimes, open enums, extras kept."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from _facade_stub import ASSET_CEFI, DEFI_TRANSFER, ORDER, TRANSFER, Stub, sync_gateway

from truemarkets_gateway import UnexpectedResponseError
from truemarkets_gateway._api import convert as _convert
from truemarkets_gateway._api.money import parse_decimal
from truemarkets_gateway.models import (
    Balance,
    Balances,
    Chain,
    OrderSide,
    OrderStatus,
    QtyUnit,
    TransferStatus,
    Venue,
)


def test_order_amounts_are_decimal_and_exact() -> None:
    order = _convert.order({**ORDER, "executed_vwap": "64200.123456789012345678"})
    assert order.executed_vwap == Decimal("64200.123456789012345678")
    for value in (order.price, order.qty, order.executed_qty, order.leaves_qty, order.fee):
        assert isinstance(value, Decimal)
    assert order.created_at is not None and order.created_at.tzinfo is not None


def test_null_and_missing_fields() -> None:
    order = _convert.order({"order_id": "o", "price": None, "created_at": "2026-01-02T03:04:05"})
    assert order.price is None and order.fee is None and order.status is None
    assert order.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)  # naive read as UTC


def test_unknown_enum_values_are_kept() -> None:
    order = _convert.order(
        {**ORDER, "status": "partially_filled", "side": "short", "venue": "dex", "chain": "tron"}
    )
    assert order.status == "partially_filled" and not order.status.is_known
    assert not order.status.is_terminal
    assert order.side == "short" and isinstance(order.side, OrderSide)
    assert order.venue == "dex" and order.chain == "tron"
    transfer = _convert.transfer({**TRANSFER, "status": "queued"})
    assert transfer.status == "queued" and not transfer.is_terminal
    assert OrderStatus("complete").is_known and OrderStatus("complete").is_terminal


@pytest.mark.parametrize(
    ("status", "terminal"),
    [("complete", True), ("canceled", True), ("failed", True), ("active", False),
     ("pending", False), ("initialized", False), ("cancel_pending", False)],
)  # fmt: skip
def test_order_terminal(status: str, terminal: bool) -> None:
    assert OrderStatus(status).is_terminal is terminal


def test_transfer_terminal_spelling() -> None:
    assert TransferStatus("completed").is_terminal and TransferStatus("failed").is_terminal
    assert not TransferStatus("complete").is_terminal  # orders' spelling is not a transfer's


def test_transfer_conversion() -> None:
    transfer = _convert.transfer({**DEFI_TRANSFER, "explorer_url": "https://x", "later": 1})
    assert transfer.status is TransferStatus.AWAITING_SIGNATURE and transfer.needs_signature
    assert transfer.chain is Chain.SOLANA and transfer.venue is Venue.DEFI
    assert transfer.qty_unit is QtyUnit.BASE and transfer.network is None
    assert transfer.explorer_url == "https://x" and transfer.extra == {"later": 1}
    assert transfer.updated_at == datetime(2026, 6, 24, 18, 38, 31, tzinfo=UTC)


def test_asset_conversion_keeps_nested_and_unknown_fields() -> None:
    page = _convert.assets_page(
        {
            "data": [
                {**ASSET_CEFI, "image": {"thumb": "t"}, "asset_class": "crypto", "type": "spot"}
            ],
            "pagination": {"next_cursor": "c2", "limit": 1},
        }
    )
    asset = page.items[0]
    assert asset.venue is Venue.CEFI and asset.decimals == 8
    assert asset.extra["image"] == {"thumb": "t"} and asset.extra["asset_class"] == "crypto"
    assert page.next_cursor == "c2" and page.limit == 1 and page.has_more


def test_quote_issue_shapes() -> None:
    created = _convert.created_order(
        {"order_id": "", "quote": {"issues": ["a", {"message": "b", "balance": {}}]}}
    )
    assert created.quote is not None and created.quote.issues == ("a", "b")
    assert created.quote.has_issues and not created.order_created


def test_balances_aggregate_by_symbol() -> None:
    rows = (
        Balance("USDC", Decimal("1.1"), Decimal("1"), Decimal("0.1")),
        Balance("USDC", Decimal("2.2"), Decimal("2.2"), Decimal("0"), chain=Chain.SOLANA),
        Balance("SOL", Decimal("3"), Decimal("3"), Decimal("0")),
    )
    balances = Balances.from_rows(rows)
    usdc = balances["USDC"]
    assert usdc.total == Decimal("3.3") and usdc.held == Decimal("0.1")
    assert len(usdc.buckets) == 2 and list(balances)[1].symbol == "SOL"
    with pytest.raises(KeyError):
        balances["BTC"]


# --- answers with NaN / Infinity / unreadable amounts ------------------------------------------


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "sNaN", "abc"])
def test_non_finite_answer_amount_is_none_kept_in_extra_and_warned(
    raw: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert parse_decimal(raw) is None
    with caplog.at_level(logging.WARNING, logger="truemarkets_gateway"):
        q = _convert.quote({"qty": raw, "price": "10"})
    assert q.qty is None and q.price == Decimal("10")
    assert q.extra["qty"] == raw
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "qty" in warnings[0].getMessage()


def test_non_finite_order_and_transfer_amounts() -> None:
    order = _convert.order({"order_id": "o1", "price": "NaN", "fee": "Infinity", "qty": "1"})
    assert order.price is None and order.fee is None and order.qty == Decimal(1)
    assert order.extra["price"] == "NaN" and order.extra["fee"] == "Infinity"
    transfer = _convert.transfer({"id": "t1", "qty": "NaN"})
    assert transfer.qty is None and transfer.extra["qty"] == "NaN"


def test_absent_amounts_are_none_without_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="truemarkets_gateway"):
        q = _convert.quote({"qty": None})
    assert q.qty is None and q.price is None and "qty" not in q.extra
    assert not caplog.records


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "lots"])
def test_unreadable_balance_fails_the_response(raw: str) -> None:
    row = {"symbol": "USDC", "total": raw, "available": "1", "held": "0"}
    stub = Stub().json("GET", "/balances", {"data": [row]})
    with pytest.raises(UnexpectedResponseError) as info:
        sync_gateway(stub).get_balances()
    assert "USDC" in str(info.value) and "total" in str(info.value)


def test_absent_balance_amount_still_reads_as_zero() -> None:
    stub = Stub().json("GET", "/balances", {"data": [{"symbol": "USDC", "available": "1"}]})
    usdc = sync_gateway(stub).get_balances()["USDC"]
    assert usdc.available == Decimal(1) and usdc.total == Decimal(0)


def test_unreadable_legacy_balance_fails() -> None:
    with pytest.raises(ValueError, match="unreadable balance"):
        _convert.balances({"balances": [{"asset_name": "BTC", "balance": "NaN"}]})


def test_query_enums_go_through_the_generated_models() -> None:
    from truemarkets_gateway_client import models as generated

    assert _convert.venue_param("defi") is generated.Venue.DEFI
    assert _convert.transfer_status_param("pending") is generated.TransferStatus.PENDING


# --- answers that once escaped as untyped errors (issue 12, item 3) ------------------------------


@pytest.mark.parametrize(
    "total", ["1e1000000", "-1e1000000", "1e-1000000", "9e9999999", "1e99999999999999999999"]
)
def test_absurd_balance_exponents_fail_typed(total: str) -> None:
    row = {"symbol": "USDC", "total": total, "available": "1", "held": "0"}
    stub = Stub().json("GET", "/balances", {"data": [row, {**row, "total": "1"}]})
    with pytest.raises(UnexpectedResponseError, match="USDC balance has an unreadable total"):
        sync_gateway(stub).get_balances()


def test_balance_summaries_are_exact_at_any_size() -> None:
    rows = [
        {"symbol": "X", "total": "1e1000", "available": "123456789012345678901234567890.1", "held": "0"},
        {"symbol": "X", "total": "1e-1000", "available": "0.000000000000000000001", "held": "1e-1000"},
        {"symbol": "X", "total": "1", "available": "1e1000", "held": "-1e-1000"},
    ]  # fmt: skip
    x = _convert.balances({"data": rows})["X"]
    assert x.total == Decimal("1" + "0" * 999 + "1." + "0" * 999 + "1")
    big = "1" + "0" * (1000 - 30) + "123456789012345678901234567890.100000000000000000001"
    assert x.available == Decimal(big) and x.held == 0


def test_summing_does_not_round_where_the_default_context_would() -> None:
    a, b = Decimal("12345678901234567890123456789.5"), Decimal("0.25")
    rows = (Balance("X", a, a, a), Balance("X", b, b, b))
    summary = Balances.from_rows(rows)["X"]
    assert summary.total == Decimal("12345678901234567890123456789.75")
    assert a + b != summary.total  # 28 digits: the plain sum rounds


def test_lone_surrogates_in_ids_and_cursors_fail_typed() -> None:
    bad_id = {**ORDER, "order_id": "o\ud800"}
    page = {"data": [ORDER], "pagination": {"next_cursor": "\udc00"}}
    stub = Stub().on("GET", "/orders/o1", httpx.Response(200, content=json.dumps(bad_id)))
    stub.on("GET", "/orders", httpx.Response(200, content=json.dumps(page)))
    gw = sync_gateway(stub)
    with pytest.raises(UnexpectedResponseError, match="order_id"):
        gw.get_order("o1")
    with pytest.raises(UnexpectedResponseError, match="next_cursor"):
        gw.list_orders_page()
    with pytest.raises(ValueError, match="transfer_id"):
        _convert.transfer({**TRANSFER, "id": "\ud800"})
    with pytest.raises(ValueError):
        _convert.transfer({**DEFI_TRANSFER, "payloads": [{"payload": "ab\ud800"}]})


def test_lone_surrogates_in_other_text_are_replaced_not_fatal() -> None:
    order = _convert.order({**ORDER, "failure_reason": "bad\ud800", "asset_symbol": "\ud83d\ude00"})
    assert order.failure_reason == "bad\ufffd" and order.asset_symbol == "😀"
    order.failure_reason.encode()
    created = _convert.created_order(
        {"order_id": "", "quote": {"issues": [{"message": "x\udfff"}]}}
    )
    assert created.quote is not None and created.quote.issues == ("x\ufffd",)


def test_deep_json_fails_typed() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(ValueError, match="nested too deeply"):
        _convert.json_body(deep)
    assert _convert.json_body(b"") is None and _convert.json_body(b'{"a": 1}') == {"a": 1}
    nested: object = "x"
    for _ in range(100_000):
        nested = {"message": None, "more": nested}
    with pytest.raises(ValueError, match="RecursionError"):
        _convert.created_order({"order_id": "", "quote": {"issues": [nested]}})
