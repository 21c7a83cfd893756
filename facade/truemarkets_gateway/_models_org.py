"""The open-enum base and `extra` field of every model, and organisation mode's types
(users, portfolio, activity), re-exported by `models` (kept under 500 lines)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from .models import Balance, Order, Transfer


class _OpenEnum(StrEnum):
    """Unknown values become members made on the fly (`is_known` is False)."""

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


def _extra() -> Any:
    return attrs.field(factory=dict, repr=False, eq=False, kw_only=True)


@attrs.frozen(slots=True)
class Wallet:
    """A custodied wallet of an organisation user; `chain_family` e.g. "solana" or "evm"."""

    address: str
    chain_family: str | None = None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(slots=True)
class OrganizationUser:
    """A user of your organisation (one per customer); act for it with `gw.for_user`."""

    user_id: str
    external_ref_id: str
    created_at: datetime | None = None
    wallets: tuple[Wallet, ...] = ()
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(slots=True)
class PortfolioPosition:
    """One balance bucket valued in USD (`value` of `balance.total`)."""

    balance: Balance
    price: Decimal | None = None
    value: Decimal | None = None
    change_24h_pct: Decimal | None = None
    icon: str | None = None


@attrs.frozen(slots=True)
class Portfolio:
    """Holdings valued in USD (None while pricing is down); `positions`: derivatives, raw."""

    total_usd: Decimal | None
    balances_usd: Decimal | None = None
    cash_usd: Decimal | None = None
    change_24h_usd: Decimal | None = None
    change_24h_pct: Decimal | None = None
    unrealized_pnl_usd: Decimal | None = None
    realized_pnl_usd: Decimal | None = None
    balances: tuple[PortfolioPosition, ...] = ()
    positions: tuple[Mapping[str, Any], ...] = ()
    extra: Mapping[str, Any] = _extra()


class TransactionType(_OpenEnum):
    """What an activity entry is: an `order`, a `transfer` or a `ramp`."""

    ORDER = "order"
    TRANSFER = "transfer"
    RAMP = "ramp"


class TransactionStatus(_OpenEnum):
    """An activity entry's status."""

    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"


@attrs.frozen(slots=True)
class TransactionDetail:
    """One entry of the activity feed, with the `order` or `transfer` behind it;
    `asset_flow` is "in" or "out"."""

    id: str
    type: TransactionType | None
    status: TransactionStatus | None
    asset_flow: str | None = None
    created_at: datetime | None = None
    completed_at: datetime | None = None
    qty: Decimal | None = None
    asset_id: str | None = None
    asset_symbol: str | None = None
    tx_hash: str | None = None
    explorer_url: str | None = None
    failure_reason: str | None = None
    order: Order | None = None
    transfer: Transfer | None = None
    extra: Mapping[str, Any] = _extra()
