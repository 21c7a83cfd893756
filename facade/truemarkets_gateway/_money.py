"""Decimal money at the boundary: what users may pass in, and how amounts come back out.

Inputs accept `Decimal`, `str` or `int`; a `float` is refused because it cannot hold most
decimal prices exactly. The wire format is the plain decimal string (never exponent form).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import ValidationError

__all__ = ["Amount", "parse_decimal", "to_decimal", "wire_decimal"]

Amount = Decimal | str | int
"""What a quantity or price argument may be."""


def to_decimal(value: object, field: str) -> Decimal:
    """Turn a user amount into a positive, finite Decimal, or explain why not.

    A float raises `TypeError` (a programming error, not bad data); an unreadable, zero,
    negative or non-finite value raises `ValidationError` naming `field`.
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
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValidationError(field, f"must be a decimal number, got {value!r}") from None
    else:
        raise TypeError(f"{field}: expected Decimal, str or int, got {type(value).__name__}")
    if not number.is_finite():
        raise ValidationError(field, "must be finite")
    if number <= 0:
        raise ValidationError(field, f"must be positive, got {number}")
    return number


def wire_decimal(value: Decimal) -> str:
    """The decimal string the API expects: no exponent, no trailing zeros beyond the input."""
    return format(value, "f")


def parse_decimal(value: Any) -> Decimal | None:
    """Read an amount from a response; None for absent, null or empty values.

    Numbers that arrive as JSON numbers are read through `str` so that no binary float
    value leaks into the result. Unreadable text also gives None rather than failing the
    whole response: one odd field must not hide the rest of an order.
    """
    if value.__class__ is str:  # the usual case first: amounts arrive as strings
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value)  # Decimal itself allows surrounding whitespace
        except InvalidOperation:
            return None
    return None
