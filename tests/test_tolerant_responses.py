"""Answers missing fields the vendor marks required still parse (scripts/regenerate relaxes
response-only schemas); requests keep every rule."""

from __future__ import annotations

import pytest

from truemarkets_auth_client.models import AccessTokensResponse
from truemarkets_gateway._api import convert as _convert
from truemarkets_gateway.models import TransferStatus
from truemarkets_gateway_client.models import (
    CreateTransferRequest,
    TransferDetail,
)
from truemarkets_gateway_client.types import UNSET


def test_cefi_transfer_without_chain_network_or_payloads_parses() -> None:
    raw = {
        "id": "9770b836-0000-4000-8000-000000000001",
        "status": "pending",
        "venue": "cefi",
        "asset_symbol": "BTC",
        "to": "3PRz",
        "qty": "0.0001",
    }
    model = TransferDetail.from_dict(raw)
    assert model.chain is UNSET and model.payloads is UNSET
    transfer = _convert.transfer(raw)
    assert transfer.status is TransferStatus.PENDING
    assert transfer.payloads == () and transfer.chain is None and transfer.network is None


def test_response_ids_need_not_be_uuids() -> None:
    transfer = _convert.transfer({"id": "tr_123", "asset_id": "btc", "status": "completed"})
    assert transfer.id == "tr_123" and transfer.asset_id == "btc"


def test_a_payload_without_text_is_refused_not_signed_as_empty() -> None:
    with pytest.raises(ValueError, match="payload without its text"):
        _convert.transfer(
            {"id": "t", "status": "awaiting_signature", "payloads": [{"digest": "ab"}]}
        )


def test_token_response_fields_are_optional_but_requests_keep_their_rules() -> None:
    tokens = AccessTokensResponse.from_dict({"access_token": "a"})
    assert not isinstance(tokens.refresh_token, str)
    with pytest.raises(KeyError):
        CreateTransferRequest.from_dict({"qty": "1", "qty_unit": "base", "to": "x"})
