"""Readers of answers fail only in ways the client turns into UnexpectedResponseError
(ValueError, TypeError, KeyError, AttributeError), whatever the server sends: huge or tiny
exponents, lone surrogates, deep nesting, wrong types (issue 12, item 3)."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from truemarkets_gateway._api import convert as _convert

READERS = [
    _convert.quote,
    _convert.created_order,
    _convert.order,
    _convert.order_status,
    _convert.transfer,
    _convert.orders_page,
    _convert.transfers_page,
    _convert.assets_page,
    _convert.balances,
    lambda data: _convert.executed_order(data, "o1"),
    lambda data: _convert.cancel_prepared(200, data, "o1"),
]
TYPED = (ValueError, TypeError, KeyError, AttributeError)

ODD_TEXT = st.one_of(
    st.text(max_size=6),
    st.sampled_from(
        ["1e1000000", "-1e-1000000", "9e9999999", "1e99999999999999999999", "NaN", "sNaN",
         "Infinity", "\ud800", "a\udfffb", "", ".", "1" * 3000, "0E-1000000"]
    ),
)  # fmt: skip
LEAF = st.one_of(
    ODD_TEXT,
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.builds(pow, st.just(10), st.just(5000)),
)
FIELDS = st.sampled_from(
    ["order_id", "id", "status", "qty", "price", "fee", "total", "available", "held", "symbol",
     "payloads", "issues", "quote", "data", "pagination", "next_cursor", "created_at", "chain",
     "networks", "balances", "balance", "asset_name", "payload", "message", "limit"]
)  # fmt: skip
JSON = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(FIELDS, inner, max_size=6)
    ),
    max_leaves=25,
)


@settings(
    max_examples=int(os.environ.get("READER_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=JSON)
@example(data={"data": [{"symbol": "X", "total": "1e1000000", "available": "1"}]})
@example(data={"balances": [{"asset_name": "X", "balance": "-9e9999999"}]})
@example(data={"order_id": "o\ud800", "quote": {"issues": ["a\udfff"]}})
def test_readers_fail_only_typed(data: Any) -> None:
    for read in READERS:
        try:
            read(data)
        except TYPED:
            pass


def test_deeply_nested_answers_fail_typed() -> None:
    nested: Any = "x"
    for _ in range(50_000):
        nested = [nested]
    for read in READERS:
        try:
            read({"data": [nested], "issues": [nested], "quote": {"issues": [nested]}})
        except TYPED:
            pass
