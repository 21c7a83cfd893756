"""Small value helpers shared by the sandbox: decimal text, RFC 3339 times, ids, tx hashes."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

__all__ = [
    "MAX_AMOUNT",
    "MAX_AMOUNT_DECIMALS",
    "IdSource",
    "amount_problem",
    "explorer_url",
    "format_decimal",
    "format_time",
    "micros",
    "parse_decimal",
    "parse_time_micros",
    "tx_hash",
]


def format_decimal(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros ("0.5", "100", "0")."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def parse_decimal(text: object) -> Decimal | None:
    """The Decimal in a JSON string, or None when it is not a finite decimal string."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


MAX_AMOUNT = Decimal(10) ** 12
"""Amounts and prices from a client must stay below this (a trillion units)."""
MAX_AMOUNT_DECIMALS = 18
"""...and carry at most this many decimal places (the finest token unit is 1e-18)."""


def amount_problem(value: Decimal) -> str | None:
    """Why a client's positive amount or price is out of bounds, or None when it is fine.

    The bounds keep every product and quotient the desks compute within the decimal
    precision `SandboxState` works at, as a real service bounds its numeric columns.
    """
    if value >= MAX_AMOUNT:
        return f"must be less than {format_decimal(MAX_AMOUNT)}"
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite: parse_decimal refuses NaN and infinities
    # Trailing zeros are not precision ("0.10" has one decimal place). Counted on the exact
    # digits: normalize() would round to the context precision first.
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if -(exponent + trailing_zeros) > MAX_AMOUNT_DECIMALS:
        return f"must have at most {MAX_AMOUNT_DECIMALS} decimal places"
    return None


def format_time(timestamp: float) -> str:
    """RFC 3339 UTC with microseconds, as the API writes times."""
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(timestamp: float) -> int:
    """Unix time in whole microseconds: the precision times are written with."""
    return round(timestamp * 1_000_000)


def parse_time_micros(text: str) -> int | None:
    """Unix microseconds from an RFC 3339 time (exact), or None when it is not one."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return (moment - _EPOCH) // timedelta(microseconds=1)


class IdSource:
    """UUIDs and hex strings: repeatable from a seed, or random (OS entropy) without one."""

    def __init__(self, seed: int | None) -> None:
        self._rng: random.Random = (
            random.SystemRandom() if seed is None else random.Random(f"ids:{seed}")  # noqa: S311 - repeatable ids, not secrets
        )
        self.taken: set[str] = set()  # ids loaded from a state file: never handed out again

    def uuid(self) -> str:
        while True:
            fresh = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
            if fresh not in self.taken:
                return fresh

    def hex(self, nbytes: int) -> str:
        return self._rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big").hex()


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def tx_hash(chain: str | None, ids: IdSource) -> str:
    """A plausible transaction id for a chain or withdrawal network: a base58 signature
    (64 bytes) on Solana, 64 bare hex digits on Bitcoin, 0x + 64 hex digits elsewhere (EVM)."""
    if chain == "solana":
        number = int(ids.hex(64), 16)
        digits = []
        while number:
            number, rest = divmod(number, 58)
            digits.append(_BASE58[rest])
        return "".join(reversed(digits)) or "1"
    if chain == "bitcoin":
        return ids.hex(32)
    return "0x" + ids.hex(32)


_EXPLORERS = {
    "solana": "https://solscan.io/tx/",
    "base": "https://basescan.org/tx/",
    "ethereum": "https://etherscan.io/tx/",
    "bitcoin": "https://mempool.space/tx/",
    "hypercore-spot": "https://app.hyperliquid.xyz/explorer/tx/",
    "hypercore-perp": "https://app.hyperliquid.xyz/explorer/tx/",
}


def explorer_url(chain: str | None, tx_hash: str) -> str | None:
    """Where a transaction can be looked up, once it has a hash on a known chain."""
    prefix = _EXPLORERS.get((chain or "").lower())
    return prefix + tx_hash if prefix and tx_hash else None
