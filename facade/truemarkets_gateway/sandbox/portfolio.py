"""`GET /portfolio` (balances valued at the sandbox market's mids) and `GET /transactions`
(orders and transfers as one feed, newest first)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from truemarkets_gateway.sandbox.market import PriceBook
from truemarkets_gateway.sandbox.orders import Order
from truemarkets_gateway.sandbox.transfers import Transfer
from truemarkets_gateway.sandbox.values import explorer_url, format_decimal, format_time

__all__ = ["Transaction", "portfolio", "transactions"]

_CENT = Decimal("0.01")
_ORDER_STATUS = {"complete": "completed", "failed": "failed", "canceled": "canceled"}
_TRANSFER_STATUS = {"completed": "completed", "failed": "failed"}


def _usd(value: Decimal) -> str:
    return f"{value.quantize(_CENT):f}"


def portfolio(rows: Iterable[dict[str, Any]], market: PriceBook, now: float) -> dict[str, Any]:
    """The balance rows with USD price and value, and the totals over them."""
    balances = []
    cash = holdings = Decimal(0)
    for row in rows:
        symbol = str(row["symbol"])
        price = market.mid(symbol, now) if market.knows(symbol) else None
        value = None if price is None else Decimal(str(row["total"])) * price
        if value is not None:
            if row.get("stable"):
                cash += value
            else:
                holdings += value
        balances.append(
            {
                **row,
                "icon": None,
                "price": None if price is None else format_decimal(price),
                "value": None if value is None else _usd(value),
                "change_24h_pct": "0",
            }
        )
    return {
        "total_usd": _usd(cash + holdings),
        "balances_usd": _usd(holdings),
        "cash_usd": _usd(cash),
        "change_24h_usd": "0.00",
        "change_24h_pct": "0",
        "unrealized_pnl_usd": "0.00",
        "realized_pnl_usd": "0.00",
        "balances": balances,
        "positions": [],
    }


@attrs.frozen
class Transaction:
    """One row of the feed (its `order` or `transfer` holds the full record)."""

    created_at: float
    body: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return self.body


def _order_row(order: Order) -> Transaction:
    status = _ORDER_STATUS.get(order.status, "pending")
    qty = order.executed_qty if order.status == "complete" else order.qty
    body = {
        "id": order.order_id,
        "type": "order",
        "asset_flow": "in" if order.side == "buy" else "out",
        "status": status,
        "created_at": format_time(order.created_at),
        "completed_at": None if status == "pending" else format_time(order.status_since),
        "qty": format_decimal(qty),
        "asset_id": order.asset.id,
        "asset_symbol": order.asset.symbol,
        "tx_hash": order.tx_hash or None,
        "explorer_url": explorer_url(order.chain, order.tx_hash),
        "failure_reason": order.failure_reason,
        "order": order.to_json(listing=True),
    }
    return Transaction(order.created_at, body)


def _transfer_row(transfer: Transfer) -> Transaction:
    status = _TRANSFER_STATUS.get(transfer.status, "pending")
    body = {
        "id": transfer.id,
        "type": "transfer",
        "asset_flow": "out",
        "status": status,
        "created_at": format_time(transfer.created_at),
        "completed_at": None if status == "pending" else format_time(transfer.updated_at),
        "qty": format_decimal(transfer.qty),
        "asset_id": transfer.asset.id,
        "asset_symbol": transfer.asset.symbol,
        "tx_hash": transfer.tx_hash or None,
        "explorer_url": explorer_url(transfer.rail, transfer.tx_hash),
        "failure_reason": None,
        "transfer": transfer.to_json(),
    }
    return Transaction(transfer.created_at, body)


def transactions(orders: Sequence[Order], transfers: Sequence[Transfer]) -> list[Transaction]:
    """Every order and transfer of one account as feed rows, newest first."""
    rows = [_order_row(o) for o in orders] + [_transfer_row(t) for t in transfers]
    return sorted(rows, key=lambda row: row.created_at, reverse=True)
