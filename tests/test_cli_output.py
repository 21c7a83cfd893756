"""tmgw bounds what it prints: an absurd amount never becomes megabytes of digits."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

pytest.importorskip("rich")

from rich.console import Console

from truemarkets_gateway.cli.output import (
    fmt_decimal,
    order_details,
    to_jsonable,
)
from truemarkets_gateway.models import Order


@pytest.mark.parametrize("raw", ["9e9999999", "-9e9999999", "1e-9999999", "1" * 200])
def test_absurd_amounts_print_short(raw: str) -> None:
    value = Decimal(raw)
    assert len(fmt_decimal(value)) <= 20
    assert Decimal(to_jsonable(value)) == value  # JSON stays exact, in scientific notation
    assert len(to_jsonable(value)) <= len(raw) + 8


def test_an_order_priced_absurdly_renders_small() -> None:
    order = Order("o1", None, None, None, None, price=Decimal("9e9999999"), qty=Decimal("1"))
    console = Console(file=io.StringIO(), width=120)
    console.print(order_details(order))
    assert len(console.file.getvalue()) < 5000  # type: ignore[attr-defined]
    assert len(json.dumps(to_jsonable(order))) < 5000


@pytest.mark.parametrize(
    "raw", ["123.456", "1" * 40, "0." + "0" * 39 + "1", "1E+40", "12345678901234567890.123456789"]
)
def test_ordinary_amounts_print_plain_and_exact(raw: str) -> None:
    value = Decimal(raw)
    assert fmt_decimal(value) == format(value, "f") == to_jsonable(value)
