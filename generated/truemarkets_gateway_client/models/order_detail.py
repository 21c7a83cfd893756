from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_side import OrderSide
from ..models.order_status import OrderStatus
from ..models.order_type import OrderType
from ..models.venue import Venue
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderDetail")


@_attrs_define
class OrderDetail:
    """
    Attributes:
        order_id (str | Unset):
        base_asset (str | Unset):
        quote_asset (str | Unset):
        type_ (OrderType | Unset): `market` fills now at the best price; `limit` rests at `price`.
        side (OrderSide | Unset): `buy` spends the quote asset for the base asset; `sell` the reverse.
        price (None | str | Unset): Limit price, or the reference price of a market order; null if none.
        qty (str | Unset): Quantity as created, in the creation unit.
        executed_qty (str | Unset): Base filled so far.
        leaves_qty (str | Unset): Base still open.
        executed_vwap (str | Unset): Volume-weighted price of the fills.
        fee (str | Unset): Total fee in the quote asset.
        tx_hash (str | Unset): DeFi transaction hash.
        venue (Venue | Unset): `cefi`: the exchange's order book; `defi`: on chain.
        status (OrderStatus | Unset): `initialized`: created, waiting for stamps. `pending`: submitted, not yet
            confirmed. `active`: resting in a book. `cancel_pending`: cancel sent, not yet confirmed. `complete`,
            `canceled`, `failed`: final.
        created_at (datetime.datetime | Unset):
        asset_id (str | Unset): Seen on newer servers.
        asset_symbol (str | Unset): Seen on newer servers.
        qty_unit (str | Unset): Seen on newer servers.
        chain (None | str | Unset): Seen on newer servers' list reads.
        explorer_url (None | str | Unset): Seen on newer servers' list reads.
        failure_reason (None | str | Unset): Seen on newer servers.
    """

    order_id: str | Unset = UNSET
    base_asset: str | Unset = UNSET
    quote_asset: str | Unset = UNSET
    type_: OrderType | Unset = UNSET
    side: OrderSide | Unset = UNSET
    price: None | str | Unset = UNSET
    qty: str | Unset = UNSET
    executed_qty: str | Unset = UNSET
    leaves_qty: str | Unset = UNSET
    executed_vwap: str | Unset = UNSET
    fee: str | Unset = UNSET
    tx_hash: str | Unset = UNSET
    venue: Venue | Unset = UNSET
    status: OrderStatus | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    asset_id: str | Unset = UNSET
    asset_symbol: str | Unset = UNSET
    qty_unit: str | Unset = UNSET
    chain: None | str | Unset = UNSET
    explorer_url: None | str | Unset = UNSET
    failure_reason: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id = self.order_id

        base_asset = self.base_asset

        quote_asset = self.quote_asset

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        side: str | Unset = UNSET
        if not isinstance(self.side, Unset):
            side = self.side.value

        price: None | str | Unset
        if isinstance(self.price, Unset):
            price = UNSET
        else:
            price = self.price

        qty = self.qty

        executed_qty = self.executed_qty

        leaves_qty = self.leaves_qty

        executed_vwap = self.executed_vwap

        fee = self.fee

        tx_hash = self.tx_hash

        venue: str | Unset = UNSET
        if not isinstance(self.venue, Unset):
            venue = self.venue.value

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        asset_id = self.asset_id

        asset_symbol = self.asset_symbol

        qty_unit = self.qty_unit

        chain: None | str | Unset
        if isinstance(self.chain, Unset):
            chain = UNSET
        else:
            chain = self.chain

        explorer_url: None | str | Unset
        if isinstance(self.explorer_url, Unset):
            explorer_url = UNSET
        else:
            explorer_url = self.explorer_url

        failure_reason: None | str | Unset
        if isinstance(self.failure_reason, Unset):
            failure_reason = UNSET
        else:
            failure_reason = self.failure_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if order_id is not UNSET:
            field_dict["order_id"] = order_id
        if base_asset is not UNSET:
            field_dict["base_asset"] = base_asset
        if quote_asset is not UNSET:
            field_dict["quote_asset"] = quote_asset
        if type_ is not UNSET:
            field_dict["type"] = type_
        if side is not UNSET:
            field_dict["side"] = side
        if price is not UNSET:
            field_dict["price"] = price
        if qty is not UNSET:
            field_dict["qty"] = qty
        if executed_qty is not UNSET:
            field_dict["executed_qty"] = executed_qty
        if leaves_qty is not UNSET:
            field_dict["leaves_qty"] = leaves_qty
        if executed_vwap is not UNSET:
            field_dict["executed_vwap"] = executed_vwap
        if fee is not UNSET:
            field_dict["fee"] = fee
        if tx_hash is not UNSET:
            field_dict["tx_hash"] = tx_hash
        if venue is not UNSET:
            field_dict["venue"] = venue
        if status is not UNSET:
            field_dict["status"] = status
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if asset_id is not UNSET:
            field_dict["asset_id"] = asset_id
        if asset_symbol is not UNSET:
            field_dict["asset_symbol"] = asset_symbol
        if qty_unit is not UNSET:
            field_dict["qty_unit"] = qty_unit
        if chain is not UNSET:
            field_dict["chain"] = chain
        if explorer_url is not UNSET:
            field_dict["explorer_url"] = explorer_url
        if failure_reason is not UNSET:
            field_dict["failure_reason"] = failure_reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        order_id = d.pop("order_id", UNSET)

        base_asset = d.pop("base_asset", UNSET)

        quote_asset = d.pop("quote_asset", UNSET)

        _type_ = d.pop("type", UNSET)
        type_: OrderType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = OrderType(_type_)

        _side = d.pop("side", UNSET)
        side: OrderSide | Unset
        if isinstance(_side, Unset):
            side = UNSET
        else:
            side = OrderSide(_side)

        def _parse_price(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        price = _parse_price(d.pop("price", UNSET))

        qty = d.pop("qty", UNSET)

        executed_qty = d.pop("executed_qty", UNSET)

        leaves_qty = d.pop("leaves_qty", UNSET)

        executed_vwap = d.pop("executed_vwap", UNSET)

        fee = d.pop("fee", UNSET)

        tx_hash = d.pop("tx_hash", UNSET)

        _venue = d.pop("venue", UNSET)
        venue: Venue | Unset
        if isinstance(_venue, Unset):
            venue = UNSET
        else:
            venue = Venue(_venue)

        _status = d.pop("status", UNSET)
        status: OrderStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = OrderStatus(_status)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        asset_id = d.pop("asset_id", UNSET)

        asset_symbol = d.pop("asset_symbol", UNSET)

        qty_unit = d.pop("qty_unit", UNSET)

        def _parse_chain(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        chain = _parse_chain(d.pop("chain", UNSET))

        def _parse_explorer_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        explorer_url = _parse_explorer_url(d.pop("explorer_url", UNSET))

        def _parse_failure_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_reason = _parse_failure_reason(d.pop("failure_reason", UNSET))

        order_detail = cls(
            order_id=order_id,
            base_asset=base_asset,
            quote_asset=quote_asset,
            type_=type_,
            side=side,
            price=price,
            qty=qty,
            executed_qty=executed_qty,
            leaves_qty=leaves_qty,
            executed_vwap=executed_vwap,
            fee=fee,
            tx_hash=tx_hash,
            venue=venue,
            status=status,
            created_at=created_at,
            asset_id=asset_id,
            asset_symbol=asset_symbol,
            qty_unit=qty_unit,
            chain=chain,
            explorer_url=explorer_url,
            failure_reason=failure_reason,
        )

        order_detail.additional_properties = d
        return order_detail

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
