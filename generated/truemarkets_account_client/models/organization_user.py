from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.wallet import Wallet


T = TypeVar("T", bound="OrganizationUser")


@_attrs_define
class OrganizationUser:
    """
    Attributes:
        user_id (str | Unset): Send it as `TM-On-Behalf-Of` to act for this user.
        external_ref_id (str | Unset):
        created_at (datetime.datetime | Unset):
        wallets (list[Wallet] | Unset):
    """

    user_id: str | Unset = UNSET
    external_ref_id: str | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    wallets: list[Wallet] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        external_ref_id = self.external_ref_id

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        wallets: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.wallets, Unset):
            wallets = []
            for wallets_item_data in self.wallets:
                wallets_item = wallets_item_data.to_dict()
                wallets.append(wallets_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if external_ref_id is not UNSET:
            field_dict["external_ref_id"] = external_ref_id
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if wallets is not UNSET:
            field_dict["wallets"] = wallets

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.wallet import Wallet  # noqa: PLC0415

        d = dict(src_dict)
        user_id = d.pop("user_id", UNSET)

        external_ref_id = d.pop("external_ref_id", UNSET)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        _wallets = d.pop("wallets", UNSET)
        wallets: list[Wallet] | Unset = UNSET
        if _wallets is not UNSET:
            wallets = []
            for wallets_item_data in _wallets:
                wallets_item = Wallet.from_dict(wallets_item_data)

                wallets.append(wallets_item)

        organization_user = cls(
            user_id=user_id,
            external_ref_id=external_ref_id,
            created_at=created_at,
            wallets=wallets,
        )

        organization_user.additional_properties = d
        return organization_user

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
