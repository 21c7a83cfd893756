from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.field_violation import FieldViolation


T = TypeVar("T", bound="ErrorResponse")


@_attrs_define
class ErrorResponse:
    """Error envelope: `message` always; newer servers add `type`, `code`, `field_violations` and `request_id`.

    Attributes:
        message (str | Unset):
        type_ (str | Unset):
        code (int | str | Unset):
        request_id (str | Unset):
        field_violations (list[FieldViolation] | Unset):
    """

    message: str | Unset = UNSET
    type_: str | Unset = UNSET
    code: int | str | Unset = UNSET
    request_id: str | Unset = UNSET
    field_violations: list[FieldViolation] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        type_ = self.type_

        code: int | str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        else:
            code = self.code

        request_id = self.request_id

        field_violations: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.field_violations, Unset):
            field_violations = []
            for field_violations_item_data in self.field_violations:
                field_violations_item = field_violations_item_data.to_dict()
                field_violations.append(field_violations_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if message is not UNSET:
            field_dict["message"] = message
        if type_ is not UNSET:
            field_dict["type"] = type_
        if code is not UNSET:
            field_dict["code"] = code
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if field_violations is not UNSET:
            field_dict["field_violations"] = field_violations

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.field_violation import FieldViolation  # noqa: PLC0415

        d = dict(src_dict)
        message = d.pop("message", UNSET)

        type_ = d.pop("type", UNSET)

        def _parse_code(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        code = _parse_code(d.pop("code", UNSET))

        request_id = d.pop("request_id", UNSET)

        _field_violations = d.pop("field_violations", UNSET)
        field_violations: list[FieldViolation] | Unset = UNSET
        if _field_violations is not UNSET:
            field_violations = []
            for field_violations_item_data in _field_violations:
                field_violations_item = FieldViolation.from_dict(field_violations_item_data)

                field_violations.append(field_violations_item)

        error_response = cls(
            message=message,
            type_=type_,
            code=code,
            request_id=request_id,
            field_violations=field_violations,
        )

        error_response.additional_properties = d
        return error_response

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
