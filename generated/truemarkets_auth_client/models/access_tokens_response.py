from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AccessTokensResponse")


@_attrs_define
class AccessTokensResponse:
    """
    Attributes:
        access_token (str | Unset): Bearer JWT for the Gateway.
        refresh_token (str | Unset): Single-use token that buys the next pair.
        expires_in (datetime.datetime | int | Unset): When the access token stops working, as an RFC 3339 time (not a
            number of seconds, despite the name). Clients should also accept seconds.
        token_type (str | Unset): Always `Bearer`. Listed as required by the vendor; optional here so a server that
            leaves it out does not break token parsing.
    """

    access_token: str | Unset = UNSET
    refresh_token: str | Unset = UNSET
    expires_in: datetime.datetime | int | Unset = UNSET
    token_type: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        refresh_token = self.refresh_token

        expires_in: int | str | Unset
        if isinstance(self.expires_in, Unset):
            expires_in = UNSET
        elif isinstance(self.expires_in, datetime.datetime):
            expires_in = self.expires_in.isoformat()
        else:
            expires_in = self.expires_in

        token_type = self.token_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if access_token is not UNSET:
            field_dict["access_token"] = access_token
        if refresh_token is not UNSET:
            field_dict["refresh_token"] = refresh_token
        if expires_in is not UNSET:
            field_dict["expires_in"] = expires_in
        if token_type is not UNSET:
            field_dict["token_type"] = token_type

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        access_token = d.pop("access_token", UNSET)

        refresh_token = d.pop("refresh_token", UNSET)

        def _parse_expires_in(data: object) -> datetime.datetime | int | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_in_type_0 = datetime.datetime.fromisoformat(data)

                return expires_in_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | int | Unset, data)

        expires_in = _parse_expires_in(d.pop("expires_in", UNSET))

        token_type = d.pop("token_type", UNSET)

        access_tokens_response = cls(
            access_token=access_token,
            refresh_token=refresh_token,
            expires_in=expires_in,
            token_type=token_type,
        )

        access_tokens_response.additional_properties = d
        return access_tokens_response

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
