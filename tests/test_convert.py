"""Conversion to public results: Decimal money, aware datetimes, open enums, extras kept."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from _facade_stub import ASSET_CEFI, DEFI_TRANSFER, ORDER, TRANSFER

from truemarkets_gateway import _convert
from truemarkets_gateway._money import parse_decimal, to_decimal
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


def test_money_inputs() -> None:
    assert to_decimal("1.50", "qty") == Decimal("1.50")
    assert to_decimal(3, "qty") == Decimal(3)
    with pytest.raises(TypeError, match="float"):
        to_decimal(1.5, "qty")
    with pytest.raises(TypeError):
        to_decimal(True, "qty")
    with pytest.raises(TypeError):
        to_decimal([1], "qty")
    assert parse_decimal(None) is None and parse_decimal("") is None
    assert parse_decimal("junk") is None
    assert parse_decimal(0.1) == Decimal("0.1")  # via str, never the binary value
