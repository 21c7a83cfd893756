from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.chain import Chain
from ..models.order_side import OrderSide
from ..models.order_type import OrderType
from ..models.qty_unit import QtyUnit
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateOrderRequest")


@_attrs_define
class CreateOrderRequest:
    """Rules the server enforces (and this SDK checks first):
    - limit: `price` (positive) and `qty_unit: base`; `chain` omitted for CeFi or a DeFi
      chain to rest the order on chain;
    - market: no `price`; buys use `qty_unit: quote`; DeFi sells use `base`;
    - `leverage` (1 to 50) and `reduce_only` only on `hypercore-perp`; leverage opens a
      position (buy long, sell short), reduce_only only closes one.
    `chain` present means DeFi; absent means CeFi. On DeFi, `base_asset` is the token's
    address on that chain. `asset_id` is the newer way to name the asset.

        Attributes:
            qty (str): Positive decimal amount; on perps the isolated margin.
            qty_unit (QtyUnit): Whether `qty` counts the base asset or the quote asset.
            type_ (OrderType): `market` fills now at the best price; `limit` rests at `price`.
            side (OrderSide): `buy` spends the quote asset for the base asset; `sell` the reverse.
            base_asset (str | Unset): CeFi symbol (BTC) or DeFi token address.
            quote_asset (str | Unset): CeFi quote symbol; ignored on DeFi.
            asset_id (UUID | Unset): Catalogue id of the asset, instead of base_asset/quote_asset.
            price (str | Unset): Limit price per unit of base; limit orders only.
            chain (Chain | Unset): Where a DeFi order runs: Solana, Base, or Hyperliquid's spot and perpetuals books.
            leverage (int | Unset): Isolated-margin leverage; hypercore-perp only.
            reduce_only (bool | Unset): Close only, never open; hypercore-perp only.
    """

    qty: str
    qty_unit: QtyUnit
    type_: OrderType
    side: OrderSide
    base_asset: str | Unset = UNSET
    quote_asset: str | Unset = UNSET
    asset_id: UUID | Unset = UNSET
    price: str | Unset = UNSET
    chain: Chain | Unset = UNSET
    leverage: int | Unset = UNSET
    reduce_only: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        qty = self.qty

        qty_unit = self.qty_unit.value

        type_ = self.type_.value

        side = self.side.value

        base_asset = self.base_asset

        quote_asset = self.quote_asset

        asset_id: str | Unset = UNSET
        if not isinstance(self.asset_id, Unset):
            asset_id = str(self.asset_id)

        price = self.price

        chain: str | Unset = UNSET
        if not isinstance(self.chain, Unset):
            chain = self.chain.value

        leverage = self.leverage

        reduce_only = self.reduce_only

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "qty": qty,
                "qty_unit": qty_unit,
                "type": type_,
                "side": side,
            }
        )
        if base_asset is not UNSET:
            field_dict["base_asset"] = base_asset
        if quote_asset is not UNSET:
            field_dict["quote_asset"] = quote_asset
        if asset_id is not UNSET:
            field_dict["asset_id"] = asset_id
        if price is not UNSET:
            field_dict["price"] = price
        if chain is not UNSET:
            field_dict["chain"] = chain
        if leverage is not UNSET:
            field_dict["leverage"] = leverage
        if reduce_only is not UNSET:
            field_dict["reduce_only"] = reduce_only

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        qty = d.pop("qty")

        qty_unit = QtyUnit(d.pop("qty_unit"))

        type_ = OrderType(d.pop("type"))

        side = OrderSide(d.pop("side"))

        base_asset = d.pop("base_asset", UNSET)

        quote_asset = d.pop("quote_asset", UNSET)

        _asset_id = d.pop("asset_id", UNSET)
        asset_id: UUID | Unset
        if isinstance(_asset_id, Unset):
            asset_id = UNSET
        else:
            asset_id = UUID(_asset_id)

        price = d.pop("price", UNSET)

        _chain = d.pop("chain", UNSET)
        chain: Chain | Unset
        if isinstance(_chain, Unset):
            chain = UNSET
        else:
            chain = Chain(_chain)

        leverage = d.pop("leverage", UNSET)

        reduce_only = d.pop("reduce_only", UNSET)

        create_order_request = cls(
            qty=qty,
            qty_unit=qty_unit,
            type_=type_,
            side=side,
            base_asset=base_asset,
            quote_asset=quote_asset,
            asset_id=asset_id,
            price=price,
            chain=chain,
            leverage=leverage,
            reduce_only=reduce_only,
        )

        create_order_request.additional_properties = d
        return create_order_request

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
