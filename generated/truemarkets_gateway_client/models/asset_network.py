from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AssetNetwork")


@_attrs_define
class AssetNetwork:
    """A deposit and withdrawal rail of a CeFi asset. A CeFi transfer's `network` must be `network` or one of
    `compatible_networks` (any case).

        Attributes:
            network (str | Unset):
            compatible_networks (list[str] | Unset):
    """

    network: str | Unset = UNSET
    compatible_networks: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        network = self.network

        compatible_networks: list[str] | Unset = UNSET
        if not isinstance(self.compatible_networks, Unset):
            compatible_networks = self.compatible_networks

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if network is not UNSET:
            field_dict["network"] = network
        if compatible_networks is not UNSET:
            field_dict["compatible_networks"] = compatible_networks

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        network = d.pop("network", UNSET)

        compatible_networks = cast(list[str], d.pop("compatible_networks", UNSET))

        asset_network = cls(
            network=network,
            compatible_networks=compatible_networks,
        )

        asset_network.additional_properties = d
        return asset_network

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
