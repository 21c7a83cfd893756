"""The money boundary: Decimal, str and int in (never float, never unreadable text)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from truemarkets_gateway import ValidationError
from truemarkets_gateway._api.money import parse_decimal, to_decimal


def test_money_inputs() -> None:
    assert to_decimal("1.50", "qty") == Decimal("1.50")
    assert to_decimal(3, "qty") == Decimal(3)
    with pytest.raises(TypeError, match="float"):
        to_decimal(1.5, "qty")
    with pytest.raises(TypeError):
        to_decimal(True, "qty")
    with pytest.raises(TypeError):
        to_decimal([1], "qty")
    assert parse_decimal(None) is None and parse_decimal("") is None
    assert parse_decimal("junk") is None
    assert parse_decimal(0.1) == Decimal("0.1")  # via str, never the binary value


@pytest.mark.parametrize(
    "value",
    ["1_000", "١٢", "１", "1.2.3", "1e", "0x10", "1" * 41, "1e41", "1e-41", "0." + "0" * 40 + "1"],
)
def test_amount_inputs_refused(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        to_decimal(value, "qty")
    assert info.value.field == "qty"


@pytest.mark.parametrize(
    "value", [10**41, Decimal("1e41"), Decimal("1e-41"), Decimal("1." + "1" * 41)]
)
def test_amount_bounds_apply_to_int_and_decimal(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        to_decimal(value, "price")
    assert info.value.field == "price"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", "1"), (" 2.5 ", "2.5"), (".5", "0.5"), ("1E+3", "1E+3"), ("1e-8", "1E-8"),
     ("1" * 40, "1" * 40), ("1e40", "1E+40"), ("1e-40", "1E-40"), (7, "7")],
)  # fmt: skip
def test_amount_inputs_accepted(value: object, expected: str) -> None:
    assert to_decimal(value, "qty") == Decimal(expected)
