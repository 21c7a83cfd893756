"""Decimal money at the boundary: what users may pass in, and how amounts come back out.

Inputs accept `Decimal`, `str` or `int`; a `float` is refused because it cannot hold most
decimal prices exactly. A string must be plain ASCII decimal text (digits, at most one dot,
an optional exponent); every amount is bounded (`MAX_DIGITS` significant digits, exponent
within +/-`MAX_EXPONENT`). The wire format is the plain decimal string (never exponent form).
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import ValidationError

__all__ = [
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "Amount",
    "parse_amount",
    "parse_decimal",
    "to_decimal",
    "wire_decimal",
]

Amount = Decimal | str | int
"""What a quantity or price argument may be."""

MAX_DIGITS = 40
MAX_EXPONENT = 40
_MAX_TEXT = 100  # longer input text is refused before it is parsed
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)

_NON_FINITE = frozenset({"nan", "snan", "inf", "infinity"})

logger = logging.getLogger("truemarkets_gateway")


def to_decimal(value: object, field: str) -> Decimal:
    """Turn a user amount into a positive, finite, bounded Decimal, or explain why not.

    A float raises `TypeError` (a programming error, not bad data); an unreadable, zero,
    negative, non-finite or out-of-bounds value raises `ValidationError` naming `field`.
    Text must be ASCII: digits, one optional dot, an optional exponent (no underscores,
    no other scripts' digits).
    """
    if isinstance(value, bool):
        raise TypeError(f"{field}: expected Decimal, str or int, got bool")
    if isinstance(value, float):
        raise TypeError(
            f"{field}: float is not accepted for money because it is inexact "
            f"({value!r}); pass a Decimal or a string such as {format(value, 'f')!r}"
        )
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        if abs(value) >= 10 ** (MAX_DIGITS + 1):
            raise ValidationError(field, f"must have at most {MAX_DIGITS} significant digits")
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").lower() in _NON_FINITE:
            raise ValidationError(field, "must be finite")
        if len(text) > _MAX_TEXT or _DECIMAL_TEXT.fullmatch(text) is None:
            shown = value if len(value) <= 40 else value[:40] + "..."
            raise ValidationError(
                field, f"must be a plain decimal number such as '12.5', got {shown!r}"
            )
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid text
            raise ValidationError(field, f"must be a decimal number, got {value!r}") from None
    else:
        raise TypeError(f"{field}: expected Decimal, str or int, got {type(value).__name__}")
    if not number.is_finite():
        raise ValidationError(field, "must be finite")
    if number <= 0:
        raise ValidationError(field, f"must be positive, got {number}")
    _check_bounds(number, field)
    return number


def _check_bounds(number: Decimal, field: str) -> None:
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    if len(digits) > MAX_DIGITS:
        raise ValidationError(field, f"must have at most {MAX_DIGITS} significant digits")
    if exponent < -MAX_EXPONENT or number.adjusted() > MAX_EXPONENT:
        raise ValidationError(
            field, f"must lie between 1e-{MAX_EXPONENT} and 1e{MAX_EXPONENT} in magnitude"
        )


def wire_decimal(value: Decimal) -> str:
    """The decimal string the API expects: no exponent, no trailing zeros beyond the input."""
    return format(value, "f")


def parse_decimal(value: Any) -> Decimal | None:
    """Read an amount from a response; None for absent, null, empty, unreadable or
    non-finite values ("NaN", "Infinity" never become a Decimal).

    Numbers that arrive as JSON numbers are read through `str` so that no binary float
    value leaks into the result. Unreadable text gives None rather than failing the whole
    response: one odd field must not hide the rest of an order (`parse_amount` also keeps
    the raw text and warns).
    """
    if value.__class__ is str:  # the usual case first: amounts arrive as strings
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int | float | str):
        try:
            number = Decimal(value if isinstance(value, str) else str(value))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def parse_amount(value: Any, field: str, extra: MutableMapping[str, Any]) -> Decimal | None:
    """`parse_decimal`, and when a present value cannot be read (unreadable or non-finite):
    its raw value is kept in `extra[field]` and one WARNING names the field."""
    if value.__class__ is str:  # inlined fast path: this runs for every amount read
        number: Decimal | None
        try:
            read = Decimal(value)
        except InvalidOperation:
            number = None
        else:
            if read.is_finite():
                return read
            number = None
    elif value is None:
        return None
    else:
        number = parse_decimal(value)
    if number is None and value != "":
        extra[field] = value
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "..."
        logger.warning(
            "the response field %s held an unreadable amount %s; read as None, raw value "
            "kept in extra[%r]",
            field,
            shown,
            field,
        )
    return number
