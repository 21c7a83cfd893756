"""Per-account balances, one bucket per (symbol, chain): chain None is exchange-held.

`held` is locked by open orders and transfers; `available = total - held`. The ledger does
no locking of its own: `SandboxState` serialises every change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from truemarkets_gateway.sandbox.catalog import Catalog
from truemarkets_gateway.sandbox.values import format_decimal

__all__ = ["Bucket", "Ledger", "cash_symbol"]

_ZERO = Decimal(0)


def cash_symbol(symbol: str) -> str:
    """CeFi quotes in USD settle in the account's USDC cash bucket."""
    symbol = symbol.upper()
    return "USDC" if symbol == "USD" else symbol


@attrs.define
class Bucket:
    total: Decimal = _ZERO
    held: Decimal = _ZERO

    @property
    def available(self) -> Decimal:
        return self.total - self.held


BucketKey = tuple[str, str | None]


class Ledger:
    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._accounts: dict[str, dict[BucketKey, Bucket]] = {}

    def open(self, uid: str) -> None:
        self._accounts.setdefault(uid, {})

    def totals(self) -> dict[str, dict[BucketKey, Decimal]]:
        """Every account's bucket totals (for saving state)."""
        return {
            uid: {key: bucket.total for key, bucket in buckets.items()}
            for uid, buckets in self._accounts.items()
        }

    def bucket(self, uid: str, symbol: str, chain: str | None) -> Bucket:
        buckets = self._accounts.setdefault(uid, {})
        return buckets.setdefault((cash_symbol(symbol), chain), Bucket())

    def available(self, uid: str, symbol: str, chain: str | None) -> Decimal:
        return self.bucket(uid, symbol, chain).available

    def credit(self, uid: str, symbol: str, chain: str | None, amount: Decimal) -> None:
        bucket = self.bucket(uid, symbol, chain)
        bucket.total = max(bucket.total + amount, bucket.held)

    def hold(self, uid: str, symbol: str, chain: str | None, amount: Decimal) -> bool:
        """Lock `amount`; False (and nothing locked) when not enough is available."""
        bucket = self.bucket(uid, symbol, chain)
        if amount > bucket.available:
            return False
        bucket.held += amount
        return True

    def release(self, uid: str, symbol: str, chain: str | None, amount: Decimal) -> None:
        bucket = self.bucket(uid, symbol, chain)
        bucket.held = max(bucket.held - amount, _ZERO)

    def move(
        self, uid: str, symbol: str, source: str | None, target: str | None, amount: Decimal
    ) -> bool:
        """Bridge `amount` of `symbol` between custody buckets, if available."""
        if self.available(uid, symbol, source) < amount:
            return False
        self.bucket(uid, symbol, source).total -= amount
        self.credit(uid, symbol, target, amount)
        return True

    def rows(self, uid: str) -> list[dict[str, Any]]:
        out = []
        for (symbol, chain), bucket in sorted(
            self._accounts.get(uid, {}).items(), key=lambda item: (item[0][0], item[0][1] or "")
        ):
            asset = (
                self._catalog.cefi(symbol) if chain is None else self._catalog.token(chain, symbol)
            )
            out.append(
                {
                    "symbol": symbol,
                    "name": asset.name if asset else symbol,
                    "chain": chain,
                    "address": asset.address if asset else None,
                    "decimals": asset.decimals if asset else 8,
                    "total": format_decimal(bucket.total),
                    "available": format_decimal(bucket.available),
                    "held": format_decimal(bucket.held),
                    "stable": asset.stable if asset else False,
                    "tradeable": True,
                    "asset_id": asset.id if asset else "",
                    "venue": "cefi" if chain is None else "defi",
                }
            )
        return out
