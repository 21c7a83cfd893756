"""Simulated mid prices: a seeded random walk per symbol, stepped by the sandbox clock.

Prices are Decimal throughout (the walk moves in whole basis points), so runs with the same
seed and the same clock readings see the same prices. Tests set (and pin) a price with `set_mid`.
"""

from __future__ import annotations

import random
import threading
from decimal import Decimal

__all__ = ["STARTING_MIDS", "PriceBook"]

STARTING_MIDS: dict[str, Decimal] = {
    "BTC": Decimal("67000.00"),
    "ETH": Decimal("3500.00"),
    "SOL": Decimal("150.00"),
    "USDC": Decimal("1"),
    "PYUSD": Decimal("1"),
    "USD": Decimal("1"),
}
_STABLE = frozenset({"USDC", "PYUSD", "USD"})
_STEP_SECONDS = 1.0
_MAX_STEP_BP = 5  # each step moves at most 5 basis points
_MAX_CATCH_UP = 100_000  # beyond this many steps, skip ahead instead of walking
_CENT = Decimal("0.01")


class _Walk:
    def __init__(self, mid: Decimal, start: float, rng: random.Random) -> None:
        self.mid = mid
        self.step_index = int(start // _STEP_SECONDS)
        self.rng = rng
        self.pinned = False

    def advance_to(self, now: float) -> Decimal:
        target = int(now // _STEP_SECONDS)
        steps = target - self.step_index
        if steps > _MAX_CATCH_UP:
            self.step_index = target - _MAX_CATCH_UP
            steps = _MAX_CATCH_UP
        for _ in range(max(steps, 0) if not self.pinned else 0):
            move_bp = self.rng.randint(-_MAX_STEP_BP, _MAX_STEP_BP)
            self.mid = (self.mid * (Decimal(10_000 + move_bp) / Decimal(10_000))).quantize(_CENT)
        self.step_index = max(self.step_index, target)
        return self.mid


class PriceBook:
    """Mid price per symbol at a given time. Stablecoins stay at 1."""

    def __init__(self, seed: int, start: float) -> None:
        self._lock = threading.Lock()
        self._walks = {
            symbol: _Walk(mid, start, random.Random(f"walk:{seed}:{symbol}"))  # noqa: S311
            for symbol, mid in STARTING_MIDS.items()
            if symbol not in _STABLE
        }

    def knows(self, symbol: str) -> bool:
        return symbol.upper() in _STABLE or symbol.upper() in self._walks

    def mid(self, symbol: str, now: float) -> Decimal:
        symbol = symbol.upper()
        if symbol in _STABLE:
            return Decimal(1)
        with self._lock:
            return self._walks[symbol].advance_to(now)

    def set_mid(self, symbol: str, price: Decimal | str, now: float, *, pin: bool = True) -> None:
        """Set `symbol` to `price` now. Pinned, it stays there until set again with
        `pin=False`, from where the walk continues."""
        symbol = symbol.upper()
        value = Decimal(price)
        if value <= 0:
            raise ValueError("price must be positive")
        with self._lock:
            walk = self._walks.get(symbol)
            if walk is None:
                walk = self._walks[symbol] = _Walk(value, now, random.Random(symbol))  # noqa: S311
            walk.advance_to(now)
            walk.mid = value
            walk.pinned = pin
