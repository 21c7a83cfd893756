"""Public result types: frozen values with Decimal money, datetimes and open enums. Fields
this SDK does not know yet are kept in `extra`; enums accept unknown values (`is_known`)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext
from typing import Any, Generic, Literal, TypeAlias, TypeVar

import attrs

from ._models_org import (
    OrganizationUser,
    Portfolio,
    PortfolioPosition,
    TransactionDetail,
    TransactionStatus,
    TransactionType,
    Wallet,
    _extra,
    _OpenEnum,
)

# fmt: off
__all__ = [  # noqa: RUF022 (by topic)
    "OrderSide", "OrderType", "QtyUnit", "Venue", "Chain", "OrderStatus", "TransferStatus",
    "Quote", "QuoteDetails", "UnsignedPayload", "CreatedOrder", "ExecutedOrder", "Order",
    "CancelPrepared", "Transfer", "AssetNetwork", "Asset", "Balance", "BalanceSummary",
    "Balances", "Wallet", "OrganizationUser", "PortfolioPosition", "Portfolio", "TransactionType",
    "TransactionStatus", "TransactionDetail", "Page", "PlacedOrder", "CancelResult",
    "TransferResult",
]
# fmt: on


T = TypeVar("T")


class OrderSide(_OpenEnum):
    """Which way an order trades: `buy` or `sell`."""

    BUY = "buy"
    SELL = "sell"


class OrderType(_OpenEnum):
    """`market` (at the best available price) or `limit` (at `price` or better)."""

    MARKET = "market"
    LIMIT = "limit"


class QtyUnit(_OpenEnum):
    """What `qty` counts: `base` (the asset traded) or `quote` (the asset paid with)."""

    BASE = "base"
    QUOTE = "quote"


class Venue(_OpenEnum):
    """Where an order trades: `cefi` (exchange) or `defi` (on-chain, payloads to sign)."""

    CEFI = "cefi"
    DEFI = "defi"


class Chain(_OpenEnum):
    """The chain of a DeFi order or asset."""

    SOLANA = "solana"
    BASE = "base"
    HYPERCORE_SPOT = "hypercore-spot"
    HYPERCORE_PERP = "hypercore-perp"


# What methods take: the enum or its value as a literal (any str is checked at run time).
OrderSideInput: TypeAlias = OrderSide | Literal["buy", "sell"]
OrderTypeInput: TypeAlias = OrderType | Literal["market", "limit"]
QtyUnitInput: TypeAlias = QtyUnit | Literal["base", "quote"]
VenueInput: TypeAlias = Venue | Literal["cefi", "defi"]
ChainInput: TypeAlias = Chain | Literal["solana", "base", "hypercore-spot", "hypercore-perp"]


class OrderStatus(_OpenEnum):
    """Note the spelling: orders end `complete`, transfers end `completed`."""

    INITIALIZED = "initialized"
    PENDING = "pending"
    ACTIVE = "active"
    CANCEL_PENDING = "cancel_pending"
    COMPLETE = "complete"
    CANCELED = "canceled"
    FAILED = "failed"

    @property
    def is_terminal(self) -> bool:
        return self.value in ("complete", "canceled", "failed")


class TransferStatus(_OpenEnum):
    """A transfer's status; it ends `completed` or `failed`."""

    AWAITING_SIGNATURE = "awaiting_signature"
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def is_terminal(self) -> bool:
        return self.value in ("completed", "failed")


_OrderStatusText = Literal[
    "initialized", "pending", "active", "cancel_pending", "complete", "canceled", "failed"
]
OrderStatusInput: TypeAlias = OrderStatus | _OrderStatusText
_TransferStatusText = Literal["awaiting_signature", "pending", "completed", "failed"]
TransferStatusInput: TypeAlias = TransferStatus | _TransferStatusText


class _Signable:
    __slots__ = ()
    payloads: tuple[UnsignedPayload, ...]

    @property
    def needs_signature(self) -> bool:
        """True when `payloads` await stamps (send them with the matching `execute_*` call)."""
        return bool(self.payloads)


class _Ends:
    __slots__ = ()
    status: OrderStatus | TransferStatus | None

    @property
    def is_terminal(self) -> bool:
        """True once the status is terminal (complete/completed, canceled or failed)."""
        return self.status is not None and self.status.is_terminal


