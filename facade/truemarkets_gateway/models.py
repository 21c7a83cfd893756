"""Public result types: small frozen values with Decimal money, datetimes and open enums.

Every model keeps the fields the server sent that this SDK does not know yet in `extra`,
so a newer server never loses information. Enums accept unknown values (check `is_known`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext
from enum import StrEnum
from typing import Any, Generic, Literal, TypeAlias, TypeVar

import attrs

__all__ = [  # noqa: RUF022 (by topic, in the order of the file)
    "OrderSide",
    "OrderType",
    "QtyUnit",
    "Venue",
    "Chain",
    "OrderStatus",
    "TransferStatus",
    "Quote",
    "QuoteDetails",
    "UnsignedPayload",
    "CreatedOrder",
    "ExecutedOrder",
    "Order",
    "CancelPrepared",
    "Transfer",
    "AssetNetwork",
    "Asset",
    "Balance",
    "BalanceSummary",
    "Balances",
    "Page",
    "PlacedOrder",
    "CancelResult",
    "TransferResult",
]

T = TypeVar("T")


class _OpenEnum(StrEnum):
    """A value the SDK does not list becomes a member made on the fly, so a newer server
    never breaks parsing. `is_known` tells the two apart."""

    @classmethod
    def _missing_(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper().replace("-", "_")
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        return self._name_ in type(self).__members__

    def __str__(self) -> str:
        return str(self.value)


class OrderSide(_OpenEnum):
    """Which way an order trades: `buy` or `sell`."""

    BUY = "buy"
    SELL = "sell"


class OrderType(_OpenEnum):
    """`market` (at the best available price) or `limit` (at `price` or better)."""

    MARKET = "market"
    LIMIT = "limit"


class QtyUnit(_OpenEnum):
    """What `qty` counts: units of the base asset, or of the quote asset."""

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


# What the client methods take for each fixed choice: the enum or its value as a literal, so
# an IDE offers the values and a type checker flags a typo. At run time any str is accepted
# and checked (ValidationError).
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
        """True for complete, canceled and failed: the order will not change again."""
        return self.value in ("complete", "canceled", "failed")


class TransferStatus(_OpenEnum):
    """A transfer's status; it ends `completed` or `failed`."""

    AWAITING_SIGNATURE = "awaiting_signature"
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def is_terminal(self) -> bool:
        """True for completed and failed."""
        return self.value in ("completed", "failed")


_OrderStatusText = Literal[
    "initialized", "pending", "active", "cancel_pending", "complete", "canceled", "failed"
]
OrderStatusInput: TypeAlias = OrderStatus | _OrderStatusText
_TransferStatusText = Literal["awaiting_signature", "pending", "completed", "failed"]
TransferStatusInput: TypeAlias = TransferStatus | _TransferStatusText


def _extra() -> Any:
    return attrs.field(factory=dict, repr=False, eq=False, kw_only=True)


@attrs.frozen(slots=True)
class Quote:
    """A non-binding CeFi market quote. `qty` is what you would receive, `price` per base unit."""

    qty: Decimal | None
    price: Decimal | None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(slots=True)
class QuoteDetails:
    """The quote behind a DeFi order. Non-empty `issues` are warnings or blockers
    (for example "Insufficient balance"); read them before signing."""

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
    """One payload to stamp. Sign `payload` exactly as received; `digest` is informational."""

    payload: str
    digest: str = ""


@attrs.frozen(slots=True)
class CreatedOrder:
    """The answer to `create_order`.

    With `payloads` the order waits for signatures (`needs_signature`); without, it was
    submitted already. An empty `order_id` means no order exists (`order_created` is
    False), e.g. an unfundable DeFi order: read `quote.issues`. Payloads go stale within
    about a minute; `payload_age` says how old they are.
    """

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
    def needs_signature(self) -> bool:
        """True when `payloads` await stamps (`execute_order`)."""
        return bool(self.payloads)

    @property
    def payload_age(self) -> float:
        """Seconds since the response arrived (monotonic clock)."""
        return time.monotonic() - self.received_monotonic


