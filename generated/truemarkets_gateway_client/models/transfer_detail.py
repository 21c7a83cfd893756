from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.qty_unit import QtyUnit
from ..models.transfer_status import TransferStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.unsigned_payload import UnsignedPayload


T = TypeVar("T", bound="TransferDetail")


@_attrs_define
class TransferDetail:
    """
    Attributes:
        id (UUID):
        status (TransferStatus): `awaiting_signature`: stamps needed. `pending`: submitted. `completed` and `failed` are
            final (note the spelling differs from order `complete`).
        venue (str): `defi` or `cefi`.
        asset_id (UUID):
        asset_symbol (str):
        chain (None | str): Chain of a DeFi transfer; null for CeFi.
        network (None | str): Network of a CeFi withdrawal; null for DeFi.
        to (str):
        qty (str):
        qty_unit (QtyUnit): Whether `qty` counts the base asset or the quote asset.
        sent (str):
        fee (str):
        received (str):
        tx_hash (None | str): Empty (or null) until submitted.
        payloads (list[UnsignedPayload] | None): Payloads to stamp while `awaiting_signature`; empty afterwards.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        explorer_url (None | str | Unset): Seen on newer servers.
    """

    id: UUID
    status: TransferStatus
    venue: str
    asset_id: UUID
    asset_symbol: str
    chain: None | str
    network: None | str
    to: str
    qty: str
    qty_unit: QtyUnit
    sent: str
    fee: str
    received: str
    tx_hash: None | str
    payloads: list[UnsignedPayload] | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    explorer_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        status = self.status.value

        venue = self.venue

        asset_id = str(self.asset_id)

        asset_symbol = self.asset_symbol

        chain: None | str
        chain = self.chain

        network: None | str
        network = self.network

        to = self.to

        qty = self.qty

        qty_unit = self.qty_unit.value

        sent = self.sent

        fee = self.fee

        received = self.received

        tx_hash: None | str
        tx_hash = self.tx_hash

        payloads: list[dict[str, Any]] | None
        if isinstance(self.payloads, list):
            payloads = []
            for payloads_type_0_item_data in self.payloads:
                payloads_type_0_item = payloads_type_0_item_data.to_dict()
                payloads.append(payloads_type_0_item)

        else:
            payloads = self.payloads

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        explorer_url: None | str | Unset
        if isinstance(self.explorer_url, Unset):
            explorer_url = UNSET
        else:
            explorer_url = self.explorer_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "venue": venue,
                "asset_id": asset_id,
                "asset_symbol": asset_symbol,
                "chain": chain,
                "network": network,
                "to": to,
                "qty": qty,
                "qty_unit": qty_unit,
                "sent": sent,
                "fee": fee,
                "received": received,
                "tx_hash": tx_hash,
                "payloads": payloads,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if explorer_url is not UNSET:
            field_dict["explorer_url"] = explorer_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.unsigned_payload import UnsignedPayload  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        status = TransferStatus(d.pop("status"))

        venue = d.pop("venue")

        asset_id = UUID(d.pop("asset_id"))

        asset_symbol = d.pop("asset_symbol")

        def _parse_chain(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        chain = _parse_chain(d.pop("chain"))

        def _parse_network(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        network = _parse_network(d.pop("network"))

        to = d.pop("to")

        qty = d.pop("qty")

        qty_unit = QtyUnit(d.pop("qty_unit"))

        sent = d.pop("sent")

        fee = d.pop("fee")

        received = d.pop("received")

        def _parse_tx_hash(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        tx_hash = _parse_tx_hash(d.pop("tx_hash"))

        def _parse_payloads(data: object) -> list[UnsignedPayload] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                payloads_type_0 = []
                _payloads_type_0 = data
                for payloads_type_0_item_data in _payloads_type_0:
                    payloads_type_0_item = UnsignedPayload.from_dict(payloads_type_0_item_data)

                    payloads_type_0.append(payloads_type_0_item)

                return payloads_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[UnsignedPayload] | None, data)

        payloads = _parse_payloads(d.pop("payloads"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_explorer_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        explorer_url = _parse_explorer_url(d.pop("explorer_url", UNSET))

        transfer_detail = cls(
            id=id,
            status=status,
            venue=venue,
            asset_id=asset_id,
            asset_symbol=asset_symbol,
            chain=chain,
            network=network,
            to=to,
            qty=qty,
            qty_unit=qty_unit,
            sent=sent,
            fee=fee,
            received=received,
            tx_hash=tx_hash,
            payloads=payloads,
            created_at=created_at,
            updated_at=updated_at,
            explorer_url=explorer_url,
        )

        transfer_detail.additional_properties = d
        return transfer_detail

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