@attrs.frozen(slots=True)
class Quote:
    """A non-binding CeFi quote: `qty` you would receive, `price` per base unit."""

    qty: Decimal | None
    price: Decimal | None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(slots=True)
class QuoteDetails:
    """The quote behind a DeFi order; read `issues` (e.g. "Insufficient balance") first."""

    base_asset: str | None
    quote_asset: str | None
    qty: Decimal | None
    qty_out: Decimal | None
    fee: Decimal | None
    fee_asset: str | None
    issues: tuple[str, ...] = ()
    extra: Mapping[str, Any] = _extra()

    @property
    def has_issues(self) -> bool:
        """True when the quote reports issues: read them before signing."""
        return bool(self.issues)


@attrs.frozen(slots=True)
class UnsignedPayload:
    """One payload to stamp exactly as received (`digest` is informational)."""

    payload: str
    digest: str = ""


@attrs.frozen(slots=True)
class CreatedOrder(_Signable):
    """The answer to `create_order`: `payloads` to sign (stale within about a minute, see
    `payload_age`), or none if submitted. Empty `order_id`: no order (read `quote.issues`)."""

    order_id: str
    status: OrderStatus | None
    payloads: tuple[UnsignedPayload, ...] = ()
    quote: QuoteDetails | None = None
    received_monotonic: float = attrs.field(factory=time.monotonic, repr=False, eq=False)
    extra: Mapping[str, Any] = _extra()

    @property
    def order_created(self) -> bool:
        """False when the Gateway answered without creating an order (no `order_id`)."""
        return self.order_id != ""

    @property
    def payload_age(self) -> float:
        """Seconds since the response arrived (monotonic clock)."""
        return time.monotonic() - self.received_monotonic


@attrs.frozen(slots=True)
class ExecutedOrder:
    """An order (or its cancellation) was submitted; poll `get_order_status`."""

    order_id: str
    status: OrderStatus | None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(slots=True)
class Order(_Ends):
    """An order. Quantities are in base units except `qty` (in its `qty_unit`)."""

    order_id: str
    status: OrderStatus | None
    side: OrderSide | None
    type: OrderType | None
    venue: Venue | None
    base_asset: str | None = None
    quote_asset: str | None = None
    price: Decimal | None = None
    qty: Decimal | None = None
    executed_qty: Decimal | None = None
    leaves_qty: Decimal | None = None
    executed_vwap: Decimal | None = None
    fee: Decimal | None = None
    tx_hash: str | None = None
    created_at: datetime | None = None
    asset_id: str | None = None
    asset_symbol: str | None = None
    qty_unit: QtyUnit | None = None
    chain: Chain | None = None
    explorer_url: str | None = None
    failure_reason: str | None = None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(slots=True)
class CancelPrepared(_Signable):
    """`accepted`: a CeFi cancel was taken as is; else stamp `payloads` and send them with
    `execute_cancel_order`."""

    order_id: str
    payloads: tuple[UnsignedPayload, ...] = ()
    accepted: bool = False
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(slots=True)
class Transfer(_Signable, _Ends):
    """An on-chain transfer; `awaiting_signature` ones carry `payloads`."""

    id: str
    status: TransferStatus | None
    venue: Venue | None = None
    asset_id: str | None = None
    asset_symbol: str | None = None
    chain: Chain | None = None
    network: str | None = None
    to: str | None = None
    qty: Decimal | None = None
    qty_unit: QtyUnit | None = None
    sent: Decimal | None = None
    fee: Decimal | None = None
    received: Decimal | None = None
    tx_hash: str | None = None
    payloads: tuple[UnsignedPayload, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    explorer_url: str | None = None
    extra: Mapping[str, Any] = _extra()

    @property
    def transfer_id(self) -> str:
        """The same as `id`."""
        return self.id


@attrs.frozen(slots=True)
class AssetNetwork:
    """A CeFi deposit/withdrawal rail, and the networks that route to the same address."""

    network: str
    compatible_networks: tuple[str, ...] = ()


@attrs.frozen(slots=True)
class Asset:
    """A tradeable asset (DeFi: one row per symbol and chain, `address` the token)."""

    id: str
    symbol: str | None
    venue: Venue | None
    name: str | None = None
    chain: Chain | None = None
    address: str | None = None
    decimals: int | None = None
    networks: tuple[AssetNetwork, ...] = ()
    is_active: bool | None = None
    tradeable: bool | None = None
    stable: bool | None = None
    slug: str | None = None
    description: str | None = None
    website: str | None = None
    icon: str | None = None
    extra: Mapping[str, Any] = _extra()

    @property
    def network_names(self) -> frozenset[str]:
        """Every network name (lower case) of the asset's rails."""
        return frozenset(
            n.lower() for rail in self.networks for n in (rail.network, *rail.compatible_networks)
        )


@attrs.frozen(slots=True)
class _Totals:
    symbol: str
    total: Decimal
    available: Decimal
    held: Decimal


@attrs.frozen(slots=True)
class Balance(_Totals):
    """One custody bucket of one asset (exchange-held has `chain` None)."""

    name: str | None = None
    chain: Chain | None = None
    address: str | None = None
    decimals: int | None = None
    stable: bool | None = None
    tradeable: bool | None = None
    asset_id: str | None = None
    venue: Venue | None = None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(slots=True)
class BalanceSummary(_Totals):
    """All `buckets` of one symbol, summed."""

    buckets: tuple[Balance, ...]


def _exact_sum(values: list[Decimal]) -> Decimal:
    # The default 28 digits would round; the readers bound the exponents, so this stays small.
    with localcontext(Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)):
        return sum(values[1:], values[0]) if values else Decimal(0)


