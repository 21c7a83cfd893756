from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.qty_unit import QtyUnit
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateTransferRequest")


@_attrs_define
class CreateTransferRequest:
    """
    Attributes:
        asset_id (UUID): Catalogue id from listAssets.
        qty (str): Positive decimal amount.
        qty_unit (QtyUnit): Whether `qty` counts the base asset or the quote asset.
        to (str): Destination address.
        network (str | Unset): CeFi only, and then required: one of the asset's networks or compatible networks (any
            case). Leave it out for DeFi assets.
    """

    asset_id: UUID
    qty: str
    qty_unit: QtyUnit
    to: str
    network: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        asset_id = str(self.asset_id)

        qty = self.qty

        qty_unit = self.qty_unit.value

        to = self.to

        network = self.network

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "asset_id": asset_id,
                "qty": qty,
                "qty_unit": qty_unit,
                "to": to,
            }
        )
        if network is not UNSET:
            field_dict["network"] = network

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        asset_id = UUID(d.pop("asset_id"))

        qty = d.pop("qty")

        qty_unit = QtyUnit(d.pop("qty_unit"))

        to = d.pop("to")

        network = d.pop("network", UNSET)

        create_transfer_request = cls(
            asset_id=asset_id,
            qty=qty,
            qty_unit=qty_unit,
            to=to,
            network=network,
        )

        create_transfer_request.additional_properties = d
        return create_transfer_request

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
