"""Every request body the SDK builds is exactly what the generated request model makes of it.

The builders send their validated dict without the generated models' from_dict/to_dict round
trip (it cost more than the rest of building a request); these tests are what keeps the two
in step with the spec: a field the spec renames or retypes fails here, not at the server.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import truemarkets_account_client.models as account_models
import truemarkets_gateway_client.models as gateway_models
from truemarkets_gateway._api import operations as ops

CTX = ops.Ctx("https://gw.invalid/v1/gateway", {}, "https://gw.invalid/v1/account")
ORDER_ID = "3f1c2a9e-6c1b-4c1e-9a58-1b2f3c4d5e6f"
ASSET = "b2538174-aae3-4b55-b79f-ac177c99f816"

ORDERS = [
    dict(side="buy", type="market", qty="100", qty_unit="quote", base_asset="BTC"),
    dict(side="sell", type="limit", qty=Decimal("0.5"), qty_unit="base", base_asset="BTC",
         quote_asset="USD", price="65000.25"),
    dict(side="buy", type="market", qty="10", qty_unit="quote", base_asset="SOL_MINT",
         chain="solana"),
    dict(side="sell", type="market", qty="1", qty_unit="base", asset_id=ASSET,
         chain="hypercore-perp", leverage=5, reduce_only=True),
]  # fmt: skip


def _cases() -> list[Any]:
    cases: list[Any] = [
        pytest.param(
            ops.build_quote(
                CTX,
                base_asset="BTC",
                quote_asset="USD",
                qty="1",
                qty_unit="quote",
                side="buy",
            ),
            gateway_models.QuoteRequest,
            id="quote",
        ),
        pytest.param(
            ops.build_modify(CTX, ORDER_ID, "1.5", None),
            gateway_models.ModifyOrderRequest,
            id="modify-price",
        ),
        pytest.param(
            ops.build_modify(CTX, ORDER_ID, "1.5", "2"),
            gateway_models.ModifyOrderRequest,
            id="modify-both",
        ),
        pytest.param(
            ops.build_execute_order(CTX, ORDER_ID, ["s1", "s2"]),
            gateway_models.ExecuteOrderRequest,
            id="execute-order",
        ),
        pytest.param(
            ops.build_execute_transfer(CTX, ORDER_ID, ["s1"]),
            gateway_models.ExecuteTransferRequest,
            id="execute-transfer",
        ),
        pytest.param(
            ops.build_create_user(CTX, ORDER_ID, "customer-7", "02" + "ab" * 32),
            account_models.CreateUserRequest,
            id="create-user",
        ),
    ]
    for i, fields in enumerate(ORDERS):
        call = ops.build_create_order(CTX, ops.OrderRequest(**fields))  # type: ignore[arg-type]
        cases.append(pytest.param(call, gateway_models.CreateOrderRequest, id=f"order-{i}"))
    for network in (None, "bitcoin"):
        call = ops.build_create_transfer(
            CTX, asset_id=ASSET, network=network, qty="0.1", to="bc1qexample"
        )
        cases.append(
            pytest.param(call, gateway_models.CreateTransferRequest, id=f"transfer-{network}")
        )
    return cases


@pytest.mark.parametrize(("call", "model"), _cases())
def test_the_body_survives_the_generated_models_round_trip(call: Any, model: Any) -> None:
    body = dict(call.json.reveal())
    assert body, "no body was built"
    parsed = model.from_dict(body)
    assert not parsed.additional_properties, "a field the spec does not declare"
    assert parsed.to_dict() == body


def test_the_check_fails_for_a_renamed_field() -> None:
    """The test above can fail: a required field under another name is refused, and an
    optional one shows up as an undeclared field."""
    body = {"base_asset": "BTC", "quote_asset": "USD", "qty": "1", "qty_unit": "quote"}
    with pytest.raises(KeyError):
        gateway_models.QuoteRequest.from_dict({**body, "sides": "buy"})
    extra = gateway_models.QuoteRequest.from_dict({**body, "side": "buy", "sid": "x"})
    assert extra.additional_properties == {"sid": "x"}