@attrs.frozen(slots=True)
class Balances:
    """Balances by symbol (`balances["USDC"]`), with the raw `rows`."""

    summaries: tuple[BalanceSummary, ...]
    rows: tuple[Balance, ...]

    @classmethod
    def from_rows(cls, rows: tuple[Balance, ...]) -> Balances:
        """`rows` grouped by symbol, each group summed exactly."""
        grouped: dict[str, list[Balance]] = {}
        for row in rows:
            grouped.setdefault(row.symbol, []).append(row)
        summaries = tuple(
            BalanceSummary(
                symbol,
                _exact_sum([b.total for b in buckets]),
                _exact_sum([b.available for b in buckets]),
                _exact_sum([b.held for b in buckets]),
                tuple(buckets),
            )
            for symbol, buckets in grouped.items()
        )
        return cls(summaries=summaries, rows=rows)

    def get(self, symbol: str) -> BalanceSummary | None:
        """The summary for `symbol`, or None when there is none."""
        return next((s for s in self.summaries if s.symbol == symbol), None)

    def __getitem__(self, symbol: str) -> BalanceSummary:
        if (summary := self.get(symbol)) is None:
            raise KeyError(symbol)
        return summary

    def __contains__(self, symbol: object) -> bool:
        return isinstance(symbol, str) and self.get(symbol) is not None

    def __iter__(self) -> Iterator[BalanceSummary]:
        return iter(self.summaries)

    def __len__(self) -> int:
        return len(self.summaries)

    @property
    def symbols(self) -> tuple[str, ...]:
        """The symbols, in first-seen order."""
        return tuple(s.symbol for s in self.summaries)


@attrs.frozen(slots=True)
class Page(Generic[T]):
    """One page; pass `next_cursor` as `cursor=` for the next (None: the last)."""

    items: tuple[T, ...]
    next_cursor: str | None = None
    limit: int | None = None

    @property
    def has_more(self) -> bool:
        """True when `next_cursor` points to another page."""
        return bool(self.next_cursor)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@attrs.frozen
class PlacedOrder:
    """What `place_order` did: `executed` if payloads were sent; `replaced_order_ids` were
    abandoned unexecuted (stale); `order` after waiting (None with `wait=False`)."""

    order_id: str
    status: OrderStatus | None
    created: CreatedOrder
    executed: bool
    order: Order | None = None
    replaced_order_ids: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()

    @property
    def recreated(self) -> bool:
        """True when stale payloads made `place_order` create a fresh order."""
        return bool(self.replaced_order_ids)


@attrs.frozen
class CancelResult:
    """What `cancel_order` did: `signed` (DeFi), `accepted` once submitted; `status` None
    until known; `order` after waiting."""

    order_id: str
    status: OrderStatus | None
    signed: bool
    accepted: bool = False
    order: Order | None = None


@attrs.frozen
class TransferResult:
    """What `transfer` did: the transfer as last read, and whether it was signed."""

    transfer: Transfer
    signed: bool

    @property
    def id(self) -> str:
        """The transfer's id."""
        return self.transfer.id

    @property
    def status(self) -> TransferStatus | None:
        """The transfer's status as last read."""
        return self.transfer.status
