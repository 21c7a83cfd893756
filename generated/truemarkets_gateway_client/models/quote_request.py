from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_side import OrderSide
from ..models.qty_unit import QtyUnit

T = TypeVar("T", bound="QuoteRequest")


@_attrs_define
class QuoteRequest:
    """
    Attributes:
        base_asset (str): Symbol of the asset bought or sold, e.g. BTC.
        quote_asset (str): Symbol it is priced in, e.g. USD.
        qty (str): Positive decimal amount, in the unit `qty_unit` names.
        qty_unit (QtyUnit): Whether `qty` counts the base asset or the quote asset.
        side (OrderSide): `buy` spends the quote asset for the base asset; `sell` the reverse.
    """

    base_asset: str
    quote_asset: str
    qty: str
    qty_unit: QtyUnit
    side: OrderSide
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        base_asset = self.base_asset

        quote_asset = self.quote_asset

        qty = self.qty

        qty_unit = self.qty_unit.value

        side = self.side.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "base_asset": base_asset,
                "quote_asset": quote_asset,
                "qty": qty,
                "qty_unit": qty_unit,
                "side": side,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        base_asset = d.pop("base_asset")

        quote_asset = d.pop("quote_asset")

        qty = d.pop("qty")

        qty_unit = QtyUnit(d.pop("qty_unit"))

        side = OrderSide(d.pop("side"))

        quote_request = cls(
            base_asset=base_asset,
            quote_asset=quote_asset,
            qty=qty,
            qty_unit=qty_unit,
            side=side,
        )

        quote_request.additional_properties = d
        return quote_request

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
