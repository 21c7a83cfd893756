"""Small value helpers shared by the sandbox: decimal text, RFC 3339 times, ids, tx hashes."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

__all__ = [
    "IdSource",
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

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

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
