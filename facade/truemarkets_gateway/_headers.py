"""What a response's headers say about time: finite numbers, HTTP dates, and the wait a
server advises (`Retry-After`, `x-ratelimit-reset`). Pure readers, shared by the retry
decisions, the rate limiter, the token clock and `errors.error_from_response`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime

__all__ = ["http_date", "number", "reset_seconds", "server_wait", "timestamp"]


def number(text: str | None) -> float | None:
    """A header's finite number, else None."""
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def timestamp(moment: datetime) -> float:
    """Unix seconds of `moment`, read as UTC when it names no zone."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def http_date(text: str | None) -> float | None:
    """An HTTP date (`Date`, `Retry-After`) in Unix seconds, else None."""
    import email.utils  # only for the rare HTTP-date form; keeps imports light

    try:  # a garbled year or zone overflows: a header must never fail the call
        return timestamp(email.utils.parsedate_to_datetime(text))  # type: ignore[arg-type]
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def reset_seconds(reset: float, now: float) -> float:
    """`x-ratelimit-reset` in seconds from `now`: a Unix time when large, else seconds."""
    return max(reset - now if reset >= 1e9 else reset, 0.0)


def server_wait(headers: Mapping[str, str], status: int, now: float) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms`, `Retry-After` seconds or date;
    on 429 `x-ratelimit-reset`), if it said; never negative."""
    if (value := number(headers.get("retry-after-ms"))) is not None:
        return max(value / 1000.0, 0.0)
    if (value := number(headers.get("retry-after"))) is not None:
        return max(value, 0.0)
    if (date := http_date(headers.get("retry-after"))) is not None:
        return max(date - now, 0.0)
    if status == 429 and (value := number(headers.get("x-ratelimit-reset"))) is not None:
        return reset_seconds(value, now)
    return None
