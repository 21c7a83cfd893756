"""The money boundary: Decimal, str and int in (never float), one plain-decimal grammar for
text, exact reads of answers within a bounded exponent range."""

from __future__ import annotations

from decimal import Decimal

import pytest

from truemarkets_gateway import ValidationError
from truemarkets_gateway._api.money import parse_decimal, to_decimal, wire_decimal


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


GRAMMAR_BREAKERS = [
    "1_000", "١٢", "１", "1.2.3", "1e", "0x10", "1e3", "1E+3", "1e-8", " 2.5", "2.5 ", "2 5",
    "NaN", "Infinity", "-inf", "", ".", "+", "1,5", "\u00a01",
]  # fmt: skip


@pytest.mark.parametrize("value", GRAMMAR_BREAKERS)
def test_one_grammar_and_the_message_states_it(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        to_decimal(value, "qty")
    assert info.value.field == "qty"
    assert "plain decimal number" in info.value.rule and "no exponent" in info.value.rule


@pytest.mark.parametrize(
    "value", ["1" * 41, "0." + "0" * 40 + "1", "1" + "0" * 41, "-1", "0", "+0.0"]
)
def test_amount_bounds_and_sign(value: str) -> None:
    with pytest.raises(ValidationError, match=r"digits|between|positive"):
        to_decimal(value, "qty")


@pytest.mark.parametrize(
    "value",
    [10**41, 10**40, Decimal("1e41"), Decimal("1e-41"), Decimal("1." + "1" * 41),
     Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-1"), 0, -5],
)  # fmt: skip
def test_int_and_decimal_inputs_are_checked(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        to_decimal(value, "price")
    assert info.value.field == "price"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", "1"), ("2.5", "2.5"), (".5", "0.5"), ("7.", "7"), ("+3", "3"),
     ("1" * 40, "1" * 40), ("0." + "0" * 39 + "1", "1E-40"), (7, "7"),
     (Decimal("1E+3"), "1000"), (Decimal("1e40"), "1E+40")],
)  # fmt: skip
def test_amount_inputs_accepted(value: object, expected: str) -> None:
    assert to_decimal(value, "qty") == Decimal(expected)


def test_amounts_are_exact_on_the_wire() -> None:
    text = "1234567890123456789012345678901234.567891"  # 40 digits: past the 28-digit context
    assert wire_decimal(to_decimal(text, "qty")) == text
    assert wire_decimal(to_decimal(Decimal("1E+40"), "qty")) == "1" + "0" * 40
    assert wire_decimal(to_decimal(Decimal("1E-40"), "qty")) == "0." + "0" * 39 + "1"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1e1000", Decimal("1e1000")), ("-1e-1000", Decimal("-1e-1000")), (10**50, Decimal(10**50)),
     ("1e1001", None), ("1e-1001", None), ("1e1000000", None), ("9e9999999", None),
     ("1e99999999999999999999", None), ("1" * 5000, None), pytest.param(10**5000, None, id="huge-int"), ("sNaN", None),
     ("\ud800", None), ([], None), (True, None), ("1_000", None), (" 5", None), ("5 ", None),
     ("\u0661\u0662", None), ("\uff11", None), ("1.", Decimal(1)), (".5", Decimal("0.5")),
     (Decimal("2.50"), Decimal("2.50")), (1.5, Decimal("1.5")), (float("inf"), None)],
)  # fmt: skip
def test_answer_amounts_read_exactly_within_bounds(raw: object, expected: Decimal | None) -> None:
    assert parse_decimal(raw) == expected
