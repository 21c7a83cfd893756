from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.quote_details import QuoteDetails
    from ..models.unsigned_payload import UnsignedPayload


T = TypeVar("T", bound="CreateOrderResponse")


@_attrs_define
class CreateOrderResponse:
    """
    Attributes:
        order_id (str | Unset): Empty when no order was created (unfundable DeFi order).
        status (OrderStatus | Unset): `initialized`: created, waiting for stamps. `pending`: submitted, not yet
            confirmed. `active`: resting in a book. `cancel_pending`: cancel sent, not yet confirmed. `complete`,
            `canceled`, `failed`: final.
        payloads (list[UnsignedPayload] | Unset): Non-empty when the order waits for stamps; empty or absent otherwise.
        quote (QuoteDetails | Unset): The quote behind a DeFi order.
        web_authn_payload (str | Unset): Older single-payload field; read `payloads`.
    """

    order_id: str | Unset = UNSET
    status: OrderStatus | Unset = UNSET
    payloads: list[UnsignedPayload] | Unset = UNSET
    quote: QuoteDetails | Unset = UNSET
    web_authn_payload: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id = self.order_id

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        payloads: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.payloads, Unset):
            payloads = []
            for payloads_item_data in self.payloads:
                payloads_item = payloads_item_data.to_dict()
                payloads.append(payloads_item)

        quote: dict[str, Any] | Unset = UNSET
        if not isinstance(self.quote, Unset):
            quote = self.quote.to_dict()

        web_authn_payload = self.web_authn_payload

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if order_id is not UNSET:
            field_dict["order_id"] = order_id
        if status is not UNSET:
            field_dict["status"] = status
        if payloads is not UNSET:
            field_dict["payloads"] = payloads
        if quote is not UNSET:
            field_dict["quote"] = quote
        if web_authn_payload is not UNSET:
            field_dict["web_authn_payload"] = web_authn_payload

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.quote_details import QuoteDetails  # noqa: PLC0415
        from ..models.unsigned_payload import UnsignedPayload  # noqa: PLC0415

        d = dict(src_dict)
        order_id = d.pop("order_id", UNSET)

        _status = d.pop("status", UNSET)
        status: OrderStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = OrderStatus(_status)

        _payloads = d.pop("payloads", UNSET)
        payloads: list[UnsignedPayload] | Unset = UNSET
        if _payloads is not UNSET:
            payloads = []
            for payloads_item_data in _payloads:
                payloads_item = UnsignedPayload.from_dict(payloads_item_data)

                payloads.append(payloads_item)

        _quote = d.pop("quote", UNSET)
        quote: QuoteDetails | Unset
        if isinstance(_quote, Unset):
            quote = UNSET
        else:
            quote = QuoteDetails.from_dict(_quote)

        web_authn_payload = d.pop("web_authn_payload", UNSET)

        create_order_response = cls(
            order_id=order_id,
            status=status,
            payloads=payloads,
            quote=quote,
            web_authn_payload=web_authn_payload,
        )

        create_order_response.additional_properties = d
        return create_order_response

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
