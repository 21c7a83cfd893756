from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.signing_method import SigningMethod

T = TypeVar("T", bound="ExecuteTransferRequest")


@_attrs_define
class ExecuteTransferRequest:
    """
    Attributes:
        signatures (list[str]): One stamp per payload, in payload order.
        auth_type (SigningMethod): `api_key` for stamps made by a program; `web_authn` for browser passkeys.
    """

    signatures: list[str]
    auth_type: SigningMethod
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        signatures = self.signatures

        auth_type = self.auth_type.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "signatures": signatures,
                "auth_type": auth_type,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        signatures = cast(list[str], d.pop("signatures"))

        auth_type = SigningMethod(d.pop("auth_type"))

        execute_transfer_request = cls(
            signatures=signatures,
            auth_type=auth_type,
        )

        execute_transfer_request.additional_properties = d
        return execute_transfer_request

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
