from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

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
        id (str | Unset):
        status (TransferStatus | Unset): `awaiting_signature`: stamps needed. `pending`: submitted. `completed` and
            `failed` are final (note the spelling differs from order `complete`).
        venue (str | Unset): `defi` or `cefi`.
        asset_id (str | Unset):
        asset_symbol (str | Unset):
        chain (None | str | Unset): Chain of a DeFi transfer; null for CeFi.
        network (None | str | Unset): Network of a CeFi withdrawal; null for DeFi.
        to (str | Unset):
        qty (str | Unset):
        qty_unit (QtyUnit | Unset): Whether `qty` counts the base asset or the quote asset.
        sent (str | Unset):
        fee (str | Unset):
        received (str | Unset):
        tx_hash (None | str | Unset): Empty (or null) until submitted.
        payloads (list[UnsignedPayload] | None | Unset): Payloads to stamp while `awaiting_signature`; empty afterwards.
        created_at (datetime.datetime | Unset):
        updated_at (datetime.datetime | Unset):
        explorer_url (None | str | Unset): Seen on newer servers.
    """

    id: str | Unset = UNSET
    status: TransferStatus | Unset = UNSET
    venue: str | Unset = UNSET
    asset_id: str | Unset = UNSET
    asset_symbol: str | Unset = UNSET
    chain: None | str | Unset = UNSET
    network: None | str | Unset = UNSET
    to: str | Unset = UNSET
    qty: str | Unset = UNSET
    qty_unit: QtyUnit | Unset = UNSET
    sent: str | Unset = UNSET
    fee: str | Unset = UNSET
    received: str | Unset = UNSET
    tx_hash: None | str | Unset = UNSET
    payloads: list[UnsignedPayload] | None | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET
    explorer_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        venue = self.venue

        asset_id = self.asset_id

        asset_symbol = self.asset_symbol

        chain: None | str | Unset
        if isinstance(self.chain, Unset):
            chain = UNSET
        else:
            chain = self.chain

        network: None | str | Unset
        if isinstance(self.network, Unset):
            network = UNSET
        else:
            network = self.network

        to = self.to

        qty = self.qty

        qty_unit: str | Unset = UNSET
        if not isinstance(self.qty_unit, Unset):
            qty_unit = self.qty_unit.value

        sent = self.sent

        fee = self.fee

        received = self.received

        tx_hash: None | str | Unset
        if isinstance(self.tx_hash, Unset):
            tx_hash = UNSET
        else:
            tx_hash = self.tx_hash

        payloads: list[dict[str, Any]] | None | Unset
        if isinstance(self.payloads, Unset):
            payloads = UNSET
        elif isinstance(self.payloads, list):
            payloads = []
            for payloads_type_0_item_data in self.payloads:
                payloads_type_0_item = payloads_type_0_item_data.to_dict()
                payloads.append(payloads_type_0_item)

        else:
            payloads = self.payloads

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        explorer_url: None | str | Unset
        if isinstance(self.explorer_url, Unset):
            explorer_url = UNSET
        else:
            explorer_url = self.explorer_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if status is not UNSET:
            field_dict["status"] = status
        if venue is not UNSET:
            field_dict["venue"] = venue
        if asset_id is not UNSET:
            field_dict["asset_id"] = asset_id
        if asset_symbol is not UNSET:
            field_dict["asset_symbol"] = asset_symbol
        if chain is not UNSET:
            field_dict["chain"] = chain
        if network is not UNSET:
            field_dict["network"] = network
        if to is not UNSET:
            field_dict["to"] = to
        if qty is not UNSET:
            field_dict["qty"] = qty
        if qty_unit is not UNSET:
            field_dict["qty_unit"] = qty_unit
        if sent is not UNSET:
            field_dict["sent"] = sent
        if fee is not UNSET:
            field_dict["fee"] = fee
        if received is not UNSET:
            field_dict["received"] = received
        if tx_hash is not UNSET:
            field_dict["tx_hash"] = tx_hash
        if payloads is not UNSET:
            field_dict["payloads"] = payloads
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at
        if explorer_url is not UNSET:
            field_dict["explorer_url"] = explorer_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.unsigned_payload import UnsignedPayload  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        _status = d.pop("status", UNSET)
        status: TransferStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = TransferStatus(_status)

        venue = d.pop("venue", UNSET)

        asset_id = d.pop("asset_id", UNSET)

        asset_symbol = d.pop("asset_symbol", UNSET)

        def _parse_chain(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        chain = _parse_chain(d.pop("chain", UNSET))

        def _parse_network(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        network = _parse_network(d.pop("network", UNSET))

        to = d.pop("to", UNSET)

        qty = d.pop("qty", UNSET)

        _qty_unit = d.pop("qty_unit", UNSET)
        qty_unit: QtyUnit | Unset
        if isinstance(_qty_unit, Unset):
            qty_unit = UNSET
        else:
            qty_unit = QtyUnit(_qty_unit)

        sent = d.pop("sent", UNSET)

        fee = d.pop("fee", UNSET)

        received = d.pop("received", UNSET)

        def _parse_tx_hash(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tx_hash = _parse_tx_hash(d.pop("tx_hash", UNSET))

        def _parse_payloads(data: object) -> list[UnsignedPayload] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
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
            return cast(list[UnsignedPayload] | None | Unset, data)

        payloads = _parse_payloads(d.pop("payloads", UNSET))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        _updated_at = d.pop("updated_at", UNSET)
        updated_at: datetime.datetime | Unset
        if isinstance(_updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = datetime.datetime.fromisoformat(_updated_at)

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
