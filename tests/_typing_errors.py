"""Checked by mypy --strict in tests/test_errors.py: error context is typed for users."""

from __future__ import annotations

from truemarkets_gateway import Gateway
from truemarkets_gateway.errors import (
    APIConnectionError,
    APIError,
    OrderFailedError,
    OrderNotCreatedError,
    OrderTimeoutError,
    QuoteIssuesError,
    TransferFailedError,
    TransferTimeoutError,
    TrueMarketsError,
)
from truemarkets_gateway.models import Order, QuoteDetails, Transfer


def context(gw: Gateway) -> None:
    try:
        gw.place_order(side="buy", type="market", qty="1", qty_unit="quote", chain="solana")
    except APIError as e:
        order_id: str | None = e.order_id
        replaced: tuple[str, ...] = e.replaced_order_ids
        sent: bool | None = e.gateway_request_sent
        status: int = e.status_code
        print(order_id, replaced, sent, status)
    except APIConnectionError as e:
        reached: bool = e.may_have_reached_server
        print(reached, e.order_id, e.transfer_id)
    except QuoteIssuesError as e:
        issues: tuple[str, ...] = e.issues
        quote: QuoteDetails | None = e.quote
        print(issues, quote)
    except OrderNotCreatedError as e:
        print(e.quote)
    except OrderTimeoutError as e:
        order: Order | None = e.order
        last: str | None = e.last_status
        print(order, last, e.resource_id.upper(), e.cause)
    except OrderFailedError as e:
        failed: Order | None = e.order
        print(failed)
    except TrueMarketsError as e:
        print(e.order_id, e.transfer_id, e.replaced_order_ids)


def transfers(gw: Gateway) -> None:
    try:
        gw.transfer(asset_id="a", qty="1", to="addr")
    except TransferTimeoutError as e:
        last_read: Transfer | None = e.transfer
        print(last_read, e.transfer_id)
    except TransferFailedError as e:
        print(e.transfer)
