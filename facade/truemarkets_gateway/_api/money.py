"""Decimal money: user amounts in (never a float), plain decimal strings out, responses read."""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import ValidationError

Amount = Decimal | str | int
"""What a quantity or price argument may be."""

MAX_DIGITS = 40  # significant digits of a user amount
MAX_EXPONENT = 40  # user amounts lie within 1e-40 .. 1e40
MAX_READ_EXPONENT = 1000  # amounts read from responses: exponents within +/- this
_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_EXP = re.compile("[eE]")
_READ = re.compile(_PLAIN.pattern + "(?:[eE][+-]?[0-9]+)?", re.ASCII)  # answers: exponents too
_GRAMMAR = "a plain decimal number such as 12.5 (digits and an optional fraction; no exponent)"

logger = logging.getLogger("truemarkets_gateway")


def to_decimal(value: object, field: str) -> Decimal:
    """A user amount as a positive, finite, bounded Decimal (`TypeError` for a float)."""
    if isinstance(value, float):
        hint = f"pass a Decimal or a string such as {format(value, 'f')!r}"
        raise TypeError(f"{field}: float is not accepted for money (inexact: {value!r}); {hint}")
    short = False  # a plain string this short is within the digit and exponent bounds
    if isinstance(value, str):
        if len(value) > 100 or not _PLAIN.fullmatch(value):
            shown = value[:40] + ("..." if len(value) > 40 else "")
            raise ValidationError(field, f"must be {_GRAMMAR}; got {shown!r}")
        number = Decimal(value)
        short = len(value) <= MAX_DIGITS
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= 10**MAX_DIGITS:  # refused before Decimal(), which would cost time
            raise ValidationError(field, f"must have at most {MAX_DIGITS} significant digits")
        number = Decimal(value)
    else:
        raise TypeError(f"{field}: expected Decimal, str or int, got {type(value).__name__}")
    if not number.is_finite():
        raise ValidationError(field, "must be finite")
    if number <= 0:
        raise ValidationError(field, f"must be positive, got {number}")
    if short:
        return number
    if len(number.as_tuple().digits) > MAX_DIGITS:
        raise ValidationError(field, f"must have at most {MAX_DIGITS} significant digits")
    if int(number.as_tuple().exponent) < -MAX_EXPONENT or number.adjusted() > MAX_EXPONENT:
        raise ValidationError(
            field, f"must lie between 1e-{MAX_EXPONENT} and 1e{MAX_EXPONENT} in magnitude"
        )
    return number


def wire_decimal(value: Decimal) -> str:
    """The decimal string the API expects: plain digits, never exponent form."""
    return format(value, "f")


def parse_decimal(value: Any) -> Decimal | None:
    """An amount read from a response (through `str`, never a binary float), or None when
    absent, not an ASCII decimal number (`1_000`, " 5", other scripts' digits), not finite or
    beyond +/-`MAX_READ_EXPONENT`."""
    if value.__class__ is str:
        text = value
    elif isinstance(value, bool) or not isinstance(value, Decimal | str | int | float):
        return None
    else:
        try:  # str() of a huge int raises ValueError
            text = str(value)
        except ValueError:
            return None
    if len(text) > 4100 or not _READ.fullmatch(text):  # longer text cannot be in range
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:  # an exponent past what Decimal holds
        return None
    if len(text) <= MAX_READ_EXPONENT and not _EXP.search(text):
        return number  # the usual answer: short and without an exponent, it is within range
    if int(number.as_tuple().exponent) < -MAX_READ_EXPONENT:
        return None
    return number if number.adjusted() <= MAX_READ_EXPONENT else None


def parse_amount(value: Any, field: str, extra: MutableMapping[str, Any]) -> Decimal | None:
    """`parse_decimal`; an unreadable value goes to `extra[field]` with a WARNING, not an error."""
    number = parse_decimal(value)
    if number is None and value is not None and value != "":
        extra[field] = value
        message = "the response field %s held an unreadable amount %.40r (kept in extra)"
        logger.warning(message, field, value)
    return number