@attrs.frozen(slots=True)
class ExecutedOrder:
    """The answer to an execute call: the order (or its cancellation) was submitted.
    Poll `get_order_status` for the outcome."""

    order_id: str
    status: OrderStatus | None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(slots=True)
class Order:
    """An order as the Gateway reports it. Quantities are in base units except `qty`,
    which is in the `qty_unit` it was created with; `price` is None when none was recorded."""

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

    @property
    def is_terminal(self) -> bool:
        """True once the status is complete, canceled or failed."""
        return self.status is not None and self.status.is_terminal


@attrs.frozen(slots=True)
class CancelPrepared:
    """The answer to `prepare_cancel_order`.

    `accepted` (HTTP 202): a CeFi cancel was taken as is; poll the status. Otherwise the
    `payloads` must be stamped and sent with `execute_cancel_order`.
    """

    order_id: str
    payloads: tuple[UnsignedPayload, ...] = ()
    accepted: bool = False
    extra: Mapping[str, Any] = _extra()

    @property
    def needs_signature(self) -> bool:
        """True when the DeFi cancel's `payloads` await stamps."""
        return bool(self.payloads)


@attrs.frozen(slots=True)
class Transfer:
    """An on-chain transfer (withdrawal). `awaiting_signature` transfers carry `payloads`."""

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

    @property
    def needs_signature(self) -> bool:
        """True when `payloads` await stamps (`execute_transfer`)."""
        return bool(self.payloads)

    @property
    def is_terminal(self) -> bool:
        """True once the status is completed or failed."""
        return self.status is not None and self.status.is_terminal


@attrs.frozen(slots=True)
class AssetNetwork:
    """A CeFi deposit/withdrawal rail, and the networks that route to the same address."""

    network: str
    compatible_networks: tuple[str, ...] = ()


@attrs.frozen(slots=True)
class Asset:
    """A tradeable asset. DeFi assets have one row per (symbol, chain); `id` is the
    `asset_id` for transfers and `address` the token on `chain`."""

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
        """Every network a transfer of this asset may name (lower case)."""
        return frozenset(
            n.lower() for rail in self.networks for n in (rail.network, *rail.compatible_networks)
        )


@attrs.frozen(slots=True)
class Balance:
    """One custody bucket of one asset (exchange-held has `chain` None)."""

    symbol: str
    total: Decimal
    available: Decimal
    held: Decimal
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
class BalanceSummary:
    """All buckets of one symbol summed; `buckets` keeps them for a per-custody view."""

    symbol: str
    total: Decimal
    available: Decimal
    held: Decimal
    buckets: tuple[Balance, ...]


def _exact_sum(values: list[Decimal]) -> Decimal:
    # A local context wide enough for the inputs: the default 28 digits would round.
    finite = [v for v in values if v.is_finite()]
    if not finite:
        return sum(values, Decimal(0))
    span = max(v.adjusted() for v in finite) - min(int(v.as_tuple().exponent) for v in finite)
    prec = min(MAX_PREC, max(28, span + len(str(len(values))) + 2))
    with localcontext(Context(prec=prec, Emax=MAX_EMAX, Emin=MIN_EMIN)):
        return sum(values[1:], values[0])


@attrs.frozen(slots=True)
class Balances:
    """Balances by symbol (`balances["USDC"]`), in first-seen order, with the raw `rows`."""

    summaries: tuple[BalanceSummary, ...]
    rows: tuple[Balance, ...]

    @classmethod
    def from_rows(cls, rows: tuple[Balance, ...]) -> Balances:
        """Group rows by symbol; totals are exact sums, never rounded."""
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
    """One page of a list. Pass `next_cursor` as `cursor=` for the next; None means last."""

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
    """What `place_order` did.

    `executed` is True when payloads were stamped and sent. `replaced_order_ids` lists orders
    created first and abandoned unexecuted because their payloads went stale; `order_id` is
    the order that counts. `order` is the full order after waiting (None with `wait=False`).
    """

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
    """What `cancel_order` did.

    `signed` is True for a DeFi cancel whose payloads were stamped and executed; `accepted`
    when the cancel was submitted (a CeFi 202, or an accepted DeFi cancel-execute).
    `status` is None when not yet known (a CeFi cancel without `wait`); `order` is the full
    order after waiting.
    """

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
